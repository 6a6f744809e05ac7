"""Layers: each has ``forward`` and ``backward``, and exposes its parameters and gradients.

A layer is built for an input width (``build``) and then maps a batch ``X`` of shape
(n, input_dim) to (n, output_dim). ``backward(grad)`` takes dL/d(output) for the last
``forward`` batch, stores dL/d(parameter) in ``grads`` and returns dL/d(input).

The layer contract
------------------
A layer declares its variables in ``_build(input_dim, rng, dtype)``, which returns the
output width, by calling :meth:`Layer.add_weight` once per variable::

    self.add_weight("kernel", (input_dim, units), initializer, rng)          # trainable
    self.add_weight("moving_mean", (units,), "zeros", rng, trainable=False)  # state

* A **trainable** variable goes into ``params[name]``, with its gradient in
  ``grads[name]`` (same shape, written by ``backward``). Inside a model these arrays are
  *views* into the model's one parameter vector ``theta`` and its gradient vector
  (:attr:`nnlib.Sequential.theta`): the layer reads and writes them in place (``p[...] =
  ...``, ``np.matmul(..., out=g)``) and never rebinds them (``params[name] = ...`` would
  cut the array loose from ``theta``).
* A **non-trainable** variable (a running statistic such as BatchNormalization's moving
  mean and variance) goes into ``state[name]``: the layer's own array, not in ``theta``,
  not touched by the optimizer, updated by the layer itself in ``forward(training=True)``.
* ``get_weights()`` returns all of them, trainable or not, in the order they were added:
  Keras's order.

A layer built on its own (``Dense(3).build(4)``, as the chapters do) owns its arrays;
:class:`nnlib.Sequential` moves them into ``theta`` when it is built.

``forward`` keeps what ``backward`` needs (its input, and for ``Dense`` z and a) and may
return an array that the next call overwrites (``PReLU`` reuses its work arrays): copy
it if you keep it. :meth:`nnlib.Sequential.predict` always returns a fresh array.
"""
from __future__ import annotations

import numpy as np

from . import activations as _activations
from . import initializers as _initializers
from . import regularizers as _regularizers
from ._validation import check_positive_int

__all__ = ["Layer", "Dense", "Activation"]


