"""What the lock files under requirements/ were made from, for scripts/lock and scripts/install.

scripts/lock writes at the top of each lock file a digest of pyproject.toml's dependency
lists as they were; scripts/install refuses a lock whose digest is not that of
pyproject.toml as it stands, since it would install something other than what
pyproject.toml asks for. Only the dependency lists count, so a change to ruff's settings
does not call for a new lock. Standard library only: it runs before .venv exists.

    scripts/lockfile.py extras          pyproject.toml's optional extras, each with a lock
    scripts/lockfile.py tools           the installer and the build backend, to lock too
    scripts/lockfile.py sign LOCK...    put pyproject.toml's digest at the top of each
    scripts/lockfile.py check LOCK...   exit 1, saying why, if one was made from others
"""

import hashlib
import json
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
MARK = "# pyproject.toml dependencies: sha256:"
HEADER = (
    "# Made by scripts/lock from pyproject.toml: change a dependency there, then run scripts/lock.\n"
    "# scripts/install refuses this file once pyproject.toml's dependencies differ from these.\n"
)


def pyproject_digest(pyproject: Path = PYPROJECT) -> str:
    """The digest of everything in pyproject.toml that decides what a lock holds."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    project = data.get("project", {})
    inputs = {
        "requires-python": project.get("requires-python"),
        "dependencies": sorted(project.get("dependencies", [])),
        "optional-dependencies": {
            extra: sorted(requirements)
            for extra, requirements in project.get("optional-dependencies", {}).items()
        },
        "build-system": sorted(data.get("build-system", {}).get("requires", [])),
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def recorded_digest(lock: Path) -> str | None:
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line.startswith(MARK):
            return line.removeprefix(MARK).strip()
    return None


def extras(pyproject: Path = PYPROJECT) -> list[str]:
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    return list(data.get("project", {}).get("optional-dependencies", {}))


def tools(pyproject: Path = PYPROJECT) -> list[str]:
    """What scripts/install installs with besides the dependencies: pip, which a new virtual
    environment brings at whatever version its Python came with, and the build backend,
    which builds Waymark's editable install in .venv instead of in an unchecked throwaway
    environment of its own."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    return ["pip", *data.get("build-system", {}).get("requires", [])]


def sign(lock: Path, pyproject: Path = PYPROJECT) -> None:
    body = "".join(
        line
        for line in lock.read_text(encoding="utf-8").splitlines(keepends=True)
        if not line.startswith(MARK)
    ).removeprefix(HEADER)
    lock.write_text(f"{MARK}{pyproject_digest(pyproject)}\n{HEADER}{body}", encoding="utf-8")


def check(locks: list[Path], pyproject: Path = PYPROJECT) -> list[str]:
    """The reasons the locks cannot be installed, if any."""
    digest = pyproject_digest(pyproject)
    problems = []
    for lock in locks:
        if recorded_digest(lock) != digest:
            problems.append(
                f"pyproject.toml has changed since the lock was made: run scripts/lock ({lock} was made"
                " from other dependencies)"
            )
    return problems


def main(argv: list[str]) -> int:
    command, paths = (argv[0], argv[1:]) if argv else ("", [])
    if command == "extras":
        print("\n".join(extras()))
    elif command == "tools":
        print("\n".join(tools()))
    elif command == "sign":
        for path in paths:
            sign(Path(path))
    elif command == "check":
        problems = check([Path(path) for path in paths])
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
