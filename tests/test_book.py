"""Checks of the book itself: setup cells, table of contents, clean stored outputs,
the student edition, and the tools that keep them so.

The per-chapter tests are parametrized over ``chapters/*.ipynb``; they are skipped only
when there is no chapter at all yet.
"""
from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def _load_tool(name: str):
    spec = importlib.util.spec_from_file_location(f"_book_tools_{name}", ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


setup_cell = _load_tool("setup_cell")
student_edition = _load_tool("student_edition")
execute_tool = _load_tool("execute")

per_chapter = pytest.mark.parametrize(
    "path",
    CHAPTERS or [pytest.param(None, marks=pytest.mark.skip(reason="no chapters yet"))],
    ids=lambda p: p.stem if p else "none",
)


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _text_outputs(cell):
    """The text of every output of a code cell (images and widgets left out)."""
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "stream":
            yield out.get("text", "")
        elif kind in ("execute_result", "display_data"):
            for mime, data in out.get("data", {}).items():
                if mime.startswith("text/") or mime in ("application/json",):
                    yield data if isinstance(data, str) else "".join(map(str, data))
        elif kind == "error":
            yield "\n".join(out.get("traceback", []))


# --- (a) the setup cell ------------------------------------------------------------------

@per_chapter
def test_first_cell_is_the_setup_cell(path):
    nb = _read(path)
    problem = setup_cell.first_cell_problem(nb, setup_cell.expected_source(nb=nb))
    assert problem is None, f"{path.name}: {problem}; run `.venv/bin/python tools/setup_cell.py --write`"
    assert "remove-cell" in nb.cells[0].metadata.get("tags", [])


def test_setup_cell_reads_the_repository_from_config():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    url, branch = config["repository"]["url"].rstrip("/"), config["repository"]["branch"]
    source = setup_cell.expected_source()
    assert f"git+{url}@{branch}" in source
    compile(source, "<setup cell>", "exec")


def _run_setup_cell(monkeypatch, nnlib_importable: bool):
    """Execute the setup cell's source with a fake ``subprocess.check_call``."""
    import nnlib

    calls = []

    def fake_check_call(cmd, *args, **kwargs):
        calls.append(cmd)
        sys.modules["nnlib"] = nnlib  # "installed": the import after pip now works
        return 0

    monkeypatch.setattr(subprocess, "check_call", fake_check_call)
    for var in ("TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS"):
        monkeypatch.delenv(var, raising=False)
    if not nnlib_importable:
        monkeypatch.setitem(sys.modules, "nnlib", None)  # makes `import nnlib` raise ImportError
    namespace: dict = {}
    exec(setup_cell.expected_source(), namespace)
    return calls, namespace


def test_setup_cell_does_not_run_pip_when_nnlib_is_importable(monkeypatch, capsys):
    import os

    calls, namespace = _run_setup_cell(monkeypatch, nnlib_importable=True)
    assert calls == []
    assert namespace["nnlib"] is sys.modules["nnlib"]
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3"
    assert os.environ["TF_ENABLE_ONEDNN_OPTS"] == "0"
    assert capsys.readouterr() == ("", ""), "the setup cell must print nothing"


def test_setup_cell_installs_nnlib_when_missing(monkeypatch, capsys):
    calls, namespace = _run_setup_cell(monkeypatch, nnlib_importable=False)
    url, branch = setup_cell.repository()
    assert len(calls) == 1
    cmd = calls[0]
    assert cmd[:4] == [sys.executable, "-m", "pip", "install"]
    assert cmd[-1] == f"nnlib[book] @ git+{url}@{branch}"
    assert "nnlib" in namespace
    assert capsys.readouterr() == ("", "")


def test_setup_cell_write_and_check(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 0. A chapter")]
    path = tmp_path / "00_demo.ipynb"
    nbformat.write(nb, path)
    assert setup_cell.main(["--check", str(path)]) == 1
    assert setup_cell.write(path, setup_cell.expected_source())
    assert setup_cell.main(["--check", str(path)]) == 0
    assert not setup_cell.write(path, setup_cell.expected_source())  # idempotent
    nb = _read(path)
    assert len(nb.cells) == 2 and nb.cells[0].metadata["tags"] == ["remove-cell"]
    # an outdated setup cell is replaced, not duplicated
    nb.cells[0].source = nb.cells[0].source.replace("--quiet", "-q")
    nbformat.write(nb, path)
    assert setup_cell.main(["--check", str(path)]) == 1
    assert setup_cell.write(path, setup_cell.expected_source())
    assert len(_read(path).cells) == 2


# --- (b) the table of contents -----------------------------------------------------------

def _toc_files(entries) -> list[str]:
    files = []
    for entry in entries or []:
        if "file" in entry:
            files.append(entry["file"])
        for key in ("parts", "chapters", "sections"):
            files += _toc_files(entry.get(key))
    return files


def _toc() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [toc["root"]] + _toc_files(toc.get("parts")) + _toc_files(toc.get("chapters"))


def test_toc_pages_exist():
    for entry in _toc():
        if entry.startswith("chapters/") and not CHAPTERS:
            continue  # the chapters are checked below, once there are any
        candidates = [ROOT / f"{entry}{ext}" for ext in ("", ".md", ".ipynb")]
        assert any(p.is_file() for p in candidates), f"_toc.yml lists {entry}, which does not exist"


@pytest.mark.skipif(not CHAPTERS, reason="no chapters yet")
def test_every_chapter_is_in_the_toc_and_vice_versa():
    listed = {Path(e).with_suffix("").as_posix() for e in _toc() if e.startswith("chapters/")}
    present = {f"chapters/{p.stem}" for p in CHAPTERS}
    assert present - listed == set(), "chapters missing from _toc.yml"
    assert listed - present == set(), "_toc.yml lists chapters that do not exist"


def test_chapter_file_names():
    for path in CHAPTERS:
        assert re.fullmatch(r"\d\d_[a-z0-9_]+", path.stem), f"{path.name}: name it NN_short_name.ipynb"


# --- (c) hygiene of the stored notebooks -------------------------------------------------

FORBIDDEN = {
    "an absolute path": re.compile(r"/root/|/home/|/tmp/|/Users/|site-packages"),
    "a memory address": re.compile(r" at 0x[0-9a-fA-F]+"),
    "a progress bar or timing": re.compile(r"ms/step|s/step|ETA:|━━|\d+it/s\]|Wall time:|CPU times:"),
    "a TensorFlow/absl log line": re.compile(
        r"^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+|^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWEF] |"
        r"oneDNN custom operations|absl::InitializeLog|Unable to register cu(DNN|FFT|BLAS)|"
        r"cuda_(dnn|blas|fft|driver|executor)|computation_placer|"
        r"This TensorFlow binary is optimized",
        re.MULTILINE,
    ),
}


@per_chapter
def test_stored_outputs_are_clean(path):
    nb = _read(path)
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name}: execution counts {counts} are not 1..{len(code)}; "
        "store the chapter with tools/execute.py")
    assert any(c.outputs for c in code), f"{path.name}: no outputs stored"
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        where = f"{path.name}, cell {i}"
        for out in cell.outputs:
            assert out.output_type != "error", f"{where}: stores an error"
            assert not (out.output_type == "stream" and out.name == "stderr"), \
                f"{where}: writes to stderr:\n{out.text}"
        for text in _text_outputs(cell):
            for what, pattern in FORBIDDEN.items():
                m = pattern.search(text)
                assert m is None, f"{where}: output contains {what}: {m.group(0)!r}"


