"""Two Waymarks side by side, as behind a load balancer: two ``scripts/serve web`` on ports
of their own, one PostgreSQL database (the suite's) and one Redis (CACHE_URL), in the
plain-HTTP mode. What one answers, the other must honour: a person signed in on one is
signed in on the other, the sign-in failures counted on one count on the other, and a
page one keeps for its reader shows what was just done through the other."""

import re

import pytest
import requests
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password

from centre.models import Role
from common.scoping import centre_scope
from tests.config.serving import database_url, redis_database, serving_web, unique_name
from tests.factories import CentreFactory
from tests.helpers import criteria_of, enrol, grid_state, member

pytestmark = [pytest.mark.postgresql_only, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REDIS_DATABASE = 12  # not 0, and not the cache test's
EMAIL = "ada.lovelace@example.org"
PASSWORD = "a long passphrase for the scale-out test"
FAILURES_ALLOWED = 4


@pytest.fixture
def shared_redis(tmp_path):
    with redis_database(REDIS_DATABASE, tmp_path) as (url, _):
        yield url


@pytest.fixture
def learner_email():
    """A learner of a centre, in the database both instances use. A learner signs in with
    a password alone (only staff must add an authenticator code), so two-factor
    sign-in stays required, as in production. Their password is hashed as the instances
    hash them (Argon2), not with the suite's fast hasher, which they do not know."""
    user = member(CentreFactory(name="Northgate College"), Role.LEARNER, user__email=EMAIL)
    user.password = make_password(PASSWORD, hasher=Argon2PasswordHasher())
    user.save(update_fields=["password"])
    return EMAIL


@pytest.fixture
def two_instances(tmp_path, shared_redis, learner_email):
    settings = {
        "DATABASE_URL": database_url(unique_name("scale-out")),
        "CACHE_URL": shared_redis,
        "WAYMARK_HTTPS": "false",
        "WAYMARK_REQUIRE_TWO_FACTOR": "true",
        "SIGN_IN_FAILURES_PER_ACCOUNT": str(FAILURES_ALLOWED),
        "WEB_CONCURRENCY": "1",
    }
    with serving_web(tmp_path, "a", "b", **settings) as (a, b):
        yield a, b


@pytest.fixture
def enrolled_learner(seed_unit):
    """A learner on the seed unit, who signs in with their password (hashed as above)."""
    enrolment = enrol(CentreFactory(name="Northgate College"), seed_unit, first_name="Ada")
    user = enrolment.learner.user
    user.email = EMAIL
    user.password = make_password(PASSWORD, hasher=Argon2PasswordHasher())
    user.save(update_fields=["email", "password"])
    return enrolment


def sign_in(
    base: str, email: str, password: str, browser: requests.Session | None = None
) -> requests.Response:
    """The sign-in form, read and sent back as a browser does (its CSRF token and cookie)."""
    browser = browser or requests.Session()
    form = browser.get(f"{base}/accounts/sign-in/", timeout=30)
    assert form.status_code == 200, form.text[:2000]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    return browser.post(
        f"{base}/accounts/sign-in/",
        {"csrfmiddlewaretoken": token, "username": email, "password": password},
        allow_redirects=False,
        timeout=30,
    )


def centre_home(base: str, session_cookie: str | None) -> requests.Response:
    cookies = {"sessionid": session_cookie} if session_cookie else {}
    return requests.get(f"{base}/centre/", cookies=cookies, allow_redirects=False, timeout=30)


def test_sessions_and_sign_in_failures_are_shared_by_the_instances(two_instances):
    a, b = two_instances

    # Signed in on A, the session cookie is all B needs.
    signed_in = sign_in(a, EMAIL, PASSWORD)
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/centre/", signed_in.text[:2000]
    session = signed_in.cookies["sessionid"]
    assert centre_home(b, None).status_code == 302  # without it, B sends the visitor to sign in
    page = centre_home(b, session)
    assert page.status_code == 200, page.headers.get("Location")
    assert "Northgate College" in page.text and "Your roles here: learner." in page.text

    # Wrong passwords, on one instance and then the other: each failure but the last is
    # told so, and the last, on either, is refused.
    instances = [a, b]
    for attempt in range(1, FAILURES_ALLOWED):
        refused = sign_in(instances[attempt % 2], EMAIL, "not the password")
        assert refused.status_code == 200, attempt
        assert "Please enter a correct email address and password." in refused.text
    last = sign_in(instances[FAILURES_ALLOWED % 2], EMAIL, "not the password")
    assert last.status_code == 429, f"{FAILURES_ALLOWED} failures across both instances were not enough"

    # The right password is refused too, wherever it is tried, and no session begins.
    for base in instances:
        right = sign_in(base, EMAIL, PASSWORD)
        assert right.status_code == 429, base
        assert "Too many unsuccessful attempts to sign in." in right.text
        assert "sessionid" not in right.cookies


def test_a_page_kept_by_one_instance_shows_what_was_just_done_through_the_other(
    tmp_path, shared_redis, enrolled_learner
):
    settings = {
        "DATABASE_URL": database_url(unique_name("kept-pages")),
        "CACHE_URL": shared_redis,
        "WAYMARK_HTTPS": "false",
        "WEB_CONCURRENCY": "1",
    }
    with centre_scope(enrolled_learner.learner.centre):
        (criterion,) = criteria_of(enrolled_learner.unit, "1.1")
    with serving_web(tmp_path, "a", "b", **settings) as (a, b):
        browser = requests.Session()
        assert sign_in(a, EMAIL, PASSWORD, browser).status_code == 302
        for _ in range(2):  # rendered by A, then given as A kept it
            assert grid_state(browser.get(f"{a}/portfolio/", timeout=30).text, "1.1") == "No evidence yet"

        # Written and mapped to 1.1 through B, as the learner's browser does it.
        form = browser.get(f"{b}/portfolio/evidence/new/written_account/", timeout=30).text
        created = browser.post(
            f"{b}/portfolio/evidence/new/written_account/",
            {**hidden_fields(form), "title": "My account", "body": "What I did."},
            allow_redirects=False,
            timeout=30,
        )
        assert created.status_code == 302, created.text[:2000]
        mapping = f"{b}{created.headers['Location']}criteria/"
        mapped = browser.post(
            mapping,
            {
                **hidden_fields(browser.get(mapping, timeout=30).text),
                "criteria": [criterion.pk],
                f"note-{criterion.pk}": "Who I met, and what came of it.",
            },
            allow_redirects=False,
            timeout=30,
        )
        assert mapped.status_code == 302, mapped.text[:2000]

        assert grid_state(browser.get(f"{a}/portfolio/", timeout=30).text, "1.1") == "Evidence in draft"


def hidden_fields(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
