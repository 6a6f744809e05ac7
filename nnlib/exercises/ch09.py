"""Checkers of chapter 9 (vanishing gradients and initialization).

Each checker draws fresh inputs from ``rng`` (new shapes, seeds and activations on each
call) and says right or wrong with a hint, never the solution. The verdict of a right
answer is the same text for every seed, since the chapter stores it.
"""
from __future__ import annotations

import numpy as np

from ..activations import elu as _elu
from ..activations import leaky_relu as _leaky_relu
from ..activations import softplus as _softplus
from ._core import Mismatch, as_numeric, checker, forbid, quiet_call

_LIB = ("keras's Orthogonal initializer is the function you are asked to write: build it "
        "from a QR decomposition of a Gaussian matrix")


# ---------------------------------------------------------------- orthogonal
def _orthonormality_error(W):
    rows, cols = W.shape
    G = W.T @ W if rows >= cols else W @ W.T
    return float(np.max(np.abs(G - np.eye(min(rows, cols)))))


@checker("ch09.orthogonal",
         "orthogonal(shape, rng, gain): a random matrix with orthonormal columns (or rows)"
         " times gain, uniformly distributed")
def check_orthogonal(fn, rng):
    forbid(fn, {"Orthogonal": _LIB, "OrthogonalInitializer": _LIB, "orthogonal_": _LIB,
                "ortho_group": "scipy.stats.ortho_group draws the matrix for you; build it "
                               "from a QR decomposition of a Gaussian matrix"})
    name = "orthogonal"
    a, b = (int(v) for v in rng.integers(3, 30, size=2))
    if a == b:
        b += 1
    shapes = [(max(a, b), min(a, b)), (min(a, b), max(a, b)), (a, a)]
    for shape in shapes:
        gain = float(rng.uniform(0.5, 2.0))
        seed = int(rng.integers(2**31))
        got = quiet_call(fn, shape, np.random.default_rng(seed), gain, name=name)
        W = as_numeric(got, f"orthogonal({shape}, rng, gain)")
        if W.shape != shape:
            raise Mismatch(f"orthogonal({shape}, ...) has shape {W.shape}, expected {shape}"
                           " (rows = fan_in, columns = fan_out)")
        if not np.all(np.isfinite(W)):
            raise Mismatch(f"orthogonal({shape}, ...) contains NaN or inf")
        kind = "columns" if shape[0] >= shape[1] else "rows"
        err = _orthonormality_error(W / gain)
        if err > 1e-8:
            if _orthonormality_error(W) < 1e-8:
                raise Mismatch(f"for shape {shape} the {kind} are orthonormal, but the "
                               f"matrix should be multiplied by gain={gain:.3f}")
            raise Mismatch(f"for shape {shape} the {kind} of W / gain are not orthonormal "
                           f"(largest entry of the Gram matrix minus the identity: "
                           f"{err:.2g}); for a wide matrix make the rows orthonormal")
        again = as_numeric(quiet_call(fn, shape, np.random.default_rng(seed), gain,
                                      name=name), "the second call")
        if again.shape != W.shape or not np.array_equal(again, W):
            raise Mismatch("the same rng seed gave two different matrices: draw every "
                           "random number from the rng argument")
        other = as_numeric(quiet_call(fn, shape, np.random.default_rng(seed + 1), gain,
                                      name=name), "the call with another seed")
        if other.shape == W.shape and np.allclose(other, W):
            raise Mismatch("two different seeds gave the same matrix: the matrix should be "
                           "random, drawn from rng")
    # uniform (Haar) distribution: every entry of a random 4x4 orthogonal matrix has mean 0
    # and standard deviation 1/2; over 200 draws the mean of W[0, 0] has standard error
    # 0.035, and a QR without the sign correction gives a mean near -0.5
    first = np.array([as_numeric(quiet_call(fn, (4, 4), np.random.default_rng(
        int(rng.integers(2**31))), 1.0, name=name), "orthogonal((4, 4), rng, 1.0)")[0, 0]
        for _ in range(200)])
    if abs(first.mean()) > 0.2:
        raise Mismatch(f"the matrices are orthogonal but not uniformly distributed: over "
                       f"200 draws of shape (4, 4) the mean of W[0, 0] is "
                       f"{first.mean():.2f}, where a uniform random orthogonal matrix has "
                       "mean 0. The signs QR chooses are not random: correct them (see "
                       "the hint in the exercise)")
    return True, ("orthonormal columns for a tall matrix and rows for a wide one, times "
                  "gain, reproducible from rng and uniformly distributed")


