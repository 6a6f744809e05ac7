"""Checkers of chapter 13 (Keras in practice): a stateful R-squared metric and the
forward pass of a network with batch normalization from its ``get_weights()`` list.

Each checker draws fresh data from ``rng``, compares the student's answer with a
reference computed here and says right or wrong with a hint (never the solution).
"""
from __future__ import annotations

import numpy as np

from .. import layers as _layers
from ..models import Sequential
from ._core import Mismatch, as_numeric, call, checker, compare_arrays, forbid, quiet_call


# ---------------------------------------------------------------- r_squared metric
def _r2(y_true, y_pred):
    t, p = np.ravel(y_true), np.ravel(y_pred)
    return 1.0 - np.sum((t - p) ** 2) / np.sum((t - t.mean()) ** 2)


def _random_batches(rng):
    """Targets with an offset, predictions correlated with them, in uneven batches."""
    n = int(rng.integers(60, 200))
    t = rng.normal(rng.normal(0, 3), rng.uniform(0.5, 2.0), size=n)
    p = t + rng.normal(0, rng.uniform(0.3, 1.5), size=n) + rng.normal(0, 0.3)
    cuts = np.sort(rng.choice(np.arange(1, n), size=int(rng.integers(3, 9)),
                              replace=False))
    column = bool(rng.integers(2))          # shape (b,) or (b, 1), as Keras gives
    batches = []
    for tb, pb in zip(np.split(t, cuts), np.split(p, cuts)):
        if column:
            tb, pb = tb[:, None], pb[:, None]
        batches.append((tb, pb))
    return t, p, batches


_LIBRARY = {"r2_score": "scikit-learn's r2_score computes R^2 of one array, and the "
                        "exercise asks you to accumulate it over batches yourself",
            "R2Score": "Keras's R2Score is the metric you are asked to write"}


def _result(metric, what):
    value = as_numeric(call(metric.result, name="result"), what)
    if value.shape not in ((), (1,)):
        raise Mismatch(f"{what} should be one number, got an array of shape "
                       f"{value.shape}")
    return float(value.reshape(()))


@checker("ch13.r_squared",
         "RSquared: a stateful metric class (update_state/result/reset_state) whose "
         "result is R^2 of everything added since the last reset")
def check_r_squared(cls, rng):
    metric = call(cls, name="RSquared()")       # the class makes a metric object
    for method in ("update_state", "result", "reset_state"):
        if not callable(getattr(metric, method, None)):
            raise Mismatch(f"RSquared() has no method {method}(): pass the class, "
                           "with the three methods of a metric")
        forbid(getattr(metric, method), _LIBRARY)
    for trial in range(4):
        t, p, batches = _random_batches(rng)
        if trial:
            call(metric.reset_state, name="reset_state", none_ok=True)
        for tb, pb in batches:
            quiet_call(metric.update_state, tb.copy(), pb.copy(), name="update_state",
                       none_ok=True)
        got = _result(metric, "result()")
        expected = _r2(t, p)
        if not np.isfinite(got):
            raise Mismatch(f"result() is {got} after {len(batches)} batches")
        if abs(got - expected) > 1e-8 * max(1.0, abs(expected)):
            mean_batch = np.mean([_r2(tb, pb) for tb, pb in batches])
            sizes = [len(tb) for tb, _ in batches]
            last = _r2(*batches[-1])
            if abs(got - mean_batch) < 1e-6:
                hint = ("it equals the mean of the per-batch R^2: accumulate sums "
                        "and compute R^2 once, in result()")
            elif abs(got - last) < 1e-6:
                hint = "it is the R^2 of the last batch only: update_state must add to "\
                       "the state, not replace it"
            elif trial:
                hint = "the first run was right: does reset_state() clear everything?"
            else:
                hint = ("is the total sum of squares taken about the mean of ALL the "
                        "targets seen, not each batch's mean?")
            raise Mismatch(f"after batches of sizes {sizes} result() is {got:.6f}, but "
                           f"R^2 of all {len(t)} values is {expected:.6f}; {hint}")
    fresh = call(cls, name="RSquared()")
    t, p, batches = _random_batches(rng)
    for tb, pb in batches:
        quiet_call(fresh.update_state, tb.copy(), pb.copy(), name="update_state",
                   none_ok=True)
    if abs(_result(fresh, "result()") - _r2(t, p)) > 1e-8 * max(1.0, abs(_r2(t, p))):
        raise Mismatch("a second RSquared() object gives a different value: keep the "
                       "state on the instance (self), not in class attributes")
    return True, ("R^2 is exact over uneven batches of shapes (b,) and (b, 1), and "
                  "reset_state() starts over")


