"""Learning-rate schedules: the learning rate as a function of the step, as in Keras 3.

A schedule is a callable object: ``schedule(t)`` is the learning rate $\\eta_t$ after
``t`` optimizer steps (batches), ``t = 0, 1, 2, ...``. Give one to an optimizer as its
``learning_rate`` and it is evaluated at ``optimizer.iterations`` before every step.
The formulas, argument names and defaults are those of
``keras.optimizers.schedules``; ``t`` may also be an array of steps (for plotting), and
then an array of rates comes back. Also available as ``nnlib.optimizers.schedules``.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["LearningRateSchedule", "ExponentialDecay", "InverseTimeDecay",
           "PiecewiseConstantDecay", "CosineDecay"]


def _number(value, name, low=0.0, allow_low=False, high=None, allow_high=False):
    """``value`` as a float, checked to be a finite real number in the given range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if low is not None and (value < low or (value == low and not allow_low)):
        raise ValueError(f"{name} must be {'>=' if allow_low else '>'} {low:g}, "
                         f"got {value!r}")
    if high is not None and (value > high or (value == high and not allow_high)):
        raise ValueError(f"{name} must be {'<=' if allow_high else '<'} {high:g}, "
                         f"got {value!r}")
    return value


def _steps(step):
    """The step(s) as float64 (scalar or array), and whether a scalar was given."""
    if isinstance(step, bool) or isinstance(step, (str, bytes)):
        raise TypeError(f"step must be a number or an array of numbers, got {step!r}")
    t = np.asarray(step)
    if not (np.issubdtype(t.dtype, np.integer) or np.issubdtype(t.dtype, np.floating)):
        raise TypeError(f"step must be a number or an array of numbers, got dtype {t.dtype}")
    t = t.astype(np.float64)
    if not np.isfinite(t).all():
        raise ValueError(f"step must be finite, got {step!r}")
    return t, t.ndim == 0


def _out(value, scalar):
    return float(value) if scalar else np.asarray(value, dtype=np.float64)


class LearningRateSchedule:
    """Base class: a subclass defines ``__call__(self, step)`` returning the rate."""

    def __call__(self, step):  # pragma: no cover - abstract
        raise NotImplementedError(f"learning rate schedule {type(self).__name__} must "
                                  f"define __call__(self, step)")

    def get_config(self) -> dict:
        """The constructor arguments, so that ``type(s)(**s.get_config())`` rebuilds it."""
        return dict(self._config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._config.items())
        return f"{type(self).__name__}({args})"


class _StepDecay(LearningRateSchedule):
    """What ExponentialDecay and InverseTimeDecay share: eta_0, s, r, staircase, and the
    progress p = t / s (floored with ``staircase``)."""

    _decay_rate_may_be_zero = False

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name=None):
        name = type(self).__name__ if name is None else name
        self.initial_learning_rate = _number(initial_learning_rate, "initial_learning_rate")
        self.decay_steps = _number(decay_steps, "decay_steps")
        self.decay_rate = _number(decay_rate, "decay_rate",
                                  allow_low=self._decay_rate_may_be_zero)
        self.staircase = bool(staircase)
        self.name = name
        self._config = dict(initial_learning_rate=initial_learning_rate,
                            decay_steps=decay_steps, decay_rate=decay_rate,
                            staircase=self.staircase, name=name)

    def _progress(self, step):
        """``(p, scalar)``: p = t / s for the step(s), floored when ``staircase``."""
        t, scalar = _steps(step)
        p = t / self.decay_steps
        return (np.floor(p) if self.staircase else p), scalar


