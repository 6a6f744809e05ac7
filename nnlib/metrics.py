"""Classification metrics, derived in chapter 10, with scikit-learn's names and values.

Two families:

* **Counts of hard predictions** — :func:`confusion_matrix` and the rates computed from
  its four cells (:func:`accuracy_score`, :func:`precision_score`, :func:`recall_score`,
  :func:`specificity_score`, :func:`f1_score`, :func:`matthews_corrcoef`).
* **Rankings of scores** — :func:`roc_curve`, :func:`roc_auc_score`,
  :func:`precision_recall_curve`, :func:`average_precision_score` and the trapezoid
  rule :func:`auc`. All of them rest on one idea: sort the scores once, from the highest
  to the lowest; the counts of true and false positives at every threshold are then
  cumulative sums (:func:`counts_at_thresholds`). No loop over thresholds.

Conventions (each equals scikit-learn 1.9 unless said otherwise):

* Binary metrics use ``pos_label=1``. Their labels may take at most two values; when both
  occur, ``pos_label`` must be one of them.
* A rate whose denominator is zero (precision with no predicted positive, recall with no
  actual positive, ...) is **0.0**. scikit-learn returns the same 0.0 but also issues an
  ``UndefinedMetricWarning`` (its ``zero_division="warn"`` default); nnlib is silent.
  :func:`matthews_corrcoef` is 0.0 when its denominator is zero, as in scikit-learn.
* :func:`roc_curve` returns *every* threshold, as scikit-learn's
  ``roc_curve(..., drop_intermediate=False)``, with ``thresholds[0] = inf`` so that the
  curve starts at (0, 0).
* Where a curve or an area is undefined — ROC with a single class in ``y_true``, a
  precision–recall curve with no positive — nnlib raises a ``ValueError``. scikit-learn
  1.9 warns and returns NaN (ROC) or sets the recall to 1 (PR); older versions raised.
* No ``sample_weight``; labels are numbers (integers, booleans, or floats with integer
  values), not strings.

For metrics accumulated batch by batch during training, :class:`Metric` has Keras's
interface (``update_state``, ``result``, ``reset_state``); :class:`MeanMetricWrapper`
averages a function over batches and :class:`PearsonCorrelation` is exact over them.
"""
from __future__ import annotations

import numbers

import numpy as np

__all__ = ["confusion_matrix", "accuracy_score", "precision_score", "recall_score",
           "specificity_score", "f1_score", "matthews_corrcoef", "counts_at_thresholds",
           "roc_curve", "auc", "roc_auc_score", "precision_recall_curve",
           "average_precision_score"]

_AVERAGES = ("binary", "macro", "micro", "weighted", None)


# --------------------------------------------------------------------------- validation
def _as_1d(a, name: str) -> np.ndarray:
    if isinstance(a, (str, bytes)):
        raise TypeError(f"{name} must be a 1-D array of numbers, got {type(a).__name__}")
    arr = np.asarray(a)
    if arr.dtype.kind in "USa":
        raise TypeError(f"{name} must hold numbers, got an array of strings "
                        f"(shape {arr.shape})")
    if arr.dtype == object:
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must hold numbers, got dtype object "
                            f"(shape {arr.shape})") from None
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool) \
            or np.iscomplexobj(arr):
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]  # a column vector, as scikit-learn's column_or_1d accepts
    if arr.ndim != 1:
        hint = ""
        if arr.ndim == 2:
            hint = (" — for class probabilities of shape (n, C) pass "
                    "probs.argmax(axis=1) as labels, or one column as scores")
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}{hint}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        bad = int(arr.size - np.isfinite(arr).sum())
        raise ValueError(f"{name} contains {bad} NaN or infinite value(s) "
                         f"(shape {arr.shape})")
    return arr


