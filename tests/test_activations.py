"""Activations: values, derivatives checked by finite differences, stability, dtypes."""
import numpy as np
import pytest

from nnlib import activations as A
from nnlib.gradcheck import numerical_gradient, relative_error

TOL = 1e-7  # relative error of a correct gradient in float64

# name -> (function, derivative, smooth everywhere?)
ELEMENTWISE = {
    "identity": (A.identity, A.identity_derivative, True),
    "step": (A.step, A.step_derivative, False),
    "sigmoid": (A.sigmoid, A.sigmoid_derivative, True),
    "tanh": (A.tanh, A.tanh_derivative, True),
    "arctan": (A.arctan, A.arctan_derivative, True),
    "softsign": (A.softsign, A.softsign_derivative, False),
    "isru": (A.isru, A.isru_derivative, True),
    "relu": (A.relu, A.relu_derivative, False),
    "leaky_relu": (A.leaky_relu, A.leaky_relu_derivative, False),
    "elu": (A.elu, A.elu_derivative, False),
    "softplus": (A.softplus, A.softplus_derivative, True),
}
# the names get() knows, by the function that computes them
OBJECT_NAMES = {"linear": "identity", **{k: k for k in ELEMENTWISE if k != "identity"}}


def points(rng, shape=(4, 5), smooth=True):
    """Test points in [-3, 3]; for functions with a kink at 0, at least 0.1 away from it."""
    z = rng.uniform(-3, 3, shape)
    if not smooth:
        z = np.where(np.abs(z) < 0.1, np.sign(z + 1e-12) * 0.1 + z, z)
        assert np.abs(z).min() >= 0.1
    return z


def test_every_function_is_covered():
    names = {n for n in A.__all__ if not n.endswith("_derivative")}
    names -= {"get", "available", "ActivationFunction", "softmax", "log_softmax",
              "softmax_jacobian"}
    assert names == set(ELEMENTWISE)
    assert set(A.available()) == set(OBJECT_NAMES) | {"softmax"}


# ---------------------------------------------------------------- values
def test_values_at_known_points():
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(A.identity(z), z)
    np.testing.assert_array_equal(A.step(z), [0, 1, 1])
    np.testing.assert_allclose(A.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-15)
    np.testing.assert_allclose(A.tanh(z), np.tanh(z))
    np.testing.assert_allclose(A.arctan(z), np.arctan(z))
    np.testing.assert_allclose(A.softsign(z), [-2 / 3, 0, 3 / 4])
    np.testing.assert_allclose(A.isru(z), z / np.sqrt(1 + z ** 2))
    np.testing.assert_allclose(A.isru(z, alpha=4.0), z / np.sqrt(1 + 4 * z ** 2))
    np.testing.assert_array_equal(A.relu(z), [0, 0, 3])
    np.testing.assert_allclose(A.leaky_relu(z), [-0.02, 0, 3])
    np.testing.assert_allclose(A.leaky_relu(z, alpha=0.2), [-0.4, 0, 3])
    np.testing.assert_allclose(A.elu(z), [np.exp(-2) - 1, 0, 3])
    np.testing.assert_allclose(A.elu(z, alpha=2.0), [2 * (np.exp(-2) - 1), 0, 3])
    np.testing.assert_allclose(A.softplus(z), np.log1p(np.exp(z)), rtol=1e-15)


def test_conventions_at_zero():
    # relu'(0) = 0 as in TensorFlow; step(0) = 1; the step's derivative is 0 by convention
    assert A.relu_derivative(0.0) == 0
    assert A.step(0.0) == 1
    assert A.step_derivative(0.0) == 0
    assert A.sigmoid(0.0) == 0.5
    assert A.sigmoid_derivative(0.0) == 0.25
    assert A.tanh_derivative(0.0) == 1


def test_ranges(rng):
    z = rng.uniform(-30, 30, 1000)
    for f, lo, hi in [(A.sigmoid, 0, 1), (A.tanh, -1, 1), (A.softsign, -1, 1),
                      (A.isru, -1, 1), (A.arctan, -np.pi / 2, np.pi / 2)]:
        out = f(z)
        assert lo <= out.min() and out.max() <= hi, f.__name__
    assert A.relu(z).min() == 0 and A.softplus(z).min() > 0 and A.elu(z).min() > -1


