"""Weight initializers, with the names, arguments and formulas of Keras 3.

Each initializer is an object called as ``init(shape, rng, dtype)``: ``shape`` an int or
a tuple of positive ints (a kernel has shape (fan_in, fan_out)), ``rng`` a
``numpy.random.Generator`` (or a seed, or None for a fresh one), ``dtype`` float32 or
float64. Initializers are instances of small classes rather than closures, so that a
model that holds them can be pickled.

The variance-scaling family (Glorot, He, LeCun) draws weights of variance
``scale / n``, where n is the number of inputs of a unit (``fan_in``), of outputs
(``fan_out``) or their mean (``fan_avg``), so that the variance of the activations (and
of the back-propagated gradients) stays roughly the same from layer to layer; chapter 9
derives the factors. As in Keras:

==================  =====  =======  ================================================
name                scale  mode     distribution
==================  =====  =======  ================================================
``glorot_uniform``  1      fan_avg  U(-l, l), l = sqrt(3 scale / n) = sqrt(6 / (in + out))
``glorot_normal``   1      fan_avg  truncated normal, std sqrt(2 / (in + out))
``he_uniform``      2      fan_in   U(-l, l), l = sqrt(6 / in)
``he_normal``       2      fan_in   truncated normal, std sqrt(2 / in)
``lecun_uniform``   1      fan_in   U(-l, l), l = sqrt(3 / in)
``lecun_normal``    1      fan_in   truncated normal, std sqrt(1 / in)
==================  =====  =======  ================================================

Keras's "normal" variance-scaling initializers draw from a normal of standard deviation
``sqrt(scale / n) / 0.87962566103423978`` truncated at two of those standard deviations
(values outside are redrawn); 0.8796... is the standard deviation of a standard normal
restricted to [-2, 2], so the weights have exactly the variance ``scale / n`` and no
weight is larger than ``2 sqrt(scale / n) / 0.8796 = 2.27 sqrt(scale / n)``.
``distribution="untruncated_normal"`` draws from the plain normal of that variance.

The plain random initializers have Keras's defaults: ``random_normal`` is N(0, 0.05^2),
``random_uniform`` is U(-0.05, 0.05), ``truncated_normal`` is N(0, 0.05^2) with the
values beyond two standard deviations redrawn (so, unlike the variance-scaling ones,
its standard deviation is 0.88 * 0.05, as in Keras).
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from ._validation import check_dtype, unknown_name

__all__ = ["get", "available", "Initializer", "Zeros", "Ones", "Constant", "RandomNormal",
           "RandomUniform", "TruncatedNormal", "VarianceScaling", "compute_fans",
           "zeros", "ones", "random_normal", "random_uniform", "truncated_normal",
           "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform",
           "lecun_normal"]

#: the standard deviation of a standard normal truncated to [-2, 2]
_TRUNC_STD = 0.87962566103423978

MODES = ("fan_in", "fan_out", "fan_avg")
DISTRIBUTIONS = ("uniform", "truncated_normal", "untruncated_normal", "normal")


# ---------------------------------------------------------------------- helpers
def _check_shape(shape) -> tuple:
    """``shape`` as a tuple of positive Python ints, or a ValueError/TypeError."""
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        raise TypeError(f"shape must be an int or a tuple of ints, got "
                        f"{type(shape).__name__}") from None
    if len(dims) == 0:
        raise ValueError("shape must have at least one dimension, got ()")
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, numbers.Integral):
            raise TypeError(f"shape must contain integers, got {shape!r}")
        if d < 1:
            raise ValueError(f"shape must contain positive sizes, got {shape!r}")
    return tuple(int(d) for d in dims)


def _rng(rng) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be a numpy.random.Generator, an int seed or None, got "
                    f"{type(rng).__name__}")


def compute_fans(shape) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of this shape, as Keras's ``compute_fans``.

    A 1-D shape (n,) has fan_in = fan_out = n; a kernel (n_in, n_out) has fan_in = n_in
    and fan_out = n_out; a convolution kernel (..., in_depth, out_depth) multiplies both
    by the receptive field size, the product of the leading dimensions.
    """
    shape = _check_shape(shape)
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def _standard_truncated_normal(shape, rng) -> np.ndarray:
    """Standard normal draws, those with |x| > 2 redrawn until none is left."""
    out = rng.standard_normal(shape)
    bad = np.abs(out) > 2
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2
    return out


