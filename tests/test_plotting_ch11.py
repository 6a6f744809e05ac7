"""plot_train_validation (chapter 11)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlib.plotting import plot_train_validation  # noqa: E402

LOGS = {"loss": [1.0, 0.5, 0.2, 0.1], "val_loss": [1.1, 0.7, 0.6, 0.8],
        "accuracy": [0.5, 0.7, 0.9, 1.0], "val_accuracy": [0.4, 0.6, 0.7, 0.65]}


def test_two_curves_and_the_best_epoch():
    ax = plot_train_validation(LOGS, label="run")
    lines = ax.get_lines()
    assert len(lines) == 3
    np.testing.assert_array_equal(lines[0].get_ydata(), LOGS["loss"])
    np.testing.assert_array_equal(lines[1].get_ydata(), LOGS["val_loss"])
    assert lines[2].get_xdata()[0] == 3 and lines[2].get_ydata()[0] == 0.6
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "run training", "run validation"]
    plt.close("all")


def test_accuracy_marks_the_largest_and_history_objects_work():
    class History:
        history = LOGS

    fig, ax = plt.subplots()
    assert plot_train_validation(History(), "accuracy", ax=ax, logy=True) is ax
    best = ax.get_lines()[2]
    assert best.get_xdata()[0] == 3 and best.get_ydata()[0] == 0.7
    assert ax.get_yscale() == "log"
    plt.close("all")


def test_bad_input():
    with pytest.raises(ValueError, match="no 'mse'"):
        plot_train_validation(LOGS, "mse")
    with pytest.raises(ValueError, match="equal length"):
        plot_train_validation({"loss": [1, 2], "val_loss": [1]})
    with pytest.raises(TypeError, match="dict or a History"):
        plot_train_validation([1, 2])
    plt.close("all")
