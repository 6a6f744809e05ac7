"""The checkers of chapter 6: a right answer passes, wrong ones fail with a useful hint."""
import numpy as np
import pytest

from nnlib import autodiff as ad
from nnlib.autodiff import Value
from nnlib.exercises import check

SEEDS = [0, 1, 2]


def dense_right(X, W, delta):
    return X.T @ delta, delta.sum(axis=0), delta @ W.T


def dense_mean_bias(X, W, delta):
    return X.T @ delta, delta.mean(axis=0), delta @ W.T


def dense_wrong_dX(X, W, delta):
    return X.T @ delta, delta.sum(axis=0), delta @ W.T * 2


def dense_transposed(X, W, delta):
    return delta.T @ X, delta.sum(axis=0), delta @ W.T


def dense_two(X, W, delta):
    return X.T @ delta, delta.sum(axis=0)


def dense_raises(X, W, delta):
    raise NotImplementedError


def dense_bug(X, W, delta):
    return X @ delta, delta.sum(axis=0), delta @ W.T


@pytest.mark.parametrize("seed", SEEDS)
def test_dense_backward_right(seed):
    result = check("ch06.dense_backward", dense_right, seed=seed)
    assert result, result.message
    assert "correct" in str(result)


@pytest.mark.parametrize("seed", SEEDS)
def test_dense_backward_wrong(seed):
    r = check("ch06.dense_backward", dense_mean_bias, seed=seed)
    assert not r and "sum" in r.message
    r = check("ch06.dense_backward", dense_wrong_dX, seed=seed)
    assert not r and "dX" in r.message and "wrong values" in r.message


@pytest.mark.parametrize("seed", SEEDS)
def test_dense_backward_wrong_shape(seed):
    r = check("ch06.dense_backward", dense_transposed, seed=seed)
    assert not r and "transposed" in r.message
    r = check("ch06.dense_backward", dense_two, seed=seed)
    assert not r and "three arrays" in r.message


def test_dense_backward_raising():
    r = check("ch06.dense_backward", dense_raises, seed=0)
    assert not r and "NotImplementedError" in r.message
    r = check("ch06.dense_backward", dense_bug, seed=0)
    assert not r and "raised ValueError" in r.message
    r = check("ch06.dense_backward", 42, seed=0)
    assert not r and "expected a function" in r.message


def softplus_right(x):
    return ad.log(1 + ad.exp(x))


def softplus_floats(x):
    import math
    return Value(math.log1p(math.exp(x.data)))


def softplus_wrong(x):
    return ad.log(1 + ad.exp(x)) + 0.1


def softplus_bad_grad(x):
    import math
    v = math.log1p(math.exp(x.data))
    return Value(v, (x,), (0.5,))


def softplus_number(x):
    import math
    return math.log1p(math.exp(x.data))


def softplus_raises(x):
    raise NotImplementedError


def softplus_typeerror(x):
    return ad.log(1 + np.exp(x))


@pytest.mark.parametrize("seed", SEEDS)
def test_softplus_right(seed):
    r = check("ch06.softplus_value", softplus_right, seed=seed)
    assert r, r.message


@pytest.mark.parametrize("seed", SEEDS)
def test_softplus_wrong(seed):
    r = check("ch06.softplus_value", softplus_wrong, seed=seed)
    assert not r and "not log(1 + e^x)" in r.message
    r = check("ch06.softplus_value", softplus_floats, seed=seed)
    assert not r and "not connected" in r.message
    r = check("ch06.softplus_value", softplus_bad_grad, seed=seed)
    assert not r and "x.grad" in r.message


def test_softplus_wrong_type():
    r = check("ch06.softplus_value", softplus_number, seed=0)
    assert not r and "should return a Value" in r.message


def test_softplus_raising():
    r = check("ch06.softplus_value", softplus_raises, seed=0)
    assert not r and "NotImplementedError" in r.message
    r = check("ch06.softplus_value", softplus_typeerror, seed=0)
    assert not r and "raised" in r.message
