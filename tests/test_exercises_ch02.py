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


def sigmoid_grad_right(z):
    s = _stable_sigmoid(z)
    return s * (1 - s)


def sigmoid_grad_via_cosh(z):
    # another correct form: sigma'(z) = 1 / (4 cosh^2(z / 2)), written without overflow
    a = np.abs(np.asarray(z, dtype=float))
    e = np.exp(-a)
    return e / (1 + e) ** 2


def sigmoid_grad_naive(z):
    # right formula, but exp(-z) overflows for z near -1000: inf / inf = nan
    e = np.exp(-z)
    return e / (1 + e) ** 2


def sigmoid_grad_naive_sigmoid(z):
    # right values everywhere, but exp(-z) overflows (with a warning) for z near -1000
    s = 1 / (1 + np.exp(-z))
    return s * (1 - s)


def sigmoid_grad_in_place(z):
    np.abs(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    return z / (1 + z) ** 2


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
    ("ch02.sigmoid_grad", sigmoid_grad_right),
    ("ch02.sigmoid_grad", sigmoid_grad_via_cosh),
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

    def recording(z):
        seen.append(np.array(z, dtype=float))
        return sigmoid_grad_right(z)

    check("ch02.sigmoid_grad", recording)
    n_calls = len(seen)
    check("ch02.sigmoid_grad", recording)
    a, b = seen[0], seen[n_calls]
    assert a.shape != b.shape or not np.array_equal(a, b)


# ---------------------------------------------------------------- wrong answers fail
@pytest.mark.parametrize("exercise, answer, hint", [
    ("ch02.sigmoid_grad", sigmoid_grad_naive, "NaN or inf"),
    ("ch02.sigmoid_grad", sigmoid_grad_naive_sigmoid, "NumPy warned"),
    ("ch02.sigmoid_grad", sigmoid_grad_in_place, "in place"),
    ("ch02.sigmoid_grad", _stable_sigmoid, "the sigmoid itself"),
    ("ch02.sigmoid_grad", lambda z: -sigmoid_grad_right(z), "sign"),
    ("ch02.sigmoid_grad", lambda z: 4 * sigmoid_grad_right(z), "above 1/4"),
    ("ch02.sigmoid_grad", lambda z: sigmoid_grad_right(z) ** 2, "wrong values"),
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
    ("ch02.sigmoid_grad", lambda z: sigmoid_grad_right(z)[:-1]),
    ("ch02.sigmoid_grad", lambda z: np.ravel(sigmoid_grad_right(z))[:, None]),
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


@pytest.mark.parametrize("exercise", ["ch02.sigmoid_grad", "ch02.backward"])
def test_non_numeric_answer(exercise):
    result = check(exercise, lambda *a: "hello", seed=6)
    assert not result and "numeric" in str(result)


def test_verdict_does_not_reveal_solution():
    for exercise, answer in [("ch02.sigmoid_grad", sigmoid_grad_naive),
                             ("ch02.sigmoid_grad", sigmoid_grad_naive_sigmoid),
                             ("ch02.backward", backward_broadcast_bug),
                             ("ch02.backward", backward_sum)]:
        text = str(check(exercise, answer, seed=7))
        assert "np." not in text and "abs(" not in text and "X.T" not in text
        assert "(1 - " not in text and "1 -" not in text


@pytest.mark.parametrize("exercise, answer", [
    ("ch02.sigmoid_grad", sigmoid_grad_right),
    ("ch02.backward", backward_right),
])
def test_verdict_text_is_the_same_for_every_seed(exercise, answer):
    # the chapter stores the verdict as a cell output, so it must not depend on the inputs
    texts = {str(check(exercise, answer, seed=s)) for s in range(5)}
    assert len(texts) == 1


def test_checks_are_registered():
    from nnlib.exercises import available

    ids = available()
    assert "ch02.sigmoid_grad" in ids and "ch02.backward" in ids