def _labels(a, name: str) -> np.ndarray:
    arr = _as_1d(a, name)
    if arr.dtype.kind == "f" and not np.all(arr == np.round(arr)):
        bad = arr[arr != np.round(arr)][:3]
        raise ValueError(f"{name} must hold class labels (integers), got non-integer "
                         f"values such as {bad.tolist()}; threshold scores first, "
                         f"e.g. (p >= 0.5).astype(int)")
    return arr


def _pair(y_true, y_pred, second: str = "y_pred", scores: bool = False):
    y_true = _labels(y_true, "y_true")
    y_pred = _as_1d(y_pred, second) if scores else _labels(y_pred, second)
    if scores and y_pred.dtype == bool:
        y_pred = y_pred.astype(np.float64)
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true and {second} have different lengths: "
                         f"{len(y_true)} and {len(y_pred)}")
    return y_true, y_pred


def _check_binary(present: np.ndarray, pos_label, where: str) -> None:
    if len(present) > 2:
        raise ValueError(f"{where} needs binary labels, got {len(present)} classes "
                         f"{present.tolist()[:10]}; pass average='macro', 'micro' or "
                         f"'weighted' for several classes")
    if len(present) == 2 and pos_label not in present:
        raise ValueError(f"pos_label={pos_label!r} is not a valid label; it should be "
                         f"one of {present.tolist()}")


def _check_pos_label(pos_label) -> None:
    if isinstance(pos_label, (str, bytes)) or not isinstance(pos_label, numbers.Real):
        raise TypeError(f"pos_label must be a number, got {pos_label!r}")


def _divide(num, den) -> np.ndarray:
    """num / den elementwise, with 0.0 where den == 0 (scikit-learn's zero_division)."""
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    return np.divide(num, den, out=np.zeros(np.broadcast(num, den).shape), where=den != 0)