# --- (d) exercises and the student edition -----------------------------------------------

def _directives(nb, name: str) -> int:
    return sum(student_edition.directive_names(c.source).count(name)
               for c in nb.cells if c.cell_type == "markdown")


@per_chapter
def test_chapter_has_at_least_four_exercises(path):
    nb = _read(path)
    n = _directives(nb, "exercise") + _directives(nb, "exercise-start")
    assert n >= 4, f"{path.name}: {n} {{exercise}} directives, at least 4 expected"


@per_chapter
def test_gated_solutions_are_balanced(path):
    nb = _read(path)
    assert _directives(nb, "solution-start") == _directives(nb, "solution-end")


def _trivial(line: str) -> bool:
    """Lines a starter cell may share with its solution: imports, comments, short lines,
    the function's signature and the call to the checker."""
    return (len(line) < 15 or line.startswith(("import ", "from ", "#", "def ", "class "))
            or "check(" in line or "NotImplementedError" in line)


def _solution_code_lines(nb) -> set[str]:
    """Non-trivial lines of the solution code cells, found independently of the tool.

    Lines that also occur in the chapter's ordinary code cells (neither solution nor
    starter) are not secrets and are left out.
    """
    secret, public, inside = set(), set(), False
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            if "{solution-start}" in cell.source:
                inside = True
            if "{solution-end}" in cell.source:
                inside = False
            continue
        tags = cell.metadata.get("tags", [])
        if inside or "solution" in tags:
            target = secret
        elif "student" in tags:
            continue
        else:
            target = public
        target.update(line.strip() for line in cell.source.splitlines()
                      if not _trivial(line.strip()))
    return secret - public


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    student_edition.build(CHAPTERS, out)
    return out


