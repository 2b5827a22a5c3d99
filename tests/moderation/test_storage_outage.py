"""The moderator's file and bundle while the evidence store cannot be reached: the page
asking to try again later, and no record that they opened a file they never got."""

from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditRecord
from common.scoping import centre_scope
from moderation.models import BundleRender
from portfolio.models import EvidenceFile
from tests.faults.test_storage_faults import FlakyStore, refused_connection


def test_a_moderators_file_while_the_store_is_unreachable_is_a_try_again_page_and_not_audited(
    moderator_client, sample, cohort, centre_a, monkeypatch
):
    store = FlakyStore(location=settings.EVIDENCE_ROOT, base_url=None)
    for field in ("file", "print_rendition"):
        monkeypatch.setattr(EvidenceFile._meta.get_field(field), "storage", store)
    with centre_scope(centre_a):
        file_id = cohort[0].learner.evidence_items.get().files.get(original_name="plan.pdf").pk
    path = reverse("moderation:file", kwargs={"sample_id": sample.pk, "file_id": file_id})

    def downloads_recorded():
        with centre_scope(centre_a):
            return AuditRecord.objects.filter(verb="moderation.file_downloaded").count()

    store.failure = refused_connection()
    response = moderator_client.get(path)

    assert response.status_code == 503 and response["Retry-After"] == "120"
    assert "Waymark cannot reach its file storage at the moment" in response.content.decode()
    assert downloads_recorded() == 0
    store.failure = None
    assert moderator_client.get(path).status_code == 200
    assert downloads_recorded() == 1


def test_a_bundle_download_while_the_store_is_unreachable_is_a_try_again_page_and_not_audited(
    moderator_client, sample, centre_a, monkeypatch
):
    store = FlakyStore(location=settings.EVIDENCE_ROOT, base_url=None)
    monkeypatch.setattr("moderation.views.bundle_storage", lambda: store)
    with centre_scope(centre_a):
        render = BundleRender.objects.create(
            centre=centre_a,
            sample=sample,
            fingerprint=f"test-{sample.pk}",
            requested_by=moderator_client.access.moderator,
            requested_at=timezone.now(),
            status=BundleRender.Status.DONE,
            pdf=store.save(f"bundles/test-{sample.pk}.pdf", ContentFile(b"%PDF-1.4 a bundle")),
        )
    path = reverse(
        "moderation:bundle_download", kwargs={"sample_id": sample.pk, "render_id": render.pk, "kind": "pdf"}
    )

    def downloads_recorded():
        with centre_scope(centre_a):
            return AuditRecord.objects.filter(verb="moderation.bundle_downloaded").count()

    store.failure = refused_connection()
    response = moderator_client.get(path)

    assert response.status_code == 503 and response["Retry-After"] == "120"
    assert "Waymark cannot reach its file storage at the moment" in response.content.decode()
    assert downloads_recorded() == 0
    store.failure = None
    response = moderator_client.get(path)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 a bundle"
    assert downloads_recorded() == 1
