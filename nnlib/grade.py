"""Grade students' notebooks: run each one in a fresh kernel, judge it in this process.

Usage (from the repository root)::

    python -m nnlib.grade alice/04_hidden_layers.ipynb bob/04_hidden_layers.ipynb \\
        --out scores.csv --answers answers.md
    python -m nnlib.grade --table                  # the exercise -> checker table
    python -m nnlib.grade --table --write for_instructors.md

For each submitted notebook (a student's copy of a chapter of the student edition or the
Colab student edition) the grader

1. finds its chapter in ``chapters/`` (by the file name ``NN_*.ipynb``, else by the
   exercise ids it mentions) and reads from that *trusted* chapter, not from the
   submission, which coding exercises there are and which expression each one checks:
   the starter cells tagged ``student`` contain ``check("chNN.id", answer_expr)``;
2. runs every code cell of the submission in a fresh ``python3`` kernel (working
   directory ``chapters/``), with a time limit per cell and for the whole notebook; a cell
   that raises or runs too long does not stop the others;
3. grades each coding exercise with the checker registered in *this* process, on inputs
   drawn from a secret random seed. The checker gets a proxy: calling it sends the
   arguments to the kernel, evaluates ``answer_expr(*args)`` there and brings the result
   back as JSON and ``.npz`` arrays (never pickles), with a time limit per call; an answer
   that is not a function is fetched as a value the same way. ``forbid`` sees the
   answer's code objects (``marshal``; loading one does not run it);
4. writes ``scores.csv`` (``notebook,exercise,points,max_points``: one row per coding
   exercise, 1 point for a right answer, else 0) and prints a report; ``--answers``
   collects the written answers (derivations, "what happens if") beside the rubric.

Nothing the notebook prints counts, and nothing it defines runs in the grader: it can
replace the kernel's ``nnlib`` or checker registry, but not this process's. The kernel
is not a sandbox, though: it runs with the grader's user rights. Grade untrusted
submissions in a container or as an unprivileged user.
"""
from __future__ import annotations

import argparse
import base64
import csv
import importlib.util
import json
import marshal
import os
import queue
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import types
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import _grade_kernel as _codec
from .exercises import _core

__all__ = ["Exercise", "chapter_exercises", "find_chapter", "grade_notebook", "grade",
           "checker_table", "write_table", "main"]

ANSWER_PLACEHOLDER = "*Your answer here.*"
TABLE_START, TABLE_END = "<!-- checkers:start -->", "<!-- checkers:end -->"
MAX_RESULT_BYTES = 200 * 2**20
_PACKAGE_ROOT = Path(__file__).resolve().parent.parent


# ================================================================== the trusted chapter

# the directive splitter shared with the student and Colab editions
from ._myst import blocks as _blocks  # noqa: E402


def _body(block: str) -> tuple[dict[str, str], str]:
    """The options (``:label: x``) and the body of a directive block."""
    lines = block.splitlines()[1:]
    if lines and re.fullmatch(r"\s*(`{3,}|~{3,}|:{3,})\s*", lines[-1]):
        lines = lines[:-1]
    options = {}
    while lines and re.match(r"^:[\w-]+:", lines[0]):
        key, _, value = lines.pop(0)[1:].partition(":")
        options[key] = value.strip()
    return options, "\n".join(lines).strip("\n")


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


@dataclass
class Exercise:
    """One exercise of a trusted chapter."""

    label: str
    number: str                     # "4.2": chapter 4, second exercise of the page
    text: str                       # the exercise's text (Markdown)
    checks: list[tuple[str, str]] = field(default_factory=list)  # (checker id, expression)
    solution: str = ""              # the solution (Markdown, code as fenced blocks)

    @property
    def coding(self) -> bool:
        """A coding exercise: its starter cell calls a checker."""
        return bool(self.checks)

    @property
    def kind(self) -> str:
        m = re.match(r"\s*\(([^)]{3,60})\)", self.text)
        if m:
            return m.group(1).strip(" .?").lower()
        return "coding" if self.coding else "written"


def chapter_number(path: Path) -> int | None:
    m = re.match(r"(\d+)_", Path(path).name)
    return int(m.group(1)) if m else None


