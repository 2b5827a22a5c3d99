"""Assessment and its quality assurance: assessors' decisions and unit sign-off, the
learner's countersignature, and internal quality assurers' samples and actions.

Each change locks the enrolment it concerns, so that two assessors, two tabs or an IQA
and an assessor acting at once are applied one after the other, and the second sees
what the first did.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from assessment.access import require_assessor, require_role
from assessment.auditing import audit_enrolment_change
from assessment.models import CriterionDecision, Outcome, UnitSignOff
from assessment.selectors import recording_sheet, reopened_sign_offs, standing_sign_off, unmet_criteria
from centre.models import Role
from common.dates import long_datetime
from common.errors import AlreadyDone, Frozen, NotAllowed, Refused, Stale
from common.redaction import redactor_for
from learners.models import Enrolment
from learners.policies import ASSESS, enrolment_policy
from portfolio.models import EvidenceItem
from portfolio.services import return_evidence_item

ASSESSOR_DECLARATION = (
    "I confirm that I assessed this learner's evidence, that it is sufficient, valid, authentic "
    "and current, and that it meets every assessment criterion of this unit."
)
LEARNER_DECLARATION = (
    "I confirm that the evidence recorded here is my own work and that my assessor has "
    "discussed these assessment decisions with me."
)


class StaleDecision(Stale):
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


def _locked_enrolment(enrolment: Enrolment) -> Enrolment:
    # The enrolment's row and its learner's, not the unit's: every centre's assessors judge
    # against the same unit at once, and a lock on it would queue them all (and every row
    # written that refers to the unit) behind each other.
    return (
        Enrolment.objects.select_for_update(of=("self", "learner"))
        .select_related("learner", "unit")
        .get(pk=enrolment.pk)
    )


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
    require_assessor(assessor, enrolment)
    if criterion.outcome.page_id != enrolment.unit_id:
        raise Refused(f"{criterion.code} is not a criterion of {enrolment.unit.title}.")
    if standing_sign_off(enrolment=enrolment) is not None:
        raise Frozen("This unit is signed off, so its decisions are frozen; a centre admin can reopen it.")
    if judgement.outcome not in Outcome.values:
        raise Refused(f"Choose met or not yet met for {criterion.code}.")
    if judgement.outcome == Outcome.NOT_YET_MET and not judgement.feedback.strip():
        raise Refused(f"Say what the learner needs to do to meet {criterion.code}.")
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
    audit_enrolment_change(
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
    assessable = enrolment_policy.permitted_ids(assessor, ASSESS, [m.enrolment for m in every_mapping])
    mappings = [m for m in every_mapping if m.enrolment_id in assessable]
    # Told to the assessor: in the learner's words as staff see them.
    title = redactor_for(learner=item.learner_id).text(item.title)
    if item.status not in {
        EvidenceItem.Status.SUBMITTED,
        EvidenceItem.Status.ASSESSED,
        EvidenceItem.Status.RETURNED,
    }:
        raise Refused(f"“{title}” is not waiting for assessment.")
    if not mappings:
        raise NotAllowed("Only the learner's allocated assessor can assess this evidence.")
    if item.status == EvidenceItem.Status.RETURNED:
        # Most often this very form, sent twice: the first sending returned it.
        version = item.versions.select_related("returned_by").order_by("-number").first()
        raise AlreadyDone(
            f"“{title}” was already returned to the learner by {_name(version.returned_by)} on "
            f"{long_datetime(version.returned_at)}; nothing was changed.",
            done=item,
        )
    reassessing = item.status == EvidenceItem.Status.ASSESSED
    if reassessing:
        reopened = reopened_sign_offs(enrolments={m.enrolment_id for m in mappings})
        mappings = [m for m in mappings if m.enrolment_id in reopened]
        if not mappings:
            # Most often this very form, sent twice: the first sending assessed it, and
            # the unit has not been reopened since.
            decided = (
                CriterionDecision.objects.filter(evidence__item=item)
                .select_related("assessor")
                .order_by("-decided_at")
                .first()
            )
            raise AlreadyDone(
                f"“{title}” was already assessed by {_name(decided.assessor)} on "
                f"{long_datetime(decided.decided_at)}; nothing was changed. A centre admin can reopen "
                "its unit for it to be judged again.",
                done=item,
            )
        mappings = [m for m in mappings if getattr(judgements.get(m.criterion_id), "outcome", "")]
        if not mappings:
            raise Refused("Choose met or not yet met for at least one criterion to judge it again.")
    version = item.versions.order_by("-number").first()
    problems = [f"Decide {m.criterion.code}." for m in mappings if m.criterion_id not in judgements]
    if problems:
        raise Refused(*problems)
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


def _name(user) -> str:
    return (user.get_full_name() or user.email) if user else "an assessor no longer here"


def _tell_learner_of_feedback(*, learner, item: EvidenceItem) -> None:
    if not learner.email:
        return
    link = settings.WAYMARK_BASE_URL + reverse("portfolio:evidence", kwargs={"item_id": item.pk})
    send_mail(
        subject=f"Feedback on “{item.title}”",
        message=render_to_string(
            "assessment/email/feedback.txt",
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
    require_assessor(assessor, enrolment)
    if (signed := standing_sign_off(enrolment=enrolment)) is not None:
        raise AlreadyDone(
            f"{enrolment.unit.title} was already signed off by {signed.assessor_name} on "
            f"{long_datetime(signed.signed_at)}; nothing was changed.",
            done=signed,
        )
    unmet = unmet_criteria(enrolment=enrolment)
    problems = []
    if unmet:
        problems.append(f"Every criterion must be met before sign-off; not yet: {', '.join(unmet)}.")
    if not declared:
        problems.append("Confirm the assessor's declaration.")
    if problems:
        raise Refused(*problems)
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
    audit_enrolment_change(actor=assessor, verb="unit.signed_off", target=sign_off, enrolment=enrolment)
    return sign_off


@transaction.atomic
def countersign_unit(*, sign_off: UnitSignOff, learner_user, declared: bool) -> UnitSignOff:
    """The learner's countersignature of their signed-off unit, by name and time."""
    sign_off = (
        UnitSignOff.objects.select_for_update().select_related("enrolment__learner").get(pk=sign_off.pk)
    )
    learner = sign_off.enrolment.learner
    if learner.user_id != learner_user.pk:
        raise NotAllowed("Only the learner can countersign their unit.")
    if not sign_off.is_standing:
        raise Refused("This sign-off was reopened; there is nothing to countersign.")
    if sign_off.countersigned_at is not None:
        raise AlreadyDone(
            f"You already countersigned this unit on {long_datetime(sign_off.countersigned_at)}; "
            "nothing was changed.",
            done=sign_off,
        )
    if not declared:
        raise Refused("Confirm the learner's declaration.")
    sign_off.learner_name = f"{learner.first_name} {learner.last_name}"
    sign_off.learner_declaration = LEARNER_DECLARATION
    sign_off.countersigned_at = timezone.now()
    sign_off.save(update_fields=["learner_name", "learner_declaration", "countersigned_at"])
    audit_enrolment_change(
        actor=learner_user, verb="unit.countersigned", target=sign_off, enrolment=sign_off.enrolment
    )
    return sign_off


@transaction.atomic
def reopen_sign_off(*, sign_off: UnitSignOff, actor, reason: str) -> UnitSignOff:
    """Reopen a signed-off unit so that it can be assessed again: a centre admin's call,
    with the reason kept. The frozen recording sheet stays as it was."""
    sign_off = UnitSignOff.objects.select_for_update().select_related("enrolment").get(pk=sign_off.pk)
    require_role(actor, sign_off.centre, Role.CENTRE_ADMIN)
    if not sign_off.is_standing:
        raise Refused("This sign-off has already been reopened.")
    if not reason.strip():
        raise Refused("Say why the unit is being reopened.")
    sign_off.reopened_at = timezone.now()
    sign_off.reopened_by = actor
    sign_off.reopen_reason = reason.strip()
    sign_off.save(update_fields=["reopened_at", "reopened_by", "reopen_reason"])
    enrolment = sign_off.enrolment
    enrolment.status = Enrolment.Status.ACTIVE
    enrolment.save(update_fields=["status"])
    audit_enrolment_change(
        actor=actor,
        verb="unit.reopened",
        target=sign_off,
        enrolment=enrolment,
        details={"reason_given": True},
    )
    return sign_off