# ---------------------------------------------------------------- bn_forward
EPSILON = 1e-3


def _bn_model(rng):
    q, h, c = (int(rng.integers(3, 9)), int(rng.integers(4, 12)),
               int(rng.integers(2, 6)))
    model = Sequential([_layers.Input(shape=(q,)), _layers.Dense(h),
                        _layers.BatchNormalization(epsilon=EPSILON),
                        _layers.Activation("relu"),
                        _layers.Dense(c, activation="softmax")],
                       seed=int(rng.integers(2**31)))
    w1, b1, gamma, beta, mean, var, w2, b2 = model.get_weights()
    model.set_weights([w1, rng.normal(0, 0.5, size=h), rng.uniform(0.5, 2.0, size=h),
                       rng.normal(0, 0.5, size=h), rng.normal(0, 1.0, size=h),
                       rng.uniform(0.2, 3.0, size=h), w2, rng.normal(0, 0.5, size=c)])
    return model


def _variant(weights, X, batch_stats=False, eps=EPSILON, sqrt=True, skip_bn=False):
    w1, b1, gamma, beta, mean, var, w2, b2 = weights
    z = X @ w1 + b1
    if batch_stats:
        mean, var = z.mean(axis=0), z.var(axis=0)
    if not skip_bn:
        z = gamma * (z - mean) / (np.sqrt(var + eps) if sqrt else var + eps) + beta
    s = np.maximum(z, 0) @ w2 + b2
    s = np.exp(s - s.max(axis=1, keepdims=True))
    return s / s.sum(axis=1, keepdims=True)


@checker("ch13.bn_forward",
         "bn_forward(weights, X): the predictions of Dense -> BatchNormalization -> relu "
         "-> Dense(softmax) computed by hand from the model's get_weights() list")
def check_bn_forward(fn, rng):
    forbid(fn, {"predict": "the exercise asks you to compute the prediction from the "
                           "weights yourself, not to ask a model for it",
                "Sequential": "build no model: use only the arrays in `weights`",
                "BatchNormalization": "write batch normalization's formula yourself",
                "keras": "use only NumPy", "torch": "use only NumPy"})
    for trial in range(5):
        model = _bn_model(rng)
        X = rng.normal(0, 1.0, size=(int(rng.integers(5, 40)), model.input_dim))
        weights = [w.copy() for w in model.get_weights()]
        expected = model.predict(X)
        got = quiet_call(fn, weights, X.copy(), name="bn_forward")
        arr = as_numeric(got, "bn_forward(weights, X)")
        if arr.shape == expected.shape and np.all(np.isfinite(arr)) and \
                not np.allclose(arr, expected, rtol=1e-6, atol=1e-9):
            for kwargs, hint in (
                    ({"batch_stats": True}, "you normalized with the mean and variance "
                     "of the batch X: at prediction time batch normalization uses the "
                     "moving statistics stored in the weights"),
                    ({"eps": 0.0}, "you left out epsilon (1e-3 in Keras and nnlib) "
                     "under the square root"),
                    ({"sqrt": False}, "you divided by the variance; divide by the "
                     "standard deviation sqrt(variance + epsilon)"),
                    ({"skip_bn": True}, "batch normalization is missing")):
                if np.allclose(arr, _variant(weights, X, **kwargs), rtol=1e-6, atol=1e-9):
                    raise Mismatch(hint)
            order = ("the list is [kernel, bias, gamma, beta, moving_mean, "
                     "moving_variance, kernel, bias]")
            raise Mismatch(f"the probabilities differ from model.predict (largest "
                           f"difference {np.max(np.abs(arr - expected)):.3g}); {order}")
        compare_arrays(arr, expected, what="bn_forward(weights, X)", rtol=1e-6,
                       atol=1e-9)
    return True, ("your forward pass equals model.predict for 5 random networks with "
                  "batch normalization")


