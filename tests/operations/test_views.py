"""``/-/health``: what a load balancer asks each server. 200 while the database and the
storages answer, 503 when either does not; each part, the task workers too, said in the
answer; open to anyone, never cached, over plain HTTP too, and a few queries at most."""

import datetime
import json
from unittest import mock

import pytest
from django.core.files.storage import storages
from django.db import OperationalError, connections
from django.utils import timezone

from centre.models import Role
from operations.models import WorkerHeartbeat
from tests.helpers import member

pytestmark = pytest.mark.django_db
HEALTH = "/-/health"


@pytest.fixture
def worker_alive():
    now = timezone.now()
    return WorkerHeartbeat.objects.create(
        worker_id="w1", hostname="web-1", pid=7, started_at=now, seen_at=now
    )


def answer(response) -> dict:
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def test_a_healthy_server_says_so_in_a_few_queries_and_nothing_is_kept(
    client, worker_alive, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        response = client.get(HEALTH)

    assert response.status_code == 200
    assert answer(response) == {"database": "ok", "storage": "ok", "worker": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies  # a probe gets no session


def test_no_worker_heard_from_within_the_timeout_is_said_but_the_server_still_serves(
    client, worker_alive, settings
):
    """The workers serve every web server alike: a load balancer that took a server out
    for them would take out every one, so only the answer says so, for a monitor."""
    WorkerHeartbeat.objects.update(
        seen_at=timezone.now() - datetime.timedelta(seconds=settings.WORKER_LOST_AFTER_SECONDS + 1)
    )
    response = client.get(HEALTH)

    assert response.status_code == 200
    assert answer(response) == {"database": "ok", "storage": "ok", "worker": "failed"}


def test_a_storage_that_cannot_be_reached_is_a_failure(client, worker_alive):
    with mock.patch.object(storages["evidence"], "exists", side_effect=OSError("bucket unreachable")):
        response = client.get(HEALTH)

    assert response.status_code == 503
    assert answer(response) == {"database": "ok", "storage": "failed", "worker": "ok"}


@pytest.mark.parametrize(
    ("folder", "healthy"),
    [
        # Not made yet, on a new installation: the first file saved makes it.
        (lambda tmp: tmp / "evidence" / "not-yet", True),
        # Somewhere no folder can be (a path through a file): nothing could be saved.
        (lambda tmp: tmp / "a-file" / "evidence", False),
    ],
)
def test_an_evidence_folder_counts_when_files_could_be_saved_there(
    client, worker_alive, settings, tmp_path, folder, healthy
):
    (tmp_path / "a-file").write_text("not a folder")
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folder(tmp_path)},
        },
    }
    response = client.get(HEALTH)

    assert response.status_code == (200 if healthy else 503)
    assert answer(response)["storage"] == ("ok" if healthy else "failed")


def test_a_database_that_does_not_answer_is_a_failure_and_the_workers_unknown(client, worker_alive):
    with mock.patch.object(connections["default"], "cursor", side_effect=OperationalError("gone")):
        response = client.get(HEALTH)

    assert response.status_code == 503
    assert answer(response) == {"database": "failed", "storage": "ok", "worker": "failed"}


def test_a_load_balancer_probing_over_plain_http_is_answered_not_redirected(client, worker_alive, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get(HEALTH).status_code == 200
    assert client.get("/accounts/login/").status_code == 301  # everything else still goes to HTTPS


def test_someone_signed_in_who_owes_their_second_factor_is_answered_too(
    client, worker_alive, centre_a, settings
):
    settings.WAYMARK_REQUIRE_TWO_FACTOR = True
    client.force_login(member(centre_a, Role.ASSESSOR))
    assert client.get("/centre/").status_code == 302  # elsewhere: the authenticator app first

    response = client.get(HEALTH)
    assert response.status_code == 200
    assert answer(response) == {"database": "ok", "storage": "ok", "worker": "ok"}


def test_only_reading_is_allowed(client, worker_alive):
    assert client.post(HEALTH).status_code == 405
