import contextlib
import os
import time

import pytest
from playwright.sync_api import Error as PlaywrightError

from e2e.accessibility import accessibility_report
from e2e.chromium import CHROMIUM, CHROMIUM_ARGS


def pytest_collection_modifyitems(items):
    # Journeys run against the live server, in real transactions; restoring the
    # migrations' data (the catalogue's home page, the editors' group) after each one
    # keeps the next journey on the same footing. CI runs the journeys on SQLite (.ci/run).
    for item in items:
        if "e2e" in item.path.parts:
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))
            item.add_marker(pytest.mark.journey)


@pytest.fixture(scope="session")
def playwright(django_db_setup, playwright):  # the database first: it is made before the loop runs
    """Once Playwright runs its event loop, Django hands this thread new connection
    objects, without the migrated data Django keeps to restore after each journey's
    flush; give it to them, so that every journey starts from the migrated database.

    Playwright's synchronous API runs that event loop in the test's thread, and the
    database calls the journeys make to set up their data are still plain synchronous
    calls: Django allows them (``DJANGO_ALLOW_ASYNC_UNSAFE``) only while the loop runs,
    so the rest of the suite keeps Django's async-safety check."""
    from django.db import connections

    if django_db_setup is not None:
        connections["default"]._test_serialized_contents = django_db_setup
    earlier = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield playwright
    if earlier is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = earlier


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


# --- Every page a journey visits is scanned with axe -------------------------------------


class PageScans:
    """Scans each document the page shows, once, before the journey's next step in the
    browser (and at the end, the page it ended on). Playwright reports that the page has a
    new document before it answers any step that saw it, so no page the journey looked at
    is passed over; one left before the journey looked at it (it acted on the new page in the
    same step that brought it) or that went by itself, is named at teardown."""

    def __init__(self, page):
        self.page = page
        self.document = 0  # counts the documents the page has shown
        self.scanned = 0  # the last document scanned
        self.unscanned: list[str] = []
        self.violations: list[str] = []

    def on_navigated(self, frame):
        if frame == self.page.main_frame:
            self.document += 1

    def scan(self):
        if self.scanned == self.document:
            return
        document, url = self.document, self.page.url
        try:
            # Measure the page with its style sheets and images in place.
            with contextlib.suppress(PlaywrightError):
                self.page.wait_for_load_state("load", timeout=5000)
            report = accessibility_report(self.page)
        except PlaywrightError:  # the page went elsewhere, or closed, mid-scan
            report = None
        self.scanned = max(self.scanned, document)
        if report is None or self.document != document:
            self.unscanned.append(url)
        elif report:
            self.violations.append(report)

    def problems(self) -> str:
        parts = list(self.violations)
        if self.unscanned:
            parts.append(
                "These pages loaded but went before axe could scan them:\n"
                + "\n".join(f"- {url}" for url in self.unscanned)
            )
        return "\n\n".join(parts)


@pytest.fixture
def page(page, request, monkeypatch):
    """pytest-playwright's page, scanned with axe on every document it loads (PageScans);
    any violation, or a page left unscanned, fails the journey, naming the page."""
    import greenlet
    from playwright._impl._sync_base import SyncBase

    scans = PageScans(page)
    journey = greenlet.getcurrent()
    sync = SyncBase._sync
    settling = []

    def scan_before_the_next_step(self, awaitable):
        # Only the journey's own steps wait (not the scan's, nor Playwright's handlers).
        if greenlet.getcurrent() is journey and not settling and not page.is_closed():
            settling.append(True)
            try:
                scans.scan()
            finally:
                settling.clear()
        return sync(self, awaitable)

    monkeypatch.setattr(SyncBase, "_sync", scan_before_the_next_step)
    page.on("framenavigated", scans.on_navigated)
    yield page
    settling.append(True)  # the page the journey ended on is scanned now, if not already
    if not page.is_closed():
        scans.scan()
    monkeypatch.undo()
    problems = scans.problems()
    call = getattr(request.node, "rep_call", None)
    if problems and call is not None and call.failed:
        print(problems)  # the journey has failed already; say this too, without a second error
    elif problems:
        pytest.fail(problems, pytrace=False)


