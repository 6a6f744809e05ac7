"""layers.BatchNormalization: Keras's semantics, gradients, non-trainable state, PyTorch."""
import numpy as np
import pytest

import nnlib
from nnlib import gradcheck, layers


def bn_model(seed=0, dtype="float64", **kw):
    m = nnlib.Sequential([layers.Input(shape=(4,)), layers.Dense(6, "tanh"),
                          layers.BatchNormalization(**kw), layers.Dense(1, "sigmoid")],
                         seed=seed, dtype=dtype)
    m.compile("binary_crossentropy", "sgd")
    return m


def test_training_and_inference_statistics(rng):
    X = rng.standard_normal((50, 3)) * 3 + 2
    bn = layers.BatchNormalization(momentum=0.9)
    bn.build(3)
    out = bn.forward(X, training=True)
    np.testing.assert_allclose(out.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(0), X.var(0) / (X.var(0) + 1e-3))
    np.testing.assert_allclose(bn.state["moving_mean"], 0.1 * X.mean(0))
    np.testing.assert_allclose(bn.state["moving_variance"], 0.9 + 0.1 * X.var(0))
    # inference uses the moving statistics
    mm, mv = bn.state["moving_mean"], bn.state["moving_variance"]
    np.testing.assert_allclose(bn.forward(X), (X - mm) / np.sqrt(mv + 1e-3))


def test_weights_order_and_trainable_split():
    m = bn_model()
    names = m.layers[1].weight_names
    assert names == ["gamma", "beta", "moving_mean", "moving_variance"]
    w = m.layers[1].get_weights()
    np.testing.assert_array_equal(w[0], 1), np.testing.assert_array_equal(w[1], 0)
    np.testing.assert_array_equal(w[2], 0), np.testing.assert_array_equal(w[3], 1)
    assert len(m.trainable_weights) == 2 + 2 + 2
    assert m.theta.size == 4 * 6 + 6 + 6 + 6 + 6 + 1
    lines = []
    m.summary(print_fn=lines.append)
    text = lines[0]
    assert "Total params: 61" in text and "Trainable params: 49" in text
    assert "Non-trainable params: 12" in text
    _, grads = m.loss_and_gradients(np.ones((3, 4)), [0, 1, 1])
    assert [g.shape for g in grads] == [p.shape for p in m.trainable_weights]


def test_center_scale_off():
    bn = layers.BatchNormalization(center=False, scale=False)
    bn.build(3)
    assert bn.weight_names == ["moving_mean", "moving_variance"] and not bn.params
    bn = layers.BatchNormalization(center=False)
    bn.build(3)
    assert bn.weight_names == ["gamma", "moving_mean", "moving_variance"]


@pytest.mark.parametrize("kw", [{}, {"center": False}, {"scale": False}])
def test_gradient_check_training_mode(rng, kw):
    X = rng.standard_normal((7, 3))
    bn = layers.BatchNormalization(**kw)
    bn.build(3, rng)
    for p in bn.params.values():
        p[...] = rng.standard_normal(p.shape)
    # dL/dX sums to 0 over the batch (cancellation): eps = 1e-5 balances the
    # truncation and rounding errors of the centred difference
    assert gradcheck.check_layer(bn, X, eps=1e-5).ok(1e-7)
    m = bn_model()
    m.layers[1].params["gamma"][...] = rng.uniform(0.5, 2, 6)
    res = gradcheck.check_model(m, rng.standard_normal((9, 4)), rng.integers(0, 2, 9),
                                eps=1e-5)
    assert res.ok(1e-6), res


def test_gradient_check_inference_mode(rng):
    X = rng.standard_normal((5, 3))
    bn = layers.BatchNormalization()
    bn.build(3)
    bn.state["moving_variance"][...] = [0.5, 2.0, 3.0]
    bn.forward(X)
    R = rng.standard_normal(X.shape)
    dX = bn.backward(R.copy())
    num = gradcheck.numerical_gradient(lambda _: np.sum(R * bn.forward(X)), X)
    assert gradcheck.relative_error(dX, num) < 1e-8


def test_moving_statistics_not_trained(rng):
    m = bn_model()
    X, y = rng.standard_normal((40, 4)), rng.integers(0, 2, 40)
    m.fit(X, y, epochs=1, batch_size=40, shuffle=False)
    bn = m.layers[1]
    # one step on one batch: moving = 0.99 * init + 0.01 * batch statistics
    assert np.all(bn.state["moving_variance"] != 1)
    assert not any(np.shares_memory(bn.state[k], m.theta) for k in bn.state)


