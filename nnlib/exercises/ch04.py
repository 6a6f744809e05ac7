"""Checkers of chapter 4 (hidden layers and the multilayer perceptron).

Each checker draws fresh inputs from ``rng``, compares the student's answer with a
reference computed here and says right or wrong with a hint (never the solution). The
verdict of a right answer is the same text for every seed, since the chapter stores it.
The coding exercises extend what the chapter shows (parameter counts with bias-free
layers and PReLU, a forward pass with a different activation per layer that returns every
layer), and their checkers reject answers that let a library do the work.
"""
from __future__ import annotations

import numpy as np

from ._core import Mismatch, as_numeric, checker, forbid, quiet_call

_LIBRARY_MODELS = {
    "count_params": "a library model's count_params() does the counting for you; count "
                    "from the layer sizes",
    "Sequential": "building an nnlib or Keras model does the work for you; compute "
                  "from the layer sizes and arrays",
    "Dense": "building library layers does the work for you; compute from the layer "
             "sizes and arrays",
    "PReLU": "building a library PReLU layer does the counting for you",
    "keras": "Keras does the work for you; the exercise asks you to do it by hand",
    "predict": "a library model's predict does the forward pass for you",
}


# ---------------------------------------------------------------- count_params
def _count(sizes, use_bias, prelu):
    layers = list(zip(sizes[:-1], sizes[1:]))
    total = sum(a * b + (b if bias else 0) for (a, b), bias in zip(layers, use_bias))
    hidden = sizes[1:-1]
    if prelu == "per_unit":
        total += sum(hidden)
    elif prelu == "shared":
        total += len(hidden)
    return total


@checker("ch04.count_params_prelu",
         "count_params(layer_sizes, use_bias, prelu): parameters of a dense network with "
         "bias-free layers and PReLU activations")
def check_count_params_prelu(fn, rng):
    forbid(fn, _LIBRARY_MODELS)
    name = "count_params"
    cases = [([5, 3, 4, 1], [True] * 3, None)]
    for prelu in (None, "per_unit", "shared", "per_unit", "shared"):
        depth = int(rng.integers(3, 6))
        sizes = [int(s) for s in rng.integers(2, 30, depth)]
        use_bias = [bool(b) for b in rng.integers(0, 2, depth - 1)]
        if all(use_bias):
            use_bias[int(rng.integers(depth - 1))] = False
        cases.append((sizes, use_bias, prelu))
    for sizes, use_bias, prelu in cases:
        expected = _count(sizes, use_bias, prelu)
        what = f"{name}({sizes}, use_bias={use_bias}, prelu={prelu!r})"
        got = quiet_call(fn, list(sizes), list(use_bias), prelu, name=name)
        if got is None:
            raise Mismatch(f"{what} is None: did your function forget to `return` its "
                           "result?")
        value = as_numeric(got, what)
        if value.size != 1:
            raise Mismatch(f"{what} should be one number, got an array of shape "
                           f"{value.shape}")
        value = float(value.reshape(()))
        if value == expected:
            continue
        if value == _count(sizes, [True] * len(use_bias), prelu):
            raise Mismatch(f"{what} ignores use_bias: a layer with use_bias=False has a "
                           "kernel but no bias vector")
        if prelu is not None and value == _count(sizes, use_bias, None):
            raise Mismatch(f"{what} leaves out the PReLU parameters: each PReLU learns "
                           "its slopes alpha")
        if prelu == "per_unit" and value == _count(sizes, use_bias, None) + sum(sizes[1:]):
            raise Mismatch(f"{what} gives the output layer a PReLU too; the PReLU "
                           "follows the hidden layers only")
        if prelu == "shared" and value == _count(sizes, use_bias, None) + len(sizes) - 1:
            raise Mismatch(f"{what} gives the output layer a PReLU too; the PReLU "
                           "follows the hidden layers only")
        if prelu == "per_unit" and value == _count(sizes, use_bias, "shared"):
            raise Mismatch(f"{what} shares one alpha per layer; 'per_unit' means one "
                           "alpha for each unit")
        if prelu == "shared" and value == _count(sizes, use_bias, "per_unit"):
            raise Mismatch(f"{what} gives every unit its own alpha; 'shared' means one "
                           "alpha per hidden layer")
        raise Mismatch(f"{what} returned {value:g}, which is not the number of "
                       "parameters; count each layer's kernel, its bias if it has one, "
                       "and the slopes of each PReLU")
    return True, ("right for the 5-3-4-1 network and for random networks with bias-free "
                  "layers and both kinds of PReLU")


