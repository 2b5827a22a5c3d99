import uuid

import pytest
from django.core.files.storage import storages
from django.test import override_settings

from audit.models import AuditRecord
from common.errors import Frozen, NotAllowed, Refused
from portfolio.models import EvidenceFile, EvidenceItem
from portfolio.services import (
    EvidenceIsFrozen,
    FilesNotStored,
    add_evidence_files,
    create_evidence_item,
    delete_evidence_item,
    remove_evidence_file,
    return_evidence_item,
    set_evidence_mappings,
    submit_evidence_item,
    update_evidence_item,
)
from tests.factories import PDF_BYTES, UserFactory, pdf_upload
from tests.factories.moderation import png, upload
from tests.helpers import criteria_of, stored_names

pytestmark = pytest.mark.usefixtures("in_centre_a")


def new_item(learner, **content):
    fields = {"kind": "written_account", "title": "My account", "body": "I did it.", "details": {}}
    item, _ = create_evidence_item(
        learner=learner, actor=learner.user, creation_token=uuid.uuid4(), **(fields | content)
    )
    return item


def ready_item(enrolment, codes=("1.1",)):
    item = new_item(enrolment.learner)
    set_evidence_mappings(
        item=item,
        actor=None,
        claims={c.pk: f"Meets {c.code}" for c in criteria_of(enrolment.unit, *codes)},
    )
    return item


def test_the_same_creation_form_sent_twice_makes_one_item(learner):
    token = uuid.uuid4()
    fields = {"kind": "written_account", "title": "Once", "body": "Text", "details": {}}
    first, created = create_evidence_item(learner=learner, actor=None, creation_token=token, **fields)
    again, created_again = create_evidence_item(learner=learner, actor=None, creation_token=token, **fields)
    assert (created, created_again) == (True, False)
    assert first == again
    assert EvidenceItem.objects.filter(learner=learner).count() == 1


def test_each_kind_checks_what_an_assessor_needs(learner):
    with pytest.raises(Refused) as refused:
        new_item(learner, kind="witness_testimony", body="She ran the meeting well.", details={})
    assert "Witness’s name: This field is required." in refused.value.messages
    assert "Date witnessed: This field is required." in refused.value.messages

    with pytest.raises(Refused, match=r"The date cannot be in the future"):
        new_item(
            learner,
            kind="witness_testimony",
            details={
                "witness_name": "Sam Patel",
                "witness_role": "Manager",
                "relationship": "Line manager",
                "witnessed_on": "2999-01-01",
            },
        )
    item = new_item(
        learner,
        kind="witness_testimony",
        details={
            "witness_name": "Sam Patel",
            "witness_role": "Manager",
            "relationship": "Line manager",
            "witnessed_on": "2026-03-14",
        },
    )
    assert item.details["witnessed_on"] == "2026-03-14"


def test_mapping_to_a_unit_the_learner_is_not_enrolled_on_is_refused_and_keeps_what_was_there(
    enrolment, other_unit
):
    item = ready_item(enrolment, codes=("1.1",))
    (foreign,) = criteria_of(other_unit, "1.2")
    (own,) = criteria_of(enrolment.unit, "1.3")
    with pytest.raises(Refused, match=r"1.2 belongs to .*team meetings.*, a unit you are not enrolled on"):
        set_evidence_mappings(item=item, actor=None, claims={own.pk: "Also 1.3", foreign.pk: "Sneaky"})
    assert [m.criterion.code for m in item.mappings.all()] == ["1.1"]


def test_every_criterion_needs_a_note(enrolment):
    item = new_item(enrolment.learner)
    (criterion,) = criteria_of(enrolment.unit, "1.1")
    with pytest.raises(Refused, match=r"Say how this evidence meets 1.1"):
        set_evidence_mappings(item=item, actor=None, claims={criterion.pk: "   "})


def test_one_item_serves_several_criteria_and_remapping_replaces_them(enrolment):
    item = ready_item(enrolment, codes=("1.1", "1.3"))
    assert sorted(m.criterion.code for m in item.mappings.all()) == ["1.1", "1.3"]
    (criterion,) = criteria_of(enrolment.unit, "2.1")
    set_evidence_mappings(item=item, actor=None, claims={criterion.pk: "Now 2.1"})
    assert [(m.criterion.code, m.note) for m in item.mappings.all()] == [("2.1", "Now 2.1")]


def test_submitting_needs_the_declaration_a_criterion_and_for_files_a_file(enrolment):
    item = new_item(enrolment.learner, kind="files", body="")
    with pytest.raises(Refused) as refused:
        submit_evidence_item(item=item, actor=None, declared=False)
    assert refused.value.messages == [
        "Confirm the declaration that this is your own work.",
        "Map this evidence to at least one criterion before you submit it.",
        "Upload at least one file before you submit this evidence.",
    ]
    item.refresh_from_db()
    assert item.status == EvidenceItem.Status.DRAFT