# ----------------------------------------------------------------- counts of predictions
def confusion_matrix(y_true, y_pred, *, labels=None, normalize=None) -> np.ndarray:
    """The confusion matrix ``C``: ``C[i, j]`` counts samples of class ``labels[i]``
    predicted as ``labels[j]`` (rows are the truth, columns the prediction).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        True and predicted class labels.
    labels : array-like, optional
        The classes, in the order of the rows; by default the sorted union of the labels
        in ``y_true`` and ``y_pred``. Samples whose labels are not listed are ignored.
    normalize : {"true", "pred", "all"} or None
        Divide by the row sums, the column sums or the total (0.0 where a sum is 0).

    Returns
    -------
    ndarray of shape (C, C)
        Integer counts, or floats if ``normalize`` is given. For binary labels 0 and 1,
        ``tn, fp, fn, tp = confusion_matrix(y_true, y_pred).ravel()``.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    if labels is None:
        labels = np.union1d(y_true, y_pred)
    else:
        labels = _labels(labels, "labels")
        if len(np.unique(labels)) != len(labels):
            raise ValueError(f"labels contains repeated values: {labels.tolist()}")
        if not np.isin(labels, y_true).any():
            raise ValueError("none of the given labels occurs in y_true")
    if normalize not in ("true", "pred", "all", None):
        raise ValueError(f"unknown normalize {normalize!r}; valid values are "
                         f"'true', 'pred', 'all' and None")
    k = len(labels)
    order = np.argsort(labels, kind="stable")
    # the index of each sample's class in `labels` (k where it is not listed)
    def index(y):
        pos = np.searchsorted(labels, y, sorter=order).clip(0, k - 1)
        idx = order[pos]
        return np.where(labels[idx] == y, idx, k)
    i, j = index(y_true), index(y_pred)
    keep = (i < k) & (j < k)
    cm = np.bincount(i[keep] * k + j[keep], minlength=k * k).reshape(k, k)
    if normalize == "true":
        return _divide(cm, cm.sum(axis=1, keepdims=True))
    if normalize == "pred":
        return _divide(cm, cm.sum(axis=0, keepdims=True))
    if normalize == "all":
        return _divide(cm, cm.sum())
    return cm


def accuracy_score(y_true, y_pred, *, normalize=True) -> float:
    """The fraction (``normalize=True``) or the number of correct predictions,
    (TP + TN) / n in the binary case; any number of classes."""
    y_true, y_pred = _pair(y_true, y_pred)
    correct = np.sum(y_true == y_pred)
    return float(correct / len(y_true)) if normalize else float(correct)


def _binary_counts(y_true, y_pred, pos_label, where: str):
    """TP, FP, FN, TN for the class ``pos_label`` of binary labels."""
    _check_pos_label(pos_label)
    y_true, y_pred = _pair(y_true, y_pred)
    _check_binary(np.union1d(y_true, y_pred), pos_label, where)
    actual, predicted = y_true == pos_label, y_pred == pos_label
    tp = int(np.sum(actual & predicted))
    fp = int(np.sum(~actual & predicted))
    fn = int(np.sum(actual & ~predicted))
    tn = int(np.sum(~actual & ~predicted))
    return tp, fp, fn, tn


def _per_class_counts(y_true, y_pred, average, pos_label, where: str):
    """TP, predicted-positive and actual-positive counts per class (or summed: micro)."""
    if average not in _AVERAGES:
        raise ValueError(f"unknown average {average!r}; valid values are 'binary', "
                         f"'macro', 'micro', 'weighted' and None")
    if average == "binary":
        tp, fp, fn, _ = _binary_counts(y_true, y_pred, pos_label, where)
        return np.array([tp]), np.array([tp + fp]), np.array([tp + fn])
    cm = confusion_matrix(y_true, y_pred)
    tp, predicted, actual = np.diag(cm), cm.sum(axis=0), cm.sum(axis=1)
    if average == "micro":
        return tp.sum(keepdims=True), predicted.sum(keepdims=True), \
            actual.sum(keepdims=True)
    return tp, predicted, actual


def _average(per_class: np.ndarray, actual: np.ndarray, average):
    if average is None:
        return per_class
    if average == "weighted" and actual.sum() > 0:
        return float(np.average(per_class, weights=actual))
    return float(np.mean(per_class))


def precision_score(y_true, y_pred, *, pos_label=1, average="binary"):
    """Precision TP / (TP + FP): the fraction of predicted positives that are positive.

    ``average`` as in scikit-learn: ``"binary"`` (the class ``pos_label``), ``"macro"``
    (the plain mean over classes), ``"weighted"`` (weighted by each class's support),
    ``"micro"`` (pooled counts: equals the accuracy for single-label data) or ``None``
    (one value per class, classes sorted). 0.0 when no sample is predicted positive.
    """
    tp, predicted, actual = _per_class_counts(y_true, y_pred, average, pos_label,
                                              "precision_score")
    return _average(_divide(tp, predicted), actual, average)


def recall_score(y_true, y_pred, *, pos_label=1, average="binary"):
    """Recall (sensitivity, true positive rate) TP / (TP + FN): the fraction of actual
    positives found. ``average`` as in :func:`precision_score`; 0.0 with no positive."""
    tp, predicted, actual = _per_class_counts(y_true, y_pred, average, pos_label,
                                              "recall_score")
    return _average(_divide(tp, actual), actual, average)


def specificity_score(y_true, y_pred, *, pos_label=1) -> float:
    """Specificity (true negative rate) TN / (TN + FP): the fraction of actual negatives
    predicted negative; 0.0 with no negative. scikit-learn has no such function: it is
    its ``recall_score`` with ``pos_label`` set to the negative class."""
    tp, fp, fn, tn = _binary_counts(y_true, y_pred, pos_label, "specificity_score")
    return float(_divide(tn, tn + fp))


def f1_score(y_true, y_pred, *, pos_label=1, average="binary"):
    """F1, the harmonic mean of precision and recall, 2 TP / (2 TP + FP + FN).

    Computed from the counts, so it is 0.0 only when TP = 0 (and when TP = FP = FN = 0).
    ``average`` as in :func:`precision_score` (macro averages the per-class F1 values).
    """
    tp, predicted, actual = _per_class_counts(y_true, y_pred, average, pos_label,
                                              "f1_score")
    return _average(_divide(2 * tp, predicted + actual), actual, average)


def matthews_corrcoef(y_true, y_pred) -> float:
    """The Matthews correlation coefficient, any number of classes.

    Binary: (TP TN - FP FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN)), the Pearson correlation
    of the 0/1 truth and prediction. With ``C`` the confusion matrix, ``n`` its total,
    ``c`` its trace, ``t`` its row sums and ``p`` its column sums, in general
    (c n - t.p) / sqrt((n^2 - p.p)(n^2 - t.t)). 0.0 when the denominator is zero (a
    constant truth or prediction), as in scikit-learn.
    """
    cm = confusion_matrix(y_true, y_pred).astype(np.float64)
    t, p = cm.sum(axis=1), cm.sum(axis=0)
    n, c = cm.sum(), np.trace(cm)
    cov_tp = c * n - t @ p
    cov_pp = n * n - p @ p
    cov_tt = n * n - t @ t
    if cov_pp * cov_tt == 0:
        return 0.0
    return float(cov_tp / np.sqrt(cov_tt * cov_pp))


# ------------------------------------------------------------------ rankings of scores
def _binary_truth(y_true, y_score, pos_label, where: str, need_both: bool):
    _check_pos_label(pos_label)
    y_true, y_score = _pair(y_true, y_score, "y_score", scores=True)
    present = np.unique(y_true)
    _check_binary(present, pos_label, where)
    positive = y_true == pos_label
    if need_both and len(present) < 2:
        raise ValueError(f"{where} needs both classes in y_true, got only "
                         f"{present.tolist()}: the curve (and its area) is undefined")
    if not need_both and not positive.any():
        raise ValueError(f"{where} needs at least one positive (y_true == {pos_label!r}) "
                         f"in y_true: the recall is undefined")
    return positive, y_score


def counts_at_thresholds(positive, y_score):
    """False and true positives at every distinct score used as the threshold.

    Parameters
    ----------
    positive : ndarray of bool, shape (n,)
        Whether each sample is positive.
    y_score : ndarray, shape (n,)
        Scores, higher meaning "more positive". Predict positive when score >= threshold.

    Returns
    -------
    fps, tps : ndarray of float64
        ``fps[k]``, ``tps[k]``: negatives and positives with score >= ``thresholds[k]``.
    thresholds : ndarray
        The distinct scores, decreasing.

    Sort once (highest score first); a threshold at the k-th sorted score predicts the
    first k+1 samples positive, so the counts are cumulative sums. Tied scores cannot
    be separated by any threshold: only the last index of each run of ties is kept.
    """
    order = np.argsort(y_score, kind="stable")[::-1]
    score, pos = y_score[order], positive[order]
    last_of_tie = np.r_[np.flatnonzero(np.diff(score)), len(score) - 1]
    tps = np.cumsum(pos, dtype=np.float64)[last_of_tie]
    fps = (last_of_tie + 1) - tps  # predicted positive minus true positives
    return fps, tps, score[last_of_tie]


def roc_curve(y_true, y_score, *, pos_label=1):
    """The receiver operating characteristic: FPR and TPR at every threshold.

    Equals scikit-learn's ``roc_curve(y_true, y_score, pos_label=pos_label,
    drop_intermediate=False)``: the first point is (0, 0) at ``thresholds[0] = inf``,
    then one point per distinct score, decreasing. Needs both classes in ``y_true``.

    Returns
    -------
    fpr, tpr : ndarray of float64
        FP / N and TP / P at each threshold (increasing).
    thresholds : ndarray of float64
        ``inf`` followed by the distinct scores, decreasing.
    """
    positive, y_score = _binary_truth(y_true, y_score, pos_label, "roc_curve", True)
    fps, tps, thresholds = counts_at_thresholds(positive, y_score)
    fps, tps = np.r_[0.0, fps], np.r_[0.0, tps]
    thresholds = np.r_[np.inf, thresholds.astype(np.float64)]
    return fps / fps[-1], tps / tps[-1], thresholds


def auc(x, y) -> float:
    """The area under the curve through the points (x, y) by the trapezoid rule;
    ``x`` must be increasing or decreasing (not necessarily strictly)."""
    x = _as_1d(x, "x").astype(np.float64)
    y = _as_1d(y, "y").astype(np.float64)
    if len(x) != len(y):
        raise ValueError(f"x and y have different lengths: {len(x)} and {len(y)}")
    if len(x) < 2:
        raise ValueError(f"at least 2 points are needed to compute an area, got {len(x)}")
    dx = np.diff(x)
    if np.any(dx < 0) and not np.all(dx <= 0):
        raise ValueError("x is neither increasing nor decreasing")
    direction = -1.0 if np.any(dx < 0) else 1.0
    return float(direction * np.sum(dx * (y[1:] + y[:-1]) / 2))


def roc_auc_score(y_true, y_score, *, pos_label=1) -> float:
    """The area under the ROC curve (trapezoid rule), binary labels.

    Equals the probability that a random positive scores higher than a random negative,
    ties counting one half (the Mann–Whitney U statistic divided by P N). scikit-learn
    takes the larger label as positive; nnlib takes ``pos_label``.
    """
    fpr, tpr, _ = roc_curve(y_true, y_score, pos_label=pos_label)
    return auc(fpr, tpr)


def precision_recall_curve(y_true, y_score, *, pos_label=1):
    """Precision and recall at every threshold, as scikit-learn's (drop_intermediate
    False, its default).

    Returns
    -------
    precision, recall : ndarray of float64
        In the order of *increasing* threshold, recall decreasing, with a last point
        (recall 0, precision 1) that has no threshold.
    thresholds : ndarray
        The distinct scores, increasing (one fewer than the points).

    Needs at least one positive in ``y_true``.
    """
    positive, y_score = _binary_truth(y_true, y_score, pos_label,
                                      "precision_recall_curve", False)
    fps, tps, thresholds = counts_at_thresholds(positive, y_score)
    precision = _divide(tps, tps + fps)
    recall = tps / tps[-1]
    return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0], thresholds[::-1]


def average_precision_score(y_true, y_score, *, pos_label=1) -> float:
    """Average precision: sum over thresholds of (R_k - R_{k-1}) P_k.

    A step-function (rectangle) area under the precision–recall curve: each gain in
    recall is weighted by the precision reached there; without ties, the mean over the
    positives of the precision at each positive's rank. It is not the trapezoid
    ``auc(recall, precision)``, which joins the points by straight lines, an
    interpolation no classifier achieves (Davis and Goadrich, 2006), and may come out
    larger or smaller. Needs at least one positive in ``y_true``.
    """
    precision, recall, _ = precision_recall_curve(y_true, y_score, pos_label=pos_label)
    return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))


# --------------------------------------------------------------------------- stateful
# Metrics that a model reports during fit/evaluate (chapter 13): objects with
# update_state / result / reset_state, as Keras's keras.metrics.Metric.

def _metric_arrays(y_true, y_pred):
    """(y_true, y_pred) as float arrays; y_true reshaped to y_pred's shape if it is 1-D
    against one output column. Raises for NaN/inf, different lengths, other shapes."""
    from ._validation import as_float_array

    yt = as_float_array(y_true, "y_true", ndim=None)
    yp = as_float_array(y_pred, "y_pred", ndim=None)
    if yt.ndim == 0 or yp.ndim == 0:
        raise ValueError(f"y_true and y_pred must be arrays, got shapes {yt.shape} and "
                         f"{yp.shape}")
    if len(yt) != len(yp):
        raise ValueError(f"y_true and y_pred have different numbers of samples: shapes "
                         f"{yt.shape} and {yp.shape}")
    if yt.shape != yp.shape and yt.size == yp.size and yt.ndim <= 2 and yp.ndim <= 2:
        yt = yt.reshape(yp.shape)
    return yt, yp


def _check_binary_labels(yt, name):
    if not np.all((yt == 0) | (yt == 1)):
        bad = yt[(yt != 0) & (yt != 1)]
        raise ValueError(f"{name} needs binary labels 0/1 in y_true, got values such as "
                         f"{bad.ravel()[:3].tolist()}")


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Fraction of entries where y_true equals (y_pred > threshold), as Keras's."""
    yt, yp = _metric_arrays(y_true, y_pred)
    _check_binary_labels(yt, "binary_accuracy")
    if yt.shape != yp.shape:
        raise ValueError(f"binary_accuracy: y_true has shape {yt.shape}, y_pred {yp.shape}")
    return float(np.mean(yt == (yp > threshold)))