# ---------------------------------------------------------------- torch_state_dict
def _torch_net(q, h, c):
    from torch import nn
    return nn.Sequential(nn.Linear(q, h, dtype=_torch_float64()),
                         nn.BatchNorm1d(h, eps=EPSILON, momentum=0.01,
                                        dtype=_torch_float64()),
                         nn.ReLU(), nn.Linear(h, c, dtype=_torch_float64()),
                         nn.Softmax(dim=-1))


def _torch_float64():
    import torch
    return torch.float64


@checker("ch13.torch_state_dict",
         "torch_state_dict(weights): the state_dict of the PyTorch network Linear -> "
         "BatchNorm1d -> ReLU -> Linear -> Softmax made from a Keras/nnlib get_weights() "
         "list")
def check_torch_state_dict(fn, rng):
    try:
        import torch
    except ImportError:  # pragma: no cover - depends on the environment
        raise Mismatch("this exercise needs PyTorch: pip install torch") from None
    forbid(fn, {"to_torch": "nnlib.torchtools.to_torch does the conversion you are "
                            "asked to write: build the dictionary yourself",
                "from_torch": "write the conversion yourself"})
    for trial in range(4):
        model = _bn_model(rng)
        weights = [w.copy() for w in model.get_weights()]
        q, h = weights[0].shape
        c = weights[-1].size
        got = call(fn, weights, name="torch_state_dict")
        if not hasattr(got, "keys"):
            raise Mismatch(f"torch_state_dict should return a dict of name -> tensor, "
                           f"got {type(got).__name__}")
        net = _torch_net(q, h, c)
        expected_keys = set(net.state_dict())
        missing, extra = expected_keys - set(got), set(got) - expected_keys
        if missing or extra:
            raise Mismatch(f"the keys should be those of net.state_dict(): missing "
                           f"{sorted(missing) or 'none'}, unexpected "
                           f"{sorted(extra) or 'none'}")
        state = {}
        for key, value in got.items():
            try:
                state[key] = torch.as_tensor(np.asarray(value), dtype=net.state_dict()[
                    key].dtype)
            except (TypeError, ValueError):
                raise Mismatch(f"{key!r} should be an array or a tensor, got "
                               f"{type(value).__name__}") from None
            want = tuple(net.state_dict()[key].shape)
            if tuple(state[key].shape) != want:
                hint = ""
                if key.endswith("weight") and tuple(state[key].shape) == want[::-1]:
                    hint = ": nn.Linear stores its weight as (out, in)"
                raise Mismatch(f"{key!r} has shape {tuple(state[key].shape)}, PyTorch "
                               f"expects {want}{hint}")
        net.load_state_dict(state)
        net.eval()
        with torch.no_grad():
            out = net(torch.from_numpy(X := rng.normal(size=(20, q)))).numpy()
        expected = model.predict(X)
        if not np.allclose(out, expected, rtol=1e-6, atol=1e-9):
            raise Mismatch(f"the PyTorch network loads your state_dict but predicts "
                           f"differently from the nnlib model (largest difference "
                           f"{np.max(np.abs(out - expected)):.3g}): is each Keras array "
                           "under the right PyTorch name?")
    return True, ("PyTorch predicts what nnlib predicts for 4 random networks with batch "
                  "normalization")
