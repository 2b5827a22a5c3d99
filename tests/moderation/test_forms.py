"""Moderation's forms: bad input is a clear error on the form, and a service's refusal
reaches the centre admin through ``run_form``."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from centre.models import Role
from centre.services import set_offered_units
from common.scoping import centre_scope
from moderation.forms import GrantAccessForm, NewSampleForm, ShowFileForm
from moderation.models import ModerationSample, ModeratorAccess
from moderation.services import grant_moderator_access
from tests.moderation.conftest import member

HINT = "Give the date access ends, for example 31/05/2027."


@pytest.mark.parametrize("typed", ["", "next week", "31/13/2027", "2027-02-30"])
def test_a_date_that_is_not_one_asks_for_the_date(typed):
    form = GrantAccessForm({"email": "morag@ocr.example", "expires_on": typed})
    assert not form.is_valid()
    assert form.errors == {"expires_on": [HINT]}


@pytest.mark.parametrize("typed", ["2027-05-31", "31/05/2027", " 31/05/2027 "])
def test_the_last_day_of_access_is_taken_from_a_picker_or_typed_day_first(typed):
    form = GrantAccessForm({"email": "morag@ocr.example", "expires_on": typed})
    assert form.is_valid(), form.errors
    expires_at = timezone.localtime(form.cleaned_data["expires_at"])
    assert (expires_at.date(), expires_at.time()) == (datetime.date(2027, 5, 31), datetime.time(23, 59))
    assert "expires_on" not in form.cleaned_data


def test_the_moderators_email_address_is_needed_and_must_be_one():
    assert GrantAccessForm({"expires_on": "2027-05-31"}).errors == {
        "email": ["Give the moderator’s email address."]
    }
    assert GrantAccessForm({"email": "morag", "expires_on": "2027-05-31"}).errors == {
        "email": ["Enter a valid email address."]
    }


def test_access_is_offered_for_six_months_from_today():
    expected = (timezone.localdate() + datetime.timedelta(days=183)).isoformat()
    assert GrantAccessForm()["expires_on"].value() == expected


def test_learners_are_chosen_by_key_and_anything_else_is_refused():
    nobody = NewSampleForm({})
    assert nobody.is_valid() and nobody.cleaned_data["enrolment"] == []
    form = NewSampleForm({"enrolment": ["3", "5"]})
    assert form.is_valid() and form.cleaned_data["enrolment"] == [3, 5]
    for bad in (["3", "x"], ["-1"], ["٣"]):
        assert NewSampleForm({"enrolment": bad}).errors == {"enrolment": ["Choose from the list."]}


def test_only_inline_1_shows_a_file_in_the_page():
    assert ShowFileForm({"inline": "1"}).wants_inline()
    assert not ShowFileForm({}).wants_inline()
    assert not ShowFileForm({"inline": "yes"}).wants_inline()


@pytest.fixture
def admin_client(client, centre_a, seed_unit):
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    admin = member(centre_a, Role.CENTRE_ADMIN)
    client.force_login(admin)
    client.admin = admin
    return client


@pytest.fixture
def sample(centre_a, seed_unit):
    with centre_scope(centre_a):
        return ModerationSample.objects.create(centre=centre_a, unit=seed_unit, created_at=timezone.now())


def test_a_date_in_the_past_is_refused_by_the_service_on_the_form(admin_client, sample, centre_a):
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = admin_client.post(
        reverse("moderation:manage_sample", kwargs={"sample_id": sample.pk}),
        {"email": "morag@ocr.example", "first_name": "Morag", "expires_on": yesterday},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert '<a href="#expires_on">Access must last until a date in the future.</a>' in page
    assert 'value="morag@ocr.example"' in page and 'value="Morag"' in page  # kept as typed
    with centre_scope(centre_a):
        assert not ModeratorAccess.objects.exists()


def test_a_typed_date_that_is_not_one_is_a_clear_error(admin_client, sample):
    response = admin_client.post(
        reverse("moderation:manage_sample", kwargs={"sample_id": sample.pk}),
        {"email": "morag@ocr.example", "expires_on": "soon"},
    )
    assert response.status_code == 400
    assert f'<a href="#expires_on">{HINT}</a>' in response.content.decode()
    assert 'value="soon"' in response.content.decode()


def test_a_sample_of_nobody_or_of_no_key_is_refused_on_the_page(admin_client, seed_unit):
    url = reverse("moderation:new_sample", kwargs={"unit_id": seed_unit.pk})
    response = admin_client.post(url, {})
    assert response.status_code == 400
    assert "Choose at least one signed-off learner." in response.content.decode()
    response = admin_client.post(url, {"enrolment": ["abc"]})
    assert response.status_code == 400
    assert '<a href="#enrolment">Choose from the list.</a>' in response.content.decode()


def test_revoking_twice_says_it_was_revoked_already(admin_client, sample, centre_a):
    with centre_scope(centre_a):
        access = grant_moderator_access(sample=sample, actor=admin_client.admin, email="morag@ocr.example")
    url = reverse("moderation:revoke_access", kwargs={"access_id": access.pk})
    assert "can no longer see the sample" in admin_client.post(url, follow=True).content.decode()
    page = admin_client.post(url, follow=True).content.decode()
    assert "This access has already been revoked." in page


def test_a_moderator_is_listed_by_name_and_email_or_by_email_alone(admin_client, sample, centre_a):
    page = reverse("moderation:manage_sample", kwargs={"sample_id": sample.pk})
    until = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    for email, first_name in [("morag@ocr.example", "Morag"), ("unnamed@ocr.example", "")]:
        admin_client.post(
            page,
            {
                "email": email,
                "first_name": first_name,
                "last_name": "Reid" * bool(first_name),
                "expires_on": until,
            },
        )
    listed = admin_client.get(page).content.decode()
    assert '<th scope="row">Morag Reid (morag@ocr.example)</th>' in listed
    assert '<th scope="row">unnamed@ocr.example</th>' in listed
