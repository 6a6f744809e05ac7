"""Bad input gets a clear ValueError or TypeError that names the problem and the shapes."""
import numpy as np
import pytest

import nnlib
from nnlib import activations, callbacks, initializers, layers, losses, optimizers


def model(loss="binary_crossentropy", k=1, compile=True, input_dim=3):
    out = "sigmoid" if k == 1 else "softmax"
    m = nnlib.Sequential([layers.Dense(4, "relu", input_dim=input_dim),
                          layers.Dense(k, out)], seed=0)
    if compile:
        m.compile(loss, optimizer="sgd", metrics=["accuracy"])
    return m


X = np.random.default_rng(0).standard_normal((10, 3))
Y01 = np.arange(10) % 2


# ---------------------------------------------------------------- X and y
@pytest.mark.parametrize("call", ["fit", "evaluate", "loss_and_gradients"])
def test_x_and_y_of_different_lengths(call):
    with pytest.raises(ValueError, match=r"different numbers of samples: X has shape "
                                         r"\(10, 3\), y has shape \(9,\)"):
        getattr(model(), call)(X, Y01[:9])


@pytest.mark.parametrize("call", ["fit", "evaluate", "loss_and_gradients", "predict"])
def test_wrong_number_of_features(call):
    X4 = np.zeros((10, 4))
    args = (X4,) if call == "predict" else (X4, Y01)
    with pytest.raises(ValueError, match=r"X has 4 features \(shape \(10, 4\)\) but the model "
                                         r"expects 3"):
        getattr(model(), call)(*args)


def test_wrong_number_of_features_in_validation_data():
    with pytest.raises(ValueError, match=r"X_val has 2 features \(shape \(5, 2\)\).*expects 3"):
        model().fit(X, Y01, validation_data=(np.zeros((5, 2)), Y01[:5]))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("call", ["fit", "predict", "evaluate"])
def test_nan_or_inf_in_x(bad, call):
    Xb = X.copy()
    Xb[3, 1] = bad
    args = (Xb,) if call == "predict" else (Xb, Y01)
    with pytest.raises(ValueError, match=r"X contains 1 NaN or infinite value\(s\) "
                                         r"\(shape \(10, 3\)\)"):
        getattr(model(), call)(*args)


def test_nan_in_targets_and_validation_data():
    y = np.linspace(0, 1, 10)
    y[2] = np.nan
    with pytest.raises(ValueError, match=r"y contains 1 NaN.*\(shape \(10,\)\)"):
        model("mse").fit(X, y)
    Xv = X.copy()
    Xv[0, 0] = np.nan
    with pytest.raises(ValueError, match="X_val contains 1 NaN"):
        model().fit(X, Y01, validation_data=(Xv, Y01))


def test_one_dimensional_x_explains_the_reshape():
    with pytest.raises(ValueError, match=r"X must be 2-D, got shape \(10,\).*reshape\(-1, 1\)"):
        model(input_dim=1).fit(X[:, 0], Y01)
    with pytest.raises(ValueError, match=r"X must be 2-D, got shape \(3,\)"):
        model().predict(X[0])
    with pytest.raises(ValueError, match=r"X must be 2-D, got shape \(10, 3, 1\)"):
        model().predict(X[:, :, None])


@pytest.mark.parametrize("bad_X", [[["a", "b", "c"]], np.array([["x", "y", "z"]]),
                                   np.array([[object(), 1, 2]], dtype=object), {"a": 1}])
def test_non_numeric_x(bad_X):
    with pytest.raises(TypeError, match="X must be numeric"):
        model().predict(bad_X)


def test_non_numeric_x_and_y_in_fit():
    with pytest.raises(TypeError, match="X must be numeric"):
        model().fit("abc", Y01)
    with pytest.raises(TypeError, match=r"y must be numeric.*\(shape \(10,\)\)"):
        model().fit(X, np.array(list("abcdefghij")))
    with pytest.raises(TypeError, match="y must be numeric"):
        model().fit(X, "0101010101")
    with pytest.raises(TypeError, match="X must be real"):
        model().predict(X * 1j)