def test_submission_freezes_the_item_with_the_learners_declaration(enrolment):
    item = ready_item(enrolment)
    add_evidence_files(item=item, actor=None, uploads=[pdf_upload("plan.pdf")])
    version = submit_evidence_item(item=item, actor=enrolment.learner.user, declared=True)

    assert version.number == 1
    assert version.declared_name == "Ada Lovelace"
    assert "my own work" in version.declaration
    assert version.snapshot["mappings"][0]["code"] == "1.1"
    assert version.snapshot["files"][0]["name"] == "plan.pdf"
    assert list(version.files.all()) == list(item.files.all())
    audit = AuditRecord.objects.get(verb="evidence.submitted")
    assert audit.actor_key == enrolment.learner.user.audit_key
    assert audit.details["version"] == 1

    for change in [
        lambda: update_evidence_item(item=item, actor=None, title="Changed", body="", details={}),
        lambda: add_evidence_files(item=item, actor=None, uploads=[pdf_upload("more.pdf", PDF_BYTES + b" ")]),
        lambda: remove_evidence_file(evidence_file=item.files.get(), actor=None),
        lambda: set_evidence_mappings(item=item, actor=None, claims={}),
        lambda: submit_evidence_item(item=item, actor=None, declared=True),
        lambda: delete_evidence_item(item=item, actor=None),
    ]:
        with pytest.raises(
            EvidenceIsFrozen, match=r"was submitted on .* cannot be changed unless your assessor"
        ):
            change()
    item.refresh_from_db()
    assert item.title == "My account" and item.files.count() == 1 and item.mappings.count() == 1


def test_returned_work_is_revised_and_resubmitted_keeping_every_version(enrolment):
    item = ready_item(enrolment)
    add_evidence_files(item=item, actor=None, uploads=[pdf_upload("first.pdf")])
    submit_evidence_item(item=item, actor=None, declared=True)
    first_file = item.files.get()

    with pytest.raises(NotAllowed, match=r"Only the learner’s allocated assessor"):
        return_evidence_item(item=item, actor=UserFactory(), reason="No")
    return_evidence_item(item=item, actor=enrolment.assessor, reason="Say more about 1.1.")
    item.refresh_from_db()
    assert item.status == EvidenceItem.Status.RETURNED and item.return_reason == "Say more about 1.1."

    update_evidence_item(item=item, actor=None, title="My account", body="I did it, and more.", details={})
    remove_evidence_file(evidence_file=first_file, actor=None)
    add_evidence_files(item=item, actor=None, uploads=[pdf_upload("second.pdf", PDF_BYTES + b"\n")])
    second = submit_evidence_item(item=item, actor=None, declared=True)

    assert second.number == 2
    first = item.versions.get(number=1)
    assert first.snapshot["body"] == "I did it." and second.snapshot["body"] == "I did it, and more."
    assert [f["name"] for f in first.snapshot["files"]] == ["first.pdf"]
    assert [f["name"] for f in second.snapshot["files"]] == ["second.pdf"]
    # The first version's file is off the draft but kept, in storage too, for that version.
    first_file.refresh_from_db()
    assert first_file.removed_at is not None
    assert storages["evidence"].exists(first_file.file.name)


def test_only_submitted_work_can_be_returned(enrolment):
    item = ready_item(enrolment)
    with pytest.raises(Refused, match=r"is not waiting for assessment"):
        return_evidence_item(item=item, actor=enrolment.assessor, reason="Too early")


def test_files_are_stored_under_generated_names_with_their_hash(enrolment):
    item = new_item(enrolment.learner)
    add_evidence_files(item=item, actor=None, uploads=[pdf_upload("../../etc/passwd.pdf")])
    stored = item.files.get()
    assert stored.original_name == "passwd.pdf"
    assert stored.file.name.startswith(f"centre-{item.centre_id}/") and stored.file.name.endswith(".pdf")
    assert "passwd" not in stored.file.name
    assert stored.sha256 == __import__("hashlib").sha256(PDF_BYTES).hexdigest()
    with stored.file.open("rb") as content:
        assert content.read() == PDF_BYTES


def test_one_bad_file_among_several_refuses_them_all_and_keeps_what_was_there(enrolment):
    item = new_item(enrolment.learner)
    add_evidence_files(item=item, actor=None, uploads=[pdf_upload("kept.pdf")])
    with pytest.raises(Refused) as refused:
        add_evidence_files(
            item=item,
            actor=None,
            uploads=[
                pdf_upload("fine.pdf", PDF_BYTES + b"%"),
                pdf_upload("empty.pdf", b""),
                pdf_upload("again.pdf"),
            ],
        )
    assert refused.value.messages == [
        "“empty.pdf” is empty (0 bytes). Check it is the file you meant and try again.",
        "“again.pdf” is already attached, as “kept.pdf”.",
    ]
    assert [f.original_name for f in item.files.all()] == ["kept.pdf"]


