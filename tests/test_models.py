"""Sequential: gradients of whole models, fit/predict/evaluate, weights, seeding, dtypes."""
import numpy as np
import pytest

import nnlib
from nnlib import activations, callbacks, datasets, gradcheck, layers, losses, optimizers
from nnlib.regularizers import L1L2, L2

TOL = 1e-7


def mlp(sizes, hidden="tanh", output="sigmoid", seed=0, dtype="float64", **kwargs):
    """A Dense stack: sizes = (input, hidden..., output)."""
    stack = [layers.Dense(sizes[1], activation=hidden if len(sizes) > 2 else output,
                          input_dim=sizes[0], **kwargs)]
    for i, units in enumerate(sizes[2:], start=2):
        stack.append(layers.Dense(units, activation=output if i == len(sizes) - 1 else hidden,
                                  **kwargs))
    return nnlib.Sequential(stack, seed=seed, dtype=dtype)


@pytest.fixture
def binary_data(rng):
    X = rng.standard_normal((40, 3))
    y = (X[:, 0] + 0.5 * X[:, 1] - X[:, 2] > 0).astype(np.int64)
    return X, y


@pytest.fixture
def digits_small():
    X, y = datasets.load_digits()
    return X[:300], y[:300]


# a sigmoid that the model does not recognise as binary cross-entropy's partner, so the
# loss is computed from the probabilities and backpropagated through the activation
plain_sigmoid = activations.ActivationFunction("plain_sigmoid", activations.sigmoid,
                                               activations.sigmoid_derivative)


# ---------------------------------------------------------------- whole-model gradient checks
def _targets(loss, rng, n, k):
    if loss == "binary_crossentropy":
        return rng.integers(0, 2, n) if k == 1 else rng.integers(0, 2, (n, k))
    if loss == "categorical_crossentropy":
        return datasets.one_hot(rng.integers(0, k, n), k)
    if loss == "sparse_categorical_crossentropy":
        return rng.integers(0, k, n)
    return rng.standard_normal((n, k))


@pytest.mark.parametrize("loss, output, k, fused", [
    ("binary_crossentropy", "sigmoid", 1, True),
    ("binary_crossentropy", plain_sigmoid, 1, False),
    ("binary_crossentropy", "sigmoid", 3, True),           # multi-label
    ("categorical_crossentropy", "softmax", 4, True),
    ("categorical_crossentropy", "sigmoid", 4, False),      # normalised inside the loss
    ("sparse_categorical_crossentropy", "softmax", 4, True),
    ("mse", "linear", 2, False),
    ("mse", "sigmoid", 1, False),
    ("mean_squared_error", "tanh", 2, False),
])
@pytest.mark.parametrize("hidden", ["tanh", "sigmoid", "relu"])
def test_check_model(loss, output, k, fused, hidden, rng):
    model = mlp((3, 5, 4, k), hidden=hidden, output=output, seed=1)
    model.compile(loss=loss, optimizer="sgd")
    assert model.fused is fused
    X = rng.standard_normal((7, 3))
    y = _targets(loss, rng, 7, k)
    if hidden == "relu":
        model.predict(X)
        assert all(np.abs(layer.z).min() > 1e-4 for layer in model.layers[:-1])
    result = gradcheck.check_model(model, X, y)
    assert len(result.errors) == 6
    assert result.max_error <= TOL, str(result)


def test_check_model_with_regularizers_and_activation_layers(rng):
    model = nnlib.Sequential([
        layers.Dense(4, input_dim=3, kernel_regularizer=L1L2(0.01, 0.1)),
        layers.Activation("tanh"),
        layers.Dense(3, use_bias=False, kernel_regularizer=L2(0.05)),
        layers.Activation("softmax"),
    ], seed=2)
    model.compile("categorical_crossentropy")
    assert model.fused                 # the Activation("softmax") layer is the output
    X = rng.standard_normal((6, 3))
    Y = datasets.one_hot(rng.integers(0, 3, 6), 3)
    result = gradcheck.check_model(model, X, Y)
    assert set(result.errors) == {"dense.kernel", "dense.bias", "dense_1.kernel"}
    assert result.max_error <= TOL, str(result)


