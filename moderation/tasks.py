from django.tasks import task

from centre.models import Centre
from centre.scoping import centre_scope, scopes_disabled


@task()
def render_moderation_bundle(render_id: int, centre_id: int) -> None:
    """Render one moderation bundle (see ``bundle_services.run_bundle_render``)."""
    from .bundle_services import run_bundle_render

    with scopes_disabled():
        centre = Centre.objects.get(pk=centre_id)
    with centre_scope(centre):
        run_bundle_render(render_id=render_id)


@task()
def watch_bundle_render(render_id: int, centre_id: int) -> None:
    """Look in on a render a while after it was queued: if its worker died, queue it
    again; while it is unfinished, look again later."""
    from django.utils import timezone

    from .bundle_services import STALLED_AFTER, watch_render

    with scopes_disabled():
        centre = Centre.objects.get(pk=centre_id)
    with centre_scope(centre):
        if watch_render(render_id=render_id):
            watch_bundle_render.using(run_after=timezone.now() + STALLED_AFTER).enqueue(render_id, centre_id)
