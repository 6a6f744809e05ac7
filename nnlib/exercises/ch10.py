"""Checkers of chapter 10 (measuring performance): Cohen's kappa from a confusion matrix
and the ROC curve with scikit-learn's rule for dropping collinear points.

Each checker draws fresh labels and scores from ``rng``, compares the student's answer
with a reference computed here and says right or wrong with a hint (never the solution).
"""
from __future__ import annotations

import numpy as np

from .. import metrics as _metrics
from ._core import Mismatch, as_numeric, checker, compare_arrays, forbid, quiet_call


def _random_labels(rng, k, n):
    """Predictions that agree with the truth more often than chance, all k classes true."""
    while True:
        y_true = rng.integers(k, size=n)
        noise = rng.integers(k, size=n)
        y_pred = np.where(rng.random(n) < rng.uniform(0.2, 0.8), y_true, noise)
        if len(np.unique(y_true)) == k:
            return y_true, y_pred


def _kappa(cm):
    cm = np.asarray(cm, dtype=float)
    n = cm.sum()
    observed = np.trace(cm) / n
    expected = (cm.sum(axis=1) @ cm.sum(axis=0)) / n**2
    return (observed - expected) / (1 - expected)


# ---------------------------------------------------------------- cohen_kappa
@checker("ch10.cohen_kappa",
         "cohen_kappa(cm): Cohen's kappa of a (C, C) confusion matrix of counts")
def check_cohen_kappa(fn, rng):
    forbid(fn, {"cohen_kappa_score": "scikit-learn's cohen_kappa_score is the function "
                                     "you are asked to re-derive: compute kappa from "
                                     "the counts in cm"})
    cases = []
    for k in (2, int(rng.integers(3, 7))):
        for _ in range(3):
            y_true, y_pred = _random_labels(rng, k, int(rng.integers(30, 200)))
            cases.append(_metrics.confusion_matrix(y_true, y_pred,
                                                   labels=np.arange(k)))
    # a perfect classifier (kappa 1) and one that always predicts class 0 (kappa 0)
    cases.append(np.diag(rng.integers(5, 20, size=3)))
    cases.append(np.column_stack([rng.integers(5, 20, size=3), np.zeros((3, 2), int)]))
    for cm in cases:
        got = quiet_call(fn, cm.copy(), name="cohen_kappa")
        value = as_numeric(got, "cohen_kappa(cm)")
        if value.shape != ():
            raise Mismatch(f"cohen_kappa(cm) should return one number, got an array of "
                           f"shape {value.shape}")
        expected = _kappa(cm)
        accuracy = np.trace(cm) / cm.sum()
        if abs(float(value) - accuracy) < 1e-9 and abs(expected - accuracy) > 1e-6:
            raise Mismatch("your kappa equals the accuracy (the observed agreement p_o): "
                           "subtract the agreement expected by chance and rescale")
        if not np.isfinite(value):
            raise Mismatch(f"cohen_kappa returned {float(value)} for a {cm.shape[0]} x "
                           f"{cm.shape[0]} matrix with {int(cm.sum())} samples")
        if abs(float(value) - expected) > 1e-9:
            row_col = (cm.sum(axis=1) @ cm.sum(axis=0)) / cm.sum() ** 2
            hint = ""
            if cm.shape[0] > 2:
                hint = " (it fails on a matrix with more than two classes)"
            raise Mismatch(f"cohen_kappa gave {float(value):.6f} for a {cm.shape[0]}-class "
                           f"matrix whose kappa is {expected:.6f}{hint}; the chance "
                           f"agreement p_e of that matrix is {row_col:.4f}")
    return True, f"kappa matches the definition on {len(cases)} random confusion matrices"


# ---------------------------------------------------------------- roc_curve_dropped
def _roc_dropped(y_true, y_score):
    fps, tps, thr = _metrics.counts_at_thresholds(np.asarray(y_true) == 1, y_score)
    if len(fps) > 2:
        keep = np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True]
        fps, tps, thr = fps[keep], tps[keep], thr[keep]
    fps, tps = np.r_[0.0, fps], np.r_[0.0, tps]
    return fps / fps[-1], tps / tps[-1], np.r_[np.inf, thr.astype(float)]


def _random_scores(rng):
    n = int(rng.integers(8, 60))
    while True:
        y = (rng.random(n) < rng.uniform(0.2, 0.6)).astype(int)
        if 0 < y.sum() < n:
            break
    kind = rng.integers(3)
    if kind == 0:        # many ties
        s = rng.integers(0, 5, size=n) / 4
    elif kind == 1:      # continuous scores that separate the classes somewhat
        s = 1 / (1 + np.exp(-(rng.standard_normal(n) + 1.5 * y)))
    else:                # perfectly separated, then a few collinear runs
        s = np.round(rng.random(n) * 0.5 + 0.5 * y, 1)
    return y, s


@checker("ch10.roc_curve_dropped",
         "roc_curve_dropped(y_true, y_score): the ROC curve without collinear points, "
         "as scikit-learn's roc_curve(drop_intermediate=True)")
def check_roc_curve_dropped(fn, rng):
    forbid(fn, {"roc_curve": "it is the function whose dropping rule you are asked to "
                             "re-derive; start from nnlib.metrics.counts_at_thresholds or "
                             "from your own sort of the scores",
                "drop_intermediate": "the exercise asks you to implement that option"})
    for trial in range(8):
        y, s = _random_scores(rng)
        expected = _roc_dropped(y, s)
        got = quiet_call(fn, y.copy(), s.copy(), name="roc_curve_dropped")
        if not isinstance(got, (tuple, list)) or len(got) != 3:
            raise Mismatch("roc_curve_dropped should return three arrays (fpr, tpr, "
                           "thresholds)")
        fpr, tpr, thr = (as_numeric(g, w) for g, w in zip(got, ("fpr", "tpr",
                                                                 "thresholds")))
        full = _metrics.roc_curve(y, s)
        if fpr.shape == full[0].shape and fpr.shape != expected[0].shape \
                and np.allclose(fpr, full[0]):
            raise Mismatch(f"fpr has all {len(full[0])} points of the full curve; "
                           f"{len(expected[0])} remain after dropping the points that "
                           "lie on a straight line between their neighbours")
        if fpr.shape != expected[0].shape:
            raise Mismatch(f"for {len(y)} samples with {len(full[0]) - 1} distinct scores "
                           f"fpr has shape {fpr.shape}, expected {expected[0].shape}; "
                           "keep the first and last point and every point where the "
                           "second difference of the FP or TP counts is non-zero")
        if len(thr) and np.isfinite(thr[0]):
            raise Mismatch("thresholds[0] should be inf: the point (0, 0) that no "
                           "score reaches")
        compare_arrays(fpr, expected[0], what="fpr", rtol=0, atol=1e-12)
        compare_arrays(tpr, expected[1], what="tpr", rtol=0, atol=1e-12)
        if not np.array_equal(thr[1:], expected[2][1:]):
            raise Mismatch("fpr and tpr are right but the thresholds are not the scores "
                           "kept at those points")
    return True, "fpr, tpr and thresholds match scikit-learn's rule on 8 random cases"