def _check_calls(source: str) -> list[tuple[str, str]]:
    """``(checker id, answer expression)`` of each ``check("id", expr)`` in a code cell."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or len(node.args) < 2:
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        first = node.args[0]
        if name == "check" and isinstance(first, ast.Constant) and isinstance(first.value, str):
            found.append((first.value, ast.get_source_segment(source, node.args[1])
                          or ast.unparse(node.args[1])))
    return found


def _text_outputs(cell, max_lines: int = 30) -> str:
    texts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stdout":
            texts.append(out.get("text", ""))
        elif out.get("output_type") == "execute_result":
            texts.append(str(out.get("data", {}).get("text/plain", "")))
    lines = "".join(t if t.endswith("\n") else t + "\n" for t in texts).splitlines()
    if len(lines) > max_lines:
        lines = lines[:max_lines] + ["..."]
    return "\n".join(lines)


def chapter_exercises(nb, number: int | None = None) -> list[Exercise]:
    """The exercises of a (trusted) chapter notebook, in page order, with the checks of
    their starter cells and the text of their solutions."""
    exercises: list[Exercise] = []
    solutions: dict[str, list[str]] = {}
    collecting: str | None = None          # inside {solution-start} label ... {solution-end}
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for text, name, arg in _blocks(cell.source):
                if name in ("exercise", "exercise-start"):
                    options, body = _body(text)
                    k = len(exercises) + 1
                    exercises.append(Exercise(options.get("label", f"exercise-{k}"),
                                              f"{number}.{k}" if number is not None else str(k),
                                              body))
                elif name == "solution":
                    solutions.setdefault(arg, []).append(_body(text)[1])
                elif name == "solution-start":
                    collecting = arg
                    solutions.setdefault(arg, [])
                elif name == "solution-end":
                    collecting = None
                elif collecting is not None and text.strip():
                    solutions[collecting].append(text.strip("\n"))
            continue
        if cell.cell_type != "code":
            continue
        tags = _tags(cell)
        if "student" in tags and exercises:
            exercises[-1].checks.extend(_check_calls(cell.source))
        elif collecting is not None or "solution" in tags:
            label = collecting or (exercises[-1].label if exercises else "")
            part = f"```python\n{cell.source.rstrip()}\n```"
            out = _text_outputs(cell)
            if out:
                part += f"\n\nOutput:\n\n```text\n{out}\n```"
            solutions.setdefault(label, []).append(part)
    for ex in exercises:
        ex.solution = "\n\n".join(solutions.get(ex.label, [])).strip()
    return exercises


def default_chapters_dir() -> Path:
    here = Path.cwd() / "chapters"
    return here if here.is_dir() else _PACKAGE_ROOT / "chapters"


def find_chapter(path: Path, nb, chapters_dir: Path) -> Path | None:
    """The trusted chapter a submission belongs to: by its file name ``NN_*.ipynb``, else
    by the exercise ids and labels it mentions."""
    chapters = sorted(Path(chapters_dir).glob("*.ipynb"))
    by_number = {}
    for c in chapters:
        n = chapter_number(c)
        if n is not None:
            by_number.setdefault(n, c)
    exact = [c for c in chapters if c.name == Path(path).name]
    if exact:
        return exact[0]
    n = chapter_number(path)
    if n is not None and n in by_number:
        return by_number[n]
    votes: Counter = Counter()
    for cell in nb.cells:
        votes.update(int(x) for x in re.findall(r"\bch(\d\d)[.-]", cell.get("source", "")))
    for n, _ in votes.most_common():
        if n in by_number:
            return by_number[n]
    return None


# ================================================================== the kernel

@dataclass
class Execution:
    """What running one piece of code in the kernel gave."""

    status: str                      # ok, error, timeout, restarted (hung), died
    seconds: float = 0.0
    error: tuple[str, str] | None = None
    text: str = ""                   # the text outputs (stdout, results, error), capped
    kinds: list[str] = field(default_factory=list)   # e.g. ["stream", "execute_result"]


class Kernel:
    """A Jupyter kernel with hard time limits: interrupt, then restart if it hangs on."""

    interrupt_grace = 3.0      # seconds an interrupted run has to stop before a restart

    def __init__(self, cwd: Path, kernel_name: str = "python3"):
        from jupyter_client import KernelManager

        self.cwd = Path(cwd)
        self.km = KernelManager(kernel_name=kernel_name)
        self.generation = 0
        self.kc = None
        self._start()

    def _start(self):
        self.km.start_kernel(cwd=str(self.cwd),
                             extra_arguments=["--IPKernelApp.log_level=ERROR"])
        self._connect()

    def _connect(self):
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=120)

    def restart(self):
        try:
            self.kc.stop_channels()
        except Exception:  # noqa: BLE001
            pass
        self.km.restart_kernel(now=True)
        self._connect()
        self.generation += 1

    def shutdown(self):
        try:
            self.kc.stop_channels()
        finally:
            self.km.shutdown_kernel(now=True)

    def execute(self, code: str, timeout: float, silent: bool = False) -> Execution:
        start = time.monotonic()
        msg_id = self.kc.execute(code, silent=silent, store_history=not silent,
                                 allow_stdin=False, stop_on_error=False)
        deadline = start + timeout
        texts: list[str] = []
        kinds: list[str] = []
        size = 0
        error = None
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                status = self._stop(msg_id)
                return Execution(status, time.monotonic() - start, error, "".join(texts))
            try:
                msg = self.kc.get_iopub_msg(timeout=min(remaining, 0.5))
            except queue.Empty:
                if not self.km.is_alive():
                    self.restart()
                    return Execution("died", time.monotonic() - start, error, "".join(texts))
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "status" and content.get("execution_state") == "idle":
                break
            piece = ""
            if kind in ("stream", "execute_result", "display_data", "error"):
                kinds.append(kind)
            if kind == "stream":
                piece = content.get("text", "")
            elif kind in ("execute_result", "display_data"):
                piece = str(content.get("data", {}).get("text/plain", "")) + "\n"
            elif kind == "error":
                error = (content.get("ename", ""), content.get("evalue", ""))
                piece = f"{error[0]}: {error[1]}\n"
            if piece and size < 20_000:
                texts.append(piece[:20_000 - size])
                size += len(piece)
        reply = self._reply(msg_id, 5.0)
        content = (reply or {}).get("content", {})
        if error is None and content.get("status") == "error":   # silent runs publish none
            error = (content.get("ename", ""), content.get("evalue", ""))
        return Execution("error" if error else "ok", time.monotonic() - start, error,
                         "".join(texts), kinds)

    def _reply(self, msg_id: str, timeout: float):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                msg = self.kc.get_shell_msg(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                return None
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                return msg
        return None

    def _stop(self, msg_id: str) -> str:
        """Interrupt a run that is over its time; restart the kernel if that fails."""
        try:
            self.km.interrupt_kernel()
        except Exception:  # noqa: BLE001
            pass
        deadline = time.monotonic() + self.interrupt_grace
        while time.monotonic() < deadline:
            try:
                msg = self.kc.get_iopub_msg(timeout=0.2)
            except queue.Empty:
                continue
            if (msg.get("parent_header", {}).get("msg_id") == msg_id
                    and msg["msg_type"] == "status"
                    and msg["content"].get("execution_state") == "idle"):
                self._reply(msg_id, 2.0)
                return "timeout"
        self.restart()
        return "restarted"


# ================================================================== proxies

class _CodeStub:
    """Stands for a code object when the kernel runs another Python version: the names
    its code refers to, as ``referenced_names`` reads them."""

    def __init__(self, tree):
        self.co_names = tuple(str(n) for n in tree.get("names", []))
        self.co_consts = tuple(_CodeStub(t) for t in tree.get("nested", []))


class _FunctionStub:
    """A helper function of the student's notebook, as far as ``forbid`` needs it: its
    name, module, code, globals and closure. It cannot be called."""

    def __init__(self, name, module, code):
        self.__name__, self.__module__, self.__code__ = name, module, code
        self.__globals__: dict = {}
        self.__closure__: tuple = ()

    def __call__(self, *args, **kwargs):
        raise TypeError("a stand-in for a function of the student's notebook")


class _Cell:
    def __init__(self, content):
        self.cell_contents = content


_VALIDATE = """
import base64, json, marshal, sys, types
for blob in json.load(sys.stdin):
    if not isinstance(marshal.loads(base64.b64decode(blob)), types.CodeType):
        sys.exit(3)
