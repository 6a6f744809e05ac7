"""layers.Dropout: inverted dropout with Keras's semantics (rate = drop probability)."""
import numpy as np
import pytest

import nnlib
from nnlib import gradcheck, layers


def test_identity_in_inference_and_scaling_in_training(rng):
    X = rng.standard_normal((2000, 50))
    d = layers.Dropout(0.3, seed=1)
    d.build(50)
    assert d.forward(X, training=False) is X
    out = d.forward(X, training=True)
    kept = out != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(out[kept], X[kept] / 0.7)
    # the expected output equals the input (inverted dropout)
    assert abs(out.mean() - X.mean()) < 0.01


def test_rate_zero_is_identity(rng):
    X = rng.standard_normal((5, 3))
    d = layers.Dropout(0.0)
    d.build(3)
    np.testing.assert_array_equal(d.forward(X, training=True), X)


def test_seed_reproducible_and_model_seed(rng):
    X = rng.standard_normal((20, 4))
    a, b = layers.Dropout(0.5, seed=3), layers.Dropout(0.5, seed=3)
    a.build(4), b.build(4)
    np.testing.assert_array_equal(a.forward(X, True), b.forward(X, True))

    def run():
        m = nnlib.Sequential([layers.Input(shape=(4,)), layers.Dense(8, "relu"),
                              layers.Dropout(0.5), layers.Dense(1)], seed=0)
        m.compile("mse", "sgd")
        m.fit(X, X[:, 0], epochs=2, batch_size=5)
        return m.get_weights()

    for u, v in zip(run(), run()):
        np.testing.assert_array_equal(u, v)


def test_dropout_does_not_change_the_initial_weights_of_other_layers():
    a = nnlib.Sequential([layers.Dense(5, input_dim=3), layers.Dense(2)], seed=0)
    b = nnlib.Sequential([layers.Dense(5, input_dim=3), layers.Dropout(0.5),
                          layers.Dense(2)], seed=0)
    for u, v in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(u, v)


def test_gradient_check_with_a_fixed_mask(rng):
    X = rng.standard_normal((6, 4))
    d = layers.Dropout(0.4)
    d.build(4)
    d.fixed_mask = rng.random(X.shape) > 0.4
    res = gradcheck.check_layer(d, X)
    assert res.ok(1e-8), res
    # in a model: the whole loss through a fixed mask
    m = nnlib.Sequential([layers.Dense(5, "tanh", input_dim=4), layers.Dropout(0.5),
                          layers.Dense(1, "sigmoid")], seed=0)
    m.compile("binary_crossentropy")
    m.layers[1].fixed_mask = rng.random((6, 5)) > 0.5
    res = gradcheck.check_model(m, X, (X[:, 0] > 0).astype(float))
    assert res.ok(1e-7), res


def test_predict_and_evaluate_are_deterministic(rng):
    X = rng.standard_normal((30, 4))
    m = nnlib.Sequential([layers.Dense(5, "relu", input_dim=4), layers.Dropout(0.9),
                          layers.Dense(1)], seed=0)
    m.compile("mse")
    np.testing.assert_array_equal(m.predict(X), m.predict(X))
    assert m.evaluate(X, X[:, 0]) == m.evaluate(X, X[:, 0])


def test_agrees_with_keras_in_inference(rng):
    keras = pytest.importorskip("keras")
    from nnlib import kerastools

    X = rng.standard_normal((10, 4)).astype(np.float32)
    km = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, "relu"),
                           keras.layers.Dropout(0.5), keras.layers.Dense(1)])
    m = kerastools.from_keras(km)
    np.testing.assert_allclose(m.predict(X), km.predict(X, verbose=0), atol=1e-6)


@pytest.mark.parametrize("rate, exc", [(1.0, ValueError), (-0.1, ValueError),
                                       (np.nan, ValueError), ("0.5", TypeError),
                                       (True, TypeError)])
def test_bad_rate(rate, exc):
    with pytest.raises(exc, match="rate"):
        layers.Dropout(rate)


def test_bad_seed_and_mask(rng):
    with pytest.raises(TypeError, match="seed"):
        layers.Dropout(0.5, seed=1.5)
    d = layers.Dropout(0.5)
    d.build(3)
    d.fixed_mask = np.ones((2, 3), bool)
    with pytest.raises(ValueError, match="fixed_mask has shape"):
        d.forward(np.ones((4, 3)), training=True)


def test_same_scaling_as_keras_and_pytorch(rng):
    """Keras and PyTorch also scale the kept units by 1/(1 - rate) (rate = drop prob.)."""
    X = rng.uniform(1, 2, (200, 10)).astype(np.float32)
    d = layers.Dropout(0.3, seed=0)
    d.build(10)
    ours = d.forward(X, training=True)
    outs = [ours]
    keras = pytest.importorskip("keras")
    outs.append(np.asarray(keras.layers.Dropout(0.3, seed=0)(X, training=True)))
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    outs.append(torch.nn.Dropout(0.3)(torch.from_numpy(X)).numpy())
    for out in outs:
        kept = out != 0
        np.testing.assert_allclose(out[kept], X[kept] / 0.7, rtol=1e-6)
        assert abs(kept.mean() - 0.7) < 0.03
