"""Checkers of chapter 6 (backpropagation and automatic differentiation).

Each checker draws fresh inputs from ``rng``, compares the student's answer with nnlib's
own implementation and says right or wrong with a hint (never the solution).
"""
from __future__ import annotations

import math

import numpy as np

from .. import activations as _activations
from .. import autodiff as _ad
from ._core import Mismatch, call, checker, forbid


# ---------------------------------------------------------------- three_layer_backward
def _three_layer_loss(X, y, params, lam, scale=1.0):
    """Mean binary cross-entropy of tanh -> softplus -> sigmoid, plus lam * sum W**2.

    ``scale`` multiplies the data term (``n`` gives the summed cross-entropy, a slip the
    checker recognizes).
    """
    W1, b1, W2, b2, W3, b3 = params
    A1 = np.tanh(X @ W1 + b1)
    A2 = _activations.softplus(A1 @ W2 + b2)
    z = (A2 @ W3 + b3).ravel()
    # log(1 + e^z) - y z is the cross-entropy of sigmoid(z), written stably
    data = np.mean(np.logaddexp(0.0, z) - y * z)
    return scale * data + lam * sum(np.sum(W * W) for W in (W1, W2, W3))


_THREE_LAYER_FORBIDDEN = {
    name: why for names, why in [
        (("loss_and_gradients", "Sequential", "Dense", "fit", "train_on_batch"),
         "nnlib's model computes these gradients for you; write the backward pass "
         "yourself, with NumPy"),
        (("numerical_gradient", "check_model", "check_gradient", "gradcheck"),
         "finite differences approximate the gradient; the exercise asks for the exact "
         "backward pass (the checker compares it with finite differences)"),
        (("autodiff", "Value", "GradientTape", "tensorflow", "tf", "torch", "jax"),
         "automatic differentiation would do the exercise for you; apply BP1-BP4 by hand"),
        (("derivative", "sigmoid_derivative", "tanh_derivative", "softplus_derivative",
          "backward"),
         "derive the activations' derivatives yourself instead of calling nnlib's"),
    ] for name in names}


@checker("ch06.three_layer_backward",
         "three_layer_backward(X, y, params, lam): the six gradients of a tanh-softplus-"
         "sigmoid network with an L2 penalty")
def check_three_layer_backward(fn, rng):
    from ..gradcheck import numerical_gradient, relative_error

    forbid(fn, _THREE_LAYER_FORBIDDEN)
    n, q = int(rng.integers(5, 9)), int(rng.integers(2, 5))
    h1, h2 = int(rng.integers(3, 6)), int(rng.integers(2, 5))
    while len({q, h1, h2, 1}) < 4:          # distinct sizes show a transposition
        h1, h2 = int(rng.integers(3, 7)), int(rng.integers(2, 6))
    X = rng.standard_normal((n, q))
    y = rng.integers(0, 2, size=n).astype(float)
    params = [rng.standard_normal((q, h1)) * 0.8, rng.standard_normal(h1) * 0.3,
              rng.standard_normal((h1, h2)) * 0.8, rng.standard_normal(h2) * 0.3,
              rng.standard_normal((h2, 1)) * 0.8, rng.standard_normal(1) * 0.3]
    lam = float(rng.choice([0.0, 0.01, 0.1]))
    names = ["dW1", "db1", "dW2", "db2", "dW3", "db3"]
    expected = []
    for k in range(6):
        work = [p.copy() for p in params]
        expected.append(numerical_gradient(
            lambda _: _three_layer_loss(X, y, work, lam), work[k]))
    got = call(fn, X.copy(), y.copy(), [p.copy() for p in params], lam,
               name="three_layer_backward")
    if got is None:
        raise Mismatch("three_layer_backward returned None: did it forget to `return` "
                       "the six gradients?")
    if not isinstance(got, (tuple, list)) or len(got) != 6:
        raise Mismatch("three_layer_backward should return six arrays, in the order "
                       "[dW1, db1, dW2, db2, dW3, db3]"
                       + (f"; got {len(got)}" if isinstance(got, (tuple, list)) else ""))
    for g, exp, what in zip(got, expected, names):
        try:
            a = np.asarray(g, dtype=float)
        except (TypeError, ValueError):
            raise Mismatch(f"{what} should be numeric, got {type(g).__name__}") from None
        if a.shape != exp.shape:
            raise Mismatch(f"{what} has shape {a.shape}, expected {exp.shape}: a gradient "
                           "has the shape of what it is the gradient of")
        if not np.all(np.isfinite(a)):
            raise Mismatch(f"{what} contains NaN or inf")
    # the most common slips, told apart from finite differences on the same inputs
    if lam > 0:
        no_penalty = [numerical_gradient(lambda _: _three_layer_loss(X, y, w, 0.0), w[k])
                      for k, w in ((k, [p.copy() for p in params]) for k in range(6))]
        if all(relative_error(np.asarray(g, float), e) < 1e-5
               for g, e in zip(got, no_penalty)):
            raise Mismatch(f"your gradients ignore the penalty lam * sum(W**2) (lam = "
                           f"{lam}): it adds 2 * lam * W to each kernel's gradient, "
                           "nothing to the biases")
    for g, exp, what in zip(got, expected, names):
        err = relative_error(np.asarray(g, dtype=float), exp)
        if err > 1e-5:
            summed = numerical_gradient(
                lambda _: _three_layer_loss(X, y, work, lam, scale=n),
                (work := [p.copy() for p in params])[names.index(what)])
            if relative_error(np.asarray(g, dtype=float), summed) < 1e-5:
                raise Mismatch(f"{what} is n times too large: the data loss is a mean "
                               "over the n rows, so the output error carries a 1/n")
            raise Mismatch(f"{what} differs from the finite-difference gradient (relative "
                           f"error {err:.2g}); check the derivative of that layer's "
                           "activation and the order of BP2's factors")
    return True, ("all six gradients agree with finite differences (relative error below "
                  "1e-5) on a fresh random network and batch")


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
