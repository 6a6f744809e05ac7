"""plot_confusion_matrix, plot_roc and plot_precision_recall (chapter 10)."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlib import metrics  # noqa: E402
from nnlib.plotting import (plot_confusion_matrix, plot_precision_recall,  # noqa: E402
                            plot_roc)


@pytest.fixture(autouse=True)
def close():
    yield
    plt.close("all")


def test_confusion_matrix_writes_every_count():
    cm = np.array([[5, 1, 0], [2, 7, 0], [0, 0, 3]])
    ax = plot_confusion_matrix(cm, labels=["a", "b", "c"], title="t", colorbar=True)
    texts = [t.get_text() for t in ax.texts]
    assert texts == [str(v) for v in cm.ravel()]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    assert ax.get_title() == "t"
    # the darkest cell gets white text
    assert ax.texts[4].get_color() == "white" and ax.texts[1].get_color() == "black"


def test_confusion_matrix_normalized_rows():
    cm = np.array([[3, 1], [0, 0]])
    ax = plot_confusion_matrix(cm, normalize="true")
    assert [t.get_text() for t in ax.texts] == ["0.75", "0.25", "0.00", "0.00"]


@pytest.mark.parametrize("cm, match", [
    (np.zeros((2, 3)), "square"),
    (np.array([[1, -1], [0, 1]]), "non-negative"),
    (np.array([[1, np.nan], [0, 1]]), "finite"),
])
def test_confusion_matrix_bad_input(cm, match):
    with pytest.raises(ValueError, match=match):
        plot_confusion_matrix(cm)


def test_confusion_matrix_bad_labels_and_normalize():
    with pytest.raises(ValueError, match="3 labels for a 2 x 2 matrix"):
        plot_confusion_matrix(np.eye(2), labels=[0, 1, 2])
    with pytest.raises(ValueError, match="unknown normalize 'rows'"):
        plot_confusion_matrix(np.eye(2), normalize="rows")


def test_roc_draws_the_curve_and_one_chance_line():
    fpr, tpr, _ = metrics.roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    ax = plot_roc(fpr, tpr, label="a", markers=True)
    plot_roc(fpr, tpr, ax=ax, label="b")
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["chance (AUC 0.5)", "a", "b"]
    np.testing.assert_allclose(ax.get_lines()[1].get_xdata(), fpr)
    assert ax.get_lines()[1].get_marker() == "o"
    assert "false positive rate" in ax.get_xlabel()


def test_precision_recall_step_and_baseline():
    p, r, _ = metrics.precision_recall_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    ax = plot_precision_recall(r, p, label="model", prevalence=0.5)
    lines = ax.get_lines()
    assert lines[0].get_label() == "chance (precision 0.50)"
    assert lines[1].get_drawstyle() == "steps-post"
    ax = plot_precision_recall(r[::-1], p[::-1])
    assert ax.get_lines()[0].get_drawstyle() == "steps-pre"
    ax = plot_precision_recall(r, p, step=False)
    assert ax.get_lines()[0].get_drawstyle() == "default"


@pytest.mark.parametrize("fn", [plot_roc, plot_precision_recall])
def test_curves_bad_input(fn):
    with pytest.raises(ValueError, match="different lengths: 3 and 2"):
        fn([0, 0.5, 1], [0, 1])
    with pytest.raises(ValueError, match="at least 2 points"):
        fn([0], [1])
    with pytest.raises(ValueError, match="finite"):
        fn([0, np.nan], [0, 1])


def test_prevalence_out_of_range():
    with pytest.raises(ValueError, match=r"prevalence must lie in \[0, 1\]"):
        plot_precision_recall([1, 0], [0.5, 1], prevalence=1.5)
