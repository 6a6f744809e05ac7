"""Checkers of chapter 4 (hidden layers and the multilayer perceptron).

Each checker draws fresh inputs from ``rng``, compares the student's answer with nnlib's
own implementation and says right or wrong with a hint (never the solution). The verdict
of a right answer is the same text for every seed, since the chapter stores it.
"""
from __future__ import annotations

import numpy as np

from ..layers import Dense as _Dense
from ..models import Sequential as _Sequential
from ._core import Mismatch, call, checker, compare_arrays


def _reference_model(layer_sizes, seed):
    """nnlib's dense network: sigmoid hidden layers, softmax output."""
    model = _Sequential(
        [_Dense(units, activation="sigmoid" if l < len(layer_sizes) - 2 else "softmax")
         for l, units in enumerate(layer_sizes[1:])], seed=seed, dtype="float64")
    model.build(layer_sizes[0])
    return model


# ---------------------------------------------------------------- count_params
@checker("ch04.count_params",
         "count_params(layer_sizes): the number of weights and biases of a dense network")
def check_count_params(fn, rng):
    name = "count_params"
    cases = [[5, 3, 4, 1]]
    for _ in range(4):
        depth = int(rng.integers(2, 6))
        cases.append([int(s) for s in rng.integers(1, 40, depth)])
    for sizes in cases:
        expected = _reference_model(sizes, 0).count_params()
        got = call(fn, list(sizes), name=name)
        try:
            value = float(np.asarray(got, dtype=float))
        except (TypeError, ValueError):
            raise Mismatch(f"{name}({sizes}) should return one number, got "
                           f"{type(got).__name__}") from None
        if value == expected:
            continue
        weights_only = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
        if value == weights_only:
            raise Mismatch(f"{name}({sizes}) counts the weights but not the biases: every "
                           "unit of a hidden or output layer also has a bias")
        if value == expected + sizes[0]:
            raise Mismatch(f"{name}({sizes}) gives the input layer biases too; the inputs "
                           "are data, not units with parameters")
        if value == sum((b + 1) * a for a, b in zip(sizes[:-1], sizes[1:])):
            raise Mismatch(f"{name}({sizes}) attaches the bias to the wrong side: a layer of "
                           "`out` units has one bias per unit, not one per input")
        raise Mismatch(f"{name}({sizes}) returned {got!r}, which is not the number of "
                       "parameters; count the kernel and the bias of each layer")
    return True, ("right for the 5-3-4-1 network and for random networks of 2 to 5 layers")


# ---------------------------------------------------------------- forward
@checker("ch04.forward",
         "forward(X, weights): the output of a dense network with sigmoid hidden layers "
         "and a softmax output layer")
def check_forward(fn, rng):
    name = "forward"
    for depth in (3, 2, 4):           # number of layers, the input layer included
        sizes = [int(s) for s in rng.integers(2, 7, depth)]
        n = int(rng.integers(3, 9))
        model = _reference_model(sizes, int(rng.integers(2 ** 31)))
        weights = [w + 0.3 * rng.standard_normal(w.shape) for w in model.get_weights()]
        model.set_weights(weights)
        X = rng.standard_normal((n, sizes[0]))
        expected = model.predict(X)
        got = call(fn, X.copy(), [w.copy() for w in weights], name=name)
        what = f"forward(X, weights) for a {'-'.join(map(str, sizes))} network and {n} examples"
        try:
            arr = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            raise Mismatch(f"{what} should be a numeric array, got "
                           f"{type(got).__name__}") from None
        if arr.shape == expected.shape and np.all(np.isfinite(arr)) and \
                not np.allclose(arr, expected, rtol=1e-6, atol=1e-9):
            if not np.allclose(arr.sum(axis=1), 1.0, atol=1e-6):
                raise Mismatch(f"{what}: the rows of the output do not sum to 1; the last "
                               "layer should apply the softmax")
            no_bias = _no_bias_forward(X, weights)
            if np.allclose(arr, no_bias, rtol=1e-6, atol=1e-9):
                raise Mismatch(f"{what} leaves out the biases: add b after X @ W in every "
                               "layer")
        compare_arrays(arr, expected, what=what, rtol=1e-6, atol=1e-9)
    return True, ("matches nnlib's Sequential.predict for random networks of 1 to 3 dense "
                  "layers and random weights")


def _no_bias_forward(X, weights):
    A = X
    pairs = list(zip(weights[::2], weights[1::2]))
    for l, (W, _) in enumerate(pairs):
        Z = A @ W
        if l < len(pairs) - 1:
            A = 1 / (1 + np.exp(-Z))
        else:
            E = np.exp(Z - Z.max(axis=1, keepdims=True))
            A = E / E.sum(axis=1, keepdims=True)
    return A
