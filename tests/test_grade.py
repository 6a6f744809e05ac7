"""The grader, ``python -m nnlib.grade``: it runs submissions in a kernel and judges them here.

The tests use a chapter of their own (tests/grade_fixtures/chapters/90_grading_demo.ipynb,
checkers in tests/grade_fixtures/checkers.py, registered only while grading) so that they
do not depend on the book's chapters. tests/grade_fixtures/submissions.py builds an honest,
a partial and one submission for each way of cheating or failing. All of them are graded
once (``graded``): two by the command line in a subprocess, the others by
``grade_notebook`` in this process, which is the grader process whose state the tests then
inspect.
"""
from __future__ import annotations

import builtins
import csv
import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import nbformat
import numpy as np
import pytest

import nnlib
import nnlib.activations
import nnlib.models
from nnlib import _grade_kernel as codec
from nnlib import autodiff, grade
from nnlib.exercises import _core

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "grade_fixtures"
CHAPTERS = FIXTURES / "chapters"
CHECKERS = FIXTURES / "checkers.py"
OPTIONS = dict(cell_timeout=8, notebook_timeout=120, call_timeout=3, exercise_timeout=30)
ON_THE_COMMAND_LINE = ("honest", "partial", "infinite_loop")   # graded in a subprocess


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


submissions = _load("_grade_fixture_submissions", FIXTURES / "submissions.py")