def test_ragged_x_is_an_error():
    with pytest.raises((ValueError, TypeError)):
        model().predict([[1.0, 2.0, 3.0], [1.0, 2.0]])


def test_missing_targets():
    with pytest.raises(TypeError, match="y"):
        model().fit(X, None)


def test_empty_data():
    with pytest.raises(ValueError, match=r"(?i)(no samples|empty).*\(0, 3\)"):
        model().fit(np.zeros((0, 3)), np.zeros(0))


# ---------------------------------------------------------------- labels and targets
@pytest.mark.parametrize("labels, shown", [([0, 1, 2, 1, 0, 1, 0, 1, 0, 1], "0 to 2"),
                                           ([0, 1, -1, 1, 0, 1, 0, 1, 0, 1], "-1 to 1")])
def test_binary_labels_outside_0_1(labels, shown):
    with pytest.raises(ValueError, match=f"0/1.*binary_crossentropy.*{shown}"):
        model().fit(X, labels)


@pytest.mark.parametrize("labels, shown", [([0, 10], r"0\.\.10"), ([-1, 3], r"-1\.\.3")])
def test_sparse_labels_outside_the_classes(labels, shown):
    y = np.array(labels + [1] * 8)
    with pytest.raises(ValueError, match=rf"labels must lie in 0\.\.9, got values {shown} "
                                         r"\(the model has 10 output units\)"):
        model("sparse_categorical_crossentropy", k=10).fit(X, y)


def test_sparse_labels_must_be_integers_and_1d():
    m = model("sparse_categorical_crossentropy", k=3)
    with pytest.raises(ValueError, match="labels must be integers"):
        m.fit(X, np.full(10, 0.5))
    with pytest.raises(ValueError,
                       match=r"1-D integer labels.*\(10, 3\).*categorical_crossentropy"):
        m.fit(X, np.zeros((10, 3)))
    with pytest.raises(ValueError, match="labels must be integers"):
        m.fit(X, np.array(list("abcdefghij")))


def test_categorical_crossentropy_given_labels_suggests_one_hot_or_sparse():
    with pytest.raises(ValueError, match=r"y has shape \(10,\).*one-hot rows of shape "
                                         r"\(n, 3\).*one_hot.*sparse_categorical_crossentropy"):
        model("categorical_crossentropy", k=3).fit(X, np.arange(10) % 3)


def test_targets_of_the_wrong_width():
    with pytest.raises(ValueError, match=r"y has shape \(10, 4\) but the model's output has "
                                         r"shape \(10, 3\)"):
        model("categorical_crossentropy", k=3).fit(X, np.eye(10)[:, :4])
    with pytest.raises(ValueError, match=r"y has shape \(10, 2\).*\(10, 1\)"):
        model("mse").fit(X, np.zeros((10, 2)))


def test_validation_data_of_different_lengths():
    with pytest.raises(ValueError, match=r"X_val and y_val have different numbers of samples: "
                                         r"X_val has shape \(10, 3\), y_val has shape \(4,\)"):
        model().fit(X, Y01, validation_data=(X, Y01[:4]))


def test_validation_data_errors():
    with pytest.raises(ValueError, match=r"y_val.*\(4,\)"):
        model().fit(X, Y01, validation_data=(X, Y01[:4]))
    with pytest.raises(ValueError, match=r"validation_data must be a tuple \(X_val, y_val\)"):
        model().fit(X, Y01, validation_data=X)
    with pytest.raises(ValueError, match="y_val must contain class labels 0/1"):
        model().fit(X, Y01, validation_data=(X, Y01 + 1))


# ---------------------------------------------------------------- not compiled
@pytest.mark.parametrize("call", ["fit", "evaluate", "loss_and_gradients"])
def test_not_compiled(call):
    m = model(compile=False)
    with pytest.raises(nnlib.NotCompiledError, match=rf"compile.*before model\.{call}\(\)"):
        getattr(m, call)(X, Y01)
    with pytest.raises(ValueError):        # NotCompiledError is a ValueError
        getattr(m, call)(X, Y01)
    assert m.predict(X).shape == (10, 1)   # predicting needs no loss


