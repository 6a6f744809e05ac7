"""The machinery of the exercise checkers: a registry, a verdict, and comparison helpers.

A checker is a function ``fn(answer, rng) -> (ok, message)`` registered under an id such
as ``"ch05.swish_derivative"``. It tests the student's answer on *fresh* inputs drawn from
``rng`` (a new seed on each call unless one is given) and says right or wrong with a
hint, never the solution. Anything the student's code raises is caught and reported.
"""
from __future__ import annotations

import difflib
import traceback
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

__all__ = ["CheckResult", "checker", "check", "available", "Mismatch", "compare_arrays", "call",
           "quiet_call", "as_numeric", "matches", "referenced_names", "forbid",
           "StudentCodeError", "AnswerTimeout"]

_REGISTRY: dict[str, tuple[Callable, str]] = {}


@dataclass(frozen=True)
class CheckResult:
    """The verdict of a checker: truthy when the answer is right.

    :func:`check` prints the verdict (once) when it is called, so the verdict shows
    wherever the call stands in a cell. In IPython/Jupyter the returned object then
    displays as nothing, even as a cell's last expression, so the verdict is not shown a
    second time; ``print(result)`` or ``str(result)`` give it again. A result that was
    not printed by :func:`check` (``check(..., quiet=True)``) displays its verdict.
    """

    exercise: str
    ok: bool
    message: str
    printed: bool = field(default=False, compare=False, repr=False)

    def __bool__(self) -> bool:
        return self.ok

    def _ipython_display_(self) -> None:
        # IPython calls this instead of showing the repr: an empty display sends no
        # output at all (no "Out[n]"), so the verdict printed by check() shows once
        if not self.printed:
            print(str(self))

    def __str__(self) -> str:
        mark = "correct" if self.ok else "not yet"
        return f"[{self.exercise}] {mark}: {self.message}"

    __repr__ = __str__


class Mismatch(Exception):
    """Raised inside a checker to report a wrong answer with a hint."""


def checker(exercise: str, description: str = "", *, replace: bool = False):
    """Register ``fn(answer, rng)`` as the checker of ``exercise`` (``"chNN.name"``).

    ``replace=True`` replaces a checker already registered under that id (an
    instructor's stricter, private checker given to ``python -m nnlib.grade --checkers``).
    """

    def register(fn: Callable) -> Callable:
        if exercise in _REGISTRY and not replace:
            raise ValueError(f"a checker for {exercise!r} is already registered")
        doc = (fn.__doc__ or "").strip().splitlines()
        _REGISTRY[exercise] = (fn, description or (doc[0] if doc else exercise))
        return fn

    return register


def available() -> dict[str, str]:
    """All registered exercise ids with a one-line description each."""
    _load_all()
    return {k: v[1] for k, v in sorted(_REGISTRY.items())}


def _load_all() -> None:
    # importing the chapter modules registers their checkers
    import importlib
    import pkgutil

    import nnlib.exercises as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("ch"):
            importlib.import_module(f"nnlib.exercises.{info.name}")


def unknown_exercise_message(exercise: Any) -> str:
    """One line for an exercise id that has no checker, suggesting the nearest known id."""
    _load_all()
    known = sorted(_REGISTRY)
    close = difflib.get_close_matches(str(exercise), known, n=1, cutoff=0.6)
    if close:
        return f"unknown exercise {exercise!r}; did you mean {close[0]!r}?"
    chapter = str(exercise).split(".")[0]
    same = [k for k in known if k.split(".")[0] == chapter]
    if same:
        return f"unknown exercise {exercise!r}; the exercises of {chapter} are {', '.join(same)}"
    return (f"unknown exercise {exercise!r}; nnlib.exercises.available() lists the "
            "known ones")


