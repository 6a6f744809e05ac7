r"""Optimizers: update rules that change parameters in place, as Keras 3 does.

Each optimizer has ``step(params, grads, slices=None)``: lists of arrays in the same
order, the parameters updated in place. Its state (velocities, moment estimates) and
scratch arrays are allocated at the first step and reused, so a step allocates nothing
weight-sized and runs a handful of whole-array NumPy operations per array. The formulas
are Keras's, step for step, so nnlib and Keras agree; chapter 8 derives them.

Notation (``notation.md``): $\theta$ the parameters, $g_t = \nabla_\theta L$ the
gradient at step $t = 1, 2, \dots$, $\eta_t$ the learning rate (a schedule is evaluated
at $t - 1$, the number of steps done); products, squares, square roots and divisions of
vectors are element-wise. A step runs, as Keras's does:

1. clipping of $g_t$ (``clipnorm``, ``clipvalue`` or ``global_clipnorm``),
2. decoupled weight decay $\theta \leftarrow \theta - \lambda \eta_t \theta$
   (``weight_decay`` $= \lambda$),
3. the optimizer's update, then $t \leftarrow t + 1$ (``iterations``).

Scalar factors are Python floats, so float32 arrays stay float32.
"""
from __future__ import annotations

import inspect
import math
import numbers

import numpy as np

from . import schedules
from ._validation import check_positive_float, unknown_name

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW",
           "schedules", "get", "available"]

# state entries that are scratch space, not optimizer state
_SCRATCH = ("tmp", "tmp2", "clip")