class Layer:
    """Base class: trainable ``params``, their ``grads``, non-trainable ``state``, by name.

    See the module's docstring for the contract a layer follows.
    """

    kind = "layer"

    def __init__(self, name=None, input_dim=None):
        self.name = name
        self.input_dim = None if input_dim is None else check_positive_int(input_dim, "input_dim")
        self.output_dim = None
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.state: dict[str, np.ndarray] = {}
        self.weight_names: list[str] = []     # every variable, in the order added (Keras's)
        self.built = False
        self.dtype = np.dtype(np.float64)
        self._buffers: dict[str, np.ndarray] = {}

    # -- building
    def build(self, input_dim, rng=None, dtype=np.float64):
        """Create the parameters for inputs of width ``input_dim``; returns the output width."""
        if self.input_dim is not None and input_dim != self.input_dim:
            raise ValueError(f"layer {self.name!r} expects {self.input_dim} inputs but the "
                             f"previous layer gives {input_dim}")
        self.input_dim = input_dim
        self.dtype = np.dtype(dtype)
        self.params, self.grads, self.state, self.weight_names = {}, {}, {}, []
        self.output_dim = self._build(input_dim, rng if rng is not None
                                      else np.random.default_rng(), self.dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.built = True
        return self.output_dim

    def _build(self, input_dim, rng, dtype):
        """Declare the variables with :meth:`add_weight`; return the output width."""
        return input_dim

    def add_weight(self, name, shape, initializer, rng, trainable=True):
        """Create a variable of ``shape`` from ``initializer(shape, rng, dtype)``.

        Trainable variables go into ``params`` (and get a gradient in ``grads``), the
        others into ``state``. Returns the new array.
        """
        if name in self.weight_names:
            raise ValueError(f"layer {self.name!r} already has a variable {name!r}")
        init = _initializers.get(initializer)
        value = np.asarray(init(tuple(shape), rng, self.dtype), dtype=self.dtype)
        if value.shape != tuple(shape):
            raise ValueError(f"the initializer of {name!r} returned shape {value.shape}, "
                             f"expected {tuple(shape)}")
        (self.params if trainable else self.state)[name] = value
        self.weight_names.append(name)
        return value

    # -- computing
    def forward(self, X, training=False):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, grad, need_input_grad=True):  # pragma: no cover - abstract
        raise NotImplementedError

    def regularization_loss(self):
        """The penalty this layer adds to the loss (0 without a regularizer)."""
        return 0.0

    # -- parameters
    def _variables(self):
        """Every variable, trainable or not, in Keras's order (the arrays themselves)."""
        return [self.params[k] if k in self.params else self.state[k]
                for k in self.weight_names]

    def get_weights(self):
        """Copies of all the variables (trainable, then as added), in Keras's order."""
        return [p.copy() for p in self._variables()]

    def set_weights(self, weights):
        """Set the variables from arrays of the same shapes (Keras's order).

        The values are copied into the existing arrays (which, in a model, are views
        into its ``theta``).
        """
        weights = list(weights)
        if len(weights) != len(self.weight_names):
            raise ValueError(f"layer {self.name!r} has {len(self.weight_names)} weight "
                             f"arrays, got {len(weights)}")
        for key, p, w in zip(self.weight_names, self._variables(), weights):
            w = np.asarray(w)
            if w.shape != p.shape:
                raise ValueError(f"layer {self.name!r}: {key} must have shape {p.shape}, "
                                 f"got {w.shape}")
            p[...] = w

    def count_params(self):
        """The number of numbers in all variables (trainable or not), as Keras counts."""
        return int(sum(p.size for p in self._variables()))

    def count_trainable_params(self):
        return int(sum(p.size for p in self.params.values()))

    def _buffer(self, key, shape):
        """A reusable array of ``shape``: allocated again only when the shape changes."""
        buf = self._buffers.get(key)
        if buf is None or buf.shape != shape:
            buf = self._buffers[key] = np.empty(shape, dtype=self.dtype)
        return buf

    def __repr__(self):
        return f"<{type(self).__name__} {self.name or ''} output_dim={self.output_dim}>"


class Dense(Layer):
    """A fully connected layer: a = activation(X @ W + b).

    Parameters
    ----------
    units : int
        Number of neurons (the output width).
    activation : str or None
        Name of the activation (see :func:`nnlib.activations.available`); None is linear.
    use_bias : bool
        Whether to add the bias b.
    input_dim : int, optional
        Width of the input; needed for the first layer of a model unless the model is
        built from data.
    kernel_initializer, bias_initializer : str or callable
        Keras's names: ``"glorot_uniform"`` (the default, as in Keras), ``"he_normal"``, ...
    kernel_regularizer : nnlib.regularizers.L1L2 or str, optional
        A penalty on the kernel added to the loss.

    ``params`` holds ``"kernel"`` of shape (input_dim, units) and ``"bias"`` (units,), the
    shapes and order of Keras's ``get_weights()``.
    """

    kind = "Dense"

    def __init__(self, units, activation=None, use_bias=True, input_dim=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, name=None):
        super().__init__(name=name, input_dim=input_dim)
        self.units = check_positive_int(units, "units")
        self.activation = _activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = _initializers.get(kernel_initializer)
        self.bias_initializer = _initializers.get(bias_initializer)
        self.kernel_regularizer = _regularizers.get(kernel_regularizer)

    def _build(self, input_dim, rng, dtype):
        self.add_weight("kernel", (input_dim, self.units), self.kernel_initializer, rng)
        if self.use_bias:
            self.add_weight("bias", (self.units,), self.bias_initializer, rng)
        return self.units

    def forward(self, X, training=False):
        """a = activation(X @ W + b); keeps X, z and a for :meth:`backward`."""
        self._X = X
        self.z = X @ self.params["kernel"]
        if self.use_bias:
            self.z += self.params["bias"]
        self.a = self.activation.forward(self.z)
        return self.a

    def backward(self, grad, need_input_grad=True, grad_is_logits=False):
        """Gradients of the parameters from dL/da (or dL/dz if ``grad_is_logits``).

        The gradients are written into ``grads`` in place (``out=``: in a model they
        are views into its gradient vector). Returns dL/dX, or None when
        ``need_input_grad`` is False (the first layer). ``grad`` may be overwritten.
        """
        gz = grad if grad_is_logits else self.activation.backward(self.z, self.a, grad)
        np.matmul(self._X.T, gz, out=self.grads["kernel"])        # dL/dW = X^T dL/dz
        if self.kernel_regularizer is not None:
            self.kernel_regularizer.add_gradient(self.params["kernel"], self.grads["kernel"])
        if self.use_bias:
            gz.sum(axis=0, out=self.grads["bias"])                # dL/db = column sums
        if not need_input_grad:
            return None
        return gz @ self.params["kernel"].T                       # dL/dX = dL/dz W^T

    def regularization_loss(self):
        if self.kernel_regularizer is None:
            return 0.0
        return self.kernel_regularizer(self.params["kernel"])

    def describe(self):
        return self.activation.name


