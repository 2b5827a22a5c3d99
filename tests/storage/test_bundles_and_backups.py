"""A moderation bundle rendered into the bucket and downloaded through the moderator's
view; a backup that takes the bucket's objects into its tarball; verify_storage checking
the objects in the bucket."""

import hashlib
import io
import json
import tarfile
import zipfile
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse

from centre.models import Role
from centre.services import set_offered_units
from common.previews import PreviewedUpload
from common.scoping import centre_scope
from moderation.models import BundleRender
from moderation.services import create_moderation_sample, grant_moderator_access
from portfolio.models import EvidenceFile
from tests.factories import PDF_BYTES, submitted_evidence
from tests.factories.moderation import png, two_page_pdf, upload
from tests.helpers import member, signed_off_learner
from tests.storage.conftest import BUCKET


@pytest.fixture
def moderator_client(client, centre_a, seed_unit, django_capture_on_commit_callbacks):
    """A moderator let in to a sample of one signed-off learner of centre A, whose
    evidence (a photo and a PDF) is in the bucket."""
    set_offered_units(centre=centre_a, urns=[seed_unit.urn])
    admin = member(centre_a, Role.CENTRE_ADMIN)
    with centre_scope(centre_a):
        enrolment = signed_off_learner(
            centre=centre_a,
            unit=seed_unit,
            assessor=member(centre_a, Role.ASSESSOR),
            candidate_number="0001",
            files=[
                upload("event.png", png(), "image/png"),
                upload("plan.pdf", two_page_pdf(), "application/pdf"),
            ],
        )
        client.sample = create_moderation_sample(
            centre=centre_a, unit=seed_unit, actor=admin, enrolment_ids=[enrolment.pk]
        )
        with django_capture_on_commit_callbacks(execute=True):
            access = grant_moderator_access(sample=client.sample, actor=admin, email="morag@ocr.example")
    client.force_login(access.moderator)
    return client


def test_a_bundle_is_rendered_into_the_bucket_and_downloads_from_it(
    bucket, moderator_client, centre_a, django_capture_on_commit_callbacks
):
    sample = moderator_client.sample
    with django_capture_on_commit_callbacks(execute=True):
        moderator_client.post(reverse("moderation:request_bundle", kwargs={"sample_id": sample.pk}))
    with centre_scope(centre_a):
        render = BundleRender.objects.get()
    assert render.status == BundleRender.Status.DONE, render.error
    assert {f"evidence/{render.pdf}", f"evidence/{render.archive}"} <= set(bucket.keys("evidence/bundles/"))
    base = {"sample_id": sample.pk, "render_id": render.pk}

    pdf = moderator_client.get(reverse("moderation:bundle_download", kwargs={**base, "kind": "pdf"}))
    archive = moderator_client.get(reverse("moderation:bundle_download", kwargs={**base, "kind": "zip"}))

    assert pdf["Content-Type"] == "application/pdf"
    assert (
        pdf["Content-Disposition"]
        == f'attachment; filename="moderation-10001-{sample.unit.urn.replace("/", "-")}.pdf"'
    )
    assert pdf["X-Content-Type-Options"] == "nosniff"
    assert b"".join(pdf.streaming_content) == bucket.read(f"evidence/{render.pdf}")
    with centre_scope(centre_a):
        originals = {f.pk: bucket.read(f"evidence/{f.file.name}") for f in EvidenceFile.objects.all()}
    with zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))) as unpacked:
        copied = {
            int(name.split("/")[1].split("-")[0]): unpacked.read(name)
            for name in unpacked.namelist()
            if name.startswith("candidate-0001/")
        }
    assert copied == originals  # the photo and the PDF, as stored in the bucket


@pytest.fixture
def evidence_file(enrolment, centre_a):
    with centre_scope(centre_a):
        return submitted_evidence(enrolment).files.select_related("centre").get()


def test_a_backup_takes_the_buckets_objects_into_its_tarball(bucket, evidence_file, tmp_path):
    default_storage.save("images/logo.png", ContentFile(png()))
    PreviewedUpload(kind="register").keep(data=b"Ada,Lovelace", owner=1, filename="register.csv")

    call_command("backup", tmp_path, stdout=io.StringIO())

    (backup,) = tmp_path.iterdir()
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["folders"] == {"evidence": f"s3://{BUCKET}/evidence", "media": f"s3://{BUCKET}/media"}
    with tarfile.open(backup / "files.tar.gz") as archive:
        # The files; the folders come as entries of their own, to carry their modes.
        names = [member.name for member in archive.getmembers() if member.isfile()]
        assert archive.extractfile(f"evidence/{evidence_file.file.name}").read() == PDF_BYTES
        assert archive.extractfile("media/images/logo.png").read() == png()
    # Uploads waiting for a preview's confirmation are left out, as from a folder.
    assert sorted(names) == [f"evidence/{evidence_file.file.name}", "media/images/logo.png"]


def verify(*args) -> tuple[str, str | None]:
    out = io.StringIO()
    try:
        call_command("verify_storage", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), str(error)
    return out.getvalue(), None


def test_verify_storage_checks_the_objects_in_the_bucket(bucket, evidence_file):
    assert verify() == ("Checked 1 file: all present and unchanged.\n", None)

    key = f"evidence/{evidence_file.file.name}"
    bucket.put(key, PDF_BYTES + b"changed")
    found = hashlib.sha256(PDF_BYTES + b"changed").hexdigest()
    where = f"EvidenceFile {evidence_file.pk} (centre 10001), {evidence_file.file.name}"
    assert verify() == (
        f"{where}: changed: expected {evidence_file.sha256}, found {found}\n",
        "Checked 1 file: 1 problem.",
    )

    bucket.delete(key)
    assert verify() == (f"{where}: missing\n", "Checked 1 file: 1 problem.")


def test_verify_storage_finds_and_deletes_objects_no_record_knows(
    bucket, evidence_file, centre_a, monkeypatch
):
    stray = f"centre-{centre_a.pk}/left-behind.pdf"
    bucket.put(f"evidence/{stray}", b"%PDF-1.4 left behind")
    # Just written: an upload in progress, perhaps, so not yet an orphan.
    assert verify() == ("Checked 1 file: all present and unchanged.\n", None)
    # An object's time in a bucket is the server's and cannot be set back: the grace ends now.
    monkeypatch.setattr("operations.management.commands.verify_storage.ORPHAN_GRACE", timedelta(0))

    assert verify("--centre", "10001") == (f"orphan: {stray}\n", "Checked 1 file: 1 orphan.")
    assert verify("--delete-orphans") == (
        f"orphan: {stray}: deleted\nChecked 1 file: all present and unchanged; 1 orphan deleted.\n",
        None,
    )
    assert bucket.keys() == [f"evidence/{evidence_file.file.name}"]
