import datetime
import hashlib
import io
import re
import zipfile

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from weasyprint import HTML

from audit.models import AuditRecord
from centre.models import Role
from centre.services import set_offered_units
from common.scoping import centre_scope
from iqa.services import record_sample_verdict
from moderation.bundle import anchors, recover_stalled_renders
from moderation.bundle.render import BundleFetcher
from moderation.models import BundleRender, ModeratorAccess
from moderation.services import (
    SampleRefused,
    create_moderation_sample,
    grant_moderator_access,
    revoke_moderator_access,
    suggested_moderation_sample,
)
from tests.factories import UserFactory
from tests.factories.moderation import two_page_pdf, upload
from tests.helpers import member, sampled_by_iqa, signed_off_learner


@pytest.fixture
def ask_for_bundle(moderator_client, sample, django_capture_on_commit_callbacks):
    """Ask for the sample's bundle as the moderator; the render runs as the request's
    transaction commits, as the worker would run it."""

    def ask(follow=True):
        with django_capture_on_commit_callbacks(execute=True):
            return moderator_client.post(
                reverse("moderation:request_bundle", kwargs={"sample_id": sample.pk}), follow=follow
            )

    return ask


def test_suggested_sample_is_a_tenth_but_at_least_five_across_every_assessor(centre_a, seed_unit):
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    with centre_scope(centre_a):
        tom, ria = member(centre_a, Role.ASSESSOR), member(centre_a, Role.ASSESSOR)
        for n in range(7):
            signed_off_learner(
                centre=centre_a, unit=seed_unit, assessor=[tom, ria][n % 2], candidate_number=f"{n:04d}"
            )
        suggested = suggested_moderation_sample(centre=centre_a, unit=seed_unit)
    assert len(suggested) == 5
    assert {e.assessor_id for e in suggested} == {tom.pk, ria.pk}


def test_a_learner_under_an_open_iqa_action_cannot_be_sampled(cohort, admin, centre_a, seed_unit):
    with centre_scope(centre_a):
        iqa = member(centre_a, Role.IQA)
        iqa_sample = sampled_by_iqa(cohort[2], iqa=iqa)
        record_sample_verdict(
            sample=iqa_sample, iqa=iqa, verdict="disagree", comments="", actions=["Redo 2.1"]
        )
        assert cohort[2].pk not in {
            e.pk for e in suggested_moderation_sample(centre=centre_a, unit=seed_unit)
        }
        with pytest.raises(SampleRefused, match="under an open IQA action"):
            create_moderation_sample(
                centre=centre_a, unit=seed_unit, actor=admin, enrolment_ids=[cohort[2].pk]
            )
        with pytest.raises(SampleRefused):
            create_moderation_sample(centre=centre_a, unit=seed_unit, actor=admin, enrolment_ids=[])


def test_moderator_is_invited_with_sign_in_instructions(moderator_client):
    message = mail.outbox[-1]
    assert message.to == ["morag@ocr.example"]
    assert "read-only access to its moderation sample" in message.body
    assert "sign in at http://" in message.body or "go to http://" in message.body


def test_moderator_sees_only_the_sampled_learners_read_only_and_every_view_is_audited(
    moderator_client, sample, cohort, centre_a
):
    page = moderator_client.get(
        reverse("moderation:sample", kwargs={"sample_id": sample.pk})
    ).content.decode()
    assert cohort[0].learner.last_name in page and cohort[1].learner.last_name in page
    assert cohort[2].learner.last_name not in page
    outside = reverse("moderation:candidate", kwargs={"sample_id": sample.pk, "enrolment_id": cohort[2].pk})
    assert moderator_client.get(outside).status_code == 404
    inside = reverse("moderation:candidate", kwargs={"sample_id": sample.pk, "enrolment_id": cohort[0].pk})
    page = moderator_client.get(inside).content.decode()
    assert "Unit recording sheet" in page and "plan.pdf" in page
    with centre_scope(centre_a):
        file_id = cohort[0].learner.evidence_items.get().files.get(original_name="plan.pdf").pk
    download = moderator_client.get(
        reverse("moderation:file", kwargs={"sample_id": sample.pk, "file_id": file_id})
    )
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    with centre_scope(centre_a):
        verbs = list(
            AuditRecord.objects.filter(actor_key=moderator_client.access.moderator.audit_key).values_list(
                "verb", flat=True
            )
        )
    assert verbs == ["moderation.sample_viewed", "moderation.learner_viewed", "moderation.file_downloaded"]
    with centre_scope(centre_a):
        filed = list(
            AuditRecord.objects.filter(actor_key=moderator_client.access.moderator.audit_key)
            .order_by("sequence")
            .values_list("learner_ref", "unit_ref")
        )
    # Filed under the unit, and the learner whose work was opened: the trail read learner
    # by learner shows the moderator saw it.
    learner = cohort[0].learner_id
    assert filed == [(None, sample.unit_id), (learner, sample.unit_id), (learner, sample.unit_id)]
    # Read-only: no assessment, sign-off or portfolio page will take a change from them.
    for path in [
        reverse("assessment:sign_off_unit", kwargs={"enrolment_id": cohort[0].pk}),
        reverse("assessment:enrolment", kwargs={"enrolment_id": cohort[0].pk}),
        reverse("portfolio:file", kwargs={"file_id": file_id}),
        reverse("moderation:manage_sample", kwargs={"sample_id": sample.pk}),
    ]:
        assert moderator_client.post(path, {"declared": "on"}).status_code in {403, 404}


