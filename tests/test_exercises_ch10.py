"""The checkers of chapter 10: a right answer passes, wrong ones fail with a useful hint."""
import numpy as np
import pytest

from nnlib import metrics
from nnlib.exercises import check
from nnlib.exercises.ch10 import _kappa, _random_scores, _roc_dropped

SEEDS = [0, 1, 2, 3]


# ------------------------------------------------------------------ cohen_kappa
def kappa_right(cm):
    cm = np.asarray(cm, dtype=float)
    n = cm.sum()
    p_o = np.trace(cm) / n
    p_e = np.sum(cm.sum(axis=0) * cm.sum(axis=1)) / n**2
    return (p_o - p_e) / (1 - p_e)


def kappa_accuracy(cm):
    return np.trace(cm) / np.sum(cm)


def kappa_binary_only(cm):
    (tn, fp), (fn, tp) = np.asarray(cm)[:2, :2]
    n = tn + fp + fn + tp
    p_o = (tp + tn) / n
    p_e = ((tp + fp) * (tp + fn) + (tn + fn) * (tn + fp)) / n**2
    return (p_o - p_e) / (1 - p_e)


def kappa_sklearn(cm):
    from sklearn.metrics import cohen_kappa_score
    k = len(cm)
    y_true = np.repeat(np.repeat(np.arange(k), k), np.ravel(cm))
    y_pred = np.repeat(np.tile(np.arange(k), k), np.ravel(cm))
    return cohen_kappa_score(y_true, y_pred)


def kappa_array(cm):
    return np.full(2, kappa_right(cm))


@pytest.mark.parametrize("seed", SEEDS)
def test_kappa_right_answer_passes(seed):
    result = check("ch10.cohen_kappa", kappa_right, seed=seed)
    assert result, str(result)


def test_reference_kappa_equals_sklearn():
    from sklearn.metrics import cohen_kappa_score
    rng = np.random.default_rng(0)
    for _ in range(100):
        k = int(rng.integers(2, 6))
        y_true, y_pred = rng.integers(k, size=50), rng.integers(k, size=50)
        cm = metrics.confusion_matrix(y_true, y_pred, labels=np.arange(k))
        assert _kappa(cm) == pytest.approx(cohen_kappa_score(y_true, y_pred), abs=1e-12)


def test_kappa_accuracy_is_told_so():
    result = check("ch10.cohen_kappa", kappa_accuracy, seed=0)
    assert not result and "equals the accuracy" in str(result)


def test_kappa_binary_only_fails_on_many_classes():
    result = check("ch10.cohen_kappa", kappa_binary_only, seed=0)
    assert not result and "more than two classes" in str(result)


def test_kappa_library_wrapper_is_rejected():
    result = check("ch10.cohen_kappa", kappa_sklearn, seed=0)
    assert not result and "uses `cohen_kappa_score`" in str(result)


def test_kappa_wrong_shape():
    result = check("ch10.cohen_kappa", kappa_array, seed=0)
    assert not result and "one number" in str(result)


def test_kappa_none():
    result = check("ch10.cohen_kappa", lambda cm: None, seed=0)
    assert not result and "return" in str(result)


def test_kappa_raising():
    def boom(cm):
        raise ZeroDivisionError("x")
    result = check("ch10.cohen_kappa", boom, seed=0)
    assert not result and "raised ZeroDivisionError" in str(result)


# ------------------------------------------------------------------ roc_curve_dropped
def dropped_right(y_true, y_score):
    fps, tps, thr = metrics.counts_at_thresholds(np.asarray(y_true) == 1,
                                                 np.asarray(y_score))
    corner = np.ones(len(fps), bool)
    if len(fps) > 2:
        corner[1:-1] = (np.diff(fps, 2) != 0) | (np.diff(tps, 2) != 0)
    fps, tps, thr = fps[corner], tps[corner], thr[corner]
    fpr = np.concatenate([[0.0], fps / fps[-1]])
    tpr = np.concatenate([[0.0], tps / tps[-1]])
    return fpr, tpr, np.concatenate([[np.inf], thr])


def dropped_none(y_true, y_score):
    fps, tps, thr = metrics.counts_at_thresholds(np.asarray(y_true) == 1,
                                                 np.asarray(y_score))
    return (np.r_[0, fps] / fps[-1], np.r_[0, tps] / tps[-1], np.r_[np.inf, thr])


def dropped_on_the_curve(y_true, y_score):
    # the rule applied after prepending (0, 0): drops the first real point wrongly
    fpr, tpr, thr = dropped_none(y_true, y_score)
    keep = np.r_[True, (np.diff(fpr, 2) != 0) | (np.diff(tpr, 2) != 0), True]
    return fpr[keep], tpr[keep], thr[keep]


def dropped_no_inf(y_true, y_score):
    fpr, tpr, thr = dropped_right(y_true, y_score)
    return fpr, tpr, np.r_[thr[1] + 1, thr[1:]]


def dropped_sklearn(y_true, y_score):
    from sklearn.metrics import roc_curve
    return roc_curve(y_true, y_score)


@pytest.mark.parametrize("seed", SEEDS)
def test_dropped_right_answer_passes(seed):
    result = check("ch10.roc_curve_dropped", dropped_right, seed=seed)
    assert result, str(result)


def test_reference_equals_sklearn_drop_intermediate():
    from sklearn.metrics import roc_curve
    rng = np.random.default_rng(1)
    for _ in range(200):
        y, s = _random_scores(rng)
        for got, want in zip(_roc_dropped(y, s), roc_curve(y, s, drop_intermediate=True)):
            np.testing.assert_allclose(got, want, atol=1e-12)


def test_dropped_nothing_is_told_so():
    result = check("ch10.roc_curve_dropped", dropped_none, seed=0)
    assert not result and "all" in str(result) and "points of the full curve" in str(result)


def test_dropped_on_the_prepended_curve_fails():
    results = [check("ch10.roc_curve_dropped", dropped_on_the_curve, seed=s)
               for s in range(10)]
    assert not all(results)


def test_dropped_without_inf_fails():
    result = check("ch10.roc_curve_dropped", dropped_no_inf, seed=0)
    assert not result and "inf" in str(result)


def test_dropped_library_wrapper_is_rejected():
    result = check("ch10.roc_curve_dropped", dropped_sklearn, seed=0)
    assert not result and "uses `roc_curve`" in str(result)


def test_dropped_wrong_shape():
    result = check("ch10.roc_curve_dropped", lambda y, s: dropped_right(y, s)[:2], seed=0)
    assert not result and "three arrays" in str(result)
    result = check("ch10.roc_curve_dropped",
                   lambda y, s: tuple(a[:-1] for a in dropped_right(y, s)), seed=0)
    assert not result and "expected" in str(result)


def test_dropped_raising():
    def boom(y, s):
        raise IndexError("x")
    result = check("ch10.roc_curve_dropped", boom, seed=0)
    assert not result and "raised IndexError" in str(result)
