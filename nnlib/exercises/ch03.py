"""Checkers of chapter 3 (softmax, one-hot labels, categorical cross-entropy).

Each checker draws fresh inputs from ``rng``, compares the student's answer with nnlib's
own implementation and says right or wrong with a hint (never the solution).
"""
from __future__ import annotations

import numpy as np

from ..activations import softmax as _softmax
from ..activations import softmax_jacobian as _softmax_jacobian
from ..datasets import one_hot as _one_hot
from ..losses import categorical_crossentropy as _cce
from ._core import Mismatch, as_numeric, checker, compare_arrays, quiet_call


def _scores(rng, n, C, scale=3.0):
    return scale * rng.standard_normal((n, C))


# ---------------------------------------------------------------- softmax
@checker("ch03.softmax", "softmax(Z): row-wise, numerically stable softmax of (n, C) scores")
def check_softmax(fn, rng):
    n, C = int(rng.integers(4, 9)), int(rng.integers(3, 7))
    while C == n:
        C = int(rng.integers(3, 7))
    # 1. moderate scores
    Z = _scores(rng, n, C)
    got = quiet_call(fn, Z.copy(), name="softmax")
    arr = as_numeric(got, "softmax(Z)")
    if arr.shape == (C, n):
        raise Mismatch(f"softmax(Z) has shape {arr.shape}, expected {Z.shape}: return one "
                       "row of probabilities per row of Z, not the transpose")
    expected = _softmax(Z, axis=1)
    if arr.shape == Z.shape and np.all(np.isfinite(arr)):
        if np.allclose(arr, _softmax(Z, axis=0), rtol=1e-6, atol=1e-9):
            raise Mismatch("softmax(Z) normalizes each column; the probabilities of one "
                           "example (one row of Z) should sum to 1")
        if np.allclose(arr.sum(), 1.0) and not np.allclose(arr.sum(axis=1), 1.0):
            raise Mismatch("all the entries of softmax(Z) sum to 1 together; each row "
                           "should sum to 1 on its own")
    compare_arrays(arr, expected, what="softmax(Z)", rtol=1e-6, atol=1e-9)
    # 2. huge and very negative scores, where exp overflows or underflows
    big = _scores(rng, n, C) + rng.choice([1000.0, -1000.0, 750.0], size=(n, 1))
    got = quiet_call(fn, big.copy(), name="softmax")
    arr = as_numeric(got, "softmax(Z)")
    if arr.shape == big.shape and not np.all(np.isfinite(arr)):
        raise Mismatch("softmax(Z) is right for moderate scores but gives NaN or inf for "
                       "scores near +-1000: exp overflows (or every term underflows to 0); "
                       "use the fact that softmax does not change when a row is shifted")
    compare_arrays(arr, _softmax(big, axis=1), what="softmax(Z) for scores near +-1000",
                   rtol=1e-6, atol=1e-9)
    # 3. the input must not be modified
    Z2 = _scores(rng, n, C)
    before = Z2.copy()
    quiet_call(fn, Z2, name="softmax")
    if not np.array_equal(Z2, before):
        raise Mismatch("softmax(Z) gives the right values but modifies its input Z in place; "
                       "work on a copy")
    return True, ("matches nnlib's softmax on a random batch of scores, including scores "
                  "near +-1000")


# ---------------------------------------------------------------- one-hot
@checker("ch03.one_hot", "one_hot(y, C): integer labels (n,) to one-hot rows (n, C)")
def check_one_hot(fn, rng):
    n = int(rng.integers(6, 12))
    C = int(rng.integers(3, 6))          # always fewer classes than labels: C != n
    # the largest class is deliberately missing, so C cannot be read off the labels
    y = rng.integers(0, C - 1, size=n)
    y[0] = 0
    got = quiet_call(fn, y.copy(), C, name="one_hot")
    arr = as_numeric(got, "one_hot(y, C)")
    if arr.shape == (C, n):
        raise Mismatch(f"one_hot(y, C) has shape {arr.shape}, expected {(n, C)}: one row "
                       "per label, one column per class")
    if arr.shape == (n, int(y.max()) + 1):
        raise Mismatch(f"one_hot(y, C) has shape {arr.shape}, expected {(n, C)}: the number "
                       "of columns is C, even when the largest class does not occur in y")
    expected = _one_hot(y, C)
    if arr.shape == expected.shape and not np.all((arr == 0) | (arr == 1)):
        raise Mismatch("one_hot(y, C) should contain only zeros and ones")
    if arr.shape == expected.shape and np.allclose(arr.sum(axis=1), 1.0) and \
            np.array_equal(np.argmax(arr, axis=1), (y + 1) % C):
        raise Mismatch("the ones are one column to the right: label k goes in column k "
                       "(classes are numbered from 0)")
    compare_arrays(arr, expected, what="one_hot(y, C)", rtol=0, atol=1e-12)
    # labels given as a list must work too
    y2 = [int(v) for v in rng.integers(0, C, size=3)]
    got2 = quiet_call(fn, y2, C, name="one_hot")
    compare_arrays(got2, _one_hot(y2, C), what="one_hot(y, C) for a list of labels",
                   rtol=0, atol=1e-12)
    return True, "matches nnlib's one_hot on random labels, also when a class is missing"


