"""The background worker outlives a database restart: a real ``manage.py db_worker``
process, its connections cut and refused for a while (what a PostgreSQL restart does to
it), still runs a task queued afterwards."""

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from tests.testapp.tasks import echo

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgresql_only, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


class Relay:
    """A TCP relay between the worker and PostgreSQL that can be stopped, which closes
    every connection through it and refuses new ones, and started again on the same port:
    to the worker, exactly a database server restarting."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = 0
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None

    def start(self) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.port = self.listener.getsockname()[1]
        self.listener.listen()
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def stop(self) -> None:
        # shutdown() first: a listener closed while a thread waits in accept() would
        # otherwise go on accepting.
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self.sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            if listener.fileno() == -1:
                client.close()
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


def enqueue(value: str) -> DBTaskResult:
    result = DatabaseBackend("default", {}).enqueue(echo, [value], {})
    return DBTaskResult.objects.get(pk=result.id)


def wait_for(row: DBTaskResult, *, seconds: float) -> DBTaskResult:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        row.refresh_from_db()
        if row.status in {"SUCCESSFUL", "FAILED"}:
            return row
        time.sleep(0.2)
    return row


@pytest.fixture
def relay():
    settings = connection.settings_dict
    relay = Relay((settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432)))
    relay.start()
    yield relay
    relay.stop()


@pytest.fixture
def worker(relay, tmp_path):
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@127.0.0.1:{relay.port}/{settings['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": url,
        "TASK_BACKEND": "django_tasks_db.DatabaseBackend",
        # Connections are kept between polls, by the pool as in production
        # (config/settings/database.py), so that cutting them is noticed mid-use.
    }
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    log = (tmp_path / "worker.log").open("w+")
    command = ["manage.py", "db_worker", "--queue-name", "*", "--interval", "0.2", "--no-reload"]
    process = subprocess.Popen(
        [sys.executable, *command], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.seek(0)
    print(log.read())


def test_worker_runs_a_task_queued_after_the_database_restarted(relay, worker):
    assert wait_for(enqueue("before"), seconds=30).status == "SUCCESSFUL"

    # The restart: the server ends every session (pg_terminate_backend is what a restart
    # does to them), and refuses connections while it is down.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    relay.stop()
    time.sleep(3)  # several polls of the worker, each refused
    relay.start()

    row = wait_for(enqueue("after"), seconds=30)
    assert worker.poll() is None, "the worker exited"
    assert row.status == "SUCCESSFUL"
    assert row.return_value == "after"
