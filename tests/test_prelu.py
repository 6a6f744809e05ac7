"""The PReLU layer: forward, backward (finite differences), a model with it, and Keras."""
import numpy as np
import pytest

import nnlib
from nnlib import gradcheck, layers


def _X(rng, n=7, d=4):
    X = rng.standard_normal((n, d))
    X[np.abs(X) < 1e-3] = 0.5          # keep away from the kink at 0
    return X


def test_default_alpha_is_zeros_like_keras():
    layer = layers.PReLU()
    layer.build(3, np.random.default_rng(0))
    assert layer.params["alpha"].shape == (3,)
    np.testing.assert_array_equal(layer.params["alpha"], 0.0)
    assert layer.output_dim == 3 and layer.count_params() == 3
    assert "PReLU" in layers.__all__


def test_constant_and_named_initializers():
    layer = layers.PReLU(alpha_initializer=0.25)
    layer.build(5)
    np.testing.assert_array_equal(layer.params["alpha"], 0.25)
    layer = layers.PReLU(alpha_initializer="ones")
    layer.build(2)
    np.testing.assert_array_equal(layer.params["alpha"], 1.0)
    with pytest.raises(ValueError):
        layers.PReLU(alpha_initializer="nonsense")


def test_forward_is_the_formula(rng):
    layer = layers.PReLU()
    layer.build(4)
    alpha = np.array([0.0, 0.1, 0.25, -0.5])
    layer.set_weights([alpha])
    X = _X(rng)
    np.testing.assert_allclose(layer.forward(X), np.where(X > 0, X, alpha * X), atol=1e-15)


def test_alpha_zero_is_relu_and_one_is_identity(rng):
    X = _X(rng)
    layer = layers.PReLU()
    layer.build(4)
    np.testing.assert_allclose(layer.forward(X), np.maximum(X, 0))
    layer.set_weights([np.ones(4)])
    np.testing.assert_allclose(layer.forward(X), X)


@pytest.mark.parametrize("alpha", [0.0, 0.25, -0.3, 1.7])
def test_gradients_match_finite_differences(rng, alpha):
    layer = layers.PReLU(alpha_initializer=alpha)
    X = _X(rng)
    layer.build(X.shape[1])
    layer.set_weights([alpha + 0.1 * rng.standard_normal(X.shape[1])])
    result = gradcheck.check_layer(layer, X)
    assert set(result.errors) == {"input", "alpha"}
    assert result.max_error < 1e-8, str(result)


def test_in_a_model_gradients_and_training(rng):
    X = rng.standard_normal((40, 3))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    model = nnlib.Sequential([layers.Dense(6, input_dim=3), layers.PReLU(alpha_initializer=0.25),
                              layers.Dense(1, activation="sigmoid")], seed=0)
    model.compile(loss="binary_crossentropy", optimizer="sgd")
    shapes = [w.shape for w in model.get_weights()]
    assert shapes == [(3, 6), (6,), (6,), (6, 1), (1,)]
    assert gradcheck.check_model(model, X, y).max_error < 1e-7
    before = model.get_weights()[2].copy()
    model.fit(X, y, epochs=3, batch_size=8, verbose=0)
    assert not np.allclose(model.get_weights()[2], before)      # alpha is learned


def test_float32_stays_float32(rng):
    model = nnlib.Sequential([layers.Dense(3, input_dim=2), layers.PReLU(0.2)], seed=0,
                             dtype="float32")
    out = model.predict(rng.standard_normal((5, 2)).astype(np.float32))
    assert out.dtype == np.float32
    assert model.get_weights()[2].dtype == np.float32


def test_agrees_with_keras(rng):
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    units = 5
    k_layer = keras.layers.PReLU()
    k_model = keras.Sequential([keras.Input((units,)), k_layer])
    (k_alpha,) = k_model.get_weights()
    assert k_alpha.shape == (units,)
    np.testing.assert_array_equal(k_alpha, 0.0)                  # Keras's default: zeros
    alpha = rng.uniform(-0.5, 1.0, units).astype(np.float32)
    k_model.set_weights([alpha])
    layer = layers.PReLU()
    layer.build(units, dtype=np.float32)
    layer.set_weights(k_model.get_weights())
    X = (3 * rng.standard_normal((20, units))).astype(np.float32)
    np.testing.assert_allclose(layer.forward(X), k_model.predict(X, verbose=0),
                               rtol=1e-6, atol=1e-6)

    # the gradients too: dL/dX and dL/dalpha of L = sum(R * f(X)) with TensorFlow's tape
    import tensorflow as tf

    R = rng.standard_normal((20, units)).astype(np.float32)
    Xt = tf.constant(X)
    with tf.GradientTape() as tape:
        tape.watch(Xt)
        loss = tf.reduce_sum(R * k_layer(Xt))
    gX, galpha = tape.gradient(loss, [Xt, k_layer.trainable_weights[0]])
    layer.forward(X)
    dX = layer.backward(R.copy())
    np.testing.assert_allclose(dX, gX.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(layer.grads["alpha"], galpha.numpy(), rtol=1e-5, atol=1e-5)