def _fraction(value, name):
    """A decay factor (momentum, rho, beta): a finite number in [0, 1)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not 0 <= value < 1:   # False for NaN too
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return float(value)


def _momentum(value):
    value = check_positive_float(value, "momentum", allow_zero=True)
    if value >= 1:
        raise ValueError(f"momentum must be in [0, 1), got {value}")
    return value


def _optional_positive(value, name, allow_zero=False):
    return None if value is None else check_positive_float(value, name, allow_zero)


class Optimizer:
    r"""Base class of the optimizers: learning rate, clipping, weight decay, the step.

    Parameters
    ----------
    learning_rate : float or callable
        $\eta > 0$, or a function of the number of steps done returning $\eta_t$, such
        as a schedule from :mod:`nnlib.schedules` (also ``nnlib.optimizers.schedules``).
    weight_decay : float or None
        $\lambda \ge 0$: before each update $\theta \leftarrow \theta - \lambda\eta_t
        \theta$ (decoupled weight decay, Loshchilov & Hutter). None: no decay.
    clipnorm : float or None
        Rescale the gradient of each variable whose norm exceeds this:
        $g \leftarrow g \, c / \max(\lVert g \rVert_2, c)$.
    clipvalue : float or None
        Clip each gradient entry to $[-c, c]$.
    global_clipnorm : float or None
        Rescale all gradients together when their joint norm exceeds this.

    At most one of the three clipping options may be set (as in Keras).
    """

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None):
        self._lr = None
        self.learning_rate = learning_rate
        self.weight_decay = _optional_positive(weight_decay, "weight_decay", True)
        clips = {"clipnorm": clipnorm, "clipvalue": clipvalue,
                 "global_clipnorm": global_clipnorm}
        given = [k for k, v in clips.items() if v is not None]
        if len(given) > 1:
            raise ValueError(f"only one of clipnorm, clipvalue and global_clipnorm can be "
                             f"set, got {', '.join(f'{k}={clips[k]!r}' for k in given)}")
        self.clipnorm = _optional_positive(clipnorm, "clipnorm")
        self.clipvalue = _optional_positive(clipvalue, "clipvalue")
        self.global_clipnorm = _optional_positive(global_clipnorm, "global_clipnorm")
        self._state: list[dict[str, np.ndarray]] | None = None
        self.reset()

    # ------------------------------------------------------------------ learning rate
    @property
    def learning_rate(self):
        """The learning rate of the next step (a schedule evaluated at ``iterations``)."""
        if not callable(self._lr):
            return self._lr
        lr = self._lr(self.iterations)
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real) \
                or not math.isfinite(lr) or lr < 0:
            raise ValueError(f"the learning rate schedule returned {lr!r} at step "
                             f"{self.iterations}; it must return a finite number >= 0")
        return float(lr)

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(self._lr, schedules.LearningRateSchedule) and not callable(value):
            raise TypeError("this optimizer's learning_rate is a LearningRateSchedule, "
                            "so it cannot be set to a number; create the optimizer with "
                            "a number to change the rate by hand")
        self._lr = value if callable(value) else check_positive_float(value, "learning_rate")

    # --------------------------------------------------------------------------- step
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
            (``clipnorm``) use the slices. Entries outside every slice are not clipped
            by ``clipnorm``.

        The state belongs to these parameter arrays: given other arrays (the optimizer
        reused for another model) it starts afresh, step count included. The gradients
        are not modified.
        """
        params, grads = list(params), list(grads)
        _check_pairs(params, grads)
        slices = _check_slices(params, slices)
        if self._state is None or not _same_arrays(params, self._params):
            self.build(params)
        self._slices = slices
        lr = self.learning_rate
        grads = self._clip_gradients(grads, slices)
        if self.weight_decay is not None:
            decay = self.weight_decay * lr
            for p, state in zip(params, self._state):
                p -= np.multiply(p, decay, out=state["tmp"])    # theta -= lambda eta theta
        self._prepare(lr)
        for p, g, state in zip(params, grads, self._state):
            self._update(p, g, state, lr)
        self.iterations += 1
        if self.iterations % 100 == 0:
            self._flush_subnormals()

    def build(self, params):
        """Allocate the state for ``params`` (and forget any earlier state and step count).

        ``step`` calls it on its first call; call it yourself to set the state by hand
        (as in a published one-step check), e.g. ``opt.build([w]);
        opt.state[0]["velocity"][...] = v``.
        """
        self.reset()
        self._params = list(params)
        self._state = [self._new_state(p) for p in self._params]

    @property
    def state(self) -> list[dict[str, np.ndarray]] | None:
        """Per parameter array, its state arrays by name (scratch space left out)."""
        if self._state is None:
            return None
        return [{k: a for k, a in st.items() if k not in _SCRATCH} for st in self._state]

    def _clip_gradients(self, grads, slices):
        """The clipped gradients, written into scratch arrays (the inputs stay intact)."""
        if self.clipvalue is not None:
            c = self.clipvalue
            return [np.clip(g, -c, c, out=state["clip"]) for g, state in zip(grads, self._state)]
        if self.clipnorm is not None:
            c = self.clipnorm
            out = []
            for g, state, sl in zip(grads, self._state, slices):
                buf = state["clip"]
                np.copyto(buf, g)
                flat = buf.reshape(-1)
                for s in (slice(None),) if sl is None else sl:
                    part = flat[s]
                    norm = math.sqrt(float(np.dot(part, part)))
                    if norm > c:                        # g <- g c / max(||g||, c)
                        part *= c / norm
                out.append(buf)
            return out
        if self.global_clipnorm is not None:
            c = self.global_clipnorm
            norm = math.sqrt(sum(float(np.dot(g.reshape(-1), g.reshape(-1))) for g in grads))
            # Keras's scale c min(1/norm, 1/c): 1 below the threshold, NaN for a
            # non-finite norm (the step then poisons the weights, as in Keras)
            if not math.isfinite(norm):
                scale = math.nan
            else:
                scale = c * min(1 / norm, 1 / c) if norm > 0 else 1.0
            if scale == 1.0:
                return grads
            return [np.multiply(g, scale, out=state["clip"])
                    for g, state in zip(grads, self._state)]
        return grads

    def _flush_subnormals(self):
        """Set state entries below the smallest normal float to zero.

        Moment estimates of weights that stopped learning decay geometrically until they
        become subnormal numbers, on which x86 processors compute many times more
        slowly. TensorFlow flushes them to zero; NumPy cannot, so we do it here every
        100 steps. Values below 1e-38 (float32) change nothing measurable.
        """
        for state in self._state:
            for key, a in state.items():
                if key not in _SCRATCH:
                    np.copyto(a, 0, where=np.abs(a) < np.finfo(a.dtype).tiny)

    def reset(self):
        """Forget the state (moments, velocities) and the step count."""
        self.iterations = 0
        self._state = None
        self._params: list[np.ndarray] = []
        self._slices = None

    def get_config(self) -> dict:
        """The constructor arguments, so that ``type(o)(**o.get_config())`` rebuilds it."""
        config = {}
        for name in inspect.signature(type(self).__init__).parameters:
            if name != "self":
                config[name] = self._lr if name == "learning_rate" else getattr(self, name)
        return config

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items()
                         if v is not None)
        return f"{type(self).__name__}({args})"

    # ------------------------------------------------------------ for the subclasses
    def _new_state(self, p):
        state = {"tmp": np.empty_like(p)}
        if self.clipnorm is not None or self.clipvalue is not None \
                or self.global_clipnorm is not None:
            state["clip"] = np.empty(p.shape, dtype=p.dtype)   # C-contiguous
        return state

    def _prepare(self, lr):
        """Hook run once per step, before the per-parameter updates."""

    def _update(self, p, g, state, lr):  # pragma: no cover - abstract
        raise NotImplementedError


