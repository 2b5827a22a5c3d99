from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils import timezone

from assessment.access import require_assessor, require_role
from assessment.auditing import audit_enrolment_change
from assessment.selectors import standing_sign_off
from audit.services import record_audit
from centre.models import Role
from common.dates import long_datetime
from common.errors import AlreadyDone, Frozen, Refused
from iqa.models import AssessorRisk, IqaAction, IqaSample, SamplingPlan, Stage
from learners.models import Enrolment

CHOOSE_LEARNERS = "Choose learners on this unit, at the interim or summative stage."
RATES_RULE = "Rates are per cent: the standard rate above 0, the higher rate at least as high."


@transaction.atomic
def save_sampling_plan(
    *,
    centre,
    unit,
    actor,
    standard_rate: int,
    higher_rate: int,
    methods: list[str],
    risks: Mapping[int, str],
) -> SamplingPlan:
    """The IQA's plan for a unit: sampling rates, evidence methods to look for, and how
    closely each assessor is sampled."""
    require_role(actor, centre, Role.IQA)
    if not (0 < standard_rate <= higher_rate <= 100):
        raise Refused(RATES_RULE)
    plan, _ = SamplingPlan.objects.update_or_create(
        centre=centre,
        unit=unit,
        defaults={
            "standard_rate": standard_rate,
            "higher_rate": higher_rate,
            "methods": methods,
            "created_by": actor,
        },
    )
    for assessor_id, level in risks.items():
        AssessorRisk.objects.update_or_create(
            centre=centre, plan=plan, assessor_id=assessor_id, defaults={"level": level}
        )
    record_audit(actor=actor, verb="iqa.plan_saved", target=plan, centre=centre, unit=unit)
    return plan


@transaction.atomic
def start_samples(*, plan: SamplingPlan, iqa, picks: Iterable[tuple[int, str]]) -> list[IqaSample]:
    """Start sampling the chosen enrolments of the plan's unit at the chosen stage. A
    summative sample is of the standing sign-off; an enrolment already in an unfinished
    sample at that stage is not sampled twice."""
    require_role(iqa, plan.centre, Role.IQA)
    plan = SamplingPlan.objects.select_for_update().get(pk=plan.pk)  # one starter at a time
    picks = list(picks)
    enrolments = {
        e.pk: e
        for e in Enrolment.objects.filter(
            centre=plan.centre, unit=plan.unit, pk__in=[pk for pk, _ in picks]
        ).select_related("learner")
    }
    unfinished = set(IqaSample.objects.filter(plan=plan, verdict="").values_list("enrolment_id", "stage"))
    started = []
    for enrolment_id, stage in picks:
        enrolment = enrolments.get(enrolment_id)
        if enrolment is None or stage not in Stage.values:
            raise Refused(CHOOSE_LEARNERS)
        if (enrolment_id, stage) in unfinished:
            continue
        sign_off = standing_sign_off(enrolment=enrolment) if stage == Stage.SUMMATIVE else None
        if stage == Stage.SUMMATIVE and sign_off is None:
            raise Refused(f"{enrolment.learner} is not signed off, so only an interim sample can be taken.")
        sample = IqaSample.objects.create(
            centre=plan.centre,
            plan=plan,
            enrolment=enrolment,
            stage=stage,
            sign_off=sign_off,
            iqa=iqa,
            started_at=timezone.now(),
        )
        audit_enrolment_change(
            actor=iqa, verb="iqa.sample_started", target=sample, enrolment=enrolment, details={"stage": stage}
        )
        started.append(sample)
    return started


@transaction.atomic
def record_sample_verdict(
    *, sample: IqaSample, iqa, verdict: str, comments: str, actions: list[str]
) -> IqaSample:
    """The IQA's verdict on a sample: agreement, or disagreement with the actions the
    assessor must take. A verdict, once recorded, stands."""
    sample = IqaSample.objects.select_for_update().get(pk=sample.pk)
    require_role(iqa, sample.centre, Role.IQA)
    actions = [action.strip() for action in actions if action.strip()]
    if sample.verdict:
        raise AlreadyDone(
            f"This sample's verdict, “{sample.get_verdict_display()}”, was already recorded on "
            f"{long_datetime(sample.recorded_at)}; nothing was changed.",
            done=sample,
        )
    if verdict not in IqaSample.Verdict.values:
        raise Refused("Choose whether you agree with the assessment.")
    if verdict == IqaSample.Verdict.DISAGREE and not actions:
        raise Refused("Say what the assessor must do: at least one action.")
    if verdict == IqaSample.Verdict.AGREE and actions:
        raise Refused("Actions go with disagreement; to require actions, choose disagree.")
    sample.verdict, sample.comments, sample.recorded_at = verdict, comments.strip(), timezone.now()
    sample.save(update_fields=["verdict", "comments", "recorded_at"])
    IqaAction.objects.bulk_create(
        IqaAction(centre=sample.centre, sample=sample, required=action) for action in actions
    )
    enrolment = sample.enrolment
    audit_enrolment_change(
        actor=iqa,
        verb="iqa.verdict_recorded",
        target=sample,
        enrolment=enrolment,
        details={"verdict": verdict, "actions": len(actions)},
    )
    return sample


@transaction.atomic
def respond_to_action(*, action: IqaAction, assessor, response: str) -> IqaAction:
    action = IqaAction.objects.select_for_update().select_related("sample__enrolment").get(pk=action.pk)
    enrolment = action.sample.enrolment
    require_assessor(assessor, enrolment)
    if not action.is_open:
        raise Frozen("This action is closed.")
    if not response.strip():
        raise Refused("Say what you did about this action.")
    action.response, action.responded_at = response.strip(), timezone.now()
    action.save(update_fields=["response", "responded_at"])
    audit_enrolment_change(actor=assessor, verb="iqa.action_answered", target=action, enrolment=enrolment)
    return action


@transaction.atomic
def close_action(*, action: IqaAction, iqa) -> IqaAction:
    action = IqaAction.objects.select_for_update().select_related("sample__enrolment").get(pk=action.pk)
    require_role(iqa, action.centre, Role.IQA)
    if not action.is_open:
        raise Frozen("This action is already closed.")
    if not action.response:
        raise Refused("The assessor has not answered this action yet.")
    action.closed_at, action.closed_by = timezone.now(), iqa
    action.save(update_fields=["closed_at", "closed_by"])
    enrolment = action.sample.enrolment
    audit_enrolment_change(actor=iqa, verb="iqa.action_closed", target=action, enrolment=enrolment)
    return action
