"""benchmarks/unit_grid.py still runs (``--smoke``: cohorts of 20 and 60, two rounds), and
the grid asks the same queries of the database whatever the size of the cohort. Its times
are not checked here."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_unit_grid_benchmark_runs(tmp_path):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "WAYMARK_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "unit_grid.py"), "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=environment,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "same queries whatever the size: yes" in result.stdout, result.stdout
