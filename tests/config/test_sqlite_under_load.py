"""The embedded SQLite database under many people at once: every write waits its turn
instead of failing with "database is locked". CLIENTS learners, all at the same moment,
against a live server on 127.0.0.1: get a wrong password once, sign in, upload a photo to
their draft evidence and sign out. None may get a server error. The README states this
figure as the concurrency tested."""

import io
import re
import threading
import time
import uuid

import pytest
import requests
from django.db import connection
from django.urls import reverse
from PIL import Image

from centre.models import Role
from common.scoping import centre_scope
from portfolio.services import create_evidence_item
from tests.factories import DEFAULT_PASSWORD, LearnerFactory, MembershipFactory

CLIENTS = 50
TIME_LIMIT_SECONDS = 30

pytestmark = [
    pytest.mark.sqlite_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def photo() -> bytes:
    """A 12-megapixel photograph's worth of work for the print rendition (a gradient, so
    only some 300 kB on the wire)."""
    buffer = io.BytesIO()
    Image.linear_gradient("L").resize((4000, 3000)).convert("RGB").save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


class Problems(list):
    def check(self, who: str, step: str, response: requests.Response) -> requests.Response:
        if response.status_code >= 500 or "database is locked" in response.text:
            self.append(f"{who} {step}: HTTP {response.status_code}")
        return response


def csrf(page: requests.Response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def one_learner(base: str, email: str, upload_path: str, image: bytes, start, problems: Problems) -> None:
    session, timeout = requests.Session(), TIME_LIMIT_SECONDS
    sign_in = f"{base}{reverse('login')}"
    headers = {"Referer": sign_in}
    page = problems.check(email, "sign-in page", session.get(sign_in, timeout=timeout))
    start.wait(timeout=timeout)
    form = {"csrfmiddlewaretoken": csrf(page), "username": email}
    wrong = problems.check(
        email,
        "wrong password",
        session.post(sign_in, {**form, "password": "no"}, headers=headers, timeout=timeout),
    )
    signed_in = problems.check(
        email,
        "sign in",
        session.post(
            sign_in,
            {**form, "csrfmiddlewaretoken": csrf(wrong), "password": DEFAULT_PASSWORD},
            headers=headers,
            allow_redirects=False,
            timeout=timeout,
        ),
    )
    if signed_in.status_code != 302:
        problems.append(f"{email} sign in: HTTP {signed_in.status_code}, not signed in")
        return
    token = {"csrfmiddlewaretoken": session.cookies["csrftoken"]}
    uploaded = problems.check(
        email,
        "upload",
        session.post(
            f"{base}{upload_path}",
            token,
            files={"files": ("board.jpg", image, "image/jpeg")},
            headers=headers,
            allow_redirects=False,
            timeout=timeout,
        ),
    )
    if uploaded.status_code != 302:
        problems.append(f"{email} upload: HTTP {uploaded.status_code}")
    problems.check(
        email,
        "sign out",
        session.post(
            f"{base}{reverse('logout')}", token, headers=headers, allow_redirects=False, timeout=timeout
        ),
    )


def test_fifty_learners_signing_in_and_uploading_at_once_get_no_database_is_locked(
    live_server, centre_a, settings
):
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 10 * CLIENTS  # they all come from 127.0.0.1
    # As configured (config/settings/database.py): no shorter timeout stands in for more clients,
    # since SQLite does not serve waiting writers in order.
    assert "busy_timeout=30000" in connection.settings_dict["OPTIONS"]["init_command"]
    people = []
    for n in range(CLIENTS):
        user = MembershipFactory(centre=centre_a, role=Role.LEARNER, user__email=f"load{n}@example.org").user
        learner = LearnerFactory(centre=centre_a, user=user)
        with centre_scope(centre_a):
            item, _ = create_evidence_item(
                learner=learner,
                actor=user,
                kind="written_account",
                title="Team board",
                body="What we planned.",
                details={},
                creation_token=uuid.uuid4(),
            )
        people.append((user.email, reverse("portfolio:upload", kwargs={"item_id": item.pk})))

    image, start, problems = photo(), threading.Barrier(CLIENTS), Problems()
    threads = [
        threading.Thread(
            target=one_learner, args=(live_server.url, email, path, image, start, problems), daemon=True
        )
        for email, path in people
    ]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(1, TIME_LIMIT_SECONDS - (time.monotonic() - began)))
    assert not any(thread.is_alive() for thread in threads), f"not finished in {TIME_LIMIT_SECONDS} s"
    assert problems == []
    with centre_scope(centre_a):
        from portfolio.models import EvidenceFile

        assert EvidenceFile.objects.filter(original_name="board.jpg").count() == CLIENTS
