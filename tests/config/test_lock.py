"""The lock files under requirements/ (scripts/lock) against pyproject.toml, so that a change
to a dependency committed without a new lock fails here rather than installing something
else on the next machine: each lock pins every package with its hashes, holds each of
pyproject.toml's pins at its version, and records pyproject.toml's dependencies as they
stand, which scripts/install checks before installing anything."""

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
EXTRAS = list(PYPROJECT["project"].get("optional-dependencies", {}))
LOCKS = ["base", *EXTRAS]
# One requirement of a lock, its continuation lines joined: a pinned name, perhaps a marker
# (the lock is for every platform), and the hashes of the version's files.
ENTRY = re.compile(
    r"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;]+)(?: ; [^\n]+?)?"
    r"(?P<hashes>(?: +--hash=sha256:[0-9a-f]{64})+)"
)


def lock_path(name: str) -> Path:
    return ROOT / "requirements" / f"{name}.txt"


def locked(name: str) -> dict[str, set[str]]:
    """The versions a lock holds of each package, failing on any line that is not a
    pinned package with hashes."""
    text = lock_path(name).read_text(encoding="utf-8").replace("\\\n", " ")
    versions: dict[str, set[str]] = {}
    unpinned = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        entry = ENTRY.fullmatch(line.rstrip())
        if entry is None:
            unpinned.append(line)
            continue
        versions.setdefault(canonicalize_name(entry["name"]), set()).add(entry["version"])
    assert not unpinned, f"{name}.txt has lines that are not a pinned package with hashes: {unpinned}"
    return versions


def required(extra: str) -> list[Requirement]:
    """What pyproject.toml asks of a lock: Waymark's dependencies, the extra's, and the
    installer and build backend that scripts/install uses."""
    project = PYPROJECT["project"]
    return [
        Requirement(requirement)
        for requirement in [
            *project["dependencies"],
            *(project["optional-dependencies"][extra] if extra != "base" else []),
            *PYPROJECT["build-system"]["requires"],
            "pip",
        ]
    ]


def test_there_is_a_lock_for_running_and_for_each_extra():
    assert sorted(path.stem for path in (ROOT / "requirements").glob("*.txt")) == sorted(LOCKS)


@pytest.mark.parametrize("name", LOCKS)
def test_each_requirement_of_pyproject_is_locked_at_a_version_it_allows(name):
    versions = locked(name)
    wrong = {}
    for requirement in required(name):
        held = versions.get(canonicalize_name(requirement.name), set())
        if not held or not all(requirement.specifier.contains(version) for version in held):
            wrong[str(requirement)] = sorted(held)
    assert not wrong, f"{name}.txt does not hold these as pyproject.toml asks (run scripts/lock): {wrong}"


@pytest.mark.parametrize("extra", EXTRAS)
def test_an_extras_lock_holds_the_running_lock_at_the_same_versions(extra):
    base, with_extra = locked("base"), locked(extra)
    other = {
        package: {"base": sorted(versions), extra: sorted(with_extra.get(package, ()))}
        for package, versions in base.items()
        if with_extra.get(package) != versions
    }
    assert not other, f"{extra}.txt holds these at other versions than base.txt (run scripts/lock): {other}"


def run_lockfile(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(root / "scripts" / "lockfile.py"), *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_each_lock_records_pyproject_as_it_stands():
    locks = [str(lock_path(name)) for name in LOCKS]
    result = run_lockfile(ROOT, "check", *locks)
    assert result.returncode == 0, result.stderr


def copy_of_waymark(tmp_path: Path, change: tuple[str, str]) -> Path:
    """What scripts/install reads, with pyproject.toml changed."""
    shutil.copytree(ROOT / "requirements", tmp_path / "requirements")
    (tmp_path / "scripts").mkdir()
    for script in ("install", "lockfile.py"):
        shutil.copy2(ROOT / "scripts" / script, tmp_path / "scripts" / script)
    old, new = change
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "pyproject.toml").write_text(text.replace(old, new, 1), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "change",
    [
        ('"Django==', '"Django>='),  # a pin of Waymark's own
        ("test = [\n", 'test = [\n    "pytest-randomly==4.0.1",\n'),  # an extra's new package
        ('requires = ["setuptools>=75"]', 'requires = ["setuptools>=80"]'),  # the build backend
    ],
    ids=["pin", "extra", "build"],
)
def test_install_refuses_a_lock_made_from_other_dependencies(tmp_path, change):
    copy = copy_of_waymark(tmp_path, change)
    result = subprocess.run(
        [str(copy / "scripts" / "install"), "test"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": os.environ["PATH"], "PYTHON": sys.executable},
    )
    assert result.returncode == 1
    assert "pyproject.toml has changed since the lock was made: run scripts/lock" in result.stderr
    assert not (copy / ".venv").exists()


def test_settings_outside_the_dependencies_need_no_new_lock(tmp_path):
    copy = copy_of_waymark(tmp_path, ("line-length = 110", "line-length = 100"))
    result = run_lockfile(copy, "check", *(str(copy / "requirements" / f"{name}.txt") for name in LOCKS))
    assert result.returncode == 0, result.stderr
