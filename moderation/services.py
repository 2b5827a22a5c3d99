"""Assessment and its quality assurance: assessors' decisions and unit sign-off, the
learner's countersignature, and internal quality assurers' samples and actions.

Each change locks the enrolment it concerns, so that two assessors, two tabs or an IQA
and an assessor acting at once are applied one after the other, and the second sees
what the first did.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from audit.services import record_audit
from centre.models import Membership, Role
from config.dates import long_datetime
from learners.evidence_services import return_evidence_item
from learners.models import Enrolment, EvidenceItem
from learners.permissions import can_assess_enrolment
from learners.pseudonyms import redactor_for

from .models import (
    AssessorRisk,
    CriterionDecision,
    IqaAction,
    IqaSample,
    Outcome,
    SamplingPlan,
    Stage,
    UnitSignOff,
)
from .selectors import latest_decisions, recording_sheet, reopened_sign_offs, standing_sign_off

ASSESSOR_DECLARATION = (
    "I confirm that I assessed this learner's evidence, that it is sufficient, valid, authentic "
    "and current, and that it meets every assessment criterion of this unit."
)
LEARNER_DECLARATION = (
    "I confirm that the evidence recorded here is my own work and that my assessor has "
    "discussed these assessment decisions with me."
)


class StaleDecision(Exception):
    """A decision made from a page that showed an earlier state than the current one."""

    def __init__(self, criterion_code: str, current: CriterionDecision | None):
        self.current = current
        if current is None:
            now = "has no decision now"
        else:
            when = long_datetime(current.decided_at)
            by = current.assessor.get_full_name() if current.assessor else "an assessor"
            now = f"is now “{current.get_outcome_display()}”, decided by {by} on {when}"
        super().__init__(
            f"{criterion_code} changed since you opened this page: it {now}. "
            "Nothing was saved; check the current decision and decide again."
        )


@dataclass(frozen=True)
class Judgement:
    """An assessor's call on one criterion, as made on a page that showed decision
    number ``seen_sequence`` (0 for none)."""

    outcome: str
    feedback: str
    seen_sequence: int


def _audit(*, actor, verb: str, target, enrolment: Enrolment, details: dict | None = None) -> None:
    """Audit a change to one learner's assessment on one unit, filed under both."""
    record_audit(
        actor=actor,
        verb=verb,
        target=target,
        centre=enrolment.centre,
        learner=enrolment.learner_id,
        unit=enrolment.unit_id,
        details=details,
    )


def _locked_enrolment(enrolment: Enrolment) -> Enrolment:
    return Enrolment.objects.select_for_update().select_related("learner", "unit").get(pk=enrolment.pk)


def _require_assessor(user, enrolment: Enrolment) -> None:
    if not can_assess_enrolment(user, enrolment):
        raise PermissionDenied("Only the learner's allocated assessor can assess this unit.")


def require_role(user, centre, role: str) -> None:
    if not Membership.objects.filter(centre=centre, user=user, role=role, is_active=True).exists():
        raise PermissionDenied(f"Only a {Role(role).label.lower()} of {centre.name} can do this.")


