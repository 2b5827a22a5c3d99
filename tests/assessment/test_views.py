import pytest
from django.core import mail
from django.urls import reverse

from assessment.models import CriterionDecision, UnitSignOff
from assessment.services import sign_off_unit
from centre.models import Role
from common.scoping import centre_scope, scopes_disabled
from iqa.models import IqaSample, SampleIsPermanent
from iqa.services import save_sampling_plan, start_samples
from moderation.services import sampleable_sign_offs
from portfolio.models import EvidenceItem
from tests.factories import UserFactory, submitted_evidence
from tests.factories.cohort import build_cohort, wide_unit
from tests.learners.conftest import criteria_of
from tests.moderation.conftest import decide, meet_everything, member


def scoped(centre, function, *args, **kwargs):
    with centre_scope(centre):
        return function(*args, **kwargs)


@pytest.fixture
def submission(enrolment, centre_a):
    return scoped(centre_a, submitted_evidence, enrolment, title="Networking benefits", codes=("1.1", "1.3"))


def judge_form(centre, enrolment, outcomes, seen=0, **extra):
    one_one, one_three = scoped(centre, criteria_of, enrolment.unit, "1.1", "1.3")
    data = {}
    for criterion, (outcome, feedback) in zip([one_one, one_three], outcomes, strict=True):
        data |= {
            f"outcome-{criterion.pk}": outcome,
            f"feedback-{criterion.pk}": feedback,
            f"seen-{criterion.pk}": seen,
        }
    return data | extra


def test_assessor_judges_returns_and_the_learner_sees_the_feedback_at_once(
    client, enrolment, submission, centre_a, django_capture_on_commit_callbacks
):
    client.force_login(enrolment.assessor)
    page = client.get(reverse("assessment:judge", kwargs={"item_id": submission.pk})).content.decode()
    assert "Networking benefits" in page and "It shows 1.1." in page
    data = judge_form(
        centre_a,
        enrolment,
        [("met", "Clear."), ("not_yet_met", "Explain how you keep contacts' data private.")],
        action="return",
        reason="Add the privacy part.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assessment:judge", kwargs={"item_id": submission.pk}), data)
    assert response.status_code == 302
    assert mail.outbox[-1].subject == "Feedback on “Networking benefits”"

    client.force_login(enrolment.learner.user)
    page = client.get(reverse("portfolio:evidence", kwargs={"item_id": submission.pk})).content.decode()
    assert "Returned to you for revision" in page and "Add the privacy part." in page
    assert "Your assessor’s decision: Not yet met" in page
    assert "Explain how you keep contacts&#x27; data private." in page
    home = client.get(reverse("assessment:learner_home")).content.decode()
    assert 'state--met">Met<' in home and 'state--not_yet_met">Not yet met<' in home


def test_a_stale_judgement_is_refused_with_the_current_decision(client, enrolment, submission, centre_a):
    client.force_login(enrolment.assessor)
    scoped(centre_a, decide, enrolment, "1.3", "met", "Decided in another tab.")
    data = judge_form(
        centre_a, enrolment, [("met", ""), ("not_yet_met", "Overwrite")], seen=0, action="accept"
    )
    response = client.post(reverse("assessment:judge", kwargs={"item_id": submission.pk}), data)
    page = response.content.decode()
    assert response.status_code == 409
    assert "1.1 changed since you opened this page" not in page
    assert "1.3 changed since you opened this page: it is now “Met”, decided by Tom Hughes" in page
    assert scoped(centre_a, lambda: CriterionDecision.objects.count()) == 1
    submission.refresh_from_db()
    assert submission.status == EvidenceItem.Status.SUBMITTED


def test_returning_needs_a_reason_and_keeps_what_was_typed(client, enrolment, submission, centre_a):
    client.force_login(enrolment.assessor)
    data = judge_form(
        centre_a, enrolment, [("met", "Typed feedback"), ("met", "")], action="return", reason=""
    )
    page = client.post(reverse("assessment:judge", kwargs={"item_id": submission.pk}), data).content.decode()
    assert "Say what the learner needs to change before you return it." in page
    assert "Typed feedback" in page


