"""The checkers of chapter 3: a right answer passes, wrong ones fail with a useful hint."""
import numpy as np
import pytest

from nnlib.exercises import check

SEEDS = [0, 1, 2]


# ---------------------------------------------------------------- answers
def softmax_right(Z):
    Z = np.asarray(Z, dtype=float)
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def softmax_naive(Z):
    E = np.exp(Z)
    return E / E.sum(axis=1, keepdims=True)


def softmax_columns(Z):
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)


def softmax_in_place(Z):
    Z -= Z.max(axis=1, keepdims=True)
    np.exp(Z, out=Z)
    Z /= Z.sum(axis=1, keepdims=True)
    return Z.copy()


def one_hot_right(y, C):
    y = np.asarray(y)
    Y = np.zeros((len(y), C))
    Y[np.arange(len(y)), y] = 1
    return Y


def one_hot_inferred(y, C):
    y = np.asarray(y)
    return np.eye(y.max() + 1)[y]


def one_hot_shifted(y, C):
    return np.eye(C)[(np.asarray(y) + 1) % C]


def ce_right(Y, Z):
    Z = Z - Z.max(axis=1, keepdims=True)
    logp = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    return -(Y * logp).sum(axis=1).mean()


def ce_naive(Y, Z):
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    return -(Y * np.log(P)).sum(axis=1).mean()


def ce_sum(Y, Z):
    return len(Y) * ce_right(Y, Z)


def ce_per_example(Y, Z):
    Z = Z - Z.max(axis=1, keepdims=True)
    logp = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    return -(Y * logp).sum(axis=1)


def jac_right(p):
    return np.diag(p) - np.outer(p, p)


def jac_diagonal(p):
    return np.diag(p * (1 - p))


# ---------------------------------------------------------------- right answers pass
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("exercise, answer", [
    ("ch03.softmax", softmax_right),
    ("ch03.one_hot", one_hot_right),
    ("ch03.cross_entropy_from_logits", ce_right),
    ("ch03.softmax_jacobian", jac_right),
])
def test_right_answer_passes(exercise, answer, seed):
    result = check(exercise, answer, seed=seed)
    assert result, str(result)
    assert "correct" in str(result)


def test_fresh_inputs_each_call():
    first_inputs = []

    def recording(Z):
        first_inputs.append(np.array(Z, dtype=float))
        return softmax_right(Z)

    check("ch03.softmax", recording)
    n_calls = len(first_inputs)
    check("ch03.softmax", recording)
    a, b = first_inputs[0], first_inputs[n_calls]
    assert a.shape != b.shape or not np.array_equal(a, b)


# ---------------------------------------------------------------- wrong answers fail
@pytest.mark.parametrize("exercise, answer, hint", [
    ("ch03.softmax", softmax_naive, "NaN or inf"),
    ("ch03.softmax", softmax_columns, "column"),
    ("ch03.softmax", softmax_in_place, "in place"),
    ("ch03.softmax", lambda Z: np.exp(Z), "wrong values"),
    ("ch03.one_hot", one_hot_inferred, "even when the largest class"),
    ("ch03.one_hot", one_hot_shifted, "one column to the right"),
    ("ch03.one_hot", lambda y, C: 2 * one_hot_right(y, C), "only zeros and ones"),
    ("ch03.cross_entropy_from_logits", ce_naive, "NaN or inf"),
    ("ch03.cross_entropy_from_logits", ce_sum, "mean over the examples"),
    ("ch03.cross_entropy_from_logits", lambda Y, Z: -ce_right(Y, Z), "sign"),
    ("ch03.softmax_jacobian", jac_diagonal, "off-diagonal"),
    ("ch03.softmax_jacobian", lambda p: np.diag(p), "diagonal"),
    ("ch03.softmax_jacobian", lambda p: -jac_right(p), "sign"),
])
def test_wrong_answer_fails_with_hint(exercise, answer, hint):
    result = check(exercise, answer, seed=3)
    assert not result
    assert "not yet" in str(result)
    assert hint in str(result), str(result)


@pytest.mark.parametrize("exercise, answer", [
    ("ch03.softmax", lambda Z: softmax_right(Z).T),
    ("ch03.softmax", lambda Z: softmax_right(Z)[:, :-1]),
    ("ch03.one_hot", lambda y, C: one_hot_right(y, C).T),
    ("ch03.one_hot", lambda y, C: one_hot_right(y, C)[:, 1:]),
    ("ch03.cross_entropy_from_logits", ce_per_example),
    ("ch03.cross_entropy_from_logits", lambda Y, Z: np.ones(3)),
    ("ch03.softmax_jacobian", lambda p: p),
])
def test_wrong_shape_gives_shape_message(exercise, answer):
    result = check(exercise, answer, seed=4)
    assert not result
    assert "shape" in str(result), str(result)


@pytest.mark.parametrize("exercise", [
    "ch03.softmax", "ch03.one_hot", "ch03.cross_entropy_from_logits", "ch03.softmax_jacobian",
])
def test_non_numeric_answer(exercise):
    result = check(exercise, lambda *a: "hello", seed=6)
    assert not result and "numeric" in str(result)


def test_verdict_does_not_reveal_solution():
    for exercise, answer in [("ch03.softmax", softmax_naive),
                             ("ch03.cross_entropy_from_logits", ce_naive)]:
        text = str(check(exercise, answer, seed=7))
        assert "np." not in text and "subtract" not in text.lower()
        assert "logsumexp" not in text.replace(" ", "").replace("-", "").lower()


@pytest.mark.parametrize("exercise, answer", [
    ("ch03.softmax", softmax_right),
    ("ch03.one_hot", one_hot_right),
    ("ch03.cross_entropy_from_logits", ce_right),
    ("ch03.softmax_jacobian", jac_right),
])
def test_verdict_text_is_the_same_for_every_seed(exercise, answer):
    # the chapter stores the verdict as a cell output, so it must not depend on the inputs
    texts = {str(check(exercise, answer, seed=s)) for s in range(5)}
    assert len(texts) == 1
