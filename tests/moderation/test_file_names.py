"""Files stored before scripts were refused by name (a ``.vbs`` that libmagic called plain
text) come out under their checked type's extension wherever they are handed out: the
portfolio's download, the moderator's download and the bundle's ZIP."""

import io
import zipfile

import pytest
from django.urls import reverse

from centre.models import Role
from centre.services import set_offered_units
from common.scoping import centre_scope
from moderation.services import create_moderation_sample, grant_moderator_access
from portfolio.models import EvidenceFile
from tests.factories.moderation import png, upload
from tests.helpers import member, signed_off_learner

SCRIPT = b'MsgBox "Hello"\r\nCreateObject("WScript.Shell").Run "calc"\r\n'


@pytest.fixture
def candidate(centre_a, seed_unit):
    """A signed-off learner whose evidence holds a text file stored, before the fix, as
    “hello.vbs”, and a photo called “team-board.jpg”."""
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    with centre_scope(centre_a):
        enrolment = signed_off_learner(
            centre=centre_a,
            unit=seed_unit,
            assessor=member(centre_a, Role.ASSESSOR),
            candidate_number="0007",
            files=[
                upload("hello.txt", SCRIPT, "text/plain"),
                upload("team-board.jpg", png(), "image/png"),
            ],
        )
        EvidenceFile.objects.filter(original_name="hello.txt").update(original_name="hello.vbs")
    return enrolment


def files_of(enrolment, centre):
    with centre_scope(centre):
        return {f.content_type: f for f in EvidenceFile.objects.filter(item__learner=enrolment.learner)}


def test_a_stored_script_downloads_as_text_and_an_inline_photo_has_one_extension(client, candidate, centre_a):
    files = files_of(candidate, centre_a)
    client.force_login(candidate.learner.user)
    script = client.get(reverse("portfolio:file", kwargs={"file_id": files["text/plain"].pk}))
    assert script["Content-Disposition"] == 'attachment; filename="hello.txt"'
    photo = reverse("portfolio:file", kwargs={"file_id": files["image/png"].pk})
    assert client.get(photo)["Content-Disposition"] == 'attachment; filename="team-board.png"'
    inline = client.get(photo, {"inline": "1"})
    assert inline["Content-Type"] == "image/jpeg"
    assert inline["Content-Disposition"] == 'inline; filename="team-board.jpg"'


def test_the_moderator_and_the_bundle_zip_never_offer_a_script_name(
    client, candidate, centre_a, seed_unit, django_capture_on_commit_callbacks
):
    from moderation.bundle import render_bundle
    from moderation.selectors import candidates_of

    admin = member(centre_a, Role.CENTRE_ADMIN)
    with centre_scope(centre_a):
        sample = create_moderation_sample(
            centre=centre_a, unit=seed_unit, actor=admin, enrolment_ids=[candidate.pk]
        )
        with django_capture_on_commit_callbacks(execute=True):
            access = grant_moderator_access(sample=sample, actor=admin, email="m@ocr.example", first_name="M")
        rendered = render_bundle(sample=sample, candidates=candidates_of(sample=sample))
    script = files_of(candidate, centre_a)["text/plain"]
    client.force_login(access.moderator)
    download = client.get(reverse("moderation:file", kwargs={"sample_id": sample.pk, "file_id": script.pk}))
    assert download["Content-Disposition"] == 'attachment; filename="hello.txt"'
    with zipfile.ZipFile(io.BytesIO(rendered.archive)) as archive:
        names = [name for name in archive.namelist() if name.startswith("candidate-0007/")]
    assert sorted(name.rsplit("-", 1)[-1] for name in names) == ["board.png", "hello.txt"]
    assert not any(name.lower().endswith(".vbs") for name in archive.namelist())


def test_the_subject_access_archive_names_a_stored_script_as_text(candidate):
    from privacy.services import export_learner

    with zipfile.ZipFile(io.BytesIO(export_learner(candidate.learner))) as archive:
        names = [name.rsplit("/", 1)[-1] for name in archive.namelist() if "/files/" in name]
    assert sorted(names) == ["hello.txt", "team-board.png"]
