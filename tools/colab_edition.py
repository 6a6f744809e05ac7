"""Write the Colab edition of the book: every chapter in plain Jupyter Markdown.

The chapters are written in MyST (Jupyter Book's Markdown): ``{exercise}`` and
``{solution}`` directives, ``{prf:theorem}`` boxes, ``{cite}`` and ``{ref}`` roles. Colab
and plain Jupyter show those as raw text, so this tool converts each chapter into a
notebook that reads well there:

- an exercise becomes a heading "Exercise 4.2" (numbered per chapter, as on the website)
  with an anchor for its label;
- a solution is folded: its Markdown in a ``<details>`` block, its code cells as Colab
  "form" cells whose code is hidden behind a title (``# @title ...``; in plain Jupyter
  that line is only a comment);
- a theorem or definition becomes a quoted paragraph "**Theorem 4.1 (...).** ...";
- a citation becomes text, "(Goodfellow et al., 2016)", and a cross-reference a link to
  the book's website (``html.baseurl`` in ``_config.yml``);
- the setup cell and the cells whose code is folded on the website (``hide-input``)
  become form cells too.

Code cells keep their source (apart from that one title comment) and their outputs, so a
converted chapter re-executes to the same outputs as the chapter itself (tested).

Usage (from the repository root)::

    .venv/bin/python tools/colab_edition.py              # into _build/colab/
    .venv/bin/python tools/colab_edition.py --student    # solutions removed first,
                                                         # into _build/colab-student/

The repository's workflow publishes the two folders to the branches named in
``_config.yml`` (``repository: colab_branch`` and ``student_branch``), which the website's
Colab launch buttons open.
"""
from __future__ import annotations

import argparse
import copy
import posixpath
import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
sys.path.insert(0, str(ROOT / "_ext"))
sys.path.insert(0, str(ROOT / "tools"))

from book_html import author_year_label  # noqa: E402
from student_edition import _blocks, student_notebook  # noqa: E402

DEFAULT_OUT = ROOT / "_build" / "colab"
DEFAULT_STUDENT_OUT = ROOT / "_build" / "colab-student"

# roles: {name}`content`
_ROLE = re.compile(r"\{(?P<name>[\w:.+-]+)\}`(?P<content>[^`]*)`")
# a target line: (label)=
_TARGET = re.compile(r"^\((?P<label>[^)\s]+)\)=\s*$", re.M)
_EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)
_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.+?)\s*$", re.M)
_TITLE_NUMBER = re.compile(r"^\d+\.\s+")

PROOF_KINDS = {"theorem", "definition", "lemma", "proposition", "corollary", "example",
               "remark", "proof", "algorithm", "conjecture", "axiom", "criterion",
               "property", "observation", "assumption", "notation"}
ADMONITIONS = {"note", "tip", "hint", "important", "warning", "caution", "attention",
               "danger", "error", "seealso", "admonition"}
SOLUTION_TITLE = "Solution to {exercise}"


class ConversionError(ValueError):
    """The chapter uses MyST this converter does not know: extend it, or rewrite."""


# --- the book's configuration and bibliography ------------------------------------

