"""Weight initializers, with the names and formulas of Keras.

Each initializer is called as ``init(shape, rng, dtype)``; for a kernel of shape
(fan_in, fan_out). The variance-scaling ones (Glorot, He, LeCun) keep the variance of
the activations roughly constant from layer to layer; chapter 9 explains why.
Keras's "normal" variants draw from a normal truncated at two standard deviations,
rescaled so that the variance is the intended one; so do these.
"""
from __future__ import annotations

import numpy as np

from ._validation import unknown_name

__all__ = ["get", "available", "VarianceScaling", "zeros", "ones", "random_normal", "random_uniform",
           "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform",
           "lecun_normal"]

# std of a standard normal truncated to [-2, 2]
_TRUNC_STD = 0.87962566103423978


def _fans(shape):
    if len(shape) == 1:
        return shape[0], shape[0]
    return shape[0], shape[1]


def _truncated_normal(shape, rng, std, dtype):
    out = rng.standard_normal(shape)
    bad = np.abs(out) > 2
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2
    return (out * (std / _TRUNC_STD)).astype(dtype)


def zeros(shape, rng=None, dtype=np.float64):
    return np.zeros(shape, dtype=dtype)


def ones(shape, rng=None, dtype=np.float64):
    return np.ones(shape, dtype=dtype)


def random_normal(shape, rng, dtype=np.float64, stddev=0.05):
    """N(0, stddev^2), Keras's RandomNormal default stddev 0.05."""
    return (rng.standard_normal(shape) * stddev).astype(dtype)


def random_uniform(shape, rng, dtype=np.float64, limit=0.05):
    """U(-limit, limit), Keras's RandomUniform default limit 0.05."""
    return rng.uniform(-limit, limit, shape).astype(dtype)


class VarianceScaling:
    """Draw weights with variance ``scale / n``, n = fan_in or the mean of fan_in and fan_out.

    ``distribution="uniform"`` draws from U(-l, l) with l = sqrt(3 scale / n);
    ``"normal"`` from a normal truncated at two standard deviations and rescaled to that
    variance. (A class rather than a closure, so that models can be pickled.)
    """

    def __init__(self, scale, mode, distribution, name):
        if mode not in ("in", "avg") or distribution not in ("uniform", "normal"):
            raise ValueError(f"unknown mode {mode!r} or distribution {distribution!r}")
        self.scale, self.mode, self.distribution, self.__name__ = scale, mode, distribution, name

    def __call__(self, shape, rng, dtype=np.float64):
        fan_in, fan_out = _fans(shape)
        n = fan_in if self.mode == "in" else (fan_in + fan_out) / 2
        if self.distribution == "uniform":
            limit = np.sqrt(3.0 * self.scale / n)
            return rng.uniform(-limit, limit, shape).astype(dtype)
        return _truncated_normal(shape, rng, np.sqrt(self.scale / n), dtype)

    def __repr__(self):
        return f"<initializer {self.__name__}>"


#: U(-l, l) with l = sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio, 2010), Keras's default
glorot_uniform = VarianceScaling(1.0, "avg", "uniform", "glorot_uniform")
#: truncated normal with variance 2 / (fan_in + fan_out)
glorot_normal = VarianceScaling(1.0, "avg", "normal", "glorot_normal")
#: U(-l, l) with l = sqrt(6 / fan_in) (He et al., 2015)
he_uniform = VarianceScaling(2.0, "in", "uniform", "he_uniform")
#: truncated normal with variance 2 / fan_in
he_normal = VarianceScaling(2.0, "in", "normal", "he_normal")
#: U(-l, l) with l = sqrt(3 / fan_in)
lecun_uniform = VarianceScaling(1.0, "in", "uniform", "lecun_uniform")
#: truncated normal with variance 1 / fan_in
lecun_normal = VarianceScaling(1.0, "in", "normal", "lecun_normal")

_INITS = {
    "zeros": zeros, "ones": ones, "random_normal": random_normal,
    "random_uniform": random_uniform, "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal, "he_uniform": he_uniform, "he_normal": he_normal,
    "lecun_uniform": lecun_uniform, "lecun_normal": lecun_normal,
}


def available() -> list[str]:
    return sorted(_INITS)


def get(init):
    """An initializer from its name, or a callable ``(shape, rng, dtype) -> array``."""
    if callable(init):
        return init
    if init not in _INITS:
        raise unknown_name("initializer", init, _INITS)
    return _INITS[init]