def categorical_accuracy(y_true, y_pred):
    """Fraction of rows where argmax(y_true) equals argmax(y_pred) (one-hot y_true)."""
    yt, yp = _metric_arrays(y_true, y_pred)
    if yt.shape != yp.shape or yp.ndim != 2:
        raise ValueError(f"categorical_accuracy needs one-hot y_true of y_pred's shape "
                         f"(n, C), got {yt.shape} and {yp.shape}")
    return float(np.mean(yt.argmax(axis=1) == yp.argmax(axis=1)))


def sparse_categorical_accuracy(y_true, y_pred):
    """Fraction of rows where the integer label y_true equals argmax(y_pred).

    One-hot rows of y_pred's shape are read as their argmax."""
    yt, yp = _metric_arrays(y_true, y_pred)
    if yt.ndim == 2 and yt.shape == yp.shape and yp.shape[1] > 1:   # one-hot rows
        yt = yt.argmax(axis=1)
    if yp.ndim != 2 or yt.size != len(yp):
        raise ValueError(f"sparse_categorical_accuracy needs labels of shape (n,) and "
                         f"scores (n, C), got {yt.shape} and {yp.shape}")
    return float(np.mean(yt.ravel() == yp.argmax(axis=1)))


def mean_squared_error(y_true, y_pred):
    yt, yp = _metric_arrays(y_true, y_pred)
    return float(np.mean((yt - yp) ** 2))


