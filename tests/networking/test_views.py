import io
import json
import uuid
from datetime import date, timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditRecord
from centre.models import Role
from common.scoping import centre_scope, scopes_disabled
from networking.models import NetworkContact, NetworkingPrompt, NetworkReview
from networking.services import delete_contact, start_networking_evidence
from portfolio.models import EvidenceItem
from portfolio.services import set_evidence_mappings, submit_evidence_item
from tests.factories import EnrolmentFactory, LearnerFactory, MembershipFactory
from tests.factories.networking import contact, enable_networking, review, submitted_record
from tests.helpers import criteria_of, scoped

NETWORK = reverse("networking:home")


def contact_form(**fields):
    return {
        "kind": "individual",
        "name": "Priya Shah",
        "organisation": "Harbour Bank",
        "sector": "finance",
        "email": "priya@harbour-bank.example",
        "phone": "020 7946 0958",
        "how_met": "At the regional finance forum.",
        "they_offer": "Advice on funding bids.",
        "you_offer": "Introductions to training providers.",
        "organisation_benefit": "",
        "strength": "2",
        "last_contact": "",
        "next_action": "",
        **fields,
    }


# The unit setting -----------------------------------------------------------------------


def test_networking_records_are_offered_only_on_a_unit_that_enables_them(client, enrolment, centre_a):
    client.force_login(enrolment.learner.user)
    assert client.get(NETWORK).status_code == 404
    assert "Networking records" not in client.get(reverse("assessment:learner_home")).content.decode()

    enable_networking(enrolment.unit)
    assert client.get(NETWORK).status_code == 200
    assert "Networking records" in client.get(reverse("assessment:learner_home")).content.decode()


def test_networking_evidence_is_started_from_a_record_not_from_the_kinds_list(learner_client):
    page = learner_client.get(reverse("portfolio:choose_kind")).content.decode()
    assert "Networking record" not in page
    assert reverse("networking:home") in page
    url = reverse("portfolio:create", kwargs={"kind": "networking_record"})
    assert learner_client.get(url).status_code == 404


# Contacts -----------------------------------------------------------------------------------


def test_learner_adds_contacts_numbered_for_good(learner_client, learner, centre_a):
    response = learner_client.post(reverse("networking:add_contact"), contact_form())
    first = scoped(centre_a, NetworkContact.objects.get)
    assert response.url == reverse("networking:contact", kwargs={"contact_id": first.pk})
    assert (first.reference, first.phone) == ("C1", "+44 20 7946 0958")

    learner_client.post(reverse("networking:add_contact"), contact_form(name="Tom Okafor"))
    scoped(centre_a, delete_contact, contact=first, actor=learner.user)
    learner_client.post(reverse("networking:add_contact"), contact_form(name="Ann Lee"))
    assert scoped(centre_a, lambda: [c.reference for c in NetworkContact.objects.all()]) == ["C2", "C3"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Enter the contact’s name."),
        ({"how_met": "<script>alert(1)</script>"}, "looks like HTML, which is not allowed here"),
        ({"organisation": '<img src=x onerror="alert(1)">'}, "looks like HTML"),
        ({"email": "priya at harbour"}, "Enter a valid email address."),
        ({"phone": "12345"}, "is not a telephone number"),
        (
            {"last_contact": (date.today() + timedelta(days=2)).strftime("%d/%m/%Y")},
            "cannot be in the future",
        ),
        ({"sector": "astrology"}, "Select a valid choice"),
    ],
)
def test_bad_contact_details_are_refused_with_the_input_kept(learner_client, centre_a, fields, message):
    response = learner_client.post(reverse("networking:add_contact"), contact_form(**fields))
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert "There is a problem" in page
    assert "Advice on funding bids." in page
    assert not scoped(centre_a, NetworkContact.objects.exists)


