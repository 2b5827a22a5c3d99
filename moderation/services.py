"""External moderation: the centre's sample for a unit and the moderator's time-limited,
read-only access to it."""

import datetime
import math
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from accounts.services import end_sessions
from assessment.access import require_role
from assessment.models import UnitSignOff
from audit.services import record_audit
from centre.models import Role
from centre.services import add_member
from common.errors import Refused, Stale
from iqa.models import IqaAction
from learners.models import Enrolment
from moderation.models import MODERATE, ModerationSample, ModeratorAccess, SampledLearner

# OCR asks centres to keep e-portfolio work reachable for moderators for six months.
DEFAULT_ACCESS_PERIOD = datetime.timedelta(days=183)


class SampleRefused(Refused):
    """These learners cannot make a moderation sample."""


class AccessRefused(Refused):
    """The moderator cannot be given access like this."""


class AccessAlreadyRevoked(Stale):
    """This access has already been revoked."""


def sampleable_sign_offs(*, centre, unit) -> dict[int, UnitSignOff]:
    """The standing sign-offs of ``unit`` at ``centre`` that can go to moderation: none
    under an open IQA action. By enrolment key."""
    blocked = set(
        IqaAction.objects.filter(
            centre=centre, sample__enrolment__unit=unit, closed_at__isnull=True
        ).values_list("sample__enrolment_id", flat=True)
    )
    return {
        sign_off.enrolment_id: sign_off
        for sign_off in UnitSignOff.objects.filter(
            centre=centre, enrolment__unit=unit, reopened_at__isnull=True
        ).select_related("enrolment__learner", "enrolment__assessor")
        if sign_off.enrolment_id not in blocked
    }


def suggested_moderation_sample(*, centre, unit) -> list[Enrolment]:
    """At least 10% of the signed-off cohort and never fewer than five (where there are
    five), spread across every assessor in turn, longest signed off first."""
    sign_offs = sampleable_sign_offs(centre=centre, unit=unit)
    by_assessor = defaultdict(list)
    for sign_off in sorted(sign_offs.values(), key=lambda s: (s.signed_at, s.pk)):
        by_assessor[sign_off.enrolment.assessor_id].append(sign_off.enrolment)
    size = min(len(sign_offs), max(5, math.ceil(len(sign_offs) / 10)))
    chosen, queues = [], [list(queue) for _, queue in sorted(by_assessor.items(), key=lambda a: str(a[0]))]
    while len(chosen) < size:
        for queue in queues:
            if queue and len(chosen) < size:
                chosen.append(queue.pop(0))
    return sorted(chosen, key=lambda e: e.learner.candidate_number)


@transaction.atomic
def create_moderation_sample(*, centre, unit, actor, enrolment_ids: list[int]) -> ModerationSample:
    """A sample of signed-off learners on ``unit`` for the moderator. A learner whose
    sign-off is under an open IQA action cannot be sampled."""
    require_role(actor, centre, Role.CENTRE_ADMIN)
    sign_offs = sampleable_sign_offs(centre=centre, unit=unit)
    problems = []
    if not enrolment_ids:
        problems.append("Choose at least one signed-off learner.")
    for enrolment_id in enrolment_ids:
        if enrolment_id not in sign_offs:
            enrolment = (
                Enrolment.objects.filter(centre=centre, pk=enrolment_id).select_related("learner").first()
            )
            who = str(enrolment.learner) if enrolment else f"Enrolment {enrolment_id}"
            problems.append(
                f"{who} cannot be sampled: not signed off on this unit, or under an open IQA action."
            )
    if problems:
        raise SampleRefused(*problems)
    sample = ModerationSample.objects.create(
        centre=centre, unit=unit, created_by=actor, created_at=timezone.now()
    )
    SampledLearner.objects.bulk_create(
        SampledLearner(centre=centre, sample=sample, enrolment_id=pk, sign_off=sign_offs[pk])
        for pk in dict.fromkeys(enrolment_ids)
    )
    record_audit(
        actor=actor,
        verb="moderation.sample_created",
        target=sample,
        centre=centre,
        unit=unit,
        details={"enrolments": sorted(set(enrolment_ids))},
    )
    return sample


@transaction.atomic
def grant_moderator_access(
    *, sample: ModerationSample, actor, email: str, first_name: str = "", last_name: str = "", expires_at=None
) -> ModeratorAccess:
    """Give an external moderator read-only access to ``sample`` until ``expires_at``
    (six months unless said otherwise), inviting them if they are new to Waymark."""
    require_role(actor, sample.centre, Role.CENTRE_ADMIN)
    now = timezone.now()
    expires_at = expires_at or now + DEFAULT_ACCESS_PERIOD
    if expires_at <= now:
        raise AccessRefused("Access must last until a date in the future.", field="expires_on")
    membership, _ = add_member(
        centre=sample.centre,
        email=email,
        role=Role.MODERATOR,
        first_name=first_name,
        last_name=last_name,
        actor=actor,
    )
    moderator = membership.user
    access = ModeratorAccess.objects.create(
        centre=sample.centre,
        sample=sample,
        moderator=moderator,
        granted_by=actor,
        granted_at=now,
        expires_at=expires_at,
    )
    assign_perm(MODERATE, moderator, sample)
    record_audit(
        actor=actor,
        verb="moderation.access_granted",
        target=access,
        centre=sample.centre,
        unit=sample.unit_id,
        details={"moderator": str(moderator.audit_key), "expires_at": expires_at.isoformat()},
    )
    transaction.on_commit(lambda: _tell_moderator(access=access))
    return access


def _tell_moderator(*, access: ModeratorAccess) -> None:
    sample = access.sample
    send_mail(
        subject=f"Moderation sample from {sample.centre.name}: {sample.unit.title}",
        message=render_to_string(
            "moderation/email/moderator_access.txt",
            {
                "access": access,
                "sample": sample,
                "sign_in": settings.WAYMARK_BASE_URL + reverse("login"),
                "reset": settings.WAYMARK_BASE_URL + reverse("password_reset"),
                "has_password": access.moderator.has_usable_password(),
            },
        ),
        from_email=None,
        recipient_list=[access.moderator.email],
    )


@transaction.atomic
def revoke_moderator_access(*, access: ModeratorAccess, actor) -> ModeratorAccess:
    require_role(actor, access.centre, Role.CENTRE_ADMIN)
    access = ModeratorAccess.objects.select_for_update().get(pk=access.pk)
    if access.revoked_at is not None:
        raise AccessAlreadyRevoked()
    access.revoked_at = timezone.now()
    access.save(update_fields=["revoked_at"])
    still_granted = (
        ModeratorAccess.objects.filter(sample=access.sample, moderator=access.moderator).live().exists()
    )
    if not still_granted:
        remove_perm(MODERATE, access.moderator, access.sample)
    end_sessions(user=access.moderator)
    record_audit(
        actor=actor,
        verb="moderation.access_revoked",
        target=access,
        centre=access.centre,
        unit=access.sample.unit_id,
        details={"moderator": str(access.moderator.audit_key)},
    )
    return access