def check(exercise: str, answer: Any, *, seed: int | None = None,
          quiet: bool = False) -> CheckResult:
    """Check a student's ``answer`` to ``exercise``, print the verdict and return it.

    Parameters
    ----------
    exercise : str
        The exercise id given in the exercise text, e.g. ``"ch05.swish_derivative"``.
    answer : object
        What the exercise asks for: a function, an array or a number.
    seed : int, optional
        Seed of the fresh test inputs; by default a new one on each call.
    quiet : bool, default False
        Do not print the verdict (the grader and tests use this).

    Returns
    -------
    CheckResult
        Truthy when the answer is right, so ``assert check(...)`` works. An unknown
        exercise id gives a falsy result whose message suggests the nearest known id.
    """
    _load_all()
    if exercise not in _REGISTRY:
        result = CheckResult(str(exercise), False, unknown_exercise_message(exercise))
    else:
        fn, _ = _REGISTRY[exercise]
        rng = np.random.default_rng(seed)
        try:
            ok, message = fn(answer, rng)
        except Mismatch as wrong:
            ok, message = False, str(wrong)
        except _StudentError as err:
            ok, message = False, str(err)
        except StudentCodeError as err:  # a proxy's error that reached no call()
            ok, message = False, err.describe("your answer")
        result = CheckResult(exercise, bool(ok), message)
    if not quiet:
        print(str(result))
        result = CheckResult(result.exercise, result.ok, result.message, printed=True)
    return result


class _StudentError(Exception):
    pass


class StudentCodeError(Exception):
    """An exception raised by the student's code in *another* process (the grader's kernel).

    :mod:`nnlib.grade` runs the student's code in a Jupyter kernel and hands the checker a
    proxy; when the code raises there, the proxy raises this with what the kernel reported
    (the exception's type name, its message and the line it was raised in), and
    :func:`call` turns it into the same message as a local exception.
    """

    def __init__(self, type_name: str, text: str, lineno: int | None = None,
                 line: str | None = None):
        super().__init__(f"{type_name}: {text}")
        self.type_name, self.text, self.lineno, self.line = type_name, text, lineno, line

    def describe(self, name: str) -> str:
        if self.type_name == "NotImplementedError":
            return (f"{name} raised NotImplementedError: replace the `raise` line with your "
                    "code")
        where = f" (in line {self.lineno}: {self.line!r})" if self.lineno else ""
        return f"{name} raised {self.type_name}: {self.text}{where}"


class AnswerTimeout(StudentCodeError):
    """The student's code did not return within the grader's time limit."""

    def __init__(self, seconds: float):
        super().__init__("TimeoutError", f"no result within {seconds:g} s")
        self.seconds = seconds

    def describe(self, name: str) -> str:
        return (f"{name} did not return within {self.seconds:g} s (an endless loop?); "
                "the grader stopped it")


def call(fn: Any, *args, name: str = "your function", none_ok: bool = False):
    """Call the student's ``fn``; turn a non-callable or an exception into a clear message.

    A function that returns ``None`` (it forgot its ``return``) is told so, unless
    ``none_ok`` (for an exercise whose function is meant to return nothing).
    """
    if fn is None:
        raise _StudentError("the answer is None: pass your function itself (and run the "
                            "cell that defines it first)")
    if not callable(fn):
        raise _StudentError(f"expected a function, got {type(fn).__name__}")
    try:
        result = fn(*args)
    except StudentCodeError as err:          # raised in the grader's kernel
        raise _StudentError(err.describe(name)) from None
    except NotImplementedError:
        raise _StudentError(f"{name} raised NotImplementedError: replace the `raise` line "
                            "with your code") from None
    except Exception as exc:  # the student's bug, reported without a traceback
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        raise _StudentError(f"{name} raised {type(exc).__name__}: {exc} "
                            f"(in line {frame.lineno}: {frame.line!r})") from None
    if result is None and not none_ok:
        raise _StudentError(f"{name} returned None: did your function forget to `return` "
                            "its result?")
    return result


