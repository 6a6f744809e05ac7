"""The checkers of chapter 9: a right answer passes, wrong ones fail with a useful hint."""
import numpy as np
import pytest

from nnlib.exercises import check

SEEDS = [0, 1, 2]


# ---------------------------------------------------------------- orthogonal answers
def orthogonal_right(shape, rng, gain=1.0):
    rows, cols = shape
    Q, R = np.linalg.qr(rng.standard_normal((max(rows, cols), min(rows, cols))))
    Q = Q * np.sign(np.diag(R))
    return gain * (Q.T if rows < cols else Q)


def orthogonal_no_sign_fix(shape, rng, gain=1.0):
    rows, cols = shape
    Q, _ = np.linalg.qr(rng.standard_normal((max(rows, cols), min(rows, cols))))
    return gain * (Q.T if rows < cols else Q)


def orthogonal_no_gain(shape, rng, gain=1.0):
    return orthogonal_right(shape, rng, 1.0)


def orthogonal_gaussian(shape, rng, gain=1.0):
    return gain * rng.standard_normal(shape) / np.sqrt(shape[0])


def orthogonal_transposed(shape, rng, gain=1.0):
    return orthogonal_right(shape, rng, gain).T


def orthogonal_global_rng(shape, rng, gain=1.0):
    return orthogonal_right(shape, np.random.default_rng(), gain)


def orthogonal_fixed(shape, rng, gain=1.0):
    return orthogonal_right(shape, np.random.default_rng(0), gain)


def orthogonal_keras(shape, rng, gain=1.0):
    import keras
    return keras.initializers.Orthogonal(gain=gain)(shape)


def orthogonal_scipy(shape, rng, gain=1.0):
    from scipy.stats import ortho_group
    return gain * ortho_group.rvs(shape[0], random_state=rng)[:, :shape[1]]


# ---------------------------------------------------------------- variance_scale answers
_XI, _W = np.polynomial.hermite_e.hermegauss(200)
_W = _W / _W.sum()


def scale_right(g):
    return 1.0 / np.sum(_W * g(_XI) ** 2)


def scale_grid(g):
    z = np.linspace(-12, 12, 200_001)
    density = np.exp(-z ** 2 / 2) / np.sqrt(2 * np.pi)
    return 1.0 / np.trapezoid(g(z) ** 2 * density, z)


def scale_reciprocal(g):
    return np.sum(_W * g(_XI) ** 2)


def scale_variance(g):
    m = np.sum(_W * g(_XI))
    return 1.0 / (np.sum(_W * g(_XI) ** 2) - m ** 2)


def scale_monte_carlo(g):
    return 1.0 / np.mean(g(np.random.default_rng(0).standard_normal(1000)) ** 2)


def scale_array(g):
    return np.full(3, scale_right(g))


def scale_torch(g):
    from torch.nn.init import calculate_gain
    return calculate_gain("relu") ** 2


# ---------------------------------------------------------------- right answers pass
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("exercise, answer", [
    ("ch09.orthogonal", orthogonal_right),
    ("ch09.variance_scale", scale_right),
    ("ch09.variance_scale", scale_grid),
    ("ch09.variance_scale", lambda g: [scale_right(g)]),
])
def test_right_answer_passes(exercise, answer, seed, strict):
    with strict():
        result = check(exercise, answer, seed=seed)
    assert result, str(result)
    assert "correct" in str(result)


def test_right_verdict_is_the_same_for_every_seed():
    for exercise, answer in [("ch09.orthogonal", orthogonal_right),
                             ("ch09.variance_scale", scale_right)]:
        texts = {str(check(exercise, answer, seed=s)) for s in range(5)}
        assert len(texts) == 1


# ---------------------------------------------------------------- wrong answers fail
@pytest.mark.parametrize("exercise, answer, hint", [
    ("ch09.orthogonal", orthogonal_no_sign_fix, "not uniformly distributed"),
    ("ch09.orthogonal", orthogonal_no_gain, "multiplied by gain"),
    ("ch09.orthogonal", orthogonal_gaussian, "not orthonormal"),
    ("ch09.orthogonal", orthogonal_global_rng, "same rng seed gave two different"),
    ("ch09.orthogonal", orthogonal_fixed, "two different seeds gave the same"),
    ("ch09.variance_scale", scale_reciprocal, "E[g(xi)^2]"),
    ("ch09.variance_scale", scale_variance, "variance of g(xi)"),
    ("ch09.variance_scale", scale_monte_carlo, "within 0.1% is needed"),
    ("ch09.variance_scale", lambda g: float("nan"), "nan"),
])
@pytest.mark.parametrize("seed", SEEDS)
def test_wrong_answer_fails_with_hint(exercise, answer, hint, seed):
    result = check(exercise, answer, seed=seed)
    assert not result
    assert hint in str(result), str(result)


