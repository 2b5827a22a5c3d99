from centre.tasks import centre_task


@centre_task(takes_context=True)
def render_moderation_bundle(context, render_id: int, *, centre) -> None:
    """Render one moderation bundle (see ``moderation.bundle.jobs.run_bundle_render``), as
    this task: run again after its worker was lost, it takes its own render over."""
    from moderation.bundle import run_bundle_render

    run_bundle_render(render_id=render_id, task_id=str(context.task_result.id))


@centre_task()
def watch_bundle_render(render_id: int, *, centre) -> None:
    """Look in on a render a while after it was queued: if its worker died, queue it
    again; while it is unfinished, look again when it would next count as stalled."""
    from moderation.bundle import watch_render

    next_look = watch_render(render_id=render_id)
    if next_look is not None:
        watch_bundle_render.using(run_after=next_look).enqueue(render_id, centre_id=centre.pk)
