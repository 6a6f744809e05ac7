"""Checkers of chapter 2 (logistic regression as a neural network).

Each checker draws fresh inputs from ``rng``, compares the student's answer with nnlib's
own implementation and says right or wrong with a hint (never the solution). The verdict
of a right answer is the same text for every seed, since the chapter stores it.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..activations import sigmoid as _sigmoid
from ..layers import Dense as _Dense
from ..models import Sequential as _Sequential
from ._core import Mismatch, as_numeric, call, checker, compare_arrays, forbid, matches


def _call_recording_warnings(fn, *args, name):
    """Call the student's function; return its result and NumPy's floating-point warnings.

    The warnings are recorded, not shown: a naive answer overflows on purpose and the
    checker reports that itself.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"):
            got = call(fn, *args, name=name)
    messages = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    return got, messages


# ---------------------------------------------------------------- class-weighted loss
def _weighted_grad(z, y, w0, w1):
    """d L_w / dz of the class-weighted mean cross-entropy, from nnlib's sigmoid."""
    c = np.where(y == 1, w1, w0)
    return c * (_sigmoid(z) - y) / len(y)


_WEIGHTED_FORBIDDEN = {
    "gradient_from_logits": "nnlib's loss gradient is what the exercise asks you to "
                            "derive; write the formula you derived",
    "numerical_gradient": "finite differences approximate the derivative; the exercise "
                          "asks you to derive it",
    "GradientTape": "automatic differentiation computes the derivative for you; derive "
                    "it by hand",
    "autodiff": "automatic differentiation computes the derivative for you; derive it "
                "by hand",
}


@checker("ch02.weighted_bce_grad",
         "weighted_bce_grad(z, y, w0, w1): dL/dz of the class-weighted cross-entropy")
def check_weighted_bce_grad(fn, rng):
    name = "weighted_bce_grad"
    what = "weighted_bce_grad(z, y, w0, w1)"
    forbid(fn, _WEIGHTED_FORBIDDEN)
    # 1. moderate logits, both classes, weights that differ
    n = int(rng.integers(8, 30))
    z = 3.0 * rng.standard_normal(n)
    y = (rng.random(n) < 0.5).astype(np.int64)
    y[:2] = (0, 1)
    w0, w1 = float(rng.uniform(0.2, 1.0)), float(rng.uniform(1.5, 5.0))
    args = (z.copy(), y.copy(), w0, w1)
    got, _ = _call_recording_warnings(fn, *args, name=name)
    arr = as_numeric(got, what)
    expected = _weighted_grad(z, y, w0, w1)
    if arr.shape == (n, 1) or arr.shape == (1, n):
        raise Mismatch(f"{what} has shape {arr.shape}, expected {expected.shape}: one "
                       "derivative per example, in the shape of z")
    if arr.shape == expected.shape and np.all(np.isfinite(arr)):
        unweighted = (_sigmoid(z) - y) / n
        if matches(arr, n * expected):
            raise Mismatch(f"{what} is n times too large: the loss is the mean over the "
                           "examples, not the sum")
        if matches(arr, -expected):
            raise Mismatch(f"{what} has the wrong sign: it points uphill of the loss")
        if matches(arr, unweighted) or matches(arr, n * unweighted):
            raise Mismatch(f"{what} ignores the class weights w0 and w1")
        if matches(arr, _weighted_grad(z, y, w1, w0)):
            raise Mismatch(f"{what} swaps the weights: w1 weights the examples with "
                           "label 1, w0 those with label 0")
        if matches(arr, (w0 + w1) / 2 * unweighted) or matches(arr, w1 * unweighted):
            raise Mismatch(f"{what} weights every example alike; the weight depends on "
                           "the example's label")
    compare_arrays(arr, expected, what=f"{what} for moderate z", rtol=1e-6, atol=1e-12)
    for given, original, which in zip(args[:2], (z, y), ("z", "y")):
        if not np.array_equal(given, original):
            raise Mismatch(f"{what} gives the right values but modifies {which} in "
                           "place; work on a copy")
    # 2. logits near +-1000, confidently right and confidently wrong
    big = np.concatenate([rng.uniform(700.0, 1000.0, 4), -rng.uniform(700.0, 1000.0, 4),
                          [0.0], 3.0 * rng.standard_normal(3)])
    y_big = (rng.random(big.size) < 0.5).astype(np.int64)
    y_big[:2], y_big[4:6] = (0, 1), (0, 1)
    got, warned = _call_recording_warnings(fn, big.copy(), y_big.copy(), w0, w1,
                                           name=name)
    arr = as_numeric(got, what)
    if arr.shape == big.shape and not np.all(np.isfinite(arr)):
        raise Mismatch(f"{what} is right for moderate z but gives NaN or inf for |z| "
                       "near 1000: exp overflows, or a log or a division meets 0 there")
    compare_arrays(arr, _weighted_grad(big, y_big, w0, w1),
                   what=f"{what} for |z| near 1000", rtol=1e-6, atol=1e-12)
    if warned:
        raise Mismatch(f"{what} gives the right values, but NumPy warned ({warned[0]}) "
                       "for |z| near 1000; make sure exp never sees a large positive "
                       "number")
    # 3. equal weights give chapter 2's (p - y) / n
    got, _ = _call_recording_warnings(fn, z.copy(), y.copy(), 1.0, 1.0, name=name)
    compare_arrays(got, (_sigmoid(z) - y) / n, what=f"{what} with w0 = w1 = 1",
                   rtol=1e-6, atol=1e-12)
    return True, ("matches the derivative of the class-weighted mean cross-entropy on "
                  "random logits, including |z| near 1000, with no overflow")


