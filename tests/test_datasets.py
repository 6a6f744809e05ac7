"""datasets: shapes, ranges, determinism; nothing here touches the network."""
import sys

import numpy as np
import pytest

from nnlib import activations, datasets


# ---------------------------------------------------------------- make_logistic
def test_make_logistic_shapes_and_labels():
    X, y = datasets.make_logistic()
    assert X.shape == (1000, 2) and y.shape == (1000,)
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert set(np.unique(y)) == {0, 1}
    X3, y3 = datasets.make_logistic(n=50, beta=(1.0, -1.0, 0.5), seed=3)
    assert X3.shape == (50, 3) and y3.shape == (50,)
    assert datasets.make_logistic(n=10, dtype=np.float32)[0].dtype == np.float32


def test_make_logistic_is_deterministic():
    X1, y1 = datasets.make_logistic(seed=0)
    X2, y2 = datasets.make_logistic(seed=0)
    X3, y3 = datasets.make_logistic(seed=1)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


def test_make_logistic_follows_the_model():
    X, y = datasets.make_logistic(n=20000, beta=(1.0, 2.0), seed=0)
    # no intercept column, standard normal features
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=0.03)
    np.testing.assert_allclose(X.std(axis=0), 1, atol=0.03)
    # the labels are Bernoulli(sigmoid(X beta)): their mean matches the probabilities'
    p = activations.sigmoid(X @ np.array([1.0, 2.0]))
    assert y.mean() == pytest.approx(p.mean(), abs=0.01)
    from sklearn.linear_model import LogisticRegression

    coef = LogisticRegression(C=np.inf, fit_intercept=False).fit(X, y).coef_[0]
    np.testing.assert_allclose(coef, [1.0, 2.0], atol=0.1)


def test_make_logistic_errors():
    with pytest.raises(ValueError, match="n must be a positive integer"):
        datasets.make_logistic(n=0)
    with pytest.raises(ValueError, match="beta must be a non-empty 1-D"):
        datasets.make_logistic(beta=[])


# ---------------------------------------------------------------- digits and MNIST
def test_load_digits():
    X, y = datasets.load_digits()
    assert X.shape == (1797, 64) and y.shape == (1797,)
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 1
    assert set(np.unique(y)) == set(range(10))
    assert datasets.load_digits(dtype=np.float32)[0].dtype == np.float32


def test_load_mnist_subset():
    X, y = datasets.load_mnist_subset()
    assert X.shape == (5000, 784) and y.shape == (5000,)
    assert X.min() == 0 and X.max() == 1
    np.testing.assert_array_equal(np.bincount(y), [500] * 10)
    assert y.dtype == np.int64


def test_load_mnist_refuses_without_download(monkeypatch):
    # make any attempt to reach keras.datasets fail loudly, then check it is never made
    monkeypatch.setitem(sys.modules, "keras.datasets", None)
    with pytest.raises(RuntimeError, match="download=True") as info:
        datasets.load_mnist()
    assert "load_mnist_subset" in str(info.value)
    with pytest.raises(RuntimeError, match="download=True"):
        datasets.load_mnist(download=False)


# ---------------------------------------------------------------- one_hot
def test_one_hot():
    Y = datasets.one_hot([2, 0, 1, 2])
    np.testing.assert_array_equal(Y, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    assert Y.dtype == np.float64
    assert datasets.one_hot([0, 1], 4).shape == (2, 4)
    assert datasets.one_hot(np.array([1.0, 0.0])).shape == (2, 2)   # integer-valued floats
    assert datasets.one_hot([1], dtype=np.float32).dtype == np.float32
    assert datasets.one_hot([], 3).shape == (0, 3)
    y = np.random.default_rng(0).integers(0, 10, 100)
    np.testing.assert_array_equal(datasets.one_hot(y, 10).argmax(axis=1), y)


def test_one_hot_errors():
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.2, got values 0\.\.3"):
        datasets.one_hot([0, 3], 3)
    with pytest.raises(ValueError, match=r"-1"):
        datasets.one_hot([-1, 1], 3)
    with pytest.raises(ValueError, match=r"1-D.*\(2, 1\)"):
        datasets.one_hot([[0], [1]])
    with pytest.raises(ValueError, match="integers"):
        datasets.one_hot([0.5, 1.0])
    with pytest.raises(ValueError, match="integers"):
        datasets.one_hot(["a", "b"])


# ---------------------------------------------------------------- rings and sine
def test_make_rings():
    X, y = datasets.make_rings(n=1000, inner_radius=1.0, outer_radius=(2.0, 3.0))
    assert X.shape == (1000, 2) and y.shape == (1000,) and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), [500, 500])
    r = np.hypot(X[:, 0], X[:, 1])
    assert r[y == 0].max() <= 1.0
    assert r[y == 1].min() >= 2.0 and r[y == 1].max() <= 3.0
    # the classes are shuffled, not in blocks
    assert 0 < y[:100].mean() < 1
    X2, y2 = datasets.make_rings(n=1000)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, datasets.make_rings(n=1000, seed=1)[0])
    Xn, _ = datasets.make_rings(n=1000, noise=0.3)
    assert np.hypot(Xn[:, 0], Xn[:, 1])[y == 0].max() > 1.0


def test_make_sine():
    x, y = datasets.make_sine(n=10, noise=0.1, seed=0)
    assert x.shape == (10, 1) and y.shape == (10,)
    assert np.all(np.diff(x[:, 0]) >= 0) and x.min() >= 0 and x.max() <= 1
    resid = y - np.sin(2 * np.pi * x[:, 0])
    assert 0 < np.abs(resid).max() < 0.5
    x0, y0 = datasets.make_sine(n=25, noise=0.0, seed=4)
    np.testing.assert_allclose(y0, np.sin(2 * np.pi * x0[:, 0]), rtol=0, atol=1e-15)
    x1, y1 = datasets.make_sine(n=10, noise=0.1, seed=0)
    np.testing.assert_array_equal(x, x1)
    np.testing.assert_array_equal(y, y1)
    assert not np.array_equal(y, datasets.make_sine(n=10, seed=1)[1])