def test_fused_and_unfused_paths_agree(rng):
    X = rng.standard_normal((9, 3))
    y = rng.integers(0, 2, 9)
    fused = mlp((3, 4, 1), output="sigmoid", seed=5)
    plain = mlp((3, 4, 1), output=plain_sigmoid, seed=5)
    for m in (fused, plain):
        m.compile("binary_crossentropy")
    assert fused.fused and not plain.fused
    (l1, g1), (l2, g2) = fused.loss_and_gradients(X, y), plain.loss_and_gradients(X, y)
    assert l1 == pytest.approx(l2, rel=1e-12)
    for a, b in zip(g1, g2):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)


# ---------------------------------------------------------------- loss_and_gradients
@pytest.mark.parametrize("loss, output, k", [
    ("binary_crossentropy", "sigmoid", 1), ("categorical_crossentropy", "softmax", 3),
    ("sparse_categorical_crossentropy", "softmax", 3), ("mse", "linear", 2)])
def test_loss_and_gradients_is_the_batch_mean(loss, output, k, rng):
    model = mlp((4, 5, k), output=output)
    model.compile(loss)
    X = rng.standard_normal((10, 4))
    y = _targets(loss, rng, 10, k)
    value, grads = model.loss_and_gradients(X, y)
    P = model.predict(X)
    fn = {"binary_crossentropy": losses.binary_crossentropy,
          "categorical_crossentropy": losses.categorical_crossentropy,
          "sparse_categorical_crossentropy": losses.sparse_categorical_crossentropy,
          "mse": losses.mean_squared_error}[loss]
    assert isinstance(value, float)
    assert value == pytest.approx(fn(y, P), rel=1e-12)
    assert value == pytest.approx(model.evaluate(X, y), rel=1e-12)
    # in get_weights() order, with the same shapes
    assert [g.shape for g in grads] == [w.shape for w in model.get_weights()]
    # a batch repeated twice has the same mean loss and the same gradients
    value2, grads2 = model.loss_and_gradients(np.concatenate([X, X]), np.concatenate([y, y]))
    assert value2 == pytest.approx(value, rel=1e-12)
    for a, b in zip(grads, grads2):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_loss_and_gradients_include_the_penalty(rng):
    model = mlp((3, 4, 1), kernel_regularizer=L2(0.1))
    model.compile("binary_crossentropy")
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 2, 6)
    value, _ = model.loss_and_gradients(X, y)
    penalty = sum(0.1 * np.sum(w ** 2) for w in model.get_weights()[::2])
    assert value == pytest.approx(losses.binary_crossentropy(y, model.predict(X)) + penalty,
                                  rel=1e-12)


def test_gradients_are_copies(rng):
    model = mlp((3, 4, 1))
    model.compile("binary_crossentropy")
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 2, 6)
    _, g1 = model.loss_and_gradients(X, y)
    kept = [g.copy() for g in g1]
    model.loss_and_gradients(X[:3] * 2, y[:3])
    for a, b in zip(g1, kept):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------- predict, evaluate
def test_predict_returns_a_fresh_array(rng):
    model = mlp((3, 4, 2), output="softmax")
    X1, X2 = rng.standard_normal((2, 5, 3))
    P1 = model.predict(X1)
    kept = P1.copy()
    P2 = model.predict(X2)
    np.testing.assert_array_equal(P1, kept)
    assert not np.shares_memory(P1, P2)
    assert not any(np.shares_memory(P1, getattr(layer, "a")) for layer in model.layers)


