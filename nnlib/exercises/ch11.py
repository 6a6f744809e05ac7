"""Checkers of chapter 11 (regularization): the proximal L1 step that makes exact zeros,
DropConnect with the inverted scaling, and the max-norm constraint.

Each checker draws fresh inputs from ``rng`` (new shapes, rates and values on each call),
compares the student's answer with a reference computed here and says right or wrong with
a hint, never the solution. The verdict of a right answer is the same text for every seed.
"""
from __future__ import annotations

import numpy as np

from ._core import Mismatch, as_numeric, checker, compare_arrays, forbid, quiet_call


# ---------------------------------------------------------------- prox_l1
def _soft_threshold(z, t):
    return np.sign(z) * np.maximum(np.abs(z) - t, 0.0)


@checker("ch11.prox_l1",
         "prox_l1(w, grad, lr, l1): a gradient step on the data loss followed by the "
         "proximal step of lr * l1 * sum|w| (soft thresholding)")
def check_prox_l1(fn, rng):
    forbid(fn, {"L1": "nnlib.regularizers.L1 gives the subgradient l1 * sign(w), which is "
                      "not the proximal step: write the thresholding with NumPy",
                "add_gradient": "the penalty's subgradient is not the proximal step: "
                                "write the thresholding with NumPy",
                "threshold": "a library's thresholding function is what you are asked to "
                             "write: use NumPy operations"})
    shape = (int(rng.integers(3, 12)), int(rng.integers(2, 9)))
    w = rng.normal(0, 0.1, shape)
    grad = rng.normal(0, 0.5, shape)
    lr = float(rng.uniform(0.01, 0.2))
    l1 = float(rng.uniform(0.05, 0.5))
    # a few weights whose data step lands within lr * l1 of zero: they must become 0
    idx = rng.choice(w.size, size=max(2, w.size // 4), replace=False)
    w.flat[idx] = (lr * grad + rng.uniform(-0.9, 0.9, size=shape) * lr * l1).flat[idx]
    expected = _soft_threshold(w - lr * grad, lr * l1)
    got = as_numeric(quiet_call(fn, w.copy(), grad.copy(), lr, l1, name="prox_l1"),
                     "prox_l1(w, grad, lr, l1)")
    if got.shape != shape:
        raise Mismatch(f"prox_l1(w, grad, lr, l1) has shape {got.shape}, expected {shape} "
                       "(the shape of w)")
    if not np.all(np.isfinite(got)):
        raise Mismatch("prox_l1(w, grad, lr, l1) contains NaN or inf")
    if np.allclose(got, expected, rtol=1e-8, atol=1e-12):
        if np.sum(got == 0) != np.sum(expected == 0):
            raise Mismatch("the weights whose step lands within lr * l1 of 0 should be "
                           "exactly 0, not just small")
        return True, ("the data-gradient step followed by soft thresholding at lr * l1, "
                      "exact zeros included")
    subgradient = w - lr * (grad + l1 * np.sign(w))
    if np.allclose(got, subgradient, rtol=1e-8, atol=1e-12):
        raise Mismatch("this is the subgradient step w - lr (grad + l1 sign(w)): it moves "
                       "every weight by lr * l1 and lands exactly on 0 almost never. The "
                       "proximal step thresholds the result of the data-gradient step")
    z = w - lr * grad
    if np.allclose(got, _soft_threshold(z, l1), rtol=1e-8, atol=1e-12):
        raise Mismatch("the threshold should be lr * l1 (the penalty scaled by the step), "
                       "not l1")
    if np.allclose(got, _soft_threshold(w, lr * l1) - lr * grad, rtol=1e-8, atol=1e-12):
        raise Mismatch("threshold after the data-gradient step, not before it")
    zeros_expected = int(np.sum(expected == 0))
    raise Mismatch(f"the values are wrong (largest difference "
                   f"{np.max(np.abs(got - expected)):.3g}); on these inputs "
                   f"{zeros_expected} of the {w.size} weights should be exactly 0")


# ---------------------------------------------------------------- dropconnect
_DROPOUT = ("a dropout function drops units (activations); DropConnect drops weights: "
            "draw the mask of W yourself from rng")


@checker("ch11.dropconnect",
         "dropconnect(X, W, b, rate, rng) -> (out, mask): a dense layer whose weights "
         "are dropped with probability rate, the kept ones scaled by 1 / (1 - rate)")
def check_dropconnect(fn, rng):
    forbid(fn, {"Dropout": _DROPOUT, "dropout": _DROPOUT})
    name = "dropconnect"
    n, q, units = (int(v) for v in rng.integers(3, 9, size=3))
    q, units = q + 30, units + 30          # enough weights to test the drop fraction
    X = rng.normal(size=(n, q))
    W = rng.normal(size=(q, units))
    b = rng.normal(size=units)
    rate = float(rng.uniform(0.15, 0.4))   # away from 0.5: drop != keep
    seed = int(rng.integers(2**31))
    got = quiet_call(fn, X, W, b, rate, np.random.default_rng(seed), name=name)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Mismatch("dropconnect should return a pair (out, mask)")
    out = as_numeric(got[0], "out")
    mask = as_numeric(got[1], "mask")
    if mask.shape != W.shape:
        raise Mismatch(f"mask has shape {mask.shape}, expected {W.shape}: one entry per "
                       "weight (a mask of shape (n, units) would drop units: that is "
                       "dropout)")
    if not np.all((mask == 0) | (mask == 1)):
        raise Mismatch("mask should hold 0 (dropped) and 1 (kept) only; put the scaling "
                       "into the output, not the mask")
    dropped = 1.0 - mask.mean()
    sigma = np.sqrt(rate * (1 - rate) / mask.size)
    if abs(dropped - rate) > 5 * sigma:
        if abs(dropped - (1 - rate)) < 5 * sigma:
            raise Mismatch(f"{dropped:.1%} of the weights were dropped with rate "
                           f"{rate:.2f}: rate is the drop probability, not the keep "
                           "probability")
        raise Mismatch(f"{dropped:.1%} of the weights were dropped, but rate is "
                       f"{rate:.2f}")
    expected = X @ (W * mask) / (1 - rate) + b
    if out.shape != expected.shape:
        raise Mismatch(f"out has shape {out.shape}, expected {expected.shape}")
    if np.allclose(out, X @ (W * mask) + b, rtol=1e-8, atol=1e-10):
        raise Mismatch("the kept weights should be scaled by 1 / (1 - rate), so that the "
                       "expected output equals the layer without dropping")
    compare_arrays(out, expected, what="out (with your mask)", rtol=1e-8, atol=1e-10)
    again = quiet_call(fn, X, W, b, rate, np.random.default_rng(seed), name=name)
    if not np.array_equal(as_numeric(again[1], "mask"), mask):
        raise Mismatch("the same rng seed gave two different masks: draw every random "
                       "number from the rng argument")
    other = quiet_call(fn, X, W, b, rate, np.random.default_rng(seed + 1), name=name)
    if np.array_equal(as_numeric(other[1], "mask"), mask):
        raise Mismatch("two different seeds gave the same mask: draw it from rng")
    return True, ("one Bernoulli mask per weight with drop probability rate, the kept "
                  "weights scaled by 1 / (1 - rate), drawn from rng")


# ---------------------------------------------------------------- max_norm
_MAXNORM = ("Keras's MaxNorm is the constraint you are asked to write: compute the norms "
            "with NumPy")


def _max_norm(W, c):
    norms = np.sqrt(np.sum(W ** 2, axis=0, keepdims=True))
    return W * np.clip(norms, 0, c) / (1e-7 + norms)


@checker("ch11.max_norm",
         "max_norm(W, c): W with every column (the weights into one unit) rescaled to "
         "norm at most c, columns already inside left alone")
def check_max_norm(fn, rng):
    forbid(fn, {"MaxNorm": _MAXNORM, "max_norm": _MAXNORM,
                "renorm": "torch.renorm does the projection for you: use NumPy",
                "clip_by_norm": "tf.clip_by_norm does the projection for you: use NumPy"})
    rows, cols = (int(v) for v in rng.integers(3, 12, size=2))
    if rows == cols:
        cols += 1
    W = rng.normal(size=(rows, cols)) * rng.uniform(0.1, 1.0, size=cols)
    norms = np.linalg.norm(W, axis=0)
    c = float(np.median(norms))             # about half the columns are too long
    got = as_numeric(quiet_call(fn, W.copy(), c, name="max_norm"), "max_norm(W, c)")
    if got.shape != W.shape:
        raise Mismatch(f"max_norm(W, c) has shape {got.shape}, expected {W.shape}")
    expected = _max_norm(W, c)
    if not np.allclose(got, expected, rtol=1e-5, atol=1e-9):
        rows_version = W * np.clip(np.linalg.norm(W, axis=1, keepdims=True), 0, c) / (
            np.linalg.norm(W, axis=1, keepdims=True))
        if np.allclose(got, rows_version, rtol=1e-5, atol=1e-9):
            raise Mismatch("you constrained the rows; the weights into one unit are a "
                           "column of W (shape (inputs, units)), as in Keras's axis=0")
        if np.allclose(got, W * c / norms, rtol=1e-5, atol=1e-9):
            raise Mismatch("columns shorter than c should be left unchanged: the "
                           "constraint only shortens the columns that are too long")
        got_norms = np.linalg.norm(got, axis=0)
        if np.any(got_norms > c * (1 + 1e-5)):
            raise Mismatch(f"a column of the result has norm {got_norms.max():.4f} > c = "
                           f"{c:.4f}")
        raise Mismatch(f"the values are wrong (largest difference "
                       f"{np.max(np.abs(got - expected)):.3g}); each long column should "
                       "keep its direction and get length c")
    return True, ("every column of norm above c is shortened to c along its direction, "
                  "the others are unchanged")


# ---------------------------------------------------------------- batch norm, inference
_BN = ("the library's batch normalization is the layer whose gradients you are asked to "
       "derive: write them with NumPy")


@checker("ch11.bn_inference_backward",
         "bn_inference_backward(dY, X, gamma, moving_mean, moving_var, epsilon) -> "
         "(dX, dgamma, dbeta): the gradients of batch normalization in inference mode")
def check_bn_inference_backward(fn, rng):
    forbid(fn, {"BatchNormalization": _BN, "BatchNorm1d": _BN, "batch_norm": _BN,
                "batch_normalization": _BN})
    n, units = int(rng.integers(3, 12)), int(rng.integers(2, 9))
    X = rng.normal(rng.uniform(-2, 2), rng.uniform(0.5, 3), size=(n, units))
    dY = rng.normal(size=(n, units))
    gamma = rng.uniform(0.5, 2.0, size=units)
    moving_mean = rng.normal(size=units)
    moving_var = rng.uniform(0.3, 3.0, size=units)
    epsilon = float(rng.choice([1e-3, 1e-5, 0.1]))
    got = quiet_call(fn, dY, X, gamma, moving_mean, moving_var, epsilon,
                     name="bn_inference_backward")
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        raise Mismatch("bn_inference_backward should return three arrays (dX, dgamma, "
                       "dbeta)")
    dX, dgamma, dbeta = (as_numeric(g, name) for g, name in
                         zip(got, ["dX", "dgamma", "dbeta"]))
    scale = 1.0 / np.sqrt(moving_var + epsilon)
    X_hat = (X - moving_mean) * scale
    expected = [dY * gamma * scale, np.sum(dY * X_hat, axis=0), np.sum(dY, axis=0)]
    for got_arr, want, name in zip([dX, dgamma, dbeta], expected,
                                   ["dX", "dgamma", "dbeta"]):
        if got_arr.shape != want.shape:
            raise Mismatch(f"{name} has shape {got_arr.shape}, expected {want.shape}")
    # the training-mode formula (batch statistics) is the classic wrong answer here
    mu, var = X.mean(axis=0), X.var(axis=0)
    X_hat_b = (X - mu) / np.sqrt(var + epsilon)
    if np.allclose(dgamma, np.sum(dY * X_hat_b, axis=0), rtol=1e-6) and not np.allclose(
            dgamma, expected[1], rtol=1e-6):
        raise Mismatch("dgamma uses the batch's mean and variance: in inference mode the "
                       "layer normalizes with the moving statistics")
    if not np.allclose(dX, expected[0], rtol=1e-6, atol=1e-10):
        if np.allclose(dX, dY * gamma, rtol=1e-6):
            raise Mismatch("dX misses the factor 1 / sqrt(moving_var + epsilon)")
        raise Mismatch("dX has the right shape but wrong values: in inference mode the "
                       "mean and variance are constants, so the layer is a per-unit "
                       "affine map of X")
    compare_arrays(dgamma, expected[1], what="dgamma", rtol=1e-6, atol=1e-10)
    compare_arrays(dbeta, expected[2], what="dbeta", rtol=1e-6, atol=1e-10)
    return True, ("dX, dgamma and dbeta of the affine map that batch normalization is in "
                  "inference mode")
