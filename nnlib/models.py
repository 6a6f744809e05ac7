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
:attr:`nnlib.Sequential.theta` (the model's dtype), and their gradients in another of the same
size, :attr:`nnlib.Sequential.gradient_vector`: the theta and the nabla_theta L of the
equations, literally. Each layer's ``params["kernel"]``, ``params["bias"]``, ... are
views into ``theta`` (and its ``grads`` views into ``gradient_vector``), laid out one
after the other in ``get_weights()`` order, so that

* ``backward`` writes every gradient straight into ``gradient_vector``;
* the optimizer updates all of theta in a handful of whole-vector NumPy calls,
  ``optimizer.step([theta], [gradient_vector], slices=[theta_slices])``, where
  :attr:`nnlib.Sequential.theta_slices` says where each variable lies (Keras applies
  ``clipnorm`` per variable);
* ``get_weights``/``set_weights`` copy out of and into the views.

Non-trainable variables (``layer.state``) stay in their layers. The vector is made when
the model is built and made again when a layer is added afterwards.
"""
from __future__ import annotations

import numbers

import numpy as np

from . import losses as _losses
from . import optimizers as _optimizers
from ._validation import (as_float_array, check_dtype, check_positive_int,
                          check_same_length)
from .callbacks import Callback, History
from .layers import Layer

__all__ = ["Sequential", "NotCompiledError"]


_FIT_ARGS = ("X", "y", "batch_size", "epochs", "verbose", "callbacks", "validation_split",
             "validation_data", "shuffle", "class_weight", "sample_weight",
             "initial_epoch")
_EVALUATE_ARGS = ("X", "y", "batch_size", "verbose", "sample_weight", "return_dict")


def _reject_unsupported(method, unsupported, accepted):
    """A TypeError naming the keyword arguments nnlib does not support (none is ignored)."""
    if unsupported:
        names = ", ".join(sorted(unsupported))
        raise TypeError(f"{method}() got keyword argument(s) that nnlib does not support: "
                        f"{names}; {method}() takes {', '.join(accepted)}")


def _check_verbose(verbose):
    """Keras's verbose values: 0, 1, 2 or "auto" (= 1). Returns 0, 1 or 2."""
    if verbose == "auto":
        return 1
    if isinstance(verbose, bool) or not isinstance(verbose, numbers.Integral) or \
            verbose not in (0, 1, 2):
        raise ValueError(f"verbose must be 0, 1, 2 or 'auto', got {verbose!r}")
    return int(verbose)


def _check_sample_weight(w, X, name, dtype):
    w = as_float_array(w, name, dtype=dtype, ndim=None)
    if w.ndim == 2 and w.shape[1] == 1:
        w = w[:, 0]
    if w.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one weight per sample), got shape {w.shape}")
    check_same_length(X, w, "X", name)
    if (w < 0).any():
        raise ValueError(f"{name} must be non-negative, got a minimum of {w.min():g}")
    return w