@pytest.mark.usefixtures("frozen_clock")
def test_logging_an_interaction_moves_last_contact_and_refuses_a_future_date(
    learner_client, learner, centre_a
):
    person = scoped(centre_a, contact, learner)
    url = reverse("networking:add_interaction", kwargs={"contact_id": person.pk})
    tomorrow = (timezone.localdate() + timedelta(days=1)).strftime("%d/%m/%Y")
    refused = learner_client.post(
        url, {"occurred_on": tomorrow, "purpose": "Coffee", "outcome": "Agreed to meet", "follow_up": ""}
    )
    assert refused.status_code == 400
    assert "The date cannot be in the future." in refused.content.decode()
    assert "Agreed to meet" in refused.content.decode()

    learner_client.post(
        url, {"occurred_on": "14/03/2026", "purpose": "Coffee", "outcome": "Agreed to meet", "follow_up": ""}
    )
    person.refresh_from_db()
    assert person.last_contact == date(2026, 3, 14)
    page = learner_client.get(
        reverse("networking:contact", kwargs={"contact_id": person.pk})
    ).content.decode()
    assert "Agreed to meet" in page


def test_another_learners_contact_is_not_found(learner_client, centre_a, seed_unit):
    other = LearnerFactory(centre=centre_a, user=MembershipFactory(centre=centre_a, role=Role.LEARNER).user)
    EnrolmentFactory(learner=other, unit=seed_unit)
    theirs = scoped(centre_a, contact, other, "Secret Sam")
    for name in ("contact", "edit_contact", "delete_contact"):
        response = learner_client.get(reverse(f"networking:{name}", kwargs={"contact_id": theirs.pk}))
        assert response.status_code == 404, name
    posted = learner_client.post(
        reverse("networking:add_interaction", kwargs={"contact_id": theirs.pk}),
        {"occurred_on": "01/03/2026", "purpose": "x", "outcome": "y"},
    )
    assert posted.status_code == 404
    assert (
        learner_client.post(
            reverse("networking:delete_contact", kwargs={"contact_id": theirs.pk})
        ).status_code
        == 404
    )
    assert scoped(centre_a, lambda: NetworkContact.objects.filter(pk=theirs.pk).exists())


# Reviews ------------------------------------------------------------------------------------


def test_learner_reviews_the_network_and_compares_two_reviews(learner_client, learner, centre_a):
    priya = scoped(centre_a, contact, learner)
    tom = scoped(centre_a, contact, learner, "Tom Okafor", sector="public")
    data = {
        "reviewed_on": "01/03/2026",
        "reflection": "Priya has been generous.",
        "future_actions": "Ask Tom for an introduction.",
        f"contact-{priya.pk}-value": "high",
        f"contact-{priya.pk}-effort": "low",
        f"contact-{priya.pk}-decision": "keep",
        "group-0-group": "Local business forum",
        "group-0-value": "medium",
        "group-0-effort": "high",
        "group-0-decision": "reduce",
    }
    response = learner_client.post(reverse("networking:new_review"), data)
    first = scoped(centre_a, NetworkReview.objects.get)
    assert response.url == reverse("networking:review", kwargs={"review_id": first.pk})

    later = {
        **data,
        "reviewed_on": "01/06/2026",
        f"contact-{priya.pk}-decision": "develop",
        f"contact-{tom.pk}-value": "high",
        f"contact-{tom.pk}-effort": "medium",
        f"contact-{tom.pk}-decision": "develop",
    }
    learner_client.post(reverse("networking:new_review"), later)
    second = scoped(centre_a, lambda: NetworkReview.objects.order_by("reviewed_on").last())

    page = learner_client.get(reverse("networking:review", kwargs={"review_id": second.pk})).content.decode()
    assert "compared with the review of 1 March 2026" in page
    assert "Not reviewed then" in page  # Tom was not in the first review

    compared = learner_client.get(
        reverse("networking:compare_reviews"), {"older": second.pk, "newer": first.pk}
    ).content.decode()
    assert "Your review of 1 March 2026 beside your review of 1 June 2026" in compared
    assert "High value, low effort: keep" in compared and "High value, low effort: develop" in compared


def test_a_half_filled_review_line_is_refused_and_nothing_is_saved(learner_client, learner, centre_a):
    priya = scoped(centre_a, contact, learner)
    response = learner_client.post(
        reverse("networking:new_review"),
        {
            "reviewed_on": "01/03/2026",
            "reflection": "Thoughts.",
            "future_actions": "Plans.",
            f"contact-{priya.pk}-value": "high",
        },
    )
    assert response.status_code == 400
    assert "Choose the effort for Priya Shah." in response.content.decode()
    assert not scoped(centre_a, NetworkReview.objects.exists)


