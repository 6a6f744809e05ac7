"""The text of every chapter's first cell, the hidden setup cell, lives here.

The cell sets TensorFlow's environment variables before anything can import
TensorFlow and, where ``nnlib`` is not importable (Colab), installs it from the book's
repository. The repository URL and branch are read from ``_config.yml``, the one place
they are written.

Usage (from the repository root)::

    .venv/bin/python tools/setup_cell.py --write    # put the current cell into every chapter
    .venv/bin/python tools/setup_cell.py --check    # exit 1 listing chapters that differ

Both take optional notebook paths; by default they act on ``chapters/*.ipynb``.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
TAG = "remove-cell"
# a first cell containing this text is taken to be an (older) setup cell and replaced
MARKER = "TF_CPP_MIN_LOG_LEVEL"

TEMPLATE = '''\
# Setup. This cell is hidden on the website. It silences TensorFlow's C++ log lines and
# oneDNN notices (the variables must be set before TensorFlow is imported) and, where the
# book's package nnlib is not installed (on Colab, for instance), installs it from the
# book's repository. It prints nothing.
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"

try:
    import nnlib
except ImportError:
    import subprocess
    import sys

    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet",
                           "nnlib[book] @ git+{url}@{branch}"])
    import nnlib'''

# Appended for a chapter that imports one of these frameworks (Colab has them all): without
# it, a bare Python would fail halfway down the chapter with "No module named 'keras'".
NEEDS_TEMPLATE = '''

# This chapter also uses {names}.
# Colab has them; elsewhere, stop here with a clear message, not halfway down.
import importlib.util

_missing = [m for m in {modules!r} if importlib.util.find_spec(m) is None]
if _missing:
    raise ImportError(
        "this chapter needs " + ", ".join(_missing) + ", which this Python does not "
        "have: install the book's requirements (`pip install -r requirements.txt` in a "
        "clone of its repository) or `pip install {pip}`")'''

# module imported by a chapter -> what `pip install` needs for it; only modules that
# nnlib[book] (installed above where nnlib is missing) does not bring
FRAMEWORKS = {
    "keras": "keras tensorflow",
    "tensorflow": "tensorflow",
    "torch": "torch",
    "dask": "dask[distributed]",
    "distributed": "dask[distributed]",
    "optuna": "optuna",
}
_IMPORT = re.compile(r"^\s*(?:import|from)\s+([A-Za-z_]\w*)", re.M)


def repository(config: Path | None = None) -> tuple[str, str]:
    """The repository URL (without a trailing slash or ``.git``) and branch in ``_config.yml``."""
    config = config or ROOT / "_config.yml"
    with open(config, encoding="utf-8") as f:
        repo = (yaml.safe_load(f) or {}).get("repository") or {}
    url, branch = repo.get("url"), repo.get("branch")
    if not url or not branch:
        raise SystemExit(f"{config}: `repository: url:` and `branch:` must both be set")
    url = str(url).rstrip("/")
    if url.endswith(".git"):
        url = url[: -len(".git")]
    return url, str(branch)


def frameworks(nb) -> list[str]:
    """The modules of FRAMEWORKS that the notebook's code cells import, sorted."""
    found = set()
    for cell in nb.cells[1:] if nb is not None else []:
        if cell.cell_type == "code":
            found.update(m for m in _IMPORT.findall(cell.source) if m in FRAMEWORKS)
    return sorted(found)


def expected_source(config: Path | None = None, nb=None) -> str:
    """The exact source text of the setup cell (of notebook ``nb``, when given).

    A chapter that imports Keras, TensorFlow, PyTorch, Dask or Optuna gets a check that
    stops with a clear message where they are missing; without ``nb`` the cell is that of
    a chapter that imports none of them.
    """
    url, branch = repository(config)
    source = TEMPLATE.format(url=url, branch=branch)
    modules = frameworks(nb)
    if modules:
        pip = " ".join(dict.fromkeys(" ".join(FRAMEWORKS[m] for m in modules).split()))
        source += NEEDS_TEMPLATE.format(names=", ".join(modules), modules=modules, pip=pip)
    return source


def chapters(paths: list[str] | None = None) -> list[Path]:
    """The given notebooks, or every ``chapters/*.ipynb``, sorted."""
    if paths:
        return [Path(p) for p in paths]
    return sorted(CHAPTERS.glob("*.ipynb"))


def _is_setup_cell(cell) -> bool:
    return cell.cell_type == "code" and MARKER in cell.source


def first_cell_problem(nb, source: str) -> str | None:
    """Why the notebook's first cell is not the current setup cell, or None when it is."""
    if not nb.cells:
        return "the notebook has no cells"
    cell = nb.cells[0]
    if cell.cell_type != "code":
        return f"the first cell is a {cell.cell_type} cell, not the setup cell"
    if cell.source != source:
        return "the first cell's source differs from tools/setup_cell.py"
    if TAG not in cell.metadata.get("tags", []):
        return f"the setup cell is not tagged {TAG!r}"
    if cell.outputs:
        return "the setup cell has outputs (it must print nothing)"
    return None


def write(path: Path, source: str) -> bool:
    """Put the setup cell into ``path``; return True when the file changed."""
    nb = nbformat.read(path, as_version=4)
    if nb.cells and _is_setup_cell(nb.cells[0]):
        cell = nb.cells[0]
    else:
        cell = nbformat.v4.new_code_cell()
        nb.cells.insert(0, cell)
    if first_cell_problem(nb, source) is None:
        return False
    cell.source = source
    cell.outputs = []
    tags = list(cell.metadata.get("tags", []))
    if TAG not in tags:
        tags.insert(0, TAG)
    cell.metadata["tags"] = tags
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="rewrite the first cell of each chapter")
    mode.add_argument("--check", action="store_true", help="exit 1 if a chapter's first cell differs")
    mode.add_argument("--print", action="store_true", help="print the cell's source")
    parser.add_argument("notebooks", nargs="*", help="default: chapters/*.ipynb")
    args = parser.parse_args(argv)

    if args.print:
        print(expected_source())
        return 0
    paths = chapters(args.notebooks)
    if args.write:
        for path in paths:
            source = expected_source(nb=nbformat.read(path, as_version=4))
            print(f"{'updated' if write(path, source) else 'up to date'}: {path}")
        return 0
    bad = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        problem = first_cell_problem(nb, expected_source(nb=nb))
        if problem:
            bad.append(f"{path}: {problem}")
    for line in bad:
        print(line, file=sys.stderr)
    if bad:
        print("run `.venv/bin/python tools/setup_cell.py --write`", file=sys.stderr)
        return 1
    print(f"{len(paths)} chapter(s) carry the current setup cell")
    return 0


if __name__ == "__main__":
    sys.exit(main())
