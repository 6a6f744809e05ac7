"""The checkers of chapter 11: a right answer passes, wrong ones fail with a useful hint."""
import numpy as np
import pytest

from nnlib.exercises import check

SEEDS = [0, 1, 2]


# ---------------------------------------------------------------- prox_l1 answers
def prox_right(w, grad, lr, l1):
    z = w - lr * grad
    return np.sign(z) * np.maximum(np.abs(z) - lr * l1, 0.0)


def prox_where(w, grad, lr, l1):
    z = w - lr * grad
    return np.where(z > lr * l1, z - lr * l1, np.where(z < -lr * l1, z + lr * l1, 0.0))


def prox_subgradient(w, grad, lr, l1):
    return w - lr * (grad + l1 * np.sign(w))


def prox_no_lr(w, grad, lr, l1):
    z = w - lr * grad
    return np.sign(z) * np.maximum(np.abs(z) - l1, 0.0)


def prox_threshold_first(w, grad, lr, l1):
    return np.sign(w) * np.maximum(np.abs(w) - lr * l1, 0.0) - lr * grad


def prox_library(w, grad, lr, l1):
    from nnlib import regularizers
    g = regularizers.L1(l1).add_gradient(w, grad.copy())
    return w - lr * g


def prox_transposed(w, grad, lr, l1):
    return prox_right(w, grad, lr, l1).T


# ---------------------------------------------------------------- dropconnect answers
def dc_right(X, W, b, rate, rng):
    mask = (rng.random(W.shape) >= rate).astype(float)
    return X @ (W * mask) / (1 - rate) + b, mask


def dc_unscaled(X, W, b, rate, rng):
    mask = (rng.random(W.shape) >= rate).astype(float)
    return X @ (W * mask) + b, mask


def dc_keep_probability(X, W, b, rate, rng):
    mask = (rng.random(W.shape) < rate).astype(float)
    return X @ (W * mask) / (1 - rate) + b, mask


def dc_units(X, W, b, rate, rng):
    mask = (rng.random((X.shape[0], W.shape[1])) >= rate).astype(float)
    return (X @ W) * mask / (1 - rate) + b, mask


def dc_global_rng(X, W, b, rate, rng):
    return dc_right(X, W, b, rate, np.random.default_rng())


def dc_fixed(X, W, b, rate, rng):
    return dc_right(X, W, b, rate, np.random.default_rng(0))


def dc_scaled_mask(X, W, b, rate, rng):
    out, mask = dc_right(X, W, b, rate, rng)
    return out, mask / (1 - rate)


def dc_wrong_out(X, W, b, rate, rng):
    out, mask = dc_right(X, W, b, rate, rng)
    return out - b, mask


def dc_torch(X, W, b, rate, rng):
    import torch
    Wd = torch.nn.functional.dropout(torch.from_numpy(W), rate, training=True)
    mask = (Wd != 0).numpy().astype(float)
    return X @ Wd.numpy() + b, mask


# ---------------------------------------------------------------- max_norm answers
def mn_right(W, c):
    norms = np.sqrt(np.sum(W ** 2, axis=0, keepdims=True))
    return W * np.minimum(norms, c) / (norms + 1e-7)


def mn_no_eps(W, c):
    norms = np.linalg.norm(W, axis=0)
    return W * np.minimum(1.0, c / norms)


def mn_rows(W, c):
    norms = np.linalg.norm(W, axis=1, keepdims=True)
    return W * np.minimum(norms, c) / norms


def mn_all_columns(W, c):
    return W * c / np.linalg.norm(W, axis=0)


def mn_clip_values(W, c):
    return np.clip(W, -c, c)


def mn_keras(W, c):
    import keras
    return keras.ops.convert_to_numpy(keras.constraints.MaxNorm(c)(W))


def mn_transposed(W, c):
    return mn_right(W, c).T


# ---------------------------------------------------------------- right answers pass
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("exercise, answer", [
    ("ch11.prox_l1", prox_right),
    ("ch11.prox_l1", prox_where),
    ("ch11.dropconnect", dc_right),
    ("ch11.dropconnect", lambda X, W, b, r, rng: list(dc_right(X, W, b, r, rng))),
    ("ch11.max_norm", mn_right),
    ("ch11.max_norm", mn_no_eps),
])
def test_right_answer_passes(exercise, answer, seed, strict):
    with strict():
        result = check(exercise, answer, seed=seed)
    assert result, str(result)
    assert "correct" in str(result)


def test_right_verdict_is_the_same_for_every_seed():
    for exercise, answer in [("ch11.prox_l1", prox_right), ("ch11.dropconnect", dc_right),
                             ("ch11.max_norm", mn_right)]:
        texts = {str(check(exercise, answer, seed=s)) for s in range(5)}
        assert len(texts) == 1


