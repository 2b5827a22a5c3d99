from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from operations.selectors import health as health_of_parts


@require_safe
def health(request):
    """For load balancers and monitors: each part, "ok" or "failed"; 503 when this server
    cannot serve (its database or its storages fail), 200 otherwise. The workers are
    reported but do not fail it: one set of workers serves every web server, so a load
    balancer that took servers out for them would take out all of them at once (while
    the workers are upgraded, say) and nothing would be served; a monitor alerts on
    "worker": "failed" in the answer. Open to anyone (a probe has no account), so it says
    nothing more; never cached, since a stored answer would hide the moment a part fails."""
    parts = health_of_parts()
    response = JsonResponse(
        {part: "ok" if ok else "failed" for part, ok in parts.items()},
        status=200 if parts["database"] and parts["storage"] else 503,
    )
    add_never_cache_headers(response)
    return response
