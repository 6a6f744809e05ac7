"""The checkers of chapter 4: a right answer passes, wrong ones fail with a useful hint,
and an answer that lets a library do the work is told so."""
import numpy as np
import pytest

import nnlib
from nnlib import layers
from nnlib.exercises import available, check

SEEDS = [0, 1, 2]


# ---------------------------------------------------------------- count_params answers
def count_right(layer_sizes, use_bias, prelu):
    total = 0
    for (a, b), bias in zip(zip(layer_sizes[:-1], layer_sizes[1:]), use_bias):
        total += a * b + (b if bias else 0)
    hidden = layer_sizes[1:-1]
    if prelu == "per_unit":
        total += sum(hidden)
    elif prelu == "shared":
        total += len(hidden)
    return np.int64(total)


def count_ignores_bias_flags(layer_sizes, use_bias, prelu):
    return count_right(layer_sizes, [True] * len(use_bias), prelu)


def count_no_prelu(layer_sizes, use_bias, prelu):
    return count_right(layer_sizes, use_bias, None)


def count_prelu_on_output(layer_sizes, use_bias, prelu):
    extra = {None: 0, "per_unit": layer_sizes[-1], "shared": 1}[prelu]
    return count_right(layer_sizes, use_bias, prelu) + extra


def count_swapped(layer_sizes, use_bias, prelu):
    other = {None: None, "per_unit": "shared", "shared": "per_unit"}[prelu]
    return count_right(layer_sizes, use_bias, other)


def count_library(layer_sizes, use_bias, prelu):
    model = nnlib.Sequential([layers.Dense(u, use_bias=b)
                              for u, b in zip(layer_sizes[1:], use_bias)])
    model.build(layer_sizes[0])
    return model.count_params()


# ---------------------------------------------------------------- forward_all answers
def _g(name, Z):
    if name == "linear":
        return Z
    if name == "relu":
        return np.maximum(Z, 0)
    if name == "tanh":
        return np.tanh(Z)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-Z))
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def forward_right(X, weights, names):
    A = [X]
    for l, g in enumerate(names):
        A.append(_g(g, A[-1] @ weights[2 * l] + weights[2 * l + 1]))
    return A


def forward_without_input(X, weights, names):
    return forward_right(X, weights, names)[1:]


def forward_last_only(X, weights, names):
    return forward_right(X, weights, names)[-1]


def forward_pre_activations(X, weights, names):
    A, out = X, [X]
    for l, g in enumerate(names):
        Z = A @ weights[2 * l] + weights[2 * l + 1]
        out.append(Z)
        A = _g(g, Z)
    return out


def forward_no_bias(X, weights, names):
    A = [X]
    for l, g in enumerate(names):
        A.append(_g(g, A[-1] @ weights[2 * l]))
    return A


def forward_same_activation(X, weights, names):
    return forward_right(X, weights, ["tanh"] * len(names))


def forward_library(X, weights, names):
    model = nnlib.Sequential([layers.Dense(w.shape[1], activation=g)
                              for w, g in zip(weights[::2], names)])
    model.build(X.shape[1])
    model.set_weights(weights)
    out = [X]
    for layer in model.layers:
        out.append(layer.forward(out[-1]))
    return out


def forward_transposed_last(X, weights, names):
    A = forward_right(X, weights, names)
    A[-1] = A[-1].T
    return A


# ---------------------------------------------------------------- right answers pass
RIGHT = [("ch04.count_params_prelu", count_right), ("ch04.forward_all", forward_right)]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("exercise, answer", RIGHT)
def test_right_answer_passes(exercise, answer, seed):
    result = check(exercise, answer, seed=seed)
    assert result, str(result)
    assert "correct" in str(result)


@pytest.mark.parametrize("exercise, answer", RIGHT)
def test_verdict_text_is_the_same_for_every_seed(exercise, answer):
    texts = {str(check(exercise, answer, seed=s)) for s in range(5)}
    assert len(texts) == 1


def test_stored_solutions_pass_for_many_seeds():
    for exercise, answer in RIGHT:
        failing = [s for s in range(100) if not check(exercise, answer, seed=s)]
        assert not failing, (exercise, failing[:5])


