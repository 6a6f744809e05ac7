"""gradcheck: finite differences are accurate, and a wrong gradient is caught."""
import numpy as np
import pytest

import nnlib
from nnlib import gradcheck, layers
from nnlib.gradcheck import GradCheckResult, numerical_gradient, relative_error


def test_numerical_gradient_of_a_quadratic(rng):
    A = rng.standard_normal((4, 4))
    x = rng.standard_normal(4)
    grad = numerical_gradient(lambda v: v @ A @ v, x.copy())
    # a quadratic has no third derivative: centred differences are exact up to rounding
    np.testing.assert_allclose(grad, (A + A.T) @ x, rtol=1e-8, atol=1e-9)


def test_numerical_gradient_keeps_shape_and_restores_x(rng):
    X = rng.standard_normal((3, 2))
    X0 = X.copy()
    grad = numerical_gradient(lambda v: np.sum(np.sin(v)), X)
    assert grad.shape == (3, 2) and grad.dtype == np.float64
    np.testing.assert_array_equal(X, X0)
    assert relative_error(grad, np.cos(X)) < 1e-9


def test_numerical_gradient_of_float32_is_float64():
    x = np.array([1.0, 2.0], dtype=np.float32)
    grad = numerical_gradient(lambda v: float(np.sum(v.astype(np.float64) ** 2)), x, eps=1e-2)
    assert grad.dtype == np.float64
    np.testing.assert_allclose(grad, [2, 4], rtol=1e-5)


def test_numerical_gradient_errors():
    with pytest.raises(TypeError, match="float array.*int64"):
        numerical_gradient(lambda v: v.sum(), np.arange(3))
    # x is perturbed in place, which a transposed array cannot be through a flat view
    with pytest.raises(ValueError, match="contiguous"):
        numerical_gradient(lambda v: v.sum(), np.ones((3, 4)).T)


def test_relative_error():
    a = np.array([1.0, 2.0, 2.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(a, -a) == 1.0
    assert relative_error(a, 2 * a) == pytest.approx(1 / 3)
    assert relative_error(a, a + 1e-9) == relative_error(a + 1e-9, a)
    # scale-free
    assert relative_error(1e6 * a, 1e6 * (a + 1e-3)) == pytest.approx(
        relative_error(a, a + 1e-3))
    with pytest.raises(ValueError, match=r"\(3,\) and \(2,\)"):
        relative_error(a, a[:2])


def test_check_gradient_accepts_right_and_rejects_wrong():
    f = lambda x: np.sum(np.exp(x) * x)  # noqa: E731
    right = lambda x: np.exp(x) * (1 + x)  # noqa: E731
    wrong = lambda x: np.exp(x) * x  # noqa: E731
    x = np.linspace(-1, 1, 5)
    assert gradcheck.check_gradient(f, right, x) < 1e-8
    assert gradcheck.check_gradient(f, wrong, x) > 1e-2


class _ForgetfulDense(layers.Dense):
    """A Dense layer whose backward forgets the activation's derivative (a classic bug)."""

    def backward(self, grad, need_input_grad=True, grad_is_logits=False):
        return super().backward(grad, need_input_grad, grad_is_logits=True)


def test_check_layer_catches_a_wrong_backward(rng):
    X = rng.standard_normal((5, 3))
    good = layers.Dense(4, "sigmoid")
    bad = _ForgetfulDense(4, "sigmoid")
    assert gradcheck.check_layer(good, X).ok()
    result = gradcheck.check_layer(bad, X)
    assert not result.ok() and result.max_error > 1e-2
    assert set(result.errors) == {"input", "kernel", "bias"}


def test_check_layer_leaves_the_layer_unchanged(rng):
    layer = layers.Dense(3, "tanh")
    X = rng.standard_normal((4, 2))
    gradcheck.check_layer(layer, X)
    W = layer.get_weights()
    gradcheck.check_layer(layer, X)
    for a, b in zip(layer.get_weights(), W):
        np.testing.assert_array_equal(a, b)


def test_check_model_catches_a_wrong_backward(rng):
    model = nnlib.Sequential([layers.Dense(3, "tanh", input_dim=2),
                              _ForgetfulDense(2, "tanh")], seed=0)
    model.compile("mse")
    result = gradcheck.check_model(model, rng.standard_normal((6, 2)),
                                   rng.standard_normal((6, 2)))
    assert set(result.errors) == {"dense.kernel", "dense.bias", "_forgetfuldense.kernel",
                                  "_forgetfuldense.bias"}
    assert result.max_error > 1e-2


def test_check_model_leaves_the_weights_unchanged(rng):
    model = nnlib.Sequential([layers.Dense(3, "relu", input_dim=2),
                              layers.Dense(1, "sigmoid")], seed=0)
    model.compile("binary_crossentropy")
    W = model.get_weights()
    gradcheck.check_model(model, rng.standard_normal((5, 2)), rng.integers(0, 2, 5))
    for a, b in zip(model.get_weights(), W):
        np.testing.assert_array_equal(a, b)


def test_result_object():
    r = GradCheckResult({"a": 1e-9, "b": 3e-8})
    assert r.max_error == 3e-8 and r.ok() and not r.ok(tol=1e-8)
    assert str(r) == "max relative error 3.0e-08 (a: 1.0e-09, b: 3.0e-08)"
    assert GradCheckResult().max_error == 0.0
