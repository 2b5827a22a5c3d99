"""The web layer: one test per rule of the security issue."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import path, reverse

from centre.models import Role
from common.scoping import centre_scope
from tests.factories import EnrolmentFactory, LearnerFactory, MembershipFactory, submitted_evidence
from tests.test_isolation import fill, url_patterns

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "WAYMARK_ENVIRONMENT": "production",
    "SECRET_KEY": "k3y-for-the-deploy-check-only-" + "x9" * 20,
    "ALLOWED_HOSTS": "waymark.example.org",
    "DATABASE_URL": "sqlite:////tmp/waymark-deploy-check.sqlite3",
    "DJANGO_SETTINGS_MODULE": "config.settings",
}


def production(*args: str) -> subprocess.CompletedProcess:
    # Not the test run's own switches (the browser tests allow Django's async-unsafe calls).
    ignored = {"DEBUG", "WAYMARK_REQUIRE_TWO_FACTOR", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in ignored}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**environment, **PRODUCTION},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deploy_check_finds_nothing_under_production_settings():
    result = production("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_cookies_are_secure_and_https_is_enforced():
    result = production(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, s.SECURE_HSTS_SECONDS >= 31536000, "
        "s.SECURE_SSL_REDIRECT, s.DEBUG, s.WAYMARK_REQUIRE_TWO_FACTOR)",
    )
    assert result.stdout.split() == ["True", "True", "True", "Lax", "True", "True", "False", "True"], (
        result.stderr
    )


@pytest.fixture
def learner_client(client, centre_a, seed_unit):
    user = MembershipFactory(centre=centre_a, role=Role.LEARNER).user
    enrolment = EnrolmentFactory(learner=LearnerFactory(centre=centre_a, user=user), unit=seed_unit)
    with centre_scope(centre_a):
        client.evidence_file = submitted_evidence(enrolment).files.get()
    client.force_login(user)
    return client


def test_every_waymark_page_has_a_strict_content_security_policy(learner_client, seed_unit):
    for url in [
        reverse("login"),
        reverse("assessment:learner_home"),
        seed_unit.url,
        reverse("portfolio:evidence_list"),
    ]:
        response = learner_client.get(url)
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, url
        assert "object-src 'none'" in policy and "base-uri 'none'" in policy, url
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, url
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"


def test_wagtails_admin_has_the_policy_reported_not_enforced(admin_client):
    response = admin_client.get(reverse("wagtailadmin_home"))
    assert "Content-Security-Policy" not in response
    assert "frame-ancestors 'none'" in response["Content-Security-Policy-Report-Only"]


def test_wagtails_admin_sends_no_editors_email_to_gravatar(admin_client):
    page = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "gravatar" not in page
    assert "wagtailadmin/images/default-user-avatar" in page


def test_cookies_are_httponly_and_samesite(client, centre_a):
    user = MembershipFactory(centre=centre_a, role=Role.LEARNER).user
    client.post(reverse("login"), {"username": user.email, "password": "correct horse battery staple"})
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_pages_and_downloads_with_personal_data_are_never_stored(learner_client, seed_unit):
    for url in [
        reverse("assessment:learner_home"),
        reverse("portfolio:file", kwargs={"file_id": learner_client.evidence_file.pk}),
    ]:
        assert "no-store" in learner_client.get(url)["Cache-Control"], url
    assert "no-store" not in Client().get(seed_unit.url).get("Cache-Control", "")  # the public catalogue


def test_every_state_change_needs_the_forms_csrf_token(centre_a, seed_unit):
    """Every URL, sent a POST without its token by a signed-in person, is refused before
    any view runs: no view is exempt."""
    user = MembershipFactory(centre=centre_a, role=Role.CENTRE_ADMIN, user__is_superuser=True).user
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    ids = {"default": 1, "pk": 1, "unit_id": seed_unit.pk, "page_id": seed_unit.pk}
    posted = 0
    for route, name, _ in url_patterns():
        if "^" in route or (url := fill(route, ids)) is None:
            continue
        response = client.post(url, {"anything": "x"})
        assert response.status_code == 403, f"{name} ({url}) accepted a POST without a CSRF token"
        posted += 1
    assert posted > 150


def boom(request):
    raise RuntimeError("a secret stack frame")


urlpatterns = [path("boom/", boom)]


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_an_error_shows_a_friendly_page_never_a_stack_trace(db):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, something went wrong" in page
    assert "Traceback" not in page and "a secret stack frame" not in page and "RuntimeError" not in page


def test_a_missing_page_is_explained(client, db):
    response = client.get("/portfolio/evidence/999999/nothing-here/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
