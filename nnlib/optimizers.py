"""Optimizers: update rules that change parameters in place, as Keras 3 does.

Each optimizer has ``step(params, grads)``: lists of arrays in the same order, the
parameters updated in place. Its state (velocities, moment estimates) and one scratch
array per parameter are allocated at the first step and reused, so a step allocates
nothing weight-sized. The formulas are Keras's, step for step, so nnlib and Keras agree.
Chapter 8 derives them.
"""
from __future__ import annotations

import math

import numpy as np

from ._validation import check_positive_float, unknown_name

__all__ = ["Optimizer", "SGD", "Adam", "get", "available"]


class Optimizer:
    """Base class. ``learning_rate`` may be a number or a function of the step count."""

    def __init__(self, learning_rate):
        if callable(learning_rate):
            self._lr = learning_rate
        else:
            self._lr = check_positive_float(learning_rate, "learning_rate")
        self._state: list[dict[str, np.ndarray]] | None = None
        self.reset()

    @property
    def learning_rate(self):
        """The learning rate of the next step."""
        return float(self._lr(self.iterations)) if callable(self._lr) else self._lr

    @learning_rate.setter
    def learning_rate(self, value):
        self._lr = value if callable(value) else check_positive_float(value, "learning_rate")

    def step(self, params, grads, slices=None):
        """Update each array of ``params`` in place from the matching one of ``grads``.

        Parameters
        ----------
        params, grads : list of ndarray
            The parameters (updated in place) and their gradients, in the same order.
        slices : list of (list of slice or None), optional
            For each array of ``params``, the separate variables stored inside it, as
            slices of the flattened array (a model keeping all its weights in one vector
            ``theta`` calls ``step([theta], [grad], slices=[var_slices])``). ``None``
            (the default, for all arrays or for one) means the array is one variable.
            Element-wise updates run on whole arrays; only per-variable operations
            (``clipnorm``) use the slices.

        The state belongs to these parameter arrays: given other arrays (the optimizer
        reused for another model) it starts afresh, step count included.
        """
        slices = _check_slices(params, slices)
        if self._state is None or not _same_arrays(params, self._params):
            self.reset()
            self._params = list(params)
            self._state = [self._new_state(p) for p in params]
        self._slices = slices
        lr = self.learning_rate
        self._prepare(lr)
        for p, g, state in zip(params, grads, self._state):
            self._update(p, g, state, lr)
        self.iterations += 1
        if self.iterations % 100 == 0:
            self._flush_subnormals()

    def _flush_subnormals(self):
        """Set state entries below the smallest normal float to zero.

        Moment estimates of weights that stopped learning decay geometrically until they
        become subnormal numbers, on which x86 processors compute many times more
        slowly. TensorFlow flushes them to zero; NumPy cannot, so we do it here every
        100 steps. Values below 1e-38 (float32) change nothing measurable.
        """
        for state in self._state:
            for key, a in state.items():
                if key != "tmp":
                    np.copyto(a, 0, where=np.abs(a) < np.finfo(a.dtype).tiny)

    def reset(self):
        """Forget the state (moments, velocities) and the step count."""
        self.iterations = 0
        self._state = None
        self._params: list[np.ndarray] = []

    def _new_state(self, p):
        return {"tmp": np.empty_like(p)}

    def _prepare(self, lr):
        """Hook run once per step, before the per-parameter updates."""

    def _update(self, p, g, state, lr):  # pragma: no cover - abstract
        raise NotImplementedError


def _check_slices(params, slices):
    """Validate ``slices`` (see ``Optimizer.step``); return one list (or None) per array."""
    if slices is None:
        return [None] * len(params)
    if isinstance(slices, slice) or len(slices) != len(params):
        got = "a slice" if isinstance(slices, slice) else len(slices)
        raise ValueError(f"slices must hold one entry (a list of slices or None) per "
                         f"parameter array: got {got} for {len(params)} arrays")
    out = []
    for i, (p, sl) in enumerate(zip(params, slices)):
        if sl is None:
            out.append(None)
            continue
        sl = list(sl)
        n = np.size(p)
        for s in sl:
            if not isinstance(s, slice) or s.step not in (None, 1):
                raise TypeError(f"slices[{i}] must be a list of slice objects with step 1, "
                                f"got {s!r}")
            start, stop, _ = s.indices(n)
            if s.start is None and s.stop is None:
                continue
            if (s.start is not None and not 0 <= s.start <= n) or \
                    (s.stop is not None and not 0 <= s.stop <= n) or start > stop:
                raise ValueError(f"slices[{i}] has {s!r}, outside parameter array {i} "
                                 f"of size {n}")
        out.append(sl)
    return out


