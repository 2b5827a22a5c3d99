"""The production profile's settings (config/settings/), as each environment resolves
them: the settings are loaded in a new process with only that environment, so that their
import-time logic really runs, and the process prints what it resolved, and what Django's
own security and CSRF middleware then do with a request over HTTP and one that the TLS
proxy says came over HTTPS."""

import json
import subprocess

import pytest

from tests.settings_probe import in_waymark_process

# Read in processes of their own, with the environment each test gives them: the suite's
# database has no part in it.
pytestmark = pytest.mark.any_database

YEAR = 365 * 24 * 60 * 60
PRODUCTION = {
    "WAYMARK_ENVIRONMENT": "production",
    "SECRET_KEY": "a-production-key-for-the-settings-tests-only-" + "z7" * 20,
    "ALLOWED_HOSTS": "waymark.example.org",
}

PROBE = """
import json

import django

django.setup()
from django.conf import settings as s
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.middleware.security import SecurityMiddleware
from django.test import RequestFactory


def page_with_a_form(request):
    get_token(request)
    return HttpResponse("a form")


def answer(**headers):
    request = RequestFactory().get("/accounts/login/", HTTP_HOST="waymark.example.org", **headers)
    response = SecurityMiddleware(CsrfViewMiddleware(page_with_a_form))(request)
    cookie = response.cookies.get(s.CSRF_COOKIE_NAME)
    return {
        "status": response.status_code,
        "location": response.get("Location"),
        "hsts": response.get("Strict-Transport-Security"),
        "cookie_secure": bool(cookie["secure"]) if cookie else None,
    }


print(json.dumps({
    "https": s.WAYMARK_HTTPS,
    "session_cookie_secure": s.SESSION_COOKIE_SECURE,
    "csrf_cookie_secure": s.CSRF_COOKIE_SECURE,
    "ssl_redirect": s.SECURE_SSL_REDIRECT,
    "hsts_seconds": s.SECURE_HSTS_SECONDS,
    "hsts_subdomains": s.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "hsts_preload": s.SECURE_HSTS_PRELOAD,
    "proxy_ssl_header": s.SECURE_PROXY_SSL_HEADER,
    "silenced_checks": s.SILENCED_SYSTEM_CHECKS,
    "middleware": s.MIDDLEWARE[:2],
    "staticfiles": s.STORAGES["staticfiles"]["BACKEND"],
    "whitenoise_finders": s.WHITENOISE_USE_FINDERS,
    "whitenoise_autorefresh": s.WHITENOISE_AUTOREFRESH,
    "over_http": answer(),
    "over_https": answer(HTTP_X_FORWARDED_PROTO="https"),
}))
"""


def load_settings(tmp_path, **environment: str) -> subprocess.CompletedProcess:
    """Waymark's settings in a new process, with only this environment, as a deployment."""
    return in_waymark_process(tmp_path, PROBE, **environment)


