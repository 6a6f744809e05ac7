"""nnlib agrees with Keras: forward passes, training steps, loss values, initializers.

Keras computes in float32, so nnlib runs in float32 here too and the tolerances are
float32's.
"""
import numpy as np
import pytest

keras = pytest.importorskip("keras")

import nnlib  # noqa: E402
from nnlib import datasets, initializers, layers, losses, optimizers, regularizers  # noqa: E402


@pytest.fixture(autouse=True)
def _seed():
    keras.utils.set_random_seed(0)


def keras_model(input_dim, units, acts, reg=None):
    stack = [keras.Input((input_dim,))]
    stack += [keras.layers.Dense(u, activation=a, kernel_regularizer=reg and reg())
              for u, a in zip(units, acts)]
    return keras.Sequential(stack)


def nnlib_model(input_dim, units, acts, weights, reg=None):
    stack = [layers.Dense(units[0], acts[0], input_dim=input_dim,
                          kernel_regularizer=reg and reg())]
    stack += [layers.Dense(u, a, kernel_regularizer=reg and reg())
              for u, a in zip(units[1:], acts[1:])]
    model = nnlib.Sequential(stack, seed=0, dtype="float32")
    model.set_weights(weights)
    return model


@pytest.fixture
def X(rng):
    return rng.standard_normal((100, 5)).astype(np.float32)


# ---------------------------------------------------------------- forward pass
@pytest.mark.parametrize("units, acts", [
    ((3,), ("sigmoid",)),
    ((8, 3), ("tanh", "softmax")),
    ((8, 4, 1), ("relu", "tanh", "sigmoid")),
    ((6, 2), ("sigmoid", "linear")),
    ((7, 6, 4), ("relu", "relu", "softmax")),
])
def test_same_weights_same_predictions(units, acts, X):
    kmodel = keras_model(5, units, acts)
    weights = kmodel.get_weights()
    model = nnlib_model(5, units, acts, weights)
    assert [w.shape for w in model.get_weights()] == [w.shape for w in weights]
    assert model.count_params() == kmodel.count_params()
    expected = kmodel.predict(X, verbose=0)
    P = model.predict(X)
    assert P.dtype == np.float32
    np.testing.assert_allclose(P, expected, rtol=1e-5, atol=1e-6)
    # and the other way round: nnlib's weights into Keras
    other = nnlib_model(5, units, acts, weights)
    other.set_weights([w * 1.5 for w in weights])
    kmodel.set_weights(other.get_weights())
    np.testing.assert_allclose(kmodel.predict(X, verbose=0), other.predict(X),
                               rtol=1e-5, atol=1e-6)


def test_parameter_counts_match_keras():
    for sizes, expected in [((5, 3, 4, 1), 39), ((2, 4, 2), 22)]:
        acts = ["sigmoid"] * (len(sizes) - 1)
        kmodel = keras_model(sizes[0], sizes[1:], acts)
        model = nnlib_model(sizes[0], sizes[1:], acts, kmodel.get_weights())
        assert model.count_params() == kmodel.count_params() == expected


# ---------------------------------------------------------------- training
OPTIMIZERS = {
    "sgd": (lambda: keras.optimizers.SGD(learning_rate=0.1),
            lambda: optimizers.SGD(learning_rate=0.1)),
    "momentum": (lambda: keras.optimizers.SGD(learning_rate=0.05, momentum=0.9),
                 lambda: optimizers.SGD(learning_rate=0.05, momentum=0.9)),
    "nesterov": (lambda: keras.optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
                 lambda: optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True)),
    "adam": (lambda: keras.optimizers.Adam(learning_rate=0.01),
             lambda: optimizers.Adam(learning_rate=0.01)),
}

