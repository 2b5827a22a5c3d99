import os
import time

import pytest

# Playwright's synchronous API runs an event loop in the test's thread; the database
# calls the journeys make to set up their data are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("WAYMARK_CHROMIUM", "/usr/bin/chromium")
# This machine has no network but the loopback: keep Chromium from phoning home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    # Journeys run against the live server, in real transactions; restoring the
    # migrations' data (the catalogue's home page, the editors' group) after each one
    # keeps the next journey on the same footing.
    for item in items:
        if "e2e" in item.path.parts:
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


@pytest.fixture(scope="session")
def playwright(playwright, django_db_setup):
    """Once Playwright runs its event loop, Django hands this thread new connection
    objects, without the migrated data Django keeps to restore after each journey's
    flush; give it to them, so that every journey starts from the migrated database."""
    from django.db import connections

    if django_db_setup is not None:
        connections["default"]._test_serialized_contents = django_db_setup
    return playwright


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.access(CHROMIUM, os.X_OK):
        message = f"The browser journeys need Chromium at {CHROMIUM} (apt-get install chromium)."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The accessibility scan adds a style sheet to hold pages at rest; a page's own
    # Content-Security-Policy must not block the test's instrument.
    return {**browser_context_args, "reduced_motion": "reduce", "bypass_csp": True}


@pytest.fixture(autouse=True)
def live_server_settles():
    """After a journey (its page already closed), let the live server finish what the page
    had asked for (the Wagtail admin sends requests of its own) before the database is
    flushed: on PostgreSQL a request still running holds locks the flush would deadlock on."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')"
            )
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.05)