def mean_absolute_error(y_true, y_pred):
    yt, yp = _metric_arrays(y_true, y_pred)
    return float(np.mean(np.abs(yt - yp)))


#: the metric names ``compile(metrics=[...])`` accepts (Keras's names and aliases);
#: "accuracy"/"acc" become binary, sparse categorical or categorical accuracy by the
#: output width and the loss, as in Keras
METRIC_NAMES = ("accuracy", "acc", "binary_accuracy", "categorical_accuracy",
                "sparse_categorical_accuracy", "mse", "mean_squared_error", "mae",
                "mean_absolute_error")
_METRIC_FUNCTIONS = {"binary_accuracy": binary_accuracy,
                     "categorical_accuracy": categorical_accuracy,
                     "sparse_categorical_accuracy": sparse_categorical_accuracy,
                     "mse": mean_squared_error, "mean_squared_error": mean_squared_error,
                     "mae": mean_absolute_error, "mean_absolute_error": mean_absolute_error}


def get_metric(identifier, output_dim=None, sparse=False) -> Metric:
    """A fresh Metric object for a name, a function or a Metric (returned as is).

    Names are reported under the name given (``"acc"`` -> ``"acc"``), functions under
    ``fn.__name__``, Metric objects under their ``name``.
    """
    from ._validation import unknown_name

    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        if identifier not in METRIC_NAMES:
            raise unknown_name("metric", identifier, METRIC_NAMES)
        if identifier in ("accuracy", "acc"):
            fn = (binary_accuracy if output_dim == 1 else sparse_categorical_accuracy
                  if sparse else categorical_accuracy)
        else:
            fn = _METRIC_FUNCTIONS[identifier]
        metric = _FunctionMetric(fn, name=identifier)
        metric._internal_y = True   # a model gives it its own targets (one-hot rows)
        return metric
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        raise TypeError(f"pass an instance, {identifier.__name__}(), not the class")
    if callable(identifier):
        return _FunctionMetric(identifier)
    raise TypeError(f"a metric must be a name, a function fn(y_true, y_pred) or an "
                    f"nnlib.metrics.Metric, got {type(identifier).__name__}")


