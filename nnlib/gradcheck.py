"""Gradient checking: centred finite differences and the relative error.

A backward pass is easy to get subtly wrong; comparing it with

    df/dx_i ~ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)

catches almost every mistake. The centred difference has error O(eps^2), so in float64
with eps around 1e-6 a correct gradient agrees to a relative error of about 1e-8 or
better, a wrong one typically to 1e-2 or worse.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["numerical_gradient", "relative_error", "check_gradient", "check_layer",
           "check_model", "GradCheckResult"]


def numerical_gradient(f, x, eps=1e-6):
    """Centred finite-difference gradient of a scalar function ``f`` at array ``x``.

    ``x`` is perturbed in place one entry at a time and restored; the result has
    ``x``'s shape.
    """
    x = np.asarray(x)
    if x.dtype not in (np.float32, np.float64):
        raise TypeError(f"x must be a float array, got dtype {x.dtype}")
    grad = np.zeros(x.shape, dtype=np.float64)
    flat = x.reshape(-1)
    if not np.shares_memory(flat, x):
        raise ValueError("x must be contiguous so that it can be perturbed in place")
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        f_plus = float(f(x))
        flat[i] = old - eps
        f_minus = float(f(x))
        flat[i] = old
        grad.reshape(-1)[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a, b):
    """||a - b|| / (||a|| + ||b||), 0 when both are 0: scale-free, in [0, 1]."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} and {b.shape}")
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


@dataclass
class GradCheckResult:
    """Relative errors by name; ``max_error`` is the largest."""

    errors: dict = field(default_factory=dict)

    @property
    def max_error(self):
        return max(self.errors.values()) if self.errors else 0.0

    def ok(self, tol=1e-7):
        return self.max_error <= tol

    def __str__(self):
        parts = ", ".join(f"{k}: {v:.1e}" for k, v in self.errors.items())
        return f"max relative error {self.max_error:.1e} ({parts})"


def check_gradient(f, grad_f, x, eps=1e-6):
    """Relative error between ``grad_f(x)`` and the numerical gradient of ``f`` at ``x``."""
    x = np.array(x, dtype=np.float64)
    analytic = np.asarray(grad_f(x.copy()), dtype=np.float64)
    return relative_error(analytic, numerical_gradient(f, x, eps))


def check_layer(layer, X, eps=1e-6, seed=0):
    """Check a layer's ``backward`` against finite differences.

    Uses the scalar L = sum(R * layer.forward(X)) + (the layer's regularization penalty)
    with a fixed random R, whose gradient with respect to the output is R. Checks dL/dX
    and dL/d(every parameter).
    """
    X = np.array(X, dtype=np.float64)
    if not layer.built:
        layer.build(X.shape[1], np.random.default_rng(seed), np.float64)
    R = np.random.default_rng(seed).standard_normal(layer.forward(X).shape)

    def loss(_):
        return float(np.sum(R * layer.forward(X, training=True))) + layer.regularization_loss()

    layer.forward(X, training=True)
    dX = layer.backward(R.copy(), need_input_grad=True)
    result = GradCheckResult()
    result.errors["input"] = relative_error(dX, numerical_gradient(loss, X, eps))
    for name, p in layer.params.items():
        loss(None)
        layer.backward(R.copy(), need_input_grad=True)
        analytic = layer.grads[name].copy()
        result.errors[name] = relative_error(analytic, numerical_gradient(loss, p, eps))
    return result


def check_model(model, X, y, eps=1e-6):
    """Check ``model.loss_and_gradients`` against finite differences of its loss."""
    _, grads = model.loss_and_gradients(X, y)
    result = GradCheckResult()
    weights = model.trainable_weights
    for layer in model.layers:
        for name, p in layer.params.items():
            i = next(k for k, w in enumerate(weights) if w is p)
            num = numerical_gradient(lambda _: model.loss_and_gradients(X, y)[0], p, eps)
            result.errors[f"{layer.name}.{name}"] = relative_error(grads[i], num)
    return result
