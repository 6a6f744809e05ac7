"""The checkers of chapter 3: a right answer passes, wrong ones fail with a useful hint,
and an answer that merely calls the library function it should re-derive is told so."""
import numpy as np
import pytest
import scipy.special

from nnlib import activations, datasets, losses
from nnlib.exercises import available, check

SEEDS = [0, 1, 2]


# ---------------------------------------------------------------- answers
def _log_p(Z):
    Z = np.asarray(Z, dtype=float)
    shifted = Z - Z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def one_hot_right(y, C):
    y = np.asarray(y)
    Y = np.zeros((len(y), C))
    Y[np.arange(len(y)), y] = 1
    return Y


def one_hot_inferred(y, C):
    y = np.asarray(y)
    return np.eye(y.max() + 1)[y]


def one_hot_shifted(y, C):
    return np.eye(C)[(np.asarray(y) + 1) % C]


def one_hot_library(y, C):
    return datasets.one_hot(y, C)


def smooth_right(Y, Z, eps):
    n, C = Y.shape
    T = (1 - eps) * Y + eps / C
    log_p = _log_p(Z)
    return -np.mean(np.sum(T * log_p, axis=1)), (np.exp(log_p) - T) / n


def smooth_ignores_eps(Y, Z, eps):
    return smooth_right(Y, Z, 0.0)


def smooth_wrong_classes(Y, Z, eps):
    n, C = Y.shape
    T = (1 - eps) * Y + eps / (C - 1) * (1 - Y)
    log_p = _log_p(Z)
    return -np.mean(np.sum(T * log_p, axis=1)), (np.exp(log_p) - T) / n


def smooth_plain_gradient(Y, Z, eps):
    loss, _ = smooth_right(Y, Z, eps)
    return loss, (np.exp(_log_p(Z)) - Y) / len(Y)


def smooth_naive(Y, Z, eps):
    n, C = Y.shape
    T = (1 - eps) * Y + eps / C
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    return -np.mean(np.sum(T * np.log(P), axis=1)), (P - T) / n


def smooth_library(Y, Z, eps):
    n, C = Y.shape
    T = (1 - eps) * Y + eps / C
    loss = losses.categorical_crossentropy(T, Z, from_logits=True)
    return loss, (activations.softmax(Z) - T) / n


def smooth_scipy(Y, Z, eps):
    n, C = Y.shape
    T = (1 - eps) * Y + eps / C
    log_p = Z - scipy.special.logsumexp(Z, axis=1, keepdims=True)
    return -np.mean(np.sum(T * log_p, axis=1)), (np.exp(log_p) - T) / n


def smooth_no_return(Y, Z, eps):
    smooth_right(Y, Z, eps)


def jac_log_right(z):
    p = np.exp(_log_p(z))
    return np.eye(len(z)) - p[None, :]


def jac_log_softmax_jacobian(z):
    p = np.exp(_log_p(z))
    return np.diag(p) - np.outer(p, p)


def jac_log_transposed(z):
    return jac_log_right(z).T


def jac_log_naive(z):
    p = np.exp(z) / np.exp(z).sum()
    return np.eye(len(z)) - p[None, :]


def jac_log_library(z):
    p = activations.softmax(z)
    return np.eye(len(z)) - p[None, :]


def _helper_softmax(z):
    return activations.softmax(z)


def jac_log_hidden_library(z):
    # the library call hidden one level down, in a helper of the student's own
    return np.eye(len(z)) - _helper_softmax(z)[None, :]


def temp_right(z, T):
    p = np.exp(_log_p(np.asarray(z) / T))
    return p, -p * (z - p @ z) / T ** 2


def temp_wrong_sign(z, T):
    p, d = temp_right(z, T)
    return p, -d


def temp_off_by_T(z, T):
    p, d = temp_right(z, T)
    return p, d * T


def temp_times(z, T):
    p = np.exp(_log_p(np.asarray(z) * T))
    return p, -p * (z - p @ z) / T ** 2


