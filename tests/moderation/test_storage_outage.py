"""The moderator's file while the evidence store cannot be reached: the page asking to
try again later, and no record that they opened a file they never got."""

from django.conf import settings
from django.urls import reverse

from audit.models import AuditRecord
from common.scoping import centre_scope
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
