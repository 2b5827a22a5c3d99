"""benchmarks/load.py in its short form (--smoke: 50 simulated people for 60 s against
scripts/serve on a database of its own): no answer of 500 or more, and every write the
people were told of in the database exactly once. The 95th percentile is printed, not
enforced: CI's machine is shared. And its check, on rows made here, finds what it is for."""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from benchmarks.load_check import check
from benchmarks.load_people import baseline
from common.scoping import centre_scope
from portfolio.services import create_evidence_item

ROOT = Path(__file__).resolve().parents[2]
# Making the people and starting scripts/serve take minutes on a busy machine; then a
# minute of load, the bundles and the stop.
RUN_SECONDS = 1800
STOP_SECONDS = 200  # scripts/serve's own stop, and Locust's

pytestmark = pytest.mark.postgresql_only


def test_fifty_people_for_a_minute_get_no_server_error_and_lose_or_double_nothing(tmp_path, capsys):
    url = urlsplit(os.environ["DATABASE_URL"])
    database = f"{url.path.lstrip('/')}_load"
    command = [sys.executable, "benchmarks/load.py", "--smoke", "--database", database]
    run = subprocess.Popen(
        [*command, "--run-dir", str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, stderr = run.communicate(timeout=RUN_SECONDS)
    except subprocess.TimeoutExpired:
        # SIGTERM first: the benchmark then stops scripts/serve and Locust, which run in
        # sessions of their own.
        run.terminate()
        stdout, stderr = run.communicate(timeout=STOP_SECONDS)
        pytest.fail(
            f"benchmarks/load.py --smoke took over {RUN_SECONDS} s:\n{stdout[-5000:]}{stderr[-5000:]}"
        )
    finally:
        if run.poll() is None:
            run.kill()
            run.wait(timeout=10)
        with psycopg.connect(
            urlunsplit(url._replace(path="/postgres")), autocommit=True, connect_timeout=30
        ) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    with capsys.disabled():
        print(f"\nbenchmarks/load.py --smoke:\n{stdout}")
    assert run.returncode == 0, stdout[-5000:] + stderr[-5000:]
    assert "Consistency: every write once, nothing extra, the audit trail intact" in stdout
    assert "95th percentile of every answer" in stdout


@pytest.mark.django_db
def test_the_check_finds_a_write_lost_and_one_nobody_was_told_of(learner):
    before = baseline()
    with centre_scope(learner.centre):
        untold, _ = create_evidence_item(
            learner=learner,
            actor=learner.user,
            kind="written_account",
            title="Saved, but the learner was never told",
            body="An account.",
            details={},
            creation_token=uuid.uuid4(),
        )
    lost = untold.pk + 1000
    told = [{"kind": "evidence_created", "item": lost, "title": "Saved, the learner was told"}]

    problems = check(told, before)

    assert f"evidence item {lost}: lost (a learner was told it was saved)" in problems
    assert f"evidence item {untold.pk}: made, though no learner was told so" in problems
    assert f"evidence item {lost}: 0 “evidence.created” audit records, not 1" in problems
    assert check([{"kind": "evidence_created", "item": untold.pk, "title": untold.title}], before) == []
