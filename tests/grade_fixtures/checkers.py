"""Checkers of the grading tests' own small chapter, tests/grade_fixtures/chapters/90_*.

Importing this file registers them: tests/test_grade.py does so only while it grades
(and calls ``unregister()`` after), ``python -m nnlib.grade --checkers
tests/grade_fixtures/checkers.py`` for the command line. They cover
what the grader's proxies must carry: arrays in and out (and in-place changes), NumPy's
warnings, a plain number, a random generator and a tuple, autodiff ``Value`` graphs,
and ``forbid``.
"""
from __future__ import annotations

import inspect
import warnings

import numpy as np

import nnlib
from nnlib import autodiff
from nnlib.exercises import _core
from nnlib.exercises._core import Mismatch, as_numeric, call, compare_arrays, forbid

IDS = ("ch90.sigmoid", "ch90.n_params", "ch90.shuffle", "ch90.softplus")


def check_sigmoid(fn, rng):
    """my_sigmoid(z): the sigmoid, stable, without nnlib's"""
    forbid(fn, {"sigmoid": "the exercise asks you to write the sigmoid yourself",
                "expit": "the exercise asks you to write the sigmoid yourself"})
    z = np.concatenate([3 * rng.standard_normal(5), rng.uniform(700, 900, 2),
                        -rng.uniform(700, 900, 2)])
    before = z.copy()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"):
            got = call(fn, z, name="my_sigmoid")
    arr = as_numeric(got, "my_sigmoid(z)")
    # looked up at call time, so that a notebook that patches nnlib *in this process*
    # would fool it: the grader's tests show that it cannot
    compare_arrays(arr, nnlib.activations.sigmoid(before), what="my_sigmoid(z)")
    if [w for w in caught if issubclass(w.category, RuntimeWarning)]:
        raise Mismatch("my_sigmoid(z) gives the right values, but NumPy warned about an "
                       "overflow for large |z|")
    if not np.array_equal(z, before):
        raise Mismatch("my_sigmoid(z) modifies its input in place")
    return True, "matches nnlib's sigmoid, also for |z| near 800, with no warning"


def check_n_params(value, rng):
    """n_params: the parameters of a 3-4-2 network"""
    if callable(value):
        raise Mismatch("n_params should be a number, not a function")
    if value is None:
        raise Mismatch("n_params is None: assign the number to it")
    model = nnlib.Sequential([nnlib.layers.Dense(4, activation="sigmoid"),
                              nnlib.layers.Dense(2, activation="softmax")], seed=0)
    model.build(3)
    expected = model.count_params()
    if float(value) != expected:
        raise Mismatch(f"n_params = {value!r} is not the number of parameters of a 3-4-2 "
                       "network")
    return True, "the number of weights and biases of a 3-4-2 network"


def check_shuffle(fn, rng):
    """shuffle_pair(X, y, rng): one permutation from rng"""
    if callable(fn) and len(inspect.signature(fn).parameters) != 3:   # works on proxies
        raise Mismatch("shuffle_pair should take three arguments, (X, y, rng)")
    n = int(rng.integers(20, 40))
    X = np.column_stack([np.arange(n, dtype=float), rng.standard_normal(n)])
    y = rng.integers(0, 3, size=n)
    X0, y0 = X.copy(), y.copy()
    seed = int(rng.integers(2**31))
    generator = np.random.default_rng(seed)
    got = call(fn, X, y, generator, name="shuffle_pair")
    if not isinstance(got, tuple) or len(got) != 2:
        raise Mismatch("shuffle_pair should return a tuple (X_shuffled, y_shuffled)")
    Xs, ys = np.asarray(got[0]), np.asarray(got[1])
    if not (np.array_equal(X, X0) and np.array_equal(y, y0)):
        raise Mismatch("shuffle_pair modified X or y in place")
    if generator.bit_generator.state == np.random.default_rng(seed).bit_generator.state:
        raise Mismatch("shuffle_pair did not draw from rng")
    idx = Xs[:, 0].astype(int)
    if not np.array_equal(np.sort(idx), np.arange(n)) or np.array_equal(idx, np.arange(n)):
        raise Mismatch("X_shuffled is not a shuffled copy of X")
    if not np.array_equal(ys, y[idx]):
        raise Mismatch("X and y were not shuffled by the same permutation")
    again = call(fn, X, y, np.random.default_rng(seed), name="shuffle_pair")
    if not np.array_equal(np.asarray(again[0]), Xs):
        raise Mismatch("the shuffle is not reproducible from rng")
    return True, "one permutation drawn from rng, applied to both"


def check_softplus(fn, rng):
    """softplus(x): log(1 + e^x) of a Value"""
    for t in rng.uniform(-3, 3, size=3):
        x = autodiff.Value(float(t))
        out = call(fn, x, name="softplus")
        if not isinstance(out, autodiff.Value):
            raise Mismatch(f"softplus(x) should return a Value, got {type(out).__name__}")
        if abs(out.data - np.log1p(np.exp(t))) > 1e-9:
            raise Mismatch("softplus(x) has the wrong value")
        out.backward()
        if abs(x.grad - 1 / (1 + np.exp(-t))) > 1e-9:
            raise Mismatch(f"the value is right but x.grad = {x.grad:.4g} after backward(): "
                           "build the result from Value operations on x")
    return True, "value and gradient of log(1 + e^x) at three points"


_CHECKERS = dict(zip(IDS, (check_sigmoid, check_n_params, check_shuffle, check_softplus)))


def register() -> None:
    for exercise, fn in _CHECKERS.items():
        if exercise not in _core._REGISTRY:
            _core.checker(exercise, fn.__doc__ or exercise.split(".")[1])(fn)


def unregister() -> None:
    for exercise in IDS:
        _core._REGISTRY.pop(exercise, None)


register()      # on import: by tests/test_grade.py, or by `--checkers this_file.py`