# ---------------------------------------------------------------- library wrappers
@pytest.mark.parametrize("exercise, answer, name", [
    ("ch09.orthogonal", orthogonal_keras, "Orthogonal"),
    ("ch09.orthogonal", orthogonal_scipy, "ortho_group"),
    ("ch09.variance_scale", scale_torch, "calculate_gain"),
])
def test_library_wrapper_is_rejected(exercise, answer, name):
    result = check(exercise, answer, seed=0)
    assert not result
    assert f"your code uses `{name}`" in str(result)


# ---------------------------------------------------------------- shapes and errors
def test_wrong_shape():
    result = check("ch09.orthogonal", orthogonal_transposed, seed=0)
    assert not result and "has shape" in str(result) and "expected" in str(result)
    result = check("ch09.variance_scale", scale_array, seed=0)
    assert not result and "one number" in str(result)
    result = check("ch09.orthogonal", lambda shape, rng, gain=1.0: None, seed=0)
    assert not result and "return" in str(result)


@pytest.mark.parametrize("exercise", ["ch09.orthogonal", "ch09.variance_scale"])
def test_raising_function(exercise):
    def boom(*args):
        raise ValueError("boom")

    result = check(exercise, boom, seed=0)
    assert not result and "raised ValueError: boom" in str(result)


def test_fresh_inputs_each_call():
    shapes = []

    def spy(shape, rng, gain=1.0):
        shapes.append(tuple(shape))
        return orthogonal_right(shape, rng, gain)

    check("ch09.orthogonal", spy, seed=0)
    first = shapes[:3]
    shapes.clear()
    check("ch09.orthogonal", spy, seed=1)
    assert shapes[:3] != first


# ---------------------------------------------------------------- LSUV
def lsuv_right(model, X):
    A = X
    for layer in model.layers:
        layer.forward(A)
        layer.params["kernel"] *= 1.0 / layer.z.std()
        A = layer.forward(A).copy()


def lsuv_activations(model, X):
    # normalizes the activations g(z) instead (iterated, as g is nonlinear; for tanh
    # variance 1 is out of reach)
    A = X
    for layer in model.layers:
        for _ in range(30):
            layer.forward(A)
            layer.params["kernel"] *= 1.0 / layer.a.std()
        A = layer.forward(A).copy()


def lsuv_not_sequential(model, X):
    # every layer's scale from the inputs it had before any layer was rescaled
    A, scales = X, []
    for layer in model.layers:
        A = layer.forward(A).copy()
        scales.append(1.0 / layer.z.std())
    for layer, c in zip(model.layers, scales):
        layer.params["kernel"] *= c


def lsuv_rebinds(model, X):
    A = X
    for layer in model.layers:
        layer.forward(A)
        layer.params["kernel"] = layer.params["kernel"] / layer.z.std()
        A = layer.forward(A).copy()


def lsuv_reinitializes(model, X):
    rng = np.random.default_rng(0)
    A = X
    for layer in model.layers:
        K = layer.params["kernel"]
        K[...] = rng.standard_normal(K.shape)
        layer.forward(A)
        K *= 1.0 / layer.z.std()
        A = layer.forward(A).copy()


def lsuv_touches_bias(model, X):
    lsuv_right(model, X)
    for layer in model.layers:
        layer.params["bias"] += 0.1


def lsuv_wrong_shape(model, X):
    layer = model.layers[0]
    layer.params["kernel"] = layer.params["kernel"][:, :-1]


@pytest.mark.parametrize("seed", SEEDS)
def test_lsuv_right_answer_passes(seed, strict):
    with strict():
        result = check("ch09.lsuv", lsuv_right, seed=seed)
    assert result, str(result)


@pytest.mark.parametrize("answer, hint", [
    (lsuv_activations, "pre-activations"),
    (lsuv_not_sequential, "after the layers below it are rescaled"),
    (lsuv_rebinds, "scale it in place"),
    (lsuv_reinitializes, "not a positive multiple"),
    (lsuv_touches_bias, "bias of layer 1 changed"),
    (lambda model, X: None, "expected 1"),
])
@pytest.mark.parametrize("seed", SEEDS)
def test_lsuv_wrong_answers_fail(answer, hint, seed):
    result = check("ch09.lsuv", answer, seed=seed)
    assert not result
    assert hint in str(result), str(result)


def test_lsuv_wrong_shape_and_raising():
    result = check("ch09.lsuv", lsuv_wrong_shape, seed=0)
    assert not result and "has shape" in str(result)

    def boom(model, X):
        raise ValueError("boom")

    result = check("ch09.lsuv", boom, seed=0)
    assert not result and "raised ValueError: boom" in str(result)