PROBLEMS = {   # loss, output activation and units, targets from labels
    "categorical_crossentropy": ("softmax", 3, lambda y: datasets.one_hot(y % 3, 3)),
    "sparse_categorical_crossentropy": ("softmax", 3, lambda y: y % 3),
    "binary_crossentropy": ("sigmoid", 1, lambda y: (y % 2)[:, None]),
    "mse": ("linear", 2, lambda y: np.stack([np.sin(y), np.cos(y)], axis=1)),
}


def train_both(X, loss, make_optimizers, epochs=2, metrics=()):
    act, k, targets = PROBLEMS[loss]
    labels = (X[:, 0] > 0) + 2 * (X[:, 1] > 0.5)
    y = targets(labels.astype(np.int64))
    y = y.astype(np.float32) if y.dtype.kind == "f" else y
    kmodel = keras_model(5, (8, k), ("tanh", act))
    model = nnlib_model(5, (8, k), ("tanh", act), kmodel.get_weights())
    make_k, make_n = make_optimizers
    kmodel.compile(loss=loss, optimizer=make_k(), metrics=list(metrics), jit_compile=False)
    model.compile(loss=loss, optimizer=make_n(), metrics=list(metrics))
    kh = kmodel.fit(X, y, epochs=epochs, batch_size=32, shuffle=False, verbose=0)
    nh = model.fit(X, y, epochs=epochs, batch_size=32, shuffle=False, verbose=0)
    return kmodel, model, kh.history, nh.history


def assert_same_training(kmodel, model, kh, nh):
    np.testing.assert_allclose(nh["loss"], kh["loss"], rtol=1e-4)
    for a, b in zip(model.get_weights(), kmodel.get_weights()):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("opt", list(OPTIMIZERS))
def test_training_agrees_for_each_optimizer(opt, X):
    kmodel, model, kh, nh = train_both(X, "categorical_crossentropy", OPTIMIZERS[opt],
                                       metrics=["accuracy"])
    # the weights really moved: the comparison is not trivially true
    start = keras_model(5, (8, 3), ("tanh", "softmax")).get_weights()
    assert not np.allclose(model.get_weights()[0], start[0], atol=1e-3)
    assert_same_training(kmodel, model, kh, nh)
    np.testing.assert_allclose(nh["accuracy"], kh["accuracy"], atol=1e-6)


@pytest.mark.parametrize("loss", ["sparse_categorical_crossentropy", "binary_crossentropy",
                                  "mse"])
def test_training_agrees_for_each_loss(loss, X):
    assert_same_training(*train_both(X, loss, OPTIMIZERS["momentum"]))


def test_training_agrees_with_l2_regularization(X):
    # the reported loss includes the penalty in both
    reg = (lambda: keras.regularizers.L2(0.01), lambda: regularizers.L2(0.01))
    act, k, targets = PROBLEMS["categorical_crossentropy"]
    kmodel = keras_model(5, (8, k), ("tanh", act), reg=reg[0])
    model = nnlib_model(5, (8, k), ("tanh", act), kmodel.get_weights(), reg=reg[1])
    y = targets(((X[:, 0] > 0) + 2 * (X[:, 1] > 0.5)).astype(np.int64)).astype(np.float32)
    kmodel.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adam(0.01),
                   jit_compile=False)
    model.compile("categorical_crossentropy", optimizers.Adam(0.01))
    kh = kmodel.fit(X, y, epochs=2, batch_size=32, shuffle=False, verbose=0).history
    nh = model.fit(X, y, epochs=2, batch_size=32, shuffle=False, verbose=0).history
    assert_same_training(kmodel, model, kh, nh)


# ---------------------------------------------------------------- loss values
def _keras_loss(cls, y, p, **kwargs):
    return float(keras.ops.convert_to_numpy(cls(**kwargs)(y, p)))


