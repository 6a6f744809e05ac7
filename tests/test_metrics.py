"""nnlib.metrics equals scikit-learn on random cases with ties and degenerate inputs,
and rejects bad input with a clear error."""
import warnings

import numpy as np
import pytest

sklearn_metrics = pytest.importorskip("sklearn.metrics")
from sklearn.exceptions import UndefinedMetricWarning  # noqa: E402

from nnlib import metrics  # noqa: E402

SEEDS = range(200)
# scikit-learn notes "A single label was found" when a random case has one class
pytestmark = pytest.mark.filterwarnings("ignore:A single label:UserWarning")


def quiet(fn, *args, **kwargs):
    """scikit-learn's value with its UndefinedMetricWarning silenced (nnlib is silent)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        # "A single label was found": the shape we compare is the one we expect
        warnings.filterwarnings("ignore", "A single label", UserWarning)
        return fn(*args, **kwargs)


def random_labels(rng, k=2):
    """Labels of a random length, sometimes a single class, sometimes all predicted one."""
    n = int(rng.integers(1, 40))
    kind = rng.integers(6)
    if kind == 0:  # one class only
        y = np.full(n, rng.integers(k))
    elif kind == 1:  # strongly imbalanced
        y = (rng.random(n) < 0.1).astype(int) * (k - 1)
    else:
        y = rng.integers(k, size=n)
    return y


def random_scores(rng, n):
    """Scores with many ties (few distinct values), continuous, or constant."""
    kind = rng.integers(4)
    if kind == 0:
        return rng.integers(0, 4, size=n) / 4.0
    if kind == 1:
        return np.full(n, 0.3)
    if kind == 2:
        return rng.integers(-3, 3, size=n)  # integer scores
    return rng.random(n)


def binary_case(seed, both=True):
    rng = np.random.default_rng(seed)
    while True:
        y = random_labels(rng)
        if not both or len(np.unique(y)) == 2:
            return y, random_scores(rng, len(y)), rng


def check_prf(y_true, y_pred, average):
    """precision, recall and F1 equal scikit-learn's (one call gives all three)."""
    want = quiet(sklearn_metrics.precision_recall_fscore_support, y_true, y_pred,
                 average=average)[:3]
    for name, exp in zip(("precision_score", "recall_score", "f1_score"), want):
        got = getattr(metrics, name)(y_true, y_pred, average=average)
        np.testing.assert_allclose(got, exp, rtol=0, atol=1e-12, err_msg=f"{name} "
                                   f"average={average}")