@per_chapter
def test_student_edition_has_no_solutions(path, student_dir):
    student_path = student_dir / path.name
    assert student_path.is_file()
    text = student_path.read_text(encoding="utf-8")
    for marker in ("solution-start", "solution-end", "{solution}", "{solution`"):
        assert marker not in text, f"student {path.name} still contains {marker!r}"
    student = _read(student_path)
    assert not [c for c in student.cells if "solution" in c.metadata.get("tags", [])]
    solution_lines = _solution_code_lines(_read(path))
    for i, cell in enumerate(student.cells):
        for line in cell.source.splitlines():
            assert line.strip() not in solution_lines, \
                f"student {path.name}, cell {i} shows a line of a solution: {line.strip()!r}"
    for cell in student.cells:
        if "student" in cell.metadata.get("tags", []):
            assert "remove-cell" not in cell.metadata["tags"]
            assert cell.cell_type != "code" or cell.outputs == []
    # every exercise without a starter cell is followed by an answer cell
    for i, cell in enumerate(student.cells):
        if "answer" in cell.metadata.get("tags", []):
            assert cell.source == student_edition.ANSWER_TEXT
            assert "{exercise" in student.cells[i - 1].source or "answer" in \
                student.cells[i - 1].metadata.get("tags", [])
    # the chapter's exercises and setup cell are still there
    assert _directives(student, "exercise") + _directives(student, "exercise-start") >= 4
    assert student.cells[0].source == setup_cell.expected_source(nb=_read(path))


def test_student_edition_rules_on_a_synthetic_notebook(tmp_path):
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        code("x = 1"),
        md("## Exercises\n\n```{exercise}\n:label: ex-a\n\nDerive it.\n```\n\n"
           "```{solution} ex-a\n:class: dropdown\n\nThe derivation.\n```\n\nAfter."),
        md("```{solution} ex-a\n:class: dropdown\n\nOnly a solution.\n```"),
        md("```{exercise}\n:label: ex-b\n\nCode it.\n```"),
        code("def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError",
             metadata={"tags": ["remove-cell", "student"]}),
        md("```{solution-start} ex-b\n:class: dropdown\n```"),
        md("A solution's prose."),
        code("def f(x):\n    return the_secret_solution(x)"),
        md("```{solution-end}\n```"),
        code("stray_solution_cell_tagged_solution = 1", metadata={"tags": ["solution"]}),
        md("````{exercise}\n:label: ex-c\n\n```python\nnested_code()\n```\n````"),
    ]
    nb.cells[4].outputs = [nbformat.v4.new_output("stream", name="stdout", text="not yet")]
    student, removed = student_edition.student_notebook(nb)
    sources = [c.source for c in student.cells]
    assert sources[0] == "x = 1"
    assert "Derive it." in sources[1] and "After." in sources[1]
    assert "The derivation" not in sources[1]
    assert not any("Only a solution" in s or "secret" in s or "stray" in s or "A solution's" in s
                   for s in sources)
    starter = next(c for c in student.cells if "student" in c.metadata.get("tags", []))
    assert starter.metadata["tags"] == ["student"] and starter.outputs == []
    assert "nested_code()" in sources[-2]
    assert len(student.cells) == 7
    # an answer cell after each exercise without a starter cell (ex-a, ex-c), not after ex-b
    answers = [(i, c) for i, c in enumerate(student.cells) if "answer" in c.metadata.get("tags", [])]
    assert [i for i, _ in answers] == [2, 6]
    assert [c.metadata["nnbook"]["exercise"] for _, c in answers] == ["ex-a", "ex-c"]
    assert all(c.cell_type == "markdown" and c.source == "*Your answer here.*" for _, c in answers)
    assert nb.cells[4].outputs, "the input notebook must not be modified"

    unbalanced = nbformat.v4.new_notebook()
    unbalanced.cells = [md("```{solution-start} ex\n```"), code("y = 2")]
    with pytest.raises(ValueError, match="solution-end"):
        student_edition.student_notebook(unbalanced)


