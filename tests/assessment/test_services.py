import threading

import pytest
from django.core import mail
from django.db import connection

from assessment.models import CriterionDecision
from assessment.selectors import latest_decisions
from assessment.services import (
    Judgement,
    StaleDecision,
    assess_submission,
    countersign_unit,
    record_criterion_decision,
    reopen_sign_off,
    sign_off_unit,
)
from audit.models import AuditRecord
from centre.models import Role
from centre.services import set_offered_units
from common.errors import AlreadyDone, Frozen, NotAllowed, Refused
from common.scoping import centre_scope
from learners.models import Enrolment
from learners.services import allocate_assessor
from portfolio.models import EvidenceItem
from tests.factories import UserFactory, submitted_evidence
from tests.helpers import criteria_of, decide, meet_everything, member


@pytest.mark.usefixtures("in_centre_a")
class TestDecisions:
    def test_every_decision_is_kept_and_the_latest_stands(self, enrolment):
        decide(enrolment, "1.1", "not_yet_met", "Say more.")
        decide(enrolment, "1.1", "met", "Now clear.")
        (criterion,) = criteria_of(enrolment.unit, "1.1")
        history = list(CriterionDecision.objects.filter(enrolment=enrolment, criterion=criterion))
        assert [(d.sequence, d.outcome) for d in history] == [(1, "not_yet_met"), (2, "met")]
        assert latest_decisions(enrolments=[enrolment])[(enrolment.pk, criterion.pk)].feedback == "Now clear."
        assert (
            AuditRecord.objects.filter(verb="decision.recorded", learner_ref=enrolment.learner_id).count()
            == 2
        )

    def test_a_stale_form_is_refused_showing_the_current_decision(self, enrolment):
        decide(enrolment, "1.1", "met", "Good.", seen=0)
        with pytest.raises(
            StaleDecision,
            match=r"1.1 changed since you opened this page: it is now “Met”, decided by Tom Hughes",
        ):
            decide(enrolment, "1.1", "not_yet_met", "Overwrite?", seen=0)
        assert CriterionDecision.objects.filter(enrolment=enrolment).count() == 1

    def test_another_assessor_after_reallocation_gets_the_stale_refusal_too(self, enrolment, centre_a):
        page_seen_by_first = 0
        second = member(centre_a, Role.ASSESSOR)
        first = enrolment.assessor
        allocate_assessor(enrolment=enrolment, assessor=second)
        enrolment.refresh_from_db()
        decide(enrolment, "1.2", "met", seen=0)
        allocate_assessor(enrolment=enrolment, assessor=first)
        enrolment.refresh_from_db()
        with pytest.raises(StaleDecision):
            decide(enrolment, "1.2", "not_yet_met", "No", seen=page_seen_by_first)

    def test_only_the_allocated_assessor_decides(self, enrolment, centre_a):
        (criterion,) = criteria_of(enrolment.unit, "1.1")
        for person in [member(centre_a, Role.ASSESSOR), member(centre_a, Role.IQA), enrolment.learner.user]:
            with pytest.raises(NotAllowed):
                record_criterion_decision(
                    enrolment=enrolment,
                    assessor=person,
                    criterion=criterion,
                    judgement=Judgement("met", "", 0),
                )

    def test_not_yet_met_needs_feedback_and_the_criterion_must_be_the_units(self, enrolment, other_unit):
        with pytest.raises(Refused, match=r"Say what the learner needs to do to meet 1.1"):
            decide(enrolment, "1.1", "not_yet_met", "  ")
        (foreign,) = criteria_of(other_unit, "1.1")
        with pytest.raises(Refused, match=r"is not a criterion of"):
            record_criterion_decision(
                enrolment=enrolment,
                assessor=enrolment.assessor,
                criterion=foreign,
                judgement=Judgement("met", "", 0),
            )

    def test_assessing_a_submission_records_each_criterion_and_tells_the_learner(
        self, enrolment, django_capture_on_commit_callbacks
    ):
        item = submitted_evidence(enrolment, title="Benefits", codes=("1.1", "1.3"))
        one_one, one_three = criteria_of(enrolment.unit, "1.1", "1.3")
        with pytest.raises(Refused, match=r"Decide 1.3"):
            assess_submission(
                item=item, assessor=enrolment.assessor, judgements={one_one.pk: Judgement("met", "", 0)}
            )
        assert not CriterionDecision.objects.exists()

        with django_capture_on_commit_callbacks(execute=True):
            assess_submission(
                item=item,
                assessor=enrolment.assessor,
                judgements={
                    one_one.pk: Judgement("met", "Clear evaluation.", 0),
                    one_three.pk: Judgement("not_yet_met", "Explain the Data Protection Act.", 0),
                },
                return_reason="Please add the legal side for 1.3.",
            )
        item.refresh_from_db()
        assert item.status == EvidenceItem.Status.RETURNED
        decision = CriterionDecision.objects.get(criterion=one_three)
        assert [v.item_id for v in decision.evidence.all()] == [item.pk]
        assert mail.outbox[-1].to == [enrolment.learner.email]
        assert "returned “Benefits” to you with feedback" in mail.outbox[-1].body

    def test_accepting_a_submission_marks_it_assessed(self, enrolment):
        item = submitted_evidence(enrolment, codes=("2.1",))
        (criterion,) = criteria_of(enrolment.unit, "2.1")
        assess_submission(
            item=item, assessor=enrolment.assessor, judgements={criterion.pk: Judgement("met", "", 0)}
        )
        item.refresh_from_db()
        assert item.status == EvidenceItem.Status.ASSESSED
        # Sent again (a double click): the second finds the first's work done.
        with pytest.raises(AlreadyDone, match=r"“Account” was already assessed by Tom Hughes on .*; nothing"):
            assess_submission(
                item=item, assessor=enrolment.assessor, judgements={criterion.pk: Judgement("met", "", 1)}
            )


