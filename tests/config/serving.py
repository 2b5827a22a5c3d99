"""``scripts/serve web`` on the suite's own PostgreSQL test database, as a deployment runs
it (tests/config/test_serve.py's environment, with the database and cache given), for the
tests of what several processes share: the connection pool and the scale-out."""

import contextlib
import os
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import requests
from django.db import connection

from tests.config.test_serve import ROOT, START_SECONDS, environment, free_port, processes_of, wait_for

SERVE = ROOT / "scripts" / "serve"


def database_url(application_name: str) -> str:
    """The test database's URL, with a name its connections show in pg_stat_activity, so
    that they are told apart from the test's own."""
    database = connection.settings_dict
    user = quote(database["USER"] or "")
    password = f":{quote(database['PASSWORD'])}" if database["PASSWORD"] else ""
    host = database["HOST"] or "127.0.0.1"
    port = database["PORT"] or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{database['NAME']}?application_name={application_name}"


def administration() -> psycopg.Connection:
    """A connection of the test's own, outside Django's (and its pool), to look at and end
    the served processes' connections."""
    database = connection.settings_dict
    return psycopg.connect(
        dbname=database["NAME"],
        user=database["USER"] or None,
        password=database["PASSWORD"] or None,
        host=database["HOST"] or "127.0.0.1",
        port=database["PORT"] or "5432",
        autocommit=True,
    )


def backends(admin: psycopg.Connection, application_name: str) -> set[int]:
    """The server processes of the connections that name themselves so."""
    rows = admin.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s",
        [application_name],
    ).fetchall()
    return {pid for (pid,) in rows}


def unique_name(what: str) -> str:
    return f"waymark-{what}-{uuid.uuid4().hex[:8]}"


@contextlib.contextmanager
def serving_web(tmp_path: Path, *names: str, **extra: str):
    """``scripts/serve web`` (migrate, collectstatic, then gunicorn in the foreground) once
    for each name, started together, each on a free port of 127.0.0.1 with folders of its
    own under ``tmp_path / name``: yields their addresses once all answer. At the end each
    process group is stopped (SIGTERM, then SIGKILL), and anything of its session still
    there after that."""
    started = []
    try:
        for name in names:
            folder = tmp_path / name
            folder.mkdir()
            port = free_port()
            log = folder / "serve.log"
            env = environment(folder, BIND=f"127.0.0.1:{port}", **extra)
            with log.open("ab") as output:
                process = subprocess.Popen(
                    [str(SERVE), "web"],
                    cwd=ROOT,
                    env=env,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            started.append((name, process, log, f"http://127.0.0.1:{port}"))
        for name, process, log, base in started:
            wait_for(lambda base=base: answers(base), START_SECONDS, f"{name} answering", process, log)
        yield [base for _, _, _, base in started]
    finally:
        for _, process, _, _ in started:
            stop(process)


def answers(base: str) -> bool:
    try:
        requests.get(f"{base}/", timeout=5)
    except requests.RequestException:
        return False
    return True  # whatever it answers: the test looks at that


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    for straggler in processes_of(process.pid, b""):
        with contextlib.suppress(ProcessLookupError):
            os.kill(straggler, signal.SIGKILL)


MACHINE_REDIS = "127.0.0.1:6379"


@contextlib.contextmanager
def redis_database(number: int, tmp_path: Path, *, private: bool = False):
    """A Redis database, emptied before and after (only that one), as ``(url, client)``:
    on the Redis at 127.0.0.1:6379 (the machine's, as PostgreSQL is), or, where none
    answers there or ``private`` asks for one no other test shares, on a redis-server
    this starts on a free port and stops afterwards."""
    import redis

    server = None
    url = f"redis://{MACHINE_REDIS}/{number}"
    client = redis.Redis.from_url(url, socket_timeout=10)
    try:
        if private:
            raise redis.ConnectionError("a server of this test's own")
        client.ping()
    except redis.ConnectionError:
        executable = shutil.which("redis-server")
        assert executable, f"No Redis answers at {MACHINE_REDIS}, and there is no redis-server to start."
        port = free_port()
        server = subprocess.Popen(
            [
                executable,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--dir",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        url = f"redis://127.0.0.1:{port}/{number}"
        client = redis.Redis.from_url(url, socket_timeout=10)
        deadline = time.monotonic() + 30
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    try:
        client.flushdb()
        yield url, client
        client.flushdb()
    finally:
        client.close()
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