def test_access_ends_at_its_time_even_mid_session_and_when_revoked(moderator_client, sample, admin, centre_a):
    """A session opened while the moderator had access is ended when it expires, and again
    when a later grant is revoked: they are signed out, not merely refused."""
    path = reverse("moderation:sample", kwargs={"sample_id": sample.pk})
    sign_in_again = f"{reverse('login')}?next={path}"
    assert moderator_client.get(path).status_code == 200
    with centre_scope(centre_a):
        ModeratorAccess.objects.filter(pk=moderator_client.access.pk).update(
            expires_at=timezone.now() - datetime.timedelta(seconds=1)
        )
    response = moderator_client.get(path)
    assert response.status_code == 302 and response.url == sign_in_again
    with centre_scope(centre_a):
        access = grant_moderator_access(sample=sample, actor=admin, email="morag@ocr.example")
    assert moderator_client.get(path).status_code == 302  # that session stays ended
    moderator_client.force_login(access.moderator)
    assert moderator_client.get(path).status_code == 200
    with centre_scope(centre_a):
        revoke_moderator_access(access=access, actor=admin)
    assert moderator_client.get(path).url == sign_in_again
    moderator_client.force_login(access.moderator)
    assert moderator_client.get(path).url == sign_in_again


def test_only_a_centre_admin_grants_access(sample, centre_a):
    with centre_scope(centre_a), pytest.raises(Exception, match="Only a centre admin"):
        grant_moderator_access(sample=sample, actor=UserFactory(), email="x@example.org")


def rendered_files(client, sample, render_id):
    base = {"sample_id": sample.pk, "render_id": render_id}
    pdf = client.get(reverse("moderation:bundle_download", kwargs={**base, "kind": "pdf"}))
    archive = client.get(reverse("moderation:bundle_download", kwargs={**base, "kind": "zip"}))
    return b"".join(pdf.streaming_content), b"".join(archive.streaming_content)


def test_the_bundle_is_complete_and_checkable(moderator_client, ask_for_bundle, sample, cohort, centre_a):
    page = moderator_client.get(ask_for_bundle(follow=False).url).content.decode()
    assert "Download the bundle (PDF" in page
    with centre_scope(centre_a):
        bundle = BundleRender.objects.get()
    pdf, archive = rendered_files(moderator_client, sample, bundle.pk)
    reader = PdfReader(io.BytesIO(pdf))
    text = [page.extract_text() for page in reader.pages]
    assert (
        "Northgate College" in text[0] and "R/600/9587" in text[0] and "0001" in text[0] and "0002" in text[0]
    )
    assert all(f"Page {n} of {len(reader.pages)}" in page for n, page in enumerate(text, start=1))
    everything = " ".join("\n".join(text).split())
    for code in ["1.1", "1.2", "1.3", "2.1", "3.1"]:
        assert code in everything
    assert "Page two of Networking plan" in everything  # the learner's PDF, appended in place
    assert "locked.pdf" in everything and "attached separately in the ZIP: it is encrypted" in everything
    outline = [entry.title for entry in reader.outline if not isinstance(entry, list)]
    assert outline[0] == "Cover" and "Candidate 0001" in outline[1] and outline[-1] == "Manifest"
    nested = {entry.title: entry for entry in reader.outline if isinstance(entry, list) for entry in entry}
    evidence_page = reader.get_destination_page_number(nested["0001: Evidence of 0001 (version 1)"]) + 1
    sheet = next(t for t in text if "Candidate 0001:" in t and "Unit recording sheet" in t)
    assert f"p. {evidence_page}" in sheet  # the reference names the page the evidence is on
    with zipfile.ZipFile(io.BytesIO(archive)) as files:
        manifest = __import__("json").loads(files.read("manifest.json"))
        assert {entry["name"] for entry in manifest} == {"event.png", "plan.pdf", "locked.pdf"}
        for entry in manifest:
            assert hashlib.sha256(files.read(entry["path"])).hexdigest() == entry["sha256"]
            assert entry["sha256"] in everything
            # A photo and PDFs are compressed already: stored as they are, not deflated again.
            assert files.getinfo(entry["path"]).compress_type == zipfile.ZIP_STORED
        assert files.getinfo("manifest.json").compress_type == zipfile.ZIP_DEFLATED
        assert files.getinfo("manifest.csv").compress_type == zipfile.ZIP_DEFLATED


