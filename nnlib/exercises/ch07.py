"""Checkers of chapter 7 (shuffling data and labels together, a stratified split).

Each checker draws fresh inputs from ``rng`` and says right or wrong with a hint (never
the solution).
"""
from __future__ import annotations

import numpy as np

from ._core import Mismatch, call, checker


def _labelled_data(rng, n):
    """Rows whose first feature encodes their index, so a row's identity is visible."""
    X = np.column_stack([np.arange(n, dtype=float), rng.normal(size=(n, 2))])
    y = rng.integers(0, 5, size=n)
    return X, y


def _as_array(got, what):
    try:
        return np.asarray(got)
    except Exception:  # noqa: BLE001 - any failure to convert is the student's
        raise Mismatch(f"{what} should be an array, got {type(got).__name__}") from None


# ---------------------------------------------------------------- shuffle_together
@checker("ch07.shuffle_together",
         "shuffle_together(X, y, rng): the same random permutation of the rows of X and y")
def check_shuffle_together(fn, rng):
    n = int(rng.integers(40, 80))
    X, y = _labelled_data(rng, n)
    X0, y0 = X.copy(), y.copy()
    seed = int(rng.integers(2**31))
    got = call(fn, X, y, np.random.default_rng(seed), name="shuffle_together")
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Mismatch("shuffle_together should return a pair (X_shuffled, y_shuffled)")
    Xs, ys = _as_array(got[0], "X_shuffled"), _as_array(got[1], "y_shuffled")
    if Xs.shape != X.shape:
        raise Mismatch(f"X_shuffled has shape {Xs.shape}, expected {X.shape}: permute the "
                       "rows, keep every column")
    if ys.shape != y.shape:
        raise Mismatch(f"y_shuffled has shape {ys.shape}, expected {y.shape}")
    if not (np.array_equal(X, X0) and np.array_equal(y, y0)):
        raise Mismatch("shuffle_together modified X or y in place; return shuffled copies")
    idx = Xs[:, 0].astype(int)
    if not np.array_equal(np.sort(idx), np.arange(n)) or not np.array_equal(Xs, X[idx]):
        raise Mismatch("the rows of X_shuffled are not a permutation of the rows of X "
                       "(rows lost, repeated or changed)")
    if np.array_equal(idx, np.arange(n)):
        raise Mismatch("X_shuffled is in the original order: nothing was shuffled")
    if not np.array_equal(np.sort(ys), np.sort(y)):
        raise Mismatch("y_shuffled does not contain the same labels as y")
    if not np.array_equal(ys, y[idx]):
        raise Mismatch("X and y were shuffled, but not by the same permutation: the "
                       "labels no longer belong to their rows. Draw one permutation and "
                       "apply it to both")
    again = call(fn, X, y, np.random.default_rng(seed), name="shuffle_together")
    if not np.array_equal(np.asarray(again[0]), Xs):
        raise Mismatch("the shuffle is right but not reproducible: draw the permutation "
                       "from the rng argument, not from np.random or another generator")
    return True, ("rows and labels moved together by one permutation, reproducibly from "
                  "rng, without touching the inputs")


# ---------------------------------------------------------------- stratified_split
@checker("ch07.stratified_split",
         "stratified_split(y, test_fraction, rng): train/test indices with class proportions kept")
def check_stratified_split(fn, rng):
    counts = rng.integers(15, 60, size=int(rng.integers(3, 6)))
    y = rng.permutation(np.repeat(np.arange(len(counts)), counts))
    n = len(y)
    frac = float(rng.choice([0.2, 0.25, 0.3]))
    y0 = y.copy()
    got = call(fn, y, frac, np.random.default_rng(int(rng.integers(2**31))),
               name="stratified_split")
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Mismatch("stratified_split should return a pair (train_idx, test_idx)")
    tr, te = _as_array(got[0], "train_idx"), _as_array(got[1], "test_idx")
    if tr.ndim != 1 or te.ndim != 1:
        raise Mismatch(f"train_idx and test_idx should be 1-D arrays of indices, got shapes "
                       f"{tr.shape} and {te.shape}")
    if not (np.issubdtype(tr.dtype, np.integer) and np.issubdtype(te.dtype, np.integer)):
        raise Mismatch("train_idx and test_idx should hold integer indices (not booleans "
                       "or floats)")
    if not np.array_equal(y, y0):
        raise Mismatch("stratified_split modified y")
    both = np.concatenate([tr, te])
    if len(np.intersect1d(tr, te)):
        raise Mismatch("some indices are both in train_idx and test_idx")
    if not np.array_equal(np.sort(both), np.arange(n)):
        raise Mismatch(f"train_idx and test_idx together should contain every index 0..{n - 1} "
                       "exactly once")
    for c, n_c in enumerate(counts):
        in_test = int(np.sum(y[te] == c))
        if abs(in_test - frac * n_c) > 1:
            raise Mismatch(f"class {c} has {n_c} examples and {in_test} of them in the test "
                           f"set; with test_fraction={frac} expect about {frac * n_c:.1f}. "
                           "Split each class separately")
    if np.array_equal(np.sort(te), te) and np.array_equal(np.sort(tr), tr):
        # both sorted is fine only if the choice within each class was random
        first = np.concatenate([np.flatnonzero(y == c)[:len(te[y[te] == c])]
                                for c in range(len(counts))])
        if np.array_equal(np.sort(first), te):
            raise Mismatch("the test set takes the first examples of each class; choose "
                           "them at random (with rng)")
    return True, ("every index used exactly once, and each class split at random with "
                  "the requested test fraction (to within one example)")
