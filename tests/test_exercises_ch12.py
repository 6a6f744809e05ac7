"""The checkers of chapter 12: a right answer passes, wrong ones fail with a useful hint."""
from math import ceil, floor, log

import numpy as np
import pytest

from nnlib.exercises import check
from nnlib.exercises.ch12 import _halving_cases, _halving_schedule, _loguniform_ppf

SEEDS = [0, 1, 2, 3]


# ------------------------------------------------------------------ halving_schedule
def schedule_right(n_candidates, factor, min_resources, max_resources):
    n_required = 1 + floor(log(n_candidates, factor))
    n_possible = 1 + floor(log(max_resources // min_resources, factor))
    resources, candidates, n = [], [], n_candidates
    for i in range(min(n_required, n_possible)):
        resources.append(min(factor**i * min_resources, max_resources))
        candidates.append(n)
        n = ceil(n / factor)
    return resources, candidates


def schedule_loop(n_candidates, factor, min_resources, max_resources):
    # another correct answer: a loop with integer powers instead of logarithms
    resources, candidates, n, i = [], [], n_candidates, 0
    while factor**i <= n_candidates and min_resources * factor**i <= max_resources:
        resources.append(min_resources * factor**i)
        candidates.append(n)
        n, i = ceil(n / factor), i + 1
    return resources, candidates


def schedule_floor(n_candidates, factor, min_resources, max_resources):
    # rounds the survivors down instead of up
    res, cand = schedule_right(n_candidates, factor, min_resources, max_resources)
    return res, [n_candidates // factor**i for i in range(len(cand))]


def schedule_no_budget_limit(n_candidates, factor, min_resources, max_resources):
    # ignores max_resources: as many rungs as the candidates need
    resources, candidates, n = [], [], n_candidates
    for i in range(1 + floor(log(n_candidates, factor))):
        resources.append(factor**i * min_resources)
        candidates.append(n)
        n = ceil(n / factor)
    return resources, candidates


def schedule_sklearn(n_candidates, factor, min_resources, max_resources):
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingRandomSearchCV
    search = HalvingRandomSearchCV(None, {}, n_candidates=n_candidates, factor=factor,
                                   min_resources=min_resources,
                                   max_resources=max_resources)
    return search.n_resources_, search.n_candidates_


def schedule_one_list(n_candidates, factor, min_resources, max_resources):
    return schedule_right(n_candidates, factor, min_resources, max_resources)[0]


def schedule_nested(n_candidates, factor, min_resources, max_resources):
    res, cand = schedule_right(n_candidates, factor, min_resources, max_resources)
    return [res], [cand]


def schedule_raises(n_candidates, factor, min_resources, max_resources):
    return n_candidates / 0


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("answer", [schedule_right, schedule_loop])
def test_halving_right_answers_pass(answer, seed):
    result = check("ch12.halving_schedule", answer, seed=seed)
    assert result, str(result)


def test_reference_schedule_equals_sklearn():
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingRandomSearchCV

    from nnlib.sklearn import MLPClassifier
    rng = np.random.default_rng(0)
    X = rng.random((40, 3))
    y = np.tile([0, 1], 20)
    from scipy.stats import loguniform
    space = {"learning_rate": loguniform(0.01, 0.5)}
    for n, f, lo, hi in [(9, 3, 2, 18), (5, 2, 1, 4), (20, 2, 1, 16), (30, 3, 1, 2)]:
        search = HalvingRandomSearchCV(
            MLPClassifier(hidden_layer_sizes=(2,), random_state=0), space,
            n_candidates=n, factor=f, resource="epochs", min_resources=lo,
            max_resources=hi, cv=2, random_state=0)
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            search.fit(X, y)
        assert _halving_schedule(n, f, lo, hi) == (search.n_resources_,
                                                   search.n_candidates_)


def test_cases_avoid_exact_powers():
    for seed in SEEDS:
        for n, f, lo, hi in _halving_cases(np.random.default_rng(seed)):
            assert floor(log(n, f)) == floor(log(n, f) + 1e-9)
            assert floor(log(hi // lo, f)) == floor(log(hi // lo, f) + 1e-9)


def test_halving_floor_is_told_to_round_up():
    result = check("ch12.halving_schedule", schedule_floor, seed=0)
    assert not result and "rounded up" in str(result)


def test_halving_without_budget_limit_fails():
    result = check("ch12.halving_schedule", schedule_no_budget_limit, seed=0)
    assert not result and "rungs" in str(result)


def test_halving_library_wrapper_is_rejected():
    result = check("ch12.halving_schedule", schedule_sklearn, seed=0)
    assert not result and "uses `HalvingRandomSearchCV`" in str(result)


def test_halving_wrong_shapes():
    result = check("ch12.halving_schedule", schedule_one_list, seed=0)
    assert not result and "two lists" in str(result)
    result = check("ch12.halving_schedule", schedule_nested, seed=0)
    assert not result and "flat lists" in str(result)


def test_halving_raising_function():
    result = check("ch12.halving_schedule", schedule_raises, seed=0)
    assert not result and "ZeroDivisionError" in str(result)


def test_halving_message_does_not_reveal_the_formula():
    result = check("ch12.halving_schedule", schedule_no_budget_limit, seed=0)
    assert "floor" not in str(result) and "log" not in str(result)


# ------------------------------------------------------------------ loguniform_ppf
def ppf_right(u, low, high):
    return low * (high / low) ** np.asarray(u)


def ppf_linear(u, low, high):
    return low + np.asarray(u) * (high - low)


def ppf_log10_wrong(u, low, high):
    # mixes bases: log10 of the range, natural exponential
    return np.exp(np.log10(low) + np.asarray(u) * (np.log10(high) - np.log10(low)))


def ppf_scipy(u, low, high):
    from scipy.stats import loguniform
    return loguniform(low, high).ppf(u)


def ppf_flat(u, low, high):
    return np.ravel(ppf_right(u, low, high))[:1]


def ppf_raises(u, low, high):
    raise RuntimeError("boom")


@pytest.mark.parametrize("seed", SEEDS)
def test_ppf_right_answer_passes(seed):
    result = check("ch12.loguniform_ppf", ppf_right, seed=seed)
    assert result, str(result)


def test_reference_ppf_equals_scipy():
    from scipy.stats import loguniform
    u = np.linspace(0, 1, 11)
    np.testing.assert_allclose(_loguniform_ppf(u, 1e-5, 3.0),
                               loguniform(1e-5, 3.0).ppf(u), rtol=1e-12)


def test_ppf_linear_is_told_so():
    result = check("ch12.loguniform_ppf", ppf_linear, seed=0)
    assert not result and "uniform on [low, high]" in str(result)


def test_ppf_wrong_values_fail():
    result = check("ch12.loguniform_ppf", ppf_log10_wrong, seed=0)
    assert not result and "wrong values" in str(result)


def test_ppf_library_wrapper_is_rejected():
    result = check("ch12.loguniform_ppf", ppf_scipy, seed=0)
    assert not result and "uses `loguniform`" in str(result)


def test_ppf_wrong_shape():
    result = check("ch12.loguniform_ppf", ppf_flat, seed=0)
    assert not result and "shape" in str(result)


def test_ppf_raising_function():
    result = check("ch12.loguniform_ppf", ppf_raises, seed=0)
    assert not result and "RuntimeError: boom" in str(result)


# ------------------------------------------------------------------ input_gradient
def grad_right(weights, hidden, X, y):
    Ws, bs = weights[0::2], weights[1::2]
    act = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh}[hidden]
    der = {"relu": lambda z: (z > 0) * 1.0, "tanh": lambda z: 1 - np.tanh(z) ** 2}[hidden]
    a, zs = X, []
    for W, b in zip(Ws[:-1], bs[:-1]):
        zs.append(a @ W + b)
        a = act(zs[-1])
    logits = a @ Ws[-1] + bs[-1]
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    delta = p - np.eye(p.shape[1])[y]
    for k in range(len(zs) - 1, -1, -1):
        delta = (delta @ Ws[k + 1].T) * der(zs[k])
    return delta @ Ws[0].T


def grad_mean(weights, hidden, X, y):
    return grad_right(weights, hidden, X, y) / len(X)


def grad_no_derivative(weights, hidden, X, y):
    # forgets the activation's derivative on the way back
    Ws, bs = weights[0::2], weights[1::2]
    a = X
    for W, b in zip(Ws[:-1], bs[:-1]):
        a = np.maximum(a @ W + b, 0) if hidden == "relu" else np.tanh(a @ W + b)
    logits = a @ Ws[-1] + bs[-1]
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    delta = p - np.eye(p.shape[1])[y]
    for W in Ws[:0:-1]:
        delta = delta @ W.T
    return delta @ Ws[0].T


def grad_finite_differences(weights, hidden, X, y):
    from nnlib.gradcheck import numerical_gradient

    def loss(x):
        return 0.0
    return numerical_gradient(loss, X)


def grad_summed(weights, hidden, X, y):
    return grad_right(weights, hidden, X, y).sum(axis=0)


def grad_raises(weights, hidden, X, y):
    return weights[99]


@pytest.mark.parametrize("seed", SEEDS)
def test_input_gradient_right_answer_passes(seed):
    result = check("ch12.input_gradient", grad_right, seed=seed)
    assert result, str(result)


def test_reference_input_gradient_equals_finite_differences():
    from nnlib.exercises.ch12 import _forward_backward, _random_network
    from nnlib.gradcheck import numerical_gradient, relative_error
    rng = np.random.default_rng(0)
    for hidden in ("relu", "tanh"):
        sizes, weights = _random_network(rng)
        X = rng.standard_normal((4, sizes[0]))
        y = rng.integers(sizes[-1], size=4)
        expected = _forward_backward(weights, hidden, X, y)
        for i in range(4):
            def loss(x, i=i):
                Xi = X.copy()
                Xi[i] = x
                a = Xi[i:i + 1]
                for W, b in zip(weights[0:-2:2], weights[1:-2:2]):
                    a = np.maximum(a @ W + b, 0) if hidden == "relu" else np.tanh(a @ W + b)
                z = (a @ weights[-2] + weights[-1])[0]
                return np.log(np.sum(np.exp(z - z.max()))) + z.max() - z[y[i]]
            fd = numerical_gradient(loss, X[i].copy())
            assert relative_error(expected[i], fd) < 1e-7


def test_input_gradient_of_the_mean_is_told_so():
    result = check("ch12.input_gradient", grad_mean, seed=0)
    assert not result and "mean loss" in str(result)


def test_input_gradient_without_derivative_fails():
    result = check("ch12.input_gradient", grad_no_derivative, seed=0)
    assert not result and "wrong values" in str(result)


def test_input_gradient_library_wrapper_is_rejected():
    result = check("ch12.input_gradient", grad_finite_differences, seed=0)
    assert not result and "uses `numerical_gradient`" in str(result)


def test_input_gradient_wrong_shape():
    result = check("ch12.input_gradient", grad_summed, seed=0)
    assert not result and "X's shape" in str(result)


def test_input_gradient_raising_function():
    result = check("ch12.input_gradient", grad_raises, seed=0)
    assert not result and "IndexError" in str(result)
