"""A signed-off unit reopened by a centre admin: it can be judged again, on the evidence
already judged, and every page that shows the unit says it was reopened, by whom and why."""

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment.models import CriterionDecision
from assessment.selectors import latest_decisions
from assessment.services import Judgement, assess_submission, reopen_sign_off
from centre.models import Role
from common.errors import Refused
from common.scoping import centre_scope
from portfolio.models import EvidenceItem
from tests.factories import submitted_evidence
from tests.helpers import all_codes, countersigned, criteria_of, judged_met, member, sampled_by_iqa

# The banners name the day the unit was reopened.
pytestmark = pytest.mark.usefixtures("frozen_clock")

REASON = "The IQA found 1.1 thin."


@pytest.fixture
def signed_off(enrolment, centre_a):
    """``enrolment`` with one item meeting every criterion, assessed, signed off and
    countersigned; then its sign-off reopened by Cara Admin."""
    with centre_scope(centre_a):
        item = submitted_evidence(enrolment, title="Whole unit", codes=all_codes(enrolment.unit))
        criteria = criteria_of(enrolment.unit, *all_codes(enrolment.unit))
        judged_met(item, assessor=enrolment.assessor, criteria=criteria)
        sign_off = countersigned(enrolment, assessor=enrolment.assessor)
        admin = member(centre_a, Role.CENTRE_ADMIN, user__first_name="Cara", user__last_name="Admin")
    item.refresh_from_db()
    return {"item": item, "sign_off": sign_off, "admin": admin}


def reopen(signed_off, centre):
    with centre_scope(centre):
        reopen_sign_off(sign_off=signed_off["sign_off"], actor=signed_off["admin"], reason=REASON)


def banner():
    return f"Reopened on {timezone.localdate().strftime('%-d %B %Y')} by Cara Admin: {REASON}"


def test_a_reopened_unit_takes_a_new_decision_on_evidence_already_met(enrolment, signed_off, centre_a):
    item = signed_off["item"]
    assert item.status == EvidenceItem.Status.ASSESSED
    with centre_scope(centre_a):
        (one_one,) = criteria_of(enrolment.unit, "1.1")
        with pytest.raises(Refused, match="reopen its unit"):
            assess_submission(
                item=item,
                assessor=enrolment.assessor,
                judgements={one_one.pk: Judgement("not_yet_met", "Too thin.", 1)},
            )
    reopen(signed_off, centre_a)
    with centre_scope(centre_a):
        assess_submission(
            item=item,
            assessor=enrolment.assessor,
            judgements={one_one.pk: Judgement("not_yet_met", "Say who benefits and how.", 1)},
        )
        standing = latest_decisions(enrolments=[enrolment])
        decision = standing[(enrolment.pk, one_one.pk)]
        assert decision.outcome == "not_yet_met" and decision.sequence == 2
        assert [v.item_id for v in decision.evidence.all()] == [item.pk]
        # The other criteria were left as they stood.
        assert sum(d.outcome == "met" for d in standing.values()) == len(all_codes(enrolment.unit)) - 1
        assert CriterionDecision.objects.count() == len(all_codes(enrolment.unit)) + 1


def test_the_judging_page_offers_a_decision_on_judged_evidence_once_reopened(
    client, enrolment, signed_off, centre_a
):
    item = signed_off["item"]
    url = reverse("assessment:judge", kwargs={"item_id": item.pk})
    with centre_scope(centre_a):
        one_one, one_two = criteria_of(enrolment.unit, "1.1", "1.2")
    client.force_login(enrolment.assessor)
    assert f'name="outcome-{one_one.pk}"' not in client.get(url).content.decode()
    reopen(signed_off, centre_a)
    page = client.get(url).content.decode()
    assert f'name="outcome-{one_one.pk}"' in page and f'name="outcome-{one_two.pk}"' in page
    assert banner() in page
    response = client.post(
        url,
        {
            f"outcome-{one_one.pk}": "not_yet_met",
            f"feedback-{one_one.pk}": "Explain the benefits to the organisation.",
            f"seen-{one_one.pk}": "1",
            f"seen-{one_two.pk}": "1",
            "action": "return",
            "reason": "Add the organisation's side.",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == EvidenceItem.Status.RETURNED
    with centre_scope(centre_a):
        standing = latest_decisions(enrolments=[enrolment])
        assert standing[(enrolment.pk, one_one.pk)].outcome == "not_yet_met"
        assert standing[(enrolment.pk, one_two.pk)].sequence == 1
        assert item.versions.get().return_reason == "Add the organisation's side."


def test_everyone_sees_that_the_unit_was_reopened(client, enrolment, signed_off, centre_a):
    with centre_scope(centre_a):
        iqa = member(centre_a, Role.IQA)
        iqa_sample = sampled_by_iqa(enrolment, iqa=iqa)
    reopen(signed_off, centre_a)
    pages = {
        enrolment.assessor: [
            reverse("assessment:enrolment", kwargs={"enrolment_id": enrolment.pk}),
            reverse("assessment:judge", kwargs={"item_id": signed_off["item"].pk}),
        ],
        enrolment.learner.user: [reverse("assessment:learner_home")],
        iqa: [
            reverse("iqa:sample", kwargs={"iqa_sample_id": iqa_sample.pk}),
            reverse("assessment:enrolment", kwargs={"enrolment_id": enrolment.pk}),
            reverse("assessment:sign_off", kwargs={"sign_off_id": signed_off["sign_off"].pk}),
        ],
    }
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            page = client.get(url).content.decode().replace("&#x27;", "'")
            assert banner() in page, url
    client.force_login(iqa)
    grid = client.get(reverse("assessment:unit_grid", kwargs={"unit_id": enrolment.unit_id})).content.decode()
    assert "reopened on" in grid and "by Cara Admin" in grid