# ------------------------------------------------------------------ counts of predictions
@pytest.mark.parametrize("seed", SEEDS)
def test_binary_rates_equal_sklearn(seed):
    rng = np.random.default_rng(seed)
    y_true = random_labels(rng)
    y_pred = np.resize(random_labels(rng), len(y_true))
    sk = sklearn_metrics
    np.testing.assert_array_equal(metrics.confusion_matrix(y_true, y_pred),
                                  quiet(sk.confusion_matrix, y_true, y_pred))
    assert metrics.accuracy_score(y_true, y_pred) == sk.accuracy_score(y_true, y_pred)
    assert metrics.accuracy_score(y_true, y_pred, normalize=False) == \
        sk.accuracy_score(y_true, y_pred, normalize=False)
    for average in ("binary", "macro", "micro", "weighted", None):
        check_prf(y_true, y_pred, average)
    assert metrics.matthews_corrcoef(y_true, y_pred) == pytest.approx(
        sk.matthews_corrcoef(y_true, y_pred), abs=1e-12)
    # specificity is scikit-learn's recall of the negative class
    assert metrics.specificity_score(y_true, y_pred) == pytest.approx(
        quiet(sk.recall_score, y_true, y_pred, pos_label=0), abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_multiclass_equals_sklearn(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(3, 6))
    n = int(rng.integers(1, 50))
    y_true = rng.integers(k, size=n) * 2 - 1  # labels that are not 0..k-1
    y_pred = np.where(rng.random(n) < 0.5, y_true, rng.integers(k + 1, size=n) * 2 - 1)
    sk = sklearn_metrics
    np.testing.assert_array_equal(metrics.confusion_matrix(y_true, y_pred),
                                  quiet(sk.confusion_matrix, y_true, y_pred))
    labels = rng.permutation(np.union1d(y_true, y_pred))[:max(1, k - 1)]
    if np.isin(labels, y_true).any():
        np.testing.assert_array_equal(
            metrics.confusion_matrix(y_true, y_pred, labels=labels),
            quiet(sk.confusion_matrix, y_true, y_pred, labels=labels))
    for normalize in ("true", "pred", "all"):
        np.testing.assert_allclose(
            metrics.confusion_matrix(y_true, y_pred, normalize=normalize),
            quiet(sk.confusion_matrix, y_true, y_pred, normalize=normalize), atol=1e-12)
    assert metrics.accuracy_score(y_true, y_pred) == sk.accuracy_score(y_true, y_pred)
    for average in ("macro", "micro", "weighted", None):
        check_prf(y_true, y_pred, average)
    assert metrics.matthews_corrcoef(y_true, y_pred) == pytest.approx(
        sk.matthews_corrcoef(y_true, y_pred), abs=1e-12)


def test_counts_from_the_definitions():
    # source 002's example: tn, fp, fn, tp = 0, 2, 1, 1
    y_true, y_pred = [0, 1, 0, 1], [1, 1, 1, 0]
    assert metrics.confusion_matrix(y_true, y_pred).ravel().tolist() == [0, 2, 1, 1]
    assert metrics.precision_score(y_true, y_pred) == pytest.approx(1 / 3)
    assert metrics.recall_score(y_true, y_pred) == 0.5
    assert metrics.specificity_score(y_true, y_pred) == 0.0
    assert metrics.f1_score(y_true, y_pred) == pytest.approx(2 / (2 + 2 + 1))
    assert metrics.matthews_corrcoef(y_true, y_pred) == pytest.approx(
        (1 * 0 - 2 * 1) / np.sqrt(3 * 2 * 2 * 1))


def test_zero_denominators_give_zero_where_sklearn_warns():
    y = [0, 0, 0]
    for name in ("precision_score", "recall_score", "f1_score"):
        assert getattr(metrics, name)(y, y) == 0.0
        with pytest.warns(UndefinedMetricWarning):
            assert getattr(sklearn_metrics, name)(y, y) == 0.0
    assert metrics.specificity_score([1, 1], [1, 0]) == 0.0
    assert metrics.matthews_corrcoef([1, 1, 1], [1, 0, 1]) == 0.0
    assert sklearn_metrics.matthews_corrcoef([1, 1, 1], [1, 0, 1]) == 0.0


def test_bool_and_float_labels_and_pos_label():
    y_true = np.array([True, False, True, True])
    y_pred = np.array([1.0, 0.0, 0.0, 1.0])
    assert metrics.recall_score(y_true, y_pred) == pytest.approx(2 / 3)
    assert metrics.precision_score([3, 4, 4], [4, 4, 3], pos_label=4) == \
        sklearn_metrics.precision_score([3, 4, 4], [4, 4, 3], pos_label=4)
    assert metrics.specificity_score([3, 4, 4], [4, 4, 3], pos_label=4) == 0.0
    # a single label other than pos_label: nothing is positive, as in scikit-learn
    assert metrics.precision_score([3, 3], [3, 3]) == \
        quiet(sklearn_metrics.precision_score, [3, 3], [3, 3])


# --------------------------------------------------------------------- ranking of scores
@pytest.mark.parametrize("seed", SEEDS)
def test_roc_curve_and_auc_equal_sklearn(seed):
    y, s, rng = binary_case(seed)
    fpr, tpr, thr = metrics.roc_curve(y, s)
    want = sklearn_metrics.roc_curve(y, s, drop_intermediate=False)
    for got, exp in zip((fpr, tpr, thr), want):
        np.testing.assert_allclose(got, exp, rtol=0, atol=1e-12)
    assert thr[0] == np.inf
    assert metrics.roc_auc_score(y, s) == pytest.approx(
        sklearn_metrics.roc_auc_score(y, s), abs=1e-12)
    assert metrics.auc(fpr, tpr) == pytest.approx(sklearn_metrics.auc(fpr, tpr), abs=1e-12)
    # AUC = P(score of a positive > score of a negative), ties count one half
    pos, neg = s[y == 1], s[y == 0]
    diff = pos[:, None] - neg[None, :]
    pairs = np.mean((diff > 0) + 0.5 * (diff == 0))
    assert metrics.roc_auc_score(y, s) == pytest.approx(pairs, abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_pr_curve_and_average_precision_equal_sklearn(seed):
    y, s, rng = binary_case(seed, both=False)
    if not (y == 1).any():
        y[rng.integers(len(y))] = 1
    p, r, thr = metrics.precision_recall_curve(y, s)
    want = sklearn_metrics.precision_recall_curve(y, s)
    for got, exp in zip((p, r, thr), want):
        np.testing.assert_allclose(got, exp, rtol=0, atol=1e-12)
    assert metrics.average_precision_score(y, s) == pytest.approx(
        sklearn_metrics.average_precision_score(y, s), abs=1e-12)


def test_pos_label_of_the_curves():
    # scikit-learn's docstring example: labels 1 and 2, pos_label 2
    y, s = [1, 1, 2, 2], [0.1, 0.4, 0.35, 0.8]
    fpr, tpr, thr = metrics.roc_curve(y, s, pos_label=2)
    np.testing.assert_allclose(fpr, [0, 0, 0.5, 0.5, 1])
    np.testing.assert_allclose(tpr, [0, 0.5, 0.5, 1, 1])
    np.testing.assert_allclose(thr, [np.inf, 0.8, 0.4, 0.35, 0.1])
    assert metrics.roc_auc_score(y, s, pos_label=2) == sklearn_metrics.roc_auc_score(y, s)
    assert metrics.roc_auc_score(y, s, pos_label=1) == pytest.approx(
        1 - sklearn_metrics.roc_auc_score(y, s))
    p, r, _ = metrics.precision_recall_curve(y, s, pos_label=2)
    np.testing.assert_allclose(p, sklearn_metrics.precision_recall_curve(
        y, s, pos_label=2)[0])


def test_average_precision_is_not_the_trapezoid():
    y, s = [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]
    p, r, _ = metrics.precision_recall_curve(y, s)
    assert metrics.average_precision_score(y, s) == pytest.approx(0.8333, abs=1e-4)
    assert metrics.auc(r, p) == pytest.approx(0.7917, abs=1e-4)


def test_float32_and_bool_scores():
    rng = np.random.default_rng(0)
    y = rng.integers(2, size=50)
    s = rng.random(50).astype(np.float32)
    assert metrics.roc_auc_score(y, s) == pytest.approx(
        sklearn_metrics.roc_auc_score(y, s), abs=1e-12)
    b = rng.random(50) < 0.5
    assert metrics.roc_auc_score(y, b) == pytest.approx(
        sklearn_metrics.roc_auc_score(y, b), abs=1e-12)
    assert metrics.average_precision_score(y, b) == pytest.approx(
        sklearn_metrics.average_precision_score(y, b), abs=1e-12)


def test_counting_is_vectorized_and_fast():
    import time
    rng = np.random.default_rng(1)
    y = rng.integers(2, size=200_000)
    s = np.round(rng.random(200_000), 3)
    start = time.perf_counter()
    metrics.roc_auc_score(y, s)
    assert time.perf_counter() - start < 2.0


def test_auc_of_a_decreasing_x_and_errors():
    assert metrics.auc([1, 0.5, 0], [1, 1, 1]) == 1.0
    with pytest.raises(ValueError, match="neither increasing nor decreasing"):
        metrics.auc([0, 1, 0.5], [1, 1, 1])
    with pytest.raises(ValueError, match="at least 2 points"):
        metrics.auc([0], [1])
    with pytest.raises(ValueError, match="different lengths: 3 and 2"):
        metrics.auc([0, 1, 2], [1, 1])


# ------------------------------------------------------------------------- bad input
LABEL_FNS = ["confusion_matrix", "accuracy_score", "precision_score", "recall_score",
             "specificity_score", "f1_score", "matthews_corrcoef"]
SCORE_FNS = ["roc_curve", "roc_auc_score", "precision_recall_curve",
             "average_precision_score"]


@pytest.mark.parametrize("name", LABEL_FNS + SCORE_FNS)
def test_different_lengths(name):
    with pytest.raises(ValueError, match="different lengths: 4 and 3"):
        getattr(metrics, name)([0, 1, 0, 1], [0, 1, 1])


@pytest.mark.parametrize("name", LABEL_FNS + SCORE_FNS)
def test_wrong_shapes_and_types(name):
    fn = getattr(metrics, name)
    with pytest.raises(ValueError, match=r"y_true must be 1-D, got shape \(2, 2\)"):
        fn([[0, 1], [1, 0]], [0, 1])
    with pytest.raises(ValueError, match=r"must be 1-D, got shape \(4, 2\).*argmax"):
        fn([0, 1, 0, 1], np.zeros((4, 2)))
    with pytest.raises(ValueError, match="y_true is empty"):
        fn([], [])
    with pytest.raises(TypeError, match="strings"):
        fn(["a", "b"], [0, 1])
    with pytest.raises(TypeError, match="1-D array of numbers"):
        fn("01", [0, 1])


@pytest.mark.parametrize("name", LABEL_FNS)
def test_labels_must_be_integers(name):
    with pytest.raises(ValueError, match=r"non-integer values such as \[0.7\]"):
        getattr(metrics, name)([0, 1], [0.7, 1.0])
    with pytest.raises(ValueError, match="NaN or infinite"):
        getattr(metrics, name)([0, 1], [np.nan, 1.0])


@pytest.mark.parametrize("name", SCORE_FNS)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_scores_must_be_finite(name, bad):
    with pytest.raises(ValueError, match=r"y_score contains 1 NaN or infinite"):
        getattr(metrics, name)([0, 1, 1], [0.2, bad, 0.5])


@pytest.mark.parametrize("name", ["precision_score", "recall_score", "f1_score",
                                  "specificity_score"] + SCORE_FNS)
def test_binary_metrics_reject_several_classes(name):
    args = ([0, 1, 2], [0, 1, 1]) if name not in SCORE_FNS else ([0, 1, 2], [.1, .5, .9])
    with pytest.raises(ValueError, match=r"needs binary labels, got 3 classes \[0, 1, 2\]"):
        getattr(metrics, name)(*args)


@pytest.mark.parametrize("name", ["precision_score", "specificity_score"] + SCORE_FNS)
def test_pos_label_must_be_a_present_label(name):
    args = ([3, 4], [3, 4]) if name not in SCORE_FNS else ([3, 4], [.1, .9])
    with pytest.raises(ValueError, match=r"pos_label=1 is not a valid label; it should "
                                         r"be one of \[3, 4\]"):
        getattr(metrics, name)(*args)
    with pytest.raises(TypeError, match="pos_label must be a number"):
        getattr(metrics, name)(*args, pos_label="4")


@pytest.mark.parametrize("name", ["roc_curve", "roc_auc_score"])
@pytest.mark.parametrize("y", [[0, 0, 0], [1, 1, 1]])
def test_roc_needs_both_classes(name, y):
    with pytest.raises(ValueError, match="needs both classes in y_true"):
        getattr(metrics, name)(y, [0.1, 0.2, 0.3])
    # scikit-learn 1.9 returns NaN with a warning instead (older versions raised)
    with pytest.warns(UndefinedMetricWarning):
        assert np.isnan(sklearn_metrics.roc_auc_score(y, [0.1, 0.2, 0.3]))


@pytest.mark.parametrize("name", ["precision_recall_curve", "average_precision_score"])
def test_pr_needs_a_positive(name):
    with pytest.raises(ValueError, match=r"at least one positive \(y_true == 1\)"):
        getattr(metrics, name)([0, 0, 0], [0.1, 0.2, 0.3])
    # with no negative the curve is defined
    assert metrics.average_precision_score([1, 1], [0.1, 0.2]) == 1.0


@pytest.mark.parametrize("name", ["precision_score", "recall_score", "f1_score"])
def test_unknown_average(name):
    with pytest.raises(ValueError, match=r"unknown average 'samples'; valid values are "
                                         r"'binary', 'macro', 'micro', 'weighted'"):
        getattr(metrics, name)([0, 1], [0, 1], average="samples")


def test_confusion_matrix_bad_options():
    with pytest.raises(ValueError, match="unknown normalize 'rows'"):
        metrics.confusion_matrix([0, 1], [0, 1], normalize="rows")
    with pytest.raises(ValueError, match="repeated values"):
        metrics.confusion_matrix([0, 1], [0, 1], labels=[0, 0])
    with pytest.raises(ValueError, match="none of the given labels occurs in y_true"):
        metrics.confusion_matrix([0, 1], [0, 1], labels=[5])
