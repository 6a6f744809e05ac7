"""Checkers of chapter 5 (activation functions).

Each checker draws fresh inputs from ``rng``, compares the student's answer with nnlib's
own implementation (or, for a derivative, with an exact numerical derivative of the
function) and says right or wrong with a hint (never the solution). The verdict
of a right answer is the same text for every seed, since the chapter stores it.
"""
from __future__ import annotations

import numpy as np

from ..activations import leaky_relu as _leaky_relu
from ._core import Mismatch, as_numeric, call, checker, compare_arrays, forbid, matches


def _points(rng, size):
    """Random points on both sides of 0, none of them within 1e-3 of it."""
    z = 4.0 * rng.standard_normal(size)
    z[np.abs(z) < 1e-3] = 0.5
    return z


# ---------------------------------------------------------------- Swish'
def _swish_complex(z, beta):
    """z * sigmoid(beta z), written so that it also accepts complex z (complex step)."""
    return z / (1.0 + np.exp(-beta * z))


def _complex_step_derivative(z, beta, h=1e-30):
    """d/dz swish(z) from the function alone: Im f(z + ih) / h, exact to rounding.

    Unlike a centred difference there is no subtraction of nearly equal numbers, so the
    step can be tiny and the result is accurate to machine precision.
    """
    return np.imag(_swish_complex(np.asarray(z, dtype=complex) + 1j * h, beta)) / h


_SWISH_FORBIDDEN = {
    **{name: "automatic differentiation would do the derivation for you; derive "
       "d/dz [z sigma(beta z)] with the product and chain rules"
       for name in ("tensorflow", "tf", "torch", "jax", "autodiff", "GradientTape",
                    "autograd", "sympy")},
    **{name: "a finite difference only approximates the derivative; the exercise asks "
       "for the exact formula" for name in ("numerical_gradient", "gradcheck", "gradient")},
    **{name: "nnlib or Keras may have Swish/SiLU built in; write the derivative yourself"
       for name in ("swish", "silu", "swish_derivative", "silu_derivative", "gelu")},
}


@checker("ch05.swish_derivative",
         "swish_derivative(z, beta): the derivative of z * sigmoid(beta * z), elementwise")
def check_swish_derivative(fn, rng):
    forbid(fn, _SWISH_FORBIDDEN)
    name, what = "swish_derivative", "swish_derivative(z, beta)"
    z = _points(rng, int(rng.integers(6, 14)))
    beta = float(rng.uniform(0.5, 2.0))
    got = call(fn, z.copy(), beta, name=name)
    arr = as_numeric(got, what)
    expected = _complex_step_derivative(z, beta)
    sig = 1.0 / (1.0 + np.exp(-beta * z))
    if arr.shape == z.shape and np.all(np.isfinite(arr)):
        if matches(arr, z * sig):
            raise Mismatch(f"{what} returns Swish itself; the exercise asks for its "
                           "derivative with respect to z")
        if matches(arr, sig):
            raise Mismatch(f"{what} keeps only the first term of the product rule: "
                           "z sigma(beta z) has two factors that depend on z")
        if matches(arr, sig + z * sig * (1 - sig)) and not np.isclose(beta, 1.0):
            raise Mismatch(f"{what} forgets the inner derivative beta of sigma(beta z) "
                           "(the chain rule); it is right only for beta = 1")
        exact = np.allclose(arr, expected, rtol=1e-10, atol=1e-12)
        if not exact and np.allclose(arr, expected, rtol=1e-6, atol=1e-9):
            raise Mismatch(f"{what} agrees with the derivative only to about "
                           f"{np.max(np.abs(arr - expected)):.0e}: that looks like a finite-"
                           "difference approximation; the exercise asks for the exact "
                           "formula")
    compare_arrays(arr, expected, what=f"{what} for a vector z", rtol=1e-10, atol=1e-12)
    Z = _points(rng, (3, int(rng.integers(2, 6))))
    beta2 = float(rng.uniform(0.5, 2.0))
    compare_arrays(call(fn, Z.copy(), beta2, name=name),
                   _complex_step_derivative(Z, beta2),
                   what=f"{what} for a 2-D array z", rtol=1e-10, atol=1e-12)
    z0 = np.array([0.0])
    compare_arrays(call(fn, z0, beta, name=name), [0.5], what=f"{what} at z = 0",
                   rtol=1e-10, atol=1e-12)
    z2 = _points(rng, 6)
    before = z2.copy()
    call(fn, z2, beta, name=name)
    if not np.array_equal(z2, before):
        raise Mismatch(f"{what} gives the right values but modifies its input z in place; "
                       "work on a copy")
    return True, ("matches the exact derivative (a complex-step derivative of z sigma(beta "
                  "z)) on random arrays and random beta, on both sides of 0")


# ---------------------------------------------------------------- leaky ReLU
@checker("ch05.leaky_relu",
         "leaky_relu(z, alpha): z for z > 0, alpha * z otherwise, elementwise")
def check_leaky_relu(fn, rng):
    forbid(fn, {"leaky_relu": "nnlib's (or Keras's) leaky_relu is the function you are "
                "asked to write: use np.where or np.maximum",
                "relu": "build it from NumPy operations, not from a library ReLU"})
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