def test_student_edition_command_line(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 0. Demo")]
    src = tmp_path / "00_demo.ipynb"
    nbformat.write(nb, src)
    out = tmp_path / "student"
    assert student_edition.main(["--out", str(out), str(src)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["00_demo.ipynb", "README.md"]


# --- tools/execute.py: the run-time page -------------------------------------------------

def test_runtimes_merge_one_chapter_at_a_time(tmp_path, monkeypatch):
    json_path, md_path = tmp_path / "runtimes.json", tmp_path / "runtimes.md"
    about = {"cores": "2", "python": "3.11.0", "numpy": "2.0", "tensorflow": "2.16"}
    monkeypatch.setattr(execute_tool, "machine", lambda: about)
    execute_tool.record({"01_a": ("1. A", 12.34), "02_b": ("2. B", 40.0)},
                        json_path=json_path, md_path=md_path, today="2026-01-02")
    execute_tool.record({"02_b": ("2. B", 50.6)}, json_path=json_path, md_path=md_path,
                        today="2026-01-03")
    page = md_path.read_text(encoding="utf-8")
    assert "| `01_a` | 1. A | 12 |" in page
    assert "| `02_b` | 2. B | 51 |" in page
    assert "2026-01-02" in page and "2026-01-03" in page
    assert "2 CPU cores" in page


def test_execute_strips_volatile_metadata():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("1", metadata={"execution": {"iopub.status.busy": "t"},
                                                    "tags": ["x"]})
    nb.cells = [cell]
    execute_tool.strip_volatile(nb)
    assert nb.cells[0].metadata == {"tags": ["x"]}
    assert execute_tool.title_of(nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("text\n# 3. Softmax: many classes\n")])) \
        == "3. Softmax: many classes"


# --- packaging: what the setup cell installs on Colab ------------------------------------

def test_every_nnlib_subpackage_is_packaged():
    """A non-editable install (the setup cell's `pip install nnlib[book] @ git+...`) must
    contain every subpackage, e.g. nnlib.exercises, or the chapters fail on Colab."""
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools_cfg = config.get("tool", {}).get("setuptools", {})
    packages = setuptools_cfg.get("packages")
    if not isinstance(packages, list):
        return  # automatic discovery or `packages.find`: subpackages are included
    subpackages = sorted(
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "nnlib").rglob("__init__.py")
        if "__pycache__" not in p.parts
    )
    missing = [s for s in subpackages if s not in packages]
    assert not missing, (f"pyproject.toml [tool.setuptools] packages lacks {missing}; "
                         "a pip install from git would leave them out")


# --- (e) page style: code width and one notation (issue 8) -------------------------------

MAX_CODE_WIDTH = 79


@per_chapter
def test_code_width(path):
    """Every line of every code cell is at most 79 characters, so that it fits the page
    without a scroll bar. The generated setup cell (hidden, written by
    tools/setup_cell.py) is exempt."""
    nb = _read(path)
    setup = setup_cell.expected_source(nb=nb)
    offenders = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or cell.source == setup:
            continue
        for j, line in enumerate(cell.source.splitlines(), start=1):
            if len(line) > MAX_CODE_WIDTH:
                offenders.append(f"  cell {i}, line {j} ({len(line)} chars): {line.strip()[:60]}")
    assert not offenders, (f"{path.name}: {len(offenders)} code lines longer than "
                           f"{MAX_CODE_WIDTH} characters:\n" + "\n".join(offenders))