# ---------------------------------------------------------------- forward_all
_ACTIVATIONS = ("linear", "relu", "tanh", "sigmoid", "softmax")


def _apply(name, Z):
    if name == "linear":
        return Z
    if name == "relu":
        return np.maximum(Z, 0.0)
    if name == "tanh":
        return np.tanh(Z)
    if name == "sigmoid":
        return 0.5 * (1.0 + np.tanh(0.5 * Z))
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def _forward_all(X, weights, names, apply=_apply):
    A = [X]
    for (W, b), g in zip(zip(weights[::2], weights[1::2]), names):
        A.append(apply(g, A[-1] @ W + b))
    return A


@checker("ch04.forward_all",
         "forward_all(X, weights, names): every layer's activations of a dense network "
         "with a different activation per layer")
def check_forward_all(fn, rng):
    forbid(fn, _LIBRARY_MODELS)
    name = "forward_all"
    for depth in (3, 2, 4):             # number of dense layers
        sizes = [int(s) for s in rng.integers(2, 7, depth + 1)]
        n = int(rng.integers(3, 9))
        names = [str(g) for g in rng.choice(_ACTIVATIONS[:4], depth)]
        if depth > 1:
            names[0] = "relu"           # every chapter activation appears somewhere
        names[-1] = "softmax" if depth != 2 else "linear"
        weights = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            weights += [rng.standard_normal((a, b)), 0.5 * rng.standard_normal(b)]
        X = rng.standard_normal((n, sizes[0]))
        expected = _forward_all(X, weights, names)
        what = (f"forward_all(X, weights, {names}) for a {'-'.join(map(str, sizes))} "
                f"network and {n} examples")
        got = quiet_call(fn, X.copy(), [w.copy() for w in weights], list(names), name=name)
        if got is None:
            raise Mismatch(f"{what} is None: did your function forget to `return` its "
                           "result?")
        if isinstance(got, np.ndarray) or not isinstance(got, (list, tuple)):
            raise Mismatch(f"{what} should return a list of arrays, one per layer "
                           f"(the input first), got {type(got).__name__}")
        if len(got) == depth:
            raise Mismatch(f"{what} returned {len(got)} arrays, expected {depth + 1}: "
                           "put the input X first, then each layer's activation")
        if len(got) != depth + 1:
            raise Mismatch(f"{what} returned {len(got)} arrays, expected {depth + 1}: "
                           "the input X, then one activation per layer")
        for l, (g_arr, e_arr) in enumerate(zip(got, expected)):
            label = "the input A[0]" if l == 0 else f"A[{l}] ({names[l - 1]})"
            arr = as_numeric(g_arr, f"{label} of {what}")
            if arr.shape != e_arr.shape:
                raise Mismatch(f"{label} of {what} has shape {arr.shape}, expected "
                               f"{e_arr.shape}")
            if not np.all(np.isfinite(arr)):
                raise Mismatch(f"{label} of {what} contains NaN or inf")
            if np.allclose(arr, e_arr, rtol=1e-6, atol=1e-9):
                continue
            if l > 0:
                Z = expected[l - 1] @ weights[2 * l - 2] + weights[2 * l - 1]
                if np.allclose(arr, Z, rtol=1e-6, atol=1e-9):
                    raise Mismatch(f"{label} of {what} is the pre-activation Z; apply "
                                   f"the layer's activation {names[l - 1]!r} to it")
                if np.allclose(arr, _apply(names[l - 1],
                                           expected[l - 1] @ weights[2 * l - 2]),
                               rtol=1e-6, atol=1e-9):
                    raise Mismatch(f"{label} of {what} leaves out the bias")
                if names[l - 1] == "softmax" and np.allclose(
                        arr, _apply("softmax", Z.T).T, rtol=1e-6, atol=1e-9):
                    raise Mismatch(f"{label} of {what} normalizes the columns; softmax "
                                   "acts on each row (each example)")
            raise Mismatch(f"{label} of {what} has the right shape but wrong values "
                           f"(largest difference {np.max(np.abs(arr - e_arr)):.3g})")
    return True, ("every layer matches for random networks of 2 to 4 dense layers with "
                  "linear, ReLU, tanh, sigmoid and softmax activations")