def test_scalars_and_integers_become_float64():
    for name, (f, d, _) in ELEMENTWISE.items():
        for fn in (f, d):
            assert np.asarray(fn(2)).dtype == np.float64, name
            assert fn(np.arange(3)).dtype == np.float64, name


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(dtype, rng):
    z = rng.standard_normal((3, 4)).astype(dtype)
    for name, (f, d, _) in ELEMENTWISE.items():
        assert f(z).dtype == dtype, name
        assert d(z).dtype == dtype, name
    for fn in (A.softmax, A.log_softmax):
        assert fn(z).dtype == dtype
    assert A.softmax_jacobian(A.softmax(z)).dtype == dtype
    for name in A.available():
        obj = A.get(name)
        a = obj.forward(z.copy())
        assert a.dtype == dtype, name
        assert obj.backward(z, a, np.ones_like(z)).dtype == dtype, name


def test_identity_returns_a_copy():
    z = np.array([1.0, 2.0])
    out = A.identity(z)
    out[0] = 5
    assert z[0] == 1


# ---------------------------------------------------------------- derivatives
@pytest.mark.parametrize("name", list(ELEMENTWISE))
def test_derivative_matches_finite_differences(name, rng):
    f, d, smooth = ELEMENTWISE[name]
    z = points(rng, smooth=smooth)
    # f is elementwise, so the gradient of sum(f(z)) is f'(z)
    num = numerical_gradient(lambda x: f(x).sum(), z.copy())
    assert relative_error(d(z), num) <= TOL


@pytest.mark.parametrize("alpha", [0.1, 0.3])
def test_parametrised_derivatives(alpha, rng):
    z = points(rng, smooth=False)
    for f, d in [(A.leaky_relu, A.leaky_relu_derivative), (A.elu, A.elu_derivative),
                 (A.isru, A.isru_derivative)]:
        num = numerical_gradient(lambda x: f(x, alpha=alpha).sum(), z.copy())
        assert relative_error(d(z, alpha=alpha), num) <= TOL, f.__name__


def test_softplus_derivative_is_sigmoid(rng):
    z = rng.standard_normal(10)
    np.testing.assert_array_equal(A.softplus_derivative(z), A.sigmoid(z))


@pytest.mark.parametrize("name", sorted(OBJECT_NAMES))
def test_activation_objects(name, rng):
    obj = A.get(name)
    f, d, smooth = ELEMENTWISE[OBJECT_NAMES[name]]
    z = points(rng, smooth=smooth)
    a = obj.forward(z.copy())
    np.testing.assert_allclose(a, f(z), rtol=1e-15, atol=0)
    np.testing.assert_allclose(obj.derivative(z), d(z), rtol=1e-15, atol=0)
    # forward into a given array
    buf = np.empty_like(z)
    assert obj.forward(z, out=buf) is buf
    np.testing.assert_allclose(buf, f(z), rtol=1e-15, atol=0)
    # backward = grad * f'(z), checked against finite differences of sum(R * f(z))
    R = rng.standard_normal(z.shape)
    back = obj.backward(z, a, R.copy())
    np.testing.assert_allclose(back, R * d(z), rtol=1e-12, atol=1e-15)
    num = numerical_gradient(lambda x: np.sum(R * obj.forward(x.copy())), z.copy())
    assert relative_error(back, num) <= TOL


# ---------------------------------------------------------------- softmax
def test_softmax_values(rng):
    Z = rng.standard_normal((5, 4))
    P = A.softmax(Z)
    E = np.exp(Z)
    np.testing.assert_allclose(P, E / E.sum(axis=1, keepdims=True), rtol=1e-14)
    np.testing.assert_allclose(P.sum(axis=1), 1, rtol=1e-15)
    # invariant to adding a constant to every score of a row
    np.testing.assert_allclose(A.softmax(Z + 100), P, rtol=1e-13)
    # along another axis
    np.testing.assert_allclose(A.softmax(Z, axis=0), (E / E.sum(axis=0)), rtol=1e-14)
    # 1-D
    np.testing.assert_allclose(A.softmax(Z[0]), P[0], rtol=1e-15)
    np.testing.assert_allclose(A.log_softmax(Z), np.log(P), rtol=1e-13)
    np.testing.assert_allclose(A.log_softmax(Z, axis=0), np.log(A.softmax(Z, axis=0)),
                               rtol=1e-13)


def test_softmax_does_not_modify_its_input(rng):
    Z = rng.standard_normal((3, 4))
    Z0 = Z.copy()
    A.softmax(Z)
    A.log_softmax(Z)
    np.testing.assert_array_equal(Z, Z0)


def test_softmax_jacobian_matches_finite_differences(rng):
    z = rng.standard_normal(5)
    J = A.softmax_jacobian(A.softmax(z))
    assert J.shape == (5, 5)
    np.testing.assert_allclose(J, J.T, rtol=0, atol=1e-17)
    num = np.array([numerical_gradient(lambda x, i=i: A.softmax(x)[i], z.copy())
                    for i in range(5)])           # row i: d p_i / d z
    assert relative_error(J, num) <= TOL
    np.testing.assert_allclose(J.sum(axis=0), 0, atol=1e-16)


