"""The ``Sequential`` model: a stack of layers trained by mini-batch gradient descent.

Its interface follows Keras (``compile``, ``fit``, ``predict``, ``evaluate``,
``get_weights``, ``set_weights``, ``summary``) so that the chapters can put the two side
by side; its code is short enough to read in one sitting.

When the last layer's activation is the natural partner of the loss (sigmoid with binary
cross-entropy, softmax with categorical cross-entropy) the model computes the loss from
the logits z and starts backpropagation with dL/dz = (a - y) / n: no log(0), no division
by a(1 - a), and one step fewer.

Parameters as one vector
------------------------
A built model keeps all its trainable parameters in ONE contiguous array,
:attr:`Sequential.theta` (the model's dtype), and their gradients in another of the same
size, :attr:`Sequential.gradient_vector`: the theta and the nabla_theta L of the
equations, literally. Each layer's ``params["kernel"]``, ``params["bias"]``, ... are
views into ``theta`` (and its ``grads`` views into ``gradient_vector``), laid out one
after the other in ``get_weights()`` order, so that

* ``backward`` writes every gradient straight into ``gradient_vector``;
* the optimizer updates all of theta in a handful of whole-vector NumPy calls,
  ``optimizer.step([theta], [gradient_vector], slices=[theta_slices])``, where
  :attr:`Sequential.theta_slices` says where each variable lies (Keras applies
  ``clipnorm`` per variable);
* ``get_weights``/``set_weights`` copy out of and into the views.

Non-trainable variables (``layer.state``) stay in their layers. The vector is made when
the model is built and made again when a layer is added afterwards.
"""
from __future__ import annotations

import numpy as np

from . import losses as _losses
from . import optimizers as _optimizers
from ._validation import (as_float_array, check_dtype, check_positive_int,
                          check_same_length, unknown_name)
from .callbacks import Callback, History
from .layers import Layer

__all__ = ["Sequential", "NotCompiledError"]


class NotCompiledError(ValueError, RuntimeError):
    """Raised when a model is trained or evaluated before ``compile``."""


_METRICS = ("accuracy", "mse", "mae")


