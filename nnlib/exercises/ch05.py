"""Checkers of chapter 5 (activation functions).

Each checker draws fresh inputs from ``rng``, compares the student's answer with nnlib's
own implementation and says right or wrong with a hint (never the solution). The verdict
of a right answer is the same text for every seed, since the chapter stores it.
"""
from __future__ import annotations

import numpy as np

from ..activations import leaky_relu as _leaky_relu
from ..activations import softsign as _softsign
from ..activations import softsign_derivative as _softsign_derivative
from ._core import Mismatch, as_numeric, call, checker, compare_arrays, matches


def _points(rng, size):
    """Random points on both sides of 0, none of them within 1e-3 of it."""
    z = 4.0 * rng.standard_normal(size)
    z[np.abs(z) < 1e-3] = 0.5
    return z


# ---------------------------------------------------------------- softsign'
@checker("ch05.softsign_derivative",
         "softsign_derivative(z): the derivative of z / (1 + |z|), elementwise")
def check_softsign_derivative(fn, rng):
    name, what = "softsign_derivative", "softsign_derivative(z)"
    z = _points(rng, int(rng.integers(6, 14)))
    got = call(fn, z.copy(), name=name)
    arr = as_numeric(got, what)
    expected = _softsign_derivative(z)
    if arr.shape == z.shape and np.all(np.isfinite(arr)):
        if matches(arr, _softsign(z)):
            raise Mismatch(f"{what} returns softsign itself; the exercise asks for its "
                           "derivative with respect to z")
        if np.any(arr < 0):
            raise Mismatch(f"{what} has negative values, but softsign is increasing "
                           "everywhere, so its derivative is positive")
        neg = z < 0
        if matches(arr[~neg], expected[~neg]) and not matches(arr[neg], expected[neg]):
            raise Mismatch(f"{what} is right for z > 0 but wrong for z < 0: there |z| = -z; "
                           "differentiate each side of 0 separately")
        if np.any(arr > 1 + 1e-9):
            raise Mismatch(f"{what} returns values above 1, the largest slope of softsign "
                           "(reached at z = 0)")
    compare_arrays(arr, expected, what=f"{what} for a vector z", rtol=1e-6, atol=1e-12)
    Z = _points(rng, (3, int(rng.integers(2, 6))))
    compare_arrays(call(fn, Z.copy(), name=name), _softsign_derivative(Z),
                   what=f"{what} for a 2-D array z", rtol=1e-6, atol=1e-12)
    z0 = np.array([0.0])
    compare_arrays(call(fn, z0, name=name), [1.0], what=f"{what} at z = 0",
                   rtol=1e-9, atol=1e-12)
    z2 = _points(rng, 6)
    before = z2.copy()
    call(fn, z2, name=name)
    if not np.array_equal(z2, before):
        raise Mismatch(f"{what} gives the right values but modifies its input z in place; "
                       "work on a copy")
    return True, "matches nnlib's softsign_derivative on random arrays, on both sides of 0"


# ---------------------------------------------------------------- leaky ReLU
@checker("ch05.leaky_relu",
         "leaky_relu(z, alpha): z for z > 0, alpha * z otherwise, elementwise")
def check_leaky_relu(fn, rng):
    name = "leaky_relu"
    z = _points(rng, int(rng.integers(6, 14)))
    alpha = float(rng.uniform(0.05, 0.4))
    what = "leaky_relu(z, alpha)"
    got = call(fn, z.copy(), alpha, name=name)
    arr = as_numeric(got, what)
    expected = _leaky_relu(z, alpha)
    if arr.shape == z.shape and np.all(np.isfinite(arr)):
        if matches(arr, np.maximum(z, 0)):
            raise Mismatch(f"{what} returns the plain ReLU: negative inputs must keep a "
                           "small slope alpha instead of becoming 0")
        if matches(arr, _leaky_relu(z, 0.01)):
            raise Mismatch(f"{what} ignores its argument alpha and uses a fixed slope")
        if matches(arr, np.where(z > 0, z, z / alpha)):
            raise Mismatch(f"{what} divides the negative inputs by alpha; the slope for "
                           "z < 0 is alpha itself")
        if matches(arr, np.where(z > 0, alpha * z, z)):
            raise Mismatch(f"{what} puts the slope alpha on the wrong side of 0")
    compare_arrays(arr, expected, what=f"{what} for a vector z", rtol=1e-9, atol=1e-12)
    Z = _points(rng, (3, int(rng.integers(2, 6))))
    alpha2 = float(rng.uniform(0.05, 0.4))
    compare_arrays(call(fn, Z.copy(), alpha2, name=name), _leaky_relu(Z, alpha2),
                   what=f"{what} for a 2-D array z", rtol=1e-9, atol=1e-12)
    z2 = _points(rng, 6)
    before = z2.copy()
    call(fn, z2, 0.1, name=name)
    if not np.array_equal(z2, before):
        raise Mismatch(f"{what} gives the right values but modifies its input z in place; "
                       "work on a copy")
    return True, ("matches nnlib's leaky_relu on random arrays with random slopes alpha, "
                  "and leaves z unchanged")
