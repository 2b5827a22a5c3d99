"""Editing a unit in the Wagtail admin: criteria keep their identities, and a criterion
that evidence or decisions point at cannot be removed."""

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import querydict_from_html

from centre.scoping import scopes_disabled
from tests.testapp.models import CriterionReference
from units.models import AssessmentCriterion


@pytest.fixture
def editor_client(client, catalogue_editor):
    client.force_login(catalogue_editor)
    return client


def edit_form_data(client, unit):
    response = client.get(reverse("wagtailadmin_pages:edit", args=[unit.pk]))
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    data["action-publish"] = "action-publish"
    return data


def criterion_form_prefix(data, code):
    for key, value in data.items():
        if key.endswith("-code") and value == code and "-criteria-" in key:
            return key.removesuffix("-code")
    raise AssertionError(f"no form for criterion {code}")


def criterion_ids(unit):
    return dict(AssessmentCriterion.objects.filter(outcome__page=unit).values_list("code", "pk"))


def test_editor_publishes_a_revised_criterion_text_keeping_its_identity(editor_client, seed_unit):
    before = criterion_ids(seed_unit)
    data = edit_form_data(editor_client, seed_unit)
    data[f"{criterion_form_prefix(data, '3.1')}-text"] = "Assess the value of own current personal network."

    response = editor_client.post(reverse("wagtailadmin_pages:edit", args=[seed_unit.pk]), data)

    assert response.status_code == 302
    assert criterion_ids(seed_unit) == before
    assert (
        AssessmentCriterion.objects.get(pk=before["3.1"]).text
        == "Assess the value of own current personal network."
    )


def test_criterion_removed_and_typed_in_again_keeps_its_identity(editor_client, seed_unit):
    before = criterion_ids(seed_unit)
    data = edit_form_data(editor_client, seed_unit)
    prefix = criterion_form_prefix(data, "1.2")
    data[f"{prefix}-DELETE"] = "1"
    formset = prefix.rsplit("-", 1)[0]
    new_index = int(data[f"{formset}-TOTAL_FORMS"])
    data[f"{formset}-TOTAL_FORMS"] = str(new_index + 1)
    data[f"{formset}-{new_index}-code"] = "1.2"
    data[f"{formset}-{new_index}-text"] = "Identify individuals and organisations that would benefit."
    data[f"{formset}-{new_index}-ORDER"] = str(new_index)
    data[f"{formset}-{new_index}-id"] = ""

    response = editor_client.post(reverse("wagtailadmin_pages:edit", args=[seed_unit.pk]), data)

    assert response.status_code == 302
    assert criterion_ids(seed_unit) == before
    assert AssessmentCriterion.objects.get(pk=before["1.2"]).text.endswith("that would benefit.")


def test_unreferenced_criterion_can_be_removed(editor_client, seed_unit):
    data = edit_form_data(editor_client, seed_unit)
    data[f"{criterion_form_prefix(data, '1.3')}-DELETE"] = "1"

    response = editor_client.post(reverse("wagtailadmin_pages:edit", args=[seed_unit.pk]), data)

    assert response.status_code == 302
    assert "1.3" not in criterion_ids(seed_unit)


def test_criterion_that_evidence_points_at_cannot_be_removed(editor_client, seed_unit, centre_a):
    criterion = AssessmentCriterion.objects.get(outcome__page=seed_unit, code="1.3")
    with scopes_disabled():
        CriterionReference.objects.create(centre=centre_a, criterion=criterion)
    data = edit_form_data(editor_client, seed_unit)
    data[f"{criterion_form_prefix(data, '1.3')}-DELETE"] = "1"

    response = editor_client.post(reverse("wagtailadmin_pages:edit", args=[seed_unit.pk]), data)

    assert response.status_code == 200
    assert "Criterion 1.3 cannot be removed: evidence or assessment decisions refer to it." in (
        response.content.decode()
    )
    assert AssessmentCriterion.objects.filter(pk=criterion.pk).exists()


def test_outcome_holding_a_referenced_criterion_cannot_be_removed(editor_client, seed_unit, centre_a):
    criterion = AssessmentCriterion.objects.get(outcome__page=seed_unit, code="2.2")
    with scopes_disabled():
        CriterionReference.objects.create(centre=centre_a, criterion=criterion)
    data = edit_form_data(editor_client, seed_unit)
    outcome_prefix = criterion_form_prefix(data, "2.2").split("-criteria-")[0]
    data[f"{outcome_prefix}-DELETE"] = "1"

    response = editor_client.post(reverse("wagtailadmin_pages:edit", args=[seed_unit.pk]), data)

    assert response.status_code == 200
    assert "Criterion 2.2 cannot be removed" in response.content.decode()
    assert AssessmentCriterion.objects.filter(pk=criterion.pk).exists()


def test_editor_cannot_put_a_criterion_under_the_wrong_outcome(editor_client, seed_unit):
    data = edit_form_data(editor_client, seed_unit)
    data[f"{criterion_form_prefix(data, '1.3')}-code"] = "2.3"

    response = editor_client.post(reverse("wagtailadmin_pages:edit", args=[seed_unit.pk]), data)

    assert response.status_code == 200
    assert "criterion 2.3 is under outcome 1" in response.content.decode()
    assert "1.3" in criterion_ids(seed_unit)


def test_editor_cannot_give_two_criteria_the_same_code(editor_client, seed_unit):
    data = edit_form_data(editor_client, seed_unit)
    data[f"{criterion_form_prefix(data, '1.3')}-code"] = "1.2"

    response = editor_client.post(reverse("wagtailadmin_pages:edit", args=[seed_unit.pk]), data)

    assert response.status_code == 200
    assert "criterion 1.2 appears twice" in response.content.decode()


def test_line_breaks_typed_in_the_editor_are_stored_as_published_text_has_them(editor_client, seed_unit):
    data = edit_form_data(editor_client, seed_unit)
    data[f"{criterion_form_prefix(data, '2.2')}-text"] = "Develop guidelines:\r\n• for contacts\r\n• for data"
    data["aim"] = "First paragraph.\r\n\r\nSecond paragraph."

    editor_client.post(reverse("wagtailadmin_pages:edit", args=[seed_unit.pk]), data)

    seed_unit.refresh_from_db()
    assert seed_unit.aim == "First paragraph.\n\nSecond paragraph."
    criterion = AssessmentCriterion.objects.get(outcome__page=seed_unit, code="2.2")
    assert criterion.text == "Develop guidelines:\n• for contacts\n• for data"
