"""The checkers of chapter 8: a right answer passes, wrong ones fail with a useful hint."""
import numpy as np
import pytest

from nnlib.exercises import check

SEEDS = [0, 1, 2, 3]


# ---------------------------------------------------------------- nadam_step
def nadam_right(theta, g, m, s, t, learning_rate, beta_1, beta_2, epsilon):
    m = beta_1 * m + (1 - beta_1) * g
    s = beta_2 * s + (1 - beta_2) * g ** 2
    m_hat = beta_1 * m / (1 - beta_1 ** (t + 1)) + (1 - beta_1) * g / (1 - beta_1 ** t)
    s_hat = s / (1 - beta_2 ** t)
    return theta - learning_rate * m_hat / (np.sqrt(s_hat) + epsilon), m, s


def nadam_is_adam(theta, g, m, s, t, learning_rate, beta_1, beta_2, epsilon):
    m = beta_1 * m + (1 - beta_1) * g
    s = beta_2 * s + (1 - beta_2) * g ** 2
    m_hat, s_hat = m / (1 - beta_1 ** t), s / (1 - beta_2 ** t)
    return theta - learning_rate * m_hat / (np.sqrt(s_hat) + epsilon), m, s


def nadam_no_correction(theta, g, m, s, t, learning_rate, beta_1, beta_2, epsilon):
    m = beta_1 * m + (1 - beta_1) * g
    s = beta_2 * s + (1 - beta_2) * g ** 2
    return theta - learning_rate * (beta_1 * m + (1 - beta_1) * g) / (np.sqrt(s) + epsilon), m, s


def nadam_in_place(theta, g, m, s, t, learning_rate, beta_1, beta_2, epsilon):
    new = nadam_right(theta, g, m, s, t, learning_rate, beta_1, beta_2, epsilon)
    m[...] = new[1]
    return new


def nadam_defaults(theta, g, m, s, t, learning_rate, beta_1, beta_2, epsilon):
    # ignores the given hyperparameters
    return nadam_right(theta, g, m, s, t, 0.001, 0.9, 0.999, 1e-7)


def nadam_fixed_t(theta, g, m, s, t, learning_rate, beta_1, beta_2, epsilon):
    return nadam_right(theta, g, m, s, 10, learning_rate, beta_1, beta_2, epsilon)


def nadam_two(theta, g, m, s, t, learning_rate, beta_1, beta_2, epsilon):
    return nadam_right(theta, g, m, s, t, learning_rate, beta_1, beta_2, epsilon)[:2]


def nadam_flat(theta, g, m, s, t, learning_rate, beta_1, beta_2, epsilon):
    out = nadam_right(theta, g, m, s, t, learning_rate, beta_1, beta_2, epsilon)
    return out[0].ravel(), out[1], out[2]


def nadam_keras(theta, g, m, s, t, learning_rate, beta_1, beta_2, epsilon):
    import keras  # noqa: F401  (never reached: the checker looks at the names first)

    return keras.optimizers.Nadam


def nadam_torch(theta, g, m, s, t, learning_rate, beta_1, beta_2, epsilon):
    import torch

    return torch.optim.NAdam


@pytest.mark.parametrize("seed", SEEDS)
def test_nadam_right(seed):
    result = check("ch08.nadam_step", nadam_right, seed=seed)
    assert result, result.message
    assert "correct" in str(result)


@pytest.mark.parametrize("seed", SEEDS)
def test_nadam_wrong(seed):
    r = check("ch08.nadam_step", nadam_is_adam, seed=seed)
    assert not r and "Adam's step" in r.message
    r = check("ch08.nadam_step", nadam_no_correction, seed=seed)
    assert not r and "bias correction" in r.message
    r = check("ch08.nadam_step", nadam_in_place, seed=seed)
    assert not r and "in place" in r.message
    r = check("ch08.nadam_step", nadam_defaults, seed=seed)
    assert not r
    r = check("ch08.nadam_step", nadam_fixed_t, seed=seed)
    assert not r and "t" in r.message


def test_nadam_library_wrappers_are_rejected():
    r = check("ch08.nadam_step", nadam_keras, seed=0)
    assert not r and "`Nadam`" in r.message and "Keras" in r.message
    r = check("ch08.nadam_step", nadam_torch, seed=0)
    assert not r and "`NAdam`" in r.message and "PyTorch" in r.message


def test_nadam_wrong_shape():
    r = check("ch08.nadam_step", nadam_two, seed=0)
    assert not r and "three arrays" in r.message
    r = check("ch08.nadam_step", nadam_flat, seed=0)
    assert not r and "shape" in r.message


def test_nadam_raising_and_none():
    def raises(*args):
        raise NotImplementedError

    def buggy(*args):
        return args[0] @ np.ones((7, 7))

    def returns_none(*args):
        return None

    r = check("ch08.nadam_step", raises, seed=0)
    assert not r and "NotImplementedError" in r.message
    r = check("ch08.nadam_step", buggy, seed=0)
    assert not r and "raised ValueError" in r.message
    r = check("ch08.nadam_step", returns_none, seed=0)
    assert not r and "returned None" in r.message
    r = check("ch08.nadam_step", "nadam", seed=0)
    assert not r and "expected a function" in r.message


# ---------------------------------------------------------------- max_stable_rate
def rate_right(mu, lam, nesterov):
    if nesterov:
        return 2 * (1 + mu) / ((1 + 2 * mu) * lam)
    return 2 * (1 + mu) / lam


def rate_plain_gd(mu, lam, nesterov):
    return 2 / lam


def rate_nesterov_as_heavy(mu, lam, nesterov):
    return 2 * (1 + mu) / lam


def rate_array(mu, lam, nesterov):
    return np.array([rate_right(mu, lam, nesterov)] * 2)


def rate_none(mu, lam, nesterov):
    return None


@pytest.mark.parametrize("seed", SEEDS)
def test_rate_right(seed):
    result = check("ch08.max_stable_rate", rate_right, seed=seed)
    assert result, result.message


@pytest.mark.parametrize("seed", SEEDS)
def test_rate_wrong(seed):
    r = check("ch08.max_stable_rate", rate_plain_gd, seed=seed)
    assert not r and "plain gradient descent" in r.message
    r = check("ch08.max_stable_rate", rate_nesterov_as_heavy, seed=seed)
    assert not r and "heavy-ball" in r.message


def test_rate_wrong_shape_and_none():
    r = check("ch08.max_stable_rate", rate_array, seed=0)
    assert not r and "single number" in r.message
    r = check("ch08.max_stable_rate", rate_none, seed=0)
    assert not r and "None" in r.message


def test_rate_raising():
    def raises(mu, lam, nesterov):
        raise ZeroDivisionError("oops")

    r = check("ch08.max_stable_rate", raises, seed=0)
    assert not r and "raised ZeroDivisionError" in r.message