@transaction.atomic
def record_criterion_decision(
    *,
    enrolment: Enrolment,
    assessor,
    criterion,
    judgement: Judgement,
    evidence_versions: Iterable = (),
) -> CriterionDecision:
    """Record the assessor's decision on one criterion, refusing one made from a page
    that showed an older decision than the one now standing."""
    enrolment = _locked_enrolment(enrolment)
    _require_assessor(assessor, enrolment)
    if criterion.outcome.page_id != enrolment.unit_id:
        raise ValidationError(f"{criterion.code} is not a criterion of {enrolment.unit.title}.")
    if standing_sign_off(enrolment=enrolment) is not None:
        raise ValidationError(
            "This unit is signed off, so its decisions are frozen; a centre admin can reopen it."
        )
    if judgement.outcome not in Outcome.values:
        raise ValidationError(f"Choose met or not yet met for {criterion.code}.")
    if judgement.outcome == Outcome.NOT_YET_MET and not judgement.feedback.strip():
        raise ValidationError(f"Say what the learner needs to do to meet {criterion.code}.")
    current = (
        CriterionDecision.objects.filter(enrolment=enrolment, criterion=criterion)
        .select_related("assessor")
        .order_by("-sequence")
        .first()
    )
    if (current.sequence if current else 0) != judgement.seen_sequence:
        raise StaleDecision(criterion.code, current)
    try:
        with transaction.atomic():
            decision = CriterionDecision.objects.create(
                centre=enrolment.centre,
                enrolment=enrolment,
                criterion=criterion,
                sequence=judgement.seen_sequence + 1,
                outcome=judgement.outcome,
                feedback=judgement.feedback.strip(),
                assessor=assessor,
                decided_at=timezone.now(),
            )
    except IntegrityError:
        # Another transaction wrote this sequence first: the page was stale after all.
        raise StaleDecision(criterion.code, current) from None
    decision.evidence.set(evidence_versions)
    _audit(
        actor=assessor,
        verb="decision.recorded",
        target=decision,
        enrolment=enrolment,
        details={"criterion": criterion.pk, "outcome": decision.outcome, "sequence": decision.sequence},
    )
    return decision


@transaction.atomic
def assess_submission(
    *, item: EvidenceItem, assessor, judgements: Mapping[int, Judgement], return_reason: str = ""
) -> list[CriterionDecision]:
    """Judge every criterion a submitted item is mapped to, then accept the item or (with
    a reason) return it to the learner to revise. All of it, or nothing.

    An item already assessed can be judged again on a unit that was reopened: then any of
    its criteria on that unit may get a new decision (a blank outcome keeps the one
    standing), made on the version already judged."""
    item = EvidenceItem.objects.select_for_update().get(pk=item.pk)
    every_mapping = list(item.mappings.select_related("criterion__outcome", "enrolment"))
    # An item can serve units with different assessors: each judges their own criteria.
    mappings = [m for m in every_mapping if can_assess_enrolment(assessor, m.enrolment)]
    if item.status not in {EvidenceItem.Status.SUBMITTED, EvidenceItem.Status.ASSESSED}:
        # Told to the assessor: in the learner's words as staff see them.
        title = redactor_for(learner=item.learner_id).text(item.title)
        raise ValidationError(f"“{title}” is not waiting for assessment.")
    if not mappings:
        raise PermissionDenied("Only the learner's allocated assessor can assess this evidence.")
    reassessing = item.status == EvidenceItem.Status.ASSESSED
    if reassessing:
        reopened = reopened_sign_offs(enrolments={m.enrolment_id for m in mappings})
        mappings = [m for m in mappings if m.enrolment_id in reopened]
        if not mappings:
            title = redactor_for(learner=item.learner_id).text(item.title)
            raise ValidationError(
                f"“{title}” is not waiting for assessment: it is assessed, and a centre admin "
                "can reopen its unit for it to be judged again."
            )
        mappings = [m for m in mappings if getattr(judgements.get(m.criterion_id), "outcome", "")]
        if not mappings:
            raise ValidationError("Choose met or not yet met for at least one criterion to judge it again.")
    version = item.versions.order_by("-number").first()
    problems = [f"Decide {m.criterion.code}." for m in mappings if m.criterion_id not in judgements]
    if problems:
        raise ValidationError(problems)
    decisions = [
        record_criterion_decision(
            enrolment=mapping.enrolment,
            assessor=assessor,
            criterion=mapping.criterion,
            judgement=judgements[mapping.criterion_id],
            evidence_versions=[version],
        )
        for mapping in mappings
    ]
    if return_reason.strip():
        item = return_evidence_item(item=item, actor=assessor, reason=return_reason, reassessing=reassessing)
    elif not reassessing and all(
        CriterionDecision.objects.filter(
            enrolment=m.enrolment, criterion=m.criterion, evidence=version
        ).exists()
        for m in every_mapping
    ):
        item.status = EvidenceItem.Status.ASSESSED
        item.save(update_fields=["status", "updated_at"])
    learner = item.learner
    transaction.on_commit(lambda: _tell_learner_of_feedback(learner=learner, item=item))
    return decisions


