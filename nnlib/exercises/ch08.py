"""Checkers of chapter 8 (gradient descent and its variants).

Each checker draws fresh inputs from ``rng``, compares the student's answer with a
reference written here and says right or wrong with a hint (never the solution).
"""
from __future__ import annotations

import numpy as np

from ._core import Mismatch, as_numeric, checker, forbid, matches, quiet_call


# ---------------------------------------------------------------- nadam_step
def _moments(g, m, s, beta_1, beta_2):
    return beta_1 * m + (1 - beta_1) * g, beta_2 * s + (1 - beta_2) * g * g


def _nadam_reference(theta, g, m, s, t, lr, beta_1, beta_2, epsilon):
    m, s = _moments(g, m, s, beta_1, beta_2)
    m_hat = (beta_1 * m / (1 - beta_1 ** (t + 1)) + (1 - beta_1) * g / (1 - beta_1 ** t))
    s_hat = s / (1 - beta_2 ** t)
    return theta - lr * m_hat / (np.sqrt(s_hat) + epsilon), m, s


def _adam_reference(theta, g, m, s, t, lr, beta_1, beta_2, epsilon):
    m, s = _moments(g, m, s, beta_1, beta_2)
    m_hat, s_hat = m / (1 - beta_1 ** t), s / (1 - beta_2 ** t)
    return theta - lr * m_hat / (np.sqrt(s_hat) + epsilon), m, s


def _nadam_uncorrected(theta, g, m, s, t, lr, beta_1, beta_2, epsilon):
    m, s = _moments(g, m, s, beta_1, beta_2)
    return theta - lr * (beta_1 * m + (1 - beta_1) * g) / (np.sqrt(s) + epsilon), m, s


def _triple(got, what):
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        extra = f" of length {len(got)}" if isinstance(got, (tuple, list)) else ""
        raise Mismatch(f"{what} should return a tuple of three arrays (theta, m, s), got "
                       f"{type(got).__name__}{extra}")
    return [as_numeric(a, f"{name} returned by {what}") for a, name in
            zip(got, ("theta", "m", "s"))]


@checker("ch08.nadam_step",
         "nadam_step(theta, g, m, s, t, learning_rate, beta_1, beta_2, epsilon): "
         "one Nadam step, returning (theta, m, s)")