class Activation(Layer):
    """An activation applied as a layer of its own (no parameters)."""

    kind = "Activation"

    def __init__(self, activation, name=None):
        super().__init__(name=name)
        self.activation = _activations.get(activation)

    def forward(self, X, training=False):
        self.z = X
        self.a = self.activation.forward(X)
        return self.a

    def backward(self, grad, need_input_grad=True, grad_is_logits=False):
        if grad_is_logits:
            return grad
        return self.activation.backward(self.z, self.a, grad)

    def describe(self):
        return self.activation.name


class _Constant:
    """The initializer that fills every entry with ``value`` (a class: picklable)."""

    def __init__(self, value):
        self.value = value

    def __call__(self, shape, rng=None, dtype=np.float64):
        return np.full(shape, self.value, dtype=dtype)

    def __repr__(self):
        return f"Constant({self.value})"


class PReLU(Layer):
    """The parametric ReLU: f(x) = x for x > 0 and alpha * x otherwise, alpha learned.

    Each unit has its own slope ``alpha`` for negative inputs (He et al., 2015), learned by
    gradient descent like a weight. As in ``keras.layers.PReLU``, whose default
    ``alpha_initializer`` is ``"zeros"``, the slopes start at 0, so the layer starts out
    as a ReLU; pass ``alpha_initializer=0.25`` (a number is a constant) for the value of
    He et al.

    Parameters
    ----------
    alpha_initializer : str, callable or float
        Keras's initializer names (``"zeros"``, ...), a callable ``(shape, rng, dtype)``,
        or a number used for every slope.

    ``params`` holds ``"alpha"`` of shape (units,), where units is the input width: the
    shape and order of Keras's ``get_weights()`` for 2-D inputs. At exactly x = 0, where
    the derivative does not exist, ``backward`` uses alpha (the left one, as
    ``activations.leaky_relu_derivative`` does); TensorFlow uses 0 there.
    """

    kind = "PReLU"

    def __init__(self, alpha_initializer="zeros", input_dim=None, name=None):
        super().__init__(name=name, input_dim=input_dim)
        if isinstance(alpha_initializer, (int, float)) and not isinstance(alpha_initializer,
                                                                            bool):
            self.alpha_initializer = _Constant(float(alpha_initializer))
        else:
            self.alpha_initializer = _initializers.get(alpha_initializer)

    def _build(self, input_dim, rng, dtype):
        self.add_weight("alpha", (input_dim,), self.alpha_initializer, rng)
        return input_dim

    def forward(self, X, training=False):
        """max(X, 0) + alpha * min(X, 0); keeps X for :meth:`backward`."""
        self._X = X
        a = np.minimum(X, 0, out=self._buffer("a", X.shape))
        a *= self.params["alpha"]
        a += np.maximum(X, 0)
        self.a = a
        return a

    def backward(self, grad, need_input_grad=True, grad_is_logits=False):
        """dL/dalpha = sum over the batch of grad * min(X, 0); dL/dX = grad * f'(X)."""
        X = self._X
        np.sum(grad * np.minimum(X, 0), axis=0, out=self.grads["alpha"])
        if not need_input_grad:
            return None
        return np.multiply(grad, np.where(X > 0, 1, self.params["alpha"]),
                           out=self._buffer("dX", X.shape))

    def describe(self):
        return "prelu"


