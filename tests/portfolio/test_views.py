import re
import uuid

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from centre.models import Role
from common.scoping import centre_scope, scopes_disabled
from portfolio.models import EvidenceFile, EvidenceItem, EvidenceMapping
from portfolio.services import add_evidence_files, submit_evidence_item
from tests.factories import (
    PDF_BYTES,
    EnrolmentFactory,
    EvidenceItemFactory,
    LearnerFactory,
    MembershipFactory,
    pdf_upload,
    submitted_evidence,
)
from tests.helpers import criteria_of, grid_state


def scoped(centre, function, *args, **kwargs):
    with centre_scope(centre):
        return function(*args, **kwargs)


def create(client, title="My account", token=None, **fields):
    data = {"title": title, "body": "What I did.", "creation_token": token or uuid.uuid4(), **fields}
    return client.post(reverse("portfolio:create", kwargs={"kind": "written_account"}), data)


def test_learner_writes_maps_and_submits_and_the_grid_follows(learner_client, enrolment, centre_a):
    home = reverse("assessment:learner_home")
    page = learner_client.get(home).content.decode()
    assert grid_state(page, "1.1") == "No evidence yet"
    assert "Develop, maintain and review personal networks" in page

    response = create(learner_client)
    item = scoped(centre_a, lambda: EvidenceItem.objects.get())
    assert response.url == reverse("portfolio:evidence", kwargs={"item_id": item.pk})
    one_one, one_three = scoped(centre_a, criteria_of, enrolment.unit, "1.1", "1.3")
    response = learner_client.post(
        reverse("portfolio:map", kwargs={"item_id": item.pk}),
        {
            "criteria": [one_one.pk, one_three.pk],
            f"note-{one_one.pk}": "Benefits",
            f"note-{one_three.pk}": "Privacy",
        },
    )
    assert response.status_code == 302
    page = learner_client.get(home).content.decode()
    assert grid_state(page, "1.1") == "Evidence in draft" and grid_state(page, "1.3") == "Evidence in draft"
    assert grid_state(page, "1.2") == "No evidence yet"

    refused = learner_client.post(reverse("portfolio:submit", kwargs={"item_id": item.pk}), {})
    assert refused.status_code == 400
    assert "Confirm the declaration that this is your own work." in refused.content.decode()
    learner_client.post(reverse("portfolio:submit", kwargs={"item_id": item.pk}), {"declared": "on"})
    page = learner_client.get(home).content.decode()
    assert grid_state(page, "1.1") == "Submitted" and grid_state(page, "1.3") == "Submitted"
    assert "My account" in page


def test_a_form_submitted_twice_makes_one_item(learner_client, learner, centre_a):
    token = uuid.uuid4()
    first = create(learner_client, token=token)
    second = learner_client.post(
        reverse("portfolio:create", kwargs={"kind": "written_account"}),
        {"title": "My account", "body": "What I did.", "creation_token": token},
        follow=True,
    )
    assert "was already saved; it has not been saved twice" in second.content.decode()
    assert first.url == second.redirect_chain[0][0]
    assert scoped(centre_a, lambda: EvidenceItem.objects.filter(learner=learner).count()) == 1


def test_bad_evidence_form_keeps_what_was_typed(learner_client):
    response = create(learner_client, title="", body="A long account I must not lose.")
    page = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in page
    assert "A long account I must not lose." in page


def test_another_learners_item_is_not_found_at_any_of_its_addresses(learner_client, enrolment, centre_a):
    other = EnrolmentFactory(learner=LearnerFactory(centre=centre_a), unit=enrolment.unit)
    item = scoped(centre_a, submitted_evidence, other, title="Someone else’s")
    file_id = scoped(centre_a, lambda: item.files.get().pk)
    ids = {"item_id": item.pk}
    for name in ["evidence", "edit", "map", "submit", "delete"]:
        path = reverse(f"portfolio:{name}", kwargs=ids)
        assert learner_client.get(path).status_code == 404, name
        assert learner_client.post(path, {"title": "Mine now", "declared": "on"}).status_code == 404, name
    assert (
        learner_client.post(reverse("portfolio:upload", kwargs=ids), {"files": pdf_upload()}).status_code
        == 404
    )
    assert learner_client.get(reverse("portfolio:version", kwargs={**ids, "number": 1})).status_code == 404
    remove = reverse("portfolio:remove_file", kwargs={**ids, "file_id": file_id})
    assert learner_client.post(remove).status_code == 404
    assert learner_client.get(reverse("portfolio:file", kwargs={"file_id": file_id})).status_code == 404
    item.refresh_from_db()
    assert item.title == "Someone else’s"


