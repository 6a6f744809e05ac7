"""The checkers of chapter 13: a right answer passes, wrong ones fail with a useful hint."""
import numpy as np
import pytest

from nnlib import metrics
from nnlib.exercises import check
from nnlib.exercises.ch13 import _bn_model, _r2, _variant

SEEDS = [0, 1, 2, 3]


# ------------------------------------------------------------------ r_squared
class RSquaredRight(metrics.Metric):
    def reset_state(self):
        self.n = self.s = self.ss = self.res = 0.0

    def update_state(self, y_true, y_pred, sample_weight=None):
        t, p = np.ravel(y_true).astype(float), np.ravel(y_pred).astype(float)
        self.n += t.size
        self.s += t.sum()
        self.ss += (t * t).sum()
        self.res += ((t - p) ** 2).sum()

    def result(self):
        return 1.0 - self.res / (self.ss - self.s ** 2 / self.n)


class RSquaredBatchMean(RSquaredRight):
    def reset_state(self):
        self.values = []

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.values.append(_r2(y_true, y_pred))

    def result(self):
        return float(np.mean(self.values))


class RSquaredNoReset(RSquaredRight):
    def reset_state(self):
        pass

    def __init__(self):
        super().__init__()
        RSquaredRight.reset_state(self)


class RSquaredArray(RSquaredRight):
    def result(self):
        return np.full(3, super().result())


class RSquaredLibrary(RSquaredRight):
    def reset_state(self):
        self.t, self.p = [], []

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.t.append(np.ravel(y_true))
        self.p.append(np.ravel(y_pred))

    def result(self):
        from sklearn.metrics import r2_score
        return r2_score(np.concatenate(self.t), np.concatenate(self.p))


class RSquaredRaising(RSquaredRight):
    def update_state(self, y_true, y_pred, sample_weight=None):
        raise ValueError("boom")


@pytest.mark.parametrize("seed", SEEDS)
def test_r_squared_right_answer_passes(seed):
    result = check("ch13.r_squared", RSquaredRight, seed=seed)
    assert result, str(result)


def test_reference_r2_equals_sklearn():
    from sklearn.metrics import r2_score
    rng = np.random.default_rng(0)
    t, p = rng.normal(size=50), rng.normal(size=50)
    assert _r2(t, p) == pytest.approx(r2_score(t, p), abs=1e-12)


def test_r_squared_batch_mean_is_rejected_with_the_reason():
    result = check("ch13.r_squared", RSquaredBatchMean, seed=0)
    assert not result and "mean of the per-batch" in str(result)


def test_r_squared_without_reset_is_rejected():
    result = check("ch13.r_squared", RSquaredNoReset, seed=0)
    assert not result and "reset_state" in str(result)


def test_r_squared_library_wrapper_is_rejected():
    result = check("ch13.r_squared", RSquaredLibrary, seed=0)
    assert not result and "r2_score" in str(result)


def test_r_squared_wrong_shape_and_raising():
    result = check("ch13.r_squared", RSquaredArray, seed=0)
    assert not result and "shape (3,)" in str(result)
    result = check("ch13.r_squared", RSquaredRaising, seed=0)
    assert not result and "raised ValueError: boom" in str(result)
    result = check("ch13.r_squared", object, seed=0)
    assert not result and "has no method" in str(result)


# ------------------------------------------------------------------ bn_forward
def bn_right(weights, X):
    w1, b1, gamma, beta, mean, var, w2, b2 = weights
    z = gamma * (X @ w1 + b1 - mean) / np.sqrt(var + 1e-3) + beta
    s = np.maximum(z, 0) @ w2 + b2
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def bn_batch_stats(weights, X):
    return _variant(weights, X, batch_stats=True)


def bn_no_epsilon(weights, X):
    return _variant(weights, X, eps=0.0)


def bn_library(weights, X):
    import nnlib
    from nnlib import layers
    q, h = weights[0].shape
    model = nnlib.Sequential([layers.Input(shape=(q,)), layers.Dense(h),
                              layers.BatchNormalization(), layers.Activation("relu"),
                              layers.Dense(weights[-1].size, activation="softmax")])
    model.set_weights(weights)
    return model.predict(X)


