"""The checkers of chapter 1: right answers pass, wrong ones get a hint, never a traceback."""
import numpy as np
import pytest

from numpy import logaddexp as lae

from nnlib import activations, gradcheck, losses
from nnlib.exercises import check


# ---------------------------------------------------------------- answers to check
def nll_right(beta, X, y):
    z = X @ beta
    return np.sum(np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z))))


def nll_logaddexp(beta, X, y):  # forbidden by the exercise
    z = X @ beta
    return np.sum(np.logaddexp(0, z) - y * z)


def nll_nnlib_wrapper(beta, X, y):  # merely calls the library
    return len(y) * losses.binary_crossentropy(y, X @ beta, from_logits=True)


def nll_nnlib_softplus(beta, X, y):
    z = X @ beta
    return np.sum(activations.softplus(z) - y * z)


def nll_aliased_logaddexp(beta, X, y):
    z = X @ beta
    return np.sum(lae(0, z) - y * z)


def softplus(z):  # a student's own helper with the library's name: allowed
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def nll_own_softplus(beta, X, y):
    z = X @ beta
    return np.sum(softplus(z) - y * z)


def nll_no_return(beta, X, y):
    z = X @ beta
    np.sum(np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z))))


def nll_naive(beta, X, y):  # right formula, overflows for huge |X beta|
    p = 1 / (1 + np.exp(-(X @ beta)))
    return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))


def nll_wrong_sign(beta, X, y):
    return -nll_right(beta, X, y)


def nll_mean(beta, X, y):
    return nll_right(beta, X, y) / len(y)


def nll_per_obs(beta, X, y):
    z = X @ beta
    return np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z)))


def nll_shape(beta, X, y):
    return np.array([nll_right(beta, X, y)])


def nll_off(beta, X, y):  # forgets the y * z term's sign
    z = X @ beta
    return np.sum(np.maximum(z, 0) + y * z + np.log1p(np.exp(-np.abs(z))))


def _plain(beta, X, y):
    z = X @ beta
    return X.T @ (np.exp(-np.maximum(-z, 0) - np.log1p(np.exp(-np.abs(z)))) - y)


def pgrad_right(beta, X, y, lam):
    penalty = lam * np.asarray(beta, dtype=float)
    penalty[0] = 0.0
    return _plain(beta, X, y) + penalty


def pgrad_penalizes_intercept(beta, X, y, lam):
    return _plain(beta, X, y) + lam * beta


def pgrad_no_penalty(beta, X, y, lam):
    return _plain(beta, X, y)


def pgrad_twice(beta, X, y, lam):
    return pgrad_right(beta, X, y, 2 * lam)


def pgrad_wrong_sign(beta, X, y, lam):
    return -pgrad_right(beta, X, y, lam)


def pgrad_mean(beta, X, y, lam):
    return pgrad_right(beta, X, y, lam) / len(y)


def pgrad_off(beta, X, y, lam):
    return beta * np.sum(y)


def pgrad_shape(beta, X, y, lam):
    return pgrad_right(beta, X, y, lam)[:, None]


def pgrad_numerical(beta, X, y, lam):  # finite differences: not a derivation
    def objective(b):
        z = X @ b
        nll = np.sum(np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z))) - y * z)
        return nll + lam / 2 * np.sum(b[1:] ** 2)
    return gradcheck.numerical_gradient(objective, np.array(beta, dtype=float))


def pgrad_no_return(beta, X, y, lam):
    pgrad_right(beta, X, y, lam)


def raises(*args):
    raise ValueError("boom")


def not_implemented(*args):
    raise NotImplementedError


SEEDS = [0, 1, 2, 3, 4]


# ---------------------------------------------------------------- neg_log_likelihood
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("answer", [nll_right, nll_own_softplus])
def test_nll_right_passes(answer, seed):
    result = check("ch01.neg_log_likelihood", answer, seed=seed)
    assert result, str(result)
    assert "correct" in str(result)


def test_nll_right_passes_fresh_inputs():
    for _ in range(5):  # no seed: new data each call
        assert check("ch01.neg_log_likelihood", nll_right)


@pytest.mark.parametrize("answer, name", [
    (nll_logaddexp, "logaddexp"),
    (nll_aliased_logaddexp, "logaddexp"),
    (nll_nnlib_wrapper, "binary_crossentropy"),
    (nll_nnlib_softplus, "softplus"),
])
def test_nll_library_wrapper_is_refused(answer, name):
    result = check("ch01.neg_log_likelihood", answer, seed=0)
    assert not result
    assert f"your code uses `{name}`" in result.message


def test_nll_naive_fails_on_huge_inputs():
    result = check("ch01.neg_log_likelihood", nll_naive, seed=0)
    assert not result
    assert "NaN or inf" in result.message and "exp overflows" in result.message


@pytest.mark.parametrize("answer, words", [
    (nll_wrong_sign, "wrong sign"),
    (nll_mean, "mean"),
    (nll_per_obs, "single number"),
    (nll_off, "wrong values"),
    (nll_no_return, "None"),
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


# ---------------------------------------------------------------- penalized gradient
@pytest.mark.parametrize("seed", SEEDS)
def test_penalized_gradient_right_passes(seed):
    result = check("ch01.gradient_penalized", pgrad_right, seed=seed)
    assert result, str(result)


@pytest.mark.parametrize("answer, words", [
    (pgrad_penalizes_intercept, "penalizes the intercept"),
    (pgrad_no_penalty, "without the penalty"),
    (pgrad_twice, "twice as large"),
    (pgrad_wrong_sign, "wrong sign"),
    (pgrad_mean, "divided by n"),
    (pgrad_off, "wrong values"),
    (pgrad_no_return, "None"),
])
def test_penalized_gradient_wrong_fails_with_hint(answer, words):
    result = check("ch01.gradient_penalized", answer, seed=1)
    assert not result
    assert words in result.message


def test_penalized_gradient_by_finite_differences_is_refused():
    result = check("ch01.gradient_penalized", pgrad_numerical, seed=0)
    assert not result
    assert "your code uses `numerical_gradient`" in result.message


def test_penalized_gradient_wrong_shape():
    result = check("ch01.gradient_penalized", pgrad_shape, seed=2)
    assert not result
    assert "has shape" in result.message and "expected" in result.message


def test_penalized_gradient_raising_function_gives_message():
    result = check("ch01.gradient_penalized", raises, seed=3)
    assert not result
    assert "raised ValueError" in result.message


def test_messages_never_contain_the_solution():
    for exercise, answer in [("ch01.neg_log_likelihood", nll_off),
                             ("ch01.gradient_penalized", pgrad_off),
                             ("ch01.gradient_penalized", pgrad_penalizes_intercept)]:
        text = str(check(exercise, answer, seed=0)).lower()
        for leak in ("log1p", "x.t", "sigmoid(", "maximum", "(p - y)"):
            assert leak not in text
