"""scripts/serve, run as a deployment runs it: with only its environment, on a free port
of 127.0.0.1, in the plain-HTTP mode (there is no TLS proxy here), on a new SQLite database
and folders of its own. It prepares Waymark (migrate, collectstatic) and serves it with
gunicorn and a task worker under supervisord; the test then reads pages and static files
as a browser would, signs in to Wagtail's admin, kills the task worker, starts a second
Waymark on the same port (which cannot start, and says so) and stops it all."""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
SERVE = ROOT / "scripts" / "serve"
# Migrating a new database and collecting (hashing and compressing) Wagtail's static files
# take a minute or two on a small machine busy with the rest of the suite.
START_SECONDS = 420
FOREVER = 10 * 365 * 24 * 60 * 60  # WhiteNoise's far-future max-age for a hashed name
ADMIN_EMAIL = "administrator@example.org"
ADMIN_PASSWORD = "a long passphrase for the serve test"

# The script makes a SQLite database of its own whichever database the suite runs on:
# running it on the PostgreSQL leg too would check nothing more.
pytestmark = pytest.mark.sqlite_only
EVERY_ADDRESS = "0.0.0.0"  # noqa: S104 (what a deployment beyond this machine binds)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """What a deployment sets, and nothing of the test run's own (its settings module,
    its database)."""
    var = tmp_path / "var"
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(tmp_path)),
        **({"PYTHON": os.environ["PYTHON"]} if "PYTHON" in os.environ else {}),
        "WAYMARK_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'waymark.sqlite3'}",
        "SECRET_KEY": "a-secret-key-for-the-serve-test-only-" + "q8" * 20,
        "ALLOWED_HOSTS": "127.0.0.1",
        "WAYMARK_HTTPS": "false",
        # The administrator signs in with their password alone, as there is no app here.
        "WAYMARK_REQUIRE_TWO_FACTOR": "false",
        "WEB_CONCURRENCY": "2",
        "WEB_THREADS": "2",
        "WORKERS": "1",
        **extra,
    }


def processes_of(session: int, word: bytes) -> set[int]:
    """The processes of that session whose command line has the word in it."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getsid(int(entry.name)) == session and word in (entry / "cmdline").read_bytes():
                found.add(int(entry.name))
        except OSError:
            continue  # it ended meanwhile
    return found


def wait_for(condition, seconds: float, what: str, served: subprocess.Popen, log: Path):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if served.poll() is not None:
            pytest.fail(f"scripts/serve exited ({served.returncode}) before {what}:\n{log.read_text()}")
        if result := condition():
            return result
        time.sleep(0.5)
    pytest.fail(f"Not {what} within {seconds} s:\n{log.read_text()[-5000:]}")


@pytest.fixture
def served(tmp_path):
    """scripts/serve running; at the end its process group is stopped (SIGTERM, then
    SIGKILL), and then anything of its session still there (supervisord starts each
    process in a group of its own)."""
    port = free_port()
    log = tmp_path / "serve.log"
    env = environment(tmp_path, BIND=f"127.0.0.1:{port}")
    with log.open("ab") as output:
        process = subprocess.Popen(
            [str(SERVE)], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            requests.get(f"{base}/", timeout=5)
        except requests.RequestException:
            return False
        return True  # answering, whatever it answers: the test looks at that

    try:
        wait_for(up, START_SECONDS, "answering", process, log)
        yield process, base, env, log
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=150)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        for straggler in processes_of(process.pid, b""):
            with contextlib.suppress(ProcessLookupError):
                os.kill(straggler, signal.SIGKILL)


def set_cookies(response: requests.Response) -> list[str]:
    return [
        cookie
        for answer in [*response.history, response]
        for cookie in answer.raw.headers.getlist("Set-Cookie")
    ]


def assert_plain_http(response: requests.Response) -> None:
    """No answer redirected to HTTPS, asked for HSTS, or set a cookie only HTTPS may carry."""
    for answer in [*response.history, response]:
        assert not answer.headers.get("Location", "").startswith("https:"), answer.url
        assert "Strict-Transport-Security" not in answer.headers, answer.url
    for cookie in set_cookies(response):
        assert "secure" not in [part.strip().lower() for part in cookie.split(";")], cookie