@pytest.mark.parametrize("kw, match", [({"momentum": 1.5}, "momentum"),
                                       ({"momentum": -0.1}, "momentum"),
                                       ({"momentum": "a"}, "momentum"),
                                       ({"epsilon": 0.0}, "epsilon"),
                                       ({"epsilon": np.inf}, "epsilon")])
def test_bad_arguments(kw, match):
    with pytest.raises((ValueError, TypeError), match=match):
        layers.BatchNormalization(**kw)


def test_input_layer_errors():
    with pytest.raises(ValueError, match=r"shape must be \(q,\)"):
        layers.Input(shape=(8, 8))
    with pytest.raises(TypeError, match="shape"):
        layers.Input(shape="4")
    with pytest.raises(ValueError, match="positive"):
        layers.Input(shape=(0,))
    with pytest.raises(ValueError, match="first"):
        nnlib.Sequential([layers.Dense(2, input_dim=3), layers.Input(shape=(2,))])
    with pytest.raises(ValueError, match="expects 5 inputs"):
        nnlib.Sequential([layers.Input(shape=(3,)), layers.Dense(2, input_dim=5)])
    m = nnlib.Sequential([layers.Input(shape=(3,)), layers.Dense(2)])
    assert m.built and m.input_dim == 3 and len(m.layers) == 1


def test_agrees_with_keras_predict_and_training(rng):
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    X = rng.standard_normal((64, 4)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.float32)
    km = keras.Sequential([keras.Input((4,)), keras.layers.Dense(6, "tanh"),
                           keras.layers.BatchNormalization(momentum=0.9),
                           keras.layers.Dense(1, "sigmoid")])
    km.compile(loss="binary_crossentropy", optimizer=keras.optimizers.SGD(0.1))
    m = bn_model(dtype="float32", momentum=0.9)
    m.compile("binary_crossentropy", nnlib.optimizers.SGD(0.1))
    m.set_weights(km.get_weights())
    np.testing.assert_allclose(m.predict(X), km.predict(X, verbose=0), atol=1e-6)
    km.fit(X, y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    m.fit(X, y, epochs=3, batch_size=16, shuffle=False)
    for a, b in zip(m.get_weights(), km.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)   # measured: 1.2e-7
    np.testing.assert_allclose(m.predict(X), km.predict(X, verbose=0), atol=1e-6)


def test_pytorch_convention_difference(rng):
    """PyTorch: momentum = 1 - Keras's; running_var uses the unbiased batch variance."""
    torch = pytest.importorskip("torch")
    X = rng.standard_normal((8, 3))
    tb = torch.nn.BatchNorm1d(3, eps=1e-3, momentum=0.1, dtype=torch.float64)
    tb.train()
    out_t = tb(torch.from_numpy(X)).detach().numpy()
    bn = layers.BatchNormalization(momentum=0.9)
    bn.build(3)
    out = bn.forward(X, training=True)
    np.testing.assert_allclose(out, out_t, atol=1e-12)       # same output (biased var)
    np.testing.assert_allclose(bn.state["moving_mean"], tb.running_mean.numpy(), atol=1e-15)
    n = len(X)
    diff = tb.running_var.numpy() - bn.state["moving_variance"]
    # the running variances differ by 0.1 * var_batch * (n/(n-1) - 1) = 0.1 * var / (n-1)
    np.testing.assert_allclose(diff, 0.1 * X.var(0) / (n - 1), atol=1e-14)
    assert np.all(diff > 0)


def test_pytorch_running_variance_over_training_steps(rng):
    """Over k steps PyTorch's running_var exceeds nnlib's (= Keras's) moving variance by
    sum_t m (1 - m)^(k - 1 - t) var_t / (n - 1), m = PyTorch's momentum; measured here."""
    torch = pytest.importorskip("torch")
    n, m = 16, 0.1
    tb = torch.nn.BatchNorm1d(3, eps=1e-3, momentum=m, dtype=torch.float64)
    tb.train()
    bn = layers.BatchNormalization(momentum=1 - m)
    bn.build(3)
    expected = np.zeros(3)
    batches = [rng.standard_normal((n, 3)) * [1, 2, 5] for _ in range(5)]
    for X in batches:
        np.testing.assert_allclose(bn.forward(X, training=True),
                                   tb(torch.from_numpy(X)).detach().numpy(), atol=1e-12)
        expected = (1 - m) * expected + m * X.var(0) / (n - 1)
    gap = tb.running_var.numpy() - bn.state["moving_variance"]
    np.testing.assert_allclose(gap, expected, rtol=1e-10)
    np.testing.assert_allclose(tb.running_mean.numpy(), bn.state["moving_mean"], atol=1e-14)
    # relative to the moving variance the gap is about 1/(n - 1) of the part learned
    rel = gap / bn.state["moving_variance"]
    assert np.all((rel > 0) & (rel < 1 / (n - 1)))