def test_softmax_jacobian_batched(rng):
    Z = rng.standard_normal((3, 4))
    P = A.softmax(Z)
    J = A.softmax_jacobian(P)
    assert J.shape == (3, 4, 4)
    for i in range(3):
        np.testing.assert_array_equal(J[i], A.softmax_jacobian(P[i]))
        np.testing.assert_allclose(J[i], np.diag(P[i]) - np.outer(P[i], P[i]), rtol=1e-15)
    with pytest.raises(ValueError, match=r"\(2, 3, 4\)"):
        A.softmax_jacobian(np.ones((2, 3, 4)) / 4)


def test_softmax_backward_is_a_jacobian_vector_product(rng):
    obj = A.get("softmax")
    Z = rng.standard_normal((6, 4))
    P = obj.forward(Z.copy())
    R = rng.standard_normal(Z.shape)
    back = obj.backward(Z, P, R.copy())
    jvp = np.einsum("nij,nj->ni", A.softmax_jacobian(P), R)
    np.testing.assert_allclose(back, jvp, rtol=1e-12, atol=1e-15)
    num = numerical_gradient(lambda x: np.sum(R * A.softmax(x)), Z.copy())
    assert relative_error(back, num) <= TOL


def test_softmax_object_has_no_elementwise_derivative():
    with pytest.raises(ValueError, match="softmax_jacobian"):
        A.get("softmax").derivative(np.zeros((2, 3)))


def test_log_softmax_gradient(rng):
    z = rng.standard_normal(4)
    R = rng.standard_normal(4)
    # d/dz sum(R * log_softmax(z)) = R - softmax(z) * sum(R)
    num = numerical_gradient(lambda x: np.sum(R * A.log_softmax(x)), z.copy())
    assert relative_error(R - A.softmax(z) * R.sum(), num) <= TOL


# ---------------------------------------------------------------- stability
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_inputs_are_finite_and_silent(dtype, strict):
    z = np.array([-1e4, -800.0, -50.0, 0.0, 50.0, 800.0, 1e4], dtype=dtype)
    with strict():
        outputs = {name: (f(z), d(z)) for name, (f, d, _) in ELEMENTWISE.items()}
        S = A.softmax(np.stack([z, -z]))
        L = A.log_softmax(np.stack([z, -z]))
        objs = {name: A.get(name).forward(np.stack([z, -z])) for name in A.available()}
    for name, (v, g) in outputs.items():
        assert np.isfinite(v).all() and np.isfinite(g).all(), name
        assert v.dtype == dtype, name
    for name, v in objs.items():
        assert np.isfinite(v).all(), name
    np.testing.assert_array_equal(outputs["sigmoid"][0][[0, -1]], [0, 1])
    assert outputs["sigmoid"][0][3] == 0.5
    np.testing.assert_allclose(outputs["softplus"][0][[0, -1]], [0, 1e4])
    np.testing.assert_allclose(outputs["softplus"][0][3], np.log(2), rtol=1e-6)
    assert np.isfinite(S).all() and np.isfinite(L).all()
    np.testing.assert_allclose(S.sum(axis=1), 1, rtol=1e-6)
    assert S[0, -1] == 1 and S[1, 0] == 1
    # log_softmax stays exact where log(softmax) would give -inf
    np.testing.assert_allclose(L[0], z - 1e4, rtol=1e-6)


def test_sigmoid_is_accurate_in_both_tails():
    z = np.array([-700.0, -40.0, 40.0])
    s = A.sigmoid(z)
    # the small tail is exp(z) to full relative precision, not rounded to 0
    np.testing.assert_allclose(s[:2], np.exp(z[:2]), rtol=1e-14)
    assert s[2] == 1.0
    np.testing.assert_allclose(A.softplus(np.array([-40.0])), np.exp(-40.0), rtol=1e-14)


# ---------------------------------------------------------------- get
def test_get_by_name_alias_and_object():
    assert A.get(None).name == "linear"
    assert A.get("identity") is A.get("linear")
    assert A.get("logistic") is A.get("sigmoid")
    obj = A.get("tanh")
    assert A.get(obj) is obj
    assert "tanh" in repr(obj)
    custom = A.ActivationFunction("cube", lambda z: z ** 3, lambda z: 3 * z ** 2)
    assert A.get(custom) is custom


def test_get_unknown_name_lists_valid_ones():
    with pytest.raises(ValueError, match="unknown activation 'sigmoidd'") as info:
        A.get("sigmoidd")
    for name in A.available():
        assert name in str(info.value)
    with pytest.raises(TypeError, match="int"):
        A.get(3)