def _check_pairs(params, grads):
    if len(params) != len(grads):
        raise ValueError(f"got {len(params)} parameter arrays but {len(grads)} gradients")
    for i, (p, g) in enumerate(zip(params, grads)):
        if not isinstance(p, np.ndarray):
            raise TypeError(f"params[{i}] must be a NumPy array (updated in place), got "
                            f"{type(p).__name__}")
        if np.shape(g) != p.shape:
            raise ValueError(f"grads[{i}] has shape {np.shape(g)} but params[{i}] has "
                             f"shape {p.shape}")


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


# ============================================================================ SGD
class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with (Nesterov) momentum.

    Without momentum: $\theta_t = \theta_{t-1} - \eta_t g_t$.

    With momentum $\mu$ (Keras's form: the learning rate sits inside the velocity $v$,
    $v_0 = 0$):

    $$v_t = \mu v_{t-1} - \eta_t g_t, \qquad \theta_t = \theta_{t-1} + v_t,$$

    and with ``nesterov=True`` $\theta_t = \theta_{t-1} + \mu v_t - \eta_t g_t$.

    With a constant $\eta$ this equals PyTorch's $b_t = \mu b_{t-1} + g_t$,
    $\theta_t = \theta_{t-1} - \eta b_t$; under a schedule it does not (Keras's $v$
    remembers the earlier, larger rates).

    Parameters
    ----------
    learning_rate : float or callable
        $\eta$, default 0.01.
    momentum : float
        $\mu \in [0, 1)$, default 0.
    nesterov : bool
        Nesterov's momentum, default False.
    weight_decay, clipnorm, clipvalue, global_clipnorm
        See :class:`Optimizer`.
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm)
        self.momentum = _momentum(momentum)
        self.nesterov = bool(nesterov)

    def _new_state(self, p):
        state = super()._new_state(p)
        if self.momentum:
            state["velocity"] = np.zeros_like(p)
        return state

    def _update(self, p, g, state, lr):
        tmp = np.multiply(g, lr, out=state["tmp"])          # eta g
        if not self.momentum:
            p -= tmp                                        # theta -= eta g
            return
        v = state["velocity"]
        v *= self.momentum
        v -= tmp                                            # v = mu v - eta g
        if self.nesterov:                                   # theta += mu v - eta g
            p -= tmp
            np.multiply(v, self.momentum, out=tmp)
            p += tmp
        else:                                               # theta += v
            p += v


