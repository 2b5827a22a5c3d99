"""Editing a unit in the Wagtail admin: criteria keep their identities, and a criterion
that evidence or decisions point at cannot be removed."""

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import querydict_from_html

from common.scoping import scopes_disabled
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


def test_swapping_two_codes_swaps_texts_and_evidence_stays_on_its_code(editor_client, seed_unit, centre_a):
    before = criterion_ids(seed_unit)
    with scopes_disabled():
        reference = CriterionReference.objects.create(
            centre=centre_a, criterion=AssessmentCriterion.objects.get(pk=before["1.1"])
        )
    data = edit_form_data(editor_client, seed_unit)
    first, second = criterion_form_prefix(data, "1.1"), criterion_form_prefix(data, "1.2")
    data[f"{first}-code"], data[f"{second}-code"] = "1.2", "1.1"

    response = editor_client.post(reverse("wagtailadmin_pages:edit", args=[seed_unit.pk]), data)

    assert response.status_code == 302
    assert criterion_ids(seed_unit) == before
    with scopes_disabled():
        reference.refresh_from_db()
    assert reference.criterion.code == "1.1"
    assert reference.criterion.text.startswith("Identify individuals and organisations")


def test_recoding_a_criterion_over_a_referenced_one_is_refused_not_a_server_error(
    editor_client, seed_unit, centre_a
):
    with scopes_disabled():
        CriterionReference.objects.create(
            centre=centre_a, criterion=AssessmentCriterion.objects.get(outcome__page=seed_unit, code="1.3")
        )
    data = edit_form_data(editor_client, seed_unit)
    data[f"{criterion_form_prefix(data, '1.3')}-DELETE"] = "1"
    data[f"{criterion_form_prefix(data, '1.2')}-code"] = "1.3"
    data[f"{criterion_form_prefix(data, '1.1')}-text"] = "Edited"

    response = editor_client.post(reverse("wagtailadmin_pages:edit", args=[seed_unit.pk]), data)

    # 1.2 would disappear: nothing refers to it, so the edit stands, and 1.3 stays 1.3.
    assert response.status_code == 302
    assert set(criterion_ids(seed_unit)) == {"1.1", "1.3", "2.1", "2.2", "3.1", "3.2"}


def test_publishing_a_draft_that_removes_a_criterion_referenced_since_is_refused(
    editor_client, seed_unit, centre_a
):
    from django.core.exceptions import ValidationError

    data = edit_form_data(editor_client, seed_unit)
    data.pop("action-publish")
    data[f"{criterion_form_prefix(data, '1.3')}-DELETE"] = "1"
    editor_client.post(reverse("wagtailadmin_pages:edit", args=[seed_unit.pk]), data)
    criterion = AssessmentCriterion.objects.get(outcome__page=seed_unit, code="1.3")
    with scopes_disabled():
        CriterionReference.objects.create(centre=centre_a, criterion=criterion)

    seed_unit.refresh_from_db()
    with pytest.raises(ValidationError, match=r"Criterion 1\.3 cannot be removed"):
        seed_unit.get_latest_revision().publish()
    assert AssessmentCriterion.objects.filter(pk=criterion.pk).exists()


def test_a_unit_cannot_be_copied(editor_client, seed_unit):
    response = editor_client.post(
        reverse("wagtailadmin_pages:copy", args=[seed_unit.pk]),
        {"new_title": "Copy", "new_slug": "copy", "new_parent_page": seed_unit.get_parent().pk},
        follow=True,
    )
    assert "cannot be copied: its unit reference number belongs to it alone" in response.content.decode()
    from units.models import UnitPage

    assert UnitPage.objects.count() == 1