# Known notation clashes (review of chapters 1-7, item 4). Each entry: the rule of
# notation.md it enforces, and precise patterns for the markdown of a chapter. The patterns
# are deliberately narrow: a symbol is flagged only in a context where it plainly means the
# forbidden thing (e.g. the Newton direction $d = H^{-1}g$ or the Jacobian $J$ is fine).
NOTATION_CLASHES = {
    # notation.md, Data: "$q$ number of features (predictors)" -- not d.
    "the number of features is q, not d": [
        r"\$d\$\s+(?:features|weights|inputs|predictors|columns)",  # "$d$ features"
        r"\bd (?:features|predictors)\b",                            # "d features"
        r"\\times\s*d\b",                                            # "n \times d", "\times d$"
        r"\$d\s*\\times",                                            # "$d \times 1$"
        r"\(n,\s*d\)",                                               # "shape (n, d)"
        r"\\mathbb\s*\{?R\}?\^\{?d\b",                                # "\mathbb{R}^d"
        r"\(d\s*\+\s*1\)|\$d\s*\+\s*1\$",                            # "2(d + 1)", "$d + 1$"
        r"\b1\s*/\s*d\b",                                            # "of order 1/d"
    ],
    # notation.md, Learning: "$L$ the loss"; J only for Jacobians.
    "J is only the Jacobian; the loss is L": [
        r"\bJ\s*=\s*-",                            # "J = -\frac{1}{n} ..." (a loss)
        r"\\partial\s*J\b",                        # "\partial J / \partial W"
        r"\bJ\((?:\\theta|\\beta|W|w|b)\b",        # "J(\theta)"
        r"(?:loss|cost)(?:\s+function)?\s*\$J\b",  # "the loss $J$"
    ],
    # notation.md, Data: "$C$ number of classes"; a per-example cost is L_i or ell_i.
    "C is the number of classes, not a per-example cost": [
        r"\bcost\s*\$C\b",                         # "the cost $C$"
        r"\bC_x\b|\bC_i\b",                        # "C_x", "C_i"
        r"\\partial\s*C(?![A-Za-z])",              # "\partial C / \partial z"
    ],
    # notation.md, Networks: "$g^{[l]}$ the activation function" -- not f.
    "the activation is g, not f": [
        r"activation(?: function)?\**\s*\$f\$",    # "activation function $f$"
        r"\bf'",                                   # "f'(z)", "$f'$", "f''"
        r"\bf\(z\)",                               # "$f(z)$"
    ],
    # notation.md, Learning: "$\eta$ the learning rate" (and lambda the penalty).
    "the learning rate is eta, not alpha": [
        r"(?:learning rate|step size)\**\s*\$\\alpha\b",   # "learning rate $\alpha$"
        r"\\alpha\s*(?:\\,\s*)?\\nabla",                   # "\alpha \nabla L"
        r"\\alpha\s*(?:\\,\s*)?X\^\{?\\top",               # "\alpha X^\top (p - y)"
        r"\\alpha\s*=\s*\\eta|\\eta\s*=\s*\\alpha",        # "\alpha = \eta / n"
        r"\\alpha\s*\\lambda|\\alpha\s*<\s*2\s*/",         # "1 - \alpha\lambda", "\alpha < 2/"
    ],
    "the strength of a penalty is lambda, not alpha": [
        r"penalty\s*\$\\alpha\b",                          # "the L2 penalty $\alpha \sum W^2$"
    ],
    # notation.md, Logistic regression: "$\ell(\beta)$ the log-likelihood"; L is the loss.
    "L is the loss, not the likelihood": [
        # "the likelihood $L", but not "the minus log-likelihood $L = -\ell / n$"
        r"likelihood\**\s*(?:\$\$?\s*)?L\b(?!\s*=\s*-)",
        r"\bL\(\\beta\)\s*=\s*\\prod",                     # "L(\beta) = \prod_i ..."
        r"\\log\s*L\b",                                    # "\log L"
    ],
}
_CLASH_PATTERNS = [(rule, re.compile(p)) for rule, ps in NOTATION_CLASHES.items() for p in ps]


def notation_clashes(nb) -> list[str]:
    """The known notation clashes in the markdown cells of a notebook, one line each."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        for rule, pattern in _CLASH_PATTERNS:
            for m in pattern.finditer(cell.source):
                context = cell.source[max(0, m.start() - 30):m.end() + 30].replace("\n", " ")
                found.append(f"  cell {i}: {rule}: {m.group(0)!r} in ...{context}...")
    return found


@per_chapter
def test_notation_clashes(path):
    found = notation_clashes(_read(path))
    assert not found, (f"{path.name}: {len(found)} notation clashes (see notation.md):\n"
                       + "\n".join(found))


def test_notation_clash_patterns_on_examples():
    md = nbformat.v4.new_markdown_cell
    nb = nbformat.v4.new_notebook()
    bad = ["the $d$ features", "X is $n \\times d$", "the loss $J$", "$\\partial J / \\partial W$",
           "the cost $C$ of one example", "$\\partial C / \\partial z$",
           "an activation function $f$", "$f'(z)$", "learning rate $\\alpha$",
           "$\\beta - \\alpha \\nabla L$", "the likelihood $L(\\beta)$",
           "$$L(\\beta) = \\prod_{i=1}^n p_i$$",
           "the L2 penalty $\\alpha \\sum W^2$"]
    good = ["the $q$ features", "X is $n \\times q$", "the Jacobian $J = \\operatorname{diag}(p)"
            " - pp^\\top$", "the Newton direction $d = H^{-1}g$", "$C$ classes",
            "an activation function $g$", "$g'(z)$", "learning rate $\\eta$",
            "leaky ReLU with $\\alpha = 0.01$", "the loss $L(\\beta) = -\\ell(\\beta) / n$",
            "the mean minus log-likelihood $L = -\\ell/n$",
            "a function $f(\\theta + \\varepsilon e_i)$"]
    nb.cells = [md(s) for s in bad + good]
    flagged = {int(line.split()[1].rstrip(":")) for line in notation_clashes(nb)}
    assert flagged == set(range(len(bad))), [nb.cells[i].source for i in flagged]
