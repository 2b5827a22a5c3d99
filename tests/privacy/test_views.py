import io
import zipfile

import pytest
from django.conf import settings
from django.urls import reverse

from audit.models import AuditRecord
from centre.models import Role
from common.scoping import centre_scope, scopes_disabled
from portfolio.models import EvidenceFile
from privacy.models import RetentionHold
from tests.factories import MembershipFactory
from tests.faults.test_storage_faults import FlakyStore, refused_connection


def names_in(response) -> list[str]:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()


def audited(centre, verb) -> AuditRecord:
    with centre_scope(centre):
        return AuditRecord.objects.get(verb=verb)


@pytest.fixture
def admin_client(client, world):
    client.force_login(world["admin"])
    return client


def test_the_learner_list_leads_to_each_learners_records(admin_client, world):
    ada = world["ada"]
    page = admin_client.get(reverse("learners:list")).content.decode()
    assert reverse("privacy:records", kwargs={"learner_id": ada.pk}) in page

    page = admin_client.get(reverse("privacy:records", kwargs={"learner_id": ada.pk})).content.decode()
    assert reverse("privacy:subject_access", kwargs={"learner_id": ada.pk}) in page
    assert "Kept until" in page


def test_a_centre_admin_downloads_everything_held_about_a_learner(admin_client, world, centre_a):
    ada = world["ada"]

    response = admin_client.post(reverse("privacy:subject_access", kwargs={"learner_id": ada.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert 'filename="subject-access-0042.zip"' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert "learner.json" in names_in(response)
    record = audited(centre_a, "privacy.subject_access_exported")
    assert (record.actor_key, record.learner_ref) == (world["admin"].audit_key, ada.pk)


def test_a_learner_downloads_their_own_from_their_portfolio(client, world, centre_a):
    ada = world["ada"]
    client.force_login(ada.user)
    home = client.get(reverse("assessment:learner_home")).content.decode()
    assert reverse("privacy:own_subject_access") in home

    response = client.post(reverse("privacy:own_subject_access"))

    assert response.status_code == 200
    assert 'filename="subject-access-0042.zip"' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    with centre_scope(centre_a):
        (item,) = ada.evidence_items.all()
    assert f"evidence/item-{item.pk}/files/Ada’s plan.pdf" in names_in(response)
    assert audited(centre_a, "privacy.subject_access_exported").actor_key == ada.user.audit_key


def test_a_download_while_the_store_is_unreachable_is_a_try_again_page_and_not_audited(
    client, world, centre_a, monkeypatch
):
    store = FlakyStore(location=settings.EVIDENCE_ROOT, base_url=None)
    for field in ("file", "print_rendition"):
        monkeypatch.setattr(EvidenceFile._meta.get_field(field), "storage", store)
    client.force_login(world["ada"].user)

    def exports_recorded():
        with centre_scope(centre_a):
            return AuditRecord.objects.filter(verb="privacy.subject_access_exported").count()

    store.failure = refused_connection()
    response = client.post(reverse("privacy:own_subject_access"))

    assert response.status_code == 503 and response["Retry-After"] == "120"
    assert "Waymark cannot reach its file storage at the moment" in response.content.decode()
    assert exports_recorded() == 0
    store.failure = None
    assert client.post(reverse("privacy:own_subject_access")).status_code == 200
    assert exports_recorded() == 1


def test_another_centres_admin_gets_nothing(client, world, centre_b):
    with scopes_disabled():
        client.force_login(MembershipFactory(centre=centre_b, role=Role.CENTRE_ADMIN).user)
    ada = world["ada"]

    assert client.get(reverse("privacy:records", kwargs={"learner_id": ada.pk})).status_code == 404
    assert client.post(reverse("privacy:subject_access", kwargs={"learner_id": ada.pk})).status_code == 404
    assert (
        client.post(reverse("privacy:place_hold", kwargs={"learner_id": ada.pk}), {"reason": "x"}).status_code
        == 404
    )


def test_a_learner_cannot_download_another_learners(client, world):
    client.force_login(world["bart"].user)

    assert (
        client.post(reverse("privacy:subject_access", kwargs={"learner_id": world["ada"].pk})).status_code
        == 403
    )
    response = client.post(reverse("privacy:own_subject_access"))
    assert 'filename="subject-access-0043.zip"' in response["Content-Disposition"]


def test_a_centre_admin_places_and_releases_a_hold(admin_client, world, centre_a):
    ada = world["ada"]
    url = reverse("privacy:place_hold", kwargs={"learner_id": ada.pk})

    refused = admin_client.post(url, {"reason": "  "})
    assert "Why the records must be kept" in refused.content.decode()

    response = admin_client.post(url, {"reason": "Appeal against the decision on 1.1."}, follow=True)
    page = response.content.decode()
    assert "Kept under a hold" in page and "Appeal against the decision on 1.1." in page
    with centre_scope(centre_a):
        hold = RetentionHold.objects.get(learner=ada)
    assert audited(centre_a, "privacy.hold_placed").learner_ref == ada.pk

    admin_client.post(reverse("privacy:release_hold", kwargs={"hold_id": hold.pk}))
    with centre_scope(centre_a):
        hold.refresh_from_db()
    assert hold.released_at is not None
    assert audited(centre_a, "privacy.hold_released").object_id == str(hold.pk)


def test_a_centre_admin_sets_how_long_records_are_kept(admin_client, centre_a):
    url = reverse("privacy:retention")
    assert 'value="3"' in admin_client.get(url).content.decode()

    refused = admin_client.post(url, {"retention_years": "0"})
    assert "greater than or equal to 1" in refused.content.decode()

    admin_client.post(url, {"retention_years": "6"})
    with scopes_disabled():
        centre_a.refresh_from_db()
    assert centre_a.retention_years == 6