# ---------------------------------------------------------------- cross-entropy from logits
@checker("ch03.cross_entropy_from_logits",
         "cross_entropy_from_logits(Y, Z): mean categorical cross-entropy from the logits")
def check_cross_entropy_from_logits(fn, rng):
    n, C = int(rng.integers(5, 10)), int(rng.integers(3, 7))
    y = rng.integers(0, C, size=n)
    Y = _one_hot(y, C)
    Z = _scores(rng, n, C)
    expected = _cce(Y, Z, from_logits=True)
    got = quiet_call(fn, Y.copy(), Z.copy(), name="cross_entropy_from_logits")
    arr = as_numeric(got, "cross_entropy_from_logits(Y, Z)")
    if arr.shape in ((n,), (n, 1)):
        raise Mismatch(f"cross_entropy_from_logits(Y, Z) has shape {arr.shape}, expected a "
                       "single number: average the losses of the examples")
    if arr.shape == (n, C):
        raise Mismatch(f"cross_entropy_from_logits(Y, Z) has shape {arr.shape}, expected a "
                       "single number: sum over the classes, then average over the examples")
    if arr.size == 1 and np.isfinite(arr).all():
        value = float(arr.reshape(()))
        if np.isclose(value, n * expected, rtol=1e-6):
            raise Mismatch("cross_entropy_from_logits(Y, Z) is n times too large: return the "
                           "mean over the examples, not the sum")
        if np.isclose(value, -expected, rtol=1e-6):
            raise Mismatch("cross_entropy_from_logits(Y, Z) has the wrong sign: the loss is "
                           "the *negative* log-likelihood, a positive number")
        if np.isclose(value, expected / C, rtol=1e-6):
            raise Mismatch("cross_entropy_from_logits(Y, Z) is C times too small: sum over "
                           "the classes (do not average over them)")
    compare_arrays(arr.reshape(()) if arr.size == 1 else arr, np.asarray(expected),
                   what="cross_entropy_from_logits(Y, Z)", rtol=1e-6, atol=1e-9)
    # huge logits: the correct class far ahead, or far behind
    Zb = _scores(rng, n, C)
    Zb[np.arange(n), y] += rng.choice([800.0, -800.0], size=n)
    expected_b = _cce(Y, Zb, from_logits=True)
    got = quiet_call(fn, Y.copy(), Zb.copy(), name="cross_entropy_from_logits")
    arr = as_numeric(got, "cross_entropy_from_logits(Y, Z)")
    if arr.size == 1 and not np.isfinite(arr).all():
        raise Mismatch("cross_entropy_from_logits(Y, Z) is right for moderate logits but "
                       "gives NaN or inf for logits near +-800; compute log(softmax) without "
                       "forming exp of a large number (or log of 0)")
    compare_arrays(arr.reshape(()) if arr.size == 1 else arr, np.asarray(expected_b),
                   what="cross_entropy_from_logits(Y, Z) for logits near +-800",
                   rtol=1e-6, atol=1e-9)
    return True, ("matches nnlib's categorical_crossentropy(from_logits=True) on a random "
                  "batch, also for logits near +-800")


# ---------------------------------------------------------------- softmax Jacobian
@checker("ch03.softmax_jacobian",
         "softmax_jacobian(p): the (C, C) Jacobian of softmax given its output p")
def check_softmax_jacobian(fn, rng):
    C = int(rng.integers(3, 7))
    p = _softmax(rng.standard_normal(C))
    expected = _softmax_jacobian(p)
    got = quiet_call(fn, p.copy(), name="softmax_jacobian")
    arr = as_numeric(got, "softmax_jacobian(p)")
    if arr.shape == expected.shape and np.all(np.isfinite(arr)):
        if np.allclose(arr, np.diag(p), rtol=1e-6, atol=1e-9):
            raise Mismatch("softmax_jacobian(p) is diagonal, but every output p_i depends on "
                           "every score z_j (through the denominator)")
        if np.allclose(arr, np.diag(p * (1 - p)), rtol=1e-6, atol=1e-9):
            raise Mismatch("the diagonal p_i (1 - p_i) is right, but the off-diagonal entries "
                           "dp_i/dz_j for i != j are not zero")
        if np.allclose(arr, -expected, rtol=1e-6, atol=1e-9):
            raise Mismatch("softmax_jacobian(p) has the wrong sign")
    compare_arrays(arr, expected, what="softmax_jacobian(p)", rtol=1e-6, atol=1e-9)
    return True, "matches nnlib's softmax_jacobian for a random probability vector p"
