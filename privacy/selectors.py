"""Reads of retention: how long a learner's records must be kept, and which learners'
records are past it.

A centre keeps a learner's records for its ``retention_years`` after the learner's
assessment is over, which by default is the awarding body's rule: until moderation is
complete, plus three years. The clock starts at the latest thing that happened to their
assessment record: a sign-off or countersignature, a decision, an IQA verdict or action,
the last change to their evidence, and, for a unit sampled for moderation, the sample
itself and the end (expiry or revocation) of every moderator's access to it. A learner
still studying, under an open IQA action or under an open hold is never due.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Max
from django.utils import timezone

from assessment.models import CriterionDecision, UnitSignOff
from centre.models import Centre
from iqa.models import IqaAction, IqaSample
from learners.models import Enrolment, Learner
from moderation.models import ModerationSample
from portfolio.models import EvidenceItem
from privacy.models import RetentionHold


@dataclass(frozen=True)
class Retention:
    """Where a learner stands against their centre's retention period."""

    finished: bool
    clock: datetime.datetime
    keep_until: datetime.datetime
    open_holds: tuple[RetentionHold, ...]
    expired: bool


@dataclass
class ErasurePlan:
    """A centre's learners sorted by what retention allows: erase now, or keep and why."""

    due: list[Learner] = field(default_factory=list)
    held: int = 0
    retained: int = 0
    studying: int = 0


def years_after(moment: datetime.datetime, years: int) -> datetime.datetime:
    """The same date ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def retention_clock(*, learner: Learner) -> datetime.datetime:
    """When the learner's assessment record last changed, moderation included (see the
    module's docstring)."""
    moments = [learner.created_at]
    moments += EvidenceItem.objects.filter(learner=learner).aggregate(Max("updated_at")).values()
    moments += (
        CriterionDecision.objects.filter(enrolment__learner=learner).aggregate(Max("decided_at")).values()
    )
    moments += (
        UnitSignOff.objects.filter(enrolment__learner=learner)
        .aggregate(Max("signed_at"), Max("countersigned_at"), Max("reopened_at"))
        .values()
    )
    moments += (
        IqaSample.objects.filter(enrolment__learner=learner)
        .aggregate(Max("started_at"), Max("recorded_at"))
        .values()
    )
    moments += (
        IqaAction.objects.filter(sample__enrolment__learner=learner).aggregate(Max("closed_at")).values()
    )
    samples = ModerationSample.objects.filter(learners__enrolment__learner=learner).prefetch_related(
        "accesses"
    )
    for sample in samples.distinct():
        moments.append(sample.created_at)
        moments += [access.ends_at for access in sample.accesses.all()]
    return max(moment for moment in moments if moment is not None)


def retention_of(*, learner: Learner, now: datetime.datetime | None = None) -> Retention:
    now = now or timezone.now()
    finished = (
        not Enrolment.objects.filter(learner=learner, status=Enrolment.Status.ACTIVE).exists()
        and not IqaAction.objects.filter(sample__enrolment__learner=learner, closed_at__isnull=True).exists()
    )
    clock = retention_clock(learner=learner)
    keep_until = years_after(clock, learner.centre.retention_years)
    open_holds = tuple(RetentionHold.objects.filter(learner=learner, released_at__isnull=True))
    return Retention(
        finished=finished,
        clock=clock,
        keep_until=keep_until,
        open_holds=open_holds,
        expired=finished and not open_holds and keep_until <= now,
    )


def erasure_plan(*, centre: Centre, now: datetime.datetime | None = None) -> ErasurePlan:
    """The centre's learners whose records are past retention, and how many are kept (held,
    within retention, still studying). Run inside the centre's scope."""
    plan = ErasurePlan()
    studying = Learner.objects.filter(centre=centre, enrolments__status=Enrolment.Status.ACTIVE)
    plan.studying = studying.distinct().count()
    for learner in Learner.objects.filter(centre=centre).exclude(pk__in=studying.values("pk")):
        retention = retention_of(learner=learner, now=now)
        if retention.expired:
            plan.due.append(learner)
        elif not retention.finished:
            plan.studying += 1
        elif retention.open_holds:
            plan.held += 1
        else:
            plan.retained += 1
    return plan


def holds_of(*, learner: Learner):
    return RetentionHold.objects.filter(learner=learner).select_related("placed_by")