# ---------------------------------------------------------------- variance scale
_GRID = np.linspace(-14.0, 14.0, 280_001)
_DENSITY = np.exp(-_GRID ** 2 / 2) / np.sqrt(2 * np.pi)


def _gaussian_mean(values):
    """E[f(xi)] for xi ~ N(0, 1), by the trapezoid rule on a fine grid."""
    trapezoid = getattr(np, "trapezoid", None) or np.trapz   # NumPy 1 has only trapz
    return float(trapezoid(values * _DENSITY, _GRID))


def _activation_pool(rng):
    """Three activations with fresh parameters, each with a description."""
    alpha = float(rng.uniform(0.02, 0.5))
    c = float(rng.uniform(0.5, 2.0))
    beta = float(rng.uniform(0.5, 2.0))
    elu_alpha = float(rng.uniform(0.3, 2.0))
    pool = [
        (lambda z: _leaky_relu(np.asarray(z, dtype=float), alpha),
         f"leaky ReLU with slope {alpha:.3f}"),
        (lambda z: c * np.maximum(np.asarray(z, dtype=float), 0.0), f"{c:.3f} * ReLU"),
        (lambda z: np.tanh(beta * np.asarray(z, dtype=float)), f"tanh({beta:.3f} z)"),
        (lambda z: _elu(np.asarray(z, dtype=float), elu_alpha),
         f"ELU with alpha {elu_alpha:.3f}"),
        (lambda z: _softplus(np.asarray(z, dtype=float)) - np.log(2.0), "softplus(z) - log 2"),
    ]
    order = rng.permutation(len(pool))[:3]
    return [pool[i] for i in order]


@checker("ch09.variance_scale",
         "variance_scale(g): the scale s = 1 / E[g(xi)^2], xi ~ N(0, 1), that keeps the "
         "pre-activation variance at 1 through layers of activation g")
def check_variance_scale(fn, rng):
    forbid(fn, {"calculate_gain": "torch.nn.init.calculate_gain returns PyTorch's table "
                                  "of gains (defined differently); compute the expectation "
                                  "numerically"})
    for g, desc in _activation_pool(rng):
        got = quiet_call(fn, g, name="variance_scale")
        value = as_numeric(got, f"variance_scale(g) for g = {desc}")
        if value.size != 1:
            raise Mismatch(f"variance_scale(g) should return one number, got an array of "
                           f"shape {value.shape}")
        value = float(value.reshape(()))
        if not np.isfinite(value):
            raise Mismatch(f"variance_scale(g) for g = {desc} is {value}")
        second = _gaussian_mean(g(_GRID) ** 2)
        expected = 1.0 / second
        if np.isclose(value, expected, rtol=1e-3):
            continue
        # (the diagnoses of wrong answers allow 1%: they only choose the hint)
        if np.isclose(value, second, rtol=1e-2):
            raise Mismatch(f"for g = {desc} you returned E[g(xi)^2] = {value:.4f}; the "
                           "scale is the factor that undoes it")
        mean = _gaussian_mean(g(_GRID))
        variance = second - mean ** 2
        if np.isclose(value, 1.0 / variance, rtol=1e-2):
            raise Mismatch(f"for g = {desc} you used the variance of g(xi), but the next "
                           "layer's pre-activation variance is n Var(W) E[g(z)^2]: the mean "
                           "of g(z) is not subtracted (the weights have mean zero)")
        raise Mismatch(f"for g = {desc} variance_scale(g) is {value:.5g}, off by "
                       f"{abs(value / expected - 1):.2%} (within 0.1% is needed); use a "
                       "quadrature such as np.polynomial.hermite_e.hermegauss or a fine "
                       "grid, not a small Monte Carlo sample")
    return True, ("the scale agrees with a fine numerical integral (to 0.1%) for three "
                  "activations with fresh parameters")


