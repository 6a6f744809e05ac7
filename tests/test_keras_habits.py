"""Keras habits work on nnlib: the arguments Keras users pass, with Keras's semantics."""
import numpy as np
import pytest

import nnlib
from nnlib import layers


def data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4)).astype(np.float32)
    y = (X[:, 0] - X[:, 1] + 0.3 * rng.standard_normal(n) > 0).astype(np.float32)
    return X, y


def tutorial(keras_module):
    """A Keras tutorial's Sequential code; only the import differs between the runs."""
    ks = keras_module
    X, y = data()
    model = ks.Sequential([
        ks.layers.Input(shape=(4,)),
        ks.layers.Dense(16, activation="relu"),
        ks.layers.BatchNormalization(),
        ks.layers.Dropout(0.2),
        ks.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["acc"])
    history = model.fit(X, y, epochs=3, batch_size=16, validation_split=0.2,
                        class_weight={0: 1.0, 1: 2.0}, verbose=0)
    loss, acc = model.evaluate(X, y, verbose=0)
    proba = model.predict(X, verbose=0)
    return history.history, loss, acc, proba


def test_tutorial_runs_unchanged_on_nnlib():
    # ``import nnlib as keras``: nnlib.Sequential and nnlib.layers have Keras's layout
    hist, loss, acc, proba = tutorial(nnlib)
    assert set(hist) == {"loss", "acc", "val_loss", "val_acc"}
    assert len(hist["loss"]) == 3 and 0 <= acc <= 1 and np.isfinite(loss)
    assert proba.shape == (60, 1)


def test_tutorial_on_keras_reports_the_same_keys():
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    hist, *_ = tutorial(keras)
    assert set(hist) == set(tutorial(nnlib)[0])


def keras_pair(keras, X, loss="binary_crossentropy", units=1, act="sigmoid",
               metrics=None):
    keras.utils.set_random_seed(0)
    km = keras.Sequential([keras.Input((X.shape[1],)), keras.layers.Dense(5, "tanh"),
                           keras.layers.Dense(units, act)])
    km.compile(loss=loss, optimizer=keras.optimizers.SGD(0.1), metrics=metrics)
    m = nnlib.Sequential([layers.Input(shape=(X.shape[1],)), layers.Dense(5, "tanh"),
                          layers.Dense(units, act)], dtype="float32")
    m.compile(loss, nnlib.optimizers.SGD(0.1), metrics=metrics)
    m.set_weights(km.get_weights())
    return km, m


@pytest.mark.parametrize("kwargs", [
    {"validation_split": 0.25},
    {"class_weight": {0: 0.5, 1: 3.0}},
    {"sample_weight": np.linspace(0.0, 2.0, 60).astype(np.float32)},
    {"sample_weight": np.linspace(0.0, 2.0, 60).astype(np.float32),
     "validation_split": 0.3},
])
def test_training_arguments_agree_with_keras(kwargs):
    keras = pytest.importorskip("keras")
    X, y = data()
    km, m = keras_pair(keras, X, metrics=["acc", "mse"])
    kh = km.fit(X, y, epochs=3, batch_size=16, shuffle=False, verbose=0, **kwargs)
    h = m.fit(X, y, epochs=3, batch_size=16, shuffle=False, verbose=0, **kwargs)
    assert set(h.history) == set(kh.history)
    for k in kh.history:
        np.testing.assert_allclose(h.history[k], kh.history[k], atol=1e-6, err_msg=k)
    for a, b in zip(m.get_weights(), km.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)   # measured: 1.2e-7


def test_evaluate_and_metrics_agree_with_keras():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(1)
    X = rng.standard_normal((50, 3)).astype(np.float32)
    y = rng.integers(0, 3, 50)
    names = ["acc", "sparse_categorical_accuracy"]
    km, m = keras_pair(keras, X, "sparse_categorical_crossentropy", 3, "softmax", names)
    w = rng.uniform(0, 2, 50).astype(np.float32)
    kd = km.evaluate(X, y, batch_size=7, verbose=0, return_dict=True, sample_weight=w)
    d = m.evaluate(X, y, batch_size=7, verbose=0, return_dict=True, sample_weight=w)
    assert list(d) == ["loss"] + names and set(d) == set(kd)
    for k in kd:
        assert d[k] == pytest.approx(kd[k], abs=1e-5), k
    np.testing.assert_allclose(m.predict(X, batch_size=8, verbose=0),
                               km.predict(X, batch_size=8, verbose=0), atol=1e-6)


def test_initial_epoch_resumes(rng):
    X, y = data()
    m = nnlib.Sequential([layers.Input(shape=(4,)), layers.Dense(1, "sigmoid")], seed=0)
    m.compile("binary_crossentropy")
    h = m.fit(X, y, epochs=5, initial_epoch=3, verbose=0)
    assert h.epoch == [3, 4] and len(h.history["loss"]) == 2
    assert m.fit(X, y, epochs=2, initial_epoch=2).epoch == []


def test_verbose_output_is_stable(capsys):
    X, y = data()
    m = nnlib.Sequential([layers.Input(shape=(4,)), layers.Dense(1, "sigmoid")], seed=0)
    m.compile("binary_crossentropy", metrics=["acc"])
    m.fit(X, y, epochs=2, verbose=2)
    m.evaluate(X, y, verbose=1)
    m.predict(X, verbose=1)
    out = capsys.readouterr()
    lines = out.out.splitlines()
    assert len(lines) == 3 and lines[0].startswith("Epoch 1/2 - loss: ")
    assert lines[2].startswith("loss: ") and " - acc: " in lines[2]
    assert out.err == "" and "/s" not in out.out and "ms" not in out.out
    m.fit(X, y, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""


def test_weighted_loss_equals_unweighted_with_unit_weights():
    X, y = data()
    for loss, units, act, yy in [("binary_crossentropy", 1, "sigmoid", y),
                                 ("mse", 2, None, np.c_[y, -y]),
                                 ("sparse_categorical_crossentropy", 3, "softmax",
                                  (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)),
                                 ("binary_crossentropy", 1, "tanh", None)]:
        if yy is None:   # not the fused pair: the probabilities' formula
            m = nnlib.Sequential([layers.Dense(1, "sigmoid", input_dim=4),
                                  layers.Activation("linear")], seed=0)
            yy = y
        else:
            m = nnlib.Sequential([layers.Dense(units, act, input_dim=4)], seed=0)
        m.compile(loss)
        assert m.evaluate(X, yy, sample_weight=np.ones(60)) == pytest.approx(
            m.evaluate(X, yy), rel=1e-12)
        assert m.evaluate(X, yy, sample_weight=np.full(60, 3.0)) == pytest.approx(
            3 * m.evaluate(X, yy), rel=1e-12)


def test_class_weight_equals_the_sample_weights_it_makes():
    X, y = data()

    def run(**kw):
        m = nnlib.Sequential([layers.Dense(3, "relu", input_dim=4),
                              layers.Dense(1, "sigmoid")], seed=0)
        m.compile("binary_crossentropy")
        m.fit(X, y, epochs=2, batch_size=8, **kw)
        return m.get_weights()

    a = run(class_weight={0: 1.0, 1: 4.0})
    b = run(sample_weight=np.where(y == 1, 4.0, 1.0))
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)


def test_validation_split_takes_the_last_rows():
    X, y = data(10)
    m = nnlib.Sequential([layers.Dense(1, "sigmoid", input_dim=4)], seed=0)
    m.compile("binary_crossentropy")
    h = m.fit(X, y, epochs=1, validation_split=0.3, shuffle=True)
    m2 = nnlib.Sequential([layers.Dense(1, "sigmoid", input_dim=4)], seed=0)
    m2.compile("binary_crossentropy")
    h2 = m2.fit(X[:7], y[:7], epochs=1, validation_data=(X[7:], y[7:]))
    assert h.history == h2.history


def test_bad_arguments():
    X, y = data()
    m = nnlib.Sequential([layers.Dense(1, "sigmoid", input_dim=4)], seed=0)
    m.compile("binary_crossentropy")
    with pytest.raises(TypeError, match="not support: steps_per_epoch"):
        m.fit(X, y, steps_per_epoch=3)
    with pytest.raises(TypeError, match="not support: callbacks_list, workers"):
        m.fit(X, y, workers=2, callbacks_list=[])
    with pytest.raises(TypeError, match="evaluate.*not support: steps"):
        m.evaluate(X, y, steps=2)
    with pytest.raises(TypeError, match="predict.*not support: steps"):
        m.predict(X, steps=2)
    with pytest.raises(TypeError, match="needs targets y"):
        m.fit(X)
    for bad in (3, -1, True, "yes"):
        with pytest.raises(ValueError, match="verbose"):
            m.fit(X, y, verbose=bad)
    with pytest.raises(ValueError, match="verbose"):
        m.predict(X, verbose=5)
    for split in (1.0, -0.1, np.nan):
        with pytest.raises(ValueError, match="validation_split"):
            m.fit(X, y, validation_split=split)
    with pytest.raises(TypeError, match="validation_split"):
        m.fit(X, y, validation_split="0.2")
    with pytest.raises(ValueError, match="leaves 0 for"):
        m.fit(X[:1], y[:1], validation_split=0.5)
    with pytest.raises(ValueError, match="not both"):
        m.fit(X, y, validation_split=0.2, validation_data=(X, y))
    with pytest.raises(ValueError, match="not both"):
        m.fit(X, y, class_weight={0: 1, 1: 2}, sample_weight=np.ones(60))
    with pytest.raises(ValueError, match="different numbers of samples"):
        m.fit(X, y, sample_weight=np.ones(59))
    with pytest.raises(ValueError, match="NaN"):
        m.fit(X, y, sample_weight=np.r_[np.nan, np.ones(59)])
    with pytest.raises(ValueError, match="non-negative"):
        m.fit(X, y, sample_weight=-np.ones(60))
    with pytest.raises(ValueError, match="1-D"):
        m.fit(X, y, sample_weight=np.ones((60, 2)))
    with pytest.raises(ValueError, match="does not cover"):
        m.fit(X, y, class_weight={0: 1.0})
    r = nnlib.Sequential([layers.Dense(1, input_dim=4)], seed=0)
    r.compile("mse")
    with pytest.raises(ValueError, match="class indices 0, 1, ... in y, got -3"):
        r.fit(X, y - 3, class_weight={0: 1.0})
    with pytest.raises(ValueError, match="class_weight keys"):
        m.fit(X, y, class_weight={"a": 1.0})
    with pytest.raises(ValueError, match=r"class_weight\[1\]"):
        m.fit(X, y, class_weight={0: 1.0, 1: -2})
    with pytest.raises(TypeError, match="class_weight must be"):
        m.fit(X, y, class_weight=[1, 2])
    with pytest.raises(ValueError, match="initial_epoch"):
        m.fit(X, y, initial_epoch=-1)
    with pytest.raises(ValueError, match="batch_size"):
        m.evaluate(X, y, batch_size=0)
    with pytest.raises(ValueError, match="validation_data must be"):
        m.fit(X, y, validation_data=(X,))