@pytest.mark.usefixtures("in_centre_a")
class TestSignOff:
    def test_sign_off_needs_every_criterion_met(self, enrolment):
        decide(enrolment, "1.1")
        with pytest.raises(Refused, match=r"Every criterion must be met before sign-off; not yet: 1.2, 1.3"):
            sign_off_unit(enrolment=enrolment, assessor=enrolment.assessor, declared=True)

    def test_sign_off_freezes_the_recording_sheet_and_the_decisions(self, enrolment):
        item = submitted_evidence(enrolment, title="My account", codes=("1.1",))
        (criterion,) = criteria_of(enrolment.unit, "1.1")
        assess_submission(
            item=item, assessor=enrolment.assessor, judgements={criterion.pk: Judgement("met", "", 0)}
        )
        meet_everything(enrolment)
        with pytest.raises(Refused, match=r"Confirm the assessor's declaration"):
            sign_off_unit(enrolment=enrolment, assessor=enrolment.assessor, declared=False)
        sign_off = sign_off_unit(enrolment=enrolment, assessor=enrolment.assessor, declared=True)

        sheet = sign_off.recording_sheet
        first = sheet["criteria"][0]
        assert first["code"] == "1.1" and first["outcome"] == "met" and first["assessor"] == "Tom Hughes"
        assert sheet["learner"]["name"] == "Ada Lovelace"
        enrolment.refresh_from_db()
        assert enrolment.status == Enrolment.Status.COMPLETED
        with pytest.raises(Frozen, match=r"signed off, so its decisions are frozen"):
            decide(enrolment, "1.1", "not_yet_met", "Changed my mind")

    def test_learner_countersigns_once(self, enrolment):
        meet_everything(enrolment)
        sign_off = sign_off_unit(enrolment=enrolment, assessor=enrolment.assessor, declared=True)
        with pytest.raises(NotAllowed):
            countersign_unit(sign_off=sign_off, learner_user=enrolment.assessor, declared=True)
        countersign_unit(sign_off=sign_off, learner_user=enrolment.learner.user, declared=True)
        sign_off.refresh_from_db()
        assert sign_off.learner_name == "Ada Lovelace" and sign_off.countersigned_at is not None
        with pytest.raises(Refused, match=r"already countersigned"):
            countersign_unit(sign_off=sign_off, learner_user=enrolment.learner.user, declared=True)

    def test_reopening_needs_a_centre_admin_and_a_reason(self, enrolment, centre_a):
        meet_everything(enrolment)
        sign_off = sign_off_unit(enrolment=enrolment, assessor=enrolment.assessor, declared=True)
        with pytest.raises(NotAllowed):
            reopen_sign_off(sign_off=sign_off, actor=enrolment.assessor, reason="Oops")
        admin = member(centre_a, Role.CENTRE_ADMIN)
        with pytest.raises(Refused, match=r"Say why"):
            reopen_sign_off(sign_off=sign_off, actor=admin, reason=" ")
        reopen_sign_off(sign_off=sign_off, actor=admin, reason="IQA found 2.1 thin")
        sign_off.refresh_from_db()
        assert sign_off.reopen_reason == "IQA found 2.1 thin" and sign_off.reopened_by == admin
        enrolment.refresh_from_db()
        assert enrolment.status == Enrolment.Status.ACTIVE
        decide(enrolment, "2.1", "not_yet_met", "More on this, please.")
        assert AuditRecord.objects.filter(verb="unit.reopened", learner_ref=enrolment.learner_id).exists()