def test_only_the_allocated_assessor_opens_a_submission(client, enrolment, submission, centre_a):
    for person in [member(centre_a, Role.ASSESSOR), member(centre_a, Role.IQA), enrolment.learner.user]:
        client.force_login(person)
        assert client.get(reverse("assessment:judge", kwargs={"item_id": submission.pk})).status_code in {
            403,
            404,
        }


def test_caseload_shows_only_allocated_learners_oldest_submission_first(
    client, centre_a, seed_unit, django_assert_max_num_queries
):
    assessor, other = UserFactory(first_name="Tom"), UserFactory()
    with centre_scope(centre_a):
        from centre.services import set_offered_units

        set_offered_units(centre=centre_a, urns=["R/600/9587"])
        enrolments = build_cohort(
            centre=centre_a, unit=seed_unit, learners=500, assessors=[assessor], decided=False
        )
        build_cohort(centre=centre_a, unit=seed_unit, learners=5, assessors=[other], start=600)
        oldest = enrolments[-1]
        EvidenceItem.objects.filter(learner=oldest.learner).update(submitted_at="2020-01-01T09:00:00Z")
    client.force_login(assessor)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("assessment:caseload"))
    page = response.content.decode()
    assert page.count('<th scope="row"><a href="/assessment/enrolments/') == 500
    first_row = page.index('<th scope="row">')
    assert page.index(f"{oldest.learner.first_name} {oldest.learner.last_name}") - first_row < 200
    assert "1 submission, oldest 1 January 2020" in page
    signed = client.get(reverse("assessment:caseload"), {"state": "signed_off"}).content.decode()
    assert "No learners match." in signed


def test_sign_off_countersign_and_reopen_through_the_pages(client, enrolment, centre_a):
    scoped(centre_a, meet_everything, enrolment)
    client.force_login(enrolment.assessor)
    page = client.get(reverse("assessment:enrolment", kwargs={"enrolment_id": enrolment.pk})).content.decode()
    assert "Sign the unit off" in page
    refused = client.post(reverse("assessment:sign_off_unit", kwargs={"enrolment_id": enrolment.pk}))
    assert "Confirm the assessor&#x27;s declaration." in refused.content.decode()
    response = client.post(
        reverse("assessment:sign_off_unit", kwargs={"enrolment_id": enrolment.pk}),
        {"declared": "on"},
        follow=True,
    )
    assert "Unit recording sheet" in response.content.decode()
    sign_off = scoped(centre_a, lambda: UnitSignOff.objects.get())

    client.force_login(enrolment.learner.user)
    home = client.get(reverse("assessment:learner_home")).content.decode()
    assert "Check the recording sheet and countersign" in home
    client.post(reverse("assessment:countersign", kwargs={"sign_off_id": sign_off.pk}), {"declared": "on"})
    sign_off.refresh_from_db()
    assert sign_off.learner_name == "Ada Lovelace"

    client.force_login(enrolment.assessor)
    assert client.post(reverse("assessment:reopen", kwargs={"sign_off_id": sign_off.pk})).status_code == 403
    client.force_login(member(centre_a, Role.CENTRE_ADMIN))
    page = client.post(reverse("assessment:reopen", kwargs={"sign_off_id": sign_off.pk}), {"reason": ""})
    assert "Say why the unit is being reopened." in page.content.decode()
    client.post(reverse("assessment:reopen", kwargs={"sign_off_id": sign_off.pk}), {"reason": "IQA action"})
    sign_off.refresh_from_db()
    assert sign_off.reopened_at is not None


def test_unit_grid_shows_an_assessor_their_learners_and_an_iqa_everyone(
    client, centre_a, django_assert_max_num_queries
):
    with centre_scope(centre_a):
        from centre.services import set_offered_units

        unit = wide_unit()
        set_offered_units(centre=centre_a, urns=[unit.urn])
        tom, ria = UserFactory(), UserFactory()
        build_cohort(centre=centre_a, unit=unit, learners=350, assessors=[tom, ria])
    path = reverse("assessment:unit_grid", kwargs={"unit_id": unit.pk})
    client.force_login(member(centre_a, Role.IQA))
    with django_assert_max_num_queries(15):
        page = client.get(path).content.decode()
    assert "350 learners by criterion" in page
    assert page.count('<th scope="col"') == 22
    assert page.count("✓ Met") + page.count("✗ Not yet") == 350 * 20
    client.force_login(tom)
    assert "175 learners by criterion" in client.get(path).content.decode()


