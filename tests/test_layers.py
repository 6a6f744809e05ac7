"""Layers: shapes and parameters, forward values, backward checked by finite differences."""
import numpy as np
import pytest

from nnlib import activations, gradcheck, initializers, layers, regularizers

TOL = 1e-7
KINKED = {"relu", "leaky_relu", "step", "elu", "softsign"}


def built_dense(units, input_dim, seed=0, dtype=np.float64, **kwargs):
    layer = layers.Dense(units, **kwargs)
    layer.build(input_dim, np.random.default_rng(seed), dtype)
    return layer


def away_from_kinks(layer, X):
    """Assert that no pre-activation is within 1e-3 of 0, so finite differences are valid."""
    layer.forward(X)
    assert np.abs(layer.z).min() > 1e-3


# ---------------------------------------------------------------- structure
def test_dense_parameters_have_keras_shapes_and_order():
    layer = built_dense(3, 5)
    assert list(layer.params) == ["kernel", "bias"]
    assert layer.params["kernel"].shape == (5, 3)
    assert layer.params["bias"].shape == (3,)
    assert layer.count_params() == 18
    assert layer.output_dim == 3 and layer.input_dim == 5 and layer.built
    assert [g.shape for g in layer.grads.values()] == [(5, 3), (3,)]
    np.testing.assert_array_equal(layer.params["bias"], 0)   # bias_initializer "zeros"
    no_bias = built_dense(3, 5, use_bias=False)
    assert list(no_bias.params) == ["kernel"] and no_bias.count_params() == 15


def test_dense_forward_values(rng):
    for name in activations.available():
        layer = built_dense(4, 3, activation=name)
        X = rng.standard_normal((6, 3))
        W, b = layer.get_weights()
        b += rng.standard_normal(4)
        layer.set_weights([W, b])
        out = layer.forward(X)
        assert out.shape == (6, 4)
        np.testing.assert_allclose(out, activations.get(name).forward(X @ W + b),
                                   rtol=1e-12, atol=1e-15)


def test_dense_without_bias_is_a_matrix_product(rng):
    layer = built_dense(2, 3, activation="tanh", use_bias=False)
    X = rng.standard_normal((4, 3))
    np.testing.assert_allclose(layer.forward(X), np.tanh(X @ layer.params["kernel"]),
                               rtol=1e-14)


def test_input_dim_mismatch_is_reported():
    layer = layers.Dense(2, input_dim=3)
    with pytest.raises(ValueError, match="expects 3 inputs.*gives 4"):
        layer.build(4)


def test_forward_reuses_its_output_array(rng):
    # documented: the array forward returns is overwritten by the next call of equal size
    layer = built_dense(2, 3, activation="sigmoid")
    X1, X2 = rng.standard_normal((2, 4, 3))
    out1 = layer.forward(X1)
    kept = out1.copy()
    out2 = layer.forward(X2)
    np.testing.assert_allclose(out2, activations.sigmoid(X2 @ layer.params["kernel"]))
    assert not np.allclose(kept, out2)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_layer_dtype(dtype, rng):
    layer = built_dense(3, 2, activation="relu", dtype=dtype)
    assert all(p.dtype == dtype for p in layer.params.values())
    out = layer.forward(rng.standard_normal((5, 2)).astype(dtype))
    assert out.dtype == dtype
    dX = layer.backward(np.ones((5, 3), dtype=dtype))
    assert dX.dtype == dtype
    assert all(g.dtype == dtype for g in layer.grads.values())


def test_set_weights_checks_count_and_shapes():
    layer = built_dense(3, 2)
    with pytest.raises(ValueError, match="2 weight arrays, got 1"):
        layer.set_weights([np.zeros((2, 3))])
    with pytest.raises(ValueError, match=r"kernel must have shape \(2, 3\), got \(3, 2\)"):
        layer.set_weights([np.zeros((3, 2)), np.zeros(3)])


def test_get_weights_returns_copies():
    layer = built_dense(3, 2)
    W, _ = layer.get_weights()
    W[...] = 42
    assert not np.any(layer.params["kernel"] == 42)


