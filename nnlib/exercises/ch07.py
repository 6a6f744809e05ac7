"""Checkers of chapter 7 (a split that keeps groups together, a stratified split).

Each checker draws fresh inputs from ``rng`` and says right or wrong with a hint (never
the solution).
"""
from __future__ import annotations

import numpy as np

from ._core import Mismatch, call, checker, forbid


def _as_array(got, what):
    try:
        return np.asarray(got)
    except Exception:  # noqa: BLE001 - any failure to convert is the student's
        raise Mismatch(f"{what} should be an array, got {type(got).__name__}") from None


# ---------------------------------------------------------------- group_split
_SPLITTERS = ("train_test_split", "GroupShuffleSplit", "GroupKFold", "StratifiedGroupKFold",
              "LeaveOneGroupOut", "LeavePGroupsOut", "ShuffleSplit", "KFold")


def _group_answer(fn, groups, frac, seed):
    got = call(fn, groups, frac, np.random.default_rng(seed), name="group_split")
    if got is None:
        raise Mismatch("group_split returned None: did it forget to `return` the pair "
                       "(train_idx, test_idx)?")
    return _index_pair(got, "group_split")


def _index_pair(got, name):
    """``got`` as two 1-D integer index arrays, or :class:`Mismatch` saying what is wrong."""
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Mismatch(f"{name} should return a pair (train_idx, test_idx)")
    tr, te = _as_array(got[0], "train_idx"), _as_array(got[1], "test_idx")
    if tr.ndim != 1 or te.ndim != 1:
        raise Mismatch(f"train_idx and test_idx should be 1-D arrays of indices, got shapes "
                       f"{tr.shape} and {te.shape}")
    if not (np.issubdtype(tr.dtype, np.integer) and np.issubdtype(te.dtype, np.integer)):
        raise Mismatch("train_idx and test_idx should hold integer indices (not booleans "
                       "or floats)")
    return tr, te


@checker("ch07.group_split",
         "group_split(groups, test_fraction, rng): train/test indices that never share a group")
def check_group_split(fn, rng):
    forbid(fn, {name: "scikit-learn's splitters do the job you are asked to write; use "
                "NumPy (np.unique, rng.permutation, np.isin ...)" for name in _SPLITTERS})
    n_groups = int(rng.integers(8, 15))
    ids = rng.choice(np.arange(100, 1000), size=n_groups, replace=False)   # writer ids
    sizes = rng.integers(3, 20, size=n_groups)
    groups = rng.permutation(np.repeat(ids, sizes))
    n = len(groups)
    frac = float(rng.choice([0.2, 0.25, 0.3]))
    g0 = groups.copy()
    seed = int(rng.integers(2**31))
    tr, te = _group_answer(fn, groups, frac, seed)
    if not np.array_equal(groups, g0):
        raise Mismatch("group_split modified groups")
    if len(np.intersect1d(tr, te)):
        raise Mismatch("some indices are both in train_idx and test_idx")
    if not np.array_equal(np.sort(np.concatenate([tr, te])), np.arange(n)):
        raise Mismatch(f"train_idx and test_idx together should contain every index "
                       f"0..{n - 1} exactly once")
    shared = np.intersect1d(groups[tr], groups[te])
    if len(shared):
        raise Mismatch(f"group {shared[0]} has examples in both the training and the test "
                       "set: a group must go to one side as a whole")
    k = len(np.unique(groups[te]))
    if abs(k - frac * n_groups) >= 1:
        raise Mismatch(f"the test set holds {k} of the {n_groups} groups; with "
                       f"test_fraction={frac} expect about {frac * n_groups:.1f} groups "
                       "(the fraction counts groups, not examples)")
    again = _group_answer(fn, groups, frac, seed)[1]
    if not np.array_equal(np.sort(again), np.sort(te)):
        raise Mismatch("the split is right but not reproducible: draw the random choice "
                       "from the rng argument, not from np.random or another generator")
    choices = {tuple(np.unique(groups[_group_answer(fn, groups, frac, s)[1]]))
               for s in range(seed + 1, seed + 6)}
    if len(choices) == 1:
        raise Mismatch("every rng gives the same test groups: choose the groups at random "
                       "with rng")
    return True, ("every index used exactly once, no group on both sides, and the test "
                  "groups chosen at random with the requested fraction")


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
    tr, te = _index_pair(got, "stratified_split")
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
