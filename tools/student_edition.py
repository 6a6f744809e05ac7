"""Write the student edition: every chapter without its solutions.

Usage (from the repository root)::

    .venv/bin/python tools/student_edition.py              # into _build/student/
    .venv/bin/python tools/student_edition.py --out DIR

The rules are those of CONTRIBUTING.md, "Exercises and solutions":

- everything from a ``{solution-start}`` directive through its ``{solution-end}``
  directive is removed: the markdown cells that hold them and every cell in between;
- every code cell tagged ``solution`` is removed;
- every ``{solution}`` directive is removed; a markdown cell that holds nothing else
  goes, one that also holds other text (an exercise, say) keeps that text;
- starter cells tagged ``student`` lose their ``remove-cell`` tag and their outputs;
- every exercise without a starter cell (a derivation, a "what happens if") gets an
  *answer cell* right after it: a markdown cell tagged ``answer``, with the text
  ``*Your answer here.*`` and the exercise's label in its metadata
  (``{"nnbook": {"exercise": label}}``), where ``python -m nnlib.grade --answers``
  finds the student's answer.

Everything else (the setup cell, the prose, the other cells and their outputs) is kept.
Only the notebooks and a README for instructors are written.
"""
from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))            # nnlib, when run from a clone without installing

from nnlib._myst import blocks  # noqa: E402  (the splitter the grader uses too)

CHAPTERS = ROOT / "chapters"
DEFAULT_OUT = ROOT / "_build" / "student"

SOLUTION_NAMES = {"solution", "solution-start", "solution-end"}
ANSWER_TEXT = "*Your answer here.*"

README = """\
# Student edition

These notebooks are the chapters of *Neural Networks, from Logistic Regression to Keras*
without their solutions. They were written by `make student`
(`tools/student_edition.py`) from the notebooks in `chapters/`; do not edit them here,
edit the chapters and rebuild.

What was changed, for each chapter:

- the solutions are gone: everything between a `{solution-start}` and its
  `{solution-end}` directive, every code cell tagged `solution` and every `{solution}`
  directive;
- each coding exercise keeps its starter cell (the function signature, `# YOUR CODE HERE`
  and a call to the checker), now visible and with no output;
- each other exercise (a derivation, a "what happens if") is followed by an answer cell,
  "*Your answer here.*", for the student's answer.

Students run a chapter in Colab, in Binder, or locally; the hidden first cell installs the
book's package `nnlib` when it is missing. A call such as `check("ch05.swish_derivative",
swish_derivative)` tells a student whether an answer is right, with a hint when it is not,
without revealing the solution. `nnlib.exercises.available()` lists every checker.

The complete chapters, solutions included, are in the book's repository and on its
website (solutions are folded there).
"""


def _blocks(text: str) -> list[tuple[str, str | None]]:
    """Split markdown into ``(text, directive name or None)`` pieces, top level only."""
    return [(piece, name) for piece, name, _ in blocks(text)]


def directive_names(text: str) -> list[str]:
    """Names of the top-level directives in a markdown text, in order."""
    return [name for _, name in _blocks(text) if name]


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _label(block: str) -> str | None:
    m = re.search(r"^:label:\s*(\S+)", block, re.M)
    return m.group(1) if m else None


def answer_cells_after(nb) -> dict[int, list[str]]:
    """``{cell index: [labels]}``: the exercises without a starter cell (tagged
    ``student``), keyed by the cell after which their answer cell goes (the exercise's
    cell, or the cell of its ``{exercise-end}``)."""
    exercises = []                    # [label, cell after which to answer, has a starter]
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            for text, name in _blocks(cell.source):
                if name in ("exercise", "exercise-start"):
                    exercises.append([_label(text) or f"exercise-{len(exercises) + 1}",
                                      i, False])
                elif name == "exercise-end" and exercises:
                    exercises[-1][1] = i
        elif "student" in _tags(cell) and exercises:
            exercises[-1][2] = True
    after: dict[int, list[str]] = {}
    for label, index, has_starter in exercises:
        if not has_starter:
            after.setdefault(index, []).append(label)
    return after


def answer_cell(nb, label: str):
    """The markdown cell in which a student answers exercise ``label``."""
    cell = nbformat.v4.new_markdown_cell(
        ANSWER_TEXT, metadata={"tags": ["answer"], "nnbook": {"exercise": label}})
    if nb.get("nbformat", 4) == 4 and nb.get("nbformat_minor", 0) >= 5:
        cell["id"] = ("answer-" + re.sub(r"[^A-Za-z0-9_-]", "-", label))[:64]
    else:
        cell.pop("id", None)
    return cell


def student_notebook(nb):
    """Return ``(student notebook, removed cells)``; ``nb`` itself is not changed."""
    nb = copy.deepcopy(nb)
    kept, removed = [], []
    in_solution = False
    answers_after = answer_cells_after(nb)
    for index, cell in enumerate(nb.cells):
        kept.extend(_pending_answers(nb, answers_after, index - 1))
        if cell.cell_type == "markdown":
            out_text = []
            for text, name in _blocks(cell.source):
                if name == "solution-start":
                    in_solution = True
                elif name == "solution-end":
                    in_solution = False
                elif name == "solution" or in_solution:
                    pass
                else:
                    out_text.append(text)
            new = "".join(out_text).strip("\n")
            if new.strip():
                if new != cell.source.strip("\n"):
                    removed.append(copy.deepcopy(cell))
                    cell.source = new
                kept.append(cell)
            else:
                removed.append(cell)
            continue
        if in_solution or "solution" in _tags(cell):
            removed.append(cell)
            continue
        tags = _tags(cell)
        if "student" in tags:
            cell.metadata["tags"] = [t for t in tags if t != "remove-cell"]
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
        kept.append(cell)
    kept.extend(_pending_answers(nb, answers_after, len(nb.cells) - 1))
    if in_solution:
        raise ValueError("a {solution-start} directive has no matching {solution-end}")
    nb.cells = kept
    return nb, removed


def _pending_answers(nb, answers_after: dict[int, list[str]], index: int) -> list:
    return [answer_cell(nb, label) for label in answers_after.get(index, [])]


def build(chapters: list[Path] | None = None, out: Path = DEFAULT_OUT) -> list[Path]:
    """Write the student edition of ``chapters`` (default: every chapter) into ``out``."""
    chapters = sorted(CHAPTERS.glob("*.ipynb")) if chapters is None else list(chapters)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in chapters:
        nb = nbformat.read(path, as_version=4)
        try:
            student, _ = student_notebook(nb)
        except ValueError as err:
            raise ValueError(f"{path}: {err}") from None
        target = out / path.name
        nbformat.write(student, target)
        written.append(target)
    (out / "README.md").write_text(README, encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="output folder (default: _build/student)")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: chapters/*.ipynb")
    args = parser.parse_args(argv)
    written = build(args.notebooks or None, args.out)
    for path in written:
        print(f"wrote {path}")
    print(f"{len(written)} chapter(s) in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