def test_loss_values_equal_keras(rng):
    f32 = np.float32
    y = rng.integers(0, 2, (20, 3)).astype(f32)
    p = rng.uniform(0, 1, (20, 3)).astype(f32)
    p[0, :] = [0.0, 1.0, 0.5]          # exercises the clipping at 1e-7
    p[1, :] = [1.0, 0.0, 0.5]
    assert losses.binary_crossentropy(y, p) == pytest.approx(
        _keras_loss(keras.losses.BinaryCrossentropy, y, p), rel=1e-5)
    z = (rng.standard_normal((20, 3)) * 10).astype(f32)
    assert losses.binary_crossentropy(y, z, from_logits=True) == pytest.approx(
        _keras_loss(keras.losses.BinaryCrossentropy, y, z, from_logits=True), rel=1e-5)

    labels = rng.integers(0, 4, 20)
    Y = datasets.one_hot(labels, 4, dtype=f32)
    P = rng.uniform(0, 1, (20, 4)).astype(f32)
    P[0, labels[0]] = 0.0              # a certain miss: clipped
    P /= P.sum(axis=1, keepdims=True)
    assert losses.categorical_crossentropy(Y, P) == pytest.approx(
        _keras_loss(keras.losses.CategoricalCrossentropy, Y, P), rel=1e-5)
    assert losses.categorical_crossentropy(Y, 2 * P) == pytest.approx(
        _keras_loss(keras.losses.CategoricalCrossentropy, Y, 2 * P), rel=1e-5)
    Z = (rng.standard_normal((20, 4)) * 10).astype(f32)
    assert losses.categorical_crossentropy(Y, Z, from_logits=True) == pytest.approx(
        _keras_loss(keras.losses.CategoricalCrossentropy, Y, Z, from_logits=True), rel=1e-5)

    Q = rng.uniform(0.05, 1, (20, 4)).astype(f32)
    Q /= Q.sum(axis=1, keepdims=True)
    assert losses.sparse_categorical_crossentropy(labels, Q) == pytest.approx(
        _keras_loss(keras.losses.SparseCategoricalCrossentropy, labels, Q), rel=1e-5)
    assert losses.sparse_categorical_crossentropy(labels, Z, from_logits=True) == pytest.approx(
        _keras_loss(keras.losses.SparseCategoricalCrossentropy, labels, Z, from_logits=True),
        rel=1e-5)

    t = rng.standard_normal((20, 2)).astype(f32)
    o = rng.standard_normal((20, 2)).astype(f32)
    assert losses.mean_squared_error(t, o) == pytest.approx(
        _keras_loss(keras.losses.MeanSquaredError, t, o), rel=1e-5)


def test_clipping_constant_is_keras_epsilon():
    assert losses.EPSILON == keras.config.epsilon()


# ---------------------------------------------------------------- initializers
KERAS_INITS = ["glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform",
               "lecun_normal", "random_normal", "random_uniform"]


@pytest.mark.parametrize("name", KERAS_INITS)
def test_initializer_variances_match_keras(name):
    shape = (400, 250)
    ours = initializers.get(name)(shape, np.random.default_rng(0), np.float32)
    theirs = keras.ops.convert_to_numpy(keras.initializers.get(name)(shape, dtype="float32"))
    assert ours.dtype == theirs.dtype == np.float32
    assert ours.var() == pytest.approx(theirs.var(), rel=0.03)
    assert abs(ours.mean()) < 0.02 * ours.std()
    if name != "random_normal":
        # the same support: uniform limits, or the truncation of the normals at 2 std
        assert np.abs(ours).max() == pytest.approx(np.abs(theirs).max(), rel=0.02)


def test_dense_defaults_match_keras():
    # Keras's Dense: glorot_uniform kernel, zero bias
    kdense = keras.layers.Dense(3)
    assert kdense.kernel_initializer.__class__.__name__ == "GlorotUniform"
    assert kdense.bias_initializer.__class__.__name__ == "Zeros"
    dense = layers.Dense(3)
    assert dense.kernel_initializer is initializers.glorot_uniform
    assert dense.bias_initializer is initializers.zeros