class Sequential:
    """A feed-forward network: the layers applied one after the other.

    Parameters
    ----------
    layers : list of nnlib.layers.Layer
        The layers, input to output. The first needs ``input_dim`` unless the model is
        built from data by ``fit``/``predict``.
    seed : int, optional
        Seeds the initial weights and the shuffling of ``fit``: the same seed gives the
        same model and the same training run.
    dtype : {"float64", "float32"}
        Precision of weights and computations; inputs are converted once per call.
    name : str
        Shown by :meth:`summary`.
    """

    def __init__(self, layers=None, seed=None, dtype="float64", name="sequential"):
        self.dtype = check_dtype(dtype)
        self.seed = seed
        self.name = name
        init_seq, shuffle_seq = np.random.SeedSequence(seed).spawn(2)
        self._init_rng = np.random.default_rng(init_seq)
        self._shuffle_rng = np.random.default_rng(shuffle_seq)
        self.layers: list[Layer] = []
        self.loss = self.optimizer = None
        self.metrics: list[str] = []
        self.stop_training = False
        self.history = None
        self._batch_buffers: dict[str, np.ndarray] = {}
        self._theta = self._gradient_vector = None
        self._theta_slices: list[slice] = []
        for layer in layers or []:
            self.add(layer)

    # ------------------------------------------------------------------ structure
    def add(self, layer):
        """Append a layer (building it if the model's input width is known)."""
        if not isinstance(layer, Layer):
            raise TypeError(f"expected an nnlib layer, got {type(layer).__name__}")
        kind = type(layer).__name__.lower()
        if layer.name is None:
            same = sum(type(other) is type(layer) for other in self.layers)
            layer.name = kind if same == 0 else f"{kind}_{same}"
        if self.layers and self.layers[-1].built:
            layer.build(self.layers[-1].output_dim, self._init_rng, self.dtype)
        elif not self.layers and layer.input_dim is not None:
            layer.build(layer.input_dim, self._init_rng, self.dtype)
        self.layers.append(layer)
        self._fused = None
        if self.built:
            self._pack()
        return self

    @property
    def built(self):
        return bool(self.layers) and all(layer.built for layer in self.layers)

    @property
    def input_dim(self):
        return self.layers[0].input_dim if self.layers else None

    @property
    def output_dim(self):
        return self.layers[-1].output_dim if self.built else None

    def build(self, input_dim):
        """Create every layer's parameters for inputs of width ``input_dim``."""
        if not self.layers:
            raise ValueError("the model has no layers; add some first")
        width = check_positive_int(input_dim, "input_dim")
        for layer in self.layers:
            width = layer.build(width, self._init_rng, self.dtype) if not layer.built \
                else layer.output_dim
        self._pack()
        return self

    # ------------------------------------------------------------------ theta
    def _pack(self):
        """Move every layer's trainable parameters into one vector theta (see module doc)."""
        arrays = [p for layer in self.layers for p in layer.params.values()]
        sizes = np.cumsum([0] + [p.size for p in arrays])
        self._theta_slices = [slice(int(a), int(b)) for a, b in zip(sizes[:-1], sizes[1:])]
        self._theta = np.empty(int(sizes[-1]), dtype=self.dtype)
        self._gradient_vector = np.zeros(int(sizes[-1]), dtype=self.dtype)
        for p, s in zip(arrays, self._theta_slices):
            self._theta[s] = p.ravel()
        self._bind_views()

    def _bind_views(self):
        """Make each layer's params and grads views into theta and the gradient vector."""
        slices = iter(self._theta_slices)
        for layer in self.layers:
            for key, p in layer.params.items():
                s = next(slices)
                layer.params[key] = self._theta[s].reshape(p.shape)
                layer.grads[key] = self._gradient_vector[s].reshape(p.shape)

    def __setstate__(self, state):
        # pickle stores views as separate arrays: make them views into theta again
        self.__dict__.update(state)
        if self.__dict__.get("_theta") is not None:
            if not self._theta.flags.writeable:      # e.g. a memory-mapped joblib load
                self._theta = self._theta.copy()
            if not self._gradient_vector.flags.writeable:
                self._gradient_vector = self._gradient_vector.copy()
            self._bind_views()

    def _require_built(self, what):
        if self._theta is None or not self.built:
            raise ValueError(f"the model is not built yet, so it has no {what}: give the "
                             "first layer input_dim, or call build(input_dim) or fit first")

    @property
    def theta(self):
        """All trainable parameters as one vector (the array itself: writing changes them).

        Laid out in ``get_weights()`` order, each array flattened in C order; each
        layer's ``params`` are views into it.
        """
        self._require_built("theta")
        return self._theta

    @property
    def gradient_vector(self):
        """The gradient of the loss with respect to :attr:`theta`, from the last backward
        pass (the array itself; each layer's ``grads`` are views into it)."""
        self._require_built("gradient_vector")
        return self._gradient_vector

    @property
    def theta_slices(self):
        """Where each array of ``trainable_weights`` lies in :attr:`theta`: a list of slices."""
        self._require_built("theta_slices")
        return list(self._theta_slices)

    # ------------------------------------------------------------------ compile
    def compile(self, loss, optimizer="sgd", metrics=None):
        """Choose the loss, the optimizer and the metrics reported by ``fit``/``evaluate``.

        Parameters
        ----------
        loss : str or nnlib.losses.Loss
            ``"binary_crossentropy"``, ``"categorical_crossentropy"``,
            ``"sparse_categorical_crossentropy"`` or ``"mse"``.
        optimizer : str or nnlib.optimizers.Optimizer
            ``"sgd"``, ``"adam"`` or an optimizer object.
        metrics : list of str, optional
            Any of ``"accuracy"``, ``"mse"``, ``"mae"``.
        """
        self.loss = _losses.get(loss)
        self.optimizer = _optimizers.get(optimizer)
        metrics = list(metrics or [])
        for m in metrics:
            if m not in _METRICS:
                raise unknown_name("metric", m, _METRICS)
        self.metrics = metrics
        self._fused = None
        return self

    def _require_compiled(self, what):
        if self.loss is None:
            raise NotCompiledError(f"call model.compile(loss=..., optimizer=...) before "
                                   f"model.{what}()")

    @property
    def fused(self):
        """True when the loss is computed from the last layer's logits (see module doc)."""
        if self._fused is None:
            last = self.layers[-1] if self.layers else None
            act = getattr(getattr(last, "activation", None), "name", None)
            self._fused = (self.loss is not None and act is not None
                           and act == self.loss.natural_activation)
        return self._fused

    # ------------------------------------------------------------------ input checks
    def _check_X(self, X, name="X"):
        X = as_float_array(X, name, dtype=self.dtype, ndim=2)
        if X.shape[0] == 0:
            raise ValueError(f"{name} has no samples (shape {X.shape})")
        if not self.built:
            self.build(X.shape[1])
        if X.shape[1] != self.input_dim:
            raise ValueError(f"{name} has {X.shape[1]} features (shape {X.shape}) but the "
                             f"model expects {self.input_dim}")
        return X

    def _check_y(self, y, X, name="y", xname="X"):
        """Targets as a float array of shape (n, output_dim), checked against the loss."""
        if isinstance(y, (str, bytes)):
            raise TypeError(f"{name} must be numeric array-like, got {type(y).__name__}")
        if y is None or np.ndim(y) == 0:
            raise TypeError(f"{name} must be array-like with one target per sample of "
                            f"{xname} (shape {X.shape}), got {type(y).__name__}")
        y = np.asarray(y)
        check_same_length(X, y, xname, name)
        k = self.output_dim
        loss = self.loss.name
        if loss == "sparse_categorical_crossentropy":
            if y.ndim != 1:
                raise ValueError(f"{name} must be 1-D integer labels for {loss}, got shape "
                                 f"{y.shape}; for one-hot rows use categorical_crossentropy")
            from .datasets import one_hot

            try:
                return one_hot(y, k, dtype=self.dtype)
            except ValueError as exc:
                raise ValueError(f"{name}: {exc} (the model has {k} output units)") from None
        y = as_float_array(y, name, dtype=self.dtype, ndim=None)
        if y.ndim == 1 and k == 1:
            y = y.reshape(-1, 1)
        if y.ndim == 1 and loss == "categorical_crossentropy":
            raise ValueError(f"{name} has shape {y.shape}: categorical_crossentropy needs "
                             f"one-hot rows of shape (n, {k}); use nnlib.datasets.one_hot(y) "
                             "or loss='sparse_categorical_crossentropy'")
        if y.shape != (len(X), k):
            raise ValueError(f"{name} has shape {y.shape} but the model's output has shape "
                             f"({len(X)}, {k})")
        if loss in ("binary_crossentropy", "categorical_crossentropy"):
            if y.min() < 0 or y.max() > 1:
                raise ValueError(f"{name} must contain class labels 0/1 (or probabilities) "
                                 f"for {loss}, got values from {y.min():g} to {y.max():g}")
        return y

    # ------------------------------------------------------------------ computing
    def _forward(self, X, training=False):
        for layer in self.layers:
            X = layer.forward(X, training=training)
        return X

    def _loss_value(self, Y, A):
        if self.fused:
            value = self.loss.value_from_logits(Y, self.layers[-1].z)
        else:
            value = self.loss.value(Y, A)
        return value + sum(layer.regularization_loss() for layer in self.layers)

    def _backward(self, Y, A):
        last = self.layers[-1]
        if self.fused:
            grad = self.loss.gradient_from_logits(Y, A)
        else:
            grad = self.loss.gradient(Y, A)
        for i in range(len(self.layers) - 1, -1, -1):
            grad = self.layers[i].backward(grad, need_input_grad=i > 0,
                                           grad_is_logits=self.fused and i == len(self.layers) - 1)

    @property
    def trainable_weights(self):
        """The parameter arrays themselves (views into :attr:`theta`), in
        ``get_weights()`` order."""
        return [p for layer in self.layers for p in layer.params.values()]

    @property
    def gradients(self):
        """The gradient arrays of the last backward pass (views into
        :attr:`gradient_vector`), in ``get_weights()`` order."""
        return [g for layer in self.layers for g in layer.grads.values()]

    def train_on_batch(self, X, Y):
        """One gradient step on a batch (already checked by ``fit``); returns the loss."""
        A = self._forward(X, training=True)
        value = self._loss_value(Y, A)
        self._backward(Y, A)
        self.optimizer.step([self._theta], [self._gradient_vector],
                            slices=[self._theta_slices])
        return value, A

    def loss_and_gradients(self, X, y):
        """The batch-mean loss and its gradients, in ``get_weights()`` order (copies).

        Includes any regularization penalty, as the loss ``fit`` minimises does.
        """
        self._require_compiled("loss_and_gradients")
        X = self._check_X(X)
        Y = self._check_y(y, X)
        A = self._forward(X, training=True)
        value = self._loss_value(Y, A)
        self._backward(Y, A)
        return value, [g.copy() for g in self.gradients]

    # ------------------------------------------------------------------ training
    def fit(self, X, y, epochs=1, batch_size=32, validation_data=None, shuffle=True,
            verbose=0, callbacks=None):
        """Train by mini-batch gradient descent.

        Parameters
        ----------
        X : array-like of shape (n, input_dim)
        y : array-like
            Targets: 0/1 labels for binary cross-entropy, one-hot rows for categorical,
            integer labels for sparse categorical, values for mse.
        epochs : int
            Passes over the data.
        batch_size : int
            Samples per gradient step; the last batch of an epoch may be smaller.
        validation_data : tuple (X_val, y_val), optional
            Evaluated after each epoch: ``val_loss`` and ``val_<metric>``.
        shuffle : bool
            Shuffle the samples before each epoch (seeded by the model's ``seed``).
        verbose : {0, 1}
            1 prints one line per epoch.
        callbacks : list of nnlib.callbacks.Callback

        Returns
        -------
        History
            ``history.history["loss"]`` etc.: the mean training loss (and metrics) of each
            epoch over its batches, as Keras reports them, and the validation values.
        """
        self._require_compiled("fit")
        X = self._check_X(X)
        Y = self._check_y(y, X)
        epochs = check_positive_int(epochs, "epochs")
        batch_size = check_positive_int(batch_size, "batch_size")
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ValueError("validation_data must be a tuple (X_val, y_val)")
            Xv = self._check_X(validation_data[0], "X_val")
            Yv = self._check_y(validation_data[1], Xv, "y_val", "X_val")
        history = History()
        callbacks = [history] + list(callbacks or [])
        for cb in callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"callbacks must be nnlib.callbacks.Callback objects, got "
                                f"{type(cb).__name__}")
            cb.model = self
            cb.on_train_begin()
        self.stop_training = False
        n = len(X)
        order = np.arange(n)
        for epoch in range(epochs):
            if shuffle:
                self._shuffle_rng.shuffle(order)
            totals = dict.fromkeys(["loss"] + self.metrics, 0.0)
            for start in range(0, n, batch_size):
                stop = min(start + batch_size, n)
                if shuffle:  # gather the batch into reused arrays: no allocation per step
                    idx = order[start:stop]
                    # (mode="clip" skips a copy; the indices are a permutation, always valid)
                    Xb = np.take(X, idx, axis=0, mode="clip",
                                 out=self._batch_buffer("X", idx.size, X))
                    Yb = np.take(Y, idx, axis=0, mode="clip",
                                 out=self._batch_buffer("Y", idx.size, Y))
                else:
                    Xb, Yb = X[start:stop], Y[start:stop]
                value, A = self.train_on_batch(Xb, Yb)
                totals["loss"] += value * (stop - start)
                for m in self.metrics:
                    totals[m] += self._metric(m, Yb, A) * (stop - start)
            logs = {k: v / n for k, v in totals.items()}
            if validation_data is not None:
                for k, v in zip(["loss"] + self.metrics, self._evaluate(Xv, Yv)):
                    logs["val_" + k] = v
            for cb in callbacks:
                cb.on_epoch_end(epoch, logs)
            if verbose:
                shown = " - ".join(f"{k}: {v:.4f}" for k, v in logs.items())
                print(f"Epoch {epoch + 1}/{epochs} - {shown}")
            if self.stop_training:
                break
        for cb in callbacks:
            cb.on_train_end()
        self.history = history
        return history

    def _batch_buffer(self, key, rows, like):
        """A reused array for the rows of one shuffled batch (reallocated if the size changes)."""
        buffers = self._batch_buffers
        buf = buffers.get(key)
        if buf is None or buf.shape != (rows,) + like.shape[1:]:
            buf = buffers[key] = np.empty((rows,) + like.shape[1:], dtype=like.dtype)
        return buf

    # ------------------------------------------------------------------ inference
    def predict(self, X, batch_size=4096):
        """The output of the last layer for each row of ``X`` (a new array)."""
        if not self.layers:
            raise ValueError("the model has no layers")
        X = self._check_X(X)
        out = np.empty((len(X), self.output_dim), dtype=self.dtype)
        for start in range(0, len(X), batch_size):
            out[start:start + batch_size] = self._forward(X[start:start + batch_size])
        return out

    def predict_classes(self, X):
        """Predicted class labels: argmax of the outputs, or output > 0.5 for one unit."""
        P = self.predict(X)
        if P.shape[1] == 1:
            return (P[:, 0] > 0.5).astype(np.int64)
        return P.argmax(axis=1)

    def evaluate(self, X, y):
        """The loss on (X, y), or ``[loss, metric, ...]`` when metrics were compiled."""
        self._require_compiled("evaluate")
        X = self._check_X(X)
        values = self._evaluate(X, self._check_y(y, X))
        return values[0] if len(values) == 1 else values

    def _evaluate(self, X, Y, batch_size=4096):
        total = np.zeros(1 + len(self.metrics))
        for start in range(0, len(X), batch_size):
            Xb, Yb = X[start:start + batch_size], Y[start:start + batch_size]
            A = self._forward(Xb)
            total[0] += self._loss_value(Yb, A) * len(Xb)
            for j, m in enumerate(self.metrics, 1):
                total[j] += self._metric(m, Yb, A) * len(Xb)
        return [float(v) for v in total / len(X)]

    def _metric(self, name, Y, A):
        if name == "accuracy":
            if A.shape[1] == 1:
                return float(np.mean((A[:, 0] > 0.5) == (Y[:, 0] > 0.5)))
            return float(np.mean(A.argmax(axis=1) == Y.argmax(axis=1)))
        if name == "mse":
            return float(np.mean((A - Y) ** 2))
        return float(np.mean(np.abs(A - Y)))

    # ------------------------------------------------------------------ weights
    def get_weights(self):
        """Copies of all parameters in Keras's order: kernel (in, out), bias (out,), ..."""
        return [w for layer in self.layers for w in layer.get_weights()]

    def set_weights(self, weights):
        """Set all parameters from a list like the one :meth:`get_weights` returns."""
        weights = list(weights)
        expected = sum(len(layer.weight_names) for layer in self.layers)
        if len(weights) != expected:
            shapes = [p.shape for layer in self.layers for p in layer._variables()]
            raise ValueError(f"expected {expected} weight arrays with shapes {shapes}, "
                             f"got {len(weights)}")
        i = 0
        for layer in self.layers:
            k = len(layer.weight_names)
            layer.set_weights(weights[i:i + k])
            i += k

    def count_params(self):
        return sum(layer.count_params() for layer in self.layers)

    def summary(self, print_fn=print):
        """Print the layers, their output shapes and parameter counts, as Keras does."""
        if not self.built:
            raise ValueError("the model is not built yet: give the first layer input_dim, "
                             "or call build(input_dim) or fit first")
        rows = [(f"{layer.name} ({type(layer).__name__})", f"(None, {layer.output_dim})",
                 f"{layer.count_params():,}") for layer in self.layers]
        w = [max(len(h), *(len(r[i]) for r in rows)) for i, h in
             enumerate(("Layer (type)", "Output Shape", "Param #"))]
        w = [max(w[0], 28), max(w[1], 20), max(w[2], 10)]
        line = "=" * (sum(w) + 4)
        lines = [f'Model: "{self.name}"', line,
                 f"{'Layer (type)':<{w[0]}}  {'Output Shape':<{w[1]}}  {'Param #':>{w[2]}}",
                 line]
        lines += [f"{a:<{w[0]}}  {b:<{w[1]}}  {c:>{w[2]}}" for a, b, c in rows]
        total = self.count_params()
        trainable = sum(layer.count_trainable_params() for layer in self.layers)
        lines += [line, f"Total params: {total:,}", f"Trainable params: {trainable:,}",
                  f"Non-trainable params: {total - trainable:,}"]
        print_fn("\n".join(lines))

    def __repr__(self):
        widths = " -> ".join(str(layer.output_dim) for layer in self.layers)
        return f"<Sequential {self.name!r}: {self.input_dim} -> {widths}>"