def test_editing_after_submission_is_refused_with_the_reason(learner_client, enrolment, centre_a):
    item = scoped(centre_a, submitted_evidence, enrolment, title="Frozen")
    edit = reverse("portfolio:edit", kwargs={"item_id": item.pk})
    response = learner_client.get(edit, follow=True)
    assert "cannot be changed unless your assessor returns it to you" in response.content.decode()
    response = learner_client.post(edit, {"title": "Thawed", "body": "x"}, follow=True)
    assert "cannot be changed unless your assessor returns it to you" in response.content.decode()
    for name in ["map", "submit"]:
        page = learner_client.post(reverse(f"portfolio:{name}", kwargs={"item_id": item.pk}), follow=True)
        assert "cannot be changed" in page.content.decode()
    upload = learner_client.post(
        reverse("portfolio:upload", kwargs={"item_id": item.pk}),
        {"files": pdf_upload("new.pdf", PDF_BYTES + b"1")},
    )
    assert "cannot be changed unless your assessor" in upload.content.decode()
    item.refresh_from_db()
    assert item.title == "Frozen" and scoped(centre_a, item.files.count) == 1


def test_a_refused_upload_says_why_and_keeps_the_files_already_there(learner_client, learner, centre_a):
    item = EvidenceItemFactory(learner=learner, kind="files")
    scoped(centre_a, add_evidence_files, item=item, actor=None, uploads=[pdf_upload("kept.pdf")])
    upload = reverse("portfolio:upload", kwargs={"item_id": item.pk})
    with open("/bin/ls", "rb") as program:
        response = learner_client.post(upload, {"files": [pdf_upload("invoice.pdf", program.read())]})
    page = response.content.decode()
    assert response.status_code == 400
    assert "“invoice.pdf” is a program, not a document" in page
    assert "kept.pdf" in page
    with override_settings(EVIDENCE_FILE_MAX_BYTES=100):
        page = learner_client.post(upload, {"files": [pdf_upload("big.pdf")]}).content.decode()
    assert "“big.pdf” is 1" in page and "a file can be at most 100" in page
    assert [f.original_name for f in scoped(centre_a, item.files.all)] == ["kept.pdf"]


def test_several_files_go_up_at_once(learner_client, learner, centre_a):
    item = EvidenceItemFactory(learner=learner, kind="files")
    response = learner_client.post(
        reverse("portfolio:upload", kwargs={"item_id": item.pk}),
        {"files": [pdf_upload("one.pdf"), pdf_upload("two.pdf", PDF_BYTES + b" ")]},
        follow=True,
    )
    assert "Uploaded “one.pdf”, “two.pdf”." in response.content.decode()