def assert_served_for_ever(url: str) -> requests.Response:
    """A hashed static file, served compressed and cached for ten years."""
    assert re.search(r"\.[0-9a-f]{12}\.(css|js)$", url.split("?")[0]), f"{url} has no hash in its name"
    response = requests.get(url, headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert response.status_code == 200, url
    assert response.headers["Cache-Control"] == f"max-age={FOREVER}, public, immutable", url
    assert response.headers.get("Content-Encoding") == "gzip", url
    return response


def test_scripts_serve_serves_waymark_restarts_a_dead_worker_and_stops_if_one_cannot_start(served):
    process, base, env, log = served

    home = requests.get(f"{base}/", timeout=10)
    assert home.status_code == 200, home.text[:2000]
    assert_plain_http(home)
    stylesheet = re.search(
        r'<link rel="stylesheet" href="(/static/css/waymark\.[0-9a-f]{12}\.css)">', home.text
    )
    assert stylesheet, home.text[:2000]
    css = assert_served_for_ever(base + stylesheet.group(1))
    assert "text/css" in css.headers["Content-Type"]

    # Wagtail's admin, signed in as an administrator made as README says.
    subprocess.run(
        [sys.executable, "manage.py", "createsuperuser", "--noinput"],
        cwd=ROOT,
        env={
            **env,
            "WAYMARK_ENVIRONMENT": "production",
            "DJANGO_SUPERUSER_EMAIL": ADMIN_EMAIL,
            "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD,
            "DJANGO_SUPERUSER_FIRST_NAME": "Wyn",
            "DJANGO_SUPERUSER_LAST_NAME": "Admin",
        },
        check=True,
        capture_output=True,
        timeout=120,
    )
    browser = requests.Session()
    sign_in = browser.get(f"{base}/admin/", timeout=10)
    assert sign_in.status_code == 200 and sign_in.url == f"{base}/accounts/sign-in/?next=/admin/", sign_in.url
    assert_plain_http(sign_in)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', sign_in.text).group(1)
    admin = browser.post(
        sign_in.url,
        {
            "csrfmiddlewaretoken": token,
            "username": ADMIN_EMAIL,
            "password": ADMIN_PASSWORD,
            "next": "/admin/",
        },
        timeout=30,
    )
    assert admin.status_code == 200 and admin.url == f"{base}/admin/", (admin.status_code, admin.url)
    assert_plain_http(admin)
    assert {"csrftoken", "sessionid"} <= {c.split("=")[0] for c in set_cookies(sign_in) + set_cookies(admin)}
    scripts = re.findall(r'<script[^>]+src="(/static/wagtailadmin/js/[^"]+)"', admin.text)
    stylesheets = re.findall(r'<link[^>]+href="(/static/wagtailadmin/css/[^"]+)"', admin.text)
    assert scripts and stylesheets, admin.text[:3000]
    for url in scripts:
        assert "javascript" in assert_served_for_ever(base + url).headers["Content-Type"], url
    for url in stylesheets:
        assert_served_for_ever(base + url)

    # The task worker dies; supervisord starts another.
    (worker,) = wait_for(
        lambda: processes_of(process.pid, b"db_worker"), 30, "running a task worker", process, log
    )
    os.kill(worker, signal.SIGKILL)
    (restarted,) = wait_for(
        lambda: processes_of(process.pid, b"db_worker") - {worker}, 30, "restarting the worker", process, log
    )
    assert restarted != worker

    # A second Waymark on the same port: its gunicorn cannot listen, supervisord gives up
    # on it, and everything stops, saying which.
    second = subprocess.run(
        [str(SERVE)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, start_new_session=True
    )
    assert second.returncode == 1, second.stdout[-3000:] + second.stderr
    assert "scripts/serve: web could not be started" in second.stderr, second.stdout[-3000:] + second.stderr
    assert requests.get(f"{base}/", timeout=10).status_code == 200  # the first one serves on

    # SIGTERM stops every process, and scripts/serve ends as asked, not as failing.
    os.killpg(process.pid, signal.SIGTERM)
    assert process.wait(timeout=150) == 0, log.read_text()[-5000:]


def test_scripts_serve_ends_failing_when_its_supervisor_dies(served):
    """supervisord killed outright (by the kernel out of memory, say) is a failure that
    systemd or Docker must see and restart, not a clean stop."""
    process, _, _, log = served
    (supervisor,) = processes_of(process.pid, b"supervisord")
    os.kill(supervisor, signal.SIGKILL)
    assert process.wait(timeout=60) == 128 + signal.SIGKILL, log.read_text()[-5000:]


@pytest.mark.parametrize(
    ("unset", "extra", "message"),
    [
        ("SECRET_KEY", {}, "Set SECRET_KEY"),
        ("ALLOWED_HOSTS", {}, "Set ALLOWED_HOSTS"),
        (None, {"WAYMARK_ENVIRONMENT": "development"}, "WAYMARK_ENVIRONMENT is 'development'"),
        (
            None,
            {"WEB_CONCURRENCY": "many"},
            "WEB_CONCURRENCY must be a whole number of at least 1, not 'many'",
        ),
    ],
)
def test_scripts_serve_refuses_to_start_saying_what_is_wrong(tmp_path, unset, extra, message):
    env = environment(tmp_path, BIND=f"127.0.0.1:{free_port()}", **extra)
    env.pop(unset, None)
    result = subprocess.run(
        [str(SERVE)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, start_new_session=True
    )
    assert result.returncode != 0
    assert message in result.stderr, result.stdout + result.stderr
    assert not (tmp_path / "var" / "waymark.sqlite3").exists()  # nothing was migrated


@pytest.mark.parametrize(
    ("bind", "https", "warned"),
    [(EVERY_ADDRESS, "true", True), ("127.0.0.1", "true", False), (EVERY_ADDRESS, "false", False)],
)
def test_scripts_serve_warns_when_gunicorn_believes_forwarded_headers_beyond_this_machine(
    tmp_path, bind, https, warned
):
    """Behind the TLS proxy on another address than loopback, anyone who reaches gunicorn
    could claim HTTPS: Waymark still starts (a load balancer in front of several machines
    needs it), and says what the network must then ensure. The task worker alone checks
    the settings the same way and is quick to start, so it stands in for the whole: on a
    database not yet migrated it is running once it reports that it cannot read its queue."""
    env = environment(tmp_path, BIND=f"{bind}:{free_port()}", WAYMARK_HTTPS=https)
    log = tmp_path / "worker.log"
    with log.open("ab") as output:
        process = subprocess.Popen(
            [str(SERVE), "worker"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while "could not be reached" not in log.read_text():
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        said = log.read_text()
        assert (f"gunicorn listens on {bind}:" in said) is warned, said
        assert ("let nothing but the TLS proxy reach it" in said) is warned
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def test_scripts_serve_says_when_the_python_of_its_environment_cannot_be_reached(tmp_path):
    """A .venv made with a Python that systemd's ProtectHome hides (pyenv's, under /home):
    the link is there, what it points to is not."""
    checkout = tmp_path / "checkout"
    (checkout / "scripts").mkdir(parents=True)
    (checkout / "scripts" / "serve").write_bytes(SERVE.read_bytes())
    (checkout / "scripts" / "serve").chmod(0o755)
    (checkout / ".venv" / "bin").mkdir(parents=True)
    (checkout / ".venv" / "bin" / "python").symlink_to("/home/nobody/.pyenv/versions/3.12.7/bin/python3.12")
    result = subprocess.run(
        [str(checkout / "scripts" / "serve"), "web"],
        env=environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert (
        ".venv was made with /home/nobody/.pyenv/versions/3.12.7/bin/python3.12, which cannot be reached"
        in result.stderr
    )
