"""requirements-lock.txt pins what requirements.txt asks for; the book's light
environment (requirements-book.txt) uses the same versions."""
from __future__ import annotations

import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import lock  # noqa: E402


def test_lock_satisfies_requirements():
    assert lock.unmet() == [], "run `make lock` after changing requirements.txt"


def test_lock_pins_every_package_exactly_and_installs_nnlib():
    text = (ROOT / "requirements-lock.txt").read_text(encoding="utf-8")
    lines = [ln.split("#", 1)[0].strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln]
    assert lines[-1] == "-e ."
    for line in lines[:-1]:
        req = Requirement(line)
        assert str(req.specifier).startswith("==") and "," not in str(req.specifier), line
        assert "+" not in str(req.specifier), f"{line}: a local build label"


def test_book_environment_uses_the_locked_versions():
    pins = lock.read_lock()
    for line in (ROOT / "requirements-book.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        req = Requirement(line)
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not in the lock"
        assert str(req.specifier) == f"=={pins[name]}", (line, pins[name])


def test_binder_installs_the_lock():
    text = (ROOT / "binder" / "requirements.txt").read_text(encoding="utf-8")
    assert "-r ../requirements-lock.txt" in text
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
