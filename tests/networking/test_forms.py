"""What networking's forms accept, and what a learner sees when a form names something
that is not theirs or not there."""

import uuid
from datetime import date
from types import SimpleNamespace

import pytest
from django.http import QueryDict
from django.urls import reverse

from common.scoping import centre_scope, scopes_disabled
from networking.forms import CompareReviewsForm, UseAsEvidenceForm
from tests.factories import LearnerFactory
from tests.factories.networking import contact, review

LINE = [{"group": "Friends", "value": "high", "effort": "low", "decision": "keep"}]


def reviews(*dates):
    return [SimpleNamespace(pk=number, reviewed_on=day) for number, day in enumerate(dates, start=1)]


def test_two_reviews_are_compared_earlier_first_whichever_way_they_are_chosen():
    earlier, later = reviews(date(2026, 3, 1), date(2026, 6, 1))
    form = CompareReviewsForm(QueryDict(f"older={later.pk}&newer={earlier.pk}"), reviews=[earlier, later])
    assert form.is_valid() and form.problem == ""
    assert (form.cleaned_data["older"], form.cleaned_data["newer"]) == (earlier, later)


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("older=1&newer=1", "Choose two different reviews."),
        ("older=999&newer=x", "Choose two of your reviews to compare."),
        ("older=1", "Choose two of your reviews to compare."),
        ("newer=2", ""),  # the reviews page always sends both: nothing asked
        ("", ""),
    ],
)
def test_a_comparison_names_the_problem_with_what_was_chosen(query, problem):
    form = CompareReviewsForm(QueryDict(query), reviews=reviews(date(2026, 3, 1), date(2026, 6, 1)))
    assert form.problem == problem


def test_a_record_to_use_as_evidence_names_its_review_by_number():
    token = uuid.uuid4()
    form = UseAsEvidenceForm({"record": "review", "review": "12", "creation_token": token})
    assert form.is_valid() and form.details == {"record": "review", "review": 12}
    form = UseAsEvidenceForm({"record": "register", "creation_token": token})
    assert form.is_valid() and form.details == {"record": "register"}
    assert UseAsEvidenceForm({"record": "review", "review": "x", "creation_token": token}).names_no_review


def test_a_review_that_is_no_number_is_not_found(learner_client):
    response = learner_client.post(
        reverse("networking:use_as_evidence"),
        {"record": "review", "review": "abc", "creation_token": uuid.uuid4()},
    )
    assert response.status_code == 404


def test_an_expired_evidence_form_says_try_again(learner_client):
    response = learner_client.post(
        reverse("networking:use_as_evidence"),
        {"record": "register", "creation_token": "not-a-key"},
        follow=True,
    )
    assert "That form had expired: try again." in response.content.decode()


def test_another_learners_contact_is_not_found_to_edit_or_delete(learner_client, centre_a, seed_unit):
    with scopes_disabled():
        other = LearnerFactory(centre=centre_a)
    with centre_scope(centre_a):
        theirs = contact(other)
    for name in ("edit_contact", "delete_contact"):
        path = reverse(f"networking:{name}", kwargs={"contact_id": theirs.pk})
        assert learner_client.get(path).status_code == 404, name
        assert learner_client.post(path, {"name": "Mine now"}).status_code == 404, name


def test_editing_a_contact_badly_keeps_the_page_on_the_saved_contact(learner_client, learner, centre_a):
    with centre_scope(centre_a):
        mine = contact(learner, "Priya Shah")
    response = learner_client.post(
        reverse("networking:edit_contact", kwargs={"contact_id": mine.pk}), {"name": "", "kind": "individual"}
    )
    assert response.status_code == 400
    assert "Enter the contact’s name." in response.content.decode()
    with centre_scope(centre_a):
        mine.refresh_from_db()
    assert mine.name == "Priya Shah"


def test_comparing_the_same_review_twice_is_refused(learner_client, learner, centre_a):
    with centre_scope(centre_a):
        only = review(learner, LINE)
    response = learner_client.get(reverse("networking:compare_reviews"), {"older": only.pk, "newer": only.pk})
    assert response.status_code == 400
    assert "Choose two different reviews." in response.content.decode()