__all__ += ["binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
            "get_metric", "METRIC_NAMES"]


# ------------------------------------------------------------------ streaming metrics
def _snake_case(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and not name[i - 1].isupper():
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


def _batch_arrays(y_true, y_pred, sample_weight, where: str):
    """Flatten a batch to float64 vectors of equal length (and its weights)."""
    t = np.asarray(y_true)
    p = np.asarray(y_pred)
    for arr, name in ((t, "y_true"), (p, "y_pred")):
        if arr.dtype.kind in "USaO" or not (np.issubdtype(arr.dtype, np.number)
                                            or arr.dtype == bool):
            raise TypeError(f"{where}: {name} must hold numbers, got dtype {arr.dtype}")
    t, p = t.astype(np.float64).ravel(), p.astype(np.float64).ravel()
    if t.size != p.size:
        raise ValueError(f"{where}: y_true and y_pred have different sizes: shapes "
                         f"{np.shape(y_true)} and {np.shape(y_pred)}")
    if not (np.isfinite(t).all() and np.isfinite(p).all()):
        raise ValueError(f"{where}: y_true or y_pred contains NaN or infinite values")
    if sample_weight is None:
        return t, p, np.ones_like(t)
    w = np.asarray(sample_weight, dtype=np.float64)
    if w.size != t.size:
        raise ValueError(f"{where}: sample_weight has shape {w.shape}, expected one "
                         f"weight per value ({t.size})")
    w = w.ravel()
    if not np.isfinite(w).all() or np.any(w < 0):
        raise ValueError(f"{where}: sample_weight must be finite and non-negative")
    return t, p, w


class Metric:
    """A metric accumulated over batches, with Keras's interface.

    ``update_state(y_true, y_pred, sample_weight=None)`` adds a batch,
    ``result()`` returns the value over everything added since the last
    ``reset_state()``. Calling the metric, ``m(y_true, y_pred)``, updates it with one
    batch and returns the result, as in Keras. A subclass keeps *sufficient statistics*
    (sums from which the exact value follows), so that the value over an epoch does not
    depend on how the epoch was cut into batches.

    Parameters
    ----------
    name : str, optional
        The key under which a model's history reports it; by default the class name in
        snake case (``PearsonCorrelation`` -> ``"pearson_correlation"``).
    """

    def __init__(self, name=None):
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string, got {type(name).__name__}")
        self.name = name or _snake_case(type(self).__name__)
        self.reset_state()

    def reset_state(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:  # pragma: no cover
        raise NotImplementedError

    def result(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, y_true, y_pred, sample_weight=None) -> float:
        self.update_state(y_true, y_pred, sample_weight)
        return self.result()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class MeanMetricWrapper(Metric):
    """The weighted mean over batches of ``fn(y_true, y_pred)``, each batch weighted by its
    size (or by the sum of its ``sample_weight``), as Keras averages a function metric.

    Exact for metrics that are means over samples (accuracy, squared error); for others
    (a correlation, an AUC) it is only the mean of per-batch values: write a
    :class:`Metric` with sufficient statistics instead.
    """

    def __init__(self, fn, name=None):
        if not callable(fn):
            raise TypeError(f"fn must be callable, got {type(fn).__name__}")
        self.fn = fn
        super().__init__(name or getattr(fn, "__name__", None) or "mean_metric")

    def reset_state(self) -> None:
        self.total, self.count = 0.0, 0.0

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        t, _, w = _batch_arrays(y_true, y_pred, sample_weight, self.name)
        value = float(self.fn(y_true, y_pred))
        if not np.isfinite(value):
            raise ValueError(f"{self.name}: the metric function returned {value}")
        weight = float(w.sum()) if sample_weight is not None else float(len(t))
        self.total += value * weight
        self.count += weight

    def result(self) -> float:
        return self.total / self.count if self.count else 0.0


class PearsonCorrelation(Metric):
    """Pearson's correlation between targets and predictions over all batches, exact.

    It keeps the count, the two means and the centred second moments
    ``sum w (x - mean_x)^2``, ``sum w (y - mean_y)^2``, ``sum w (x - mean_x)(y - mean_y)``,
    and merges each batch into them with Chan, Golub and LeVeque's update, which stays
    accurate when the values have a large common offset (raw sums of squares would
    cancel). ``result()`` equals ``np.corrcoef`` of everything added, however the data
    was batched; 0.0 before any update or when either variable is constant.

    Keras 3's ``metrics.PearsonCorrelation`` differs: it computes r along the last axis
    of each sample and averages over batches (NaN for outputs of shape (n, 1)). Here
    ``y_true`` and ``y_pred`` are flattened.
    """

    def reset_state(self) -> None:
        self.n = 0.0
        self.mean_true = self.mean_pred = 0.0
        self.m2_true = self.m2_pred = self.c_true_pred = 0.0

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        t, p, w = _batch_arrays(y_true, y_pred, sample_weight, self.name)
        n_b = float(w.sum())
        if n_b == 0:
            return
        mt, mp = float(w @ t) / n_b, float(w @ p) / n_b
        dt, dp = t - mt, p - mp
        m2t, m2p, ctp = float(w @ (dt * dt)), float(w @ (dp * dp)), float(w @ (dt * dp))
        n_a, n = self.n, self.n + n_b
        delta_t, delta_p = mt - self.mean_true, mp - self.mean_pred
        factor = n_a * n_b / n
        self.mean_true += delta_t * n_b / n
        self.mean_pred += delta_p * n_b / n
        self.m2_true += m2t + delta_t * delta_t * factor
        self.m2_pred += m2p + delta_p * delta_p * factor
        self.c_true_pred += ctp + delta_t * delta_p * factor
        self.n = n

    def result(self) -> float:
        den = np.sqrt(self.m2_true * self.m2_pred)
        if not den > 0:
            return 0.0
        return float(np.clip(self.c_true_pred / den, -1.0, 1.0))


__all__ += ["Metric", "MeanMetricWrapper", "PearsonCorrelation"]


class _FunctionMetric(MeanMetricWrapper):
    """What ``compile(metrics=[name or fn])`` makes: ``fn(y_true, y_pred)`` averaged over
    the batches weighted by their sizes (Keras's rule). Unlike
    :class:`MeanMetricWrapper` it lets y_true and y_pred differ in shape (integer labels
    (n,) against scores (n, C)); the function checks what it needs."""

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        if sample_weight is not None:
            return super().update_state(y_true, y_pred, sample_weight)
        value = self.fn(y_true, y_pred)
        try:
            value = float(np.mean(value))
        except (TypeError, ValueError):
            raise TypeError(f"metric {self.name!r} must return a number, got "
                            f"{type(value).__name__}") from None
        if not np.isfinite(value):
            raise ValueError(f"{self.name}: the metric function returned {value}")
        n = len(y_pred)
        self.total += value * n
        self.count += n
