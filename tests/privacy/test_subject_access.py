import io
import json
import zipfile

import pytest

from audit.models import AuditRecord
from privacy.services import export_learner
from tests.factories import PDF_BYTES

pytestmark = pytest.mark.usefixtures("in_centre_a")


def archive_of(learner, actor=None) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(export_learner(learner, actor=actor)))


def read_json(archive: zipfile.ZipFile, name: str) -> dict:
    return json.loads(archive.read(name))


def test_the_archive_holds_the_learners_record_evidence_decisions_networking_and_audit(world):
    ada = world["ada"]
    archive = archive_of(ada)
    (item,) = ada.evidence_items.all()
    folder = f"evidence/item-{item.pk}"

    assert set(archive.namelist()) == {
        "README.txt",
        "learner.json",
        "enrolments.json",
        "registrations.json",
        "decisions.json",
        "networking.json",
        "audit.json",
        f"{folder}/item.json",
        f"{folder}/files/Ada’s plan.pdf",
    }
    assert archive.read(f"{folder}/files/Ada’s plan.pdf") == PDF_BYTES + b"%Ada\n"
    assert "subject access request" in archive.read("README.txt").decode()

    record = read_json(archive, "learner.json")
    assert record["learner"]["email"] == "ada@lovelace.example"
    assert record["learner"]["candidate_number"] == "0042"
    assert record["account"]["email"] == "ada@lovelace.example"
    assert [role["role"] for role in record["roles_at_this_centre"]] == ["Learner"]
    assert record["retention"] == {"years_kept_after_assessment": 3, "holds": []}

    assert read_json(archive, "registrations.json") == {"registrations": []}  # on no qualification
    (enrolment,) = read_json(archive, "enrolments.json")["enrolments"]
    assert enrolment["unit"]["urn"] == "R/600/9587"
    assert enrolment["status"] == "Completed"

    evidence = read_json(archive, f"{folder}/item.json")["evidence"]
    assert evidence["title"] == "Ada’s account of the forum"
    assert evidence["files"][0]["in_this_archive"] == f"{folder}/files/Ada’s plan.pdf"
    assert evidence["submitted_versions"][0]["declared_name"] == "Ada Lovelace"
    assert {c["note"] for c in evidence["criteria"]} >= {"Meets 1.1."}

    decisions = read_json(archive, "decisions.json")
    assert decisions["criterion_decisions"]
    assert {d["feedback"] for d in decisions["criterion_decisions"]} == {"Good."}
    assert {d["decided_by"] for d in decisions["criterion_decisions"]} == {"your assessor"}
    (sign_off,) = decisions["sign_offs"]
    assert sign_off["learner_name"] == "Ada Lovelace" and sign_off["countersigned_at"]
    assert all("assessor" not in row for row in sign_off["recording_sheet"])
    (iqa,) = decisions["iqa_samples"]
    assert iqa["verdict"] == "Agree with the assessment"
    assert iqa["comments"] == (
        "Sound judgement by [a member of staff]; Ms [a member of staff] and [a member of staff] agree."
    )
    assert len(decisions["moderation_samples"]) == 2

    networking = read_json(archive, "networking.json")
    assert [c["label"] for c in networking["contacts"]] == ["Priya Shah", "Contact C2, finance sector"]
    assert len(networking["reviews"]) == 1

    trail = read_json(archive, "audit.json")["audit_trail"]
    by_verb = {entry["verb"]: entry for entry in trail}
    assert by_verb["unit.countersigned"]["by"] == "you"
    assert by_verb["unit.signed_off"]["by"] == "centre staff (assessor)"
    assert by_verb["enrolment.assessor_allocated"]["details"]["assessor"] == "someone else"


def test_nothing_about_anyone_else_is_in_any_file(world):
    archive = archive_of(world["ada"])
    everything = b"".join(archive.read(name) for name in archive.namelist()).decode(errors="replace")
    everything += "".join(archive.namelist())

    others = [
        # Another learner: their details, evidence, files and contacts.
        "Bartholomew",
        "Quince",
        "bart@quince.example",
        "quince-ledger",
        "%Quince",
        "Gideon Fairweather",
        "gideon@fairweather.example",
        # Staff, wherever their names were written.
        "Ophelia",
        "Thistlewood",
        "ophelia@northgate-staff.example",
        str(world["assessor"].audit_key),
        world["admin"].email,
        world["iqa"].email,
        "moderator@ocr.example",
        # A contact who did not consent to sharing.
        "Marcus Webb",
        "Webb Logistics",
        "marcus@webb-logistics.example",
        "07912 345678",
        "7912345678",
    ]
    assert [other for other in others if other.casefold() in everything.casefold()] == []


def test_a_contact_who_did_not_consent_is_a_reference_everywhere(world):
    archive = archive_of(world["ada"])
    (item,) = world["ada"].evidence_items.all()

    evidence = read_json(archive, f"evidence/item-{item.pk}/item.json")["evidence"]
    networking = read_json(archive, "networking.json")

    assert evidence["body"] == "I met Contact C2 at the forum."
    assert networking["guidelines"]["body"] == "Ask before sharing, as Contact C2 taught me."
    hidden = networking["contacts"][1]
    assert (hidden["name"], hidden["email"], hidden["phone"], hidden["identified"]) == ("", "", "", False)
    subjects = {entry["subject"] for entry in networking["reviews"][0]["entries"]}
    assert subjects == {"Priya Shah", "Contact C2, finance sector"}


def test_the_other_learners_archive_is_theirs_alone(world):
    archive = archive_of(world["bart"])
    everything = b"".join(archive.read(name) for name in archive.namelist()).decode(errors="replace")

    assert "Gideon Fairweather" in everything
    assert "Ada" not in everything and "Lovelace" not in everything and "Priya" not in everything
    assert read_json(archive, "decisions.json")["iqa_samples"] == []


def test_every_export_is_audited_by_keys_only(world):
    ada, admin = world["ada"], world["admin"]

    archive_of(ada, actor=admin)

    record = AuditRecord.objects.get(verb="privacy.subject_access_exported")
    assert record.actor_key == admin.audit_key
    assert record.learner_ref == ada.pk
    assert (record.object_type, record.object_id) == ("learners.learner", str(ada.pk))
    assert record.details == {"files": 1}