# ======================================================================== Adagrad
class Adagrad(Optimizer):
    r"""Adagrad (Duchi, Hazan & Singer, 2011) in Keras's form.

    The accumulator $a$ starts at ``initial_accumulator_value`` $a_0$ (not 0), and
    $\epsilon$ sits under the square root:

    $$a_t = a_{t-1} + g_t^2, \qquad
    \theta_t = \theta_{t-1} - \eta_t \frac{g_t}{\sqrt{a_t + \epsilon}}.$$

    Parameters
    ----------
    learning_rate : float or callable
        $\eta$, default 0.001 (the paper's form uses 1.0).
    initial_accumulator_value : float
        $a_0 \ge 0$, default 0.1.
    epsilon : float
        $\epsilon > 0$, default 1e-7.
    weight_decay, clipnorm, clipvalue, global_clipnorm
        See :class:`Optimizer`.
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm)
        self.initial_accumulator_value = check_positive_float(
            initial_accumulator_value, "initial_accumulator_value", allow_zero=True)
        self.epsilon = check_positive_float(epsilon, "epsilon")

    def _new_state(self, p):
        state = super()._new_state(p)
        state["accumulator"] = np.full_like(p, self.initial_accumulator_value)
        return state

    def _update(self, p, g, state, lr):
        a, tmp = state["accumulator"], state["tmp"]
        a += np.multiply(g, g, out=tmp)                     # a += g^2
        np.add(a, self.epsilon, out=tmp)
        np.sqrt(tmp, out=tmp)
        np.divide(g, tmp, out=tmp)
        tmp *= lr
        p -= tmp                                            # theta -= eta g / sqrt(a + eps)


# ======================================================================== RMSprop
class RMSprop(Optimizer):
    r"""RMSprop (Hinton, 2012) in Keras's form, optionally centered and with momentum.

    A moving average of the squared gradients, $\epsilon$ under the square root
    ($s_0 = 0$):

    $$s_t = \rho s_{t-1} + (1 - \rho) g_t^2, \qquad
    \Delta_t = \eta_t \frac{g_t}{\sqrt{s_t + \epsilon}}, \qquad
    \theta_t = \theta_{t-1} - \Delta_t.$$

    ``centered=True`` divides by an estimate of the variance instead: with
    $\bar g_t = \rho \bar g_{t-1} + (1 - \rho) g_t$, the denominator is
    $\sqrt{s_t - \bar g_t^2 + \epsilon}$. With ``momentum`` $\mu > 0$,
    $m_t = \mu m_{t-1} + \Delta_t$ and $\theta_t = \theta_{t-1} - m_t$.

    Parameters
    ----------
    learning_rate : float or callable
        $\eta$, default 0.001.
    rho : float
        $\rho \in [0, 1)$, default 0.9.
    momentum : float
        $\mu \in [0, 1)$, default 0.
    epsilon : float
        $\epsilon > 0$, default 1e-7.
    centered : bool
        Default False.
    weight_decay, clipnorm, clipvalue, global_clipnorm
        See :class:`Optimizer`.
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm)
        self.rho = _fraction(rho, "rho")
        self.momentum = _momentum(momentum)
        self.epsilon = check_positive_float(epsilon, "epsilon")
        self.centered = bool(centered)

    def _new_state(self, p):
        state = super()._new_state(p)
        state["velocity"] = np.zeros_like(p)
        if self.momentum:
            state["momentum"] = np.zeros_like(p)
        if self.centered:
            state["average_gradient"] = np.zeros_like(p)
        return state

    def _update(self, p, g, state, lr):
        s, tmp, rho = state["velocity"], state["tmp"], self.rho
        s *= rho
        np.multiply(g, g, out=tmp)
        tmp *= 1 - rho
        s += tmp                                            # s = rho s + (1 - rho) g^2
        if self.centered:
            avg = state["average_gradient"]
            avg *= rho
            avg += np.multiply(g, 1 - rho, out=tmp)         # gbar = rho gbar + (1 - rho) g
            np.multiply(avg, avg, out=tmp)
            np.subtract(s, tmp, out=tmp)
            tmp += self.epsilon                             # s - gbar^2 + eps
        else:
            np.add(s, self.epsilon, out=tmp)                # s + eps
        np.sqrt(tmp, out=tmp)
        np.divide(g, tmp, out=tmp)
        tmp *= lr                                           # Delta = eta g / sqrt(...)
        if self.momentum:
            m = state["momentum"]
            m *= self.momentum
            m += tmp                                        # m = mu m + Delta
            p -= m
        else:
            p -= tmp


# ======================================================================= Adadelta
class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012) in Keras's form, with a learning rate.

    Two moving averages, of the squared gradients $s$ and of the squared updates $u$
    ($s_0 = u_0 = 0$), $\epsilon$ under both square roots:

    $$s_t = \rho s_{t-1} + (1 - \rho) g_t^2, \qquad
    \Delta_t = -\frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{s_t + \epsilon}} g_t,$$

    $$u_t = \rho u_{t-1} + (1 - \rho) \Delta_t^2, \qquad
    \theta_t = \theta_{t-1} + \eta_t \Delta_t.$$

    The paper has no learning rate ($\eta = 1$); Keras's default is 0.001.

    Parameters
    ----------
    learning_rate : float or callable
        $\eta$, default 0.001.
    rho : float
        $\rho \in [0, 1)$, default 0.95.
    epsilon : float
        $\epsilon > 0$, default 1e-7.
    weight_decay, clipnorm, clipvalue, global_clipnorm
        See :class:`Optimizer`.
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm)
        self.rho = _fraction(rho, "rho")
        self.epsilon = check_positive_float(epsilon, "epsilon")

    def _new_state(self, p):
        state = super()._new_state(p)
        state["tmp2"] = np.empty_like(p)
        state["accumulated_grad"] = np.zeros_like(p)
        state["accumulated_delta_var"] = np.zeros_like(p)
        return state

    def _update(self, p, g, state, lr):
        s, u = state["accumulated_grad"], state["accumulated_delta_var"]
        tmp, tmp2, rho, eps = state["tmp"], state["tmp2"], self.rho, self.epsilon
        s *= rho
        np.multiply(g, g, out=tmp)
        tmp *= 1 - rho
        s += tmp                                            # s = rho s + (1 - rho) g^2
        np.add(u, eps, out=tmp)
        np.sqrt(tmp, out=tmp)
        tmp *= g
        np.add(s, eps, out=tmp2)
        np.sqrt(tmp2, out=tmp2)
        tmp /= tmp2                                         # -Delta = sqrt(u+eps) g / sqrt(s+eps)
        u *= rho
        np.multiply(tmp, tmp, out=tmp2)
        tmp2 *= 1 - rho
        u += tmp2                                           # u = rho u + (1 - rho) Delta^2
        tmp *= lr
        p -= tmp                                            # theta += eta Delta


