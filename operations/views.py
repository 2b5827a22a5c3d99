from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from operations.selectors import health as health_of_parts


@require_safe
def health(request):
    """For load balancers and monitors: 200 when the database, the storages and at least
    one task worker answer, 503 naming the part that does not. Open to anyone (a probe
    has no account), so it says nothing but "ok" or "failed"; never cached, since a
    stored answer would hide the moment a part fails."""
    parts = health_of_parts()
    response = JsonResponse(
        {part: "ok" if ok else "failed" for part, ok in parts.items()},
        status=200 if all(parts.values()) else 503,
    )
    add_never_cache_headers(response)
    return response