def _snapshot():
    """What a submission would change if its code ran in this process."""
    return {
        "registry": {k: v for k, v in _core._REGISTRY.items()},
        "check": _core.check,
        "sigmoid": nnlib.activations.sigmoid,
        "count_params": nnlib.models.Sequential.count_params,
        "backward": autodiff.Value.backward,
        "sentinels": (hasattr(builtins, "NNBOOK_TAMPERED"), hasattr(nnlib, "TAMPERED"),
                      hasattr(grade, "TAMPERED"), hasattr(codec, "TAMPERED")),
        "modules": "_nnbook_grader" in sys.modules,
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    paths = submissions.write_all(folder)
    out = tmp_path_factory.mktemp("out")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cli = subprocess.Popen(
        [sys.executable, "-m", "nnlib.grade", *(str(paths[n]) for n in ON_THE_COMMAND_LINE),
         "--chapters", str(CHAPTERS), "--checkers", str(CHECKERS),
         "--out", str(out / "scores.csv"), "--answers", str(out / "answers.md"),
         "--timeout", str(OPTIONS["cell_timeout"]),
         "--call-timeout", str(OPTIONS["call_timeout"])],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    mark = folder / "tamper-mark.txt"
    os.environ["NNBOOK_TAMPER_MARK"] = str(mark)
    checkers = _load("_grade_fixture_checkers", CHECKERS)   # registers ch90.*
    try:
        _core._load_all()          # the book's checkers are loaded before the snapshot
        before = _snapshot()
        results = {name: grade.grade_notebook(path, CHAPTERS, **OPTIONS)
                   for name, path in paths.items() if name not in ON_THE_COMMAND_LINE}
        after = _snapshot()
    finally:
        checkers.unregister()
        os.environ.pop("NNBOOK_TAMPER_MARK", None)
        stdout, stderr = cli.communicate(timeout=600)
    return SimpleNamespace(results=results, before=before, after=after, mark=mark,
                           paths=paths, cli=(cli.returncode, stdout, stderr), out=out)


def _right(g) -> set[str]:
    return {v.checker for v in g.verdicts if v.ok}


def _messages(g) -> dict[str, str]:
    return {v.checker: v.message for v in g.verdicts}


# ------------------------------------------------------------------ scores

@pytest.mark.parametrize("name", [n for n in submissions.SUBMISSIONS
                                  if n not in ON_THE_COMMAND_LINE])
def test_each_submission_gets_its_score(graded, name):
    g = graded.results[name]
    assert g.error is None
    assert [v.checker for v in g.verdicts] == ["ch90.sigmoid", "ch90.n_params",
                                               "ch90.shuffle", "ch90.softplus"]
    assert _right(g) == submissions.EXPECTED[name], grade.report(g)
    assert g.points == len(submissions.EXPECTED[name]) and g.max_points == 4


def test_command_line_writes_scores_and_report(graded):
    returncode, stdout, stderr = graded.cli
    assert returncode == 0, stderr
    assert "Traceback" not in stderr
    with open(graded.out / "scores.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["notebook", "exercise", "points", "max_points"]
    by_notebook: dict[str, dict[str, int]] = {}
    for row in rows:
        by_notebook.setdefault(row["notebook"], {})[row["exercise"]] = int(row["points"])
        assert row["max_points"] == "1"
    for name in ON_THE_COMMAND_LINE:
        scores = by_notebook[str(graded.paths[name])]
        assert set(scores) == submissions.ALL
        assert {k for k, v in scores.items() if v == 1} == submissions.EXPECTED[name]
    assert "total 4/4" in stdout and "total 2/4" in stdout
    assert "right: matches nnlib's sigmoid" in stdout
    assert "wrong: your code uses `sigmoid`" in stdout      # forbid through the proxy


def test_answers_are_collected_beside_the_rubric(graded):
    text = (graded.out / "answers.md").read_text(encoding="utf-8")
    honest = text.split(f"## {graded.paths['honest']}")[1].split("\n## ")[0]
    assert "### Exercise 90.5 (`ch90-ex-derive`)" in honest
    assert "By the chain rule, the derivative is" in honest
    assert "the rubric's derivation" in honest               # the solution of the chapter
    assert 'print("what-if result", 2 + 2)' in honest         # a cell the student added
    assert "what-if result 4" in honest                       # ... as the grader ran it
    assert "Nothing bad: the rubric says it stays finite." in honest
    partial = text.split(f"## {graded.paths['partial']}")[1]
    assert "*(no answer)*" in partial


# ------------------------------------------------------------------ tampering

def test_student_code_never_ran_in_the_grader_process(graded):
    assert graded.after == graded.before
    assert not hasattr(builtins, "NNBOOK_TAMPERED") and not hasattr(nnlib, "TAMPERED")
    # the answer that patches the checker when called did run, in the kernel
    calls = graded.mark.read_text(encoding="utf-8").splitlines()
    assert calls and all(line.startswith("called in process ") for line in calls)
    assert str(os.getpid()) not in {line.split()[-1] for line in calls}
    # the pickled "result" was never unpickled here
    assert not Path(str(graded.mark) + ".pickle").exists()
    assert "no readable result" in _messages(graded.results["pickle_bomb"])["ch90.shuffle"]


def test_tampering_submissions_get_nothing_for_it(graded):
    r = graded.results
    assert "NotImplementedError" in _messages(r["registry"])["ch90.sigmoid"]
    assert "NotImplementedError" in _messages(r["fake_print"])["ch90.softplus"]
    assert "wrong values" in _messages(r["monkeypatch"])["ch90.sigmoid"]
    assert "n_params = 20" in _messages(r["monkeypatch"])["ch90.n_params"]
    assert "wrong values" in _messages(r["patch_on_call"])["ch90.sigmoid"]


def test_the_tampering_would_work_in_the_students_own_process():
    """Control: the same cells fool ``check`` when the answer runs where the checker
    does, so the grader's scores above are not luck."""
    S = submissions
    script = textwrap.dedent(f"""
        import importlib.util, sys
        import numpy as np
        from nnlib import activations, autodiff
        spec = importlib.util.spec_from_file_location("c", {str(CHECKERS)!r})
        spec.loader.exec_module(importlib.util.module_from_spec(spec))
        from nnlib.exercises import check
        ns = dict(np=np, activations=activations, autodiff=autodiff, check=check)
        exec({S.MONKEYPATCH!r}, ns)
        exec("def my_sigmoid(z):\\n    return np.zeros_like(np.asarray(z, dtype=float))", ns)
        print("monkeypatch", bool(check("ch90.sigmoid", ns["my_sigmoid"], quiet=True)))
        exec({S.REGISTRY!r}, ns)
        print("registry", bool(check("ch90.softplus", None, quiet=True)))
    """)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["monkeypatch", "True", "registry", "True"]


def test_endless_loops_are_stopped(graded):
    stdout = graded.cli[1]
    report = stdout.split(f"== {graded.paths['infinite_loop']}")[1].split("\n== ")[0]
    assert "cell 1 stopped after 8 s" in report                   # the loop in a cell
    lines = {line.split()[2]: line for line in report.splitlines()
             if line.strip().startswith("Exercise")}
    assert "did not return within 3 s" in lines["ch90.sigmoid"]
    assert "did not return within 3 s" in lines["ch90.shuffle"]   # needed a restart
    assert "right" in lines["ch90.softplus"]                       # graded after it
    assert "total 2/4" in report


def test_failing_cells_and_missing_answers(graded):
    g = graded.results["raising_cells"]
    assert any("ZeroDivisionError" in p for p in g.cell_problems)
    assert any("RuntimeError" in p for p in g.cell_problems)
    m = _messages(graded.results["missing"])
    assert "`my_sigmoid` is not defined in the notebook" in m["ch90.sigmoid"]
    assert "`n_params` is not defined in the notebook" in m["ch90.n_params"]


def test_feedback_crosses_the_process_boundary(graded):
    m = _messages(graded.results["feedback"])
    assert "NumPy warned about an overflow" in m["ch90.sigmoid"]     # warnings come back
    assert "not a function" in m["ch90.n_params"]
    assert "returned None" in m["ch90.shuffle"]
    assert "x.grad = 0" in m["ch90.softplus"]                          # Value graphs


# ------------------------------------------------------------------ finding chapters

def test_find_chapter_by_name_or_content(tmp_path):
    nb = submissions.build("honest")
    assert grade.find_chapter(Path("x/90_grading_demo.ipynb"), nb, CHAPTERS).name == \
        "90_grading_demo.ipynb"
    assert grade.find_chapter(Path("90_renamed.ipynb"), nb, CHAPTERS).name == \
        "90_grading_demo.ipynb"
    assert grade.find_chapter(Path("alice.ipynb"), nb, CHAPTERS).name == \
        "90_grading_demo.ipynb"                         # by the ids in its cells
    assert grade.find_chapter(Path("bob.ipynb"), nbformat.v4.new_notebook(), CHAPTERS) is None
    path = tmp_path / "notes.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), path)
    g = grade.grade_notebook(path, CHAPTERS)
    assert g.error and "which chapter" in g.error and not g.verdicts


def test_exercises_are_read_from_the_trusted_chapter():
    exercises = grade.chapter_exercises(nbformat.read(CHAPTERS / "90_grading_demo.ipynb", 4), 90)
    assert [(e.number, e.label, e.checks) for e in exercises if e.coding] == [
        ("90.1", "ch90-ex-sigmoid", [("ch90.sigmoid", "my_sigmoid")]),
        ("90.2", "ch90-ex-params", [("ch90.n_params", "n_params")]),
        ("90.3", "ch90-ex-shuffle", [("ch90.shuffle", "shuffle_pair")]),
        ("90.4", "ch90-ex-softplus", [("ch90.softplus", "softplus")])]
    written = [e for e in exercises if not e.coding]
    assert [(e.label, e.kind) for e in written] == [("ch90-ex-derive", "derivation"),
                                                     ("ch90-ex-whatif", "what happens if")]
    assert "np.round(activations.sigmoid" in written[1].solution


def test_student_edition_has_answer_cells_for_written_exercises():
    nb = submissions.build("partial")
    answers = [c for c in nb.cells if "answer" in c.metadata.get("tags", [])]
    assert [c.metadata["nnbook"]["exercise"] for c in answers] == ["ch90-ex-derive",
                                                                   "ch90-ex-whatif"]
    assert all(c.source == grade.ANSWER_PLACEHOLDER for c in answers)


# ------------------------------------------------------------------ the data format

def test_codec_round_trip():
    x = autodiff.Value(1.5)
    y = x * x + autodiff.exp(x)
    data = {"a": np.arange(6.0).reshape(2, 3), "t": (1, 2.5, None, True, "s"),
            "l": [np.int64(3), np.float32(0.5), [np.zeros(0)]], "rng": np.random.default_rng(7)}
    enc = codec.Encoder()
    payload = enc.encode([data, y])
    import json
    payload = json.loads(json.dumps(payload))          # only JSON goes over
    back, graph = codec.Decoder(enc.arrays).decode(payload)
    np.testing.assert_array_equal(back["a"], data["a"])
    assert back["t"] == (1, 2.5, None, True, "s") and isinstance(back["l"][0], np.int64)
    assert back["rng"].integers(1000) == np.random.default_rng(7).integers(1000)
    assert isinstance(graph, autodiff.Value) and graph.data == pytest.approx(y.data)
    graph.backward()
    leaves = [v for v in autodiff.topological_order(graph) if not v.parents]
    assert leaves[0].grad == pytest.approx(2 * 1.5 + np.exp(1.5))


def test_codec_refuses_what_it_cannot_carry(tmp_path):
    with pytest.raises(codec.Unsupported):
        codec.Encoder().encode(np.array([1, "a", None], dtype=object))
    odd = codec.Decoder({}).decode(codec.Encoder().encode({1, 2}))
    assert type(odd).__name__ == "set" and not callable(odd)
    with pytest.raises(ValueError, match="bad Value graph"):   # a parent after its child
        codec.Decoder({}).decode({"@": "value", "nodes": [
            {"data": 1.0, "grad": 0.0, "op": "+", "parents": [0], "local": [1.0]}]})
    # a pickled array in the npz is never loaded
    np.savez(tmp_path / "r.npz", a=np.array([object()], dtype=object))
    (tmp_path / "r.json").write_text("{}")
    with pytest.raises(ValueError):
        codec.read(str(tmp_path / "r"), 10**6)


def test_forbid_works_on_code_stubs_from_another_python():
    stub = grade._FunctionStub("f", "__main__", grade._CodeStub(
        {"names": ["helper"], "nested": [{"names": ["np", "logaddexp"], "nested": []}]}))
    helper = grade._FunctionStub("helper", "__main__", grade._CodeStub({"names": ["expit"]}))
    stub.__globals__ = {"helper": helper}
    assert {"helper", "np", "logaddexp", "expit"} <= _core.referenced_names(stub)


def test_write_back_shows_changes_made_in_the_kernel():
    a, b = np.zeros(3), [np.ones(2), 5]
    grade._write_back(a, np.arange(3.0))
    grade._write_back(b, [np.full(2, 7.0), 6])
    assert list(a) == [0, 1, 2] and list(b[0]) == [7, 7] and b[1] == 6


# ------------------------------------------------------------------ check() and the table

def test_check_prints_its_verdict_once_in_a_kernel():
    kernel = grade.Kernel(ROOT / "chapters")
    try:
        setup = kernel.execute("from nnlib.exercises import check", timeout=120)
        assert setup.status == "ok", setup.text
        last = kernel.execute('check("ch02.weighted_bce_grd", 1)', timeout=60)
        middle = kernel.execute('check("ch02.weighted_bce_grd", 1)\nx = 1', timeout=60)
        asserted = kernel.execute('assert not check("ch99.x", 1)', timeout=60)
        shown = kernel.execute('r = check("ch99.x", 1, quiet=True)\nr', timeout=60)
    finally:
        kernel.shutdown()
    for run in (last, middle):
        assert run.kinds == ["stream"], run.kinds          # printed, no Out[n] repeat
        assert run.text.count("unknown exercise") == 1
        assert "did you mean 'ch02.weighted_bce_grad'?" in run.text
    assert asserted.status == "ok" and asserted.kinds == ["stream"]
    assert shown.text.count("unknown exercise 'ch99.x'") == 1


def test_check_result_is_returned_and_printed(capsys):
    result = _core.check("ch99.nothing", None)
    assert not result and result.printed
    assert capsys.readouterr().out.count("unknown exercise 'ch99.nothing'") == 1
    assert not _core.check("ch99.nothing", None, quiet=True).printed
    assert capsys.readouterr().out == ""


def test_checker_table_is_current():
    """Regenerate with `python -m nnlib.grade --table --write for_instructors.md`."""
    assert grade.table_in(ROOT / "for_instructors.md") == grade.checker_table(ROOT / "chapters")


def test_checker_table_write(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(f"intro\n{grade.TABLE_START}\nold\n{grade.TABLE_END}\nrest\n")
    assert grade.main(["--table", "--write", str(page), "--chapters", str(CHAPTERS)]) == 0
    text = page.read_text()
    assert text.startswith("intro\n") and text.endswith("rest\n")
    assert "| 90.1 | `ch90-ex-sigmoid` | coding | `ch90.sigmoid` |" in text
    assert "| 90.5 | `ch90-ex-derive` | derivation | — |" in text
    assert not grade.write_table(page, CHAPTERS)             # already current


def test_each_check_gets_a_fresh_secret_seed():
    """The checker's inputs come from a seed drawn in the grader (never from the notebook),
    new for every exercise graded."""
    draws = []

    def recording(answer, rng):
        draws.append(int(rng.integers(2**62)))
        return True, "ok"

    class FakeSession:                 # stands for the kernel: the answer is local here
        deadline = 0.0

        def install_helper(self):
            return True

        def resolve(self, expression):
            return lambda *args: None

    _core.checker("ch90.seeded")(recording)
    try:
        ex = grade.Exercise("ch90-ex-x", "90.9", "text", [("ch90.seeded", "f")])
        verdicts = [grade._grade_one(FakeSession(), ex, "ch90.seeded", "f", 5)
                    for _ in range(3)]
    finally:
        _core._REGISTRY.pop("ch90.seeded", None)
    assert all(v.ok and v.points == 1 for v in verdicts)
    assert len(set(draws)) == 3


def test_an_instructor_can_replace_a_checker(tmp_path):
    stricter = tmp_path / "private.py"
    stricter.write_text(textwrap.dedent('''
        from nnlib.exercises._core import checker

        @checker("ch90.private", "the first one")
        def first(answer, rng):
            return True, "lenient"

        @checker("ch90.private", "a stricter one", replace=True)
        def second(answer, rng):
            return False, "stricter"
    '''))
    try:
        grade._load_checkers(stricter)
        assert not _core.check("ch90.private", 1, quiet=True)
        with pytest.raises(ValueError, match="already registered"):
            _core.checker("ch90.private")(lambda a, r: (True, ""))
    finally:
        _core._REGISTRY.pop("ch90.private", None)
    g = grade.grade_notebook(tmp_path / "missing.ipynb", CHAPTERS)
    assert g.error.startswith("cannot read the notebook")


def test_answers_are_found_without_their_metadata():
    """Some front ends drop cell metadata but keep tags; others drop both: answers are
    then matched by position, and extra cells end at the next cell of the edition."""
    trusted = nbformat.read(CHAPTERS / "90_grading_demo.ipynb", 4)
    exercises = grade.chapter_exercises(trusted, 90)
    nb = submissions.build("honest")
    for cell in nb.cells:
        cell.metadata.pop("nnbook", None)
    answers = dict((ex.label, text) for ex, text in
                   grade._collect_answers(nb, exercises, trusted, {}))
    assert answers["ch90-ex-derive"].startswith("By the chain rule")
    assert answers["ch90-ex-whatif"].startswith("It stays finite:")
    assert 'print("what-if result", 2 + 2)' in answers["ch90-ex-whatif"]
    assert "ch90" not in answers["ch90-ex-derive"]     # stopped before the next exercise
    for cell in nb.cells:
        cell.metadata["tags"] = [t for t in cell.metadata.get("tags", []) if t != "answer"]
    assert all(text == "*(no answer cell found)*" for _, text in
               grade._collect_answers(nb, exercises, trusted, {}))


# exercises whose answer works in place and returns nothing (a stateful metric's
# update_state, a function rescaling a model's kernels)
IN_PLACE = {"ch09.lsuv"}


@pytest.mark.parametrize("exercise", sorted(_core.available()))
def test_every_checker_says_returned_none(exercise):
    """A function that forgets its `return` is told so, not "has shape ()" or "NaN"."""
    result = _core.check(exercise, lambda *args: None, seed=3, quiet=True)
    if exercise in IN_PLACE:
        assert not result and "returned None" not in result.message, result.message
    else:
        assert not result and "returned None" in result.message, result.message
    result = _core.check(exercise, None, seed=3, quiet=True)
    assert not result and "the answer is None" in result.message, result.message


def test_proxy_has_the_students_signature():
    import inspect

    session = SimpleNamespace(kernel=SimpleNamespace(generation=0))
    proxy = grade.RemoteFunction(session, 1, {"name": "shuffle_pair", "params": [
        ["X", 1, False], ["y", 1, False], ["rng", 1, True]]})
    assert list(inspect.signature(proxy).parameters) == ["X", "y", "rng"]
    assert proxy.__name__ == "shuffle_pair" and proxy.__module__ == "__main__"
