"""Activation functions and their derivatives, numerically stable and vectorized.

Two ways to use them:

* plain functions, ``sigmoid(z)``, ``relu(z)``, ``softmax(z)``, ... and their derivatives
  ``sigmoid_derivative(z)``, ... — what the chapters derive and plot;
* activation objects from :func:`get`, with ``forward(z)``, ``derivative(z)`` and
  ``backward(z, a, grad)`` — what :class:`nnlib.layers.Dense` and
  :class:`nnlib.layers.Activation` use. ``backward`` returns ``grad * f'(z)`` (for softmax,
  the product with its Jacobian), computed from the output ``a`` where that is cheaper, and
  may overwrite ``grad`` in place.

Every function accepts scalars and arrays of any shape and keeps float32 as float32.
"""
from __future__ import annotations

import numpy as np

from ._validation import unknown_name

__all__ = [
    "identity", "step", "sigmoid", "tanh", "arctan", "softsign", "isru", "relu",
    "leaky_relu", "elu", "softplus", "softmax", "log_softmax",
    "identity_derivative", "step_derivative", "sigmoid_derivative", "tanh_derivative",
    "arctan_derivative", "softsign_derivative", "isru_derivative", "relu_derivative",
    "leaky_relu_derivative", "elu_derivative", "softplus_derivative", "softmax_jacobian",
    "get", "available", "ActivationFunction",
]


def _float(z) -> np.ndarray:
    """``z`` as a float array: float32/float64 kept, anything else becomes float64."""
    z = np.asarray(z)
    if z.dtype not in (np.float32, np.float64):
        z = z.astype(np.float64)
    return z


# ---------------------------------------------------------------- elementwise functions
def identity(z):
    """The identity (linear) activation, f(z) = z."""
    return _float(z).copy()


def identity_derivative(z):
    z = _float(z)
    return np.ones_like(z)


def step(z):
    """The binary step: 1 where z >= 0, else 0 (not differentiable at 0)."""
    z = _float(z)
    return (z >= 0).astype(z.dtype)


def step_derivative(z):
    """0 everywhere (the derivative at 0 does not exist; 0 is used by convention)."""
    return np.zeros_like(_float(z))


def sigmoid(z, out=None):
    """The logistic sigmoid 1 / (1 + exp(-z)), without overflow for any z.

    exp is only ever taken of ``-|z| <= 0``, so it lies in (0, 1]:
    for z >= 0, 1/(1 + e^{-z}); for z < 0 the equal form e^{z}/(1 + e^{z}).
    """
    z = _float(z)
    e = np.exp(-np.abs(z))
    num = np.where(z >= 0, z.dtype.type(1), e)
    return np.divide(num, 1 + e, out=out)


def sigmoid_derivative(z):
    """sigma'(z) = sigma(z) (1 - sigma(z))."""
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z):
    """The hyperbolic tangent, range (-1, 1)."""
    return np.tanh(_float(z))


def tanh_derivative(z):
    """tanh'(z) = 1 - tanh(z)^2."""
    t = np.tanh(_float(z))
    return 1 - t * t


def arctan(z):
    """The inverse tangent, range (-pi/2, pi/2)."""
    return np.arctan(_float(z))


def arctan_derivative(z):
    """arctan'(z) = 1 / (1 + z^2)."""
    z = _float(z)
    return 1 / (1 + z * z)


def softsign(z):
    """``z / (1 + |z|)``, range (-1, 1)."""
    z = _float(z)
    return z / (1 + np.abs(z))


def softsign_derivative(z):
    """``1 / (1 + |z|)^2``."""
    z = _float(z)
    return 1 / (1 + np.abs(z)) ** 2


def isru(z, alpha=1.0):
    """Inverse square root unit z / sqrt(1 + alpha z^2), range (-1/sqrt(alpha), 1/sqrt(alpha))."""
    z = _float(z)
    return z / np.sqrt(1 + alpha * z * z)


def isru_derivative(z, alpha=1.0):
    """(1 / sqrt(1 + alpha z^2))^3."""
    z = _float(z)
    return (1 / np.sqrt(1 + alpha * z * z)) ** 3


def relu(z):
    """The rectified linear unit max(0, z)."""
    z = _float(z)
    return np.maximum(z, 0)


def relu_derivative(z):
    """1 where z > 0, else 0 (the value 0 is used at z = 0, as in Keras and TensorFlow)."""
    z = _float(z)
    return (z > 0).astype(z.dtype)


def leaky_relu(z, alpha=0.01):
    """max(alpha z, z) for a small slope 0 <= alpha < 1."""
    z = _float(z)
    return np.where(z > 0, z, alpha * z).astype(z.dtype, copy=False)


def leaky_relu_derivative(z, alpha=0.01):
    z = _float(z)
    return np.where(z > 0, 1, alpha).astype(z.dtype)


def elu(z, alpha=1.0):
    """The exponential linear unit: z for z > 0, alpha (e^z - 1) otherwise."""
    z = _float(z)
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0))).astype(z.dtype, copy=False)


def elu_derivative(z, alpha=1.0):
    z = _float(z)
    return np.where(z > 0, 1, alpha * np.exp(np.minimum(z, 0))).astype(z.dtype, copy=False)


def softplus(z):
    """log(1 + e^z), computed as logaddexp(0, z) so that it never overflows."""
    z = _float(z)
    return np.logaddexp(z.dtype.type(0), z)