# Serialized rollback: the flush after this test must not leave a database that later
# transactional tests (the browser journeys) cannot restore their data into.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_tabs_deciding_at_once_write_one_decision_and_refuse_the_other(enrolment, centre_a):
    """Real concurrent transactions, each on its own connection, both from a page that
    showed no decision: exactly one is written; the other is refused as stale."""
    with centre_scope(centre_a):
        (criterion,) = criteria_of(enrolment.unit, "1.1")
    start = threading.Barrier(2)
    results = []

    def tab(outcome):
        try:
            with centre_scope(centre_a):
                start.wait()
                record_criterion_decision(
                    enrolment=enrolment,
                    assessor=enrolment.assessor,
                    criterion=criterion,
                    judgement=Judgement(outcome, "Feedback", 0),
                )
            results.append("written")
        except StaleDecision as refusal:
            results.append(str(refusal))
        finally:
            connection.close()

    tabs = [threading.Thread(target=tab, args=(outcome,)) for outcome in ["met", "not_yet_met"]]
    for thread in tabs:
        thread.start()
    for thread in tabs:
        thread.join(timeout=30)
    assert sorted(results)[1] == "written"
    assert "changed since you opened this page" in sorted(results)[0]
    with centre_scope(centre_a):
        assert CriterionDecision.objects.filter(enrolment=enrolment).count() == 1


def test_nobody_outside_the_grant_signs_off(enrolment, centre_a):
    with centre_scope(centre_a):
        meet_everything(enrolment)
        with pytest.raises(NotAllowed):
            sign_off_unit(enrolment=enrolment, assessor=UserFactory(), declared=True)


def test_an_item_for_two_units_is_judged_by_each_units_assessor(centre_a, seed_unit, other_unit):
    from assessment.services import Judgement, assess_submission
    from learners.services import allocate_assessor
    from portfolio.models import EvidenceItem
    from portfolio.services import set_evidence_mappings, submit_evidence_item
    from tests.factories import EnrolmentFactory, EvidenceItemFactory
    from tests.helpers import criteria_of

    set_offered_units(centre=centre_a, urns=["R/600/9587", "T/600/0001"])
    with centre_scope(centre_a):
        tom, ria = member(centre_a, Role.ASSESSOR), member(centre_a, Role.ASSESSOR)
        first = EnrolmentFactory(learner__centre=centre_a, unit=seed_unit)
        second = EnrolmentFactory(learner=first.learner, unit=other_unit)
        allocate_assessor(enrolment=first, assessor=tom)
        allocate_assessor(enrolment=second, assessor=ria)
        item = EvidenceItemFactory(learner=first.learner)
        (own,), (theirs,) = criteria_of(seed_unit, "1.1"), criteria_of(other_unit, "1.1")
        set_evidence_mappings(item=item, actor=None, claims={own.pk: "Here", theirs.pk: "There"})
        submit_evidence_item(item=item, actor=None, declared=True)
        assess_submission(item=item, assessor=tom, judgements={own.pk: Judgement("met", "", 0)})
        item.refresh_from_db()
        assert item.status == EvidenceItem.Status.SUBMITTED  # still waiting for Ria
        assess_submission(item=item, assessor=ria, judgements={theirs.pk: Judgement("met", "", 0)})
        item.refresh_from_db()
        assert item.status == EvidenceItem.Status.ASSESSED
