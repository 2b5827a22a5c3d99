from centre.selectors import current_centre_and_roles
from common.scoping import centre_scope


class CentreScopeMiddleware:
    """Resolves the request's centre and runs the rest of the request inside its scope.

    A request with no centre (a visitor, or a person yet to choose) gets a scope that
    matches no centre-owned rows rather than no scope at all. The person's roles there
    come with it, for ``centre.access.roles_in_centre`` to answer without a query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.centre, request._centre_roles = current_centre_and_roles(request)
        with centre_scope(request.centre):
            return self.get_response(request)