@pytest.fixture(scope="session")
def journeys_redis(tmp_path_factory):
    """A redis-server of this process's journeys alone, as CACHE_URL names it."""
    from tests.config.serving import redis_database

    with redis_database(0, tmp_path_factory.mktemp("redis"), private=True) as (url, client):
        yield url, client


@pytest.fixture(autouse=True)
def stamped_outbox(monkeypatch):
    """Each email this process sends is stamped with when it went, so that the journey can
    tell the newest of them and of those the task worker wrote (``e2e.people._emails``)."""
    import time

    from django.core.mail.backends.locmem import EmailBackend

    send_messages = EmailBackend.send_messages

    def stamped(self, messages):
        for message in messages:
            message.sent_ns = time.time_ns()
        return send_messages(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", stamped)


@pytest.fixture(autouse=True)
def journeys_as_in_production(settings, live_server, journeys_redis):
    """Staff sign in with their authenticator app, as in production; the links in the
    emails Waymark sends lead to the live server; the cache is Redis, shared with the
    task worker, so that the pages kept for visitors and for their readers
    (``units.visitor_pages``, ``common.reader_pages``) are given as on a server with
    CACHE_URL, and must show at once what each step of a journey has just changed."""
    settings.WAYMARK_REQUIRE_TWO_FACTOR = True
    settings.WAYMARK_BASE_URL = live_server.url
    url, client = journeys_redis
    client.flushdb()
    settings.CACHES = {"default": {"BACKEND": "common.redis_cache.RedisCache", "LOCATION": url}}
    settings.WAYMARK_VISITOR_PAGES = settings.WAYMARK_READER_PAGES = True


@pytest.fixture
def db_worker(settings, live_server, journeys_redis, monkeypatch, tmp_path_factory):
    """A real ``manage.py db_worker``, in a process of its own, on the journey's database and
    files; the live server's tasks go to the database for it, and the emails it sends to a
    folder the journey reads (``WAYMARK_TEST_MAIL_DIR``). Stopped at teardown (killed if it
    has not stopped within ten seconds)."""
    import signal
    import subprocess
    import sys
    from pathlib import Path

    from django.db import connection

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _forget_task_backends()
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{database['NAME']}"
    else:
        auth = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
        url = f"postgres://{auth}@{database['HOST']}:{database['PORT'] or 5432}/{database['NAME']}"
    # Not PYTEST_XDIST_WORKER: the worker is given this worker's folders as they are, and
    # tests.settings would otherwise add the worker's suffix to them a second time.
    env = {
        **{name: value for name, value in os.environ.items() if name != "PYTEST_XDIST_WORKER"},
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": url,
        "TASK_BACKEND": "django_tasks_db.DatabaseBackend",
        "EVIDENCE_ROOT": str(settings.EVIDENCE_ROOT),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "WAYMARK_BASE_URL": live_server.url,
        "CACHE_URL": journeys_redis[0],
    }
    mail_folder = tmp_path_factory.mktemp("worker-mail")
    monkeypatch.setenv("WAYMARK_TEST_MAIL_DIR", str(mail_folder))
    env["WAYMARK_TEST_MAIL_DIR"] = str(mail_folder)
    env["BUNDLE_PART_MAX_BYTES"] = str(settings.BUNDLE_PART_MAX_BYTES)
    root = Path(__file__).resolve().parent.parent
    worker = subprocess.Popen(  # noqa: S603 (this interpreter, running manage.py)
        [
            sys.executable,
            str(root / "manage.py"),
            "db_worker",
            "--interval",
            "0.2",
            "--no-startup-delay",
            "--no-reload",
        ],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield worker
    worker.send_signal(signal.SIGINT)
    try:
        output, _ = worker.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        worker.kill()
        output, _ = worker.communicate(timeout=5)
    _forget_task_backends()
    if "Traceback" in (output or ""):
        print(output)


def _forget_task_backends():
    """django.tasks keeps the backends it made from TASKS; overriding the setting does
    not tell it, so make it read TASKS again."""
    import django.tasks
    from asgiref.local import Local

    handler = django.tasks.task_backends
    handler.__dict__.pop("settings", None)
    handler._connections = Local(handler.thread_critical)