def check_nadam_step(fn, rng):
    forbid(fn, {"Nadam": "Keras's Nadam is what the exercise asks you to write "
                         "(and it uses a different momentum schedule)",
                "NAdam": "PyTorch's NAdam is what the exercise asks you to write "
                         "(and it uses a different momentum schedule)"})
    shape = tuple(int(k) for k in rng.integers(2, 5, size=int(rng.integers(1, 3))))
    lr = float(10 ** rng.uniform(-3, -1))
    beta_1, beta_2 = float(rng.uniform(0.8, 0.95)), float(rng.uniform(0.99, 0.9999))
    epsilon = float(rng.choice([1e-7, 1e-3, 0.1]))
    args = (lr, beta_1, beta_2, epsilon)

    # one step from a state in the middle of a run
    theta = rng.normal(size=shape)
    g = rng.normal(size=shape)
    m = rng.normal(size=shape) * 0.3
    s = rng.uniform(0.1, 2.0, size=shape)
    t = int(rng.integers(2, 30))
    inputs = [a.copy() for a in (theta, g, m, s)]
    got = _triple(quiet_call(fn, *inputs, t, *args, name="nadam_step"), "nadam_step")
    for before, after, name in zip((theta, g, m, s), inputs, ("theta", "g", "m", "s")):
        if not np.array_equal(before, after):
            raise Mismatch(f"nadam_step changed its argument {name} in place; return new "
                           "arrays instead")
    expected = _nadam_reference(theta, g, m, s, t, *args)
    for arr, exp, name in zip(got, expected, ("theta", "m", "s")):
        if arr.shape != exp.shape:
            raise Mismatch(f"the returned {name} has shape {arr.shape}, expected {exp.shape}"
                           " (the shape of the parameters)")
    if not matches(got[1], expected[1]) or not matches(got[2], expected[2]):
        raise Mismatch("the new moments m and s are wrong: they are the same exponential "
                       "moving averages as in Adam")
    if not matches(got[0], expected[0], rtol=1e-6, atol=1e-12):
        if matches(got[0], _adam_reference(theta, g, m, s, t, *args)[0]):
            raise Mismatch("theta is Adam's step: Nadam's numerator also looks ahead, "
                           "mixing the next momentum with the current gradient")
        if matches(got[0], _nadam_uncorrected(theta, g, m, s, t, *args)[0]):
            raise Mismatch("theta is right without bias correction; divide each term by "
                           "its own 1 - beta**(...) factor, as the exercise states")
        raise Mismatch("the moments are right but the new theta is not; check m_hat "
                       "(which power of beta_1 goes with which term) and s_hat")

    # a run of 20 steps from the zero state, t = 1, 2, ...
    theta_s = theta_r = rng.normal(size=shape)
    m_s = s_s = m_r = s_r = np.zeros(shape)
    for t in range(1, 21):
        g = rng.normal(size=shape)
        theta_s, m_s, s_s = _triple(quiet_call(fn, theta_s, g.copy(), m_s, s_s, t, *args,
                                               name="nadam_step"), "nadam_step")
        theta_r, m_r, s_r = _nadam_reference(theta_r, g, m_r, s_r, t, *args)
    if not matches(theta_s, theta_r, rtol=1e-6, atol=1e-12):
        raise Mismatch("a single step is right, but 20 steps from m = s = 0 with "
                       "t = 1, 2, ... are not; does your function use t as given?")
    return True, ("one step and a run of 20 steps on random arrays and hyperparameters "
                  "match Nadam's formula")


# ---------------------------------------------------------------- max_stable_rate
def _max_stable_rate(mu, lam, nesterov):
    return 2 * (1 + mu) / ((1 + 2 * mu) * lam) if nesterov else 2 * (1 + mu) / lam


@checker("ch08.max_stable_rate",
         "max_stable_rate(mu, lam, nesterov): the largest learning rate for which "
         "(Nesterov) momentum converges on L = lam theta^2 / 2")
def check_max_stable_rate(fn, rng):
    cases = [(0.0, float(10 ** rng.uniform(-1, 2)))]
    cases += [(float(rng.uniform(0.05, 0.99)), float(10 ** rng.uniform(-1, 2)))
              for _ in range(6)]
    for nesterov in (False, True):
        which = "Nesterov momentum" if nesterov else "momentum"
        for mu, lam in cases:
            got = as_numeric(quiet_call(fn, mu, lam, nesterov, name="max_stable_rate"),
                             "the value returned by max_stable_rate")
            if got.shape != ():
                raise Mismatch(f"max_stable_rate should return a single number, got an "
                               f"array of shape {got.shape}")
            expected = _max_stable_rate(mu, lam, nesterov)
            if not np.isfinite(got) or abs(float(got) - expected) > 1e-9 * expected:
                hint = ""
                if abs(float(got) - 2 / lam) < 1e-9 / lam:
                    hint = ": that is plain gradient descent's limit; momentum changes it"
                elif nesterov and abs(float(got) - _max_stable_rate(mu, lam, False)) \
                        < 1e-9 * expected:
                    hint = ": that is heavy-ball momentum's limit, not Nesterov's"
                raise Mismatch(f"for {which} with mu = {mu:.3f}, lam = {lam:.3f} your limit "
                               f"is {float(got):.6g}, which is wrong{hint}; find where a "
                               "root of the characteristic equation crosses -1")
    return True, "the limits match for heavy-ball and Nesterov momentum on 7 random cases"