def config(path: Path | None = None) -> dict:
    with open(path or ROOT / "_config.yml", encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


def website(cfg: dict) -> str:
    """The website's base URL, with a trailing slash (``html: baseurl:``)."""
    url = (cfg.get("html") or {}).get("baseurl")
    if not url:
        raise SystemExit("_config.yml: `html: baseurl:` (the website's URL) must be set")
    return str(url).rstrip("/") + "/"


def references(bib: Path | None = None) -> dict[str, tuple[str, str]]:
    """``key -> (authors, year)`` for every entry of ``references.bib``."""
    from pybtex.database import parse_file

    data = parse_file(str(bib or ROOT / "references.bib"))
    out = {}
    for key, entry in data.entries.items():
        label = author_year_label(entry)
        authors, _, year = label.rpartition(", ")
        out[key] = (authors, year)
    return out


# --- what every chapter defines: labels of exercises, theorems and sections ---------

def chapter_number(path: Path) -> int:
    m = re.match(r"(\d+)_", path.name)
    if not m:
        raise ConversionError(f"{path.name}: a chapter's file name starts with its number")
    return int(m.group(1))


def _options(body_lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """Split a directive's leading ``:key: value`` lines from its body."""
    opts, i = {}, 0
    while i < len(body_lines):
        m = re.match(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$", body_lines[i])
        if not m:
            break
        opts[m.group("key")] = m.group("value").strip()
        i += 1
    return opts, body_lines[i:]


def _parse_directive(text: str) -> tuple[str, str, dict[str, str], str]:
    """``(name, argument, options, body)`` of one fenced directive."""
    lines = text.rstrip("\n").splitlines()
    first = lines[0].strip().lstrip("`~:")
    m = re.match(r"^\{(?P<name>[\w:.+-]+)\}\s*(?P<arg>.*)$", first.strip())
    if not m:
        raise ConversionError(f"not a directive: {lines[0]!r}")
    opts, body = _options(lines[1:-1])
    return m.group("name"), m.group("arg").strip(), opts, "\n".join(body).strip("\n")


def _labels_of(path: Path) -> dict[str, tuple[str, str]]:
    """``label -> (page, text)`` for the labels defined in one chapter."""
    number = chapter_number(path)
    nb = nbformat.read(path, as_version=4)
    page = f"chapters/{path.stem}"
    labels: dict[str, tuple[str, str]] = {}
    counts: dict[str, int] = {}
    for cell in nb.cells:
        figure = (cell.get("metadata", {}).get("mystnb", {}).get("figure") or {})
        if cell.cell_type == "code" and figure.get("name"):
            labels[figure["name"]] = (page, "this figure")
        if cell.cell_type != "markdown":
            continue
        for text, name in _blocks(cell.source):
            if name is None:
                # (label)= targets name the heading that follows them
                for m in _TARGET.finditer(text):
                    rest = text[m.end():]
                    h = _HEADING.search(rest)
                    title = _TITLE_NUMBER.sub("", h.group("text")) if h else m.group("label")
                    labels[m.group("label")] = (page, title)
                continue
            if name == "exercise" or name.startswith("prf:"):
                _, arg, opts, _ = _parse_directive(text)
                kind = "Exercise" if name == "exercise" else name[4:].capitalize()
                counts[kind] = counts.get(kind, 0) + 1
                label = opts.get("label")
                if label:
                    labels[label] = (page, f"{kind} {number}.{counts[kind]}")
    return labels


def all_labels(chapters: list[Path]) -> dict[str, tuple[str, str]]:
    labels: dict[str, tuple[str, str]] = {}
    for path in chapters:
        labels.update(_labels_of(path))
    return labels


# --- the conversion ---------------------------------------------------------------

class Converter:
    """Converts the Markdown of one chapter; knows the whole book's labels."""

    def __init__(self, path: Path, labels, refs, base_url):
        self.path = path
        self.number = chapter_number(path)
        self.page = f"chapters/{path.stem}"
        self.labels, self.refs, self.base_url = labels, refs, base_url
        self.counts: dict[str, int] = {}
        self.exercise_of_label: dict[str, str] = {}

    # roles
    def _cite(self, name: str, content: str) -> str:
        keys = [k.strip() for k in content.split(",") if k.strip()]
        missing = [k for k in keys if k not in self.refs]
        if missing:
            raise ConversionError(f"{self.path.name}: unknown citation key(s) {missing}")
        parts = [self.refs[k] for k in keys]
        if name in ("cite:t", "cite:ts"):
            return "; ".join(f"{a} ({y})" for a, y in parts)
        return "(" + "; ".join(f"{a}, {y}" for a, y in parts) + ")"

    def _url(self, page: str, anchor: str | None = None) -> str:
        url = self.base_url + page + ".html"
        return url + "#" + _anchor(anchor) if anchor else url

    def _ref(self, content: str) -> str:
        m = _EXPLICIT.match(content)
        text, label = (m.group("text"), m.group("target")) if m else (None, content)
        if label not in self.labels:
            raise ConversionError(f"{self.path.name}: unknown reference target {label!r}")
        page, title = self.labels[label]
        return f"[{text or title}]({self._url(page, label)})"

    def _doc(self, content: str) -> str:
        m = _EXPLICIT.match(content)
        text, target = (m.group("text"), m.group("target")) if m else (None, content)
        target = target.removesuffix(".md").removesuffix(".ipynb")
        page = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join(posixpath.dirname(self.page), target))
        return f"[{text or page}]({self._url(page)})"

    def roles(self, text: str) -> str:
        def replace(m):
            name, content = m.group("name"), m.group("content")
            if name in ("cite", "cite:p", "cite:ps", "cite:t", "cite:ts"):
                return self._cite(name, content)
            if name in ("ref", "prf:ref", "numref", "eq"):
                return self._ref(content)
            if name == "doc":
                return self._doc(content)
            if name == "math":
                return f"${content}$"
            raise ConversionError(f"{self.path.name}: role {{{name}}} is not supported")
        text = _ROLE.sub(replace, text)
        return _TARGET.sub(lambda m: f'<a id="{_anchor(m.group("label"))}"></a>', text)

    # directives
    def _next(self, kind: str) -> str:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return f"{kind} {self.number}.{self.counts[kind]}"

    def exercise_name(self, label: str) -> str:
        if label in self.exercise_of_label:
            return self.exercise_of_label[label]
        if label in self.labels:
            return self.labels[label][1]
        raise ConversionError(f"{self.path.name}: a solution refers to unknown exercise {label!r}")

    def directive(self, text: str) -> tuple[str, str | None]:
        """The converted text, and the exercise a ``solution-start`` opens (or None)."""
        name, arg, opts, body = _parse_directive(text)
        body = self.roles(body)
        anchor = f'<a id="{_anchor(opts["label"])}"></a>\n' if opts.get("label") else ""
        if name == "exercise":
            title = self._next("Exercise")
            if opts.get("label"):
                self.exercise_of_label[opts["label"]] = title
            heading = f"#### {title}" + (f": {self.roles(arg)}" if arg else "")
            return f"{anchor}{heading}\n\n{body}", None
        if name == "solution":
            summary = SOLUTION_TITLE.format(exercise=self.exercise_name(arg))
            return _details(summary, body), None
        if name == "solution-start":
            return (_details(SOLUTION_TITLE.format(exercise=self.exercise_name(arg)), body)
                    if body.strip() else ""), self.exercise_name(arg)
        if name == "solution-end":
            return "", None
        if name.startswith("prf:") and name[4:] in PROOF_KINDS:
            kind = name[4:].capitalize()
            title = "Proof" if kind == "Proof" else self._next(kind)
            head = f"**{title}" + (f" ({self.roles(arg)})" if arg else "") + ".**"
            return anchor + _quote(f"{head} {body}"), None
        if name in ADMONITIONS:
            head = self.roles(arg) if name == "admonition" else name.capitalize()
            return anchor + _quote(f"**{head}.** {body}"), None
        raise ConversionError(f"{self.path.name}: directive {{{name}}} is not supported")


def _anchor(label: str) -> str:
    """The HTML id Sphinx gives a label (docutils' ``make_id``)."""
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def _quote(text: str) -> str:
    return "\n".join("> " + line if line.strip() else ">" for line in text.splitlines())


def _details(summary: str, body: str, continued: bool = False) -> str:
    suffix = " (continued)" if continued else ""
    return (f"<details>\n<summary><b>{summary}{suffix}</b> (click to show)</summary>\n\n"
            f"{body.strip()}\n\n</details>")


def _form(cell, title: str) -> None:
    """Make ``cell`` a Colab form cell: its code hidden behind ``title``."""
    lines = cell.source.splitlines()
    if not (lines and lines[0].startswith("# @title")):
        cell.source = f"# @title {title}\n" + cell.source
    cell.metadata["cellView"] = "form"


def colab_notebook(path: Path, labels, refs, base_url, nb=None):
    """The Colab edition of the chapter at ``path`` (or of ``nb``, read from there)."""
    nb = copy.deepcopy(nb if nb is not None else nbformat.read(path, as_version=4))
    conv = Converter(path, labels, refs, base_url)
    solution_of: str | None = None
    continued = False           # has this solution shown a part yet?
    titled = False              # the chapter's title (its first "# " heading) numbered?
    cells = []
    for index, cell in enumerate(nb.cells):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "markdown":
            pieces = []
            for text, name in _blocks(cell.source):
                if name is None:
                    converted = conv.roles(text)
                    if solution_of and converted.strip():
                        converted = _details(SOLUTION_TITLE.format(exercise=solution_of),
                                             converted, continued=continued)
                        continued = True
                    pieces.append(converted)
                    continue
                if not name:                    # a plain code fence, e.g. ```python
                    pieces.append(text)
                    continue
                converted, opened = conv.directive(text)
                if name == "solution-start":
                    solution_of, continued = opened, bool(converted)
                elif name == "solution-end":
                    solution_of = None
                pieces.append(converted)
            cell.source = "\n\n".join(p.strip("\n") for p in pieces if p.strip())
            if not titled and cell.source.startswith("# "):
                cell.source = _number_title(cell.source, conv.number)
                titled = True
            if cell.source.strip():
                cells.append(cell)
            continue
        if cell.cell_type == "code":
            if index == 0:
                _form(cell, "Setup: run this cell first (installs nnlib where it is missing)")
            elif solution_of or "solution" in tags:
                exercise = solution_of or "the exercise above"
                continued = True
                _form(cell, SOLUTION_TITLE.format(exercise=exercise)
                      + " (double-click to show the code)")
            elif "hide-input" in tags:
                _form(cell, "Code of the figure below (double-click to show it)")
        cells.append(cell)
    if solution_of:
        raise ConversionError(f"{path.name}: a {{solution-start}} has no {{solution-end}}")
    nb.cells = cells
    nb.cells.insert(_title_index(nb) + 1, nbformat.v4.new_markdown_cell(
        f"*This is the Colab edition of chapter {conv.number}. The book's website shows "
        f"the same chapter with its figures and folded solutions: "
        f"[{conv.page}.html]({conv._url(conv.page)}). Run the first cell before the others."
        f"*"))
    return nb


def _number_title(source: str, number: int) -> str:
    """``# Title`` -> ``# 4. Title`` (the website numbers chapters itself)."""
    m = re.match(r"^#\s+(?P<title>.+)$", source.split("\n", 1)[0])
    if not m:
        return source
    title = _TITLE_NUMBER.sub("", m.group("title"))
    rest = source.split("\n", 1)[1] if "\n" in source else ""
    return f"# {number}. {title}" + ("\n" + rest if rest else "")


def _title_index(nb) -> int:
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and cell.source.startswith("# "):
            return i
    return 0


# --- what is left of MyST (tested: nothing) --------------------------------------

_MYST_LEFT = [
    (re.compile(r"^[ ]{0,3}(`{3,}|~{3,}|:{3,})\s*\{[\w:.+-]+\}", re.M), "a directive"),
    (_ROLE, "a role"),
    (_TARGET, "a (label)= target"),
    (re.compile(r"^:(label|class|nonumber):", re.M), "a directive option"),
]


def myst_left(nb) -> list[str]:
    """Descriptions of any MyST syntax left in the Markdown cells of ``nb``."""
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        for pattern, what in _MYST_LEFT:
            m = pattern.search(cell.source)
            if m:
                problems.append(f"cell {i}: {what}: {m.group(0)[:60]!r}")
    return problems


def build(chapters: list[Path] | None = None, out: Path | None = None,
          student: bool = False) -> list[Path]:
    """Write the Colab edition (``student``: without solutions) into ``out``."""
    every = sorted(CHAPTERS.glob("*.ipynb"))
    chapters = every if chapters is None else [Path(p) for p in chapters]
    out = Path(out or (DEFAULT_STUDENT_OUT if student else DEFAULT_OUT))
    out.mkdir(parents=True, exist_ok=True)
    cfg = config()
    labels, refs, base = all_labels(every), references(), website(cfg)
    written = []
    for path in chapters:
        nb = nbformat.read(path, as_version=4)
        if student:
            nb, _ = student_notebook(nb)
        colab = colab_notebook(path, labels, refs, base, nb=nb)
        left = myst_left(colab)
        if left:
            raise ConversionError(f"{path.name}: MyST left after conversion: {left}")
        nbformat.validate(colab)
        # the same path as in the repository, so that only the branch differs
        (out / "chapters").mkdir(exist_ok=True)
        target = out / "chapters" / path.name
        nbformat.write(colab, target)
        written.append(target)
    (out / "README.md").write_text(README.format(
        edition="student edition" if student else "Colab edition",
        what=("without their solutions, " if student else ""),
        base=base), encoding="utf-8")
    return written


README = """\
# Neural Networks, from Logistic Regression to Keras: the {edition}

The chapters of the book {what}in plain Jupyter Markdown, as Colab and Jupyter show them:
exercises are headed sections, solutions fold, citations are text and cross-references
link to the website, {base}. Open a chapter in Colab from the rocket button of its page on
the website, or upload it to any Jupyter. The first cell installs the book's package
`nnlib` where it is missing.

This branch is generated by `tools/colab_edition.py` from the chapters of the main branch
on every change; do not edit it: edit the chapters there.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--student", action="store_true",
                        help="remove the solutions first (the student edition)")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: _build/colab or _build/colab-student)")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: chapters/*.ipynb")
    args = parser.parse_args(argv)
    written = build(args.notebooks or None, args.out, student=args.student)
    for path in written:
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
