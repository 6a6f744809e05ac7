"""A built model keeps its trainable parameters in one vector theta; the layers' arrays are
views into it. These tests check that theta and the views agree after every kind of
update, that the dtype is kept, and that training gives the same numbers, bit for bit, as
updating the arrays one by one (the way nnlib did before theta)."""
import copy
import pickle

import numpy as np
import pytest

import nnlib
from nnlib import layers, optimizers, regularizers


def make_model(dtype="float64", seed=0, optimizer="adam"):
    model = nnlib.Sequential([
        layers.Dense(7, activation="relu", input_dim=5,
                     kernel_regularizer=regularizers.L2(1e-3)),
        layers.PReLU(alpha_initializer=0.25),
        layers.Dense(4, use_bias=False, activation="tanh"),
        layers.Dense(3, activation="softmax"),
    ], seed=seed, dtype=dtype)
    opts = {"adam": lambda: optimizers.Adam(0.01),
            "sgd": lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True)}
    model.compile(loss="sparse_categorical_crossentropy", optimizer=opts[optimizer]())
    return model


def data(n=60, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 5)), rng.integers(0, 3, n)


def assert_consistent(model):
    """theta and the gradient vector hold every array, and the arrays are views of them."""
    theta, grad = model.theta, model.gradient_vector
    assert theta.dtype == grad.dtype == model.dtype
    assert theta.ndim == 1 and theta.flags.c_contiguous and theta.size == grad.size
    weights = model.trainable_weights
    assert len(weights) == len(model.theta_slices) == len(model.gradients)
    assert sum(w.size for w in weights) == theta.size == model.count_params()
    for w, g, s in zip(weights, model.gradients, model.theta_slices):
        assert w.dtype == g.dtype == model.dtype
        assert np.shares_memory(w, theta) and np.shares_memory(g, grad)
        np.testing.assert_array_equal(w.ravel(), theta[s])
        np.testing.assert_array_equal(g.ravel(), grad[s])
    flat = np.concatenate([w.ravel() for w in model.get_weights()])
    np.testing.assert_array_equal(flat, theta)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_theta_holds_the_weights_in_keras_order(dtype):
    model = make_model(dtype)
    assert_consistent(model)
    shapes = [w.shape for w in model.get_weights()]
    assert shapes == [(5, 7), (7,), (7,), (7, 4), (4, 3), (3,)]
    assert [s.stop - s.start for s in model.theta_slices] == [35, 7, 7, 28, 12, 3]
    assert model.theta_slices[0].start == 0 and model.theta_slices[-1].stop == 92


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_views_agree_after_fit(dtype, optimizer):
    model = make_model(dtype, optimizer=optimizer)
    theta = model.theta
    before = theta.copy()
    model.fit(*data(), epochs=2, batch_size=16)
    assert model.theta is theta                       # updated in place, never replaced
    assert not np.array_equal(theta, before)
    assert_consistent(model)
    assert model.optimizer._params[0] is theta        # the optimizer updated theta itself


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_views_agree_after_set_weights_and_writes(dtype):
    model = make_model(dtype)
    rng = np.random.default_rng(3)
    new = [rng.normal(size=w.shape) for w in model.get_weights()]   # float64 values
    model.set_weights(new)
    assert_consistent(model)
    for w, n in zip(model.get_weights(), new):
        assert w.dtype == dtype
        np.testing.assert_array_equal(w, n.astype(dtype))
    model.layers[0].set_weights([np.ones((5, 7)), np.zeros(7)])
    assert_consistent(model)
    np.testing.assert_array_equal(model.theta[:35], 1)
    model.theta[:] = 0.5                              # writing theta changes the layers
    np.testing.assert_array_equal(model.layers[3].params["bias"], 0.5)
    assert_consistent(model)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gradient_vector_is_the_gradient(dtype):
    model = make_model(dtype)
    X, y = data()
    value, grads = model.loss_and_gradients(X, y)
    np.testing.assert_array_equal(np.concatenate([g.ravel() for g in grads]),
                                  model.gradient_vector)
    assert_consistent(model)
    result = nnlib.gradcheck.check_model(make_model("float64"), X, y)
    assert result.ok(1e-6), str(result)


def test_optimizer_step_on_the_arrays_or_on_theta():
    model = make_model()
    X, y = data()
    model.loss_and_gradients(X, y)
    optimizers.SGD(0.1).step(model.trainable_weights, model.gradients)   # views
    assert_consistent(model)
    model.loss_and_gradients(X, y)
    model.optimizer.step([model.theta], [model.gradient_vector],
                         slices=[model.theta_slices])
    assert_consistent(model)


