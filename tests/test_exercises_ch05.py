"""The checkers of chapter 5: a right answer passes, wrong ones fail with a useful hint."""
import numpy as np
import pytest

from nnlib.exercises import check

SEEDS = [0, 1, 2]


# ---------------------------------------------------------------- answers
def softsign_derivative_right(z):
    return 1.0 / (1.0 + np.abs(np.asarray(z, dtype=float))) ** 2


def softsign_derivative_sign_bug(z):
    return 1.0 / (1.0 + np.asarray(z, dtype=float)) ** 2    # forgets |z|


def softsign_derivative_in_place(z):
    np.abs(z, out=z)
    z += 1
    return 1.0 / z ** 2


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
    ("ch05.softsign_derivative", softsign_derivative_right),
    ("ch05.softsign_derivative", lambda z: softsign_derivative_right(z).tolist()),
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
    ("ch05.softsign_derivative", lambda z: z / (1 + np.abs(z)), "softsign itself"),
    ("ch05.softsign_derivative", lambda z: -softsign_derivative_right(z), "negative"),
    ("ch05.softsign_derivative", softsign_derivative_sign_bug, "z < 0"),
    ("ch05.softsign_derivative", lambda z: 1.0 / (1.0 + np.abs(z)), "wrong values"),
    ("ch05.softsign_derivative", softsign_derivative_in_place, "in place"),
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
    ("ch05.softsign_derivative", lambda z: softsign_derivative_right(z)[:-1]),
    ("ch05.softsign_derivative", lambda z: np.ravel(softsign_derivative_right(z))[:, None]),
    ("ch05.leaky_relu", lambda z, a: leaky_relu_right(z, a).sum()),
    ("ch05.leaky_relu", lambda z, a: np.ravel(leaky_relu_right(z, a))[:, None]),
])
def test_wrong_shape_gives_shape_message(exercise, answer):
    result = check(exercise, answer, seed=4)
    assert not result
    assert "shape" in str(result), str(result)


@pytest.mark.parametrize("exercise", ["ch05.softsign_derivative", "ch05.leaky_relu"])
def test_non_numeric_answer(exercise):
    result = check(exercise, lambda *a: "hello", seed=6)
    assert not result and "numeric" in str(result)


def test_verdict_does_not_reveal_solution():
    for exercise, answer in [("ch05.softsign_derivative", softsign_derivative_sign_bug),
                             ("ch05.leaky_relu", lambda z, a: np.maximum(z, 0))]:
        text = str(check(exercise, answer, seed=7))
        assert "np." not in text and "abs(" not in text and "** 2" not in text


@pytest.mark.parametrize("exercise, answer", [
    ("ch05.softsign_derivative", softsign_derivative_right),
    ("ch05.leaky_relu", leaky_relu_right),
])
def test_verdict_text_is_the_same_for_every_seed(exercise, answer):
    texts = {str(check(exercise, answer, seed=s)) for s in range(5)}
    assert len(texts) == 1


def test_checks_are_registered():
    from nnlib.exercises import available

    ids = available()
    assert "ch05.softsign_derivative" in ids and "ch05.leaky_relu" in ids