# ---------------------------------------------------------------- LSUV
def _lsuv_problem(rng):
    """A fresh model (zero biases, badly scaled kernels) and data for the LSUV checker."""
    from .. import layers as _layers
    from ..initializers import VarianceScaling
    from ..models import Sequential

    q = int(rng.integers(5, 20))
    depth = int(rng.integers(3, 6))
    act = str(rng.choice(["relu", "tanh", "elu"]))
    widths = [int(w) for w in rng.integers(8, 40, size=depth)]
    model = Sequential(
        [_layers.Dense(w, act, kernel_initializer=VarianceScaling(
            float(rng.uniform(0.05, 6.0)), "fan_in", "uniform")) for w in widths],
        seed=int(rng.integers(2**31)))
    model.build(q)
    X = rng.standard_normal((int(rng.integers(150, 300)), q)) * rng.uniform(0.5, 3.0, q)
    return model, X, act


def _pre_activation_variances(model, X):
    A, out = X, []
    for layer in model.layers:
        A = layer.forward(A)
        out.append((float(layer.z.var()), float(layer.a.var())))
    return out


@checker("ch09.lsuv",
         "lsuv(model, X): rescale each layer's kernel, from the first to the last, so "
         "that its pre-activations have variance 1 on X")
def check_lsuv(fn, rng):
    model, X, act = _lsuv_problem(rng)
    kernels = [layer.params["kernel"].copy() for layer in model.layers]
    biases = [layer.params["bias"].copy() for layer in model.layers]
    X0 = X.copy()
    quiet_call(fn, model, X, name="lsuv", none_ok=True)  # works in place
    if not np.array_equal(X, X0):
        raise Mismatch("lsuv modified X")
    theta = getattr(model, "theta", None)
    for l, (layer, K0, b0) in enumerate(zip(model.layers, kernels, biases), start=1):
        K = as_numeric(layer.params["kernel"], f"the kernel of layer {l}")
        if K.shape != K0.shape:
            raise Mismatch(f"the kernel of layer {l} has shape {K.shape}, expected "
                           f"{K0.shape}: rescale it, do not replace it")
        if not np.all(np.isfinite(K)):
            raise Mismatch(f"the kernel of layer {l} contains NaN or inf")
        c = float(np.vdot(K, K0) / np.vdot(K0, K0))
        if c <= 0 or not np.allclose(K, c * K0, rtol=1e-8, atol=1e-12):
            raise Mismatch(f"the kernel of layer {l} is not a positive multiple of the one "
                           "it had: LSUV only rescales each kernel by one number")
        if not np.array_equal(layer.params["bias"], b0):
            raise Mismatch(f"the bias of layer {l} changed; LSUV leaves the biases alone")
        if theta is not None and not np.shares_memory(layer.params["kernel"], theta):
            raise Mismatch(f"the kernel of layer {l} was replaced by a new array, which "
                           "cuts it loose from the model's parameter vector: scale it in "
                           "place, layer.params['kernel'] *= c")
    variances = _pre_activation_variances(model, X)
    for l, (vz, va) in enumerate(variances, start=1):
        if abs(vz - 1) > 1e-6:
            if abs(va - 1) < 1e-6:
                raise Mismatch(f"layer {l}: the activations g(z) have variance 1 but the "
                               f"pre-activations z have variance {vz:.4f}; normalize z")
            if l > 1 and abs(variances[0][0] - 1) < 1e-6:
                raise Mismatch(f"layer 1 is right but layer {l}'s pre-activations have "
                               f"variance {vz:.4f}: compute each layer's scale from the "
                               "inputs it receives after the layers below it are rescaled")
            raise Mismatch(f"layer {l}'s pre-activations have variance {vz:.4f} on X, "
                           "expected 1")
    return True, ("every kernel rescaled by a positive number, in place, biases untouched, "
                  "and every layer's pre-activations have variance 1 on X")
