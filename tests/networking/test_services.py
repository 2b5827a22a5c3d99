"""Networking records changed through the services: consent, the submitted register's
snapshot, and a contact's name taken out of everything once they withdraw or are deleted."""

import json

import pytest
from django.utils import timezone

from audit.models import AuditRecord
from common.scoping import centre_scope
from networking.models import NetworkContact, NetworkReview
from networking.services import delete_contact, save_contact
from portfolio.models import EvidenceVersion
from tests.factories.networking import contact, review, submitted_record


@pytest.mark.usefixtures("frozen_clock")
def test_recording_and_withdrawing_consent_is_dated_and_audited(learner, centre_a):
    with centre_scope(centre_a):
        person = contact(learner, consented=False)
        assert person.consent_recorded_on is None
        person = save_contact(learner=learner, actor=learner.user, data={"consented": True}, contact=person)
        assert person.consent_recorded_on == timezone.localdate()
        save_contact(learner=learner, actor=learner.user, data={"consented": False}, contact=person)
        records = AuditRecord.objects.filter(verb__startswith="network.", object_id=str(person.pk))
        verbs = list(records.values_list("verb", flat=True))
    assert verbs == ["network.consent_recorded", "network.consent_withdrawn"]


def test_submitting_a_register_freezes_it_with_unconsented_contacts_pseudonymised(register_version):
    snapshot = json.dumps(register_version.snapshot)
    assert "Priya Shah" in snapshot
    for identifying in (
        "Dan Whitfield",
        "Whitfield",
        "dan.whitfield@example.org",
        "07912 345678",
        "7912 345678",
    ):
        assert identifying not in snapshot, identifying
    dan = register_version.snapshot["network"]["contacts"][1]
    assert dan["label"] == "Contact C2, public sector"
    assert dan["how_met"] == "Contact C2 spoke at the council jobs fair."
    assert register_version.snapshot["body"] == "Contact C2 (Contact C2) opened doors for me."


def test_deleting_a_contact_keeps_the_pseudonymised_snapshot(register_version, learner, centre_a):
    with centre_scope(centre_a):
        priya = NetworkContact.objects.get(name="Priya Shah")
        assert delete_contact(contact=priya, actor=learner.user) == 1
        version = EvidenceVersion.objects.get(pk=register_version.pk)
        audit = AuditRecord.objects.get(verb="network.contact_deleted")
    snapshot = json.dumps(version.snapshot)
    assert "Priya" not in snapshot and "harbour-bank.example" not in snapshot
    assert version.snapshot["network"]["contacts"][0]["label"] == "Contact C1, finance sector"
    assert audit.details == {"contact": "C1", "versions_pseudonymised": 1}
    assert "Priya" not in json.dumps(audit.details)


def test_withdrawn_consent_takes_the_name_out_of_submitted_evidence(register_version, learner, centre_a):
    with centre_scope(centre_a):
        priya = NetworkContact.objects.get(name="Priya Shah")
        save_contact(learner=learner, actor=learner.user, data={"consented": False}, contact=priya)
        version = EvidenceVersion.objects.get(pk=register_version.pk)
    assert "Priya" not in json.dumps(version.snapshot)


def test_a_renamed_contact_who_withdraws_consent_leaves_no_old_name(register_version, learner, centre_a):
    with centre_scope(centre_a):
        priya = NetworkContact.objects.get(name="Priya Shah")
        priya = save_contact(
            learner=learner, actor=learner.user, data={"name": "Priya Patel-Shah"}, contact=priya
        )
        save_contact(learner=learner, actor=learner.user, data={"consented": False}, contact=priya)
        snapshot = json.dumps(EvidenceVersion.objects.get(pk=register_version.pk).snapshot)
    assert "Priya" not in snapshot and "Shah" not in snapshot and "harbour-bank" not in snapshot


def test_deleting_a_contact_takes_their_name_out_of_the_learners_other_records(networking, learner, centre_a):
    with centre_scope(centre_a):
        dan = contact(learner, "Dan Whitfield", consented=False, sector="public")
        contact(learner, "Priya Shah", how_met="Dan Whitfield introduced us.")
        review(
            learner,
            [{"group": "Friends of Dan Whitfield", "value": "high", "effort": "low", "decision": "keep"}],
        )
        delete_contact(contact=dan, actor=learner.user)
        version = submitted_record(networking, {"record": "register"})
        group = NetworkReview.objects.get().entries.get().group
    assert version.snapshot["network"]["contacts"][0]["how_met"] == "Contact C1 introduced us."
    assert group == "Friends of Contact C1"