# ---------------------------------------------------------------- unknown names
def test_unknown_loss_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown loss 'binary_cross_entropy'") as info:
        model(compile=False).compile("binary_cross_entropy")
    for name in ("binary_crossentropy", "categorical_crossentropy",
                 "sparse_categorical_crossentropy", "mse"):
        assert name in str(info.value)


def test_unknown_activation_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown activation 'Relu'") as info:
        layers.Dense(3, activation="Relu")
    for name in activations.available():
        assert name in str(info.value)


def test_unknown_optimizer_lists_the_valid_ones():
    # adagrad & co. exist since the optimizers of chapter 8
    with pytest.raises(ValueError, match="unknown optimizer 'lbfgs'; valid optimizers are: "
                                         "adadelta, adagrad, adam, adamw, rmsprop, sgd"):
        model(compile=False).compile("mse", optimizer="lbfgs")


def test_unknown_initializer_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown initializer 'xavier'") as info:
        layers.Dense(3, kernel_initializer="xavier")
    for name in initializers.available():
        assert name in str(info.value)
    with pytest.raises(ValueError, match="unknown initializer"):
        layers.Dense(3, bias_initializer="zero")


def test_unknown_metric_lists_the_valid_ones():
    # "acc" is valid since issue 11 (Keras's alias); "auc" is not (Keras's is approximate)
    with pytest.raises(ValueError, match="unknown metric 'auc'; valid metrics are: "
                                         "acc, accuracy, binary_accuracy"):
        model(compile=False).compile("mse", metrics=["auc"])


def test_wrong_types_for_loss_and_optimizer():
    with pytest.raises(TypeError, match="loss must be a name or a Loss"):
        model(compile=False).compile(losses.binary_crossentropy)
    with pytest.raises(TypeError, match="optimizer must be a name or an Optimizer"):
        model(compile=False).compile("mse", optimizer=optimizers.SGD)


# ---------------------------------------------------------------- arguments
@pytest.mark.parametrize("kwargs, match", [
    ({"epochs": 0}, "epochs must be a positive integer, got 0"),
    ({"epochs": 1.5}, "epochs must be a positive integer, got 1.5"),
    ({"batch_size": 0}, "batch_size must be a positive integer, got 0"),
    ({"batch_size": 2.0}, "batch_size must be a positive integer, got 2.0"),
    ({"batch_size": True}, "batch_size must be a positive integer, got True"),
])
def test_bad_fit_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        model().fit(X, Y01, **kwargs)


def test_bad_callbacks():
    with pytest.raises(TypeError, match="nnlib.callbacks.Callback objects, got "
                                        "builtin_function_or_method"):
        model().fit(X, Y01, callbacks=[print])
    with pytest.raises(ValueError, match="not among the logged values"):
        model().fit(X, Y01, callbacks=[callbacks.EarlyStopping(monitor="val_accuracy")])


@pytest.mark.parametrize("dtype, exc", [("int32", ValueError), ("float16", ValueError),
                                        (np.int64, ValueError), ("double precision", TypeError)])
def test_bad_model_dtype(dtype, exc):
    with pytest.raises(exc, match="dtype must be 'float32' or 'float64'"):
        nnlib.Sequential([layers.Dense(1, input_dim=2)], dtype=dtype)


def test_bad_model_structure():
    with pytest.raises(TypeError, match="expected an nnlib layer, got int"):
        nnlib.Sequential([3])
    with pytest.raises(TypeError, match="expected an nnlib layer"):
        nnlib.Sequential([lambda x: x])
    with pytest.raises(ValueError, match="the model has no layers"):
        nnlib.Sequential().predict(X)
    with pytest.raises(ValueError, match="no layers"):
        nnlib.Sequential().build(3)
    with pytest.raises(ValueError, match="input_dim must be a positive integer, got 0"):
        nnlib.Sequential([layers.Dense(2)]).build(0)
    # a second layer declaring an input width that the first does not give
    with pytest.raises(ValueError, match="expects 5 inputs but the previous layer gives 4"):
        nnlib.Sequential([layers.Dense(4, input_dim=3), layers.Dense(2, input_dim=5)])