def test_iqa_plans_samples_disagrees_and_closes_the_answered_action(client, enrolment, centre_a):
    scoped(centre_a, meet_everything, enrolment)
    scoped(centre_a, sign_off_unit, enrolment=enrolment, assessor=enrolment.assessor, declared=True)
    iqa = member(centre_a, Role.IQA)
    client.force_login(iqa)
    plan_path = reverse("iqa:plan", kwargs={"unit_id": enrolment.unit_id})
    response = client.post(
        plan_path,
        {"standard_rate": "25", "higher_rate": "100", f"risk-{enrolment.assessor.pk}": "new"},
        follow=True,
    )
    page = response.content.decode()
    assert "Ada Lovelace — assessed by Tom Hughes, summative (new assessor)" in page
    client.post(
        reverse("iqa:start_sampling", kwargs={"unit_id": enrolment.unit_id}),
        {"pick": f"{enrolment.pk}:summative"},
    )
    sample = scoped(centre_a, lambda: IqaSample.objects.get())

    refused = client.post(reverse("iqa:sample", kwargs={"iqa_sample_id": sample.pk}), {"verdict": "disagree"})
    assert "Say what the assessor must do: at least one action." in refused.content.decode()
    client.post(
        reverse("iqa:sample", kwargs={"iqa_sample_id": sample.pk}),
        {"verdict": "disagree", "comments": "Thin on 2.1", "action": ["Add a witness statement for 2.1", ""]},
    )
    action = scoped(centre_a, lambda: sample.actions.get())
    assert enrolment.pk not in scoped(
        centre_a, lambda: sampleable_sign_offs(centre=centre_a, unit=enrolment.unit)
    )
    closed_early = client.post(reverse("iqa:close_action", kwargs={"action_id": action.pk}), follow=True)
    assert "The assessor has not answered this action yet." in closed_early.content.decode()

    client.force_login(enrolment.assessor)
    client.post(reverse("iqa:answer_action", kwargs={"action_id": action.pk}), {"response": "Witness added."})
    client.force_login(iqa)
    client.post(reverse("iqa:close_action", kwargs={"action_id": action.pk}))
    assert enrolment.pk in scoped(
        centre_a, lambda: sampleable_sign_offs(centre=centre_a, unit=enrolment.unit)
    )
    with centre_scope(centre_a), pytest.raises(SampleIsPermanent):
        IqaSample.objects.filter(pk=sample.pk).delete()


def test_suggested_sample_covers_every_assessor_at_their_rate(centre_a):
    with centre_scope(centre_a):
        from centre.services import set_offered_units
        from iqa.models import AssessorRisk
        from iqa.selectors import suggested_sample

        unit = wide_unit(outcomes=1, criteria_each=2)
        set_offered_units(centre=centre_a, urns=[unit.urn])
        steady, new = UserFactory(), UserFactory()
        build_cohort(centre=centre_a, unit=unit, learners=40, assessors=[steady, new])
        iqa = member(centre_a, Role.IQA)
        plan = save_sampling_plan(
            centre=centre_a,
            unit=unit,
            actor=iqa,
            standard_rate=10,
            higher_rate=50,
            methods=[],
            risks={new.pk: AssessorRisk.Level.NEW},
        )
        picks = suggested_sample(plan=plan)
        per_assessor = {a.pk: sum(1 for p in picks if p.enrolment.assessor_id == a.pk) for a in [steady, new]}
        assert per_assessor == {steady.pk: 2, new.pk: 10}
        assert {p.stage for p in picks} == {"interim"}
        start_samples(plan=plan, iqa=iqa, picks=[(p.enrolment.pk, p.stage) for p in picks[:3]])
        assert len(suggested_sample(plan=plan)) == len(picks) - 3


