"""The checkers of chapter 5: a right answer passes, wrong ones fail with a useful hint."""
import numpy as np
import pytest

from nnlib.exercises import check

SEEDS = [0, 1, 2]


# ---------------------------------------------------------------- answers
def _sig(t):
    return 1.0 / (1.0 + np.exp(-t))


def swish_derivative_right(z, beta):
    s = _sig(beta * np.asarray(z, dtype=float))
    return s + beta * np.asarray(z, dtype=float) * s * (1 - s)


def swish_derivative_no_chain(z, beta):
    s = _sig(beta * np.asarray(z, dtype=float))
    return s + z * s * (1 - s)                  # forgets the inner factor beta


def swish_derivative_finite_difference(z, beta):
    h = 1e-5
    f = lambda t: t * _sig(beta * t)            # noqa: E731
    return (f(z + h) - f(z - h)) / (2 * h)


def swish_derivative_in_place(z, beta):
    s = _sig(beta * z)
    z *= beta * s * (1 - s)
    z += s
    return z


def swish_derivative_tf(z, beta):
    import tensorflow as tf                     # an autodiff answer: rejected unseen
    return tf.sigmoid(beta * z)


def swish_derivative_no_return(z, beta):
    swish_derivative_right(z, beta)


def leaky_relu_nnlib(z, alpha):
    from nnlib import activations
    return activations.leaky_relu(z, alpha)


def leaky_relu_right(z, alpha):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, alpha * z)


def leaky_relu_max(z, alpha):
    return np.maximum(alpha * np.asarray(z, dtype=float), z)   # right for 0 < alpha < 1


def leaky_relu_in_place(z, alpha):
    z[z < 0] *= alpha
    return z


# ---------------------------------------------------------------- right answers pass
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("exercise, answer", [
    ("ch05.swish_derivative", swish_derivative_right),
    ("ch05.swish_derivative", lambda z, b: swish_derivative_right(z, b).tolist()),
    ("ch05.leaky_relu", leaky_relu_right),
    ("ch05.leaky_relu", leaky_relu_max),
])
def test_right_answer_passes(exercise, answer, seed, strict):
    with strict():
        result = check(exercise, answer, seed=seed)
    assert result, str(result)
    assert "correct" in str(result)


# ---------------------------------------------------------------- wrong answers fail
@pytest.mark.parametrize("exercise, answer, hint", [
    ("ch05.swish_derivative", lambda z, b: z * _sig(b * z), "Swish itself"),
    ("ch05.swish_derivative", lambda z, b: _sig(b * z), "first term"),
    ("ch05.swish_derivative", swish_derivative_no_chain, "inner derivative"),
    ("ch05.swish_derivative", swish_derivative_finite_difference, "finite-difference"),
    ("ch05.swish_derivative", lambda z, b: 2 * swish_derivative_right(z, b),
     "wrong values"),
    ("ch05.swish_derivative", swish_derivative_in_place, "in place"),
    ("ch05.swish_derivative", swish_derivative_tf, "automatic differentiation"),
    ("ch05.swish_derivative", swish_derivative_no_return, "None"),
    ("ch05.leaky_relu", leaky_relu_nnlib, "asked to write"),
    ("ch05.leaky_relu", lambda z, a: np.maximum(z, 0), "plain ReLU"),
    ("ch05.leaky_relu", lambda z, a: leaky_relu_right(z, 0.01), "ignores"),
    ("ch05.leaky_relu", lambda z, a: np.where(z > 0, z, z / a), "divides"),
    ("ch05.leaky_relu", lambda z, a: np.where(z > 0, a * z, z), "wrong side"),
    ("ch05.leaky_relu", lambda z, a: 2 * leaky_relu_right(z, a), "wrong values"),
    ("ch05.leaky_relu", leaky_relu_in_place, "in place"),
])
def test_wrong_answer_fails_with_hint(exercise, answer, hint):
    result = check(exercise, answer, seed=3)
    assert not result
    assert "not yet" in str(result)
    assert hint in str(result), str(result)


@pytest.mark.parametrize("exercise, answer", [
    ("ch05.swish_derivative", lambda z, b: swish_derivative_right(z, b)[:-1]),
    ("ch05.swish_derivative",
     lambda z, b: np.ravel(swish_derivative_right(z, b))[:, None]),
    ("ch05.leaky_relu", lambda z, a: leaky_relu_right(z, a).sum()),
    ("ch05.leaky_relu", lambda z, a: np.ravel(leaky_relu_right(z, a))[:, None]),
])
def test_wrong_shape_gives_shape_message(exercise, answer):
    result = check(exercise, answer, seed=4)
    assert not result
    assert "shape" in str(result), str(result)


@pytest.mark.parametrize("exercise", ["ch05.swish_derivative", "ch05.leaky_relu"])
def test_non_numeric_answer(exercise):
    result = check(exercise, lambda *a: "hello", seed=6)
    assert not result and "numeric" in str(result)


def test_verdict_does_not_reveal_solution():
    for exercise, answer in [("ch05.swish_derivative", swish_derivative_no_chain),
                             ("ch05.leaky_relu", lambda z, a: np.maximum(z, 0))]:
        text = str(check(exercise, answer, seed=7))
        assert "np." not in text and "abs(" not in text and "** 2" not in text


@pytest.mark.parametrize("exercise, answer", [
    ("ch05.swish_derivative", swish_derivative_right),
    ("ch05.leaky_relu", leaky_relu_right),
])
def test_verdict_text_is_the_same_for_every_seed(exercise, answer):
    texts = {str(check(exercise, answer, seed=s)) for s in range(5)}
    assert len(texts) == 1


def test_checks_are_registered():
    from nnlib.exercises import available

    ids = available()
    assert "ch05.swish_derivative" in ids and "ch05.leaky_relu" in ids
    assert "ch05.softsign_derivative" not in ids
