'''Submissions to the grading tests' chapter (chapters/90_grading_demo.ipynb): an honest
one, a partial one, and one for each way of cheating or failing the grader must survive.

Each is the chapter's student edition (tools/student_edition.py) with some starter cells
replaced by the "student's" code and some cells added; ``build(name)`` makes the
notebook and ``EXPECTED[name]`` is the set of exercises it must get right.
'''
from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CHAPTER = HERE / "chapters" / "90_grading_demo.ipynb"

SIGMOID = '''def my_sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))
'''
SHUFFLE = '''def shuffle_pair(X, y, rng):
    order = rng.permutation(len(y))
    return X[order], y[order]
'''
SOFTPLUS = '''def softplus(x):
    return autodiff.log(1 + autodiff.exp(x))
'''
HONEST = {"ch90.sigmoid": SIGMOID, "ch90.n_params": "n_params = 26\n",
          "ch90.shuffle": SHUFFLE, "ch90.softplus": SOFTPLUS}

# replaces the checker registry of the kernel (the review's exploit, issue 10)
REGISTRY = '''import nnlib.exercises._core as _core
_core._load_all()
for _k, (_f, _d) in list(_core._REGISTRY.items()):
    _core._REGISTRY[_k] = (lambda a, r: (True, "looks right"), _d)
'''
FAKE_PRINT = '''for _name in ("sigmoid", "n_params", "shuffle", "softplus"):
    print(f"[ch90.{_name}] correct: matches nnlib on random inputs")
'''
# nnlib's reference functions replaced in the kernel, so that wrong answers would agree
MONKEYPATCH = '''import nnlib
nnlib.activations.sigmoid = lambda z: np.zeros_like(np.asarray(z, dtype=float))
nnlib.models.Sequential.count_params = lambda self: 20
'''
# when the grader calls it, it tries to patch the checker, nnlib and the grader itself
PATCH_ON_CALL = '''def my_sigmoid(z):
    import builtins, os, sys
    import nnlib, nnlib.exercises._core as core
    core._REGISTRY["ch90.sigmoid"] = (lambda a, r: (True, "looks right"), "")
    core.check = lambda *a, **k: True
    setattr(nnlib.activations, "sig" + "moid",     # (hidden from forbid)
            lambda z: np.zeros_like(np.asarray(z, dtype=float)))
    nnlib.TAMPERED = True
    builtins.NNBOOK_TAMPERED = True
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith(("nnlib.grade", "_nnbook")):
            module.TAMPERED = True
    mark = os.environ.get("NNBOOK_TAMPER_MARK")   # set by the test: proof that it ran
    if mark:
        with open(mark, "a") as f:
            f.write(f"called in process {os.getpid()}\\n")
    return np.zeros_like(np.asarray(z, dtype=float))
'''
# when called, it replaces the grader's helper in the kernel so that the "result" is a
# pickle that would run a shell command if the grader ever unpickled it
PICKLE_BOMB = '''def shuffle_pair(X, y, rng):
    import json, os, sys
    helper = sys.modules["_nnbook_grader"]
    target = os.environ.get("NNBOOK_TAMPER_MARK", os.devnull) + ".pickle"

    class Bomb:
        def __reduce__(self):
            return (os.system, (f"echo exploded >> {target}",))

    def write(stem, payload, arrays):
        np.savez(stem + ".npz", a=np.array([Bomb(), 1], dtype=object))
        nd = {"@": "nd", "key": "a"}
        with open(stem + ".json", "w") as f:
            json.dump({"status": "ok", "result": {"@": "tuple", "items": [nd, nd]},
                       "args": [], "kwargs": {"@": "dict", "items": []}}, f)

    helper.write = write
    return X, y
'''
LOOP = '''def my_sigmoid(z):
    while True:
        pass
'''
STUBBORN_LOOP = '''def shuffle_pair(X, y, rng):
    import time
    while True:          # survives interrupts: the grader must restart the kernel
        try:
            time.sleep(0.01)
        except KeyboardInterrupt:
            pass
'''
CELL_LOOP = "while True:\n    pass\n"
WRAPPER = '''def _helper(z):
    return activations.sigmoid(z)


def my_sigmoid(z):
    return _helper(z)
'''
NAIVE = "def my_sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n"
NO_RETURN = '''def shuffle_pair(X, y, rng):
    order = rng.permutation(len(y))
    X[order], y[order]
'''
DISCONNECTED = '''def softplus(x):
    return autodiff.Value(float(np.log1p(np.exp(x.data))))
'''

