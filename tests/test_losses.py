"""Losses: values (vs formulas and scikit-learn), gradients by finite differences, stability."""
import numpy as np
import pytest
from sklearn.metrics import log_loss, mean_squared_error

from nnlib import activations, datasets, losses
from nnlib.gradcheck import numerical_gradient, relative_error

TOL = 1e-7


@pytest.fixture
def binary(rng):
    """0/1 targets and probabilities away from 0 and 1, shape (8, 3)."""
    y = rng.integers(0, 2, (8, 3)).astype(float)
    p = rng.uniform(0.05, 0.95, (8, 3))
    return y, p


@pytest.fixture
def multiclass(rng):
    """Integer labels (7,), their one-hot rows and softmax probabilities (7, 4)."""
    labels = rng.integers(0, 4, 7)
    Y = datasets.one_hot(labels, 4)
    P = activations.softmax(rng.standard_normal((7, 4)))
    return labels, Y, P


# ---------------------------------------------------------------- values
def test_binary_crossentropy_formula(binary):
    y, p = binary
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert losses.binary_crossentropy(y, p) == pytest.approx(expected, rel=1e-14)
    assert isinstance(losses.binary_crossentropy(y, p), float)


def test_binary_crossentropy_equals_sklearn_log_loss(rng):
    y = rng.integers(0, 2, 50)
    p = rng.uniform(0.01, 0.99, 50)
    assert losses.binary_crossentropy(y, p) == pytest.approx(log_loss(y, p), rel=1e-12)
    # a column vector of outputs, as a one-unit model gives
    assert losses.binary_crossentropy(y, p[:, None]) == pytest.approx(log_loss(y, p),
                                                                       rel=1e-12)


def test_categorical_crossentropy_equals_sklearn_log_loss(multiclass):
    labels, Y, P = multiclass
    expected = log_loss(labels, P, labels=range(4))
    assert losses.categorical_crossentropy(Y, P) == pytest.approx(expected, rel=1e-12)
    assert losses.sparse_categorical_crossentropy(labels, P) == pytest.approx(expected,
                                                                              rel=1e-12)
    manual = -np.mean(np.log(P[np.arange(len(labels)), labels]))
    assert losses.categorical_crossentropy(Y, P) == pytest.approx(manual, rel=1e-14)


def test_categorical_crossentropy_normalises_rows_like_keras(multiclass):
    _, Y, P = multiclass
    assert losses.categorical_crossentropy(Y, 3 * P) == pytest.approx(
        losses.categorical_crossentropy(Y, P), rel=1e-14)


def test_mean_squared_error_equals_sklearn(rng):
    y = rng.standard_normal((6, 2))
    p = rng.standard_normal((6, 2))
    assert losses.mean_squared_error(y, p) == pytest.approx(mean_squared_error(y, p),
                                                            rel=1e-14)
    assert losses.mean_squared_error(y[:, 0], p[:, :1]) == pytest.approx(
        np.mean((y[:, 0] - p[:, 0]) ** 2), rel=1e-14)


def test_losses_are_batch_means(binary, multiclass):
    # repeating the batch does not change a mean
    y, p = binary
    labels, Y, P = multiclass
    twice = lambda a: np.concatenate([a, a])  # noqa: E731
    assert losses.binary_crossentropy(twice(y), twice(p)) == pytest.approx(
        losses.binary_crossentropy(y, p), rel=1e-14)
    assert losses.categorical_crossentropy(twice(Y), twice(P)) == pytest.approx(
        losses.categorical_crossentropy(Y, P), rel=1e-14)
    assert losses.mean_squared_error(twice(y), twice(p)) == pytest.approx(
        losses.mean_squared_error(y, p), rel=1e-14)


def test_from_logits_equals_from_probabilities(rng):
    z = rng.standard_normal((9, 2)) * 3
    y = rng.integers(0, 2, (9, 2))
    assert losses.binary_crossentropy(y, z, from_logits=True) == pytest.approx(
        losses.binary_crossentropy(y, activations.sigmoid(z)), rel=1e-12)
    Z = rng.standard_normal((9, 5)) * 3
    labels = rng.integers(0, 5, 9)
    Y = datasets.one_hot(labels, 5)
    for fn, target in [(losses.categorical_crossentropy, Y),
                       (losses.sparse_categorical_crossentropy, labels)]:
        assert fn(target, Z, from_logits=True) == pytest.approx(
            fn(target, activations.softmax(Z)), rel=1e-12)


