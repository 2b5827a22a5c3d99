"""Tasks that work on one centre's data.

A task runs in the worker, where no request has entered a centre's scope, so every query
of a centre-owned model would refuse. ``centre_task`` enters it the one way for every
task, as pretix's ``EventTask`` does for an event: the task is queued with the centre's
key as the keyword argument ``centre_id`` and runs with the centre itself, inside its scope.
"""

import functools
import logging
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.mail import mailers
from django.tasks import task

from centre.models import Centre
from common.scoping import centre_scope, scopes_disabled

logger = logging.getLogger(__name__)


def centre_task(function=None, **options):
    """``@task`` (with the same options: ``priority``, ``queue_name``, ``backend``, …) for
    a function that takes the centre as the keyword argument ``centre``::

        @centre_task()
        def render_moderation_bundle(render_id: int, *, centre) -> None: ...

        render_moderation_bundle.enqueue(render.pk, centre_id=render.centre_id)

    The task keeps the function's name and module (what the worker finds it by). A
    centre deleted before the task ran leaves it nothing to do: it is logged and skipped.
    """

    def decorate(func):
        @functools.wraps(func)
        def in_centre_scope(*args, centre_id: int, **kwargs):
            with scopes_disabled():
                centre = Centre.objects.filter(pk=centre_id).first()
            if centre is None:
                logger.info("Skipped %s: centre %s no longer exists", func.__qualname__, centre_id)
                return None
            with centre_scope(centre):
                return func(*args, centre=centre, **kwargs)

        return task(**options)(in_centre_scope)

    return decorate(function) if function is not None else decorate


@centre_task()
def update_centre_reference_index(app_label: str, model_name: str, pk: str, *, centre) -> None:
    """Wagtail's reference indexing of one centre-owned object, inside its centre's scope:
    Wagtail's own task reads the object through the model's manager, which in the worker
    (no request, so no scope) refuses every query. (A centre deleted before the task ran
    took the object with it: ``centre_task`` skips the task.)"""
    from wagtail.tasks import update_reference_index_task

    update_reference_index_task.func(app_label, model_name, pk)


# Invitations emailed by one task: a register of thousands is sent in many small tasks, each
# holding few messages at once, and a mail server's failure loses only its own batch.
INVITATIONS_PER_TASK = 200


@centre_task()
def email_invitations(user_ids: list[int], role: str, invited_at: str, *, centre) -> int:
    """Email the invitations made at ``invited_at`` (``centre.services.invite_people``) to
    those of these people who still hold ``role`` here and have not chosen a password
    meanwhile; returns how many were sent. Each link is made now, over the password the
    account has now, so it works until they choose one, whichever email they open.

    If the mail server refuses the batch, its people are marked not invited again, so the
    learners list shows them so and "invite everyone not invited yet" sends them a new
    invitation; the task then fails, as the worker records."""
    from centre.services import invitation_message

    invited = datetime.fromisoformat(invited_at)
    people = (
        get_user_model()
        .objects.filter(
            pk__in=user_ids,
            is_active=True,
            memberships__centre=centre,
            memberships__role=role,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("pk")
    )
    messages = [
        invitation_message(user=user, centre=centre, role=role)
        for user in people
        if not user.has_usable_password()
    ]
    try:
        return mailers.default.send_messages(messages) or 0
    except Exception:
        # Only those this invitation still stands for: one invited again since has a newer one coming.
        get_user_model().objects.filter(pk__in=user_ids, invited_at=invited).update(invited_at=None)
        raise