def temp_naive(z, T):
    p = np.exp(z / T) / np.exp(z / T).sum()
    return p, -p * (z - p @ z) / T ** 2


def temp_scipy(z, T):
    p = scipy.special.softmax(z / T)
    return p, -p * (z - p @ z) / T ** 2


# ---------------------------------------------------------------- right answers pass
RIGHT = [
    ("ch03.one_hot", one_hot_right),
    ("ch03.smoothed_cross_entropy", smooth_right),
    ("ch03.log_softmax_jacobian", jac_log_right),
    ("ch03.temperature_softmax", temp_right),
]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("exercise, answer", RIGHT)
def test_right_answer_passes(exercise, answer, seed):
    result = check(exercise, answer, seed=seed)
    assert result, str(result)
    assert "correct" in str(result)


@pytest.mark.parametrize("exercise, answer", RIGHT)
def test_verdict_text_is_the_same_for_every_seed(exercise, answer):
    # the chapter stores the verdict as a cell output, so it must not depend on the inputs
    texts = {str(check(exercise, answer, seed=s)) for s in range(5)}
    assert len(texts) == 1


def test_fresh_inputs_each_call():
    first_inputs = []

    def recording(z):
        first_inputs.append(np.array(z, dtype=float))
        return jac_log_right(z)

    check("ch03.log_softmax_jacobian", recording)
    n_calls = len(first_inputs)
    check("ch03.log_softmax_jacobian", recording)
    a, b = first_inputs[0], first_inputs[n_calls]
    assert a.shape != b.shape or not np.array_equal(a, b)


def test_new_checkers_are_registered_and_old_ones_gone():
    ids = available()
    for new in ("ch03.smoothed_cross_entropy", "ch03.log_softmax_jacobian",
                "ch03.temperature_softmax", "ch03.one_hot"):
        assert new in ids
    for old in ("ch03.softmax", "ch03.cross_entropy_from_logits",
                "ch03.softmax_jacobian"):
        assert old not in ids


# ---------------------------------------------------------------- wrong answers fail
@pytest.mark.parametrize("exercise, answer, hint", [
    ("ch03.one_hot", one_hot_inferred, "even when the largest class"),
    ("ch03.one_hot", one_hot_shifted, "one column to the right"),
    ("ch03.one_hot", lambda y, C: 2 * one_hot_right(y, C), "only zeros and ones"),
    ("ch03.smoothed_cross_entropy", smooth_ignores_eps, "ignores eps"),
    ("ch03.smoothed_cross_entropy", smooth_wrong_classes, "C - 1 wrong classes"),
    ("ch03.smoothed_cross_entropy", smooth_plain_gradient, "plain cross-entropy"),
    ("ch03.smoothed_cross_entropy", smooth_naive, "NaN or inf"),
    ("ch03.smoothed_cross_entropy",
     lambda Y, Z, e: (-smooth_right(Y, Z, e)[0], smooth_right(Y, Z, e)[1]), "sign"),
    ("ch03.smoothed_cross_entropy",
     lambda Y, Z, e: (smooth_right(Y, Z, e)[0], len(Y) * smooth_right(Y, Z, e)[1]),
     "n times too large"),
    ("ch03.log_softmax_jacobian", jac_log_softmax_jacobian, "softmax itself"),
    ("ch03.log_softmax_jacobian", jac_log_transposed, "transposed"),
    ("ch03.log_softmax_jacobian", jac_log_naive, "NaN or inf"),
    ("ch03.log_softmax_jacobian", lambda z: np.eye(len(z)), "normalizing sum"),
    ("ch03.temperature_softmax", temp_wrong_sign, "wrong sign"),
    ("ch03.temperature_softmax", temp_off_by_T, "factor T"),
    ("ch03.temperature_softmax", temp_times, "divides the scores"),
    ("ch03.temperature_softmax", temp_naive, "NaN or inf"),
])
def test_wrong_answer_fails_with_hint(exercise, answer, hint):
    result = check(exercise, answer, seed=3)
    assert not result
    assert "not yet" in str(result)
    assert hint in str(result), str(result)