# =========================================================================== Adam
class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015) in Keras's form, optionally AMSGrad.

    Moving averages of the gradients and of their squares ($m_0 = v_0 = 0$),

    $$m_t = m_{t-1} + (1 - \beta_1)(g_t - m_{t-1}), \qquad
    v_t = v_{t-1} + (1 - \beta_2)(g_t^2 - v_{t-1}),$$

    and a step with the bias corrections folded into the rate, $\epsilon$ outside the
    square root (the paper's "epsilon hat", not bias-corrected):

    $$\alpha_t = \eta_t \frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t}, \qquad
    \theta_t = \theta_{t-1} - \alpha_t \frac{m_t}{\sqrt{v_t} + \epsilon}.$$

    ``amsgrad=True`` (Reddi, Kale & Kumar, 2018) divides by
    $\sqrt{\hat v_t}$ with $\hat v_t = \max(\hat v_{t-1}, v_t)$ instead.

    Parameters
    ----------
    learning_rate : float or callable
        $\eta$, default 0.001.
    beta_1, beta_2 : float
        $\beta_1, \beta_2 \in [0, 1)$, defaults 0.9 and 0.999.
    epsilon : float
        $\epsilon > 0$, default 1e-7.
    amsgrad : bool
        Default False.
    weight_decay, clipnorm, clipvalue, global_clipnorm
        See :class:`Optimizer`.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm)
        self.beta_1, self.beta_2 = _fraction(beta_1, "beta_1"), _fraction(beta_2, "beta_2")
        self.epsilon = check_positive_float(epsilon, "epsilon")
        self.amsgrad = bool(amsgrad)

    def _new_state(self, p):
        state = super()._new_state(p)
        state["m"] = np.zeros_like(p)
        state["v"] = np.zeros_like(p)
        if self.amsgrad:
            state["v_hat"] = np.zeros_like(p)
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
        if self.amsgrad:
            v = np.maximum(state["v_hat"], v, out=state["v_hat"])   # v_hat = max(v_hat, v)
        np.sqrt(v, out=tmp)
        tmp += self.epsilon
        np.divide(m, tmp, out=tmp)
        tmp *= self._alpha
        p -= tmp                                            # theta -= alpha m / (sqrt(v) + eps)


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter, 2019), as in Keras.

    Before each Adam step, $\theta \leftarrow \theta - \lambda \eta_t \theta$: the decay
    is applied to the weights directly, not added to the gradient (where Adam's
    division by $\sqrt{v}$ would rescale it). Otherwise exactly :class:`Adam`.

    Parameters
    ----------
    learning_rate : float or callable
        $\eta$, default 0.001.
    weight_decay : float
        $\lambda \ge 0$, default 0.004.
    beta_1, beta_2, epsilon, amsgrad
        As for :class:`Adam`.
    clipnorm, clipvalue, global_clipnorm
        See :class:`Optimizer`.
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, clipnorm=None, clipvalue=None,
                 global_clipnorm=None):
        if weight_decay is None:
            raise ValueError("AdamW needs a weight_decay (a number >= 0), got None; use "
                             "Adam for no decay")
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay,
                         clipnorm, clipvalue, global_clipnorm)


_OPTIMIZERS = {"sgd": SGD, "adagrad": Adagrad, "rmsprop": RMSprop, "adadelta": Adadelta,
               "adam": Adam, "adamw": AdamW}


def available() -> list[str]:
    """The optimizer names :func:`get` (and ``compile``) accept."""
    return sorted(_OPTIMIZERS)


def get(optimizer) -> Optimizer:
    """An optimizer object, or a new one with Keras's default settings from its name."""
    if isinstance(optimizer, Optimizer):
        return optimizer
    if not isinstance(optimizer, str):
        raise TypeError(f"optimizer must be a name or an Optimizer, got "
                        f"{type(optimizer).__name__}")
    if optimizer.lower() not in _OPTIMIZERS:
        raise unknown_name("optimizer", optimizer, _OPTIMIZERS)
    return _OPTIMIZERS[optimizer.lower()]()
