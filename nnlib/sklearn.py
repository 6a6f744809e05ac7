"""A scikit-learn compatible classifier built on :class:`nnlib.Sequential`.

``MLPClassifier`` follows scikit-learn's estimator conventions: hyperparameters are the
constructor's arguments (stored unchanged, so ``get_params``/``set_params``/``clone``
work), ``fit`` learns attributes ending in ``_``, and ``score`` is the accuracy. It can
therefore be used in ``GridSearchCV``, ``cross_val_score`` and ``Pipeline`` like any
scikit-learn classifier. Chapter 7 uses it for a grid search over the learning rate and
the L2 strength.

Needs scikit-learn (imported when this module is).
"""
from __future__ import annotations

import copy
import numbers
import warnings

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.utils import check_random_state
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import check_is_fitted, validate_data
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("nnlib.sklearn needs scikit-learn >= 1.6: pip install scikit-learn") \
        from exc

from . import layers as _layers
from . import optimizers as _optimizers
from . import regularizers as _regularizers
from .models import Sequential

__all__ = ["MLPClassifier"]


class MLPClassifier(ClassifierMixin, BaseEstimator):
    """A multilayer perceptron classifier trained with nnlib, usable as a scikit-learn estimator.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int
        Units of each hidden layer; ``()`` gives (multinomial) logistic regression.
    activation : str
        Activation of the hidden layers (any name of :mod:`nnlib.activations`).
    learning_rate : float
        Step size of the optimizer.
    alpha : float
        L2 strength: ``alpha * sum(W**2)`` of every kernel is added to the loss
        (:class:`nnlib.regularizers.L2`, Keras's convention); biases are not penalized.
    batch_size : int
        Samples per gradient step (capped at the number of samples).
    epochs : int
        Passes over the training data.
    optimizer : {"sgd", "adam", "adamw", "adagrad", "rmsprop", "adadelta"}
        Any of :mod:`nnlib.optimizers` (Keras's defaults apart from the learning rate).
    momentum : float
        Momentum of SGD (only SGD uses it).
    dropout : float in [0, 1)
        Rate of a :class:`nnlib.layers.Dropout` after each hidden layer (0: none).
    early_stopping : bool
        As scikit-learn's MLPClassifier: hold out a stratified ``validation_fraction``
        of the training data and stop when its accuracy has not improved by more than
        ``tol`` for ``n_iter_no_change`` epochs (nnlib's EarlyStopping callback).
    validation_fraction : float in (0, 1)
        The held-out share when ``early_stopping``.
    n_iter_no_change : int
        Epochs without improvement before stopping.
    tol : float
        The smallest improvement of the validation accuracy that counts.
    restore_best_weights : bool
        With early stopping, end with the weights of the best validation epoch.
    random_state : int, RandomState or None
        Seeds the initial weights and the shuffling of the mini-batches.
    dtype : {"float64", "float32"}
        Precision of the network's computations.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels seen by ``fit``, sorted (any values: ints, strings, ...).
    n_features_in_ : int
        Number of features seen by ``fit``.
    model_ : nnlib.Sequential
        The trained network: one sigmoid output unit for two classes, a softmax layer of
        ``n_classes`` units otherwise.
    loss_curve_ : list of float
        The mean training loss of each epoch.
    validation_scores_ : list of float or None
        The validation accuracy of each epoch when ``early_stopping`` (else None).
    best_validation_score_ : float or None
        The best of them.
    n_iter_ : int
        The number of epochs run.
    diverged_ : bool
        True when training produced non-finite weights (learning rate too large); the
        model then predicts uniform probabilities and ``fit`` warns.
    """

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", learning_rate=0.01,
                 alpha=0.0, batch_size=32, epochs=50, optimizer="sgd", momentum=0.0,
                 random_state=None, dtype="float64", dropout=0.0, early_stopping=False,
                 validation_fraction=0.1, n_iter_no_change=10, tol=1e-4,
                 restore_best_weights=True):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.learning_rate = learning_rate
        self.alpha = alpha
        self.batch_size = batch_size
        self.epochs = epochs
        self.optimizer = optimizer
        self.momentum = momentum
        self.random_state = random_state
        self.dtype = dtype
        self.dropout = dropout
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.restore_best_weights = restore_best_weights

    # ------------------------------------------------------------------ helpers
    def _seed(self):
        rs = self.random_state
        if isinstance(rs, numbers.Integral) and not isinstance(rs, bool):
            return int(rs)
        return int(check_random_state(rs).randint(np.iinfo(np.int32).max))

    def _make_optimizer(self):
        name = str(self.optimizer).lower()
        if name == "sgd":
            return _optimizers.SGD(learning_rate=self.learning_rate, momentum=self.momentum)
        classes = {"adam": _optimizers.Adam, "adamw": _optimizers.AdamW,
                   "adagrad": _optimizers.Adagrad, "rmsprop": _optimizers.RMSprop,
                   "adadelta": _optimizers.Adadelta}
        if name not in classes:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; valid optimizers are: "
                             f"{', '.join(sorted(['sgd', *classes]))}")
        return classes[name](learning_rate=self.learning_rate)

    def _build_model(self, n_features, n_classes):
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral):
            sizes = (sizes,)
        sizes = tuple(sizes)
        for s in sizes:
            if not isinstance(s, numbers.Integral) or s < 1:
                raise ValueError(f"hidden_layer_sizes must be positive integers, got {sizes!r}")
        if not isinstance(self.epochs, numbers.Integral) or self.epochs < 1:
            raise ValueError(f"epochs must be a positive integer, got {self.epochs!r}")
        if not isinstance(self.batch_size, numbers.Integral) or self.batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {self.batch_size!r}")
        if self.alpha < 0:
            raise ValueError(f"alpha must be >= 0, got {self.alpha!r}")
        reg = _regularizers.L2(self.alpha) if self.alpha > 0 else None
        dropout = _layers._check_fraction(self.dropout, "dropout")
        model = Sequential(seed=self._seed(), dtype=self.dtype)
        width = n_features
        for units in sizes:
            model.add(_layers.Dense(int(units), activation=self.activation, input_dim=width,
                                    kernel_regularizer=reg))
            if dropout > 0:
                model.add(_layers.Dropout(dropout))
            width = int(units)
        if n_classes == 2:
            model.add(_layers.Dense(1, activation="sigmoid", input_dim=width,
                                    kernel_regularizer=reg))
            loss = "binary_crossentropy"
        else:
            model.add(_layers.Dense(n_classes, activation="softmax", input_dim=width,
                                    kernel_regularizer=reg))
            loss = "sparse_categorical_crossentropy"
        model.compile(loss=loss, optimizer=self._make_optimizer())
        return model

    # ------------------------------------------------------------------ API
    def fit(self, X, y):
        """Train a new network on ``X`` (n, n_features) and labels ``y`` (n,); returns self."""
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32])
        check_classification_targets(y)
        self.classes_, y_enc = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"MLPClassifier needs samples of at least 2 classes; got 1 "
                             f"class ({self.classes_[0]!r})")
        self.model_ = self._build_model(X.shape[1], len(self.classes_))
        fit_args = {}
        self.validation_scores_ = self.best_validation_score_ = None
        if self.early_stopping:
            fit_args, X, y_enc = self._early_stopping_args(X, y_enc)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            history = self.model_.fit(X, y_enc, epochs=self.epochs,
                                      batch_size=min(self.batch_size, len(X)), verbose=0,
                                      **fit_args)
        self.loss_curve_ = [float(v) for v in history.history["loss"]]
        self.n_iter_ = len(self.loss_curve_)
        if self.early_stopping:
            self.validation_scores_ = [float(v) for v in history.history["val_accuracy"]]
            self.best_validation_score_ = float(np.max(self.validation_scores_))
        self.diverged_ = not all(np.all(np.isfinite(w)) for w in self.model_.get_weights())
        if self.diverged_:
            warnings.warn(f"training diverged (non-finite weights) with learning_rate="
                          f"{self.learning_rate}, alpha={self.alpha}; the model predicts "
                          "uniform probabilities", ConvergenceWarning, stacklevel=2)
        return self

    def _early_stopping_args(self, X, y_enc):
        """Split off a stratified validation set; the EarlyStopping callback for fit."""
        from sklearn.model_selection import train_test_split

        from .callbacks import EarlyStopping

        vf = self.validation_fraction
        if isinstance(vf, bool) or not isinstance(vf, numbers.Real) or not 0 < vf < 1:
            raise ValueError(f"validation_fraction must be in (0, 1), got {vf!r}")
        n_iter = self.n_iter_no_change
        if isinstance(n_iter, bool) or not isinstance(n_iter, numbers.Integral) or n_iter < 1:
            raise ValueError(f"n_iter_no_change must be a positive integer, got {n_iter!r}")
        if isinstance(self.tol, bool) or not isinstance(self.tol, numbers.Real) or \
                not np.isfinite(self.tol) or self.tol < 0:
            raise ValueError(f"tol must be a non-negative number, got {self.tol!r}")
        n_classes = len(self.classes_)
        n_val = int(np.ceil(vf * len(X)))
        stratify = y_enc if n_val >= n_classes and len(X) - n_val >= n_classes and \
            np.bincount(y_enc).min() >= 2 else None
        try:
            X_tr, X_val, y_tr, y_val = train_test_split(
                X, y_enc, test_size=vf, stratify=stratify, random_state=self._seed())
        except ValueError as exc:
            raise ValueError(f"early_stopping: cannot hold out validation_fraction={vf} of "
                             f"{len(X)} samples: {exc}") from None
        self.model_.compile(self.model_.loss, self.model_.optimizer, metrics=["accuracy"])
        stop = EarlyStopping(monitor="val_accuracy", mode="max", min_delta=self.tol,
                             patience=int(n_iter),
                             restore_best_weights=bool(self.restore_best_weights))
        return {"validation_data": (X_val, y_val), "callbacks": [stop]}, X_tr, y_tr

    def predict_proba(self, X):
        """Class probabilities, shape (n, n_classes), columns in the order of ``classes_``."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        if self.diverged_:
            return np.full((len(X), len(self.classes_)), 1.0 / len(self.classes_))
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            P = self.model_.predict(X).astype(np.float64)
        if P.shape[1] == 1:
            P = np.column_stack([1.0 - P[:, 0], P[:, 0]])
        return P

    def predict(self, X):
        """The most probable class of each row of ``X``, as a label from ``classes_``."""
        P = self.predict_proba(X)
        return self.classes_[np.argmax(P, axis=1)]

    def __getstate__(self):
        # the pickled copy of the model leaves out its work arrays (recreated on demand)
        # and its history (loss_curve_ keeps the losses); the estimator is not modified.
        state = dict(super().__getstate__())  # a copy: object.__getstate__ returns __dict__
        model = state.get("model_")
        if model is not None:
            model = copy.copy(model)
            model.layers = [copy.copy(layer) for layer in model.layers]
            model.history = None  # refers back to the original model; loss_curve_ keeps it
            model._batch_buffers = {}
            for layer in model.layers:
                layer._buffers = {}  # work arrays, recreated on demand
                for attr in ("_X", "z", "a"):
                    layer.__dict__.pop(attr, None)
            state["model_"] = model
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        model = state.get("model_")
        if model is not None:  # a memory-mapped load gives read-only arrays: copy them
            # (theta and its views are taken care of by Sequential.__setstate__)
            for layer in model.layers:
                for key in list(layer.state):
                    layer.state[key] = np.array(layer.state[key])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        return tags