def _truncated_normal(shape, rng, std, dtype):
    """A truncated normal rescaled to standard deviation ``std`` (Keras's variance scaling)."""
    return (_standard_truncated_normal(shape, rng) * (std / _TRUNC_STD)).astype(dtype)


def _positive(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def _finite(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return float(value)


# ---------------------------------------------------------------------- classes
class Initializer:
    """Base class: ``init(shape, rng=None, dtype=np.float64)`` returns a new array."""

    __name__ = "initializer"

    def __call__(self, shape, rng=None, dtype=np.float64):
        shape = _check_shape(shape)
        dtype = check_dtype(dtype)
        return self._sample(shape, rng, dtype)

    def _sample(self, shape, rng, dtype):  # pragma: no cover - abstract
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}

    def __reduce_ex__(self, protocol):
        # a predefined initializer unpickles to the module's own object, so that
        # ``Dense(...).kernel_initializer is initializers.glorot_uniform`` survives
        if _INITS.get(getattr(self, "__name__", None)) is self:
            return (_named, (self.__name__,))
        return super().__reduce_ex__(protocol)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Zeros(Initializer):
    """All zeros (Keras's ``zeros``, the default bias initializer)."""

    __name__ = "zeros"

    def _sample(self, shape, rng, dtype):
        return np.zeros(shape, dtype=dtype)


class Ones(Initializer):
    """All ones (Keras's ``ones``)."""

    __name__ = "ones"

    def _sample(self, shape, rng, dtype):
        return np.ones(shape, dtype=dtype)


class Constant(Initializer):
    """Every value equal to ``value`` (Keras's ``Constant``, default 0)."""

    __name__ = "constant"

    def __init__(self, value=0.0):
        self.value = _finite(value, "value")

    def _sample(self, shape, rng, dtype):
        return np.full(shape, self.value, dtype=dtype)

    def get_config(self):
        return {"value": self.value}


class RandomNormal(Initializer):
    """N(mean, stddev^2); Keras's defaults mean 0, stddev 0.05."""

    __name__ = "random_normal"

    def __init__(self, mean=0.0, stddev=0.05):
        self.mean = _finite(mean, "mean")
        self.stddev = _positive(stddev, "stddev")

    def _sample(self, shape, rng, dtype):
        out = _rng(rng).standard_normal(shape) * self.stddev
        if self.mean:
            out += self.mean
        return out.astype(dtype)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(Initializer):
    """N(mean, stddev^2) with values beyond two stddev redrawn (Keras's ``TruncatedNormal``).

    Not rescaled: the standard deviation of the draws is 0.8796 * stddev.
    """

    __name__ = "truncated_normal"

    def __init__(self, mean=0.0, stddev=0.05):
        self.mean = _finite(mean, "mean")
        self.stddev = _positive(stddev, "stddev")

    def _sample(self, shape, rng, dtype):
        out = _standard_truncated_normal(shape, _rng(rng)) * self.stddev
        if self.mean:
            out += self.mean
        return out.astype(dtype)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev}


class RandomUniform(Initializer):
    """U(minval, maxval); Keras's defaults -0.05 and 0.05."""

    __name__ = "random_uniform"

    def __init__(self, minval=-0.05, maxval=0.05):
        self.minval = _finite(minval, "minval")
        self.maxval = _finite(maxval, "maxval")
        if not self.minval < self.maxval:
            raise ValueError(f"minval must be smaller than maxval, got minval={minval!r}, "
                             f"maxval={maxval!r}")

    def _sample(self, shape, rng, dtype):
        return _rng(rng).uniform(self.minval, self.maxval, shape).astype(dtype)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval}


