"""Evidence in an S3-compatible bucket (moto_server, over HTTP): uploaded through the
learner's page, it lands in the bucket and nowhere on disk; it comes back only through the
view that checks who is asking, with the headers a file from disk has; and uploads kept
for a preview wait in the bucket and are swept from it."""

import io
from datetime import timedelta

from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from centre.models import Role
from common.previews import PreviewedUpload, sweep_expired_previews
from tests.factories import PDF_BYTES, EvidenceItemFactory, pdf_upload, submitted_evidence
from tests.factories.moderation import png, upload
from tests.helpers import member, scoped, stored_names


def on_disk(settings) -> list[str]:
    return stored_names(FileSystemStorage(location=settings.EVIDENCE_ROOT))


def test_an_upload_lands_in_the_bucket_and_nowhere_on_disk(
    bucket, learner_client, learner, centre_a, settings
):
    item = EvidenceItemFactory(learner=learner)
    before = on_disk(settings)

    response = learner_client.post(
        reverse("portfolio:upload", kwargs={"item_id": item.pk}), {"files": pdf_upload("plan.pdf")}
    )

    assert response.status_code == 302
    stored = scoped(centre_a, item.files.get)
    assert bucket.keys() == [f"evidence/{stored.file.name}"]
    assert bucket.read(f"evidence/{stored.file.name}") == PDF_BYTES
    # Private: only the bucket's owner has any grant on the object.
    assert [grant["Permission"] for grant in bucket.acl_grants(f"evidence/{stored.file.name}")] == [
        "FULL_CONTROL"
    ]
    assert on_disk(settings) == before


def test_a_file_in_the_bucket_downloads_through_the_checking_view_with_its_headers(
    bucket, learner_client, enrolment, centre_a, centre_b
):
    item = scoped(centre_a, submitted_evidence, enrolment, file_name="plan.pdf")
    evidence_file = scoped(centre_a, item.files.get)
    assert bucket.keys() == [f"evidence/{evidence_file.file.name}"]
    address = reverse("portfolio:file", kwargs={"file_id": evidence_file.pk})

    response = learner_client.get(address)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"] == 'attachment; filename="plan.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(PDF_BYTES))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "no-store" in response["Cache-Control"]
    # Another centre's people are told there is no such file, as for a file on disk.
    for role in (Role.LEARNER, Role.ASSESSOR, Role.IQA):
        learner_client.force_login(member(centre_b, role))
        assert learner_client.get(address).status_code == 404, role


def test_a_photo_and_its_print_rendition_are_both_in_the_bucket(bucket, learner_client, learner, centre_a):
    item = EvidenceItemFactory(learner=learner)
    learner_client.post(
        reverse("portfolio:upload", kwargs={"item_id": item.pk}),
        {"files": upload("event.png", png(), "image/png")},
    )
    photo = scoped(centre_a, item.files.get)
    assert bucket.keys() == sorted(f"evidence/{f.name}" for f in (photo.file, photo.print_rendition))

    shown = learner_client.get(reverse("portfolio:file", kwargs={"file_id": photo.pk}), {"inline": "1"})

    assert shown["Content-Type"] == "image/jpeg"
    assert shown["Content-Disposition"] == 'inline; filename="event.jpg"'
    content = b"".join(shown.streaming_content)
    assert content == bucket.read(f"evidence/{photo.print_rendition.name}")
    with Image.open(io.BytesIO(content)) as image:
        assert image.format == "JPEG"


def test_a_removed_draft_file_is_deleted_from_the_bucket(
    bucket, learner_client, learner, centre_a, django_capture_on_commit_callbacks
):
    item = EvidenceItemFactory(learner=learner)
    learner_client.post(reverse("portfolio:upload", kwargs={"item_id": item.pk}), {"files": pdf_upload()})
    stored = scoped(centre_a, item.files.get)
    with django_capture_on_commit_callbacks(execute=True):
        learner_client.post(
            reverse("portfolio:remove_file", kwargs={"item_id": item.pk, "file_id": stored.pk})
        )
    assert bucket.keys() == []


def test_an_upload_kept_for_a_preview_waits_in_the_bucket_and_is_swept_from_it(bucket):
    previewed = PreviewedUpload(kind="register")
    token = previewed.keep(data=b"first_name,last_name\nAda,Lovelace\n", owner=7, filename="Register.CSV")
    (key,) = bucket.keys()
    assert key.startswith("evidence/previews/register/") and key.endswith(".csv")

    kept = previewed.open(token=token, owner=7)

    assert kept.data == b"first_name,last_name\nAda,Lovelace\n"
    assert sweep_expired_previews() == 0  # still within its hour
    assert sweep_expired_previews(now=timezone.now() + timedelta(hours=2)) == 1
    assert bucket.keys() == []


def test_discarding_a_preview_deletes_it_from_the_bucket(bucket):
    previewed = PreviewedUpload(kind="unit")
    kept = previewed.open(token=previewed.keep(data=b"spec", owner=1, filename="unit.txt"), owner=1)
    previewed.discard(kept)
    assert bucket.keys() == []
