"""The checkers of chapter 7: a right answer passes, wrong ones fail with a useful hint."""
import numpy as np
import pytest

from nnlib.exercises import check

SEEDS = [0, 1, 2]


def group_right(groups, test_fraction, rng):
    groups = np.asarray(groups)
    names = rng.permutation(np.unique(groups))
    k = int(round(test_fraction * len(names)))
    in_test = np.isin(groups, names[:k])
    return np.flatnonzero(~in_test), np.flatnonzero(in_test)


def group_by_examples(groups, test_fraction, rng):
    # splits the examples, not the groups: writers end up on both sides
    perm = rng.permutation(len(groups))
    k = int(round(test_fraction * len(groups)))
    return perm[k:], perm[:k]


def group_first(groups, test_fraction, rng):
    names = np.unique(groups)
    k = int(round(test_fraction * len(names)))
    in_test = np.isin(groups, names[:k])
    return np.flatnonzero(~in_test), np.flatnonzero(in_test)


def group_global_rng(groups, test_fraction, rng):
    return group_right(groups, test_fraction, np.random.default_rng())


def group_too_many(groups, test_fraction, rng):
    return group_right(groups, 2 * test_fraction, rng)


def group_sklearn(groups, test_fraction, rng):
    from sklearn.model_selection import GroupShuffleSplit
    split = GroupShuffleSplit(n_splits=1, test_size=test_fraction,
                              random_state=int(rng.integers(2**31)))
    return next(split.split(np.zeros(len(groups)), groups=groups))


def group_transposed(groups, test_fraction, rng):
    tr, te = group_right(groups, test_fraction, rng)
    return tr.reshape(-1, 1), te


def group_no_return(groups, test_fraction, rng):
    group_right(groups, test_fraction, rng)


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
def test_group_right(seed):
    result = check("ch07.group_split", group_right, seed=seed)
    assert result, str(result)
    assert "correct" in str(result)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("fn, hint", [
    (group_by_examples, "both the training and the test"),
    (group_first, "at random"),
    (group_global_rng, "reproducible"),
    (group_too_many, "counts groups"),
    (group_sklearn, "scikit-learn's splitters"),
    (group_transposed, "1-D"),
    (group_no_return, "None"),
    (raises, "ValueError: boom"),
    (not_implemented, "NotImplementedError"),
    (lambda g, f, rng: np.arange(len(g)), "pair"),
])
def test_group_wrong(fn, hint, seed):
    result = check("ch07.group_split", fn, seed=seed)
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