# ---------------------------------------------------------------- backward
def _nnlib_gradient(X, y, W):
    """The mean cross-entropy gradient of one sigmoid neuron, from nnlib's model."""
    model = _Sequential([_Dense(1, activation="sigmoid", use_bias=False,
                                input_dim=X.shape[1])])
    model.compile(loss="binary_crossentropy", optimizer="sgd")
    model.set_weights([W])
    _, (grad,) = model.loss_and_gradients(X, y)
    return grad


@checker("ch02.backward",
         "backward_matrix(X, y, W): mean cross-entropy gradient of one sigmoid neuron")
def check_backward(fn, rng):
    name = "backward_matrix"
    what = "backward_matrix(X, y, W)"
    n, q = int(rng.integers(20, 61)), int(rng.integers(2, 6))
    X = rng.standard_normal((n, q))
    W = rng.standard_normal((q, 1))
    y = (rng.random(n) < _sigmoid(X @ W[:, 0])).astype(np.int64)
    y[:2] = (0, 1)                                # both classes occur
    expected = _nnlib_gradient(X, y, W)
    args = (X.copy(), y.copy(), W.copy())
    got, _ = _call_recording_warnings(fn, *args, name=name)
    arr = as_numeric(got, what)
    if arr.shape in ((q, n), (n, n), (n, q)):
        raise Mismatch(f"{what} has shape {arr.shape}, expected {expected.shape} (the shape "
                       "of W). An (n, 1) array minus an (n,) array broadcasts to an (n, n) "
                       "matrix: check the shapes of p_hat and y")
    if arr.shape == (q,):
        raise Mismatch(f"{what} has shape {arr.shape}, expected {expected.shape}: return the "
                       "gradient in the shape of W, a column")
    if arr.shape == expected.shape and np.all(np.isfinite(arr)):
        if matches(arr, n * expected):
            raise Mismatch(f"{what} is n times too large: return the gradient of the mean "
                           "loss over the batch, not of the sum")
        if matches(arr, -expected):
            raise Mismatch(f"{what} has the wrong sign: that is the gradient of the "
                           "log-likelihood; the loss is its negative")
        if matches(arr, -n * expected):
            raise Mismatch(f"{what} is the gradient of the summed log-likelihood; the loss is "
                           "the negative log-likelihood divided by n")
    compare_arrays(arr, expected, what=what, rtol=1e-6, atol=1e-9)
    for given, original, which in zip(args, (X, y, W), ("X", "y", "W")):
        if not np.array_equal(given, original):
            raise Mismatch(f"{what} gives the right values but modifies {which} in place; "
                           "work on a copy")
    # a second, larger batch with the labels given as floats
    n2 = int(rng.integers(100, 200))
    X2 = rng.standard_normal((n2, q))
    y2 = (rng.random(n2) < 0.5).astype(float)
    W2 = 2.0 * rng.standard_normal((q, 1))
    got, _ = _call_recording_warnings(fn, X2, y2, W2, name=name)
    compare_arrays(got, _nnlib_gradient(X2, y2, W2), what=f"{what} for a second batch",
                   rtol=1e-6, atol=1e-9)
    return True, ("matches the gradient of nnlib's sigmoid neuron (Dense(1, 'sigmoid', "
                  "use_bias=False)) on two random batches")
