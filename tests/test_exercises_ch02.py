"""The checkers of chapter 2: a right answer passes, wrong ones fail with a useful hint."""
import numpy as np
import pytest

from nnlib.exercises import check

SEEDS = [0, 1, 2]


# ---------------------------------------------------------------- answers
def _stable_sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def wbce_right(z, y, w0, w1):
    c = np.where(np.asarray(y) == 1, w1, w0)
    return c * (_stable_sigmoid(z) - y) / len(y)


def wbce_via_branches(z, y, w0, w1):
    # another correct form: -w1 (1 - p) for a one, w0 p for a zero, over n
    p = _stable_sigmoid(z)
    one_minus_p = _stable_sigmoid(-np.asarray(z, dtype=float))
    return np.where(np.asarray(y) == 1, -w1 * one_minus_p, w0 * p) / len(y)


def wbce_naive(z, y, w0, w1):
    # through dL/dp * dp/dz: divides by p (1 - p), which is 0 for |z| near 1000
    with np.errstate(all="ignore"):
        p = 1 / (1 + np.exp(-z))
        c = np.where(y == 1, w1, w0)
        dl_dp = c * (-y / p + (1 - y) / (1 - p))
        return dl_dp * p * (1 - p) / len(y)


def wbce_overflow_warning(z, y, w0, w1):
    # right values (exp overflows to inf, 1 / inf = 0) but NumPy warns
    p = 1 / (1 + np.exp(-z))
    return np.where(y == 1, w1, w0) * (p - y) / len(y)


def wbce_in_place(z, y, w0, w1):
    z -= 0.0
    z *= 1.0
    out = wbce_right(z, y, w0, w1)
    z += 1.0
    return out


def wbce_wrapper(z, y, w0, w1):  # merely calls nnlib's loss gradient
    from nnlib import activations, losses
    a = activations.sigmoid(z)
    return np.where(y == 1, w1, w0) * losses.BinaryCrossentropy().gradient_from_logits(y, a)


def wbce_no_return(z, y, w0, w1):
    wbce_right(z, y, w0, w1)


def backward_right(X, y, W):
    p_hat = _stable_sigmoid(X @ W)                  # (n, 1)
    return X.T @ (p_hat - np.reshape(y, (-1, 1))) / len(X)


def backward_broadcast_bug(X, y, W):
    p_hat = _stable_sigmoid(X @ W)                  # (n, 1) - (n,) -> (n, n)
    return X.T @ (p_hat - y) / len(X)


def backward_sum(X, y, W):
    return len(X) * backward_right(X, y, W)


def backward_log_likelihood(X, y, W):
    return -len(X) * backward_right(X, y, W)


# ---------------------------------------------------------------- right answers pass
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("exercise, answer", [
    ("ch02.weighted_bce_grad", wbce_right),
    ("ch02.weighted_bce_grad", wbce_via_branches),
    ("ch02.backward", backward_right),
    ("ch02.backward", lambda X, y, W: backward_right(X, y, W).tolist()),
])
def test_right_answer_passes(exercise, answer, seed, strict):
    with strict():                                  # the checker itself warns about nothing
        result = check(exercise, answer, seed=seed)
    assert result, str(result)
    assert "correct" in str(result)


def test_fresh_inputs_each_call():
    seen = []

    def recording(z, y, w0, w1):
        seen.append(np.array(z, dtype=float))
        return wbce_right(z, y, w0, w1)

    check("ch02.weighted_bce_grad", recording)
    n_calls = len(seen)
    check("ch02.weighted_bce_grad", recording)
    a, b = seen[0], seen[n_calls]
    assert a.shape != b.shape or not np.array_equal(a, b)


