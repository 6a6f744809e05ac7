"""Write or check ``requirements-lock.txt``: the exact versions the stored outputs come from.

``requirements.txt`` gives ranges, for readers installing the book into an environment of
their own. The lock file pins every package of the environment the chapters were last
executed in (and the tests pass in), so that ``make test`` and Binder rebuild exactly that
environment. It is written from the current environment::

    .venv/bin/python tools/lock.py            # rewrite requirements-lock.txt
    .venv/bin/python tools/lock.py --check    # exit 1 unless the lock satisfies requirements.txt

``make lock`` installs ``requirements.txt`` into ``.venv`` and then runs the first. The
lock holds for the Python version and platform named in its header (those of the machine
the book is tested on); elsewhere use ``requirements.txt``.
"""
from __future__ import annotations

import argparse
import platform
import re
import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements.txt"
LOCK = ROOT / "requirements-lock.txt"

HEADER = """\
# The exact versions the book's stored outputs and tests come from, for Python {python}
# on {platform}. Written by `make lock` (tools/lock.py) from the environment the chapters
# were executed in: do not edit by hand. `make test` and Binder install this file;
# readers installing the book elsewhere use requirements.txt, which gives ranges.
"""


def frozen() -> dict[str, str]:
    """``name -> version`` of every installed distribution except nnlib itself."""
    out = subprocess.run([sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
                         capture_output=True, text=True, check=True).stdout
    pins = {}
    for line in out.splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;]+)$", line.strip())
        if not m:
            continue  # comments, editable or direct-URL installs
        name = canonicalize_name(m.group(1))
        if name == "nnlib":
            continue
        # a local version label (torch's "+cpu") names a build, not a release: the
        # release pin matches it and the same release on the package index
        pins[name] = m.group(2).split("+", 1)[0]
    return pins


def render(pins: dict[str, str]) -> str:
    header = HEADER.format(python=".".join(platform.python_version_tuple()[:2]),
                           platform=f"{platform.system()} {platform.machine()}")
    body = "".join(f"{name}=={pins[name]}\n" for name in sorted(pins))
    return header + "\n" + body + "\n# the book's own package, from this repository\n-e .\n"


def read_lock(path: Path = LOCK) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            req = Requirement(line)
            pins[canonicalize_name(req.name)] = str(req.specifier).removeprefix("==")
    return pins


def unmet(requirements: Path = REQUIREMENTS, lock: Path = LOCK) -> list[str]:
    """Requirements of ``requirements.txt`` (for this platform) the lock does not satisfy."""
    pins = read_lock(lock)
    problems = []
    for line in requirements.read_text(encoding="utf-8").splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate():
            continue
        name = canonicalize_name(req.name)
        if name not in pins:
            problems.append(f"{req.name}: not in the lock")
        elif not req.specifier.contains(Version(pins[name]), prereleases=True):
            problems.append(f"{req.name}: the lock pins {pins[name]}, outside {req.specifier}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="check that the lock satisfies requirements.txt")
    args = parser.parse_args(argv)
    if args.check:
        problems = unmet()
        for p in problems:
            print(p, file=sys.stderr)
        return 1 if problems else 0
    LOCK.write_text(render(frozen()), encoding="utf-8")
    problems = unmet()
    print(f"wrote {LOCK.name}: {len(read_lock())} packages")
    for p in problems:
        print("warning:", p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