def test_predict_equals_a_manual_forward_pass(rng):
    model = mlp((3, 6, 4, 2), hidden="relu", output="softmax", seed=3)
    W1, b1, W2, b2, W3, b3 = model.get_weights()
    X = rng.standard_normal((1000, 3))
    H = np.maximum(X @ W1 + b1, 0)
    H = np.maximum(H @ W2 + b2, 0)
    np.testing.assert_allclose(model.predict(X), activations.softmax(H @ W3 + b3),
                               rtol=1e-12, atol=1e-15)
    # in batches, the same
    np.testing.assert_allclose(model.predict(X, batch_size=64), model.predict(X), rtol=1e-15)


def test_predict_works_without_compile_and_builds_from_data(rng):
    model = nnlib.Sequential([layers.Dense(3, "relu"), layers.Dense(1, "sigmoid")], seed=0)
    assert not model.built and model.output_dim is None
    P = model.predict(rng.standard_normal((4, 6)))
    assert P.shape == (4, 1) and model.built and model.input_dim == 6
    assert model.get_weights()[0].shape == (6, 3)


def test_predict_classes(rng):
    model = mlp((3, 2), output="softmax")
    X = rng.standard_normal((8, 3))
    np.testing.assert_array_equal(model.predict_classes(X), model.predict(X).argmax(axis=1))
    binary = mlp((3, 1))
    np.testing.assert_array_equal(binary.predict_classes(X),
                                  (binary.predict(X)[:, 0] > 0.5).astype(int))


def test_evaluate_returns_loss_and_metrics(digits_small):
    X, y = digits_small
    model = mlp((64, 10), output="softmax")
    model.compile("sparse_categorical_crossentropy", metrics=["accuracy", "mse", "mae"])
    loss, acc, mse, mae = model.evaluate(X, y)
    P = model.predict(X)
    Y = datasets.one_hot(y, 10)
    assert loss == pytest.approx(losses.sparse_categorical_crossentropy(y, P), rel=1e-12)
    assert acc == pytest.approx(np.mean(P.argmax(axis=1) == y), abs=1e-15)
    assert mse == pytest.approx(np.mean((P - Y) ** 2), rel=1e-12)
    assert mae == pytest.approx(np.mean(np.abs(P - Y)), rel=1e-12)
    model.compile("sparse_categorical_crossentropy")
    assert isinstance(model.evaluate(X, y), float)


def test_binary_accuracy(binary_data):
    X, y = binary_data
    model = mlp((3, 1))
    model.compile("binary_crossentropy", metrics=["accuracy"])
    _, acc = model.evaluate(X, y)
    assert acc == pytest.approx(np.mean((model.predict(X)[:, 0] > 0.5) == y), abs=1e-15)


# ---------------------------------------------------------------- weights
def test_get_set_weights_round_trip(rng):
    model = mlp((4, 5, 3, 2))
    W = model.get_weights()
    assert [w.shape for w in W] == [(4, 5), (5,), (5, 3), (3,), (3, 2), (2,)]
    X = rng.standard_normal((6, 4))
    P = model.predict(X)
    other = mlp((4, 5, 3, 2), seed=99)
    assert not np.allclose(other.predict(X), P)
    other.set_weights(W)
    np.testing.assert_array_equal(other.predict(X), P)
    for a, b in zip(other.get_weights(), W):
        np.testing.assert_array_equal(a, b)


def test_get_weights_returns_copies_and_set_weights_copies_in():
    model = mlp((2, 3, 1))
    W = model.get_weights()
    W[0][...] = 7.0
    assert not np.any(model.get_weights()[0] == 7.0)
    model.set_weights(W)
    W[0][...] = 8.0
    assert np.all(model.get_weights()[0] == 7.0)
    assert all(not np.shares_memory(w, p) for w, p in
               zip(model.get_weights(), model.trainable_weights))


def test_set_weights_errors_name_the_shapes():
    model = mlp((2, 3, 1))
    W = model.get_weights()
    with pytest.raises(ValueError, match=r"expected 4 weight arrays with shapes "
                                         r"\[\(2, 3\), \(3,\), \(3, 1\), \(1,\)\], got 3"):
        model.set_weights(W[:3])
    with pytest.raises(ValueError, match=r"expected 4 .* got 5"):
        model.set_weights(W + [np.zeros(1)])
    bad = [W[0].T] + W[1:]
    with pytest.raises(ValueError, match=r"kernel must have shape \(2, 3\), got \(3, 2\)"):
        model.set_weights(bad)


