"""Waymark's settings as a deployment resolves them: Python code run in a new process with
only the environment given (no settings of the test run's own), so that the settings'
import-time rules really run. Nothing in it touches the database unless the code does."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def in_waymark_process(tmp_path: Path, code: str, **environment: str) -> subprocess.CompletedProcess:
    """``code`` run in a new process, with ``config.settings``, its files under
    ``tmp_path`` and only this environment."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "WAYMARK_VAR_DIR": str(tmp_path),
            **environment,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
