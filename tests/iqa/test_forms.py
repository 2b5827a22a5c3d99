"""The forms of the IQA's pages: what an IQA meets when what they send is wrong, and the
same 404 for another centre's records as for missing ones."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from assessment.forms import problems_of
from centre.models import Role
from centre.services import set_offered_units
from common.scoping import centre_scope, scopes_disabled
from iqa.forms import PlanForm, StartSamplingForm, VerdictForm
from iqa.models import AssessorRisk, SamplingPlan
from iqa.services import CHOOSE_LEARNERS, RATES_RULE
from tests.factories import MembershipFactory
from tests.helpers import sampling_plan


def member(centre, role):
    with scopes_disabled():
        return MembershipFactory(centre=centre, role=role).user


@pytest.fixture
def iqa(centre_a, seed_unit):
    set_offered_units(centre=centre_a, urns=[seed_unit.urn])
    return member(centre_a, Role.IQA)


def test_the_plan_form_reads_rates_methods_and_risks():
    assessors = [SimpleNamespace(pk=3), SimpleNamespace(pk=4)]
    form = PlanForm(
        {"standard_rate": "25", "higher_rate": "50", "methods": ["observation"], "risk-4": "new"},
        assessors=assessors,
    )
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["standard_rate"], form.cleaned_data["higher_rate"]) == (25, 50)
    assert form.cleaned_data["methods"] == ["observation"]
    assert form.risks() == {3: AssessorRisk.Level.STANDARD, 4: AssessorRisk.Level.NEW}


def test_the_plan_form_says_the_rates_rule_once_for_missing_or_wrong_rates():
    form = PlanForm({"standard_rate": "", "higher_rate": "lots"}, assessors=[])
    assert problems_of(form) == [RATES_RULE]
    form = PlanForm(
        {"standard_rate": "25", "higher_rate": "50", "risk-3": "reckless"}, assessors=[SimpleNamespace(pk=3)]
    )
    assert not form.is_valid() and "risk-3" in form.errors


def test_picks_are_enrolment_keys_and_stages():
    form = StartSamplingForm({"pick": ["12:summative", "13:interim"]})
    assert form.is_valid() and form.cleaned_data["pick"] == [(12, "summative"), (13, "interim")]
    assert problems_of(StartSamplingForm({"pick": ["twelve:summative"]})) == [CHOOSE_LEARNERS]
    assert StartSamplingForm({}).is_valid()


def test_a_verdicts_actions_are_every_box_posted():
    form = VerdictForm({"verdict": "disagree", "comments": "Thin", "action": ["Add 2.1", ""]})
    assert form.is_valid() and form.cleaned_data["action"] == ["Add 2.1", ""]


def test_the_plan_page_shows_the_rates_rule_and_saves_nothing(client, iqa, centre_a, seed_unit):
    client.force_login(iqa)
    response = client.post(reverse("iqa:plan", kwargs={"unit_id": seed_unit.pk}), {"standard_rate": ""})
    assert response.status_code == 400
    assert response.content.decode().count(RATES_RULE) == 1
    with centre_scope(centre_a):
        assert not SamplingPlan.objects.exists()


def test_sampling_needs_an_offered_unit_and_its_plan(client, iqa, centre_a, seed_unit, other_unit):
    client.force_login(iqa)
    start = reverse("iqa:start_sampling", kwargs={"unit_id": seed_unit.pk})
    assert client.post(start, {"pick": ["1:interim"]}).status_code == 404  # no plan yet
    not_offered = reverse("iqa:start_sampling", kwargs={"unit_id": other_unit.pk})
    assert client.post(not_offered).status_code == 404
    assert client.get(reverse("iqa:plan", kwargs={"unit_id": other_unit.pk})).status_code == 404
    with centre_scope(centre_a):
        sampling_plan(seed_unit, centre=centre_a, iqa=iqa)
    response = client.post(start, {"pick": ["someone:interim"]}, follow=True)
    assert CHOOSE_LEARNERS in response.content.decode()


def test_a_missing_sample_or_action_is_404(client, iqa, centre_b):
    client.force_login(member(centre_b, Role.IQA))
    assert client.get(reverse("iqa:sample", kwargs={"iqa_sample_id": 999999})).status_code == 404
    assert client.post(reverse("iqa:close_action", kwargs={"action_id": 999999})).status_code == 404