def test_a_review_needs_at_least_one_line(learner_client, centre_a):
    response = learner_client.post(
        reverse("networking:new_review"),
        {"reviewed_on": "01/03/2026", "reflection": "Thoughts.", "future_actions": "Plans."},
    )
    assert response.status_code == 400
    assert "at least one contact or group" in response.content.decode()


def test_comparing_needs_two_of_your_own_reviews(learner_client):
    response = learner_client.get(reverse("networking:compare_reviews"), {"older": "999", "newer": "x"})
    assert response.status_code == 400
    assert "Choose two of your reviews to compare." in response.content.decode()


# Guidelines ---------------------------------------------------------------------------------


def test_guidelines_start_from_the_centres_prompt(learner_client, centre_a, centre_b):
    with scopes_disabled():
        NetworkingPrompt.objects.create(
            centre=centre_a, prompt="<p>Follow the Harbour data policy.</p>", outline="## Before you share"
        )
        NetworkingPrompt.objects.create(centre=centre_b, prompt="<p>Another centre’s rules.</p>")
    page = learner_client.get(reverse("networking:guidelines")).content.decode()
    assert "Follow the Harbour data policy." in page
    assert "## Before you share" in page
    assert "Another centre’s rules." not in page

    learner_client.post(reverse("networking:guidelines"), {"body": "## Consent\n\nAsk first."})
    page = learner_client.get(reverse("networking:guidelines")).content.decode()
    assert "Ask first." in page and "## Before you share" not in page

    refused = learner_client.post(
        reverse("networking:guidelines"), {"body": "<script>x()</script> Ask first."}
    )
    assert refused.status_code == 400
    assert "looks like HTML" in refused.content.decode()


# Evidence and confidentiality ---------------------------------------------------------------


def test_the_assessor_sees_the_contacts_as_consented(client, register_version, networking):
    client.force_login(networking.assessor)
    url = reverse("assessment:judge", kwargs={"item_id": register_version.item_id})
    page = client.get(url).content.decode()
    assert "Priya Shah" in page and "priya@harbour-bank.example" in page
    assert "Contact C2, public sector" in page
    assert "Whitfield" not in page
    assert "<svg" in page and "Network map" in page


def test_an_empty_register_cannot_be_submitted(learner_client, centre_a):
    learner_client.post(
        reverse("networking:use_as_evidence"), {"record": "register", "creation_token": uuid.uuid4()}
    )
    item = scoped(centre_a, EvidenceItem.objects.get)
    assert item.details == {"record": "register"}
    response = learner_client.post(
        reverse("portfolio:submit", kwargs={"item_id": item.pk}), {"declared": "on"}
    )
    assert response.status_code == 400
    assert "Add at least one contact to your register before you submit it." in response.content.decode()


def test_another_learners_review_cannot_become_your_evidence(learner_client, centre_a, seed_unit):
    other = LearnerFactory(centre=centre_a)
    theirs = scoped(
        centre_a, review, other, [{"group": "Friends", "value": "high", "effort": "low", "decision": "keep"}]
    )
    response = learner_client.post(
        reverse("networking:use_as_evidence"),
        {"record": "review", "review": theirs.pk, "creation_token": uuid.uuid4()},
        follow=True,
    )
    assert "That network review is not one of yours." in response.content.decode()
    assert not scoped(centre_a, EvidenceItem.objects.exists)


def test_a_review_as_evidence_shows_its_comparison(networking, learner, centre_a, client):
    with centre_scope(centre_a):
        dan = contact(learner, "Dan Whitfield", consented=False, sector="public")
        line = {"contact": dan, "value": "low", "effort": "high", "decision": "reduce"}
        review(learner, [line], reviewed_on=date(2026, 1, 5))
        later = review(learner, [{**line, "decision": "keep"}], reviewed_on=date(2026, 4, 5))
        version = submitted_record(networking, {"record": "review", "review": later.pk}, codes=("3.1", "3.2"))
    assert version.item.title == "Network review of 5 April 2026"
    client.force_login(networking.assessor)
    page = client.get(reverse("assessment:judge", kwargs={"item_id": version.item_id})).content.decode()
    assert "compared with the review of 5 January 2026" in page
    assert "Contact C1, public sector" in page and "Dan" not in page


# Export -------------------------------------------------------------------------------------


