"""The checkers of chapter 4: a right answer passes, wrong ones fail with a useful hint."""
import numpy as np
import pytest

from nnlib.exercises import check

SEEDS = [0, 1, 2]


# ---------------------------------------------------------------- answers
def count_params_right(layer_sizes):
    return sum((a + 1) * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))


def count_params_loop(layer_sizes):
    total = 0
    for l in range(1, len(layer_sizes)):
        total += layer_sizes[l - 1] * layer_sizes[l] + layer_sizes[l]
    return np.int64(total)


def count_params_no_bias(layer_sizes):
    return sum(a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))


def count_params_input_bias(layer_sizes):
    return count_params_right(layer_sizes) + layer_sizes[0]


def count_params_bias_per_input(layer_sizes):
    return sum((b + 1) * a for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))


def _sigmoid(z):
    return 0.5 * (1 + np.tanh(z / 2))


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def forward_right(X, weights):
    A = X
    pairs = list(zip(weights[::2], weights[1::2]))
    for W, b in pairs[:-1]:
        A = _sigmoid(A @ W + b)
    return _softmax(A @ pairs[-1][0] + pairs[-1][1])


def forward_sigmoid_out(X, weights):
    A = X
    for W, b in zip(weights[::2], weights[1::2]):
        A = _sigmoid(A @ W + b)
    return A


def forward_no_bias(X, weights):
    A = X
    pairs = list(zip(weights[::2], weights[1::2]))
    for W, _ in pairs[:-1]:
        A = _sigmoid(A @ W)
    return _softmax(A @ pairs[-1][0])


def forward_tanh_hidden(X, weights):
    A = X
    pairs = list(zip(weights[::2], weights[1::2]))
    for W, b in pairs[:-1]:
        A = np.tanh(A @ W + b)
    return _softmax(A @ pairs[-1][0] + pairs[-1][1])


def forward_first_column(X, weights):
    return forward_right(X, weights)[:, 0]


# ---------------------------------------------------------------- right answers pass
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("exercise, answer", [
    ("ch04.count_params", count_params_right),
    ("ch04.count_params", count_params_loop),
    ("ch04.forward", forward_right),
])
def test_right_answer_passes(exercise, answer, seed):
    result = check(exercise, answer, seed=seed)
    assert result, str(result)
    assert "correct" in str(result)


def test_fresh_inputs_each_call():
    seen = []

    def recording(layer_sizes):
        seen.append(list(layer_sizes))
        return count_params_right(layer_sizes)

    check("ch04.count_params", recording)
    first = list(seen)
    seen.clear()
    check("ch04.count_params", recording)
    assert first[0] == seen[0] == [5, 3, 4, 1]     # the chapter's example always comes first
    assert first[1:] != seen[1:]


# ---------------------------------------------------------------- wrong answers fail
@pytest.mark.parametrize("exercise, answer, hint", [
    ("ch04.count_params", count_params_no_bias, "not the biases"),
    ("ch04.count_params", count_params_input_bias, "input layer"),
    ("ch04.count_params", count_params_bias_per_input, "wrong side"),
    ("ch04.count_params", lambda s: 39, "not the number of parameters"),
    ("ch04.count_params", lambda s: "many", "one number"),
    ("ch04.forward", forward_sigmoid_out, "softmax"),
    ("ch04.forward", forward_no_bias, "biases"),
    ("ch04.forward", forward_tanh_hidden, "wrong values"),
])
def test_wrong_answer_fails_with_hint(exercise, answer, hint):
    result = check(exercise, answer, seed=3)
    assert not result
    assert "not yet" in str(result)
    assert hint in str(result), str(result)


def test_wrong_shape_gives_shape_message():
    result = check("ch04.forward", forward_first_column, seed=0)
    assert not result
    assert "shape" in str(result), str(result)


@pytest.mark.parametrize("exercise", ["ch04.count_params", "ch04.forward"])
def test_raising_function_gives_message(exercise):
    def broken(*args):
        raise KeyError("oops")

    def unfinished(*args):
        raise NotImplementedError

    result = check(exercise, broken, seed=0)
    assert not result and "raised KeyError" in str(result)
    result = check(exercise, unfinished, seed=0)
    assert not result and "NotImplementedError" in str(result)


def test_non_numeric_forward():
    result = check("ch04.forward", lambda X, w: "output", seed=0)
    assert not result and "numeric" in str(result)


@pytest.mark.parametrize("exercise, answer", [
    ("ch04.count_params", count_params_right),
    ("ch04.forward", forward_right),
])
def test_verdict_text_is_the_same_for_every_seed(exercise, answer):
    texts = {str(check(exercise, answer, seed=s)) for s in range(5)}
    assert len(texts) == 1


def test_checker_passes_copies_of_the_inputs():
    # the checker hands over copies: a student function that modifies its input in place
    # cannot corrupt the reference computation
    def in_place(X, weights):
        out = forward_right(X, weights)
        X *= 0
        for w in weights:
            w *= 0
        return out

    assert check("ch04.forward", in_place, seed=0)


def test_checks_are_registered():
    from nnlib.exercises import available

    ids = available()
    assert "ch04.count_params" in ids and "ch04.forward" in ids