class ExponentialDecay(_StepDecay):
    r"""Exponential decay: $\eta_t = \eta_0 \, r^{t / s}$.

    With ``staircase=True`` the exponent is $\lfloor t / s \rfloor$, so the rate drops by
    the factor $r$ every $s$ steps.

    Parameters
    ----------
    initial_learning_rate : float
        $\eta_0 > 0$, the rate at step 0.
    decay_steps : float
        $s > 0$: the rate is multiplied by ``decay_rate`` every ``decay_steps`` steps.
    decay_rate : float
        $r > 0$ (below 1 to decay).
    staircase : bool
        Decay in discrete jumps instead of continuously.
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step):
        p, scalar = self._progress(step)
        return _out(self.initial_learning_rate * np.power(self.decay_rate, p), scalar)


class InverseTimeDecay(_StepDecay):
    r"""Inverse time decay: $\eta_t = \eta_0 / (1 + r \, t / s)$.

    With ``staircase=True``, $t / s$ is replaced by $\lfloor t / s \rfloor$.

    Parameters
    ----------
    initial_learning_rate : float
        $\eta_0 > 0$.
    decay_steps : float
        $s > 0$.
    decay_rate : float
        $r \ge 0$.
    staircase : bool
        Decay in discrete jumps instead of continuously.
    """

    _decay_rate_may_be_zero = True

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step):
        p, scalar = self._progress(step)
        return _out(self.initial_learning_rate / (1 + self.decay_rate * p), scalar)


class PiecewiseConstantDecay(LearningRateSchedule):
    r"""A piecewise constant rate: ``values[i]`` while $b_{i-1} < t \le b_i$.

    That is ``values[0]`` for $t \le$ ``boundaries[0]``, ``values[1]`` for
    ``boundaries[0]`` $< t \le$ ``boundaries[1]``, ..., and ``values[-1]`` after the
    last boundary (Keras's convention: a boundary step still has the earlier value).

    Parameters
    ----------
    boundaries : list of numbers
        Strictly increasing steps.
    values : list of float
        The positive rates, one more than ``boundaries``.
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        try:
            boundaries, values = list(boundaries), list(values)
        except TypeError:
            raise TypeError("boundaries and values must be lists of numbers") from None
        if len(boundaries) != len(values) - 1:
            raise ValueError(f"values must have one more element than boundaries: got "
                             f"{len(boundaries)} boundaries and {len(values)} values")
        b = [_number(x, f"boundaries[{i}]", low=None) for i, x in enumerate(boundaries)]
        if any(lo >= hi for lo, hi in zip(b[:-1], b[1:])):
            raise ValueError(f"boundaries must be strictly increasing, got {boundaries}")
        self.boundaries = np.array(b, dtype=np.float64)
        self.values = np.array([_number(v, f"values[{i}]") for i, v in enumerate(values)])
        self.name = name
        self._config = dict(boundaries=boundaries, values=values, name=name)

    def __call__(self, step):
        t, scalar = _steps(step)
        # the number of boundaries strictly below t is the index of the value
        return _out(self.values[np.searchsorted(self.boundaries, t, side="left")], scalar)


class CosineDecay(LearningRateSchedule):
    r"""Cosine decay (Loshchilov & Hutter's SGDR without restarts), optional linear warmup.

    Without warmup, from $\eta_0$ to $\alpha \eta_0$ over $s$ steps and then constant:

    $$\eta_t = \eta_0 \left[(1 - \alpha)\tfrac12\left(1 + \cos\tfrac{\pi \min(t, s)}{s}
    \right) + \alpha\right].$$

    With ``warmup_target`` $\eta_w$ and ``warmup_steps`` $w$: first a straight line from
    $\eta_0$ to $\eta_w$ over $w$ steps, $\eta_t = \eta_0 + (\eta_w - \eta_0) t / w$ for
    $t < w$, then the cosine decay above from $\eta_w$ at step $t - w$.

    Parameters
    ----------
    initial_learning_rate : float
        $\eta_0$: positive, or zero when warming up from 0.
    decay_steps : float
        $s > 0$, the length of the decay.
    alpha : float
        The final rate as a fraction of the decay's starting rate, in $[0, 1]$.
    warmup_target : float or None
        $\eta_w > 0$; None for no warmup.
    warmup_steps : int
        $w \ge 0$.
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        self.initial_learning_rate = _number(initial_learning_rate, "initial_learning_rate",
                                             allow_low=warmup_target is not None)
        self.decay_steps = _number(decay_steps, "decay_steps")
        self.alpha = _number(alpha, "alpha", allow_low=True, high=1.0, allow_high=True)
        self.warmup_target = (None if warmup_target is None
                              else _number(warmup_target, "warmup_target"))
        self.warmup_steps = _number(warmup_steps, "warmup_steps", allow_low=True)
        self.name = name
        self._config = dict(initial_learning_rate=initial_learning_rate,
                            decay_steps=decay_steps, alpha=alpha, name=name,
                            warmup_target=warmup_target, warmup_steps=warmup_steps)

    def _decay(self, t, start):
        cosine = 0.5 * (1.0 + np.cos(math.pi * (t / self.decay_steps)))
        return start * ((1 - self.alpha) * cosine + self.alpha)

    def __call__(self, step):
        t, scalar = _steps(step)
        if self.warmup_target is None:
            return _out(self._decay(np.minimum(t, self.decay_steps),
                                    self.initial_learning_rate), scalar)
        w, target = self.warmup_steps, self.warmup_target
        t = np.minimum(t, self.decay_steps + w)
        # the warmup line (used only where t < w, so there is none when w = 0)
        line = (target - self.initial_learning_rate) * (t / w) if w > 0 else 0.0 * t
        rate = np.where(t < w, line + self.initial_learning_rate,
                        self._decay(np.maximum(t - w, 0.0), target))
        return _out(rate, scalar)
