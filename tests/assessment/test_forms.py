"""The forms of assessment's pages: what a person meets when what they send is wrong or
out of date, and the one rule of when a unit can be signed off."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from assessment.caseload import caseload_enrolments
from assessment.filters import CaseloadFilter
from assessment.forms import INCOMPLETE_PAGE, DeclarationForm, JudgeForm, problems_of
from assessment.selectors import unmet_criteria
from assessment.services import Judgement, record_criterion_decision, sign_off_unit
from centre.models import Role
from centre.selectors import units_offered
from centre.services import set_offered_units
from common.errors import Refused
from common.forms import run_form
from common.scoping import centre_scope, scopes_disabled
from learners.services import allocate_assessor
from tests.factories import EnrolmentFactory, LearnerFactory, MembershipFactory, submitted_evidence
from units.models import AssessmentCriterion


@pytest.fixture
def enrolment(centre_a, seed_unit):
    set_offered_units(centre=centre_a, urns=[seed_unit.urn])
    with scopes_disabled():
        user = MembershipFactory(centre=centre_a, role=Role.LEARNER).user
        assessor = MembershipFactory(centre=centre_a, role=Role.ASSESSOR).user
        learner = LearnerFactory(centre=centre_a, user=user, first_name="Ada", last_name="Lovelace")
        enrolment = EnrolmentFactory(learner=learner, unit=seed_unit)
    with centre_scope(centre_a):
        allocate_assessor(enrolment=enrolment, assessor=assessor)
    return enrolment


def meet(enrolment, codes=None):
    criteria = AssessmentCriterion.objects.filter(outcome__page=enrolment.unit)
    for criterion in criteria:
        if codes is None or criterion.code in codes:
            record_criterion_decision(
                enrolment=enrolment,
                assessor=enrolment.assessor,
                criterion=criterion,
                judgement=Judgement("met", "", 0),
            )


def test_the_judging_form_parses_each_criterion_and_refuses_an_incomplete_page():
    criteria = [SimpleNamespace(pk=7, code="1.1"), SimpleNamespace(pk=8, code="1.2")]
    form = JudgeForm(
        {"outcome-7": "met", "feedback-7": " Clear. ", "seen-7": "2", "outcome-8": "", "seen-8": "0"},
        criteria=criteria,
    )
    assert form.is_valid()
    assert form.judgements() == {7: Judgement("met", " Clear. ", 2), 8: Judgement("", "", 0)}
    assert form.return_reason() == ""
    for seen in ("", "abc", "-1"):
        form = JudgeForm({"outcome-7": "met", "seen-7": seen}, criteria=criteria[:1])
        assert problems_of(form) == [INCOMPLETE_PAGE]
    # Unchosen (a reopened unit's criterion that keeps its decision), it needs no number.
    assert JudgeForm({"outcome-7": "met", "seen-7": "1"}, criteria=criteria).is_valid()


def test_returning_without_a_reason_is_refused_by_the_form():
    form = JudgeForm({"action": "return", "reason": "  "}, criteria=[])
    assert problems_of(form) == ["Say what the learner needs to change before you return it."]
    form = JudgeForm({"action": "return", "reason": "Add 1.1."}, criteria=[])
    assert form.is_valid() and form.returning and form.return_reason() == "Add 1.1."


def test_a_tampered_judging_page_is_refused_and_nothing_is_saved(client, enrolment, centre_a):
    with centre_scope(centre_a):
        item = submitted_evidence(enrolment, codes=("1.1",))
        (criterion,) = AssessmentCriterion.objects.filter(outcome__page=enrolment.unit, code="1.1")
    client.force_login(enrolment.assessor)
    response = client.post(
        reverse("assessment:judge", kwargs={"item_id": item.pk}),
        {f"outcome-{criterion.pk}": "met", f"seen-{criterion.pk}": "not a number", "action": "accept"},
    )
    assert response.status_code == 400
    assert INCOMPLETE_PAGE in response.content.decode()
    with centre_scope(centre_a):
        assert not enrolment.decisions.exists()


def test_sign_off_is_offered_and_allowed_by_one_rule(client, enrolment, centre_a):
    page = reverse("assessment:enrolment", kwargs={"enrolment_id": enrolment.pk})
    client.force_login(enrolment.assessor)
    with centre_scope(centre_a):
        codes = list(
            AssessmentCriterion.objects.filter(outcome__page=enrolment.unit)
            .order_by("outcome__sort_order", "sort_order")
            .values_list("code", flat=True)
        )
        meet(enrolment, codes[:1])
        assert unmet_criteria(enrolment=enrolment) == codes[1:]
        form = DeclarationForm({"declared": "on"})
        assert not run_form(
            form, lambda data: sign_off_unit(enrolment=enrolment, assessor=enrolment.assessor, **data)
        )
        assert isinstance(form.service_error, Refused)
        assert problems_of(form) == [
            f"Every criterion must be met before sign-off; not yet: {', '.join(codes[1:])}."
        ]
    assert "Sign the unit off" not in client.get(page).content.decode()
    with centre_scope(centre_a):
        meet(enrolment, codes[1:])
        assert unmet_criteria(enrolment=enrolment) == []
    assert "Sign the unit off" in client.get(page).content.decode()


def test_another_centres_or_a_missing_record_is_the_same_404(client, enrolment, centre_b, seed_unit):
    set_offered_units(centre=centre_b, urns=[seed_unit.urn])
    with scopes_disabled():
        stranger = MembershipFactory(centre=centre_b, role=Role.ASSESSOR).user
    client.force_login(stranger)
    for pk in (enrolment.pk, 999999):
        assert client.get(reverse("assessment:sign_off_unit", kwargs={"enrolment_id": pk})).status_code == 404
    client.force_login(enrolment.assessor)
    assert client.get(reverse("assessment:unit_grid", kwargs={"unit_id": 999999})).status_code == 404
    client.force_login(enrolment.learner.user)
    assert client.post(reverse("assessment:countersign", kwargs={"sign_off_id": 999999})).status_code == 404


def test_the_caseload_filter_ignores_a_unit_the_centre_does_not_offer(enrolment, centre_a, other_unit):
    with centre_scope(centre_a):
        enrolments = caseload_enrolments(centre=centre_a, assessor=enrolment.assessor)
        units = units_offered(centre=centre_a)
        offered = CaseloadFilter({"unit": str(enrolment.unit_id)}, enrolments, units=units)
        assert [e.pk for e in offered.qs] == [enrolment.pk]
        foreign = CaseloadFilter({"unit": str(other_unit.pk), "state": "nonsense"}, enrolments, units=units)
        assert not foreign.is_valid() and set(foreign.errors) == {"unit", "state"}
        assert [e.pk for e in foreign.qs] == [enrolment.pk]
        signed_off = CaseloadFilter({"state": "signed_off"}, enrolments, units=units)
        assert list(signed_off.qs) == []
