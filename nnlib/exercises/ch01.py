"""Checkers of chapter 1, "Logistic regression as maximum likelihood".

* ``ch01.neg_log_likelihood``: ``neg_log_likelihood(beta, X, y)``, the value of -l(beta),
  finite even when |X beta| is huge;
* ``ch01.gradient``: ``gradient(beta, X, y)``, the gradient of -l(beta), X^T (p - y).

Both are tested on fresh simulated data against nnlib's own cross-entropy and sigmoid.
"""
from __future__ import annotations


import numpy as np

from ..activations import sigmoid
from ..losses import binary_crossentropy
from ._core import Mismatch, checker, compare_arrays, quiet_call

__all__: list[str] = []


def _data(rng, scale=1.0):
    """Fresh logistic data: X (n, q) ~ N(0, 1), beta ~ N(0, 1) * scale, y ~ Bernoulli."""
    n = int(rng.integers(20, 200))
    q = int(rng.integers(1, 5))
    X = rng.standard_normal((n, q))
    beta = rng.standard_normal(q) * scale
    y = (rng.random(n) < sigmoid(X @ beta)).astype(np.int64)
    return beta, X, y


def _huge(rng):
    """Data whose linear predictors X beta reach several thousands in absolute value."""
    beta, X, y = _data(rng)
    beta = beta / np.max(np.abs(beta)) * rng.uniform(800.0, 2000.0)
    # labels drawn from the moderate model, so many points sit on the "wrong" side and
    # -l is dominated by terms log(1 + e^{|z|}) with |z| far beyond exp's range
    y = (rng.random(len(y)) < 0.5).astype(np.int64)
    return beta, X, y


def _nll(beta, X, y):
    """nnlib's -l(beta): the mean binary cross-entropy from logits, times n."""
    return len(y) * binary_crossentropy(y, X @ beta, from_logits=True)


def _grad(beta, X, y):
    return X.T @ (sigmoid(X @ beta) - y)


def _hint_scalar(got, expected, n):
    """A hint for the usual slips on -l: the sign, the mean instead of the sum."""
    try:
        value = float(np.asarray(got, dtype=float).reshape(()))
    except (TypeError, ValueError):
        return None
    if not np.isfinite(value):
        return None
    if np.isclose(value, -expected, rtol=1e-6):
        return "has the wrong sign: the exercise asks for minus the log-likelihood"
    if np.isclose(value, expected / n, rtol=1e-6):
        return "is the mean over the observations; -l(beta) is their sum"
    return None


def _hint_vector(got, expected, n):
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return None
    if arr.shape != expected.shape or not np.all(np.isfinite(arr)):
        return None
    if np.allclose(arr, -expected, rtol=1e-6, atol=1e-9):
        return ("has the wrong sign: it is the gradient of +l, which points uphill of -l")
    if np.allclose(arr, expected / n, rtol=1e-6, atol=1e-12):
        return "is divided by n: the exercise asks for the gradient of the sum -l(beta)"
    return None


@checker("ch01.neg_log_likelihood",
         "neg_log_likelihood(beta, X, y) -> -l(beta), finite for huge |X beta|")
def _check_nll(fn, rng):
    name = "neg_log_likelihood"
    for case in ("moderate", "huge"):
        beta, X, y = _data(rng) if case == "moderate" else _huge(rng)
        expected = np.asarray(_nll(beta, X, y))
        got = quiet_call(fn, beta.copy(), X.copy(), y.copy(), name=name)
        if np.ndim(got) == 1 and np.size(got) == len(y):
            raise Mismatch(f"{name} returned one value per observation (shape "
                           f"{np.shape(got)}); -l(beta) is a single number, their sum")
        hint = _hint_scalar(got, float(expected), len(y))
        if hint:
            raise Mismatch(f"{name} {hint}")
        what = f"{name}(beta, X, y)"
        if case == "huge":
            what += (" with |X beta| up to " f"{np.max(np.abs(X @ beta)):.0f}"
                     " (where exp overflows)")
        compare_arrays(got, expected, what=what, rtol=1e-8, atol=1e-8)
    return True, ("right on fresh data, including linear predictors far beyond the range "
                  "of exp")


@checker("ch01.gradient", "gradient(beta, X, y) -> the gradient of -l(beta), shape (q,)")
def _check_gradient(fn, rng):
    name = "gradient"
    for case in ("moderate", "huge"):
        beta, X, y = _data(rng) if case == "moderate" else _huge(rng)
        expected = _grad(beta, X, y)
        got = quiet_call(fn, beta.copy(), X.copy(), y.copy(), name=name)
        hint = _hint_vector(got, expected, len(y))
        if hint:
            raise Mismatch(f"{name} {hint}")
        what = f"{name}(beta, X, y) for X of shape {X.shape}"
        if case == "huge":
            what += f" and |X beta| up to {np.max(np.abs(X @ beta)):.0f}"
        compare_arrays(got, expected, what=what, rtol=1e-8, atol=1e-8)
    return True, "right on fresh data with 1 to 4 predictors, including huge |X beta|"