__all__.append("PReLU")


def _check_fraction(value, name, upper_open=True):
    """A number in [0, 1) (or [0, 1]); TypeError/ValueError naming ``name`` otherwise."""
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value) or value < 0 or value > 1 or (upper_open and value == 1):
        bound = "[0, 1)" if upper_open else "[0, 1]"
        raise ValueError(f"{name} must be in {bound}, got {value!r}")
    return value


class Dropout(Layer):
    """Inverted dropout: in training each unit is zeroed with probability ``rate``.

    In training the kept units are scaled by 1/(1 - rate), so that the expected output
    equals the input and nothing changes at prediction time: in ``predict`` and
    ``evaluate`` (``training=False``) the layer is the identity. As in Keras, ``rate`` is
    the **drop** probability (cs231n's ``p`` is the keep probability), and a unit is kept
    where a uniform number in [0, 1) is below 1 - rate.

    Parameters
    ----------
    rate : float in [0, 1)
        The probability of dropping a unit.
    seed : int, optional
        Seeds the masks. Without it the layer takes a stream spawned from the model's
        seed when it is built (so a seeded model is reproducible).

    Attributes
    ----------
    mask : ndarray or None
        The last training mask as the factor applied, 0 or 1/(1 - rate).
    fixed_mask : ndarray of bool or None
        Set it (shape of the batch: True = keep) to use that mask instead of drawing
        one, e.g. for a finite-difference gradient check or to reproduce another
        framework's mask.
    """

    kind = "Dropout"

    def __init__(self, rate, seed=None, name=None):
        super().__init__(name=name)
        self.rate = _check_fraction(rate, "rate")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int,
                                                                                np.integer))):
            raise TypeError(f"seed must be an int or None, got {type(seed).__name__}")
        self.seed = seed
        self._rng = None if seed is None else np.random.default_rng(seed)
        self.mask = None
        self.fixed_mask = None

    def _build(self, input_dim, rng, dtype):
        if self._rng is None:
            self._rng = rng.spawn(1)[0] if hasattr(rng, "spawn") else \
                np.random.default_rng(rng.integers(2 ** 63))
        return input_dim

    def forward(self, X, training=False):
        """X in inference; X * mask / (1 - rate) in training."""
        if not training or self.rate == 0.0:
            self.mask = None
            return X
        keep = 1.0 - self.rate
        if self.fixed_mask is not None:
            kept = np.asarray(self.fixed_mask)
            if kept.shape != X.shape:
                raise ValueError(f"fixed_mask has shape {kept.shape} but the batch has "
                                 f"shape {X.shape}")
            kept = kept.astype(bool)
        else:
            kept = self._rng.random(X.shape) < keep
        self.mask = kept * np.asarray(1.0 / keep, dtype=X.dtype)
        return X * self.mask

    def backward(self, grad, need_input_grad=True, grad_is_logits=False):
        if not need_input_grad:
            return None
        return grad if self.mask is None else grad * self.mask

    def describe(self):
        return f"dropout {self.rate:g}"


