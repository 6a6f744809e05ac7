"""Checkers of chapter 12 (hyperparameters and practice): the schedule of successive
halving, as scikit-learn's ``HalvingRandomSearchCV`` runs it, the inverse CDF of the
log-uniform distribution (the sampler behind ``scipy.stats.loguniform``), and the
gradient of a softmax network's loss with respect to its input (for adversarial
examples), for any depth.

Each checker draws fresh cases from ``rng``, compares the student's answer with a
reference computed here and says right or wrong with a hint (never the solution).
"""
from __future__ import annotations

from math import ceil, floor, log

import numpy as np

from ._core import (Mismatch, as_numeric, checker, compare_arrays, forbid, matches,
                    quiet_call)


# ---------------------------------------------------------------- halving_schedule
def _halving_schedule(n_candidates, factor, min_resources, max_resources):
    """Resources and candidates of each rung, by scikit-learn's rules
    (``aggressive_elimination=False``)."""
    n_required = 1 + floor(log(n_candidates, factor))
    n_possible = 1 + floor(log(max_resources // min_resources, factor))
    resources, candidates = [], []
    n = n_candidates
    for i in range(min(n_required, n_possible)):
        resources.append(min(int(factor**i * min_resources), max_resources))
        candidates.append(n)
        n = ceil(n / factor)
    return resources, candidates


def _exact_floor_log(x, base):
    """floor(log_base(x)) computed with integers (no rounding)."""
    k = 0
    while base ** (k + 1) <= x:
        k += 1
    return k


def _halving_cases(rng):
    cases = [(9, 3, 2, 18), (20, 2, 1, 16), (5, 3, 4, 100), (30, 3, 1, 2)]
    while len(cases) < 14:
        factor = int(rng.integers(2, 5))
        case = (int(rng.integers(2, 60)), factor, int(rng.integers(1, 10)),
                int(rng.integers(10, 400)))
        n, f, lo, hi = case
        # avoid the cases where floating-point log() and exact integer arithmetic
        # disagree (exact powers such as log(243, 3) = 4.999...): either is defensible
        if (floor(log(n, f)) != _exact_floor_log(n, f)
                or floor(log(hi // lo, f)) != _exact_floor_log(hi // lo, f)):
            continue
        cases.append(case)
    return cases


@checker("ch12.halving_schedule",
         "halving_schedule(n_candidates, factor, min_resources, max_resources): the "
         "resources and the number of candidates of every rung of successive halving")
def check_halving_schedule(fn, rng):
    forbid(fn, {"HalvingRandomSearchCV": "the exercise asks you to derive the schedule "
                                         "that scikit-learn's search follows, not to run it",
                "HalvingGridSearchCV": "the exercise asks you to derive the schedule that "
                                       "scikit-learn's search follows, not to run it",
                "n_resources_": "read the rules, do not read the fitted search's answer"})
    cases = _halving_cases(rng)
    for n, f, lo, hi in cases:
        expected_r, expected_c = _halving_schedule(n, f, lo, hi)
        got = quiet_call(fn, n, f, lo, hi, name="halving_schedule")
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise Mismatch("halving_schedule should return two lists: (n_resources, "
                           "n_candidates)")
        res = as_numeric(got[0], "n_resources")
        cand = as_numeric(got[1], "n_candidates")
        label = (f"n_candidates={n}, factor={f}, min_resources={lo}, "
                 f"max_resources={hi}")
        if res.ndim != 1 or cand.ndim != 1:
            raise Mismatch(f"for {label} n_resources and n_candidates should be flat "
                           f"lists, got shapes {res.shape} and {cand.shape}")
        if len(cand) and cand[0] != n:
            raise Mismatch(f"for {label} the first rung should evaluate all {n} "
                           f"candidates, your schedule starts with {cand[0]:g}")
        if len(res) != len(expected_r) or len(cand) != len(expected_c):
            hint = ("a rung needs factor**i <= n_candidates and at most max_resources"
                    if len(res) > len(expected_r) else
                    "run every rung i for which factor**i <= n_candidates and the "
                    "resources stay within max_resources")
            raise Mismatch(f"for {label} your schedule has {len(res)} rungs, scikit-learn "
                           f"runs {len(expected_r)}: {hint}")
        if not np.array_equal(cand, expected_c):
            raise Mismatch(f"for {label} the number of candidates per rung is "
                           f"{cand.astype(int).tolist()}; the survivors of a rung are the "
                           "best 1/factor of its candidates, rounded up")
        compare_arrays(res, np.array(expected_r, float), what=f"n_resources for {label}",
                       rtol=0, atol=0)
    return True, (f"the schedule equals scikit-learn's n_resources_ and n_candidates_ on "
                  f"{len(cases)} cases")


# ---------------------------------------------------------------- loguniform_ppf
def _loguniform_ppf(u, low, high):
    return np.exp(np.log(low) + u * (np.log(high) - np.log(low)))


@checker("ch12.loguniform_ppf",
         "loguniform_ppf(u, low, high): the inverse CDF of the log-uniform distribution "
         "on [low, high], applied to an array u of numbers in [0, 1]")
def check_loguniform_ppf(fn, rng):
    forbid(fn, {"loguniform": "scipy.stats.loguniform is the distribution you are asked "
                              "to invert yourself: start from its CDF",
                "reciprocal": "scipy.stats.reciprocal is another name of loguniform",
                "ppf": "a scipy distribution's ppf is the function you are asked to write",
                "logspace": "the exercise asks for the inverse CDF, not a grid",
                "geomspace": "the exercise asks for the inverse CDF, not a grid"})
    cases = [(np.array([0.0, 0.5, 1.0]), 1e-4, 1.0)]
    for _ in range(6):
        lo = float(10 ** rng.uniform(-7, 0))
        hi = lo * float(10 ** rng.uniform(0.5, 6))
        shape = (int(rng.integers(1, 40)),) if rng.random() < 0.7 else (3, 4)
        cases.append((rng.random(shape), lo, hi))
    for u, lo, hi in cases:
        expected = _loguniform_ppf(u, lo, hi)
        got = quiet_call(fn, u.copy(), lo, hi, name="loguniform_ppf")
        got_arr = as_numeric(got, "loguniform_ppf(u, low, high)")
        if got_arr.shape != u.shape:
            raise Mismatch(f"loguniform_ppf(u, {lo:.3g}, {hi:.3g}) has shape "
                           f"{got_arr.shape}; it should have the shape of u, {u.shape}")
        linear = lo + u * (hi - lo)
        if np.allclose(got_arr, linear, rtol=1e-9) and not np.allclose(expected, linear):
            raise Mismatch("your values are uniform on [low, high]: the log of the value, "
                           "not the value, should be uniform")
        compare_arrays(got_arr, expected,
                       what=f"loguniform_ppf(u, {lo:.3g}, {hi:.3g})", rtol=1e-9, atol=0)
    return True, (f"your inverse CDF equals the log-uniform one on {len(cases)} random "
                  "ranges, including u = 0, 1/2 and 1")


# ---------------------------------------------------------------- input_gradient
def _forward_backward(weights, hidden, X, y):
    """Per-example cross-entropy gradients with respect to the inputs (reference)."""
    Ws, bs = weights[0::2], weights[1::2]
    zs, a = [], X
    for W, b in zip(Ws[:-1], bs[:-1]):
        z = a @ W + b
        zs.append(z)
        a = np.maximum(z, 0) if hidden == "relu" else np.tanh(z)
    z = a @ Ws[-1] + bs[-1]
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    g = p.copy()
    g[np.arange(len(y)), y] -= 1                      # d loss_i / d logits_i
    for W, z in zip(Ws[:0:-1], zs[::-1]):
        g = g @ W.T
        g = g * (z > 0) if hidden == "relu" else g * (1 - np.tanh(z) ** 2)
    return g @ Ws[0].T


def _random_network(rng):
    sizes = [int(rng.integers(3, 7))]
    sizes += [int(rng.integers(3, 8)) for _ in range(int(rng.integers(1, 4)))]
    sizes.append(int(rng.integers(2, 5)))             # classes
    weights = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        weights += [rng.standard_normal((a, b)) / np.sqrt(a), 0.1 * rng.standard_normal(b)]
    return sizes, weights


@checker("ch12.input_gradient",
         "input_gradient(weights, hidden, X, y): the gradient of each example's "
         "cross-entropy with respect to its input, for a softmax network of any depth")
def check_input_gradient(fn, rng):
    forbid(fn, {"numerical_gradient": "finite differences are how the checker tests "
                                      "your answer; backpropagate by hand",
                "gradcheck": "finite differences are how the checker tests your answer; "
                             "backpropagate by hand",
                "backward": "nnlib's layers backpropagate for you; the exercise asks you "
                            "to write the backward pass from the weights"})
    cases = 0
    for hidden in ("relu", "tanh", "relu", "tanh"):
        sizes, weights = _random_network(rng)
        n = int(rng.integers(2, 6))
        X = rng.standard_normal((n, sizes[0]))
        y = rng.integers(sizes[-1], size=n)
        expected = _forward_backward(weights, hidden, X, y)
        got = quiet_call(fn, [w.copy() for w in weights], hidden, X.copy(), y.copy(),
                         name="input_gradient")
        got = as_numeric(got, "input_gradient(weights, hidden, X, y)")
        depth = len(sizes) - 2
        label = f"a {hidden} network with {depth} hidden layer{'s' * (depth > 1)}"
        if got.shape != X.shape:
            raise Mismatch(f"for {label} and X of shape {X.shape} the gradient has shape "
                           f"{got.shape}: it should have X's shape, one row per example")
        if matches(got, expected / n, rtol=1e-6, atol=1e-10) and n > 1:
            raise Mismatch("your gradients are those of the mean loss (divided by the "
                           "number of examples); the exercise asks for each example's "
                           "own loss")
        if matches(got, -expected, rtol=1e-6, atol=1e-10):
            raise Mismatch("your gradient has the wrong sign: the derivative of the "
                           "cross-entropy with respect to the logits is p - onehot(y)")
        compare_arrays(got, expected, what=f"the input gradient for {label}",
                       rtol=1e-6, atol=1e-10)
        cases += 1
    return True, (f"your input gradients match backpropagation on {cases} random "
                  "networks of one to three hidden layers (ReLU and tanh)")
