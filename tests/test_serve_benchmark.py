"""benchmarks/serve.py still runs: production's server on a copy of the database, each
page asked for as its reader and driven for a moment (``--smoke``: few learners, two
seconds a page). Its figures are not checked here; that the pages answer 200 with what
they show, under load, is."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def wrk():
    """Debian's wrk, installed when missing, as scripts/test installs Chromium and redis-server."""
    if shutil.which("wrk") is None:
        if os.geteuid() != 0 or shutil.which("apt-get") is None:
            pytest.fail("benchmarks/serve.py needs wrk: sudo apt-get install wrk")
        environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, timeout=300, env=environment)  # noqa: S607
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, timeout=300, env=environment)  # noqa: S607


@pytest.mark.postgresql_only
def test_the_serving_benchmark_runs(wrk):
    assert os.environ["DATABASE_URL"].startswith("postgres")
    # The benchmark sets the production settings it serves over the suite's own.
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "serve.py"), "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for page in ("trivial page, visitor", "learner's portfolio home", "caseload of", "public unit page"):
        assert page in result.stdout, result.stdout