SUBMISSIONS = {
    "honest": dict(answers=HONEST, written={
        "ch90-ex-derive": "By the chain rule, the derivative is $\\sigma(1 - \\sigma)$.",
        "ch90-ex-whatif": "It stays finite:"},
        after_answer={"ch90-ex-whatif": ['print("what-if result", 2 + 2)']}),
    "partial": dict(answers={"ch90.sigmoid": WRAPPER, "ch90.n_params": "n_params = 20\n",
                             "ch90.shuffle": SHUFFLE, "ch90.softplus": SOFTPLUS}),
    "feedback": dict(answers={"ch90.sigmoid": NAIVE,
                              "ch90.n_params": "def n_params():\n    return 26\n",
                              "ch90.shuffle": NO_RETURN, "ch90.softplus": DISCONNECTED}),
    "registry": dict(answers={}, after=[REGISTRY]),
    "fake_print": dict(answers={}, after=[FAKE_PRINT]),
    "monkeypatch": dict(answers={"ch90.sigmoid": "def my_sigmoid(z):\n    return np.zeros_like(np.asarray(z, dtype=float))\n",
                                 "ch90.n_params": "n_params = 20\n"},
                        before=[MONKEYPATCH]),
    "patch_on_call": dict(answers={**HONEST, "ch90.sigmoid": PATCH_ON_CALL}),
    "pickle_bomb": dict(answers={**HONEST, "ch90.shuffle": PICKLE_BOMB}),
    "infinite_loop": dict(answers={**HONEST, "ch90.sigmoid": LOOP, "ch90.shuffle": STUBBORN_LOOP},
                          before=[CELL_LOOP]),
    "missing": dict(answers={**HONEST, "ch90.sigmoid": SIGMOID.replace("my_sigmoid", "my_sigmod"),
                             "ch90.n_params": "# I did not do this one\n"}),
    "raising_cells": dict(answers=HONEST, before=["1 / 0"],
                          after=["raise RuntimeError('a broken cell at the end')"]),
}

ALL = {"ch90.sigmoid", "ch90.n_params", "ch90.shuffle", "ch90.softplus"}
EXPECTED = {
    "honest": ALL,
    "partial": {"ch90.shuffle", "ch90.softplus"},
    "feedback": set(),
    "registry": set(),
    "fake_print": set(),
    "monkeypatch": set(),
    "patch_on_call": ALL - {"ch90.sigmoid"},
    "pickle_bomb": ALL - {"ch90.shuffle"},
    "infinite_loop": {"ch90.n_params", "ch90.softplus"},
    "missing": {"ch90.shuffle", "ch90.softplus"},
    "raising_cells": ALL,
}


def _student_edition():
    spec = importlib.util.spec_from_file_location("_grade_student_edition",
                                                  ROOT / "tools" / "student_edition.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(name: str):
    """The submission ``name``: the student edition with the student's changes."""
    spec = SUBMISSIONS[name]
    nb, _ = _student_edition().student_notebook(nbformat.read(CHAPTER, as_version=4))
    code = nbformat.v4.new_code_cell
    cells = []
    for i, cell in enumerate(nb.cells):
        tags = cell.metadata.get("tags", [])
        if "student" in tags:
            for ident, source in spec.get("answers", {}).items():
                if f'check("{ident}"' in cell.source:       # keep the starter's check
                    cell.source = source.rstrip() + "\n\n\n" + cell.source.splitlines()[-1]
        if "answer" in tags:
            label = cell.metadata["nnbook"]["exercise"]
            if label in spec.get("written", {}):
                cell.source = spec["written"][label]
        cells.append(cell)
        if "answer" in tags:
            cells += [code(s) for s in spec.get("after_answer", {}).get(
                cell.metadata["nnbook"]["exercise"], [])]
        if i == 0:
            cells += [code(s) for s in spec.get("before", [])]
    cells += [code(s) for s in spec.get("after", [])]
    for i, cell in enumerate(cells):
        cell["id"] = f"s{i:03d}"
    nb.cells = cells
    nbformat.validate(nb)
    return nb


def write_all(folder: Path) -> dict[str, Path]:
    """Every submission as ``folder/<name>/90_grading_demo.ipynb``."""
    paths = {}
    for name in SUBMISSIONS:
        path = Path(folder) / name / CHAPTER.name
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(build(name), path)
        paths[name] = path
    return paths
