import re

import pytest
from django.core import mail
from django.urls import reverse

from assessment.models import CriterionDecision, UnitSignOff
from centre.models import Role
from common.scoping import centre_scope
from portfolio.models import EvidenceItem
from tests.factories import UserFactory, submitted_evidence
from tests.factories.cohort import build_cohort, wide_unit
from tests.helpers import all_codes, criteria_of, decide, meet_everything, member, scoped


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
    client.get(reverse("centre:home"))  # the session's first request keeps their roles in it
    with django_assert_max_num_queries(8):  # whatever the caseload's size: 500 here
        response = client.get(reverse("assessment:caseload"))
    page = response.content.decode()
    assert page.count('<th scope="row"><a href="/assessment/enrolments/') == 50
    assert "(500 in all)" in page and "Page 1 of 10" in page
    first_row = page.index('<th scope="row">')
    assert page.index(f"{oldest.learner.first_name} {oldest.learner.last_name}") - first_row < 200
    assert "1 submission, oldest 1 January 2020" in page
    assert '<a href="?page=2">Next page</a>' in page
    shown = set()
    for number in range(1, 11):
        rows = client.get(reverse("assessment:caseload"), {"page": number}).content.decode()
        shown |= set(re.findall(r'<th scope="row"><a href="/assessment/enrolments/(\d+)/', rows))
    assert shown == {str(e.pk) for e in enrolments}  # every one of them, once
    with django_assert_max_num_queries(8):
        waiting = client.get(reverse("assessment:caseload"), {"state": "waiting", "page": 2}).content.decode()
    assert '<a href="?state=waiting&amp;page=1">Previous page</a>' in waiting
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
    assert "Learners 1 to 100 of 350 by criterion" in page and "Page 1 of 4" in page
    assert page.count('<th scope="col"') == 22
    assert page.count("✓ Met") + page.count("✗ Not yet") == 100 * 20
    last = client.get(path, {"page": 4}).content.decode()
    assert "Learners 301 to 350 of 350 by criterion" in last and "Previous page" in last
    assert last.count("✓ Met") + last.count("✗ Not yet") == 50 * 20
    # A page past the end, or not a number, is the nearest page there is.
    assert "Learners 301 to 350" in client.get(path, {"page": 9}).content.decode()
    assert "Learners 1 to 100" in client.get(path, {"page": "last-ish"}).content.decode()
    client.force_login(tom)
    assert "Learners 1 to 100 of 175 by criterion" in client.get(path).content.decode()


def test_the_return_reason_comes_before_both_decision_buttons(client, enrolment, submission):
    client.force_login(enrolment.assessor)
    page = client.get(reverse("assessment:judge", kwargs={"item_id": submission.pk})).content.decode()
    reason = page.index('id="reason"')
    assert reason < page.index('value="accept"') and reason < page.index('value="return"')


def test_the_caseload_counts_the_criteria_met_by_their_standing_decisions(client, enrolment, centre_a):
    """A criterion met and then found not yet met is not met; one not yet met and then
    met is; the unit's other criteria, undecided, are not."""
    with centre_scope(centre_a):
        from centre.services import set_offered_units

        set_offered_units(centre=centre_a, urns=[enrolment.unit.urn])
        decide(enrolment, "1.1", "met")
        decide(enrolment, "1.1", "not_yet_met", feedback="Not this time.")
        decide(enrolment, "1.2", "not_yet_met", feedback="Not yet.")
        decide(enrolment, "1.2", "met")
        total = len(all_codes(enrolment.unit))
    client.force_login(enrolment.assessor)
    page = client.get(reverse("assessment:caseload")).content.decode()
    assert f"<td>1 of {total}</td>" in page
