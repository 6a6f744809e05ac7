"""compile(metrics=...): names (Keras's aliases), functions, and nnlib.metrics.Metric objects."""
import numpy as np
import pytest

import nnlib
from nnlib import layers, metrics


def regression_data(n=90, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    y = X @ [1.0, -2.0, 0.5] + 0.5 * rng.standard_normal(n)
    return X, y


def test_pearson_is_exact_over_the_epoch(rng):
    a, b = rng.standard_normal(1000) * 1e3 + 1e6, rng.standard_normal(1000)
    b += a * 1e-3
    m = metrics.PearsonCorrelation()
    for s in range(0, 1000, 37):
        m.update_state(a[s:s + 37], b[s:s + 37])
    assert m.result() == pytest.approx(np.corrcoef(a, b)[0, 1], abs=1e-12)
    m.reset_state()
    assert m.result() == 0.0             # nothing seen (nnlib's convention)
    m.update_state([1.0, 1.0], [2.0, 3.0])
    assert m.result() == 0.0             # constant y_true: undefined


def test_pearson_in_fit_differs_from_the_batch_average():
    X, y = regression_data()
    model = nnlib.Sequential([layers.Dense(1, input_dim=3)], seed=0)

    def batch_r(y_true, y_pred):
        return np.corrcoef(y_true.ravel(), y_pred.ravel())[0, 1]

    model.compile("mse", nnlib.optimizers.SGD(0.05),
                  metrics=[metrics.PearsonCorrelation(), batch_r, "mae"])
    h = model.fit(X, y, epochs=3, batch_size=30, shuffle=False)
    assert set(h.history) == {"loss", "pearson_correlation", "batch_r", "mae"}
    r_eval = model.evaluate(X, y, return_dict=True)
    P = model.predict(X)
    assert r_eval["pearson_correlation"] == pytest.approx(np.corrcoef(y, P[:, 0])[0, 1],
                                                          abs=1e-12)
    assert r_eval["batch_r"] == pytest.approx(np.corrcoef(y, P[:, 0])[0, 1], abs=1e-12)
    assert r_eval["mae"] == pytest.approx(np.mean(np.abs(y - P[:, 0])), abs=1e-12)
    # during training each batch's r is averaged: not the epoch's r
    assert h.history["batch_r"][0] != pytest.approx(h.history["pearson_correlation"][0],
                                                    abs=1e-6)


def test_function_metric_is_weighted_by_batch_size():
    X, y = regression_data(10)
    model = nnlib.Sequential([layers.Dense(1, input_dim=3)], seed=0)
    seen = []

    def first_target(y_true, y_pred):
        seen.append(len(y_true))
        return float(y_true[0, 0])

    model.compile("mse", metrics=[first_target])
    value = model.evaluate(X, y, batch_size=4, return_dict=True)["first_target"]
    assert seen == [4, 4, 2]
    assert value == pytest.approx((4 * y[0] + 4 * y[4] + 2 * y[8]) / 10)


def test_names_and_aliases(rng):
    X = rng.standard_normal((40, 3))
    yb = (X[:, 0] > 0).astype(float)
    m = nnlib.Sequential([layers.Dense(1, "sigmoid", input_dim=3)], seed=0)
    m.compile("binary_crossentropy", metrics=["acc", "accuracy", "binary_accuracy", "mse",
                                              "mean_absolute_error"])
    d = m.evaluate(X, yb, return_dict=True)
    p = m.predict(X)[:, 0]
    acc = np.mean((p > 0.5) == yb)
    assert d["acc"] == d["accuracy"] == d["binary_accuracy"] == pytest.approx(acc)
    assert d["mse"] == pytest.approx(np.mean((p - yb) ** 2))
    ys = rng.integers(0, 3, 40)
    m = nnlib.Sequential([layers.Dense(3, "softmax", input_dim=3)], seed=0)
    m.compile("sparse_categorical_crossentropy", metrics=["acc"])
    assert m.evaluate(X, ys, return_dict=True)["acc"] == pytest.approx(
        np.mean(m.predict(X).argmax(1) == ys))
    m.compile("categorical_crossentropy", metrics=["acc", "categorical_accuracy"])
    d = m.evaluate(X, np.eye(3)[ys], return_dict=True)
    assert d["acc"] == d["categorical_accuracy"] == pytest.approx(
        np.mean(m.predict(X).argmax(1) == ys))


def test_keras_pearson_difference():
    keras = pytest.importorskip("keras")
    yt = np.arange(6, dtype=np.float32).reshape(-1, 1)
    yp = (yt * 2 + np.array([[0.1], [-0.3], [0.2], [0.0], [0.4], [-0.1]])).astype(np.float32)
    k = keras.metrics.PearsonCorrelation()
    k.update_state(yt, yp)
    assert np.isnan(float(k.result()))    # per sample along axis -1: NaN for one column
    assert metrics.PearsonCorrelation()(yt, yp) == pytest.approx(
        np.corrcoef(yt[:, 0], yp[:, 0])[0, 1], abs=1e-7)


def test_errors():
    m = nnlib.Sequential([layers.Dense(1, "sigmoid", input_dim=3)], seed=0)
    with pytest.raises(ValueError, match="unknown metric 'auc'.*acc, accuracy"):
        m.compile("binary_crossentropy", metrics=["auc"])
    with pytest.raises(TypeError, match="instance"):
        m.compile("mse", metrics=[metrics.PearsonCorrelation])
    with pytest.raises(TypeError, match="must be a list"):
        m.compile("mse", metrics="acc")
    with pytest.raises(TypeError, match="a metric must be"):
        m.compile("mse", metrics=[3])
    with pytest.raises(ValueError, match="unique"):
        m.compile("mse", metrics=["mae", "mae"])
    with pytest.raises(ValueError, match="binary labels"):
        metrics.binary_accuracy([0, 2, 1], [0.1, 0.9, 0.8])
    m.compile("mse", metrics=["binary_accuracy"])
    with pytest.raises(ValueError, match="binary labels"):
        m.evaluate(np.ones((3, 3)), [0.0, 0.5, 1.0])
    p = metrics.PearsonCorrelation()
    with pytest.raises(ValueError, match="different sizes"):
        p.update_state([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="NaN"):
        p.update_state([1, np.nan], [1, 2])
    with pytest.raises(TypeError, match="name"):
        metrics.PearsonCorrelation(name=3)

    def bad(y_true, y_pred):
        return "x"

    m.compile("mse", metrics=[bad])
    with pytest.raises(TypeError, match="must return a number"):
        m.evaluate(np.ones((3, 3)), [0.0, 0.5, 1.0])
