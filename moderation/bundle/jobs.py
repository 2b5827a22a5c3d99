"""Making moderation bundles: asking for one (once per content), rendering it in the
background (``moderation.tasks``), publishing the files only when complete, and picking
up a render whose worker died (the watchdog task, and ``manage.py recover_bundle_renders``)."""

import datetime
import logging
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.tasks import default_task_backend
from django.utils import timezone

from audit.services import record_audit
from moderation.bundle.fingerprint import bundle_fingerprint
from moderation.bundle.parts import split_into_parts
from moderation.bundle.render import render_bundle
from moderation.models import BundleRender, ModerationSample
from moderation.selectors import candidates_of

logger = logging.getLogger(__name__)
# A render that has not reported progress for this long has lost its worker.
STALLED_AFTER = datetime.timedelta(minutes=5)
# How soon after a render would become stalled the watchdog looks (never a busy loop).
WATCH_MARGIN = datetime.timedelta(seconds=5)


class RenderAbandoned(Exception):
    """Recorded on the task of a render whose worker died: the task itself never ended."""


def bundle_storage():
    return storages["evidence"]


@transaction.atomic
def request_bundle(*, sample: ModerationSample, actor) -> BundleRender:
    """The render of the sample's bundle as it stands: an existing one for the same
    content (asked for twice, rendered once), or a new one queued. A failed render is
    queued again: asking again is how it is retried."""
    fingerprint = bundle_fingerprint(sample=sample, candidates=candidates_of(sample=sample))
    render, created = BundleRender.objects.select_for_update().get_or_create(
        centre=sample.centre,
        sample=sample,
        fingerprint=fingerprint,
        defaults={"requested_by": actor, "requested_at": timezone.now()},
    )
    if created or render.status == BundleRender.Status.FAILED:
        render.status, render.error, render.progress, render.stage = BundleRender.Status.QUEUED, "", 0, ""
        render.heartbeat_at = timezone.now()
        render.save(update_fields=["status", "error", "progress", "stage", "heartbeat_at"])
        record_audit(
            actor=actor,
            verb="moderation.bundle_requested",
            target=render,
            centre=sample.centre,
            unit=sample.unit_id,
        )
        transaction.on_commit(lambda: _enqueue(render))
    return render


def _enqueue(render: BundleRender) -> None:
    from moderation.tasks import render_moderation_bundle, watch_bundle_render

    render_moderation_bundle.enqueue(render.pk, centre_id=render.centre_id)
    if default_task_backend.supports_defer:
        watch_bundle_render.using(run_after=timezone.now() + STALLED_AFTER + WATCH_MARGIN).enqueue(
            render.pk, centre_id=render.centre_id
        )


def _report(current, progress: int, stage: str) -> None:
    current.update(progress=progress, stage=stage, heartbeat_at=timezone.now())


def run_bundle_render(*, render_id: int, task_id: str = "") -> BundleRender:
    """Render, then publish, as task ``task_id`` (when a task runs it). Safe to run again,
    and by two workers at once.

    The files are written under a folder of their own that nothing names until the
    render row does, and the row names them only once every one is written, in the same
    update that marks it done: nobody is ever offered half a bundle, and a worker killed
    mid-way leaves only files nobody can download (``manage.py verify_storage`` lists
    them). Each attempt is numbered, and only the latest may report, fail or publish:
    one that was given up for dead but carries on (a worker cut off from the database
    for a while) finds its number superseded, and deletes what it wrote."""
    with transaction.atomic():
        # The render's row only: its sample, centre and unit are read with it, not locked
        # (a lock on the unit's row would hold up, and deadlock with, every request that
        # writes a row referring to the unit while this transaction lasts).
        render = (
            BundleRender.objects.select_for_update(of=("self",))
            .select_related("sample__centre", "sample__unit")
            .get(pk=render_id)
        )
        if render.status == BundleRender.Status.DONE:
            return render
        fresh = render.heartbeat_at is not None and render.heartbeat_at > timezone.now() - STALLED_AFTER
        taking_over = bool(task_id) and render.task_id == task_id  # its worker died; now this one
        if render.status == BundleRender.Status.RUNNING and fresh and not taking_over:
            return render  # another task is on it (the render was queued twice)
        render.status, render.attempts, render.heartbeat_at, render.task_id = (
            BundleRender.Status.RUNNING,
            render.attempts + 1,
            timezone.now(),
            task_id,
        )
        render.save(update_fields=["status", "attempts", "heartbeat_at", "task_id"])
    # This attempt's row, while it is still this attempt's.
    current = BundleRender.objects.filter(pk=render_id, attempts=render.attempts)
    sample = render.sample
    storage = bundle_storage()
    written: list[str] = []
    try:
        candidates = candidates_of(sample=sample)
        rendered = render_bundle(
            sample=sample, candidates=candidates, progress=lambda p, s: _report(current, p, s)
        )
        _report(current, 95, "Saving the files")
        folder = f"bundles/centre-{sample.centre_id}/{uuid.uuid4().hex}"
        written.append(storage.save(f"{folder}/bundle.pdf", ContentFile(rendered.pdf)))
        written.append(storage.save(f"{folder}/evidence.zip", ContentFile(rendered.archive)))
        if len(rendered.pdf) > settings.BUNDLE_PART_MAX_BYTES:
            _report(current, 97, "Splitting the bundle into parts for email")
            pieces = split_into_parts(rendered, max_bytes=settings.BUNDLE_PART_MAX_BYTES)
            for n, piece in enumerate(pieces, start=1):
                written.append(storage.save(f"{folder}/part-{n}-of-{len(pieces)}.pdf", ContentFile(piece)))
    except Exception as error:  # any failure is the render's, recorded for the person waiting
        logger.exception("Rendering bundle %s failed", render_id)
        _delete(storage, written)
        current.update(
            status=BundleRender.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:1000],
            finished_at=timezone.now(),
        )
        return BundleRender.objects.get(pk=render_id)
    pdf_name, archive_name, *parts = written
    with transaction.atomic():
        published = current.filter(status=BundleRender.Status.RUNNING).update(
            status=BundleRender.Status.DONE,
            progress=100,
            stage="Ready",
            pdf=pdf_name,
            archive=archive_name,
            parts=parts,
            pages=rendered.pages,
            finished_at=timezone.now(),
        )
        render.refresh_from_db()
        if published:
            record_audit(
                actor=None,
                verb="moderation.bundle_rendered",
                target=render,
                centre=sample.centre,
                unit=sample.unit_id,
                details={"pages": rendered.pages, "attempt": render.attempts},
            )
    if not published:
        logger.warning("Bundle render %s was taken over by a later attempt; its files go.", render_id)
        _delete(storage, written)
    return render


