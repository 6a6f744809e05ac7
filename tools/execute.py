"""Run chapters top to bottom in a fresh kernel, store their outputs, record run times.

Usage (from the repository root)::

    .venv/bin/python tools/execute.py                                 # every chapter
    .venv/bin/python tools/execute.py chapters/01_logistic_regression.ipynb

Each chapter runs in a new ``python3`` kernel with ``chapters/`` as the working
directory (the notebook's own folder; at most 600 s a cell). Its outputs are stored in the notebook (execution
counts 1..n), volatile metadata is stripped, and its wall time is printed and merged
into ``appendix/runtimes.json``, from which ``appendix/runtimes.md`` is rewritten: running
one chapter updates only that chapter's row.

A chapter is *not* stored when a cell raises or when any cell writes to stderr (the book
keeps stderr empty); the tool then reports the cell and exits with status 1.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import re
import sys
import time
from importlib import metadata
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
APPENDIX = ROOT / "appendix"
RUNTIMES_JSON = APPENDIX / "runtimes.json"
RUNTIMES_MD = APPENDIX / "runtimes.md"
CELL_TIMEOUT = 600
KERNEL = "python3"

# cell metadata that changes on every run and says nothing about the content
VOLATILE_CELL_METADATA = ("execution", "ExecuteTime", "collapsed", "scrolled")
VOLATILE_NB_METADATA = ("papermill", "widgets")


class ChapterFailed(Exception):
    """A chapter raised or wrote to stderr; its notebook was left untouched."""


def title_of(nb) -> str:
    """The text of the first markdown heading, or ``""``."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
            if m:
                return m.group(1)
    return ""


def stderr_outputs(nb) -> list[tuple[int, str]]:
    """``(cell index, text)`` of every stderr stream output."""
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                found.append((i, out.get("text", "")))
    return found


def strip_volatile(nb) -> None:
    """Remove run-specific metadata so that re-running a chapter gives a small diff."""
    for key in VOLATILE_NB_METADATA:
        nb.metadata.pop(key, None)
    for cell in nb.cells:
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            for out in cell.outputs:
                if "metadata" in out and "execution" in out.metadata:
                    out.metadata.pop("execution")


def execute(path: Path) -> float:
    """Run ``path`` in a fresh kernel, store it, and return its wall time in seconds."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=CELL_TIMEOUT,
        allow_errors=False,
        record_timing=False,
        # ipykernel warns on its own stderr (not the notebook's) about unencrypted TCP
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
        resources={"metadata": {"path": str(path.parent)}},
    )
    for cell in nb.cells:  # nbclient skips empty code cells: leave no stale count there
        if cell.cell_type == "code" and not cell.source.strip():
            cell.execution_count = None
            cell.outputs = []
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as err:
        raise ChapterFailed(f"{path.name}: a cell raised; the notebook was not stored\n{err}") from None
    seconds = time.perf_counter() - start

    bad = stderr_outputs(nb)
    if bad:
        lines = [f"{path.name}: {len(bad)} stderr output(s); the notebook was not stored"]
        for index, text in bad:
            lines.append(f"--- cell {index}:\n{text.rstrip()}")
        raise ChapterFailed("\n".join(lines))

    strip_volatile(nb)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return seconds


# --- run times -------------------------------------------------------------------------

def _version(*dists: str) -> str:
    for dist in dists:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return "not installed"


def machine() -> dict[str, str]:
    """A generic description of this machine and its software (no host names or paths)."""
    return {
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "numpy": _version("numpy"),
        "tensorflow": _version("tensorflow", "tensorflow-cpu"),
    }


def render_runtimes(runtimes: dict) -> str:
    """The MyST page ``appendix/runtimes.md`` for the stored run times."""
    lines = [
        "# Run times of the chapters",
        "",
        "Every chapter is executed top to bottom in a fresh kernel by `make execute`",
        "(`tools/execute.py`), which stores its outputs and measures its wall time. The",
        "book's goal is at most 60 seconds a chapter on two CPU cores without a GPU, so",
        "that you can run any chapter in Colab or on a laptop in about a minute; the",
        "table below is what the last run measured.",
        "",
    ]
    if not runtimes:
        lines += ["No chapter has been timed yet.", ""]
        return "\n".join(lines)

    lines += ["| chapter | title | run time (s) |", "|---|---|---:|"]
    for name in sorted(runtimes):
        row = runtimes[name]
        title = row["title"].replace("|", "\\|")
        lines.append(f"| `{name}` | {title} | {round(row['seconds']):d} |")
    lines.append("")

    # group chapters by the run (machine and date) that timed them
    runs: dict[tuple, list[str]] = {}
    for name in sorted(runtimes):
        row = runtimes[name]
        key = (row["date"],) + tuple(sorted(row["machine"].items()))
        runs.setdefault(key, []).append(name)

    def describe(key) -> str:
        date, m = key[0], dict(key[1:])
        return (f"on {date}, on a machine with {m['cores']} CPU cores, Python {m['python']}, "
                f"NumPy {m['numpy']} and TensorFlow {m['tensorflow']}")

    if len(runs) == 1:
        (key,) = runs
        lines.append(f"Measured {describe(key)}.")
    else:
        lines.append("Measured")
        lines.append("")
        for key, names in sorted(runs.items()):
            chapters = ", ".join(f"`{n}`" for n in names)
            lines.append(f"- {chapters}: {describe(key)};")
    lines.append("")
    return "\n".join(lines)


def _lock(f) -> None:
    """Hold an exclusive lock on ``f`` until it is closed (several chapters may be run at once)."""
    try:
        import fcntl
    except ImportError:  # not on POSIX: no locking
        return
    fcntl.flock(f.fileno(), fcntl.LOCK_EX)


def record(results: dict[str, tuple[str, float]], *, json_path: Path = RUNTIMES_JSON,
           md_path: Path = RUNTIMES_MD, today: str | None = None) -> None:
    """Merge ``{stem: (title, seconds)}`` into the stored run times and rewrite the page."""
    today = today or _dt.date.today().isoformat()
    about = machine()
    json_path.parent.mkdir(parents=True, exist_ok=True)
    with open(json_path, "a+", encoding="utf-8") as f:
        _lock(f)
        f.seek(0)
        text = f.read()
        runtimes = json.loads(text) if text.strip() else {}
        for stem, (title, seconds) in results.items():
            runtimes[stem] = {"title": title, "seconds": round(seconds, 1), "date": today,
                              "machine": about}
        f.seek(0)
        f.truncate()
        f.write(json.dumps(runtimes, indent=2, sort_keys=True) + "\n")
        f.flush()
        md_path.write_text(render_runtimes(runtimes), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="default: chapters/*.ipynb")
    args = parser.parse_args(argv)
    paths = [Path(p).resolve() for p in args.notebooks] or sorted(CHAPTERS.glob("*.ipynb"))
    if not paths:
        print("no chapters to execute")
        return 0

    results: dict[str, tuple[str, float]] = {}
    failed = []
    for path in paths:
        print(f"executing {path.name} ...", flush=True)
        try:
            seconds = execute(path)
        except ChapterFailed as err:
            print(err, file=sys.stderr, flush=True)
            failed.append(path.name)
            continue
        title = title_of(nbformat.read(path, as_version=4))
        results[path.stem] = (title, seconds)
        print(f"{path.name}: {seconds:.1f} s", flush=True)
    if results:
        record(results)
        print(f"run times written to {RUNTIMES_MD.relative_to(ROOT)}")
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