def compare_arrays(got: Any, expected: np.ndarray, *, what: str = "the result",
                   rtol: float = 1e-6, atol: float = 1e-9) -> None:
    """Raise :class:`Mismatch` with a hint unless ``got`` matches ``expected``.

    Checks, in order: convertible to a numeric array, the shape, finiteness, the values.
    """
    expected = np.asarray(expected)
    if got is None:
        raise Mismatch(f"{what} is None: did your function forget to `return` its result?")
    try:
        got_arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise Mismatch(f"{what} should be numeric, got {type(got).__name__}") from None
    if got_arr.shape != expected.shape:
        raise Mismatch(f"{what} has shape {got_arr.shape}, expected {expected.shape}")
    if not np.all(np.isfinite(got_arr)):
        raise Mismatch(f"{what} contains NaN or inf; look for an overflow or a log(0)")
    if not np.allclose(got_arr, expected, rtol=rtol, atol=atol):
        err = np.max(np.abs(got_arr - expected))
        raise Mismatch(f"{what} has the right shape but wrong values "
                       f"(largest difference {err:.3g})")


def quiet_call(fn: Any, *args, name: str = "your function", none_ok: bool = False):
    """:func:`call` with NumPy's floating-point warnings silenced.

    A naive answer may overflow on purpose; the checker reports that itself, in words,
    instead of letting NumPy print a warning under the student's cell.
    """
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return call(fn, *args, name=name, none_ok=none_ok)


def as_numeric(got: Any, what: str) -> np.ndarray:
    """``got`` as a float array, or :class:`Mismatch` saying it is not numeric."""
    if got is None:
        raise Mismatch(f"{what} is None: did your function forget to `return` its result?")
    try:
        return np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise Mismatch(f"{what} should be numeric, got {type(got).__name__}") from None


def matches(got: np.ndarray, expected: np.ndarray, rtol: float = 1e-6,
            atol: float = 1e-12) -> bool:
    """True when ``got`` has ``expected``'s shape, is finite and is close to it."""
    return (got.shape == expected.shape and bool(np.all(np.isfinite(got)))
            and np.allclose(got, expected, rtol=rtol, atol=atol))


def referenced_names(fn: Any) -> set[str]:
    """Every global and attribute name the code of ``fn`` refers to.

    The search follows nested functions, lambdas and comprehensions, and the student's own
    helper functions that ``fn`` calls by a global name (defined outside nnlib), so that
    hiding a call to a forbidden function one level down does not get past a checker.
    ``np.logaddexp(a, b)`` contributes ``"np"`` and ``"logaddexp"``.
    """
    names: set[str] = set()
    seen: set[int] = set()

    def visit_function(f):
        f = getattr(f, "__func__", f)            # bound methods
        code = getattr(f, "__code__", None)
        if code is None or id(code) in seen:
            return
        visit_code(code, getattr(f, "__globals__", {}))

    def visit_code(code, globals_):
        if id(code) in seen:
            return
        seen.add(id(code))
        names.update(code.co_names)
        for const in code.co_consts:
            if hasattr(const, "co_names"):       # a nested function's code
                visit_code(const, globals_)
        for name in code.co_names:
            helper = globals_.get(name)
            module = getattr(helper, "__module__", "") or ""
            if callable(helper) and hasattr(helper, "__code__") and not (
                    module.startswith(("nnlib", "numpy", "scipy", "sklearn", "keras",
                                       "tensorflow", "torch"))):
                visit_function(helper)

    visit_function(fn)
    for cell in getattr(getattr(fn, "__func__", fn), "__closure__", None) or ():
        try:
            content = cell.cell_contents
        except ValueError:                       # an empty cell
            continue
        if callable(content):
            visit_function(content)
    return names


def forbid(fn: Any, names: dict[str, str]) -> None:
    """Raise :class:`Mismatch` when the code of ``fn`` uses one of ``names``.

    ``names`` maps a forbidden name (a function or attribute such as ``"logaddexp"`` or
    ``"softmax"``) to the reason shown to the student, e.g. ``"the exercise asks you to
    derive it without np.logaddexp"`` or ``"nnlib.activations.softmax is the function
    you are asked to re-derive: write it from NumPy operations"``. Call it before testing
    the values, so that an answer that merely wraps the library is told so.
    """
    used = referenced_names(fn)
    for name, why in names.items():
        if name in used:
            raise Mismatch(f"your code uses `{name}`: {why}")