def test_two_requests_give_one_render(ask_for_bundle, centre_a):
    first, second = ask_for_bundle(follow=False), ask_for_bundle(follow=False)
    assert first.url == second.url
    with centre_scope(centre_a):
        assert BundleRender.objects.count() == 1
        assert AuditRecord.objects.filter(verb="moderation.bundle_rendered").count() == 1


def test_a_failed_render_says_why_and_can_be_retried(moderator_client, ask_for_bundle, centre_a, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr("moderation.bundle.jobs.render_bundle", broken)
    first = ask_for_bundle(follow=False)
    page = moderator_client.get(first.url).content.decode()
    assert "The bundle could not be made" in page and "the disk is full" in page and "Try again" in page
    monkeypatch.undo()
    ask_for_bundle(follow=False)
    assert "Download the bundle (PDF" in moderator_client.get(first.url).content.decode()
    with centre_scope(centre_a):
        assert BundleRender.objects.get().attempts == 2


def test_a_render_whose_worker_died_is_picked_up_again_and_nothing_half_written_is_served(
    moderator_client, sample, centre_a, django_capture_on_commit_callbacks
):
    with centre_scope(centre_a):
        bundle = BundleRender.objects.create(
            centre=centre_a,
            sample=sample,
            fingerprint="killed",
            requested_at=timezone.now(),
            status=BundleRender.Status.RUNNING,
            heartbeat_at=timezone.now() - datetime.timedelta(minutes=10),
            attempts=1,
        )
    download = reverse(
        "moderation:bundle_download", kwargs={"sample_id": sample.pk, "render_id": bundle.pk, "kind": "pdf"}
    )
    assert moderator_client.get(download).status_code == 404
    with centre_scope(centre_a):
        with django_capture_on_commit_callbacks(execute=True):
            assert recover_stalled_renders(centre=centre_a) == 1
        bundle.refresh_from_db()
    assert bundle.status == BundleRender.Status.DONE and bundle.attempts == 2
    assert moderator_client.get(download).status_code == 200


def test_the_renderer_fetches_nothing_but_the_bundle(tmp_path):
    fetcher = BundleFetcher(resources={})
    hostile = """
        <html><head>
        <link rel="stylesheet" href="http://example.com/steal.css">
        <style>@import url("file:///etc/passwd");
        body { background: url("http://example.com/pixel.png"); }</style>
        </head><body>
        <img src="file:///etc/passwd"><img src="http://example.com/a.png">
        <img src="../../../../etc/passwd"><img src="files/../../../etc/passwd"><img src="files/1.jpg">
        <object data="file:///etc/hostname"></object>
        <a href="file:///etc/passwd">attachment</a>
        </body></html>
    """
    pdf = HTML(string=hostile, base_url="bundle:", url_fetcher=fetcher).write_pdf()
    assert b"root:x:0:0" not in pdf
    assert "file:///etc/passwd" in fetcher.requested and "http://example.com/steal.css" in fetcher.requested
    assert "../../../../etc/passwd" in fetcher.requested and "files/1.jpg" in fetcher.requested
    for url in list(fetcher.requested):
        with pytest.raises(ValueError, match="does not fetch"):
            fetcher.fetch(url)


def test_learner_text_reaches_the_renderer_without_anything_to_fetch(sample, centre_a):
    from moderation.bundle import render_bundle
    from moderation.selectors import candidates_of

    with centre_scope(centre_a):
        rendered = render_bundle(sample=sample, candidates=candidates_of(sample=sample))
    assert all(url == anchors.STYLESHEET_URL or anchors.parse_file_url(url) for url in rendered.fetched)
    assert len([url for url in rendered.fetched if anchors.parse_file_url(url)]) == 1  # the photo


def test_export_bundle_writes_the_pdf_and_the_zip(sample, tmp_path, capsys):
    output = tmp_path / "bundle.pdf"
    call_command(
        "export_bundle",
        "--centre",
        "10001",
        "--unit",
        "R/600/9587",
        "--candidates",
        "0002",
        "--output",
        str(output),
    )
    reader = PdfReader(output)
    cover = reader.pages[0].extract_text()
    assert re.findall(r"\b(0\d{3})\b", cover) == ["0002"] and "p. 2" in cover
    assert (tmp_path / "bundle.zip").exists()
    assert "Wrote" in capsys.readouterr().out
    with pytest.raises(Exception, match="Not in the sample: candidate 0003"):
        call_command(
            "export_bundle",
            "--centre",
            "10001",
            "--unit",
            "R/600/9587",
            "--candidates",
            "0003",
            "--output",
            str(output),
        )


@time_machine.travel("2026-12-04 09:30", tick=False)  # the cover's "Produced" time, the same twice
def test_export_bundle_html_writes_what_the_renderer_lays_out_with_its_files(
    sample, centre_a, tmp_path, capsys
):
    from moderation.bundle import render_bundle
    from moderation.bundle.appendices import appended_pdfs
    from moderation.bundle.render import bundle_html
    from moderation.selectors import candidates_of

    folder = tmp_path / "html"
    call_command("export_bundle", "--centre", "10001", "--unit", "R/600/9587", "--html", str(folder))
    assert f"Wrote {folder / 'bundle.html'} (2 candidates)" in capsys.readouterr().out
    assert not list(tmp_path.glob("*.pdf"))  # the HTML alone: nothing rendered
    with centre_scope(centre_a):
        candidates = candidates_of(sample=sample)
        files = {f.pk: f for candidate in candidates for f in candidate.files}
        html = bundle_html(sample=sample, candidates=candidates, pdfs=appended_pdfs(files))
        rendered = render_bundle(sample=sample, candidates=candidates)
    assert (folder / "bundle.html").read_text(encoding="utf-8") == html

    # Beside it, under the names the HTML gives: the stylesheet, and the photo as printed.
    assert (folder / anchors.STYLESHEET_URL).read_bytes() == (
        settings.BASE_DIR / "static/css/bundle.css"
    ).read_bytes()
    [photo_url] = [url for url in re.findall(r'<img src="([^"]+)"', html) if anchors.parse_file_url(url)]
    photo = files[anchors.parse_file_url(photo_url)]
    with (photo.print_rendition or photo.file).open("rb") as printed:
        assert (folder / photo_url).read_bytes() == printed.read()
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == sorted(
        ["bundle.html", anchors.STYLESHEET_URL, photo_url]
    )
    # Laid out from the folder by plain WeasyPrint, it is the bundle's length: the learners'
    # PDFs, drawn in afterwards, have their pages kept in it.
    assert len(HTML(filename=folder / "bundle.html").render().pages) == rendered.pages
    with centre_scope(centre_a):
        assert AuditRecord.objects.filter(verb="moderation.bundle_html_exported").count() == 1


def test_export_bundle_says_what_it_needs_to_write(sample, tmp_path):
    arguments = ["export_bundle", "--centre", "10001", "--unit", "R/600/9587"]
    with pytest.raises(CommandError, match=r"Give --output PATH\.pdf for the bundle, --html DIRECTORY"):
        call_command(*arguments)
    taken = tmp_path / "notes.txt"
    taken.write_text("Mine.")
    with pytest.raises(CommandError, match=r"--html must name a directory: .* is a file"):
        call_command(*arguments, "--html", str(taken))
    assert taken.read_text() == "Mine."


def hostile_pdf() -> bytes:
    """A two-page PDF that runs JavaScript on opening, launches a program from a link on
    its first page and carries an embedded file."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(two_page_pdf("Hostile"))))
    writer.add_attachment("payload.exe", b"MZ evil")
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('pwned');"),
        }
    )
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (0, 0, 100, 100)]),
            NameObject("/A"): DictionaryObject(
                {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}
            ),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    content = io.BytesIO()
    writer.write(content)
    assert b"/Launch" in content.getvalue() and b"/JavaScript" in content.getvalue()
    return content.getvalue()


def test_learner_pdfs_lose_scripts_launch_actions_and_embedded_files_and_broken_ones_are_attached(
    centre_a, seed_unit, admin
):
    from moderation.bundle import render_bundle
    from moderation.selectors import candidates_of

    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    with centre_scope(centre_a):
        assessor = member(centre_a, Role.ASSESSOR)
        enrolment = signed_off_learner(
            centre=centre_a,
            unit=seed_unit,
            assessor=assessor,
            candidate_number="0009",
            files=[
                upload("hostile.pdf", hostile_pdf(), "application/pdf"),
                upload("broken.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 50, "application/pdf"),
            ],
        )
        sample = create_moderation_sample(
            centre=centre_a, unit=seed_unit, actor=admin, enrolment_ids=[enrolment.pk]
        )
        rendered = render_bundle(sample=sample, candidates=candidates_of(sample=sample))
    for marker in [b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFiles", b"calc.exe", b"pwned"]:
        assert marker not in rendered.pdf
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(rendered.pdf)).pages).split())
    assert "Page two of Hostile" in text
    assert "broken.pdf" in text and "attached separately in the ZIP: it could not be read" in text
    with zipfile.ZipFile(io.BytesIO(rendered.archive)) as archive:
        assert any(name.endswith("broken.pdf") for name in archive.namelist())


def test_a_big_bundle_is_also_offered_in_labelled_parts_split_between_candidates(
    moderator_client, ask_for_bundle, sample, centre_a, settings
):
    from moderation.bundle import render_bundle
    from moderation.selectors import candidates_of

    with centre_scope(centre_a):
        whole = render_bundle(sample=sample, candidates=candidates_of(sample=sample))
    first_candidate = whole.candidate_pages[0]
    # Well under the whole, which the render the page asks for may differ from by a few bytes.
    settings.BUNDLE_PART_MAX_BYTES = int(len(whole.pdf) * 0.95)
    page = moderator_client.get(ask_for_bundle(follow=False).url).content.decode()
    assert "For sending by email" in page and "Part 2 of 2" in page
    with centre_scope(centre_a):
        bundle = BundleRender.objects.get()
    base = {"sample_id": sample.pk, "render_id": bundle.pk}
    parts = [
        PdfReader(
            io.BytesIO(
                b"".join(
                    moderator_client.get(
                        reverse("moderation:bundle_download", kwargs={**base, "kind": f"part-{n}"})
                    ).streaming_content
                )
            )
        )
        for n in (1, 2)
    ]
    assert sum(len(part.pages) for part in parts) == whole.pages
    assert len(parts[0].pages) == first_candidate[2] + 1  # the cover with the whole first candidate
    assert (
        "Part 1 of 2" in parts[0].pages[-1].extract_text()
        and "Part 2 of 2" in parts[1].pages[0].extract_text()
    )
    assert "Candidate 0002" in parts[1].pages[0].extract_text()


def test_with_the_database_worker_a_watchdog_follows_each_render(
    sample, moderator_client, centre_a, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from moderation.bundle import request_bundle, watch_render
    from moderation.bundle.jobs import STALLED_AFTER

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with centre_scope(centre_a):
        with django_capture_on_commit_callbacks(execute=True):
            bundle = request_bundle(sample=sample, actor=moderator_client.access.moderator)
        queued = {result.task_path.rsplit(".", 1)[1]: result for result in DBTaskResult.objects.all()}
        assert set(queued) == {"render_moderation_bundle", "watch_bundle_render"}
        assert queued["watch_bundle_render"].run_after > timezone.now() + STALLED_AFTER / 2
        # The worker died mid-render: the watchdog queues the render again.
        BundleRender.objects.filter(pk=bundle.pk).update(
            status="running", heartbeat_at=timezone.now() - 2 * STALLED_AFTER
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert watch_render(render_id=bundle.pk) is not None
        assert DBTaskResult.objects.filter(task_path__endswith="render_moderation_bundle").count() == 2


def test_a_render_another_worker_is_on_is_left_to_it(sample, centre_a):
    from moderation.bundle import run_bundle_render

    with centre_scope(centre_a):
        bundle = BundleRender.objects.create(
            centre=centre_a,
            sample=sample,
            fingerprint="busy",
            requested_at=timezone.now(),
            status=BundleRender.Status.RUNNING,
            heartbeat_at=timezone.now(),
            attempts=1,
        )
        run_bundle_render(render_id=bundle.pk)
        bundle.refresh_from_db()
    assert bundle.status == BundleRender.Status.RUNNING and bundle.attempts == 1 and not bundle.pdf


@pytest.mark.usefixtures("frozen_clock")
def test_granting_access_says_until_when_in_words(client, sample, admin, django_capture_on_commit_callbacks):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("moderation:manage_sample", kwargs={"sample_id": sample.pk}),
            {"email": "morag@ocr.example", "first_name": "Morag", "expires_on": "2027-05-31"},
            follow=True,
        )
    assert "morag@ocr.example can see the sample until 31 May 2027" in response.content.decode()
