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