def resolved(tmp_path, **environment: str) -> dict:
    result = load_settings(tmp_path, **environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_is_https_behind_a_tls_proxy_without_being_asked(tmp_path):
    settings = resolved(tmp_path, **PRODUCTION)
    assert settings["https"] is True
    assert settings["session_cookie_secure"] is True
    assert settings["csrf_cookie_secure"] is True
    assert settings["ssl_redirect"] is True
    assert settings["hsts_seconds"] == YEAR
    assert settings["hsts_subdomains"] is True
    assert settings["proxy_ssl_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_over_http_production_redirects_to_https_and_sets_no_cookie(tmp_path):
    over_http = resolved(tmp_path, **PRODUCTION)["over_http"]
    assert over_http["status"] == 301
    assert over_http["location"] == "https://waymark.example.org/accounts/login/"
    assert over_http["hsts"] is None
    assert over_http["cookie_secure"] is None


def test_through_the_tls_proxy_cookies_are_secure_and_hsts_has_no_preload(tmp_path):
    over_https = resolved(tmp_path, **PRODUCTION)["over_https"]
    assert over_https["status"] == 200
    assert over_https["hsts"] == f"max-age={YEAR}; includeSubDomains"
    assert over_https["cookie_secure"] is True


def test_not_preloading_is_a_choice_the_deploy_check_is_told_of(tmp_path):
    settings = resolved(tmp_path, **PRODUCTION)
    assert settings["hsts_preload"] is False
    assert settings["silenced_checks"] == ["security.W021"]


def test_hsts_preload_is_sent_when_asked_for(tmp_path):
    settings = resolved(tmp_path, **PRODUCTION, SECURE_HSTS_PRELOAD="true")
    assert settings["hsts_preload"] is True
    assert settings["silenced_checks"] == []
    assert settings["over_https"]["hsts"] == f"max-age={YEAR}; includeSubDomains; preload"


def test_hsts_preload_is_refused_for_less_than_the_year_the_list_requires(tmp_path):
    result = load_settings(tmp_path, **PRODUCTION, SECURE_HSTS_PRELOAD="true", SECURE_HSTS_SECONDS="3600")
    assert result.returncode != 0
    assert "SECURE_HSTS_PRELOAD needs SECURE_HSTS_SECONDS of at least 31536000" in result.stderr


def test_without_a_tls_proxy_the_forwarded_header_is_not_believed(tmp_path):
    settings = resolved(tmp_path, **PRODUCTION, BEHIND_TLS_PROXY="false")
    assert settings["proxy_ssl_header"] is None
    assert settings["over_https"]["status"] == 301  # the header alone does not make HTTPS


def test_plain_http_mode_never_marks_a_cookie_secure_and_never_redirects(tmp_path):
    settings = resolved(tmp_path, **PRODUCTION, WAYMARK_HTTPS="false")
    assert settings["https"] is False
    assert settings["session_cookie_secure"] is False
    assert settings["csrf_cookie_secure"] is False
    assert settings["ssl_redirect"] is False
    assert settings["hsts_seconds"] == 0
    assert settings["proxy_ssl_header"] is None
    for answer in (settings["over_http"], settings["over_https"]):
        assert answer == {"status": 200, "location": None, "hsts": None, "cookie_secure": False}


@pytest.mark.parametrize("name", ["SECURE_SSL_REDIRECT", "SECURE_HSTS_PRELOAD", "BEHIND_TLS_PROXY"])
def test_plain_http_mode_refuses_a_setting_that_needs_https(tmp_path, name):
    result = load_settings(tmp_path, **PRODUCTION, WAYMARK_HTTPS="false", **{name: "true"})
    assert result.returncode != 0
    assert f"{name}=true needs HTTPS, but WAYMARK_HTTPS is false." in result.stderr


def test_out_of_production_a_setting_that_needs_https_says_https_is_off_by_default(tmp_path):
    result = load_settings(tmp_path, BEHIND_TLS_PROXY="true")
    assert result.returncode != 0
    assert (
        "BEHIND_TLS_PROXY=true needs HTTPS, but WAYMARK_HTTPS is false (its default outside production)."
        in result.stderr
    )


def test_development_is_plain_http(tmp_path):
    settings = resolved(tmp_path)
    assert settings["https"] is False
    assert settings["session_cookie_secure"] is False
    assert settings["ssl_redirect"] is False
    assert settings["over_http"]["status"] == 200


def test_production_serves_collected_hashed_compressed_static_files(tmp_path):
    settings = resolved(tmp_path, **PRODUCTION)
    assert settings["middleware"] == [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]
    assert settings["staticfiles"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert settings["whitenoise_finders"] is False
    assert settings["whitenoise_autorefresh"] is False


@pytest.mark.parametrize("environment", [{}, {"WAYMARK_ENVIRONMENT": "test", "DEBUG": "false"}])
def test_development_and_the_tests_find_static_files_without_collectstatic(tmp_path, environment):
    settings = resolved(tmp_path, **environment)
    assert settings["staticfiles"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
    assert settings["whitenoise_finders"] is True
    assert settings["whitenoise_autorefresh"] is True