def test_probabilities_are_clipped_at_keras_epsilon():
    assert losses.EPSILON == 1e-7
    # a confident wrong answer costs -log(1e-7), not infinity
    assert losses.binary_crossentropy([1.0], [0.0]) == pytest.approx(-np.log(1e-7), rel=1e-9)
    assert losses.binary_crossentropy([0.0], [1.0]) == pytest.approx(-np.log(1e-7), rel=1e-6)
    assert losses.categorical_crossentropy([[1.0, 0.0]], [[0.0, 1.0]]) == pytest.approx(
        -np.log(1e-7), rel=1e-9)
    # a confident right answer costs about 1e-7, not exactly 0
    assert losses.binary_crossentropy([1.0], [1.0]) == pytest.approx(1e-7, rel=1e-6)


# ---------------------------------------------------------------- gradients of loss objects
def test_binary_crossentropy_gradient(binary):
    y, p = binary
    loss = losses.get("binary_crossentropy")
    num = numerical_gradient(lambda q: loss.value(y, q), p.copy())
    assert relative_error(loss.gradient(y, p), num) <= TOL


def test_categorical_crossentropy_gradient(rng, multiclass):
    _, Y, P = multiclass
    loss = losses.get("categorical_crossentropy")
    num = numerical_gradient(lambda q: loss.value(Y, q), P.copy())
    assert relative_error(loss.gradient(Y, P), num) <= TOL
    # rows that do not sum to 1 (e.g. sigmoid outputs): the normalisation is differentiated
    Q = rng.uniform(0.1, 1.0, P.shape)
    num = numerical_gradient(lambda q: loss.value(Y, q), Q.copy())
    assert relative_error(loss.gradient(Y, Q), num) <= TOL


def test_sparse_loss_object_is_categorical_on_one_hot_targets(multiclass):
    # the model one-hot encodes sparse labels once, so the object works on one-hot rows
    _, Y, P = multiclass
    sparse = losses.get("sparse_categorical_crossentropy")
    cat = losses.get("categorical_crossentropy")
    assert sparse.value(Y, P) == cat.value(Y, P)
    np.testing.assert_array_equal(sparse.gradient(Y, P), cat.gradient(Y, P))
    num = numerical_gradient(lambda q: sparse.value(Y, q), P.copy())
    assert relative_error(sparse.gradient(Y, P), num) <= TOL


@pytest.mark.parametrize("name", ["mse", "mean_squared_error"])
def test_mean_squared_error_gradient(name, rng):
    y = rng.standard_normal((5, 3))
    p = rng.standard_normal((5, 3))
    loss = losses.get(name)
    num = numerical_gradient(lambda q: loss.value(y, q), p.copy())
    assert relative_error(loss.gradient(y, p), num) <= TOL
    np.testing.assert_allclose(loss.gradient(y, p), 2 * (p - y) / y.size, rtol=1e-15)


@pytest.mark.parametrize("name", ["binary_crossentropy", "categorical_crossentropy",
                                  "sparse_categorical_crossentropy"])
def test_gradient_from_logits(name, rng):
    loss = losses.get(name)
    n, k = 6, (1 if name == "binary_crossentropy" else 4)
    Z = rng.standard_normal((n, k)) * 2
    if name == "binary_crossentropy":
        Y = rng.integers(0, 2, (n, k)).astype(float)
        act = activations.sigmoid
    else:
        Y = datasets.one_hot(rng.integers(0, k, n), k)
        act = activations.softmax
    assert loss.natural_activation == ("sigmoid" if k == 1 else "softmax")
    np.testing.assert_array_equal(loss.activate(Z), act(Z))
    analytic = loss.gradient_from_logits(Y, act(Z))
    num = numerical_gradient(lambda z: loss.value_from_logits(Y, z), Z.copy())
    assert relative_error(analytic, num) <= TOL
    # the same as differentiating value(Y, activation(Z)), and as the chain rule through
    # the probability gradient and the activation's backward
    num2 = numerical_gradient(lambda z: loss.value(Y, act(z)), Z.copy())
    assert relative_error(analytic, num2) <= TOL
    A_ = act(Z)
    chained = activations.get(loss.natural_activation).backward(Z, A_, loss.gradient(Y, A_))
    np.testing.assert_allclose(chained, analytic, rtol=1e-9, atol=1e-15)
    # value_from_logits agrees with value on the probabilities
    assert loss.value_from_logits(Y, Z) == pytest.approx(loss.value(Y, act(Z)), rel=1e-12)


def test_gradient_from_logits_writes_into_out(rng):
    loss = losses.get("categorical_crossentropy")
    Y = datasets.one_hot([0, 2, 1], 3)
    A_ = activations.softmax(rng.standard_normal((3, 3)))
    out = np.empty_like(A_)
    assert loss.gradient_from_logits(Y, A_, out=out) is out
    np.testing.assert_allclose(out, (A_ - Y) / 3, rtol=1e-15)