# ---------------------------------------------------------------- seeding
def test_same_seed_same_weights_and_history(digits_small):
    X, y = digits_small
    runs = []
    for seed in (7, 7, 8):
        model = mlp((64, 16, 10), hidden="relu", output="softmax", seed=seed)
        W0 = model.get_weights()
        model.compile("sparse_categorical_crossentropy", optimizers.SGD(0.1),
                      metrics=["accuracy"])
        h = model.fit(X, y, epochs=3, batch_size=32, shuffle=True)
        runs.append((W0, h.history, model.get_weights()))
    (Wa, ha, Fa), (Wb, hb, Fb), (Wc, hc, Fc) = runs
    for a, b in zip(Wa + Fa, Wb + Fb):
        np.testing.assert_array_equal(a, b)
    assert ha == hb
    assert not np.allclose(Wa[0], Wc[0])
    assert ha["loss"] != hc["loss"]


def test_the_seed_also_drives_shuffling(digits_small):
    # same initial weights, different shuffling seeds: different training runs
    X, y = digits_small
    histories = []
    for seed in (1, 2):
        model = mlp((64, 10), output="softmax", seed=seed)
        model.set_weights(mlp((64, 10), output="softmax", seed=0).get_weights())
        model.compile("sparse_categorical_crossentropy", optimizers.SGD(0.1))
        histories.append(model.fit(X, y, epochs=2, batch_size=16).history["loss"])
    assert histories[0] != histories[1]


# ---------------------------------------------------------------- fit
def test_fit_history(digits_small):
    X, y = digits_small
    model = mlp((64, 20, 10), output="softmax")
    model.compile("sparse_categorical_crossentropy", optimizers.Adam(0.01),
                  metrics=["accuracy"])
    history = model.fit(X[:200], y[:200], epochs=5, batch_size=32,
                        validation_data=(X[200:], y[200:]))
    assert isinstance(history, callbacks.History)
    assert model.history is history
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 5 for v in history.history.values())
    assert history.epoch == [0, 1, 2, 3, 4]
    assert all(isinstance(v, float) for v in history.history["loss"])
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.8
    # the last validation values are those of evaluate on the final weights
    val_loss, val_acc = model.evaluate(X[200:], y[200:])
    assert history.history["val_loss"][-1] == pytest.approx(val_loss, rel=1e-12)
    assert history.history["val_accuracy"][-1] == pytest.approx(val_acc, abs=1e-15)
    without_val = model.fit(X, y, epochs=2).history
    assert set(without_val) == {"loss", "accuracy"}