def _same_arrays(a, b):
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum.

    Without momentum: w <- w - lr g.
    With momentum m: v <- m v - lr g, then w <- w + v, or for Nesterov
    w <- w + m v - lr g (Keras's formulation).
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False):
        super().__init__(learning_rate)
        self.momentum = check_positive_float(momentum, "momentum", allow_zero=True)
        if self.momentum >= 1:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}")
        self.nesterov = bool(nesterov)

    def _new_state(self, p):
        state = super()._new_state(p)
        if self.momentum:
            state["velocity"] = np.zeros_like(p)
        return state

    def _update(self, p, g, state, lr):
        tmp = np.multiply(g, lr, out=state["tmp"])          # lr g
        if not self.momentum:
            p -= tmp
            return
        v = state["velocity"]
        v *= self.momentum
        v -= tmp                                            # v = m v - lr g
        if self.nesterov:                                   # w += m v - lr g
            p -= tmp
            np.multiply(v, self.momentum, out=tmp)
            p += tmp
        else:                                               # w += v
            p += v


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) in Keras's form.

    m <- m + (1 - beta_1)(g - m);  v <- v + (1 - beta_2)(g^2 - v);
    w <- w - alpha m / (sqrt(v) + epsilon) with
    alpha = lr sqrt(1 - beta_2^t) / (1 - beta_1^t) at step t = 1, 2, ...
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        super().__init__(learning_rate)
        for name, b in (("beta_1", beta_1), ("beta_2", beta_2)):
            if not 0 <= b < 1:
                raise ValueError(f"{name} must be in [0, 1), got {b}")
        self.beta_1, self.beta_2 = float(beta_1), float(beta_2)
        self.epsilon = check_positive_float(epsilon, "epsilon")

    def _new_state(self, p):
        state = super()._new_state(p)
        state["m"] = np.zeros_like(p)
        state["v"] = np.zeros_like(p)
        return state

    def _prepare(self, lr):
        t = self.iterations + 1
        # a Python float, so that float32 arrays multiplied by it stay float32 and fast
        self._alpha = lr * math.sqrt(1 - self.beta_2 ** t) / (1 - self.beta_1 ** t)

    def _update(self, p, g, state, lr):
        m, v, tmp = state["m"], state["v"], state["tmp"]
        np.subtract(g, m, out=tmp)
        tmp *= 1 - self.beta_1
        m += tmp                                            # m += (1 - b1)(g - m)
        np.multiply(g, g, out=tmp)
        tmp -= v
        tmp *= 1 - self.beta_2
        v += tmp                                            # v += (1 - b2)(g^2 - v)
        np.sqrt(v, out=tmp)
        tmp += self.epsilon
        np.divide(m, tmp, out=tmp)
        tmp *= self._alpha
        p -= tmp                                            # w -= alpha m / (sqrt(v) + eps)


_OPTIMIZERS = {"sgd": SGD, "adam": Adam}


def available() -> list[str]:
    return sorted(_OPTIMIZERS)


def get(optimizer) -> Optimizer:
    """An optimizer object, or a new one with default settings from its name."""
    if isinstance(optimizer, Optimizer):
        return optimizer
    if not isinstance(optimizer, str):
        raise TypeError(f"optimizer must be a name or an Optimizer, got "
                        f"{type(optimizer).__name__}")
    if optimizer.lower() not in _OPTIMIZERS:
        raise unknown_name("optimizer", optimizer, _OPTIMIZERS)
    return _OPTIMIZERS[optimizer.lower()]()