def test_learner_exports_their_contacts_safely_for_a_spreadsheet(learner_client, learner, centre_a):
    with centre_scope(centre_a):
        person = contact(learner, next_action='=HYPERLINK("http://evil.example")')
        from networking.services import log_interaction

        log_interaction(
            contact=person, data={"occurred_on": date(2026, 2, 1), "purpose": "Lunch", "outcome": "Good"}
        )
    response = learner_client.get(reverse("networking:export_contacts"))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "private, no-store"
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    contacts, interactions = workbook["Contacts"], workbook["Interactions"]
    row = [cell.value for cell in contacts[2]]
    assert row[:3] == ["C1", "An individual", "Priya Shah"]
    assert '\'=HYPERLINK("http://evil.example")' in row
    assert [cell.value for cell in interactions[2]][:3] == ["C1", "2026-02-01", "Lunch"]
    assert scoped(centre_a, lambda: AuditRecord.objects.filter(verb="network.contacts_exported").exists())


def test_the_network_page_runs_a_fixed_number_of_queries(
    learner_client, learner, centre_a, django_assert_max_num_queries
):
    with centre_scope(centre_a):
        for number in range(40):
            contact(learner, f"Person {number:02}", consented=number % 2 == 0)
    with django_assert_max_num_queries(20):
        page = learner_client.get(NETWORK).content.decode()
    assert "Person 39" in page and page.count("<circle") >= 40


# Pseudonymising however the learner wrote it -----------------------------------------------


def test_a_contact_is_pseudonymised_however_they_are_written(networking, learner, centre_a, client):
    with centre_scope(centre_a):
        contact(learner, "Dan Brown")
        contact(
            learner,
            "Seán O'Neill",
            consented=False,
            email="sean@oneill.example",
            phone="07912 345678",
            sector="public",
        )
        contact(learner, "Medium Ltd", kind="organisation", consented=False, sector="finance", email="")
        body = (
            "Seán said yes; Mr O’Neill agreed. Seán  O’Neill\nhelped. Call 07912345678, +44 7912 345 678 "
            "or 07912-345678. Dan Brown helped too."
        )
        version = submitted_record(networking, {"record": "register"}, body=body)
        item = EvidenceItem.objects.get(pk=version.item_id)
    snapshot = json.dumps(version.snapshot, ensure_ascii=False)
    for identifying in ("Seán", "O'Neill", "O’Neill", "7912", "oneill.example", "Medium Ltd"):
        assert identifying not in snapshot, identifying
    assert "Dan Brown helped too." in version.snapshot["body"]  # a consented name, in full
    assert "Call Contact C2, Contact C2 or Contact C2." in version.snapshot["body"]
    medium = version.snapshot["network"]["contacts"][2]
    assert medium["label"] == "Contact C3, finance sector"
    assert medium["strength_label"] == "Developing" and medium["sector_label"] == "Finance"
    # The assessor's lists read the item itself, which now matches what was submitted.
    assert "Seán" not in item.body and "Seán" not in item.title


def test_the_title_and_notes_seen_by_the_assessor_do_not_name_an_unconsented_contact(
    networking, learner, centre_a, client
):
    with centre_scope(centre_a):
        contact(learner, "Dan Whitfield", consented=False)
        item, _ = start_networking_evidence(
            learner=learner, actor=learner.user, details={"record": "register"}, creation_token=uuid.uuid4()
        )
        item.title = "How Dan Whitfield helped"
        item.save()
        (criterion,) = criteria_of(networking.unit, "2.1")
        set_evidence_mappings(
            item=item, actor=learner.user, claims={criterion.pk: "Dan Whitfield introduced me"}
        )
        submit_evidence_item(item=item, actor=learner.user, declared=True)
    client.force_login(networking.assessor)
    for url in (
        reverse("assessment:judge", kwargs={"item_id": item.pk}),
        reverse("assessment:enrolment", kwargs={"enrolment_id": networking.pk}),
        reverse("assessment:unit_grid", kwargs={"unit_id": networking.unit_id}),
    ):
        page = client.get(url).content.decode()
        assert "Whitfield" not in page, url
    assert (
        "How Contact C1 helped"
        in client.get(reverse("assessment:judge", kwargs={"item_id": item.pk})).content.decode()
    )
