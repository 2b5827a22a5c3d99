"""benchmarks/bundle.py still runs: the worker's whole job on a queued render, and plain
WeasyPrint and Chromium on the HTML ``export_bundle --html`` wrote for the same sample
(``--smoke``: three candidates, one round). Its figures are not checked here; that each
job made the same document, of the same pages, is."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_bundle_benchmark_runs(tmp_path):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "WAYMARK_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bundle.py"), "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=environment,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    pages = {
        job: int(match[1])
        for job in ("Waymark", "WeasyPrint", "Chromium")
        if (match := re.search(rf"^{job} +[\d./]+ +(\d+) ", result.stdout, re.MULTILINE))
    }
    assert len(pages) == 3, result.stdout
    # The same HTML laid out by WeasyPrint, inside Waymark's job or alone, is the same pages.
    assert pages["Waymark"] == pages["WeasyPrint"], result.stdout
    assert "Waymark over Chromium, round by round:" in result.stdout
    assert "Waymark over WeasyPrint, round by round:" in result.stdout
