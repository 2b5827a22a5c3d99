from django.tasks import task

from centre.models import Centre
from centre.scoping import centre_scope, scopes_disabled


@task()
def render_moderation_bundle(render_id: int, centre_id: int) -> None:
    """Render one moderation bundle (see ``moderation.bundle.jobs.run_bundle_render``)."""
    from .bundle import run_bundle_render

    with scopes_disabled():
        centre = Centre.objects.get(pk=centre_id)
    with centre_scope(centre):
        run_bundle_render(render_id=render_id)


@task()
def watch_bundle_render(render_id: int, centre_id: int) -> None:
    """Look in on a render a while after it was queued: if its worker died, queue it
    again; while it is unfinished, look again when it would next count as stalled."""
    from .bundle import watch_render

    with scopes_disabled():
        centre = Centre.objects.get(pk=centre_id)
    with centre_scope(centre):
        next_look = watch_render(render_id=render_id)
        if next_look is not None:
            watch_bundle_render.using(run_after=next_look).enqueue(render_id, centre_id)