@pytest.mark.parametrize("exercise, answer, name", [
    ("ch03.one_hot", one_hot_library, "one_hot"),
    ("ch03.smoothed_cross_entropy", smooth_library, "softmax"),
    ("ch03.smoothed_cross_entropy", smooth_scipy, "logsumexp"),
    ("ch03.log_softmax_jacobian", jac_log_library, "softmax"),
    ("ch03.log_softmax_jacobian", jac_log_hidden_library, "softmax"),
    ("ch03.log_softmax_jacobian",
     lambda z: activations.softmax_jacobian(activations.softmax(z)), "softmax"),
    ("ch03.temperature_softmax", temp_scipy, "softmax"),
])
def test_library_wrapper_is_rejected(exercise, answer, name):
    result = check(exercise, answer, seed=4)
    assert not result
    assert f"your code uses `{name}`" in str(result), str(result)


@pytest.mark.parametrize("exercise, answer", [
    ("ch03.one_hot", lambda y, C: one_hot_right(y, C).T),
    ("ch03.one_hot", lambda y, C: one_hot_right(y, C)[:, 1:]),
    ("ch03.smoothed_cross_entropy",
     lambda Y, Z, e: (np.ones(len(Y)), smooth_right(Y, Z, e)[1])),
    ("ch03.smoothed_cross_entropy",
     lambda Y, Z, e: (smooth_right(Y, Z, e)[0], smooth_right(Y, Z, e)[1].T)),
    ("ch03.log_softmax_jacobian", lambda z: jac_log_right(z)[0]),
    ("ch03.temperature_softmax", lambda z, T: (temp_right(z, T)[0][:-1],
                                               temp_right(z, T)[1])),
])
def test_wrong_shape_gives_shape_message(exercise, answer):
    result = check(exercise, answer, seed=4)
    assert not result
    assert "shape" in str(result), str(result)


@pytest.mark.parametrize("exercise, answer", [
    ("ch03.smoothed_cross_entropy", lambda Y, Z, e: smooth_right(Y, Z, e)[0]),
    ("ch03.temperature_softmax", lambda z, T: temp_right(z, T)[0]),
])
def test_a_pair_is_required(exercise, answer):
    result = check(exercise, answer, seed=5)
    assert not result and "pair" in str(result), str(result)


@pytest.mark.parametrize("exercise, answer", [
    ("ch03.one_hot", lambda y, C: None),
    ("ch03.smoothed_cross_entropy", smooth_no_return),
    ("ch03.log_softmax_jacobian", lambda z: None),
    ("ch03.temperature_softmax", lambda z, T: None),
])
def test_forgotten_return_says_none(exercise, answer):
    result = check(exercise, answer, seed=6)
    assert not result and "None" in str(result) and "return" in str(result)


@pytest.mark.parametrize("exercise", [e for e, _ in RIGHT])
def test_raising_function_gives_message(exercise):
    def broken(*args):
        raise KeyError("oops")

    result = check(exercise, broken, seed=0)
    assert not result and "raised KeyError" in str(result)


@pytest.mark.parametrize("exercise", [e for e, _ in RIGHT])
def test_non_numeric_answer(exercise):
    result = check(exercise, lambda *a: ("hello", "world"), seed=6)
    assert not result and "numeric" in str(result), str(result)


def test_verdict_does_not_reveal_solution():
    for exercise, answer in [("ch03.smoothed_cross_entropy", smooth_naive),
                             ("ch03.log_softmax_jacobian", jac_log_softmax_jacobian),
                             ("ch03.temperature_softmax", temp_wrong_sign)]:
        text = str(check(exercise, answer, seed=7))
        assert "np." not in text and "outer" not in text and "eye" not in text
