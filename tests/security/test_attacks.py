"""Attacks from outside, each refused."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from centre.models import Role
from common.scoping import centre_scope
from learners.models import Learner
from moderation.models import ModerationSample, ModeratorAccess
from networking.models import NetworkContact
from portfolio.models import EvidenceItem
from portfolio.services import add_evidence_files
from tests.factories import (
    EnrolmentFactory,
    EvidenceItemFactory,
    LearnerFactory,
    MembershipFactory,
    submitted_evidence,
)
from tests.factories.moderation import png, upload
from tests.factories.networking import enable_networking


@pytest.fixture
def learner(centre_a, seed_unit):
    user = MembershipFactory(centre=centre_a, role=Role.LEARNER).user
    learner = LearnerFactory(centre=centre_a, user=user)
    EnrolmentFactory(learner=learner, unit=seed_unit)
    return learner


def test_a_learner_posting_extra_fields_changes_nothing_they_name(
    client, learner, centre_a, centre_b, seed_unit
):
    other_assessor = MembershipFactory(centre=centre_b, role=Role.ASSESSOR).user
    client.force_login(learner.user)
    client.post(
        reverse("portfolio:create", kwargs={"kind": "written_account"}),
        {
            "title": "Mine",
            "body": "What I did.",
            "creation_token": uuid.uuid4(),
            "status": "assessed",
            "centre": centre_b.pk,
            "assessor": other_assessor.pk,
            "learner": 999,
            "submitted_at": "2020-01-01T00:00",
        },
    )
    enable_networking(seed_unit)
    client.post(
        reverse("networking:add_contact"),
        {
            "kind": "individual",
            "name": "Priya Shah",
            "sector": "finance",
            "how_met": "Forum.",
            "they_offer": "Advice.",
            "you_offer": "Help.",
            "strength": "2",
            "number": "99",
            "centre": centre_b.pk,
            "learner": 999,
            "consent_recorded_on": "2020-01-01",
        },
    )
    with centre_scope(centre_a):
        item = EvidenceItem.objects.get()
        contact = NetworkContact.objects.get()
        enrolment = learner.enrolments.get()
    assert (item.status, item.centre_id, item.learner_id, item.submitted_at) == (
        "draft",
        centre_a.pk,
        learner.pk,
        None,
    )
    assert enrolment.assessor_id != other_assessor.pk
    assert (contact.number, contact.centre_id, contact.learner_id) == (1, centre_a.pk, learner.pk)
    assert contact.consent_recorded_on is None and not contact.consented


def test_a_moderators_session_opened_before_their_access_expired_is_ended(client, centre_a, seed_unit):
    moderator = MembershipFactory(centre=centre_a, role=Role.MODERATOR).user
    with centre_scope(centre_a):
        sample = ModerationSample.objects.create(centre=centre_a, unit=seed_unit, created_at=timezone.now())
        access = ModeratorAccess.objects.create(
            centre=centre_a,
            sample=sample,
            moderator=moderator,
            granted_at=timezone.now(),
            expires_at=timezone.now() + datetime.timedelta(days=1),
        )
    client.force_login(moderator)
    assert client.get(reverse("moderation:home")).status_code == 200
    with centre_scope(centre_a):
        ModeratorAccess.objects.filter(pk=access.pk).update(
            expires_at=timezone.now() - datetime.timedelta(seconds=1)
        )
    response = client.get(reverse("moderation:home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def polyglot() -> bytes:
    """A real PNG that is also an HTML page with a script, for a browser that sniffs."""
    return png() + b"<html><body><script>alert(document.cookie)</script></body></html>"


def test_an_html_png_polyglot_is_only_ever_downloaded_never_shown_inline(client, learner, centre_a):
    with centre_scope(centre_a):
        item = EvidenceItemFactory(learner=learner, kind="files")
        add_evidence_files(
            item=item, actor=learner.user, uploads=[upload("photo.png", polyglot(), "image/png")]
        )
        evidence_file = item.files.get()
    client.force_login(learner.user)
    url = reverse("portfolio:file", kwargs={"file_id": evidence_file.pk})

    original = client.get(url)
    assert original["Content-Disposition"].startswith("attachment")
    assert original["Content-Type"] == "image/png"
    assert original["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in original["Content-Security-Policy"]

    shown = client.get(url, {"inline": "1"})
    body = b"".join(shown.streaming_content)
    assert shown["Content-Type"] == "image/jpeg" and body.startswith(b"\xff\xd8")
    assert b"<script" not in body


def test_a_guessed_download_url_without_a_session_gives_nothing(client, learner, centre_a):
    with centre_scope(centre_a):
        evidence_file = submitted_evidence(learner.enrolments.get()).files.get()
    response = client.get(reverse("portfolio:file", kwargs={"file_id": evidence_file.pk}))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert b"%PDF" not in response.content
    for guess in (evidence_file.pk + 1, 10**9):
        assert client.get(reverse("portfolio:file", kwargs={"file_id": guess})).status_code == 302


@pytest.mark.parametrize("role", [Role.LEARNER, Role.ASSESSOR, Role.IQA, Role.MODERATOR])
def test_a_bulk_import_by_someone_without_the_permission_is_refused(client, centre_a, role):
    user = MembershipFactory(centre=centre_a, role=role).user
    client.force_login(user)
    register = upload("register.csv", b"first_name,last_name,email,uln,candidate_number\n", "text/csv")
    assert client.get(reverse("learners:import")).status_code == 403
    assert client.post(reverse("learners:import"), {"file": register}).status_code == 403
    with centre_scope(centre_a):
        assert not Learner.objects.exists()
