"""Loss functions and their gradients; each value is a mean over the batch, as in Keras.

Functions (for the chapters): :func:`binary_crossentropy`, :func:`categorical_crossentropy`,
:func:`sparse_categorical_crossentropy`, :func:`mean_squared_error`, each taking
``from_logits`` where it applies.

Loss objects (for the models, from :func:`get`): ``value(y, out)`` and
``gradient(y, out)``, the derivative of the batch-mean loss with respect to the network's
output. The cross-entropies also have ``value_from_logits(y, z)`` and
``gradient_from_logits(y, a)``: paired with their natural output activation (sigmoid for
binary, softmax for categorical) the gradient with respect to the logits is simply
``(a - y) / n``, and the value is computed from the logits with no ``log(0)``.

Conventions (those of Keras, so the numbers agree):

* binary cross-entropy averages over the output units, then over the batch;
* categorical cross-entropy sums over the classes, then averages over the batch;
* mean squared error averages over the output units, then over the batch;
* from probabilities, cross-entropies clip them to ``[EPSILON, 1 - EPSILON]``.
"""
from __future__ import annotations

import numpy as np

from ._validation import unknown_name
from .activations import log_softmax, sigmoid, softmax

__all__ = [
    "EPSILON", "binary_crossentropy", "categorical_crossentropy",
    "sparse_categorical_crossentropy", "mean_squared_error", "get", "available",
    "Loss", "BinaryCrossentropy", "CategoricalCrossentropy", "MeanSquaredError",
]

EPSILON = 1e-7  #: the clipping constant of Keras (``keras.config.epsilon()``)


def _pair(y, out):
    out = np.asarray(out)
    if out.dtype not in (np.float32, np.float64):
        out = out.astype(np.float64)
    y = np.asarray(y, dtype=out.dtype)
    if y.shape != out.shape:
        if y.ndim == 1 and out.ndim == 2 and out.shape[1] == 1 and len(y) == len(out):
            y = y[:, None]
        else:
            raise ValueError(f"targets and outputs must have the same shape, got {y.shape} "
                             f"and {out.shape}")
    return y, out


def _bce_from_logits(y, z):
    # -[y log s(z) + (1-y) log(1-s(z))] = max(z, 0) - z y + log(1 + e^{-|z|})
    return np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))


def binary_crossentropy(y, p, from_logits=False):
    """Mean binary cross-entropy -[y log p + (1 - y) log(1 - p)].

    Parameters
    ----------
    y : array-like of 0/1 (or probabilities), shape (n,) or (n, k)
    p : array-like, same shape: predicted probabilities, or logits if ``from_logits``
    """
    y, p = _pair(y, p)
    if from_logits:
        losses = _bce_from_logits(y, p)
    else:
        p = np.clip(p, EPSILON, 1 - EPSILON)
        losses = -(y * np.log(p) + (1 - y) * np.log1p(-p))
    return float(losses.mean())


def categorical_crossentropy(Y, P, from_logits=False):
    """Mean over the batch of -sum_k Y_k log P_k; ``Y`` one-hot (n, C)."""
    if np.ndim(Y) == 1 and np.ndim(P) == 2 and np.shape(P)[1] > 1:
        raise ValueError(f"Y has shape {np.shape(Y)} but P has shape {np.shape(P)}: "
                         "categorical_crossentropy needs one-hot rows; use "
                         "nnlib.datasets.one_hot(y) or sparse_categorical_crossentropy")
    Y, P = _pair(Y, P)
    if from_logits:
        logp = log_softmax(P, axis=-1)
    else:
        P = P / P.sum(axis=-1, keepdims=True)
        logp = np.log(np.clip(P, EPSILON, 1 - EPSILON))
    return float(-(Y * logp).sum(axis=-1).mean())


def sparse_categorical_crossentropy(y, P, from_logits=False):
    """Categorical cross-entropy with integer labels ``y`` (n,) instead of one-hot rows."""
    P = np.asarray(P)
    y = np.asarray(y)
    if P.ndim != 2 or y.shape != (P.shape[0],):
        raise ValueError(f"expected y of shape (n,) and P of shape (n, C), got {y.shape} "
                         f"and {P.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        if not np.all(np.equal(np.mod(y, 1), 0)):
            raise ValueError("sparse labels must be integers")
        y = y.astype(np.int64)
    if y.size and (y.min() < 0 or y.max() >= P.shape[1]):
        raise ValueError(f"labels must lie in 0..{P.shape[1] - 1}, got {y.min()}..{y.max()}")
    Y = np.zeros(P.shape, dtype=P.dtype if P.dtype in (np.float32, np.float64) else float)
    Y[np.arange(len(y)), y] = 1
    return categorical_crossentropy(Y, P, from_logits=from_logits)


def mean_squared_error(y, p):
    """Mean over the batch of the mean over outputs of (y - p)^2."""
    y, p = _pair(y, p)
    return float(np.mean((y - p) ** 2))


# ---------------------------------------------------------------- loss objects
class Loss:
    """A loss as used by the models. Targets ``y`` and outputs share one 2-D shape."""

    name = "loss"
    #: the output activation whose pairing gives the simple gradient (a - y) / n
    natural_activation: str | None = None

    def __call__(self, y, out):
        return self.value(y, out)

    def value(self, y, out):  # pragma: no cover - abstract
        raise NotImplementedError

    def gradient(self, y, out):  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self):
        return f"<loss {self.name}>"


