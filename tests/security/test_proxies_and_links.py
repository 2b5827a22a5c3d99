"""Behind a reverse proxy every request comes from the proxy's address: the client's own
address is read from X-Forwarded-For, but only when the proxy is one we were told to
trust. Requests for password links are throttled like sign-ins, and the links emailed
start with WAYMARK_BASE_URL whatever Host the request named."""

import re

from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from accounts.throttling import client_address
from centre.models import Role
from tests.factories import DEFAULT_PASSWORD
from tests.security.test_accounts import member

SIGN_IN = reverse("login")
RESET = reverse("password_reset")
PROXY = "10.0.0.2"


def from_client(client_ip: str, *, via: str = PROXY) -> dict:
    return {"REMOTE_ADDR": via, "HTTP_X_FORWARDED_FOR": client_ip}


def address_of(**meta) -> str:
    return client_address(RequestFactory().get("/", **meta))


# The client's address --------------------------------------------------------------------


def test_a_forwarded_for_header_from_an_untrusted_peer_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert address_of(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1") == "203.0.113.9"
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert address_of(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1") == "203.0.113.9"


def test_behind_a_trusted_proxy_the_right_most_untrusted_address_is_the_clients(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "192.0.2.7"]
    # The client put "198.51.100.1" in the header itself; our proxies appended the rest.
    forwarded = "198.51.100.1, 203.0.113.50, 192.0.2.7"
    assert address_of(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded) == "203.0.113.50"
    assert address_of(REMOTE_ADDR=PROXY) == PROXY  # no header: the proxy itself
    assert address_of(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="not-an-address") == PROXY


def test_spoofed_forwarded_for_does_not_escape_the_per_address_limit(db, client, settings):
    settings.TRUSTED_PROXIES = []
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 4
    for n in range(4):
        client.post(
            SIGN_IN, {"username": f"guess{n}@example.org", "password": "x"}, **from_client(f"198.51.100.{n}")
        )
    refused = client.post(
        SIGN_IN, {"username": "next@example.org", "password": "x"}, **from_client("198.51.100.99")
    )
    assert refused.status_code == 429


def test_behind_a_trusted_proxy_one_clients_failures_do_not_lock_others_out(client, centre_a, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 4
    someone = member(centre_a, Role.LEARNER)
    for n in range(4):
        client.post(
            SIGN_IN, {"username": f"guess{n}@example.org", "password": "x"}, **from_client("198.51.100.1")
        )
    attacker = client.post(
        SIGN_IN, {"username": "more@example.org", "password": "x"}, **from_client("198.51.100.1")
    )
    assert attacker.status_code == 429
    other = client.post(
        SIGN_IN, {"username": someone.email, "password": DEFAULT_PASSWORD}, **from_client("198.51.100.2")
    )
    assert other.status_code == 302


# Password links ------------------------------------------------------------------------------


def test_a_password_reset_with_a_hostile_host_emails_a_link_on_the_base_url(client, centre_a, settings):
    settings.ALLOWED_HOSTS = ["*"]
    settings.WAYMARK_BASE_URL = "https://waymark.example"
    user = member(centre_a, Role.LEARNER)
    client.post(RESET, {"email": user.email}, HTTP_HOST="evil.example")
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "evil.example" not in body
    assert re.search(r"https://waymark\.example/accounts/password/set/\S+/\S+/", body)


def test_password_reset_requests_are_throttled_per_account(client, centre_a, settings):
    settings.PASSWORD_LINK_REQUESTS_PER_ACCOUNT = 3
    user = member(centre_a, Role.LEARNER)
    statuses = [client.post(RESET, {"email": user.email}).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert len(mail.outbox) == 3
    refused = client.post(RESET, {"email": user.email.upper()})
    assert refused.status_code == 429
    assert "Too many requests" in refused.content.decode()


def test_password_reset_requests_are_throttled_per_address(db, client, settings):
    settings.PASSWORD_LINK_REQUESTS_PER_ADDRESS = 3
    statuses = [client.post(RESET, {"email": f"someone{n}@example.org"}).status_code for n in range(4)]
    assert statuses == [302, 302, 302, 429]


def test_guessing_invitation_links_is_throttled(client, centre_a, settings):
    settings.PASSWORD_LINK_REQUESTS_PER_ADDRESS = 3
    user = member(centre_a, Role.LEARNER)
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    guesses = [
        client.get(reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": f"guess-{n}"}))
        for n in range(4)
    ]
    assert [response.status_code for response in guesses] == [200, 200, 200, 429]


def test_a_trusted_proxy_setting_that_is_no_address_stops_waymark_starting(tmp_path):
    from tests.config.test_settings import run_django

    result = run_django("", WAYMARK_VAR_DIR=str(tmp_path), TRUSTED_PROXIES="10.0.0.2, proxy.local")
    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 'proxy.local' is not an address or a network." in result.stderr
    fine = run_django(
        "from django.conf import settings; print(settings.TRUSTED_PROXIES)",
        WAYMARK_VAR_DIR=str(tmp_path),
        TRUSTED_PROXIES="10.0.0.2, 10.1.0.0/16",
    )
    assert fine.stdout.strip() == "['10.0.0.2', '10.1.0.0/16']"
