"""What the portfolio's forms accept, and what a learner sees when a form names
something that is not theirs or not there."""

import pytest
from django.http import QueryDict
from django.urls import reverse

from common.scoping import centre_scope
from portfolio.forms import DownloadForm, EvidenceUploadForm, MapCriteriaForm
from portfolio.services import add_evidence_files, remove_evidence_file
from tests.factories import (
    PDF_BYTES,
    EvidenceItemFactory,
    pdf_upload,
)


def mapping(query: str) -> MapCriteriaForm:
    return MapCriteriaForm(QueryDict(query), item=None)


def test_ticked_criteria_come_with_their_notes():
    form = mapping("criteria=3&criteria=5&note-3=The+plan+I+wrote&note-5=")
    assert form.is_valid()
    assert form.cleaned_data["claims"] == {3: "The plan I wrote", 5: ""}
    assert form.ticked == {"3", "5"} and form.notes == {"3": "The plan I wrote", "5": ""}


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("criteria=abc", "“abc” is not a criterion."),
        ("criteria=%C2%B2", "“²” is not a criterion."),
        ("note-4=Shown+in+the+minutes", "You wrote a note for a criterion you did not tick"),
    ],
)
def test_a_mapping_that_cannot_be_read_says_why(query, problem):
    form = mapping(query)
    assert not form.is_valid()
    assert any(message.startswith(problem) for message in form.non_field_errors())


def test_a_blank_note_without_its_tick_is_no_problem():
    assert mapping("criteria=3&note-4=++").is_valid()


@pytest.mark.parametrize(
    ("query", "inline"), [("inline=1", True), ("", False), ("inline=0", False), ("inline=yes", False)]
)
def test_a_file_is_shown_inline_only_when_asked_with_1(query, inline):
    assert DownloadForm(QueryDict(query)).is_inline is inline


def test_a_file_of_another_of_your_items_or_one_removed_is_not_found(learner_client, learner, centre_a):
    first, second = EvidenceItemFactory(learner=learner), EvidenceItemFactory(learner=learner)
    with centre_scope(centre_a):
        (kept,) = add_evidence_files(item=first, actor=None, uploads=[pdf_upload("kept.pdf")])
        (gone,) = add_evidence_files(
            item=first, actor=None, uploads=[pdf_upload("gone.pdf", PDF_BYTES + b"g")]
        )
        kept_file, gone_file = first.files.get(sha256=kept.sha256), first.files.get(sha256=gone.sha256)
        gone_id = gone_file.pk
        remove_evidence_file(evidence_file=gone_file, actor=None)
    on_second = reverse("portfolio:remove_file", kwargs={"item_id": second.pk, "file_id": kept_file.pk})
    assert learner_client.post(on_second).status_code == 404
    removed = reverse("portfolio:remove_file", kwargs={"item_id": first.pk, "file_id": gone_id})
    assert learner_client.post(removed).status_code == 404
    with centre_scope(centre_a):
        assert first.files.filter(removed_at__isnull=True).get() == kept_file


def test_a_version_that_does_not_exist_is_not_found(learner_client, learner):
    item = EvidenceItemFactory(learner=learner)
    assert (
        learner_client.get(reverse("portfolio:version", kwargs={"item_id": item.pk, "number": 1})).status_code
        == 404
    )


def test_the_upload_hint_names_the_file_types_as_they_are_written():
    hint = EvidenceUploadForm.base_fields["files"].help_text
    assert hint.startswith("Choose one or more files: PDF, Word, Excel, PowerPoint, OpenDocument")
    assert "JPEG, PNG, GIF or WebP images" in hint