class BinaryCrossentropy(Loss):
    name = "binary_crossentropy"
    natural_activation = "sigmoid"

    def value(self, y, p):
        return binary_crossentropy(y, p)

    def gradient(self, y, p):
        """d mean(BCE) / dp, with p clipped as in :meth:`value`."""
        y, p = _pair(y, p)
        p = np.clip(p, EPSILON, 1 - EPSILON)
        return (p - y) / (p * (1 - p)) / y.size

    def value_from_logits(self, y, z):
        return binary_crossentropy(y, z, from_logits=True)

    def gradient_from_logits(self, y, a, out=None):
        """d mean(BCE) / dz where a = sigmoid(z): (a - y) / (n k)."""
        out = np.subtract(a, y, out=out)
        out /= a.size
        return out

    @staticmethod
    def activate(z):
        return sigmoid(z)


class CategoricalCrossentropy(Loss):
    name = "categorical_crossentropy"
    natural_activation = "softmax"

    def value(self, Y, P):
        return categorical_crossentropy(Y, P)

    def gradient(self, Y, P):
        """d mean(CCE) / dP (through the normalisation and clipping of :meth:`value`)."""
        Y, P = _pair(Y, P)
        s = P.sum(axis=-1, keepdims=True)
        Q = P / s
        inside = (Q > EPSILON) & (Q < 1 - EPSILON)
        gq = np.where(inside, -Y / np.clip(Q, EPSILON, 1), 0) / len(Y)
        # Q = P / s: dL/dP_j = (gq_j - sum_k gq_k Q_k) / s
        return (gq - (gq * Q).sum(axis=-1, keepdims=True)) / s

    def value_from_logits(self, Y, Z):
        # sum_k Y_k (logsumexp(z) - z_k), the same as categorical_crossentropy(Y, Z,
        # from_logits=True) with fewer temporaries: fit calls this at every step
        shifted = Z - Z.max(axis=-1, keepdims=True)
        log_sum_exp = np.log(np.exp(shifted).sum(axis=-1))
        return float(np.dot(log_sum_exp, Y.sum(axis=-1)) - np.vdot(Y, shifted)) / len(Z)

    def gradient_from_logits(self, Y, A, out=None):
        """d mean(CCE) / dZ where A = softmax(Z): (A - Y) / n."""
        out = np.subtract(A, Y, out=out)
        out /= len(A)
        return out

    @staticmethod
    def activate(z):
        return softmax(z)


class SparseCategoricalCrossentropy(CategoricalCrossentropy):
    """Categorical cross-entropy whose targets are integer labels (the model one-hot encodes
    them once per ``fit``)."""

    name = "sparse_categorical_crossentropy"


class MeanSquaredError(Loss):
    name = "mse"

    def value(self, y, p):
        return mean_squared_error(y, p)

    def gradient(self, y, p, out=None):
        y, p = _pair(y, p)
        out = np.subtract(p, y, out=out)
        out *= 2 / p.size
        return out


_LOSSES = {
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "mse": MeanSquaredError,
}
_ALIASES = {"mean_squared_error": "mse", "bce": "binary_crossentropy",
            "cce": "categorical_crossentropy"}


def available() -> list[str]:
    """The names :func:`get` accepts."""
    return sorted(_LOSSES) + sorted(_ALIASES)


def get(loss) -> Loss:
    """The loss object for a name such as ``"binary_crossentropy"`` (or a Loss itself)."""
    if isinstance(loss, Loss):
        return loss
    if not isinstance(loss, str):
        raise TypeError(f"loss must be a name or a Loss, got {type(loss).__name__}")
    name = _ALIASES.get(loss, loss)
    if name not in _LOSSES:
        raise unknown_name("loss", loss, list(_LOSSES) + list(_ALIASES))
    return _LOSSES[name]()
