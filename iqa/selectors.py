import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from assessment.models import UnitSignOff
from iqa.models import AssessorRisk, IqaAction, IqaSample, SamplingPlan, Stage
from learners.models import Enrolment


@dataclass(frozen=True)
class SuggestedPick:
    enrolment: Enrolment
    stage: str
    level: str
    suggested: bool = True  # within the plan's rate; the others the IQA may add


def suggested_sample(*, plan: SamplingPlan) -> list[SuggestedPick]:
    """A risk-based sample for the plan's unit: every assessor sampled at every stage they
    have learners at (interim: assessment under way; summative: signed off), at the
    standard rate, or the higher one for new and flagged assessors, never fewer than
    one learner each. Learners already sampled count towards their group's share; the
    rest come with the plan's methods first, then in a fixed order, so the suggestion is
    the same until the data changes."""
    return [pick for pick in _unsampled_picks(plan=plan) if pick.suggested]


def unsampled_picks(*, plan: SamplingPlan) -> list[SuggestedPick]:
    """Every learner at a stage not yet sampled there, the suggested ones first: the IQA
    may sample beyond the plan's rate, and the page must not claim there is nobody left."""
    picks = _unsampled_picks(plan=plan)
    return sorted(picks, key=lambda pick: not pick.suggested)


def _unsampled_picks(*, plan: SamplingPlan) -> list[SuggestedPick]:
    levels = dict(AssessorRisk.objects.filter(plan=plan).values_list("assessor_id", "level"))
    enrolments = list(
        Enrolment.objects.filter(centre=plan.centre, unit=plan.unit, assessor__isnull=False)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("learner", "assessor")
        .annotate(
            decided=Count("decisions", distinct=True),
            uses_methods=Count(
                "evidence_mappings", filter=Q(evidence_mappings__item__kind__in=plan.methods), distinct=True
            ),
        )
    )
    standing = dict(
        UnitSignOff.objects.filter(
            enrolment__in=[e.pk for e in enrolments], reopened_at__isnull=True
        ).values_list("enrolment_id", "pk")
    )
    # A summative sample is of one sign-off: after a reopening, the new sign-off is
    # unsampled even though the enrolment was sampled at that stage before.
    already = set()
    for enrolment_id, stage, sign_off_id in IqaSample.objects.filter(plan=plan).values_list(
        "enrolment_id", "stage", "sign_off_id"
    ):
        if stage != Stage.SUMMATIVE or sign_off_id == standing.get(enrolment_id):
            already.add((enrolment_id, stage))
    groups: dict[tuple[int, str], list[Enrolment]] = defaultdict(list)
    for enrolment in enrolments:
        if enrolment.pk in standing:
            groups[(enrolment.assessor_id, Stage.SUMMATIVE)].append(enrolment)
        elif enrolment.decided:
            groups[(enrolment.assessor_id, Stage.INTERIM)].append(enrolment)
    picks = []
    for (assessor_id, stage), group in sorted(groups.items(), key=lambda g: (g[0][0], g[0][1])):
        level = levels.get(assessor_id, AssessorRisk.Level.STANDARD)
        rate = plan.standard_rate if level == AssessorRisk.Level.STANDARD else plan.higher_rate
        size = max(1, math.ceil(len(group) * rate / 100))
        waiting = [e for e in group if (e.pk, stage) not in already]
        wanted = max(0, size - (len(group) - len(waiting)))
        waiting.sort(key=lambda e: (-min(e.uses_methods, 1), _stable_order(plan.pk, e.pk)))
        picks += [SuggestedPick(e, stage, level, suggested=n < wanted) for n, e in enumerate(waiting)]
    return picks


def _stable_order(seed: int, key: int) -> str:
    return hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()


def samples_for_plan(*, plan: SamplingPlan) -> QuerySet[IqaSample]:
    return (
        IqaSample.objects.filter(plan=plan)
        .select_related("enrolment__learner", "enrolment__assessor", "iqa")
        .prefetch_related("actions")
    )


def sampling_plans(*, centre) -> dict[int, SamplingPlan]:
    """The centre's sampling plans, by unit key."""
    return {plan.unit_id: plan for plan in SamplingPlan.objects.filter(centre=centre)}


def sampling_plan(*, centre, unit) -> SamplingPlan | None:
    return SamplingPlan.objects.filter(centre=centre, unit=unit).first()


def risk_levels(*, plan: SamplingPlan | None) -> dict[int, str]:
    """How closely each assessor is sampled under ``plan``, by assessor key (those not
    named are sampled at the standard rate)."""
    if plan is None:
        return {}
    return dict(AssessorRisk.objects.filter(plan=plan).values_list("assessor_id", "level"))


def samples_awaiting_verdict(*, centre) -> QuerySet[IqaSample]:
    """The centre's samples still without a verdict, each with its learner and its unit's
    title as ``unit_title`` (not the unit's whole page, which a list of them need not build)."""
    return (
        IqaSample.objects.filter(centre=centre, verdict="")
        .select_related("enrolment__learner")
        .annotate(unit_title=F("enrolment__unit__title"))
    )


def answered_actions(*, centre) -> QuerySet[IqaAction]:
    """The actions assessors have answered that are still to be closed."""
    return IqaAction.objects.filter(
        centre=centre, closed_at__isnull=True, responded_at__isnull=False
    ).select_related("sample__enrolment__learner")


def actions_of(*, sample: IqaSample) -> QuerySet[IqaAction]:
    return IqaAction.objects.filter(sample=sample)