class VarianceScaling(Initializer):
    """Weights of variance ``scale / n``, n set by ``mode`` (Keras's ``VarianceScaling``).

    Parameters
    ----------
    scale : float
        A positive factor: 1 for Glorot and LeCun, 2 for He.
    mode : {"fan_in", "fan_out", "fan_avg"}
        n is fan_in, fan_out or (fan_in + fan_out) / 2, each at least 1
        (see :func:`compute_fans`).
    distribution : {"truncated_normal", "untruncated_normal", "uniform"}
        ``"uniform"``: U(-l, l) with l = sqrt(3 scale / n). ``"truncated_normal"`` (also
        spelled ``"normal"``, as in Keras): a normal of standard deviation
        sqrt(scale / n) / 0.8796 truncated at two of its standard deviations, whose
        variance is scale / n. ``"untruncated_normal"``: N(0, scale / n).
    name : str, optional
        The name shown by ``repr`` (the Keras name of a predefined initializer).
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", name=None):
        self.scale = _positive(scale, "scale")
        if mode not in MODES:
            raise ValueError(f"invalid mode {mode!r}; valid modes are: {', '.join(MODES)}")
        dist = distribution.lower() if isinstance(distribution, str) else distribution
        if dist not in DISTRIBUTIONS:
            raise ValueError(f"invalid distribution {distribution!r}; valid distributions "
                             f"are: {', '.join(DISTRIBUTIONS)}")
        self.mode = mode
        self.distribution = "truncated_normal" if dist == "normal" else dist
        self.__name__ = name or "variance_scaling"

    def variance(self, shape) -> float:
        """The variance ``scale / n`` of the weights drawn for ``shape``."""
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}
        return self.scale / max(1.0, n[self.mode])

    def limit(self, shape) -> float:
        """The largest possible absolute weight (the uniform bound or the truncation point)."""
        var = self.variance(shape)
        if self.distribution == "uniform":
            return math.sqrt(3.0 * var)
        if self.distribution == "truncated_normal":
            return 2.0 * math.sqrt(var) / _TRUNC_STD
        return math.inf

    def _sample(self, shape, rng, dtype):
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}
        n = max(1.0, n[self.mode])
        rng = _rng(rng)
        if self.distribution == "uniform":
            limit = np.sqrt(3.0 * self.scale / n)
            return rng.uniform(-limit, limit, shape).astype(dtype)
        if self.distribution == "truncated_normal":
            return _truncated_normal(shape, rng, np.sqrt(self.scale / n), dtype)
        return (rng.standard_normal(shape) * np.sqrt(self.scale / n)).astype(dtype)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution}

    def __repr__(self):
        if self.__name__ in _INITS:
            return f"<initializer {self.__name__}>"
        return super().__repr__()


# ---------------------------------------------------------------------- the Keras names
zeros = Zeros()
ones = Ones()
#: N(0, 0.05^2)
random_normal = RandomNormal()
#: U(-0.05, 0.05)
random_uniform = RandomUniform()
#: N(0, 0.05^2) truncated at +-0.1 (not rescaled), Keras's ``TruncatedNormal()``
truncated_normal = TruncatedNormal()
#: U(-l, l) with l = sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio, 2010), Keras's default
glorot_uniform = VarianceScaling(1.0, "fan_avg", "uniform", "glorot_uniform")
#: truncated normal with variance 2 / (fan_in + fan_out)
glorot_normal = VarianceScaling(1.0, "fan_avg", "truncated_normal", "glorot_normal")
#: U(-l, l) with l = sqrt(6 / fan_in) (He et al., 2015)
he_uniform = VarianceScaling(2.0, "fan_in", "uniform", "he_uniform")
#: truncated normal with variance 2 / fan_in
he_normal = VarianceScaling(2.0, "fan_in", "truncated_normal", "he_normal")
#: U(-l, l) with l = sqrt(3 / fan_in) (LeCun et al., 1998)
lecun_uniform = VarianceScaling(1.0, "fan_in", "uniform", "lecun_uniform")
#: truncated normal with variance 1 / fan_in
lecun_normal = VarianceScaling(1.0, "fan_in", "truncated_normal", "lecun_normal")

_INITS = {
    "zeros": zeros, "ones": ones, "random_normal": random_normal,
    "random_uniform": random_uniform, "truncated_normal": truncated_normal,
    "glorot_uniform": glorot_uniform, "glorot_normal": glorot_normal,
    "he_uniform": he_uniform, "he_normal": he_normal,
    "lecun_uniform": lecun_uniform, "lecun_normal": lecun_normal,
}

# Keras's class names are accepted too ("GlorotUniform" is "glorot_uniform")
_ALIASES = {"".join(w.capitalize() for w in name.split("_")): name for name in _INITS}


def _named(name):
    """The predefined initializer called ``name`` (used when unpickling)."""
    return _INITS[name]


def available() -> list[str]:
    """The names :func:`get` accepts (Keras's snake-case names)."""
    return sorted(_INITS)


def get(init):
    """An initializer from its Keras name, or a callable ``(shape, rng, dtype) -> array``.

    Both spellings Keras accepts work: ``"glorot_uniform"`` and ``"GlorotUniform"``.
    """
    if callable(init):
        return init
    if not isinstance(init, str):
        raise TypeError(f"initializer must be a name or a callable, got "
                        f"{type(init).__name__}")
    name = _ALIASES.get(init, init)
    if name not in _INITS:
        raise unknown_name("initializer", init, _INITS)
    return _INITS[name]