# ---------------------------------------------------------------- wrong answers fail
@pytest.mark.parametrize("exercise, answer, hint", [
    ("ch02.weighted_bce_grad", wbce_naive, "NaN or inf"),
    ("ch02.weighted_bce_grad", wbce_overflow_warning, "NumPy warned"),
    ("ch02.weighted_bce_grad", wbce_in_place, "in place"),
    ("ch02.weighted_bce_grad", wbce_no_return, "None"),
    ("ch02.weighted_bce_grad", lambda z, y, w0, w1: -wbce_right(z, y, w0, w1), "sign"),
    ("ch02.weighted_bce_grad", lambda z, y, w0, w1: len(y) * wbce_right(z, y, w0, w1),
     "n times too large"),
    ("ch02.weighted_bce_grad", lambda z, y, w0, w1: wbce_right(z, y, 1.0, 1.0),
     "ignores the class weights"),
    ("ch02.weighted_bce_grad", lambda z, y, w0, w1: wbce_right(z, y, w1, w0), "swaps"),
    ("ch02.weighted_bce_grad", lambda z, y, w0, w1: w1 * wbce_right(z, y, 1.0, 1.0),
     "weights every example alike"),
    ("ch02.weighted_bce_grad", lambda z, y, w0, w1: wbce_right(z, y, w0, w1) ** 2,
     "wrong values"),
    ("ch02.weighted_bce_grad", wbce_wrapper, "your code uses `gradient_from_logits`"),
    ("ch02.backward", backward_sum, "n times too large"),
    ("ch02.backward", lambda X, y, W: -backward_right(X, y, W), "sign"),
    ("ch02.backward", backward_log_likelihood, "summed log-likelihood"),
    ("ch02.backward", lambda X, y, W: 2 * backward_right(X, y, W), "wrong values"),
])
def test_wrong_answer_fails_with_hint(exercise, answer, hint):
    result = check(exercise, answer, seed=3)
    assert not result
    assert "not yet" in str(result)
    assert hint in str(result), str(result)


@pytest.mark.parametrize("exercise, answer", [
    ("ch02.weighted_bce_grad", lambda z, y, w0, w1: wbce_right(z, y, w0, w1)[:-1]),
    ("ch02.weighted_bce_grad", lambda z, y, w0, w1: wbce_right(z, y, w0, w1)[:, None]),
    ("ch02.backward", backward_broadcast_bug),
    ("ch02.backward", lambda X, y, W: backward_right(X, y, W).ravel()),
    ("ch02.backward", lambda X, y, W: backward_right(X, y, W).T),
])
def test_wrong_shape_gives_shape_message(exercise, answer):
    result = check(exercise, answer, seed=4)
    assert not result
    assert "shape" in str(result), str(result)


def test_broadcast_bug_is_explained():
    text = str(check("ch02.backward", backward_broadcast_bug, seed=4))
    assert "broadcasts" in text


@pytest.mark.parametrize("exercise", ["ch02.weighted_bce_grad", "ch02.backward"])
def test_non_numeric_answer(exercise):
    result = check(exercise, lambda *a: "hello", seed=6)
    assert not result and "numeric" in str(result)


def test_verdict_does_not_reveal_solution():
    for exercise, answer in [("ch02.weighted_bce_grad", wbce_naive),
                             ("ch02.weighted_bce_grad", wbce_overflow_warning),
                             ("ch02.weighted_bce_grad",
                              lambda z, y, w0, w1: wbce_right(z, y, 1.0, 1.0)),
                             ("ch02.backward", backward_broadcast_bug),
                             ("ch02.backward", backward_sum)]:
        text = str(check(exercise, answer, seed=7))
        assert "np." not in text and "abs(" not in text and "X.T" not in text
        assert "(1 - " not in text and "1 -" not in text


@pytest.mark.parametrize("exercise, answer", [
    ("ch02.weighted_bce_grad", wbce_right),
    ("ch02.backward", backward_right),
])
def test_verdict_text_is_the_same_for_every_seed(exercise, answer):
    # the chapter stores the verdict as a cell output, so it must not depend on the inputs
    texts = {str(check(exercise, answer, seed=s)) for s in range(5)}
    assert len(texts) == 1


def test_checks_are_registered():
    from nnlib.exercises import available

    ids = available()
    assert "ch02.weighted_bce_grad" in ids and "ch02.backward" in ids
    assert "ch02.sigmoid_grad" not in ids       # replaced: the page showed its solution