# ---------------------------------------------------------------- gradient checks
@pytest.mark.parametrize("activation", activations.available())
@pytest.mark.parametrize("use_bias", [True, False])
def test_dense_gradients(activation, use_bias, rng):
    layer = built_dense(4, 3, seed=1, activation=activation, use_bias=use_bias)
    X = rng.standard_normal((5, 3))
    if activation in KINKED:
        away_from_kinks(layer, X)
    result = gradcheck.check_layer(layer, X)
    assert set(result.errors) == {"input", "kernel"} | ({"bias"} if use_bias else set())
    assert result.max_error <= TOL, str(result)


@pytest.mark.parametrize("regularizer", [regularizers.L1(0.1), regularizers.L2(0.1),
                                         regularizers.L1L2(0.05, 0.2), "l2", "l1_l2"])
def test_dense_gradients_with_regularizer(regularizer, rng):
    # the layer's gradient includes the penalty's, so the checked scalar must include it
    layer = built_dense(4, 3, seed=2, activation="tanh", kernel_regularizer=regularizer)
    assert np.abs(layer.params["kernel"]).min() > 1e-3    # L1 is not smooth at 0
    X = rng.standard_normal((5, 3))
    result = gradcheck.check_layer(layer, X)
    assert result.max_error <= TOL, str(result)


def test_regularizer_gradient_is_added_to_the_data_gradient(rng):
    plain = built_dense(4, 3, seed=3, activation="sigmoid")
    reg = built_dense(4, 3, seed=3, activation="sigmoid",
                      kernel_regularizer=regularizers.L1L2(0.1, 0.3))
    X = rng.standard_normal((5, 3))
    G = rng.standard_normal((5, 4))
    for layer in (plain, reg):
        layer.forward(X)
        layer.backward(G.copy())
    W = reg.params["kernel"]
    np.testing.assert_allclose(reg.grads["kernel"],
                               plain.grads["kernel"] + 0.1 * np.sign(W) + 0.6 * W, rtol=1e-13)
    np.testing.assert_array_equal(reg.grads["bias"], plain.grads["bias"])


@pytest.mark.parametrize("activation", activations.available())
def test_activation_layer_gradients(activation, rng):
    layer = layers.Activation(activation)
    X = rng.standard_normal((4, 3))
    if activation in KINKED:
        assert np.abs(X).min() > 1e-3
    layer.build(3)
    assert layer.params == {} and layer.count_params() == 0 and layer.output_dim == 3
    np.testing.assert_allclose(layer.forward(X), activations.get(activation).forward(X),
                               rtol=1e-15)
    result = gradcheck.check_layer(layer, X)
    assert result.max_error <= TOL, str(result)


def test_backward_without_input_gradient(rng):
    layer = built_dense(2, 3, activation="tanh")
    layer.forward(rng.standard_normal((4, 3)))
    assert layer.backward(np.ones((4, 2)), need_input_grad=False) is None
    assert np.abs(layer.grads["kernel"]).sum() > 0


def test_backward_from_logits_skips_the_activation(rng):
    # grad_is_logits: the gradient given is already dL/dz
    layer = built_dense(3, 2, activation="softmax")
    linear = built_dense(3, 2)
    linear.set_weights(layer.get_weights())
    X = rng.standard_normal((4, 2))
    G = rng.standard_normal((4, 3))
    layer.forward(X)
    dX = layer.backward(G.copy(), grad_is_logits=True).copy()
    linear.forward(X)
    np.testing.assert_allclose(dX, linear.backward(G.copy()), rtol=1e-15)
    np.testing.assert_allclose(layer.grads["kernel"], linear.grads["kernel"], rtol=1e-15)


# ---------------------------------------------------------------- regularizers
def test_regularizer_values():
    W = np.array([[1.0, -2.0], [0.5, 0.0]])
    assert regularizers.L1(0.1)(W) == pytest.approx(0.35)
    assert regularizers.L2(0.1)(W) == pytest.approx(0.525)
    assert regularizers.L1L2(0.1, 0.1)(W) == pytest.approx(0.875)
    assert regularizers.get(None) is None
    assert regularizers.get("l2").l2 == 0.01 and regularizers.get("l1").l1 == 0.01
    layer = built_dense(2, 2, kernel_regularizer=regularizers.L2(0.5))
    layer.set_weights([W, np.zeros(2)])
    assert layer.regularization_loss() == pytest.approx(0.5 * 5.25)
    assert built_dense(2, 2).regularization_loss() == 0.0


