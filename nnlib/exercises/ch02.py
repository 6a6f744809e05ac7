"""Checkers of chapter 2 (logistic regression as a neural network).

Each checker draws fresh inputs from ``rng``, compares the student's answer with nnlib's
own implementation and says right or wrong with a hint (never the solution). The verdict
of a right answer is the same text for every seed, since the chapter stores it.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..activations import sigmoid as _sigmoid
from ..activations import sigmoid_derivative as _sigmoid_derivative
from ..layers import Dense as _Dense
from ..models import Sequential as _Sequential
from ._core import Mismatch, as_numeric, call, checker, compare_arrays, matches


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


# ---------------------------------------------------------------- sigmoid'
@checker("ch02.sigmoid_grad",
         "sigmoid_grad(z): the derivative of the sigmoid, elementwise, stable for large |z|")
def check_sigmoid_grad(fn, rng):
    name = "sigmoid_grad"
    # 1. a vector of moderate values
    z = 3.0 * rng.standard_normal(int(rng.integers(5, 12)))
    got, _ = _call_recording_warnings(fn, z.copy(), name=name)
    arr = as_numeric(got, "sigmoid_grad(z)")
    expected = _sigmoid_derivative(z)
    if arr.shape == z.shape and np.all(np.isfinite(arr)):
        if matches(arr, _sigmoid(z)):
            raise Mismatch("sigmoid_grad(z) returns the sigmoid itself; the exercise asks "
                           "for its derivative with respect to z")
        if matches(arr, -expected):
            raise Mismatch("sigmoid_grad(z) has the wrong sign: the sigmoid is increasing, "
                           "so its derivative is positive")
        if np.any(arr > 0.25 + 1e-9):
            raise Mismatch("sigmoid_grad(z) returns values above 1/4, the largest slope of "
                           "the sigmoid (reached at z = 0)")
    compare_arrays(arr, expected, what="sigmoid_grad(z) for a vector z", rtol=1e-6, atol=1e-9)
    # 2. the shape of any array is kept
    Z = 3.0 * rng.standard_normal((3, int(rng.integers(2, 6))))
    got, _ = _call_recording_warnings(fn, Z.copy(), name=name)
    compare_arrays(got, _sigmoid_derivative(Z), what="sigmoid_grad(z) for a 2-D array z",
                   rtol=1e-6, atol=1e-9)
    # 3. very large |z|: no overflow, no NaN
    big = np.concatenate([rng.uniform(700.0, 1000.0, 3), -rng.uniform(700.0, 1000.0, 3),
                          [0.0], 3.0 * rng.standard_normal(3)])
    rng.shuffle(big)
    got, warned = _call_recording_warnings(fn, big.copy(), name=name)
    arr = as_numeric(got, "sigmoid_grad(z)")
    if arr.shape == big.shape and not np.all(np.isfinite(arr)):
        raise Mismatch("sigmoid_grad(z) is right for moderate z but gives NaN or inf for "
                       "|z| near 1000: exp overflows there; rewrite it so that exp never "
                       "sees a large positive number")
    compare_arrays(arr, _sigmoid_derivative(big), what="sigmoid_grad(z) for |z| near 1000",
                   rtol=1e-6, atol=1e-12)
    if warned:
        raise Mismatch("sigmoid_grad(z) gives the right values, but NumPy warned "
                       f"({warned[0]}) for |z| near 1000; rewrite it so that exp never "
                       "sees a large positive number")
    # 4. the input is left alone
    z2 = 3.0 * rng.standard_normal(6)
    before = z2.copy()
    _call_recording_warnings(fn, z2, name=name)
    if not np.array_equal(z2, before):
        raise Mismatch("sigmoid_grad(z) gives the right values but modifies its input z in "
                       "place; work on a copy")
    return True, ("matches nnlib's sigmoid_derivative on random arrays, including |z| near "
                  "1000, with no overflow")


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
    n, d = int(rng.integers(20, 61)), int(rng.integers(2, 6))
    X = rng.standard_normal((n, d))
    W = rng.standard_normal((d, 1))
    y = (rng.random(n) < _sigmoid(X @ W[:, 0])).astype(np.int64)
    y[:2] = (0, 1)                                # both classes occur
    expected = _nnlib_gradient(X, y, W)
    args = (X.copy(), y.copy(), W.copy())
    got, _ = _call_recording_warnings(fn, *args, name=name)
    arr = as_numeric(got, what)
    if arr.shape in ((d, n), (n, n), (n, d)):
        raise Mismatch(f"{what} has shape {arr.shape}, expected {expected.shape} (the shape "
                       "of W). An (n, 1) array minus an (n,) array broadcasts to an (n, n) "
                       "matrix: check the shapes of p_hat and y")
    if arr.shape == (d,):
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
    X2 = rng.standard_normal((n2, d))
    y2 = (rng.random(n2) < 0.5).astype(float)
    W2 = 2.0 * rng.standard_normal((d, 1))
    got, _ = _call_recording_warnings(fn, X2, y2, W2, name=name)
    compare_arrays(got, _nnlib_gradient(X2, y2, W2), what=f"{what} for a second batch",
                   rtol=1e-6, atol=1e-9)
    return True, ("matches the gradient of nnlib's sigmoid neuron (Dense(1, 'sigmoid', "
                  "use_bias=False)) on two random batches")