def _tell_learner_of_feedback(*, learner, item: EvidenceItem) -> None:
    if not learner.email:
        return
    link = settings.WAYMARK_BASE_URL + reverse("portfolio:evidence", kwargs={"item_id": item.pk})
    send_mail(
        subject=f"Feedback on “{item.title}”",
        message=render_to_string(
            "moderation/email/feedback.txt",
            {"learner": learner, "item": item, "link": link, "returned": item.status == item.Status.RETURNED},
        ),
        from_email=None,
        recipient_list=[learner.email],
    )


@transaction.atomic
def sign_off_unit(*, enrolment: Enrolment, assessor, declared: bool) -> UnitSignOff:
    """Sign the unit off for the learner once every criterion is met, freezing the unit
    recording sheet as it stands."""
    enrolment = _locked_enrolment(enrolment)
    _require_assessor(assessor, enrolment)
    if standing_sign_off(enrolment=enrolment) is not None:
        raise ValidationError("This unit is already signed off.")
    decisions = latest_decisions(enrolments=[enrolment])
    unmet = [
        criterion.code
        for outcome in enrolment.unit.learning_outcomes.all()
        for criterion in outcome.criteria.all()
        if getattr(decisions.get((enrolment.pk, criterion.pk)), "outcome", None) != Outcome.MET
    ]
    problems = []
    if unmet:
        problems.append(f"Every criterion must be met before sign-off; not yet: {', '.join(unmet)}.")
    if not declared:
        problems.append("Confirm the assessor's declaration.")
    if problems:
        raise ValidationError(problems)
    sign_off = UnitSignOff.objects.create(
        centre=enrolment.centre,
        enrolment=enrolment,
        assessor=assessor,
        assessor_name=assessor.get_full_name() or assessor.email,
        assessor_declaration=ASSESSOR_DECLARATION,
        signed_at=timezone.now(),
        recording_sheet=recording_sheet(enrolment=enrolment),
    )
    enrolment.status = Enrolment.Status.COMPLETED
    enrolment.save(update_fields=["status"])
    _audit(actor=assessor, verb="unit.signed_off", target=sign_off, enrolment=enrolment)
    return sign_off


@transaction.atomic
def countersign_unit(*, sign_off: UnitSignOff, learner_user, declared: bool) -> UnitSignOff:
    """The learner's countersignature of their signed-off unit, by name and time."""
    sign_off = (
        UnitSignOff.objects.select_for_update().select_related("enrolment__learner").get(pk=sign_off.pk)
    )
    learner = sign_off.enrolment.learner
    if learner.user_id != learner_user.pk:
        raise PermissionDenied("Only the learner can countersign their unit.")
    if not sign_off.is_standing:
        raise ValidationError("This sign-off was reopened; there is nothing to countersign.")
    if sign_off.countersigned_at is not None:
        raise ValidationError("You have already countersigned this unit.")
    if not declared:
        raise ValidationError("Confirm the learner's declaration.")
    sign_off.learner_name = f"{learner.first_name} {learner.last_name}"
    sign_off.learner_declaration = LEARNER_DECLARATION
    sign_off.countersigned_at = timezone.now()
    sign_off.save(update_fields=["learner_name", "learner_declaration", "countersigned_at"])
    _audit(actor=learner_user, verb="unit.countersigned", target=sign_off, enrolment=sign_off.enrolment)
    return sign_off