def _delete(storage, names: list[str]) -> None:
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # a disk's OSError, a bucket's ClientError: left, an orphan verify_storage reports
            logger.exception("Could not delete %s of an unpublished bundle render", name)


def recover_stalled_renders(*, centre) -> int:
    """Queue again every render of ``centre`` whose worker stopped reporting (killed
    mid-render); what it had written was never published. Returns how many."""
    return len(requeue_stalled_renders(centre=centre))


def requeue_stalled_renders(*, centre) -> list[BundleRender]:
    """The renders of ``centre`` whose worker stopped reporting, each queued again (as
    they were found: ``heartbeat_at`` is their last sign of life). Only the watchdog task
    and ``manage.py recover_bundle_renders`` call this, never a page: a GET writes nothing."""
    from moderation.tasks import render_moderation_bundle

    with transaction.atomic():
        # Locked and skipped if locked: the watchdog and the command at once queue each render once.
        stalled = list(
            BundleRender.objects.select_for_update(skip_locked=True).filter(
                centre=centre,
                status__in=[BundleRender.Status.RUNNING, BundleRender.Status.QUEUED],
                heartbeat_at__lt=timezone.now() - STALLED_AFTER,
            )
        )
        for render in stalled:
            BundleRender.objects.filter(pk=render.pk).update(
                status=BundleRender.Status.QUEUED, heartbeat_at=timezone.now(), stage="Started again"
            )
            _fail_abandoned_tasks(render_id=render.pk)
            transaction.on_commit(
                lambda pk=render.pk: render_moderation_bundle.enqueue(pk, centre_id=centre.pk)
            )
    return stalled


def _fail_abandoned_tasks(*, render_id: int) -> None:
    """Mark failed the task rows of the render's killed worker: a killed process never
    records the end of its task, which would otherwise show as running for ever (only the
    database backend keeps such rows)."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from moderation.tasks import render_moderation_bundle

    if not isinstance(render_moderation_bundle.get_backend(), DatabaseBackend):
        return
    abandoned = RenderAbandoned(
        f"The worker running bundle render {render_id} reported no progress for "
        f"{STALLED_AFTER.total_seconds() / 60:.0f} minutes; the render was queued again."
    )
    for task_row in DBTaskResult.objects.filter(
        task_path=render_moderation_bundle.module_path,
        status="RUNNING",
        args_kwargs__args__0=render_id,
    ):
        task_row.set_failed(abandoned)


def watch_render(*, render_id: int) -> datetime.datetime | None:
    """When to look at the render again, having queued it again if it stalled; ``None``
    once it has finished. The next look is when the render would have been silent for
    ``STALLED_AFTER``, so a dead worker is noticed then, not up to one period later."""
    render = BundleRender.objects.select_related("centre").get(pk=render_id)
    if render.status in {BundleRender.Status.DONE, BundleRender.Status.FAILED}:
        return None
    recover_stalled_renders(centre=render.centre)
    render.refresh_from_db(fields=["heartbeat_at"])
    last_sign_of_life = render.heartbeat_at or timezone.now()
    return max(last_sign_of_life + STALLED_AFTER, timezone.now()) + WATCH_MARGIN


@transaction.atomic
def discard_bundles_of(*, learner_id: int) -> int:
    """Delete every bundle made for a sample that includes the learner, with its files:
    their evidence has changed (a contact's details were taken out), so no copy of the old
    one may be served again. Asking again makes a new bundle. Returns how many."""
    renders = list(BundleRender.objects.filter(sample__learners__enrolment__learner_id=learner_id).distinct())
    stored = [name for render in renders for name in [render.pdf, render.archive, *render.parts] if name]
    BundleRender.objects.filter(pk__in=[render.pk for render in renders]).delete()
    storage = bundle_storage()
    transaction.on_commit(lambda: [storage.delete(name) for name in stored])
    return len(renders)