class PerArrayModel(nnlib.Sequential):
    """Steps the optimizer over the separate arrays, as nnlib did before theta."""

    def train_on_batch(self, X, Y):
        A = self._forward(X, training=True)
        value = self._loss_value(Y, A)
        self._backward(Y, A)
        if not hasattr(self, "_own"):          # separate arrays, not views into theta
            self._own = [w.copy() for w in self.trainable_weights]
        self.optimizer.step(self._own, self.gradients)
        for w, own in zip(self.trainable_weights, self._own):
            w[...] = own
        return value, A


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_one_vector_update_is_bit_for_bit_the_per_array_update(dtype, optimizer):
    X, y = data(200)
    fast = make_model(dtype, seed=4, optimizer=optimizer)
    slow = PerArrayModel(copy.deepcopy(fast.layers), seed=4, dtype=dtype)
    slow.set_weights(fast.get_weights())
    slow.compile(loss=fast.loss, optimizer=type(fast.optimizer)(
        **({"learning_rate": 0.01} if optimizer == "adam"
           else {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True})))
    slow._shuffle_rng = copy.deepcopy(fast._shuffle_rng)
    h_fast = fast.fit(X, y, epochs=3, batch_size=16)
    h_slow = slow.fit(X, y, epochs=3, batch_size=16)
    for a, b in zip(fast.get_weights(), slow.get_weights()):
        assert a.dtype == b.dtype == dtype
        np.testing.assert_array_equal(a, b)
    assert h_fast.history["loss"] == h_slow.history["loss"]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("how", ["pickle", "deepcopy"])
def test_views_are_restored_after_a_copy(dtype, how):
    X, y = data()
    model = make_model(dtype)
    model.fit(X, y, epochs=1, batch_size=16)
    clone = pickle.loads(pickle.dumps(model)) if how == "pickle" else copy.deepcopy(model)
    assert clone.theta is not model.theta
    assert_consistent(clone)
    assert clone.optimizer._params[0] is clone.theta   # the optimizer's state follows
    model.fit(X, y, epochs=2, batch_size=16)
    clone.fit(X, y, epochs=2, batch_size=16)
    assert_consistent(clone)
    assert clone.theta.dtype == dtype
    np.testing.assert_array_equal(clone.theta, model.theta)   # trains on identically


def test_adding_a_layer_after_building_makes_a_new_theta():
    model = nnlib.Sequential([layers.Dense(3, input_dim=2)], seed=0)
    first = model.get_weights()
    model.add(layers.Dense(1))
    assert_consistent(model)
    np.testing.assert_array_equal(model.get_weights()[0], first[0])
    assert model.theta.size == 2 * 3 + 3 + 3 + 1


def test_built_from_data_and_errors_before():
    model = nnlib.Sequential([layers.Dense(2, activation="sigmoid")], seed=0)
    with pytest.raises(ValueError, match="not built"):
        model.theta
    model.compile(loss="binary_crossentropy", optimizer="sgd")
    model.fit(np.ones((4, 3)), np.array([[0, 1]] * 4), epochs=1)
    assert_consistent(model)


def test_standalone_layers_own_their_arrays():
    layer = layers.Dense(3, input_dim=4)
    layer.build(4, np.random.default_rng(0))
    assert layer.params["kernel"].base is None and layer.params["kernel"].flags.owndata
    layer.set_weights([np.ones((4, 3)), np.zeros(3)])
    np.testing.assert_array_equal(layer.forward(np.ones((2, 4))), 4)


class Scale(layers.Layer):
    """A test layer with one trainable and one non-trainable variable: y = s * x, and it
    counts the batches it saw in ``training`` mode (as BatchNormalization's statistics)."""

    def _build(self, input_dim, rng, dtype):
        self.add_weight("scale", (input_dim,), "ones", rng)
        self.add_weight("seen", (1,), "zeros", rng, trainable=False)
        return input_dim

    def forward(self, X, training=False):
        if training:
            self.state["seen"] += 1
        self._X = X
        return X * self.params["scale"]

    def backward(self, grad, need_input_grad=True, grad_is_logits=False):
        np.sum(grad * self._X, axis=0, out=self.grads["scale"])
        return grad * self.params["scale"] if need_input_grad else None


def test_non_trainable_state_stays_out_of_theta():
    model = nnlib.Sequential([layers.Dense(3, input_dim=2), Scale(),
                              layers.Dense(1)], seed=0)
    model.compile(loss="mse", optimizer="sgd")
    assert [w.shape for w in model.get_weights()] == [(2, 3), (3,), (3,), (1,), (3, 1),
                                                      (1,)]
    assert model.theta.size == 6 + 3 + 3 + 3 + 1 == model.count_params() - 1
    assert [w.shape for w in model.trainable_weights] == [(2, 3), (3,), (3,), (3, 1), (1,)]
    model.fit(np.ones((8, 2)), np.ones(8), epochs=2, batch_size=4)
    assert model.layers[1].state["seen"][0] == 4
    assert not np.shares_memory(model.layers[1].state["seen"], model.theta)
    weights = model.get_weights()
    weights[3] = np.array([10.0])
    model.set_weights(weights)
    assert model.layers[1].state["seen"][0] == 10
    lines = []
    model.summary(print_fn=lines.append)
    text = lines[0]
    assert "Total params: 17" in text and "Trainable params: 16" in text
    assert "Non-trainable params: 1" in text


def test_a_layer_cannot_declare_a_name_twice():
    class Twice(layers.Layer):
        def _build(self, input_dim, rng, dtype):
            self.add_weight("w", (input_dim,), "zeros", rng)
            self.add_weight("w", (input_dim,), "zeros", rng)
            return input_dim

    with pytest.raises(ValueError, match="already has a variable 'w'"):
        Twice().build(3)