# ---------------------------------------------------------------- stability
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropies_from_huge_logits(dtype, strict):
    z = np.array([[1e4], [-1e4], [1e4], [-1e4], [0.0]], dtype=dtype)
    y = np.array([[1], [0], [0], [1], [1]], dtype=dtype)
    Z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0]], dtype=dtype)
    labels = np.array([1, 2])
    with strict():
        bce = losses.binary_crossentropy(y, z, from_logits=True)
        cce = losses.categorical_crossentropy(datasets.one_hot(labels, 3), Z, from_logits=True)
        scce = losses.sparse_categorical_crossentropy(labels, Z, from_logits=True)
        bce_obj = losses.get("binary_crossentropy")
        g = bce_obj.gradient_from_logits(y, activations.sigmoid(z))
    # right answers cost 0, wrong ones cost |z|
    assert bce == pytest.approx((1e4 + 1e4 + np.log(2)) / 5, rel=1e-6)
    assert cce == pytest.approx((2e4 + 1e4) / 2, rel=1e-6)
    assert scce == cce
    assert np.isfinite(g).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropies_from_saturated_probabilities(dtype, strict):
    p = np.array([0.0, 1.0, 0.0, 1.0], dtype=dtype)
    y = np.array([0, 1, 1, 0], dtype=dtype)
    P = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=dtype)
    with strict():
        values = [losses.binary_crossentropy(y, p),
                  losses.categorical_crossentropy([[0, 1], [0, 1]], P),
                  losses.sparse_categorical_crossentropy([1, 1], P)]
        grads = [losses.get("binary_crossentropy").gradient(y, p),
                 losses.get("categorical_crossentropy").gradient(np.array([[0, 1], [0, 1]]), P)]
    assert all(np.isfinite(v) for v in values)
    assert all(np.isfinite(g).all() for g in grads)


def test_float32_gradients_stay_float32(rng):
    y = rng.integers(0, 2, (4, 2)).astype(np.float32)
    p = rng.uniform(0.1, 0.9, (4, 2)).astype(np.float32)
    for name in ["binary_crossentropy", "categorical_crossentropy", "mse"]:
        loss = losses.get(name)
        assert loss.gradient(y, p).dtype == np.float32, name
        if hasattr(loss, "gradient_from_logits"):
            assert loss.gradient_from_logits(y, p).dtype == np.float32, name


# ---------------------------------------------------------------- errors and get
def test_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(3, 3\)"):
        losses.binary_crossentropy(np.zeros((3, 2)), np.full((3, 3), 0.5))
    with pytest.raises(ValueError, match=r"\(4,\).*\(3, 1\)"):
        losses.mean_squared_error(np.zeros(4), np.zeros((3, 1)))


def test_sparse_labels_out_of_range():
    P = np.full((3, 10), 0.1)
    with pytest.raises(ValueError, match=r"0\.\.9.*10"):
        losses.sparse_categorical_crossentropy([1, 2, 10], P)
    with pytest.raises(ValueError, match=r"0\.\.9.*-1"):
        losses.sparse_categorical_crossentropy([-1, 2, 3], P)
    with pytest.raises(ValueError, match="integers"):
        losses.sparse_categorical_crossentropy([0.5, 2, 3], P)
    with pytest.raises(ValueError, match=r"\(3, 1\)"):
        losses.sparse_categorical_crossentropy([[0], [1], [2]], P)


def test_categorical_crossentropy_given_labels_suggests_one_hot():
    # integer labels where one-hot rows are needed: the most common mistake
    with pytest.raises(ValueError, match=r"(?s)\(3,\).*\(3, 4\).*(one_hot|sparse)"):
        losses.categorical_crossentropy([0, 3, 1], np.full((3, 4), 0.25))


def test_get():
    assert isinstance(losses.get("mse"), losses.MeanSquaredError)
    assert isinstance(losses.get("mean_squared_error"), losses.MeanSquaredError)
    assert isinstance(losses.get("bce"), losses.BinaryCrossentropy)
    assert isinstance(losses.get("cce"), losses.CategoricalCrossentropy)
    obj = losses.BinaryCrossentropy()
    assert losses.get(obj) is obj
    y, p = np.array([1.0, 0.0]), np.array([0.8, 0.3])
    assert obj(y, p) == obj.value(y, p) == losses.binary_crossentropy(y, p)


def test_get_unknown_name_lists_valid_ones():
    with pytest.raises(ValueError, match="unknown loss 'crossentropy'") as info:
        losses.get("crossentropy")
    for name in ["binary_crossentropy", "categorical_crossentropy",
                 "sparse_categorical_crossentropy", "mse"]:
        assert name in str(info.value)
    with pytest.raises(TypeError, match="function"):
        losses.get(lambda y, p: 0.0)
