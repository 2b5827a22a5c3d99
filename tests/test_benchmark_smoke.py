"""The benchmarks that time the work a person waits for still run, in their short smoke
versions, as scripts in processes of their own with Waymark's own settings. Their times
are not checked here; what each says of the work it timed is."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def smoke(script: str, tmp_path) -> str:
    """What ``benchmarks/<script> --smoke`` printed, once it ran to the end."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "WAYMARK_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=environment,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_the_bundle_benchmark_runs(tmp_path):
    """The worker's whole job on a queued render, and plain WeasyPrint and Chromium on the
    HTML ``export_bundle --html`` wrote for the same sample (three candidates, one round):
    the same HTML laid out by WeasyPrint, inside Waymark's job or alone, is the same pages."""
    printed = smoke("bundle.py", tmp_path)
    pages = {
        job: int(match[1])
        for job in ("Waymark", "WeasyPrint", "Chromium")
        if (match := re.search(rf"^{job} +[\d./]+ +(\d+) ", printed, re.MULTILINE))
    }
    assert len(pages) == 3, printed
    assert pages["Waymark"] == pages["WeasyPrint"], printed
    assert "Waymark over Chromium, round by round:" in printed
    assert "Waymark over WeasyPrint, round by round:" in printed


def test_the_unit_grid_benchmark_runs(tmp_path):
    """Cohorts of 20 and 60, two rounds: the grid asks the same queries whatever the size."""
    printed = smoke("unit_grid.py", tmp_path)
    assert "same queries whatever the size: yes" in printed, printed


def test_the_import_benchmark_runs(tmp_path):
    """Waymark's import and the two plain bulk_creates, each on its own copy of the same
    database (200 rows, one round), then the worker emailing every invitation the import
    queued."""
    printed = smoke("import_learners.py", tmp_path)
    for side in ("Waymark", "learners and enrolments", "every row"):
        assert re.search(rf"^{side} +[\d./]+ ", printed, re.MULTILINE), printed
    assert "Waymark's rate over plain bulk_create of every row, round by round:" in printed
    assert "the worker emailed the 200 invitations in" in printed