def test_fresh_inputs_each_call():
    seen = []

    def recording(layer_sizes, use_bias, prelu):
        seen.append((list(layer_sizes), list(use_bias), prelu))
        return count_right(layer_sizes, use_bias, prelu)

    check("ch04.count_params_prelu", recording)
    first = list(seen)
    seen.clear()
    check("ch04.count_params_prelu", recording)
    assert first[0] == seen[0] == ([5, 3, 4, 1], [True] * 3, None)
    assert first[1:] != seen[1:]


def test_new_checkers_are_registered_and_old_ones_gone():
    ids = available()
    assert "ch04.count_params_prelu" in ids and "ch04.forward_all" in ids
    assert "ch04.count_params" not in ids and "ch04.forward" not in ids


# ---------------------------------------------------------------- wrong answers fail
@pytest.mark.parametrize("exercise, answer, hint", [
    ("ch04.count_params_prelu", count_ignores_bias_flags, "ignores use_bias"),
    ("ch04.count_params_prelu", count_no_prelu, "leaves out the PReLU"),
    ("ch04.count_params_prelu", count_prelu_on_output, "output layer a PReLU"),
    ("ch04.count_params_prelu", count_swapped, "alpha"),
    ("ch04.count_params_prelu", lambda s, b, p: 39, "not the number of parameters"),
    ("ch04.forward_all", forward_without_input, "put the input X first"),
    ("ch04.forward_all", forward_pre_activations, "pre-activation"),
    ("ch04.forward_all", forward_no_bias, "leaves out the bias"),
    ("ch04.forward_all", forward_same_activation, "wrong values"),
    ("ch04.forward_all", forward_last_only, "list of arrays"),
])
def test_wrong_answer_fails_with_hint(exercise, answer, hint):
    result = check(exercise, answer, seed=3)
    assert not result
    assert "not yet" in str(result)
    assert hint in str(result), str(result)


@pytest.mark.parametrize("exercise, answer, name", [
    ("ch04.count_params_prelu", count_library, "count_params"),
    ("ch04.forward_all", forward_library, "Sequential"),
])
def test_library_wrapper_is_rejected(exercise, answer, name):
    result = check(exercise, answer, seed=4)
    assert not result
    assert f"your code uses `{name}`" in str(result), str(result)


@pytest.mark.parametrize("exercise, answer", [
    ("ch04.count_params_prelu", lambda s, b, p: np.ones(3)),
    ("ch04.forward_all", forward_transposed_last),
])
def test_wrong_shape_gives_shape_message(exercise, answer):
    result = check(exercise, answer, seed=0)
    assert not result
    assert "shape" in str(result), str(result)


@pytest.mark.parametrize("exercise", [e for e, _ in RIGHT])
def test_raising_function_gives_message(exercise):
    def broken(*args):
        raise KeyError("oops")

    def unfinished(*args):
        raise NotImplementedError

    result = check(exercise, broken, seed=0)
    assert not result and "raised KeyError" in str(result)
    result = check(exercise, unfinished, seed=0)
    assert not result and "NotImplementedError" in str(result)


@pytest.mark.parametrize("exercise", [e for e, _ in RIGHT])
def test_forgotten_return_says_none(exercise):
    result = check(exercise, lambda *args: None, seed=0)
    assert not result and "None" in str(result) and "return" in str(result)


def test_non_numeric_answers():
    result = check("ch04.count_params_prelu", lambda s, b, p: "many", seed=0)
    assert not result and "numeric" in str(result)
    result = check("ch04.forward_all",
                   lambda X, w, g: ["a"] * (len(g) + 1), seed=0)
    assert not result and "numeric" in str(result)


def test_checker_passes_copies_of_the_inputs():
    # a student function that modifies its inputs in place cannot corrupt the reference
    def in_place(X, weights, names):
        out = [a.copy() for a in forward_right(X, weights, names)]
        X *= 0
        for w in weights:
            w *= 0
        names.clear()
        return out

    assert check("ch04.forward_all", in_place, seed=0)