@override_settings(EVIDENCE_QUOTA_BYTES=len(PDF_BYTES) * 2 + 1)
def test_a_learner_cannot_store_more_than_their_quota(enrolment):
    item = new_item(enrolment.learner)
    add_evidence_files(
        item=item, actor=None, uploads=[pdf_upload("one.pdf"), pdf_upload("two.pdf", PDF_BYTES + b" ")]
    )
    with pytest.raises(Refused, match=r"over your limit of"):
        add_evidence_files(
            item=new_item(enrolment.learner), actor=None, uploads=[pdf_upload("three.pdf", PDF_BYTES + b"  ")]
        )


def test_removing_a_file_only_on_the_draft_deletes_it_from_storage(
    enrolment, django_capture_on_commit_callbacks
):
    item = new_item(enrolment.learner)
    add_evidence_files(item=item, actor=None, uploads=[pdf_upload("draft.pdf")])
    stored = item.files.get()
    with django_capture_on_commit_callbacks(execute=True):
        remove_evidence_file(evidence_file=stored, actor=None)
    assert not EvidenceFile.objects.filter(pk=stored.pk).exists()
    assert not storages["evidence"].exists(stored.file.name)


def test_a_draft_never_submitted_can_be_deleted_with_its_files(enrolment, django_capture_on_commit_callbacks):
    item = new_item(enrolment.learner)
    add_evidence_files(item=item, actor=None, uploads=[pdf_upload("draft.pdf")])
    name = item.files.get().file.name
    with django_capture_on_commit_callbacks(execute=True):
        delete_evidence_item(item=item, actor=None)
    assert not EvidenceItem.objects.filter(pk=item.pk).exists()
    assert not storages["evidence"].exists(name)


def test_returned_work_once_submitted_cannot_be_deleted(enrolment):
    item = ready_item(enrolment)
    submit_evidence_item(item=item, actor=None, declared=True)
    return_evidence_item(item=item, actor=enrolment.assessor, reason="Again")
    with pytest.raises(Frozen, match=r"has been submitted before, so it is kept"):
        delete_evidence_item(item=item, actor=None)


def test_a_criterion_with_evidence_cannot_leave_the_catalogue(enrolment):
    from units.selectors import criteria_in_use

    ready_item(enrolment, codes=("1.2",))
    assert [c.code for c in criteria_in_use(unit=enrolment.unit, except_codes=set())] == ["1.2"]


def test_images_are_made_ready_for_print_once_at_upload(enrolment, django_capture_on_commit_callbacks):
    import io

    from PIL import Image

    from tests.factories.moderation import png, upload

    item = new_item(enrolment.learner)
    add_evidence_files(
        item=item, actor=None, uploads=[upload("wide.png", png(size=(3200, 1200)), "image/png")]
    )
    stored = item.files.get()
    with stored.print_rendition.open("rb") as rendition:
        printable = Image.open(io.BytesIO(rendition.read()))
    assert printable.format == "JPEG" and printable.size == (1600, 600)
    assert stored.content_type == "image/png"  # the original is kept as uploaded, hash and all
    with django_capture_on_commit_callbacks(execute=True):
        remove_evidence_file(evidence_file=stored, actor=None)
    assert not storages["evidence"].exists(stored.print_rendition.name)


@pytest.mark.parametrize(
    ("uploads", "after"),
    [
        # The second of two PDFs is cut off partway.
        (lambda: [pdf_upload("one.pdf", PDF_BYTES + b"1"), pdf_upload("two.pdf", PDF_BYTES + b"2")], 1),
        # A photo is stored, and its print rendition cut off.
        (lambda: [upload("board.png", png(), "image/png")], 1),
    ],
)
def test_a_full_disk_stores_none_of_the_files_removes_the_partial_one_and_keeps_what_was_there(
    learner, disk_fills_up, uploads, after
):
    item = new_item(learner, kind="files", title="Team board", body="What the board shows.")
    add_evidence_files(item=item, actor=None, uploads=[pdf_upload("kept.pdf")])
    before = stored_names(storages["evidence"])
    attempted = disk_fills_up(after=after)

    with pytest.raises(FilesNotStored, match=r"could not be stored.*try again later"):
        add_evidence_files(item=item, actor=None, uploads=uploads())

    assert len(attempted) == after + 1
    assert stored_names(storages["evidence"]) == before
    item.refresh_from_db()
    assert (item.title, item.body) == ("Team board", "What the board shows.")
    assert [f.original_name for f in item.files.all()] == ["kept.pdf"]
    assert (
        not AuditRecord.objects.filter(verb="evidence.file_added", details__item=item.pk)
        .exclude(details__sha256=item.files.get().sha256)
        .exists()
    )