class BatchNormalization(Layer):
    """Batch normalization (Ioffe and Szegedy, 2015) with Keras's semantics.

    In training (``fit``, ``loss_and_gradients``) each feature is normalized with the
    batch's mean and **biased** variance, y = gamma (x - mean) / sqrt(var + epsilon) +
    beta, and the moving statistics are updated as ``moving = moving * momentum + batch *
    (1 - momentum)``. In inference (``predict``, ``evaluate``) the moving statistics are
    used. The moving mean starts at 0 and the moving variance at 1.

    PyTorch's ``nn.BatchNorm1d`` differs in two conventions: its ``momentum`` is
    1 - Keras's (default 0.1, i.e. Keras's 0.9; Keras's default is 0.99) and its
    ``running_var`` is updated with the unbiased batch variance (times n / (n - 1)).

    Parameters
    ----------
    momentum : float in [0, 1]
        Weight of the old moving statistics.
    epsilon : float > 0
        Added to the variance.
    center, scale : bool
        Whether to learn beta and gamma.

    ``get_weights()`` returns ``[gamma, beta, moving_mean, moving_variance]`` (gamma left
    out if not ``scale``, beta if not ``center``), as Keras does. gamma and beta are
    trainable (in ``params``, part of the model's theta); the moving statistics are
    non-trainable ``state``: no gradients, not touched by the optimizer.
    """

    kind = "BatchNormalization"

    def __init__(self, momentum=0.99, epsilon=1e-3, center=True, scale=True, name=None,
                 input_dim=None):
        super().__init__(name=name, input_dim=input_dim)
        self.momentum = _check_fraction(momentum, "momentum", upper_open=False)
        from ._validation import check_positive_float

        self.epsilon = check_positive_float(epsilon, "epsilon")
        self.center, self.scale = bool(center), bool(scale)
        self._training_pass = False

    def _build(self, input_dim, rng, dtype):
        if self.scale:
            self.add_weight("gamma", (input_dim,), "ones", rng)
        if self.center:
            self.add_weight("beta", (input_dim,), "zeros", rng)
        self.add_weight("moving_mean", (input_dim,), "zeros", rng, trainable=False)
        self.add_weight("moving_variance", (input_dim,), "ones", rng, trainable=False)
        return input_dim

    def forward(self, X, training=False):
        """Normalize with the batch's statistics (training) or the moving ones."""
        if training:
            mean = X.mean(axis=0)
            var = X.var(axis=0)                      # biased, as Keras's ops.moments
            m = self.momentum
            for key, batch in (("moving_mean", mean), ("moving_variance", var)):
                moving = self.state[key]
                moving *= m
                moving += batch * (1 - m)
        else:
            mean, var = self.state["moving_mean"], self.state["moving_variance"]
        self._training_pass = bool(training)
        self._inv_std = 1.0 / np.sqrt(var + np.asarray(self.epsilon, dtype=X.dtype))
        self._xhat = (X - mean) * self._inv_std
        out = self._xhat * self.params["gamma"] if self.scale else self._xhat.copy()
        if self.center:
            out += self.params["beta"]
        return out

    def backward(self, grad, need_input_grad=True, grad_is_logits=False):
        """dL/dgamma = sum(grad * xhat), dL/dbeta = sum(grad); dL/dX through the batch
        statistics in training (the standard formula), through the constants otherwise."""
        xhat = self._xhat
        if self.scale:
            np.sum(grad * xhat, axis=0, out=self.grads["gamma"])
        if self.center:
            np.sum(grad, axis=0, out=self.grads["beta"])
        if not need_input_grad:
            return None
        gxhat = grad * self.params["gamma"] if self.scale else grad
        if not self._training_pass:
            return gxhat * self._inv_std
        n = len(grad)
        return (self._inv_std / n) * (n * gxhat - gxhat.sum(axis=0)
                                      - xhat * (gxhat * xhat).sum(axis=0))

    def describe(self):
        return "batch norm"


class Input:
    """The input of a model, as ``keras.Input``: ``Sequential([Input(shape=(q,)), ...])``.

    It is not a layer (``model.layers`` leaves it out, as in Keras): it only fixes the
    input width q so that the model is built at once.

    Parameters
    ----------
    shape : tuple of one int
        ``(q,)``: nnlib's layers take flat feature vectors.
    name : str, optional
    """

    def __init__(self, shape, name=None):
        if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
            shape = (int(shape),)
        if not isinstance(shape, (tuple, list)):
            raise TypeError(f"shape must be a tuple such as (q,), got {type(shape).__name__}")
        shape = tuple(shape)
        if len(shape) != 1:
            raise ValueError(f"nnlib models take flat inputs: shape must be (q,), got "
                             f"{shape}; flatten the data first (X.reshape(len(X), -1))")
        self.shape = (check_positive_int(shape[0], "shape[0]"),)
        self.name = name

    @property
    def input_dim(self):
        return self.shape[0]

    def __repr__(self):
        return f"Input(shape={self.shape})"


__all__ += ["Dropout", "BatchNormalization", "Input"]