"""


def _load_code_objects(blobs: list[str]) -> list[types.CodeType] | None:
    """Unmarshal the kernel's code objects, first in a throw-away interpreter (marshal is
    not hardened against malformed data: a crash there costs nothing). Loading a code
    object does not run it."""
    if not blobs:
        return []
    try:
        done = subprocess.run([sys.executable, "-I", "-S", "-c", _VALIDATE],
                              input=json.dumps(blobs).encode(), capture_output=True,
                              timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    codes = [marshal.loads(base64.b64decode(b)) for b in blobs]
    return codes if all(isinstance(c, types.CodeType) for c in codes) else None


_WARNINGS = {w.__name__: w for w in (RuntimeWarning, UserWarning, DeprecationWarning,
                                     FutureWarning, Warning)}
if hasattr(np, "exceptions"):
    _WARNINGS["ComplexWarning"] = np.exceptions.ComplexWarning


class Session:
    """The grader's side of one submission's kernel: evaluates answers, calls them."""

    def __init__(self, kernel: Kernel, workdir: Path, call_timeout: float):
        self.kernel = kernel
        self.workdir = Path(workdir)
        self.call_timeout = call_timeout
        self.deadline = float("inf")          # of the current exercise
        self.helper_generation = -1

    # ---------------------------------------------------------------- plumbing
    def _stem(self) -> str:
        return str(self.workdir / secrets.token_hex(8))

    def install_helper(self) -> bool:
        source = Path(_codec.__file__).read_text(encoding="utf-8")
        code = ("if 1:\n"
                "    __import__('sys').modules['_nnbook_grader'] = "
                "__import__('types').ModuleType('_nnbook_grader')\n"
                f"    exec(compile({source!r}, '<nnbook-grader>', 'exec'), "
                "__import__('sys').modules['_nnbook_grader'].__dict__)\n")
        done = self.kernel.execute(code, timeout=60, silent=True)
        self.helper_generation = self.kernel.generation
        return done.status == "ok"

    def _run(self, stem: str, call: str, timeout: float):
        generation = self.kernel.generation
        code = f"__import__('sys').modules['_nnbook_grader'].{call}"
        done = self.kernel.execute(code, timeout=timeout, silent=True)
        if done.status in ("timeout", "restarted"):
            raise _core.AnswerTimeout(timeout)
        if done.status == "died" or self.kernel.generation != generation:
            raise _core.StudentCodeError("KernelDied", "the kernel died while running it")
        try:
            return _codec.read(stem, MAX_RESULT_BYTES)
        except Exception as exc:  # noqa: BLE001 - missing, too big, malformed, too deep
            raise _core.StudentCodeError(
                "GraderError", "no readable result came back from the notebook's kernel "
                f"({type(exc).__name__}; did the notebook change the grader's helper?)") from None
        finally:
            for ext in (".json", ".npz", ".in.json", ".in.npz"):
                try:
                    os.remove(stem + ext)
                except OSError:
                    pass

    def _remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise _core.AnswerTimeout(self.call_timeout)
        return min(self.call_timeout, left)

    # ---------------------------------------------------------------- answers
    def resolve(self, expression: str):
        """The answer named by ``expression`` in the notebook: a proxy or a value."""
        stem = self._stem()
        payload, arrays = self._run(stem, f"resolve({stem!r}, {expression!r})",
                                    self._remaining())
        if payload.get("status") != "ok":
            raise _core.StudentCodeError(str(payload.get("type")), str(payload.get("message")),
                                         None, None)
        try:
            if payload.get("callable"):
                return RemoteFunction(self, int(payload["handle"]), payload)
            return _codec.Decoder(arrays).decode(payload["value"])
        except Exception as exc:  # noqa: BLE001 - whatever the kernel wrote
            raise _core.StudentCodeError("GraderError",
                                         f"unreadable answer ({type(exc).__name__})") from None

    def call(self, handle: int, generation: int, args, kwargs):
        if generation != self.kernel.generation:
            raise _core.StudentCodeError("KernelDied", "the kernel was restarted")
        timeout = self._remaining()
        stem = self._stem()
        enc = _codec.Encoder()
        try:
            request = {"args": enc.encode(list(args)), "kwargs": enc.encode(dict(kwargs))}
        except _codec.Unsupported as exc:
            raise TypeError(f"the grader cannot send this argument to the kernel: {exc}") from None
        _codec.write(stem + ".in", request, enc.arrays)
        payload, arrays = self._run(stem, f"call({stem!r}, {handle}, {dict(np.geterr())!r})",
                                    timeout)
        for category, message in payload.get("warnings", []):
            warnings.warn(str(message), _WARNINGS.get(category, UserWarning), stacklevel=3)
        status = payload.get("status")
        if status == "error":
            raise _core.StudentCodeError(str(payload.get("type")), str(payload.get("message")),
                                         payload.get("lineno"), payload.get("line"))
        if status != "ok":
            return _codec._opaque(str(payload.get("type", "object")), "?")
        try:
            dec = _codec.Decoder(arrays, values=enc.values)
            result = dec.decode(payload["result"])
            new_args = dec.decode(payload["args"])
            new_kwargs = dec.decode(payload["kwargs"])
        except Exception as exc:  # noqa: BLE001 - whatever the kernel wrote
            raise _core.StudentCodeError("GraderError",
                                         f"unreadable result ({type(exc).__name__})") from None
        for old, new in zip(args, new_args):
            _write_back(old, new)
        for key, old in kwargs.items():
            _write_back(old, new_kwargs.get(key))
        return result

    def code_info(self, handle: int, generation: int):
        if generation != self.kernel.generation:
            raise _core.StudentCodeError("KernelDied", "the kernel was restarted")
        stem = self._stem()
        payload, _ = self._run(stem, f"code_info({stem!r}, {handle})", self._remaining())
        if payload.get("status") != "ok":
            raise _core.StudentCodeError("GraderError", "could not read the answer's code")
        try:
            return self._stubs(payload)
        except Exception as exc:  # noqa: BLE001 - whatever the kernel wrote
            raise _core.StudentCodeError("GraderError", "could not read the answer's code "
                                         f"({type(exc).__name__})") from None

    def _stubs(self, payload):
        functions = payload.get("functions", {})
        if payload.get("root") is None:
            return None
        keys = list(functions)
        codes = None
        if tuple(payload.get("python", ())) == tuple(sys.version_info[:2]):
            codes = _load_code_objects([functions[k]["code"] for k in keys])
        if codes is None:            # another Python version: the names are enough
            codes = [_CodeStub(functions[k].get("tree", {})) for k in keys]
        stubs = {k: _FunctionStub(str(functions[k].get("name", "")),
                                  str(functions[k].get("module", "")), c)
                 for k, c in zip(keys, codes)}
        for k, stub in stubs.items():
            stub.__globals__ = {str(name): stubs[ref] for name, ref in
                                functions[k].get("globals", {}).items() if ref in stubs}
            stub.__closure__ = tuple(_Cell(stubs.get(ref)) for ref in
                                     functions[k].get("closure", []))
        return stubs[payload["root"]]


_MUTABLE = (np.ndarray, list, dict, np.random.Generator)


def _write_back(old, new):
    """Make the grader's argument show what the student's code did to it in the kernel
    (checkers test that inputs are not modified in place)."""
    if isinstance(old, np.ndarray) and isinstance(new, np.ndarray):
        floats = old.dtype.kind == "f" and new.dtype.kind == "f"
        if old.shape == new.shape and not np.array_equal(old, new, equal_nan=floats):
            if old.flags.writeable:
                np.copyto(old, new, casting="unsafe")
    elif isinstance(old, list) and isinstance(new, list):
        merged = []
        for i, item in enumerate(new):
            if i < len(old) and isinstance(old[i], _MUTABLE) and type(item) is type(old[i]):
                _write_back(old[i], item)          # keep the grader's own objects
                merged.append(old[i])
            else:
                merged.append(item)
        old[:] = merged
    elif isinstance(old, dict) and isinstance(new, dict):
        for key in list(old):
            if key in new and isinstance(old[key], _MUTABLE):
                _write_back(old[key], new[key])
            elif key in new:
                old[key] = new[key]
            else:
                del old[key]
        for key in new:
            if key not in old:
                old[key] = new[key]
    elif isinstance(old, np.random.Generator) and isinstance(new, np.random.Generator):
        if type(old.bit_generator) is type(new.bit_generator):
            old.bit_generator.state = new.bit_generator.state


class RemoteFunction:
    """The student's function as the checker sees it: calls run in the kernel.

    ``__code__``, ``__globals__`` and ``__closure__`` are those of the function in the
    kernel (code objects, never run here), so that ``forbid`` works unchanged.
    """

    def __init__(self, session: Session, handle: int, info: dict):
        self._session, self._handle = session, handle
        self._generation = session.kernel.generation
        self.__name__ = str(info.get("name", "answer"))
        self.__qualname__ = str(info.get("qualname", "")) or self.__name__
        self.__module__ = str(info.get("module", "")) or "__main__"
        self._stub = None
        self._stub_loaded = False
        self._params = info.get("params")

    def __call__(self, *args, **kwargs):
        return self._session.call(self._handle, self._generation, args, kwargs)

    def _code_stub(self):
        if not self._stub_loaded:
            self._stub = self._session.code_info(self._handle, self._generation)
            self._stub_loaded = True
        if self._stub is None:
            raise AttributeError("the answer has no Python code (a builtin or an object)")
        return self._stub

    @property
    def __signature__(self):
        """The parameters of the student's function (defaults stand in as ``...``), for
        ``inspect.signature``."""
        import inspect

        if not isinstance(self._params, list):
            raise AttributeError("no signature")
        try:
            return inspect.Signature([
                inspect.Parameter(str(name), inspect._ParameterKind(int(kind)),
                                  default=... if has_default else inspect.Parameter.empty)
                for name, kind, has_default in self._params])
        except (TypeError, ValueError) as exc:
            raise AttributeError(f"no valid signature ({exc})") from None

    @property
    def __code__(self):
        return self._code_stub().__code__

    @property
    def __globals__(self):
        return self._code_stub().__globals__

    @property
    def __closure__(self):
        return self._code_stub().__closure__

    def __repr__(self):
        return f"<the notebook's {self.__name__}>"


# ================================================================== grading

@dataclass
class Verdict:
    exercise: Exercise
    checker: str
    ok: bool
    message: str
    points: int
    max_points: int = 1


@dataclass
class NotebookGrade:
    notebook: str
    chapter: Path | None
    verdicts: list[Verdict] = field(default_factory=list)
    answers: list[tuple[Exercise, str]] = field(default_factory=list)
    cells_run: int = 0
    cell_problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None

    @property
    def points(self) -> int:
        return sum(v.points for v in self.verdicts)

    @property
    def max_points(self) -> int:
        return sum(v.max_points for v in self.verdicts)


def _read_notebook(path: Path):
    import nbformat

    return nbformat.read(str(path), as_version=4)


def _run_cells(kernel: Kernel, nb, cell_timeout: float, deadline: float, skip: set[int],
               problems: list[str] | None, outputs: dict[int, str] | None) -> int:
    """Run the code cells of ``nb`` (not those in ``skip``); returns how many ran.

    A cell that hangs beyond interrupting is added to ``skip`` and the notebook is run
    again from the top in the restarted kernel without it (and without the cells that
    ran out of time before).
    """
    while True:
        ran, restarted = 0, False
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or not cell.source.strip() or i in skip:
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                if problems is not None:
                    problems.append(f"cell {i} and later not run: the notebook's time "
                                    "limit was reached")
                return ran
            done = kernel.execute(cell.source, timeout=min(cell_timeout, left))
            ran += 1
            if outputs is not None:
                outputs[i] = done.text
            if problems is not None:
                if done.status == "error" and done.error:
                    problems.append(f"cell {i} raised {done.error[0]}: "
                                    f"{done.error[1][:120]}")
                elif done.status == "timeout":
                    problems.append(f"cell {i} stopped after {min(cell_timeout, left):g} s")
                elif done.status in ("restarted", "died"):
                    what = "hung" if done.status == "restarted" else "killed the kernel"
                    problems.append(f"cell {i} {what}; the notebook was run again without it")
            if done.status == "timeout":
                skip.add(i)            # not run again if the notebook must be replayed
            if done.status in ("restarted", "died"):
                skip.add(i)
                restarted = True
                break
        if not restarted:
            return ran


_NO_ANSWER = ("*(no answer)*", "*(no answer cell found)*")


def _collect_answers(sub_nb, exercises: list[Exercise], trusted_nb,
                     outputs: dict[int, str]) -> list[tuple[Exercise, str]]:
    """The student's written answer to each exercise that has no checker: its answer
    cell (tagged ``answer``) and any cells the student added after it."""
    wanted = [e for e in exercises if not e.coding]
    trusted_sources = {c.source.strip() for c in trusted_nb.cells}
    cells = sub_nb.cells
    answer_cells = [i for i, c in enumerate(cells) if "answer" in _tags(c)]
    by_label: dict[str, int] = {}
    unlabelled = []
    labels = {e.label for e in wanted}
    for i in answer_cells:
        label = cells[i].get("metadata", {}).get("nnbook", {}).get("exercise")
        if label in labels and label not in by_label:
            by_label[label] = i
        else:
            unlabelled.append(i)
    result = []
    for ex in wanted:
        if ex.label not in by_label and unlabelled:
            by_label[ex.label] = unlabelled.pop(0)
        i = by_label.get(ex.label)
        if i is None:
            result.append((ex, _NO_ANSWER[1]))
            continue
        parts = []
        own = cells[i].source.strip()
        if own and own != ANSWER_PLACEHOLDER:
            parts.append(own)
        for j in range(i + 1, len(cells)):
            c = cells[j]
            src = c.source.strip()
            if ("answer" in _tags(c) or "student" in _tags(c) or src in trusted_sources
                    or (c.cell_type == "markdown" and re.search(
                        r"\{exercise|^#+ +Exercise \d+\.\d+", src, re.M))):
                break
            if not src:
                continue
            if c.cell_type == "code":
                part = f"```python\n{src}\n```"
                out = outputs.get(j, "").strip()
                if out:
                    lines = out.splitlines()
                    out = "\n".join(lines[:30] + (["..."] if len(lines) > 30 else []))
                    part += f"\n\nOutput (when the grader ran it):\n\n```text\n{out}\n```"
                parts.append(part)
            else:
                parts.append(src)
        result.append((ex, "\n\n".join(parts) if parts else _NO_ANSWER[0]))
    return result


def grade_notebook(path: Path, chapters_dir: Path | None = None, *, cell_timeout: float = 120,
                   notebook_timeout: float = 900, call_timeout: float = 10,
                   exercise_timeout: float = 60, kernel_name: str = "python3",
                   log=None) -> NotebookGrade:
    """Run one submission in a fresh kernel and grade its coding exercises here."""
    path = Path(path)
    chapters_dir = Path(chapters_dir or default_chapters_dir()).resolve()
    grade = NotebookGrade(str(path), None)
    try:
        sub_nb = _read_notebook(path)
    except Exception as exc:  # noqa: BLE001 - not a notebook
        grade.error = f"cannot read the notebook: {type(exc).__name__}: {exc}"
        return grade
    chapter = find_chapter(path, sub_nb, chapters_dir)
    grade.chapter = chapter
    if chapter is None:
        grade.error = f"cannot tell which chapter of {chapters_dir} this notebook belongs to"
        return grade
    trusted = _read_notebook(chapter)
    exercises = chapter_exercises(trusted, chapter_number(chapter))
    start = time.monotonic()
    outputs: dict[int, str] = {}
    skip: set[int] = set()
    try:
        kernel = Kernel(chapters_dir, kernel_name)
    except Exception as exc:  # noqa: BLE001 - no such kernel, no jupyter_client, ...
        grade.error = f"cannot start a {kernel_name!r} kernel: {type(exc).__name__}: {exc}"
        return grade
    workdir = Path(tempfile.mkdtemp(prefix="nnbook-grade-"))
    try:
        deadline = start + notebook_timeout
        grade.cells_run = _run_cells(kernel, sub_nb, cell_timeout, deadline, skip,
                                     grade.cell_problems, outputs)
        state = kernel.generation
        session = Session(kernel, workdir, call_timeout)
        for ex in exercises:
            for checker_id, expression in ex.checks:
                if kernel.generation != state:     # an answer hung: rebuild the state
                    _run_cells(kernel, sub_nb, cell_timeout, time.monotonic() + notebook_timeout,
                               skip, None, None)
                    state = kernel.generation
                try:
                    verdict = _grade_one(session, ex, checker_id, expression,
                                         exercise_timeout)
                except Exception as exc:  # noqa: BLE001 - never stop the others
                    verdict = Verdict(ex, checker_id, False, "the grader could not grade "
                                      f"this answer ({type(exc).__name__}: {exc})", 0)
                grade.verdicts.append(verdict)
                if log:
                    log(grade.verdicts[-1])
        grade.answers = _collect_answers(sub_nb, exercises, trusted, outputs)
    finally:
        kernel.shutdown()
        shutil.rmtree(workdir, ignore_errors=True)
    grade.seconds = time.monotonic() - start
    return grade


def _grade_one(session: Session, ex: Exercise, checker_id: str, expression: str,
               exercise_timeout: float) -> Verdict:
    session.deadline = time.monotonic() + exercise_timeout
    if not session.install_helper():
        return Verdict(ex, checker_id, False, "the grader could not start its helper in the "
                       "notebook's kernel", 0)
    try:
        answer = session.resolve(expression)
    except _core.AnswerTimeout as exc:
        return Verdict(ex, checker_id, False, exc.describe(f"`{expression}`"), 0)
    except _core.StudentCodeError as exc:
        if exc.type_name == "NameError":
            message = (f"`{expression}` is not defined in the notebook ({exc.text}); keep "
                       "the name the starter cell gives")
        else:
            message = f"`{expression}` could not be evaluated: {exc.type_name}: {exc.text}"
        return Verdict(ex, checker_id, False, message, 0)
    seed = secrets.randbits(63)           # fresh hidden inputs, unknown to the notebook
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = _core.check(checker_id, answer, seed=seed, quiet=True)
        ok, message = bool(result.ok), result.message
    except Exception as exc:  # noqa: BLE001 - a checker that met an unexpected answer
        ok, message = False, f"the checker stopped: {type(exc).__name__}: {exc}"
    return Verdict(ex, checker_id, ok, message, 1 if ok else 0)


def grade(paths: list[Path], chapters_dir: Path | None = None, *, out: Path | None = None,
          answers: Path | None = None, stream=None, **options) -> list[NotebookGrade]:
    """Grade several submissions; write the CSV and the answers file; print a report."""
    stream = stream if stream is not None else sys.stdout
    results = []
    for path in paths:
        g = grade_notebook(Path(path), chapters_dir, **options)
        results.append(g)
        stream.write(report(g))
        stream.flush()
    if len(results) > 1:
        stream.write(f"{len(results)} notebooks: "
                     + ", ".join(f"{g.notebook} {g.points}/{g.max_points}" for g in results)
                     + "\n")
    if out is not None:
        write_scores(results, out)
    if answers is not None:
        Path(answers).write_text(answers_markdown(results), encoding="utf-8")
    return results


def report(g: NotebookGrade) -> str:
    lines = [f"== {g.notebook}"]
    if g.error:
        lines += [f"   ERROR: {g.error}", ""]
        return "\n".join(lines) + "\n"
    lines[0] += f" (chapter {g.chapter.name})"
    lines.append(f"   {g.cells_run} code cells run in {g.seconds:.1f} s"
                 + (f"; {len(g.cell_problems)} problem(s):" if g.cell_problems else ""))
    lines += [f"     - {p}" for p in g.cell_problems]
    for v in g.verdicts:
        mark = "right" if v.ok else "wrong"
        lines.append(f"   Exercise {v.exercise.number:<5} {v.checker:<32} "
                     f"{v.points}/{v.max_points}  {mark}: {v.message}")
    if not g.verdicts:
        lines.append("   (this chapter has no coding exercises)")
    lines.append(f"   total {g.points}/{g.max_points}")
    if g.answers:
        answered = sum(1 for _, text in g.answers if text not in _NO_ANSWER)
        lines.append(f"   written exercises: {len(g.answers)}, {answered} answered "
                     "(--answers FILE collects them beside the rubric)")
    return "\n".join(lines) + "\n\n"


def write_scores(results: list[NotebookGrade], out: Path) -> None:
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["notebook", "exercise", "points", "max_points"])
        for g in results:
            for v in g.verdicts:
                w.writerow([g.notebook, v.checker, v.points, v.max_points])


def _quote(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.splitlines())


def answers_markdown(results: list[NotebookGrade]) -> str:
    """The written answers of every notebook, each beside its rubric (the book's solution)."""
    parts = ["# Written answers", "",
             "Each derivation and \"what happens if\" exercise: the exercise, the student's "
             "answer (their answer cell and any cells they added after it, code with the "
             "output the grader's run gave), and the rubric (the book's solution).", ""]
    for g in results:
        parts += [f"## {g.notebook}", ""]
        if g.error:
            parts += [f"Not graded: {g.error}", ""]
            continue
        if not g.answers:
            parts += ["(no written exercises in this chapter)", ""]
        for ex, text in g.answers:
            parts += [f"### Exercise {ex.number} (`{ex.label}`)", "", _quote(ex.text), "",
                      "**Answer**", "", text, "",
                      "**Rubric** (the book's solution)", "",
                      ex.solution or "*(the chapter gives no solution)*", "", "---", ""]
    return "\n".join(parts)


# ================================================================== the checker table

def checker_table(chapters_dir: Path | None = None) -> str:
    """A Markdown table: every exercise of every chapter and the checker that grades it."""
    chapters_dir = Path(chapters_dir or default_chapters_dir())
    known = _core.available()
    rows = ["| Exercise | Label | Kind | Checker | What the checker tests |",
            "|---|---|---|---|---|"]
    for path in sorted(chapters_dir.glob("*.ipynb")):
        for ex in chapter_exercises(_read_notebook(path), chapter_number(path)):
            if ex.checks:
                ids = "<br>".join(f"`{cid}`" for cid, _ in ex.checks)
                what = "<br>".join(known.get(cid, "**no checker registered**")
                                   for cid, _ in ex.checks)
            else:
                ids, what = "—", "written answer, graded with the rubric"
            what = what.replace("|", "\\|")
            rows.append(f"| {ex.number} | `{ex.label}` | {ex.kind} | {ids} | {what} |")
    return "\n".join(rows) + "\n"


def write_table(markdown_path: Path, chapters_dir: Path | None = None) -> bool:
    """Put the current table between the markers of ``markdown_path``; True if it changed."""
    path = Path(markdown_path)
    text = path.read_text(encoding="utf-8")
    if TABLE_START not in text or TABLE_END not in text:
        raise ValueError(f"{path} has no {TABLE_START} ... {TABLE_END} markers")
    head, rest = text.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    new = f"{head}{TABLE_START}\n{checker_table(chapters_dir)}{TABLE_END}{tail}"
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


def table_in(markdown_path: Path) -> str:
    """The table currently stored between the markers."""
    text = Path(markdown_path).read_text(encoding="utf-8")
    return text.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0].lstrip("\n")