def test_mapping_a_criterion_of_another_unit_is_refused_and_the_form_kept(
    learner_client, enrolment, other_unit, centre_a
):
    item = EvidenceItemFactory(learner=enrolment.learner)
    (own,) = scoped(centre_a, criteria_of, enrolment.unit, "1.1")
    (foreign,) = scoped(centre_a, criteria_of, other_unit, "1.1")
    response = learner_client.post(
        reverse("portfolio:map", kwargs={"item_id": item.pk}),
        {"criteria": [own.pk, foreign.pk], f"note-{own.pk}": "My note", f"note-{foreign.pk}": "Theirs"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert (
        "1.1 belongs to “Develop, maintain and review team meetings”, a unit you are not enrolled on." in page
    )
    assert "My note" in page
    assert not scoped(centre_a, item.mappings.exists)


def test_a_note_without_its_tick_is_pointed_out(learner_client, enrolment, centre_a):
    item = EvidenceItemFactory(learner=enrolment.learner)
    (own,) = scoped(centre_a, criteria_of, enrolment.unit, "1.2")
    response = learner_client.post(
        reverse("portfolio:map", kwargs={"item_id": item.pk}), {f"note-{own.pk}": "Hmm"}
    )
    assert "You wrote a note for a criterion you did not tick" in response.content.decode()


def test_learner_text_is_sanitised(learner_client, learner):
    item = EvidenceItemFactory(
        learner=learner,
        body='**Bold** <script>alert(1)</script> <img src="file:///etc/passwd"> [link](javascript:alert(1))',
    )
    page = learner_client.get(reverse("portfolio:evidence", kwargs={"item_id": item.pk})).content.decode()
    assert "<strong>Bold</strong>" in page
    assert "<script>alert" not in page and "file:///etc/passwd" not in page and "javascript:" not in page


def test_files_download_as_sandboxed_attachments(learner_client, enrolment, centre_a):
    item = scoped(centre_a, submitted_evidence, enrolment, file_name="plan.pdf")
    evidence_file = scoped(centre_a, item.files.get)
    response = learner_client.get(reverse("portfolio:file", kwargs={"file_id": evidence_file.pk}))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"] == 'attachment; filename="plan.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "no-store" in response["Cache-Control"]


def test_staff_see_submitted_files_only_and_only_of_their_learners(client, enrolment, centre_a):
    submitted = scoped(centre_a, submitted_evidence, enrolment, file_name="submitted.pdf")
    draft = EvidenceItemFactory(learner=enrolment.learner)
    scoped(
        centre_a,
        add_evidence_files,
        item=draft,
        actor=None,
        uploads=[pdf_upload("draft.pdf", PDF_BYTES + b"d")],
    )
    submitted_file, draft_file = scoped(centre_a, lambda: (submitted.files.get(), draft.files.get()))
    other_assessor = MembershipFactory(centre=centre_a, role=Role.ASSESSOR).user
    iqa = MembershipFactory(centre=centre_a, role=Role.IQA).user
    for person, may_see_submitted in [(enrolment.assessor, True), (iqa, True), (other_assessor, False)]:
        client.force_login(person)
        status = client.get(reverse("portfolio:file", kwargs={"file_id": submitted_file.pk})).status_code
        assert status == (200 if may_see_submitted else 404), person
        assert client.get(reverse("portfolio:file", kwargs={"file_id": draft_file.pk})).status_code == 404


def test_version_page_shows_what_changed(learner_client, enrolment, centre_a):
    from portfolio.services import return_evidence_item, update_evidence_item

    item = scoped(centre_a, submitted_evidence, enrolment, title="Networking")
    scoped(centre_a, return_evidence_item, item=item, actor=enrolment.assessor, reason="More on benefits")
    scoped(
        centre_a,
        update_evidence_item,
        item=item,
        actor=None,
        title="Networking",
        body="Benefits: many.",
        details={},
    )
    scoped(centre_a, submit_evidence_item, item=item, actor=None, declared=True)
    page = learner_client.get(
        reverse("portfolio:version", kwargs={"item_id": item.pk, "number": 2})
    ).content.decode()
    assert "Changed since version 1" in page
    assert '<del><span class="visually-hidden">Removed: </span>What I did, and how.</del>' in page
    assert '<ins><span class="visually-hidden">Added: </span>Benefits: many.</ins>' in page


def many_items(learner, enrolment, count=200):
    criteria = list(enrolment.unit.learning_outcomes.all()[0].criteria.all())
    with scopes_disabled():
        items = EvidenceItem.objects.bulk_create(
            EvidenceItemFactory.build(learner=learner, centre=learner.centre, title=f"Item {n}")
            for n in range(count)
        )
        EvidenceMapping.objects.bulk_create(
            EvidenceMapping(
                centre=learner.centre, item=item, enrolment=enrolment, criterion=criterion, note="n"
            )
            for item in items
            for criterion in criteria
        )
        EvidenceFile.objects.bulk_create(
            EvidenceFile(
                centre=learner.centre,
                item=item,
                file=f"centre-{learner.centre_id}/{n}.pdf",
                original_name=f"{n}.pdf",
                content_type="application/pdf",
                size=10,
                sha256="0" * 64,
            )
            for n, item in enumerate(items)
        )
    return items


def test_portfolio_pages_run_a_bounded_number_of_queries(
    learner_client, learner, enrolment, django_assert_max_num_queries
):
    items = many_items(learner, enrolment)
    scoped(enrolment.centre, submit_evidence_item, item=items[0], actor=None, declared=True)
    pages = [
        reverse("assessment:learner_home"),
        reverse("portfolio:evidence_list"),
        reverse("portfolio:evidence", kwargs={"item_id": items[0].pk}),
        reverse("portfolio:map", kwargs={"item_id": items[1].pk}),
        reverse("portfolio:submit", kwargs={"item_id": items[1].pk}),
    ]
    for page in pages:
        with django_assert_max_num_queries(15):
            response = learner_client.get(page)
        assert response.status_code == 200, page
    listed = learner_client.get(reverse("portfolio:evidence_list")).content.decode()
    assert len(re.findall(r'<th scope="row"><a href="/portfolio/evidence/\d+/">Item \d+</a>', listed)) == 200
    home = learner_client.get(reverse("assessment:learner_home")).content.decode()
    assert grid_state(home, "1.1") == "Submitted"
    assert home.count(">Item 7</a>") == len(enrolment.unit.learning_outcomes.all()[0].criteria.all())


def test_digits_other_than_ascii_are_refused_not_a_server_error(learner_client, enrolment):
    item = EvidenceItemFactory(learner=enrolment.learner)
    response = learner_client.post(reverse("portfolio:map", kwargs={"item_id": item.pk}), {"criteria": ["²"]})
    assert response.status_code == 400 and "“²” is not a criterion." in response.content.decode()
    learner_client.force_login(enrolment.assessor)
    assert learner_client.get(reverse("assessment:caseload"), {"unit": "²"}).status_code == 200


def test_a_full_disk_says_try_again_later_and_keeps_the_item_and_its_files(
    learner_client, learner, centre_a, disk_fills_up
):
    item = EvidenceItemFactory(
        learner=learner, kind="files", title="Team board", body="What the board shows."
    )
    scoped(centre_a, add_evidence_files, item=item, actor=None, uploads=[pdf_upload("kept.pdf")])
    disk_fills_up(after=0)

    response = learner_client.post(
        reverse("portfolio:upload", kwargs={"item_id": item.pk}),
        {"files": [pdf_upload("new.pdf", PDF_BYTES + b"n")]},
    )

    page = response.content.decode()
    assert response.status_code == 503
    assert "could not be stored" in page and "try again later" in page
    assert "Team board" in page and "kept.pdf" in page
    assert [f.original_name for f in scoped(centre_a, item.files.all)] == ["kept.pdf"]


def test_the_portfolio_home_reads_a_fixed_number_of_queries(
    learner_client, learner, enrolment, django_assert_max_num_queries
):
    """The learner's home: the request's own reads (session, account, roles, second
    factor), then the learner, their enrolments with each unit and its guidance, the
    units' outcomes and criteria, the standing decisions, the mapped items, the
    sign-offs and whether they keep networking records: no more with 200 items mapped
    to every criterion of an outcome than with 3."""
    home = reverse("assessment:learner_home")
    many_items(learner, enrolment, count=3)
    learner_client.get(home)
    with CaptureQueriesContext(connection) as few:
        learner_client.get(home)
    many_items(learner, enrolment, count=200)
    with django_assert_max_num_queries(min(len(few.captured_queries), 12)):
        response = learner_client.get(home)
    assert response.status_code == 200