@transaction.atomic
def reopen_sign_off(*, sign_off: UnitSignOff, actor, reason: str) -> UnitSignOff:
    """Reopen a signed-off unit so that it can be assessed again: a centre admin's call,
    with the reason kept. The frozen recording sheet stays as it was."""
    sign_off = UnitSignOff.objects.select_for_update().select_related("enrolment").get(pk=sign_off.pk)
    require_role(actor, sign_off.centre, Role.CENTRE_ADMIN)
    if not sign_off.is_standing:
        raise ValidationError("This sign-off has already been reopened.")
    if not reason.strip():
        raise ValidationError("Say why the unit is being reopened.")
    sign_off.reopened_at = timezone.now()
    sign_off.reopened_by = actor
    sign_off.reopen_reason = reason.strip()
    sign_off.save(update_fields=["reopened_at", "reopened_by", "reopen_reason"])
    enrolment = sign_off.enrolment
    enrolment.status = Enrolment.Status.ACTIVE
    enrolment.save(update_fields=["status"])
    _audit(
        actor=actor,
        verb="unit.reopened",
        target=sign_off,
        enrolment=enrolment,
        details={"reason_given": True},
    )
    return sign_off


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
        raise ValidationError(
            "Rates are per cent: the standard rate above 0, the higher rate at least as high."
        )
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
            raise ValidationError("Choose learners on this unit, at the interim or summative stage.")
        if (enrolment_id, stage) in unfinished:
            continue
        sign_off = standing_sign_off(enrolment=enrolment) if stage == Stage.SUMMATIVE else None
        if stage == Stage.SUMMATIVE and sign_off is None:
            raise ValidationError(
                f"{enrolment.learner} is not signed off, so only an interim sample can be taken."
            )
        sample = IqaSample.objects.create(
            centre=plan.centre,
            plan=plan,
            enrolment=enrolment,
            stage=stage,
            sign_off=sign_off,
            iqa=iqa,
            started_at=timezone.now(),
        )
        _audit(
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
        raise ValidationError("This sample's verdict has already been recorded.")
    if verdict not in IqaSample.Verdict.values:
        raise ValidationError("Choose whether you agree with the assessment.")
    if verdict == IqaSample.Verdict.DISAGREE and not actions:
        raise ValidationError("Say what the assessor must do: at least one action.")
    if verdict == IqaSample.Verdict.AGREE and actions:
        raise ValidationError("Actions go with disagreement; to require actions, choose disagree.")
    sample.verdict, sample.comments, sample.recorded_at = verdict, comments.strip(), timezone.now()
    sample.save(update_fields=["verdict", "comments", "recorded_at"])
    IqaAction.objects.bulk_create(
        IqaAction(centre=sample.centre, sample=sample, required=action) for action in actions
    )
    enrolment = sample.enrolment
    _audit(
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
    _require_assessor(assessor, enrolment)
    if not action.is_open:
        raise ValidationError("This action is closed.")
    if not response.strip():
        raise ValidationError("Say what you did about this action.")
    action.response, action.responded_at = response.strip(), timezone.now()
    action.save(update_fields=["response", "responded_at"])
    _audit(actor=assessor, verb="iqa.action_answered", target=action, enrolment=enrolment)
    return action


@transaction.atomic
def close_action(*, action: IqaAction, iqa) -> IqaAction:
    action = IqaAction.objects.select_for_update().select_related("sample__enrolment").get(pk=action.pk)
    require_role(iqa, action.centre, Role.IQA)
    if not action.is_open:
        raise ValidationError("This action is already closed.")
    if not action.response:
        raise ValidationError("The assessor has not answered this action yet.")
    action.closed_at, action.closed_by = timezone.now(), iqa
    action.save(update_fields=["closed_at", "closed_by"])
    enrolment = action.sample.enrolment
    _audit(actor=iqa, verb="iqa.action_closed", target=action, enrolment=enrolment)
    return action