# ================================================================== command line

def _load_checkers(path: Path) -> None:
    """Import a file of extra checkers (e.g. an instructor's private ones)."""
    _core._load_all()          # the book's first, so that ``replace=True`` replaces them
    spec = importlib.util.spec_from_file_location(f"_nnbook_checkers_{Path(path).stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m nnlib.grade",
        description="Grade submitted chapter notebooks: run each in a fresh kernel, check "
                    "its coding exercises in this process with hidden inputs.")
    parser.add_argument("notebooks", nargs="*", type=Path, help="submitted notebooks")
    parser.add_argument("--out", type=Path, help="the scores, as CSV "
                        "(notebook,exercise,points,max_points)")
    parser.add_argument("--answers", type=Path,
                        help="write the written answers beside the rubric to this file")
    parser.add_argument("--chapters", type=Path, default=None,
                        help="the trusted chapters (default: ./chapters)")
    parser.add_argument("--timeout", type=float, default=120,
                        help="seconds a cell may run (default 120)")
    parser.add_argument("--notebook-timeout", type=float, default=900,
                        help="seconds all the cells of a notebook may run (default 900)")
    parser.add_argument("--call-timeout", type=float, default=10,
                        help="seconds one call of an answer may run (default 10)")
    parser.add_argument("--checkers", type=Path, action="append", default=[],
                        help="a Python file of extra checkers to register (repeatable); "
                             "@checker(id, replace=True) replaces the book's checker")
    parser.add_argument("--kernel", default="python3", help="kernel name (default python3)")
    parser.add_argument("--table", action="store_true",
                        help="print the table of exercises and checkers")
    parser.add_argument("--write", type=Path,
                        help="with --table: put it between the markers of this file")
    args = parser.parse_args(argv)
    for path in args.checkers:
        _load_checkers(path)
    if args.table:
        if args.write:
            changed = write_table(args.write, args.chapters)
            print(f"{args.write}: {'table updated' if changed else 'table already current'}")
        else:
            sys.stdout.write(checker_table(args.chapters))
        return 0
    if not args.notebooks:
        parser.error("give the notebooks to grade (or --table)")
    results = grade(args.notebooks, args.chapters, out=args.out, answers=args.answers,
                    cell_timeout=args.timeout, notebook_timeout=args.notebook_timeout,
                    call_timeout=args.call_timeout, kernel_name=args.kernel)
    return 1 if any(g.error for g in results) else 0


if __name__ == "__main__":
    sys.exit(main())