def test_audit_trail_filters_by_learner_assessor_and_unit(
    client, enrolment, centre_a, django_assert_max_num_queries
):
    scoped(centre_a, decide, enrolment, "1.1")
    with scopes_disabled():
        from tests.factories import EnrolmentFactory, LearnerFactory

        other = EnrolmentFactory(
            learner=LearnerFactory(centre=centre_a, first_name="Bo"), unit=enrolment.unit
        )
    client.force_login(member(centre_a, Role.IQA))
    with django_assert_max_num_queries(15):
        page = client.get(reverse("centre:audit_trail"), {"learner": enrolment.learner_id}).content.decode()
    assert "Assessment decision recorded" in page and "Tom Hughes" in page and "Ada Lovelace" in page
    page = client.get(reverse("centre:audit_trail"), {"learner": other.learner_id}).content.decode()
    assert "Assessment decision recorded" not in page
    page = client.get(
        reverse("centre:audit_trail"), {"assessor": enrolment.assessor.pk, "unit": enrolment.unit_id}
    )
    assert "Assessment decision recorded" in page.content.decode()
    client.force_login(enrolment.assessor)
    assert client.get(reverse("centre:audit_trail")).status_code == 403


def test_sampling_plan_offers_a_signed_off_learner_the_rate_did_not_pick(client, centre_a, seed_unit):
    """Two learners of one assessor signed off, 25 %: the suggestion is one of them; once
    that one is sampled, the other's sign-off is still unsampled and the page must say so
    and let the IQA sample it, not claim there is none."""
    from centre.services import set_offered_units
    from iqa.selectors import suggested_sample
    from tests.factories.moderation import signed_off_learner

    set_offered_units(centre=centre_a, urns=[seed_unit.urn])
    with centre_scope(centre_a):
        assessor = member(centre_a, Role.ASSESSOR)
        enrolments = [
            signed_off_learner(centre=centre_a, unit=seed_unit, assessor=assessor, candidate_number=n)
            for n in ("0001", "0002")
        ]
        iqa = member(centre_a, Role.IQA)
        plan = save_sampling_plan(
            centre=centre_a, unit=seed_unit, actor=iqa, standard_rate=25, higher_rate=50, methods=[], risks={}
        )
        (pick,) = suggested_sample(plan=plan)
        start_samples(plan=plan, iqa=iqa, picks=[(pick.enrolment.pk, pick.stage)])
    (other,) = [e for e in enrolments if e.pk != pick.enrolment.pk]
    client.force_login(iqa)
    page = client.get(reverse("iqa:plan", kwargs={"unit_id": seed_unit.pk})).content.decode()
    assert "not already sampled" not in page
    assert f'value="{other.pk}:summative"' in page


def test_a_sign_off_made_again_after_reopening_is_suggested_for_sampling(centre_a, seed_unit):
    from assessment.services import reopen_sign_off
    from centre.services import set_offered_units
    from iqa.selectors import suggested_sample
    from tests.factories.moderation import signed_off_learner

    set_offered_units(centre=centre_a, urns=[seed_unit.urn])
    with centre_scope(centre_a):
        assessor = member(centre_a, Role.ASSESSOR)
        enrolment = signed_off_learner(
            centre=centre_a, unit=seed_unit, assessor=assessor, candidate_number="0001"
        )
        iqa = member(centre_a, Role.IQA)
        plan = save_sampling_plan(
            centre=centre_a, unit=seed_unit, actor=iqa, standard_rate=25, higher_rate=50, methods=[], risks={}
        )
        start_samples(plan=plan, iqa=iqa, picks=[(enrolment.pk, "summative")])
        assert suggested_sample(plan=plan) == []
        reopen_sign_off(
            sign_off=UnitSignOff.objects.get(enrolment=enrolment),
            actor=member(centre_a, Role.CENTRE_ADMIN),
            reason="Evidence to check again.",
        )
        sign_off_unit(enrolment=enrolment, assessor=assessor, declared=True)
        picks = [(p.enrolment.pk, p.stage) for p in suggested_sample(plan=plan)]
        assert picks == [(enrolment.pk, "summative")]


def test_the_return_reason_comes_before_both_decision_buttons(client, enrolment, submission):
    client.force_login(enrolment.assessor)
    page = client.get(reverse("assessment:judge", kwargs={"item_id": submission.pk})).content.decode()
    reason = page.index('id="reason"')
    assert reason < page.index('value="accept"') and reason < page.index('value="return"')
