"""The checkers of chapter 7: a right answer passes, wrong ones fail with a useful hint."""
import numpy as np
import pytest

from nnlib.exercises import check

SEEDS = [0, 1, 2]


def shuffle_right(X, y, rng):
    perm = rng.permutation(len(y))
    return X[perm], y[perm]


def shuffle_separately(X, y, rng):
    return rng.permutation(X), rng.permutation(y)


def shuffle_global_rng(X, y, rng):
    perm = np.random.permutation(len(y))
    return X[perm], y[perm]


def shuffle_nothing(X, y, rng):
    return X.copy(), y.copy()


def shuffle_in_place(X, y, rng):
    perm = rng.permutation(len(y))
    X[:] = X[perm]
    y[:] = y[perm]
    return X.copy(), y.copy()


def shuffle_transposed(X, y, rng):
    perm = rng.permutation(len(y))
    return X[perm].T, y[perm]


def split_right(y, test_fraction, rng):
    y = np.asarray(y)
    train, test = [], []
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        k = int(round(test_fraction * len(idx)))
        test.append(idx[:k])
        train.append(idx[k:])
    return np.concatenate(train), np.concatenate(test)


def split_plain(y, test_fraction, rng):
    perm = rng.permutation(len(y))
    k = int(round(test_fraction * len(y)))
    return perm[k:], perm[:k]


def split_first(y, test_fraction, rng):
    train, test = [], []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        k = int(round(test_fraction * len(idx)))
        test.append(idx[:k])
        train.append(idx[k:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def split_overlap(y, test_fraction, rng):
    tr, te = split_right(y, test_fraction, rng)
    return np.concatenate([tr, te[:1]]), te


def split_mask(y, test_fraction, rng):
    tr, te = split_right(y, test_fraction, rng)
    mask = np.zeros(len(y), bool)
    mask[te] = True
    return ~mask, mask


def raises(*args):
    raise ValueError("boom")


def not_implemented(*args):
    raise NotImplementedError


@pytest.mark.parametrize("seed", SEEDS)
def test_shuffle_right(seed):
    result = check("ch07.shuffle_together", shuffle_right, seed=seed)
    assert result, str(result)
    assert "correct" in str(result)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("fn, hint", [
    (shuffle_separately, "same permutation"),
    (shuffle_global_rng, "rng"),
    (shuffle_nothing, "nothing was shuffled"),
    (shuffle_in_place, "in place"),
    (shuffle_transposed, "shape"),
    (raises, "ValueError: boom"),
    (not_implemented, "NotImplementedError"),
    (lambda X, y, rng: X, "pair"),
])
def test_shuffle_wrong(fn, hint, seed):
    result = check("ch07.shuffle_together", fn, seed=seed)
    assert not result
    assert hint in str(result), str(result)


@pytest.mark.parametrize("seed", SEEDS)
def test_split_right(seed):
    result = check("ch07.stratified_split", split_right, seed=seed)
    assert result, str(result)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("fn, hint", [
    (split_first, "at random"),
    (split_overlap, "both in"),
    (split_mask, "integer indices"),
    (lambda y, f, rng: (np.arange(len(y)).reshape(-1, 1), np.arange(0)), "1-D"),
    (raises, "ValueError: boom"),
    (not_implemented, "NotImplementedError"),
    (3, "expected a function"),
])
def test_split_wrong(fn, hint, seed):
    result = check("ch07.stratified_split", fn, seed=seed)
    assert not result
    assert hint in str(result), str(result)


def test_plain_split_is_usually_caught():
    # a plain random split breaks the per-class proportions for most seeds
    failures = sum(not check("ch07.stratified_split", split_plain, seed=s) for s in range(10))
    assert failures >= 8
