"""Checkers of chapter 6 (backpropagation and automatic differentiation).

Each checker draws fresh inputs from ``rng``, compares the student's answer with nnlib's
own implementation and says right or wrong with a hint (never the solution).
"""
from __future__ import annotations

import math

import numpy as np

from .. import activations as _activations
from .. import autodiff as _ad
from ..layers import Dense as _Dense
from ._core import Mismatch, call, checker, compare_arrays


# ---------------------------------------------------------------- dense_backward
@checker("ch06.dense_backward",
         "dense_backward(X, W, delta): (dW, db, dX) of a Dense layer from dL/dZ")
def check_dense_backward(fn, rng):
    n, q, k = int(rng.integers(4, 8)), int(rng.integers(2, 6)), int(rng.integers(2, 6))
    while len({n, q, k}) < 3:  # distinct sizes, so that a transposition shows in the shape
        q, k = int(rng.integers(2, 9)), int(rng.integers(2, 9))
    X = rng.standard_normal((n, q))
    W = rng.standard_normal((q, k))
    delta = rng.standard_normal((n, k))
    # nnlib's layer, with a linear activation, so that its incoming gradient is delta
    layer = _Dense(k, activation=None)
    layer.build(q)
    layer.set_weights([W, np.zeros(k)])
    layer.forward(X)
    dX_expected = layer.backward(delta.copy()).copy()
    dW_expected, db_expected = layer.grads["kernel"].copy(), layer.grads["bias"].copy()

    got = call(fn, X.copy(), W.copy(), delta.copy(), name="dense_backward")
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        raise Mismatch("dense_backward should return a tuple of three arrays (dW, db, dX), "
                       f"got {type(got).__name__}"
                       + (f" of length {len(got)}" if isinstance(got, (tuple, list)) else ""))
    dW, db, dX = got
    for arr, exp, what in [(dW, dW_expected, "dW"), (db, db_expected, "db"),
                           (dX, dX_expected, "dX")]:
        try:
            a = np.asarray(arr, dtype=float)
        except (TypeError, ValueError):
            raise Mismatch(f"{what} should be numeric, got {type(arr).__name__}") from None
        if a.shape == exp.T.shape and a.shape != exp.shape:
            raise Mismatch(f"{what} has shape {a.shape}, expected {exp.shape}: it is "
                           "transposed; a gradient has the shape of what it is the "
                           "gradient of")
    db_arr = np.asarray(db, dtype=float)
    if db_arr.shape == db_expected.shape and np.allclose(db_arr, db_expected / n):
        raise Mismatch("db is the mean of delta over the batch; delta already carries the "
                       "1/n of the mean loss, so db is its plain sum over the rows")
    compare_arrays(dW, dW_expected, what="dW", rtol=1e-6, atol=1e-9)
    compare_arrays(db, db_expected, what="db", rtol=1e-6, atol=1e-9)
    compare_arrays(dX, dX_expected, what="dX", rtol=1e-6, atol=1e-9)
    return True, "dW, db and dX match nnlib's Dense.backward on a random batch"


# ---------------------------------------------------------------- softplus_value
def _softplus(t):
    return float(_activations.softplus(t))


def _sigmoid(t):
    return float(_activations.sigmoid(t))


@checker("ch06.softplus_value",
         "softplus(x): log(1 + e**x) of a Value, built from Value operations")
def check_softplus_value(fn, rng):
    points = np.concatenate([rng.uniform(-4, 4, size=5), [0.0]])
    for t in points:
        t = float(t)
        x = _ad.Value(t)
        out = call(fn, x, name="softplus")
        if not isinstance(out, _ad.Value):
            raise Mismatch(f"softplus(x) should return a Value, got {type(out).__name__}; "
                           "combine x with Value operations (+, exp, log, ...) so that the "
                           "result remembers how it was computed")
        if not math.isfinite(out.data):
            raise Mismatch(f"softplus({t:.3f}) is not finite")
        if abs(out.data - _softplus(t)) > 1e-9 * max(1.0, abs(_softplus(t))):
            raise Mismatch(f"softplus({t:.3f}) = {out.data:.6g}, which is not log(1 + e^x)")
        out.backward()
        if x.grad == 0.0 and _sigmoid(t) > 1e-12:
            raise Mismatch("the value is right but x.grad is 0 after backward(): the result "
                           "is not connected to x in the graph (did you compute with x.data "
                           "and wrap the number in a new Value?)")
        if abs(x.grad - _sigmoid(t)) > 1e-9:
            raise Mismatch(f"at x = {t:.3f} the value is right but x.grad = {x.grad:.6g}, "
                           "not the derivative of softplus; check the local derivatives "
                           "your operations record")
    return True, "value and gradient match log(1 + e^x) and its derivative at six points"