def bn_wrong_shape(weights, X):
    return bn_right(weights, X)[:, :1]


@pytest.mark.parametrize("seed", SEEDS)
def test_bn_forward_right_answer_passes(seed):
    result = check("ch13.bn_forward", bn_right, seed=seed)
    assert result, str(result)


def test_bn_reference_model_is_random():
    a, b = (_bn_model(np.random.default_rng(s)) for s in (0, 1))
    assert a.get_weights()[0].shape != b.get_weights()[0].shape or not np.allclose(
        a.get_weights()[0], b.get_weights()[0])


@pytest.mark.parametrize("answer, hint", [(bn_batch_stats, "moving statistics"),
                                          (bn_no_epsilon, "epsilon")])
def test_bn_forward_wrong_answers_get_hints(answer, hint):
    result = check("ch13.bn_forward", answer, seed=0)
    assert not result and hint in str(result)


def test_bn_forward_library_wrapper_is_rejected():
    result = check("ch13.bn_forward", bn_library, seed=0)
    assert not result and "`predict`" in str(result)


def test_bn_forward_wrong_shape_and_raising():
    result = check("ch13.bn_forward", bn_wrong_shape, seed=0)
    assert not result and "shape" in str(result)

    def raising(weights, X):
        raise ValueError("boom")
    result = check("ch13.bn_forward", raising, seed=0)
    assert not result and "raised ValueError: boom" in str(result)


# ------------------------------------------------------------------ torch_state_dict
def state_right(weights):
    import torch
    w1, b1, gamma, beta, mean, var, w2, b2 = (torch.from_numpy(np.asarray(w))
                                              for w in weights)
    return {"0.weight": w1.T, "0.bias": b1, "1.weight": gamma, "1.bias": beta,
            "1.running_mean": mean, "1.running_var": var,
            "1.num_batches_tracked": torch.tensor(0), "3.weight": w2.T, "3.bias": b2}


def state_not_transposed(weights):
    state = state_right(weights)
    state["0.weight"] = state["0.weight"].T
    return state


def state_swapped(weights):
    state = state_right(weights)
    state["1.running_mean"], state["1.running_var"] = (state["1.running_var"],
                                                       state["1.running_mean"])
    return state


def state_missing(weights):
    state = state_right(weights)
    del state["1.num_batches_tracked"]
    return state


def state_library(weights):
    import nnlib
    from nnlib import layers
    from nnlib.torchtools import to_torch
    q, h = np.asarray(weights[0]).shape
    model = nnlib.Sequential([layers.Input(shape=(q,)), layers.Dense(h),
                              layers.BatchNormalization(), layers.Activation("relu"),
                              layers.Dense(np.size(weights[-1]), activation="softmax")])
    model.set_weights(weights)
    return to_torch(model).state_dict()


@pytest.mark.parametrize("seed", SEEDS)
def test_state_dict_right_answer_passes(seed):
    pytest.importorskip("torch")
    result = check("ch13.torch_state_dict", state_right, seed=seed)
    assert result, str(result)


@pytest.mark.parametrize("answer, hint", [(state_not_transposed, "(out, in)"),
                                          (state_swapped, "right PyTorch name"),
                                          (state_missing, "num_batches_tracked"),
                                          (state_library, "to_torch")])
def test_state_dict_wrong_answers_get_hints(answer, hint):
    pytest.importorskip("torch")
    result = check("ch13.torch_state_dict", answer, seed=0)
    assert not result and hint in str(result), str(result)


def test_state_dict_wrong_type_and_raising():
    pytest.importorskip("torch")
    result = check("ch13.torch_state_dict", lambda w: [1, 2], seed=0)
    assert not result and "dict" in str(result)

    def raising(weights):
        raise ValueError("boom")
    result = check("ch13.torch_state_dict", raising, seed=0)
    assert not result and "raised ValueError: boom" in str(result)