# ---------------------------------------------------------------- wrong answers fail
@pytest.mark.parametrize("exercise, answer, hint", [
    ("ch11.prox_l1", prox_subgradient, "subgradient step"),
    ("ch11.prox_l1", prox_no_lr, "should be lr * l1"),
    ("ch11.prox_l1", prox_threshold_first, "threshold after"),
    ("ch11.prox_l1", lambda w, g, lr, l1: w - lr * g, "should be exactly 0"),
    ("ch11.prox_l1", lambda w, g, lr, l1: prox_right(w, g, lr, l1) + 1e-14 * (prox_right(w, g, lr, l1) == 0),
     "not just small"),
    ("ch11.prox_l1", lambda w, g, lr, l1: np.full_like(w, np.nan), "NaN"),
    ("ch11.dropconnect", dc_unscaled, "scaled by 1 / (1 - rate)"),
    ("ch11.dropconnect", dc_keep_probability, "not the keep probability"),
    ("ch11.dropconnect", dc_units, "that is dropout"),
    ("ch11.dropconnect", dc_global_rng, "same rng seed gave two different"),
    ("ch11.dropconnect", dc_fixed, "two different seeds gave the same"),
    ("ch11.dropconnect", dc_scaled_mask, "0 (dropped) and 1 (kept) only"),
    ("ch11.dropconnect", dc_wrong_out, "wrong values"),
    ("ch11.dropconnect", lambda X, W, b, r, rng: X @ W + b, "pair (out, mask)"),
    ("ch11.max_norm", mn_rows, "constrained the rows"),
    ("ch11.max_norm", mn_all_columns, "left unchanged"),
    ("ch11.max_norm", mn_clip_values, "norm"),
])
@pytest.mark.parametrize("seed", SEEDS)
def test_wrong_answer_fails_with_hint(exercise, answer, hint, seed):
    result = check(exercise, answer, seed=seed)
    assert not result
    assert hint in str(result), str(result)


# ---------------------------------------------------------------- library wrappers
@pytest.mark.parametrize("exercise, answer, name", [
    ("ch11.prox_l1", prox_library, "L1"),
    ("ch11.dropconnect", dc_torch, "dropout"),
    ("ch11.max_norm", mn_keras, "MaxNorm"),
])
def test_library_wrapper_is_rejected(exercise, answer, name):
    result = check(exercise, answer, seed=0)
    assert not result
    assert f"your code uses `{name}`" in str(result)


# ---------------------------------------------------------------- shapes and errors
def test_wrong_shape():
    result = check("ch11.prox_l1", prox_transposed, seed=0)
    assert not result and "has shape" in str(result) and "expected" in str(result)
    result = check("ch11.max_norm", mn_transposed, seed=0)
    assert not result and "has shape" in str(result)
    result = check("ch11.dropconnect",
                   lambda X, W, b, r, rng: (X @ W + b, np.ones(W.shape[1])), seed=0)
    assert not result and "mask has shape" in str(result)
    result = check("ch11.max_norm", lambda W, c: None, seed=0)
    assert not result and "return" in str(result)


@pytest.mark.parametrize("exercise", ["ch11.prox_l1", "ch11.dropconnect", "ch11.max_norm"])
def test_raising_function(exercise):
    def boom(*args):
        raise ValueError("boom")

    result = check(exercise, boom, seed=0)
    assert not result and "raised ValueError: boom" in str(result)


def test_fresh_inputs_each_call():
    shapes = []

    def spy(W, c):
        shapes.append(W.shape)
        return mn_right(W, c)

    for seed in range(4):
        check("ch11.max_norm", spy, seed=seed)
    assert len(set(shapes)) > 1


# ---------------------------------------------------------------- bn_inference_backward
def bn_right(dY, X, gamma, mean, var, eps):
    s = 1 / np.sqrt(var + eps)
    return dY * gamma * s, np.sum(dY * (X - mean) * s, axis=0), dY.sum(axis=0)


def bn_batch_stats(dY, X, gamma, mean, var, eps):
    return bn_right(dY, X, gamma, X.mean(axis=0), X.var(axis=0), eps)


def bn_no_scale(dY, X, gamma, mean, var, eps):
    dX, dg, db = bn_right(dY, X, gamma, mean, var, eps)
    return dY * gamma, dg, db


def bn_wrong_dbeta(dY, X, gamma, mean, var, eps):
    dX, dg, db = bn_right(dY, X, gamma, mean, var, eps)
    return dX, dg, dY.mean(axis=0)


def bn_keepdims(dY, X, gamma, mean, var, eps):
    dX, dg, db = bn_right(dY, X, gamma, mean, var, eps)
    return dX, dg[None, :], db


def bn_torch(dY, X, gamma, mean, var, eps):
    import torch
    x = torch.tensor(X, requires_grad=True)
    g = torch.tensor(gamma, requires_grad=True)
    b = torch.zeros(len(gamma), dtype=torch.float64, requires_grad=True)
    y = torch.nn.functional.batch_norm(x, torch.tensor(mean), torch.tensor(var), g, b,
                                       training=False, eps=eps)
    y.backward(torch.tensor(dY))
    return x.grad.numpy(), g.grad.numpy(), b.grad.numpy()


@pytest.mark.parametrize("seed", SEEDS)
def test_bn_right_answer_passes(seed, strict):
    with strict():
        result = check("ch11.bn_inference_backward", bn_right, seed=seed)
    assert result and "correct" in str(result), str(result)


@pytest.mark.parametrize("answer, hint", [
    (bn_batch_stats, "moving statistics"),
    (bn_no_scale, "misses the factor"),
    (bn_wrong_dbeta, "dbeta"),
    (bn_keepdims, "dgamma has shape"),
    (lambda *a: bn_right(*a)[:2], "three arrays"),
])
@pytest.mark.parametrize("seed", SEEDS)
def test_bn_wrong_answers(answer, hint, seed):
    result = check("ch11.bn_inference_backward", answer, seed=seed)
    assert not result and hint in str(result), str(result)


def test_bn_library_and_raising():
    result = check("ch11.bn_inference_backward", bn_torch, seed=0)
    assert not result and "your code uses `batch_norm`" in str(result)

    def boom(*args):
        raise ValueError("boom")

    result = check("ch11.bn_inference_backward", boom, seed=0)
    assert not result and "raised ValueError: boom" in str(result)
