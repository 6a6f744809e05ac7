"""The checkers of chapter 1: right answers pass, wrong ones get a hint, never a traceback."""
import numpy as np
import pytest

from nnlib.exercises import check


# ---------------------------------------------------------------- answers to check
def nll_right(beta, X, y):
    z = X @ beta
    return np.sum(np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z))))


def nll_logaddexp(beta, X, y):
    z = X @ beta
    return np.sum(np.logaddexp(0, z) - y * z)


def nll_naive(beta, X, y):  # right formula, overflows for huge |X beta|
    p = 1 / (1 + np.exp(-(X @ beta)))
    return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))


def nll_wrong_sign(beta, X, y):
    return -nll_right(beta, X, y)


def nll_mean(beta, X, y):
    return nll_right(beta, X, y) / len(y)


def nll_per_obs(beta, X, y):
    z = X @ beta
    return np.logaddexp(0, z) - y * z


def nll_shape(beta, X, y):
    return np.array([nll_right(beta, X, y)])


def nll_off(beta, X, y):  # forgets the y * z term's sign
    z = X @ beta
    return np.sum(np.logaddexp(0, z) + y * z)


def grad_right(beta, X, y):
    z = X @ beta
    return X.T @ (np.exp(-np.logaddexp(0, -z)) - y)


def grad_wrong_sign(beta, X, y):
    return -grad_right(beta, X, y)


def grad_mean(beta, X, y):
    return grad_right(beta, X, y) / len(y)


def grad_shape(beta, X, y):
    return grad_right(beta, X, y)[:, None]


def grad_off(beta, X, y):  # uses X @ (..) in the wrong place: beta's own entries
    return beta * np.sum(y)


def raises(beta, X, y):
    raise ValueError("boom")


def not_implemented(beta, X, y):
    raise NotImplementedError


SEEDS = [0, 1, 2, 3, 4]


# ---------------------------------------------------------------- neg_log_likelihood
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("answer", [nll_right, nll_logaddexp])
def test_nll_right_passes(answer, seed):
    result = check("ch01.neg_log_likelihood", answer, seed=seed)
    assert result, str(result)
    assert "correct" in str(result)


def test_nll_right_passes_fresh_inputs():
    for _ in range(5):  # no seed: new data each call
        assert check("ch01.neg_log_likelihood", nll_right)


def test_nll_naive_fails_on_huge_inputs():
    result = check("ch01.neg_log_likelihood", nll_naive, seed=0)
    assert not result
    assert "NaN or inf" in result.message and "exp overflows" in result.message


@pytest.mark.parametrize("answer, words", [
    (nll_wrong_sign, "wrong sign"),
    (nll_mean, "mean"),
    (nll_per_obs, "single number"),
    (nll_off, "wrong values"),
])
def test_nll_wrong_fails_with_hint(answer, words):
    result = check("ch01.neg_log_likelihood", answer, seed=1)
    assert not result
    assert words in result.message
    assert "not yet" in str(result)


def test_nll_wrong_shape():
    result = check("ch01.neg_log_likelihood", nll_shape, seed=2)
    assert not result
    assert "shape (1,)" in result.message and "expected ()" in result.message


def test_nll_raising_function_gives_message():
    result = check("ch01.neg_log_likelihood", raises, seed=3)
    assert not result
    assert "raised ValueError: boom" in result.message
    result = check("ch01.neg_log_likelihood", not_implemented, seed=3)
    assert not result and "NotImplementedError" in result.message


def test_nll_not_a_function():
    result = check("ch01.neg_log_likelihood", 3.0, seed=0)
    assert not result and "expected a function" in result.message


# ---------------------------------------------------------------- gradient
@pytest.mark.parametrize("seed", SEEDS)
def test_gradient_right_passes(seed):
    result = check("ch01.gradient", grad_right, seed=seed)
    assert result, str(result)


@pytest.mark.parametrize("answer, words", [
    (grad_wrong_sign, "wrong sign"),
    (grad_mean, "divided by n"),
    (grad_off, "wrong values"),
])
def test_gradient_wrong_fails_with_hint(answer, words):
    result = check("ch01.gradient", answer, seed=1)
    assert not result
    assert words in result.message


def test_gradient_wrong_shape():
    result = check("ch01.gradient", grad_shape, seed=2)
    assert not result
    assert "has shape" in result.message and "expected" in result.message


def test_gradient_raising_function_gives_message():
    result = check("ch01.gradient", raises, seed=3)
    assert not result
    assert "raised ValueError" in result.message


def test_messages_never_contain_the_solution():
    for exercise, answer in [("ch01.neg_log_likelihood", nll_off),
                             ("ch01.gradient", grad_off)]:
        text = str(check(exercise, answer, seed=0)).lower()
        for leak in ("logaddexp", "log1p", "x.t", "sigmoid(", "maximum"):
            assert leak not in text