class NotCompiledError(ValueError, RuntimeError):
    """Raised when a model is trained or evaluated before ``compile``."""




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
        self._input_spec = None
        for layer in layers or []:
            self.add(layer)

    # ------------------------------------------------------------------ structure
    def add(self, layer):
        """Append a layer (building it if the model's input width is known).

        ``add(layers.Input(shape=(q,)))`` as the first element fixes the input width, as
        in Keras; it is not a layer and is not kept in ``model.layers``.
        """
        from .layers import Input

        if isinstance(layer, Input):
            if self.layers or getattr(self, "_input_spec", None) is not None:
                raise ValueError("layers.Input must come first, and only once, in a "
                                 "Sequential model")
            self._input_spec = layer
            return self
        if not isinstance(layer, Layer):
            raise TypeError(f"expected an nnlib layer, got {type(layer).__name__}")
        kind = type(layer).__name__.lower()
        if layer.name is None:
            same = sum(type(other) is type(layer) for other in self.layers)
            layer.name = kind if same == 0 else f"{kind}_{same}"
        if self.layers and self.layers[-1].built:
            layer.build(self.layers[-1].output_dim, self._init_rng, self.dtype)
        elif not self.layers and getattr(self, "_input_spec", None) is not None:
            layer.build(self._input_spec.input_dim, self._init_rng, self.dtype)
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
        """All trainable parameters as one vector (the array itself; writing to it changes them).

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
        metrics : list, optional
            Each one a name (Keras's: ``"accuracy"``/``"acc"``, ``"binary_accuracy"``,
            ``"categorical_accuracy"``, ``"sparse_categorical_accuracy"``, ``"mse"``/
            ``"mean_squared_error"``, ``"mae"``/``"mean_absolute_error"``; reported under
            the name given), a function ``fn(y_true, y_pred) -> float`` (averaged over the
            batches weighted by their sizes, as Keras does; reported under
            ``fn.__name__``) or an :class:`nnlib.metrics.Metric` object (exact over the
            epoch; reported under its ``name``). ``y_true`` is what ``fit`` was given:
            labels for sparse categorical cross-entropy, (n, 1) columns for one output.
            As in Keras, metrics are not weighted by ``sample_weight``/``class_weight``.
        """
        from . import metrics as _metrics_module

        self.loss = _losses.get(loss)
        self.optimizer = _optimizers.get(optimizer)
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            raise TypeError(f"metrics must be a list, got {type(metrics).__name__}")
        specs = list(metrics or [])
        names = []
        for m in specs:
            names.append(_metrics_module.get_metric(m).name)   # checks names now
        dup = sorted({k for k in names if names.count(k) > 1} | ({"loss"} & set(names)))
        if dup:
            raise ValueError(f"metric names must be unique and not 'loss': {dup}")
        self._metric_specs = specs
        self.metrics = names
        self._fused = None
        return self

    def _make_metrics(self):
        """Fresh Metric objects for the compiled metrics (names resolved for this model)."""
        from . import metrics as _metrics_module

        sparse = self.loss.name == "sparse_categorical_crossentropy"
        objs = [_metrics_module.get_metric(m, self.output_dim, sparse)
                for m in getattr(self, "_metric_specs", self.metrics)]
        for obj in objs:
            obj.reset_state()
        return objs

    def _update_metrics(self, metrics, Y, A):
        """Metrics given by name see the model's targets Y (one-hot rows for sparse
        categorical cross-entropy, as nnlib always did); functions and Metric objects
        see the targets as the user gave them (:meth:`_user_y`)."""
        Yu = None
        for metric in metrics:
            if getattr(metric, "_internal_y", False):
                metric.update_state(Y, A)
            else:
                if Yu is None:
                    Yu = self._user_y(Y)
                metric.update_state(Yu, A)

    def _user_y(self, Y):
        """Targets as the user gave them: labels for sparse categorical cross-entropy."""
        if self.loss.name == "sparse_categorical_crossentropy":
            return Y.argmax(axis=1)
        return Y

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

    def _sample_losses(self, Y, A):
        """The loss of each row (shape (n,)); their mean is the unweighted data loss."""
        from .activations import log_softmax
        from .losses import EPSILON, _bce_from_logits

        name = self.loss.name
        if name == "mse":
            return ((A - Y) ** 2).mean(axis=1)
        if name == "binary_crossentropy":
            if self.fused:
                return _bce_from_logits(Y, self.layers[-1].z).mean(axis=1)
            P = np.clip(A, EPSILON, 1 - EPSILON)
            return -(Y * np.log(P) + (1 - Y) * np.log1p(-P)).mean(axis=1)
        if name in ("categorical_crossentropy", "sparse_categorical_crossentropy"):
            if self.fused:
                logp = log_softmax(self.layers[-1].z, axis=-1)
            else:
                logp = np.log(np.clip(A / A.sum(axis=-1, keepdims=True), EPSILON,
                                      1 - EPSILON))
            return -(Y * logp).sum(axis=1)
        raise ValueError(f"sample_weight/class_weight are not supported with the loss "
                         f"{name!r}")  # pragma: no cover - every nnlib loss is above

    def _weighted_loss_value(self, Y, A, w):
        """Keras's weighted loss: sum_i w_i l_i / n (divided by the batch size, not by the
        sum of the weights), plus the regularization penalty (not weighted)."""
        value = float(np.dot(w, self._sample_losses(Y, A))) / len(Y)
        return value + sum(layer.regularization_loss() for layer in self.layers)

    def _backward(self, Y, A, sample_weight=None):
        last = self.layers[-1]
        if self.fused:
            grad = self.loss.gradient_from_logits(Y, A)
        else:
            grad = self.loss.gradient(Y, A)
        if sample_weight is not None:   # each row's gradient scales with its weight
            grad = grad * sample_weight.reshape(-1, 1)
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

    def train_on_batch(self, X, Y, sample_weight=None):
        """One gradient step on a batch (already checked by ``fit``); returns the loss.

        ``sample_weight`` (n,) weights each row's loss as Keras does (see ``fit``)."""
        A = self._forward(X, training=True)
        if sample_weight is None:
            value = self._loss_value(Y, A)
            self._backward(Y, A)
        else:
            value = self._weighted_loss_value(Y, A, sample_weight)
            self._backward(Y, A, sample_weight)
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
    def fit(self, X, y=None, batch_size=None, epochs=1, verbose=0, callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, **unsupported):
        """Train by mini-batch gradient descent.

        Parameters
        ----------
        X : array-like of shape (n, input_dim)
        y : array-like
            Targets: 0/1 labels for binary cross-entropy, one-hot rows for categorical,
            integer labels for sparse categorical, values for mse.
        batch_size : int, optional
            Samples per gradient step (default 32, as Keras); the last batch of an epoch
            may be smaller.
        epochs : int
            Train until this epoch (counted from 0 with ``initial_epoch``, as Keras).
        verbose : {0, 1, 2, "auto"}
            0 (nnlib's default) is silent; 1, 2 and "auto" print one line per epoch
            (Keras's 2; nnlib draws no progress bar).
        callbacks : list of nnlib.callbacks.Callback
        validation_split : float in [0, 1)
            As in Keras: the LAST ``n - floor(n * (1 - validation_split))`` rows (taken
            before any shuffling, with their ``sample_weight``) are held out and
            evaluated after each epoch. Not together with ``validation_data``.
        validation_data : tuple (X_val, y_val) or (X_val, y_val, sample_weight_val)
            Evaluated after each epoch: ``val_loss`` and ``val_<metric>``.
        shuffle : bool
            Shuffle the samples before each epoch (seeded by the model's ``seed``).
        class_weight : dict {class index: weight}, optional
            Weights each training row by the weight of its class (the label, the argmax
            of a one-hot row, or the rounded 0/1 target); classes missing from the dict
            below its largest key weigh 1, as in Keras. Not together with
            ``sample_weight``; not applied to the validation data.
        sample_weight : array-like of shape (n,), optional
            A non-negative weight per row. As in Keras the batch loss is
            sum_i w_i l_i / batch size (not divided by the sum of the weights), and the
            metrics are not weighted.
        initial_epoch : int
            The epoch to start from (to resume a run): epochs ``initial_epoch`` to
            ``epochs - 1`` are run and logged under those indices.

        Returns
        -------
        History
            ``history.history["loss"]`` etc.: the mean training loss (and metrics) of each
            epoch over its batches, as Keras reports them, and the validation values.
        """
        _reject_unsupported("fit", unsupported, _FIT_ARGS)
        self._require_compiled("fit")
        if y is None:
            raise TypeError("fit needs targets y (nnlib does not take datasets or "
                            "generators: pass arrays X and y)")
        verbose = _check_verbose(verbose)
        X = self._check_X(X)
        Y = self._check_y(y, X)
        epochs = check_positive_int(epochs, "epochs")
        batch_size = 32 if batch_size is None else check_positive_int(batch_size,
                                                                      "batch_size")
        if isinstance(initial_epoch, bool) or not isinstance(initial_epoch, numbers.Integral) \
                or initial_epoch < 0:
            raise ValueError(f"initial_epoch must be a non-negative integer, got "
                             f"{initial_epoch!r}")
        if sample_weight is not None and class_weight is not None:
            raise ValueError("give class_weight or sample_weight, not both (as in Keras)")
        weights = None if sample_weight is None else \
            _check_sample_weight(sample_weight, X, "sample_weight", self.dtype)
        if isinstance(validation_split, bool) or not isinstance(validation_split,
                                                                numbers.Real):
            raise TypeError(f"validation_split must be a number, got "
                            f"{type(validation_split).__name__}")
        if not 0 <= validation_split < 1:
            raise ValueError(f"validation_split must be in [0, 1), got {validation_split!r}")
        Wv = None
        if validation_split:
            if validation_data is not None:
                raise ValueError("give validation_split or validation_data, not both")
            split = int(np.floor(len(X) * (1.0 - validation_split)))
            if split == 0 or split == len(X):
                raise ValueError(f"validation_split={validation_split} of {len(X)} samples "
                                 f"leaves {split} for training and {len(X) - split} for "
                                 "validation; both must be at least 1")
            Xv, Yv, X, Y = X[split:], Y[split:], X[:split], Y[:split]
            if weights is not None:
                Wv, weights = weights[split:], weights[:split]
            validation_data = True
        elif validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or \
                    len(validation_data) not in (2, 3):
                raise ValueError("validation_data must be a tuple (X_val, y_val) or "
                                 "(X_val, y_val, sample_weight_val)")
            Xv = self._check_X(validation_data[0], "X_val")
            Yv = self._check_y(validation_data[1], Xv, "y_val", "X_val")
            if len(validation_data) == 3 and validation_data[2] is not None:
                Wv = _check_sample_weight(validation_data[2], Xv, "sample_weight_val",
                                          self.dtype)
        if class_weight is not None:
            weights = self._class_weights(class_weight, Y)
        metrics = self._make_metrics()
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
        for epoch in range(initial_epoch, epochs):
            if shuffle:
                self._shuffle_rng.shuffle(order)
            total_loss = 0.0
            for metric in metrics:
                metric.reset_state()
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
                if weights is None:
                    value, A = self.train_on_batch(Xb, Yb)
                else:
                    Wb = weights[order[start:stop]] if shuffle else weights[start:stop]
                    value, A = self.train_on_batch(Xb, Yb, Wb)
                total_loss += value * (stop - start)
                if metrics:
                    self._update_metrics(metrics, Yb, A)
            logs = {"loss": total_loss / n}
            logs.update((m.name, float(m.result())) for m in metrics)
            if validation_data is not None:
                for k, v in zip(["loss"] + self.metrics, self._evaluate(Xv, Yv, Wv)):
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
    def predict(self, X, batch_size=None, verbose=0, **unsupported):
        """The output of the last layer for each row of ``X`` (a new array).

        ``batch_size`` (default 4096) only bounds the memory used: the result does not
        depend on it. ``verbose`` is accepted with Keras's values (0, 1, 2, "auto");
        nnlib's predict prints nothing either way.
        """
        _reject_unsupported("predict", unsupported, ("X", "batch_size", "verbose"))
        _check_verbose(verbose)
        batch_size = 4096 if batch_size is None else check_positive_int(batch_size,
                                                                        "batch_size")
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

    def evaluate(self, X, y=None, batch_size=None, verbose=0, sample_weight=None,
                 return_dict=False, **unsupported):
        """The loss on (X, y), or ``[loss, metric, ...]`` when metrics were compiled.

        Parameters
        ----------
        batch_size : int, optional
            Rows per forward pass (default 4096). The loss and the mean metrics are
            averaged over the batches weighted by their sizes (as Keras), so they do not
            depend on it beyond rounding; Metric objects are exact.
        verbose : {0, 1, 2, "auto"}
            0 (nnlib's default) is silent; otherwise one line with the values is printed.
        sample_weight : array-like of shape (n,), optional
            Weights of the rows' losses (Keras's convention, see ``fit``).
        return_dict : bool
            Return ``{"loss": ..., metric name: ...}`` instead of a list, as Keras.
        """
        _reject_unsupported("evaluate", unsupported, _EVALUATE_ARGS)
        self._require_compiled("evaluate")
        if y is None:
            raise TypeError("evaluate needs targets y (nnlib does not take datasets or "
                            "generators: pass arrays X and y)")
        verbose = _check_verbose(verbose)
        batch_size = 4096 if batch_size is None else check_positive_int(batch_size,
                                                                        "batch_size")
        X = self._check_X(X)
        Y = self._check_y(y, X)
        w = None if sample_weight is None else \
            _check_sample_weight(sample_weight, X, "sample_weight", self.dtype)
        values = self._evaluate(X, Y, w, batch_size)
        names = ["loss"] + self.metrics
        if verbose:
            print(" - ".join(f"{k}: {v:.4f}" for k, v in zip(names, values)))
        if return_dict:
            return dict(zip(names, values))
        return values[0] if len(values) == 1 else values

    def _evaluate(self, X, Y, sample_weight=None, batch_size=4096):
        metrics = self._make_metrics()
        total = 0.0
        for start in range(0, len(X), batch_size):
            Xb, Yb = X[start:start + batch_size], Y[start:start + batch_size]
            A = self._forward(Xb)
            if sample_weight is None:
                total += self._loss_value(Yb, A) * len(Xb)
            else:
                total += self._weighted_loss_value(
                    Yb, A, sample_weight[start:start + batch_size]) * len(Xb)
            if metrics:
                self._update_metrics(metrics, Yb, A)
        return [float(total / len(X))] + [float(m.result()) for m in metrics]

    def _class_weights(self, class_weight, Y):
        """Per-row weights from a dict {class: weight}, as Keras's class_weight."""
        if not isinstance(class_weight, dict) or not class_weight:
            raise TypeError(f"class_weight must be a non-empty dict {{class index: "
                            f"weight}}, got {type(class_weight).__name__}")
        for k, v in class_weight.items():
            if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 0:
                raise ValueError(f"class_weight keys must be class indices 0, 1, ..., got "
                                 f"{k!r}")
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or \
                    not np.isfinite(v) or v < 0:
                raise ValueError(f"class_weight[{k}] must be a non-negative number, got "
                                 f"{v!r}")
        labels = Y.argmax(axis=1) if Y.shape[1] > 1 else np.rint(Y[:, 0]).astype(np.int64)
        table = np.ones(max(class_weight) + 1, dtype=self.dtype)
        for k, v in class_weight.items():
            table[k] = v
        if labels.min() < 0:
            raise ValueError(f"class_weight needs class indices 0, 1, ... in y, got "
                             f"{int(labels.min())}")
        if labels.max() >= len(table):
            raise ValueError(f"y contains class {int(labels.max())}, which class_weight "
                             f"(keys {sorted(class_weight)}) does not cover")
        return table[labels]

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

    def save(self, path):
        """Write the model to one ``.npz`` file: weights and architecture (JSON).

        ``np.load(path, allow_pickle=False)`` reads it; :func:`nnlib.load_model` rebuilds
        the model. See :mod:`nnlib.saving`.
        """
        from .saving import save_model

        save_model(self, path)

    def __repr__(self):
        widths = " -> ".join(str(layer.output_dim) for layer in self.layers)
        return f"<Sequential {self.name!r}: {self.input_dim} -> {widths}>"