def softplus_derivative(z):
    """softplus'(z) = sigmoid(z)."""
    return sigmoid(z)


# ---------------------------------------------------------------- softmax
def softmax(z, axis=-1, out=None):
    """exp(z_k) / sum_j exp(z_j) along ``axis``, stable for any scores.

    Subtracting the largest score first changes nothing mathematically (the factor
    e^{-max} cancels) but keeps every exponent <= 0, so exp never overflows.
    """
    z = _float(z)
    out = np.subtract(z, z.max(axis=axis, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=axis, keepdims=True)
    return out


def log_softmax(z, axis=-1):
    """log(softmax(z)) computed without forming softmax: z - max - log(sum(exp(z - max)))."""
    z = _float(z)
    shifted = z - z.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax_jacobian(p):
    """The Jacobian of softmax given its output p: diag(p) - p p^T.

    ``p`` of shape (C,) gives a (C, C) matrix; (n, C) gives (n, C, C), one per row.
    """
    p = _float(p)
    if p.ndim not in (1, 2):
        raise ValueError(f"p must be 1-D (C,) or 2-D (n, C), got shape {p.shape}")
    outer = p[..., :, None] * p[..., None, :]
    eye = np.eye(p.shape[-1], dtype=p.dtype)
    return p[..., :, None] * eye - outer


# ---------------------------------------------------------------- activation objects
class ActivationFunction:
    """An activation as used by the layers: forward, derivative and backward.

    Parameters
    ----------
    name : str
        The name used by :func:`get` and in ``summary()``.
    fn, derivative : callable
        The function and its elementwise derivative.
    """

    def __init__(self, name, fn, derivative):
        self.name = name
        self._fn = fn
        self._derivative = derivative

    def forward(self, z, out=None):
        """f(z), written into ``out`` when given."""
        a = self._fn(z)
        if out is None:
            return a
        out[...] = a
        return out

    def derivative(self, z):
        """f'(z), elementwise."""
        return self._derivative(z)

    def backward(self, z, a, grad):
        """grad * f'(z): the gradient with respect to z given the one with respect to a."""
        return np.multiply(grad, self._derivative(z), out=grad)

    def __repr__(self):
        return f"<activation {self.name}>"


class _Identity(ActivationFunction):
    def __init__(self):
        super().__init__("linear", identity, identity_derivative)

    def forward(self, z, out=None):
        if out is None:
            return z
        out[...] = z
        return out

    def backward(self, z, a, grad):
        return grad


class _Sigmoid(ActivationFunction):
    def __init__(self):
        super().__init__("sigmoid", sigmoid, sigmoid_derivative)

    def forward(self, z, out=None):
        return sigmoid(z, out=out)

    def backward(self, z, a, grad):  # sigma' = a (1 - a)
        grad *= a
        grad *= 1 - a
        return grad


class _Tanh(ActivationFunction):
    def __init__(self):
        super().__init__("tanh", tanh, tanh_derivative)

    def forward(self, z, out=None):
        return np.tanh(z, out=out)

    def backward(self, z, a, grad):  # tanh' = 1 - a^2
        grad *= 1 - a * a
        return grad


class _Relu(ActivationFunction):
    def __init__(self):
        super().__init__("relu", relu, relu_derivative)

    def forward(self, z, out=None):
        return np.maximum(z, 0, out=out)

    def backward(self, z, a, grad):  # 1 where a > 0
        grad *= a > 0
        return grad


class _Softmax(ActivationFunction):
    """Softmax over the last axis; backward is the Jacobian-vector product."""

    def __init__(self):
        super().__init__("softmax", softmax, None)

    def forward(self, z, out=None):
        return softmax(z, out=out)

    def derivative(self, z):
        raise ValueError("softmax is not elementwise; use softmax_jacobian(softmax(z)) "
                         "or backward(z, a, grad)")

    def backward(self, z, a, grad):
        # (diag(a) - a a^T) g = a * (g - <a, g>) row by row
        dot = np.einsum("ij,ij->i", a, grad)[:, None]
        grad -= dot
        grad *= a
        return grad


_ACTIVATIONS = {
    "linear": _Identity(),
    "sigmoid": _Sigmoid(),
    "tanh": _Tanh(),
    "relu": _Relu(),
    "softmax": _Softmax(),
    "step": ActivationFunction("step", step, step_derivative),
    "arctan": ActivationFunction("arctan", arctan, arctan_derivative),
    "softsign": ActivationFunction("softsign", softsign, softsign_derivative),
    "isru": ActivationFunction("isru", isru, isru_derivative),
    "leaky_relu": ActivationFunction("leaky_relu", leaky_relu, leaky_relu_derivative),
    "elu": ActivationFunction("elu", elu, elu_derivative),
    "softplus": ActivationFunction("softplus", softplus, softplus_derivative),
}
_ALIASES = {"identity": "linear", None: "linear", "logistic": "sigmoid"}


def available() -> list[str]:
    """The names :func:`get` accepts."""
    return sorted(_ACTIVATIONS)


def get(activation) -> ActivationFunction:
    """The activation object for a name (``"relu"``, ...), ``None`` (linear) or an object."""
    if isinstance(activation, ActivationFunction):
        return activation
    name = _ALIASES.get(activation, activation)
    if not isinstance(name, str):
        raise TypeError(f"activation must be a name or None, got {type(activation).__name__}")
    if name not in _ACTIVATIONS:
        raise unknown_name("activation", activation, _ACTIVATIONS)
    return _ACTIVATIONS[name]