def test_regularizer_errors():
    with pytest.raises(ValueError, match="unknown regularizer 'l3'.*l1, l2, l1_l2"):
        regularizers.get("l3")
    with pytest.raises(ValueError, match="l2 must be non-negative"):
        regularizers.L2(-0.1)


# ---------------------------------------------------------------- initializers
@pytest.mark.parametrize("name", initializers.available())
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_initializers_shape_dtype_and_seed(name, dtype):
    init = initializers.get(name)
    a = init((30, 20), np.random.default_rng(0), dtype)
    b = init((30, 20), np.random.default_rng(0), dtype)
    assert a.shape == (30, 20) and a.dtype == dtype
    np.testing.assert_array_equal(a, b)
    assert init((7,), np.random.default_rng(0), dtype).shape == (7,)


def test_initializer_scales():
    rng = np.random.default_rng(0)
    fan_in, fan_out = 300, 200
    shape = (fan_in, fan_out)
    limits = {"glorot_uniform": np.sqrt(6 / (fan_in + fan_out)),
              "he_uniform": np.sqrt(6 / fan_in), "lecun_uniform": np.sqrt(3 / fan_in),
              "random_uniform": 0.05}
    for name, limit in limits.items():
        W = initializers.get(name)(shape, rng)
        assert np.abs(W).max() <= limit
        assert np.abs(W).max() > 0.99 * limit
        assert W.var() == pytest.approx(limit ** 2 / 3, rel=0.03), name
    variances = {"glorot_normal": 2 / (fan_in + fan_out), "he_normal": 2 / fan_in,
                 "lecun_normal": 1 / fan_in, "random_normal": 0.05 ** 2}
    for name, var in variances.items():
        W = initializers.get(name)(shape, rng)
        assert W.var() == pytest.approx(var, rel=0.03), name
        if name != "random_normal":   # truncated at two standard deviations of the normal
            assert np.abs(W).max() <= 2 * np.sqrt(var) / initializers._TRUNC_STD
    assert not initializers.zeros(shape).any() and initializers.ones(shape).all()


def test_dense_uses_its_initializers():
    layer = built_dense(3, 4, kernel_initializer="ones", bias_initializer="ones")
    np.testing.assert_array_equal(layer.params["kernel"], 1)
    np.testing.assert_array_equal(layer.params["bias"], 1)
    custom = built_dense(3, 4, kernel_initializer=lambda shape, rng, dtype: np.full(shape, 0.5))
    np.testing.assert_array_equal(custom.params["kernel"], 0.5)


def test_unknown_initializer_lists_valid_ones():
    with pytest.raises(ValueError, match="unknown initializer 'glorot'") as info:
        layers.Dense(3, kernel_initializer="glorot")
    for name in initializers.available():
        assert name in str(info.value)


def test_layer_argument_errors():
    with pytest.raises(ValueError, match="units must be a positive integer, got 0"):
        layers.Dense(0)
    with pytest.raises(ValueError, match="units must be a positive integer, got 2.5"):
        layers.Dense(2.5)
    with pytest.raises(ValueError, match="input_dim must be a positive integer, got -1"):
        layers.Dense(2, input_dim=-1)
    with pytest.raises(ValueError, match="unknown activation 'rleu'"):
        layers.Dense(2, activation="rleu")
    with pytest.raises(ValueError, match="unknown activation"):
        layers.Activation("soft_max")


def test_prelu_with_a_constant_slope_pickles():
    import pickle

    layer = layers.PReLU(alpha_initializer=0.25)
    layer.build(3, np.random.default_rng(0))
    clone = pickle.loads(pickle.dumps(layer))
    np.testing.assert_array_equal(clone.params["alpha"], 0.25)
    fresh = pickle.loads(pickle.dumps(layers.PReLU(alpha_initializer=0.5)))
    fresh.build(2)
    np.testing.assert_array_equal(fresh.params["alpha"], [0.5, 0.5])


def test_add_weight_declares_trainable_and_state_variables():
    layer = layers.Dense(2, input_dim=3)
    layer.build(3, np.random.default_rng(0))
    assert layer.weight_names == ["kernel", "bias"] and layer.state == {}
    with pytest.raises(ValueError, match="already has a variable 'bias'"):
        layer.add_weight("bias", (2,), "zeros", None)