def test_fit_is_gradient_descent_in_order_without_shuffle(binary_data):
    # shuffle=False with consecutive mini-batches equals the manual loop, and the epoch's
    # loss is the mean of the batch losses weighted by batch size (as in Keras)
    X, y = binary_data
    lr, batch = 0.3, 16
    model = mlp((3, 4, 1), seed=4)
    manual = mlp((3, 4, 1), seed=4)
    model.compile("binary_crossentropy", optimizers.SGD(lr))
    manual.compile("binary_crossentropy")
    history = model.fit(X, y, epochs=2, batch_size=batch, shuffle=False)
    expected = []
    for _ in range(2):
        total = 0.0
        for start in range(0, len(X), batch):
            Xb, yb = X[start:start + batch], y[start:start + batch]
            value, grads = manual.loss_and_gradients(Xb, yb)
            manual.set_weights([w - lr * g for w, g in zip(manual.get_weights(), grads)])
            total += value * len(Xb)
        expected.append(total / len(X))
    np.testing.assert_allclose(history.history["loss"], expected, rtol=1e-12)
    for a, b in zip(model.get_weights(), manual.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_shuffle_false_is_deterministic_whatever_the_seed(binary_data):
    X, y = binary_data
    results = []
    for seed in (0, 1):
        model = mlp((3, 4, 1), seed=seed)
        model.set_weights(mlp((3, 4, 1), seed=0).get_weights())
        model.compile("binary_crossentropy", optimizers.SGD(0.1, momentum=0.9))
        results.append(model.fit(X, y, epochs=3, batch_size=8, shuffle=False).history)
    assert results[0] == results[1]


def test_sparse_and_one_hot_training_agree(digits_small):
    X, y = digits_small
    histories = []
    for loss, target in [("sparse_categorical_crossentropy", y),
                         ("categorical_crossentropy", datasets.one_hot(y, 10))]:
        model = mlp((64, 10), output="softmax", seed=0)
        model.compile(loss, optimizers.SGD(0.1), metrics=["accuracy"])
        histories.append(model.fit(X, target, epochs=2, batch_size=50).history)
    assert histories[0] == histories[1]


def test_verbose_prints_one_line_per_epoch(capsys, binary_data):
    X, y = binary_data
    model = mlp((3, 1))
    model.compile("binary_crossentropy", metrics=["accuracy"])
    model.fit(X, y, epochs=3, verbose=0, validation_data=(X, y))
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    model.fit(X, y, epochs=3, verbose=1, validation_data=(X, y))
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert len(lines) == 3 and captured.err == ""
    for i, line in enumerate(lines, 1):
        assert line.startswith(f"Epoch {i}/3")
        for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
            assert f"{key}: " in line


def test_fit_learns_logistic_regression_like_sklearn():
    from sklearn.linear_model import LogisticRegression

    X, y = datasets.make_logistic(n=1000, beta=(1.0, 2.0), seed=0)
    model = nnlib.Sequential([layers.Dense(1, "sigmoid", use_bias=False, input_dim=2,
                                           kernel_initializer="zeros")], seed=0)
    model.compile("binary_crossentropy", optimizers.SGD(learning_rate=2.0))
    model.fit(X, y, epochs=300, batch_size=len(X), shuffle=False)
    sk = LogisticRegression(C=np.inf, fit_intercept=False, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(model.get_weights()[0][:, 0], sk.coef_[0], rtol=1e-5)


def test_mse_regression_fits_a_line(rng):
    X = rng.uniform(-1, 1, (200, 1))
    y = 3 * X[:, 0] - 1
    model = nnlib.Sequential([layers.Dense(1, input_dim=1)], seed=0)
    model.compile("mse", optimizers.SGD(0.5))
    model.fit(X, y, epochs=200, batch_size=200)
    W, b = model.get_weights()
    assert W[0, 0] == pytest.approx(3, abs=1e-6) and b[0] == pytest.approx(-1, abs=1e-6)


# ---------------------------------------------------------------- early stopping
class _Recorder(callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.get_weights())


@pytest.mark.parametrize("restore", [True, False])
def test_early_stopping_stops_and_restores_the_best_weights(restore, binary_data):
    # validating on the opposite labels: the better the fit, the worse val_loss, so the
    # best epoch is the first one and training stops after `patience` more epochs
    X, y = binary_data
    model = mlp((3, 4, 1))
    model.compile("binary_crossentropy", optimizers.SGD(0.5))
    recorder = _Recorder()
    stopper = callbacks.EarlyStopping(monitor="val_loss", patience=2,
                                      restore_best_weights=restore)
    history = model.fit(X, y, epochs=50, batch_size=8, validation_data=(X, 1 - y),
                        callbacks=[recorder, stopper])
    val = history.history["val_loss"]
    assert np.all(np.diff(val) > 0)
    assert len(val) == 3 and stopper.stopped_epoch == 2 and stopper.best_epoch == 0
    assert stopper.best == val[0]
    expected = recorder.weights[0] if restore else recorder.weights[-1]
    for a, b in zip(model.get_weights(), expected):
        np.testing.assert_array_equal(a, b)


def test_early_stopping_restores_the_best_weights_at_the_end_like_keras(binary_data):
    X, y = binary_data
    model = mlp((3, 4, 1))
    model.compile("binary_crossentropy", optimizers.SGD(0.5))
    recorder = _Recorder()
    stopper = callbacks.EarlyStopping(patience=100, restore_best_weights=True)
    history = model.fit(X, y, epochs=4, batch_size=8, validation_data=(X, 1 - y),
                        callbacks=[recorder, stopper])
    assert len(history.epoch) == 4 and stopper.best_epoch == 0   # never stopped early
    for a, b in zip(model.get_weights(), recorder.weights[0]):
        np.testing.assert_array_equal(a, b)


def test_early_stopping_on_accuracy_and_without_stopping(binary_data):
    X, y = binary_data
    model = mlp((3, 4, 1))
    model.compile("binary_crossentropy", optimizers.SGD(0.5), metrics=["accuracy"])
    stopper = callbacks.EarlyStopping(monitor="val_accuracy", patience=100)
    assert stopper.mode == "max"
    history = model.fit(X, y, epochs=4, validation_data=(X, y), callbacks=[stopper])
    assert len(history.epoch) == 4 and stopper.stopped_epoch is None
    assert stopper.best == max(history.history["val_accuracy"])


def test_early_stopping_unknown_monitor(binary_data):
    X, y = binary_data
    model = mlp((3, 1))
    model.compile("binary_crossentropy")
    with pytest.raises(ValueError, match="'val_loss'.*logged values: loss"):
        model.fit(X, y, callbacks=[callbacks.EarlyStopping()])
    with pytest.raises(ValueError, match="mode"):
        callbacks.EarlyStopping(mode="best")


# ---------------------------------------------------------------- stability
@pytest.mark.parametrize("loss, output, k", [
    ("binary_crossentropy", "sigmoid", 1), ("sparse_categorical_crossentropy", "softmax", 3),
    ("categorical_crossentropy", "softmax", 3)])
@pytest.mark.parametrize("hidden", [(), (8,)], ids=["no_hidden", "tanh_hidden"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_training_on_huge_inputs_gives_no_nan(loss, output, k, hidden, dtype, strict, rng):
    # saturated outputs: the loss is computed from the logits, so it stays finite (a ReLU
    # hidden layer would make the weights themselves explode, in Keras as well)
    X = rng.standard_normal((64, 5)) * 1e4
    y = _targets(loss, rng, 64, k) if loss != "binary_crossentropy" \
        else (X[:, 0] > 0).astype(int)
    model = mlp((5, *hidden, k), hidden="tanh", output=output, dtype=dtype)
    model.compile(loss, optimizers.SGD(0.1), metrics=["accuracy"])
    with strict():
        history = model.fit(X, y, epochs=3, batch_size=16, validation_data=(X, y))
        P = model.predict(X)
    for values in history.history.values():
        assert np.all(np.isfinite(values))
    assert np.isfinite(P).all()
    assert all(np.isfinite(w).all() for w in model.get_weights())
    if not hidden:   # the logits really are huge: the saturated regime is exercised
        assert np.abs(model.layers[-1].z).max() > 1e3


# ---------------------------------------------------------------- dtypes
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("optimizer", [optimizers.SGD(0.1), optimizers.SGD(0.1, momentum=0.9),
                                       optimizers.SGD(0.1, 0.9, nesterov=True),
                                       optimizers.Adam(0.01)], ids=["sgd", "momentum",
                                                                    "nesterov", "adam"])
def test_dtype_end_to_end(dtype, optimizer, rng):
    optimizer.reset()
    model = nnlib.Sequential([
        layers.Dense(6, "relu", input_dim=4, kernel_regularizer=L1L2(0.01, 0.01)),
        layers.Dense(5, "tanh"), layers.Activation("sigmoid"), layers.Dense(3, "softmax"),
    ], seed=0, dtype=np.dtype(dtype).name)
    assert all(w.dtype == dtype for w in model.get_weights())
    model.compile("sparse_categorical_crossentropy", optimizer, metrics=["accuracy"])
    X = rng.standard_normal((50, 4))          # float64 data: converted once
    y = rng.integers(0, 3, 50)
    value, grads = model.loss_and_gradients(X, y)
    assert isinstance(value, float)
    assert all(g.dtype == dtype for g in grads)
    assert all(layer.a.dtype == dtype for layer in model.layers)
    model.fit(X, y, epochs=2, batch_size=16, validation_data=(X, y))
    assert all(w.dtype == dtype for w in model.get_weights())
    assert all(w.dtype == dtype for w in model.trainable_weights)
    assert all(g.dtype == dtype for g in model.gradients)
    states = [a for state in optimizer._state for a in state.values()]
    assert states and all(a.dtype == dtype for a in states)
    assert model.predict(X).dtype == dtype
    assert model.predict(X.astype(np.int64)).dtype == dtype
    assert model.predict(X.astype(np.float32)).dtype == dtype


def test_float32_and_float64_models_agree(digits_small):
    X, y = digits_small
    runs = {}
    for dtype in ("float32", "float64"):
        model = mlp((64, 16, 10), hidden="relu", output="softmax", seed=0, dtype=dtype)
        model.compile("sparse_categorical_crossentropy", optimizers.SGD(0.1))
        runs[dtype] = (model.fit(X, y, epochs=2, batch_size=32).history["loss"],
                       model.predict(X))
    np.testing.assert_allclose(runs["float32"][0], runs["float64"][0], rtol=1e-4)
    np.testing.assert_allclose(runs["float32"][1], runs["float64"][1], atol=1e-4)


# ---------------------------------------------------------------- summary and structure
def test_summary_of_the_5_3_4_1_network(capsys):
    model = nnlib.Sequential([layers.Dense(3, "sigmoid", input_dim=5),
                              layers.Dense(4, "sigmoid"), layers.Dense(1, "sigmoid")])
    model.summary()
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == 'Model: "sequential"'
    rows = [line.split() for line in lines if line.startswith("dense")]
    assert rows == [["dense", "(Dense)", "(None,", "3)", "18"],
                    ["dense_1", "(Dense)", "(None,", "4)", "16"],
                    ["dense_2", "(Dense)", "(None,", "1)", "5"]]
    assert "Total params: 39" in out and "Trainable params: 39" in out
    assert "Non-trainable params: 0" in out
    assert model.count_params() == 39


def test_summary_of_the_2_4_2_network_and_print_fn():
    model = nnlib.Sequential([layers.Dense(4, "relu", input_dim=2), layers.Activation("relu"),
                              layers.Dense(2, "softmax")], name="net")
    lines = []
    model.summary(print_fn=lines.append)
    text = lines[0]
    assert 'Model: "net"' in text and "Total params: 22" in text
    assert "activation (Activation)" in text and "dense_1 (Dense)" in text
    assert "(None, 4)" in text and "(None, 2)" in text
    assert model.count_params() == 22


def test_summary_with_thousands():
    model = nnlib.Sequential([layers.Dense(100, input_dim=784), layers.Dense(10)])
    lines = []
    model.summary(print_fn=lines.append)
    assert "78,500" in lines[0] and "Total params: 79,510" in lines[0]


def test_summary_before_build_explains():
    model = nnlib.Sequential([layers.Dense(3)])
    with pytest.raises(ValueError, match="not built"):
        model.summary()


def test_layer_names_and_repr():
    model = nnlib.Sequential([layers.Dense(3, input_dim=2), layers.Activation("relu"),
                              layers.Dense(1, name="out")])
    assert [layer.name for layer in model.layers] == ["dense", "activation", "out"]
    assert repr(model) == "<Sequential 'sequential': 2 -> 3 -> 3 -> 1>"
    model.add(layers.Dense(2))
    assert model.layers[-1].name == "dense_2" and model.output_dim == 2
