"""plot_layer_histograms and plot_layer_statistic (chapter 9)."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlib.plotting import plot_layer_histograms, plot_layer_statistic  # noqa: E402


def test_one_histogram_per_layer_with_labels():
    rng = np.random.default_rng(0)
    values = [rng.normal(scale=s, size=(50, 4)) for s in (1.0, 0.5, 0.25)]
    ax = plot_layer_histograms(values, bins=20, range=(-3, 3), title="t", xlabel="a")
    assert len(ax.patches) == 3
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "layer 1", "layer 2", "layer 3"]
    assert ax.get_title() == "t" and ax.get_xlabel() == "a"
    plt.close("all")


def test_histograms_skip_non_finite_and_default_range():
    fig, ax = plt.subplots()
    out = plot_layer_histograms([np.array([0.0, 1.0, np.nan]), np.array([2.0, np.inf])],
                                ax, labels=["x", "y"], legend=False)
    assert out is ax and ax.get_legend() is None
    plt.close("all")


def test_histogram_errors():
    with pytest.raises(ValueError, match="values is empty"):
        plot_layer_histograms([])
    with pytest.raises(ValueError, match="got 1 labels for 2 layers"):
        plot_layer_histograms([np.ones(3), np.ones(3)], labels=["a"])
    with pytest.raises(ValueError, match="no finite values"):
        plot_layer_histograms([np.array([np.nan])])
    plt.close("all")


def test_statistic_lines_start_at_layer_one():
    ax = plot_layer_statistic({"a": [1.0, 0.5, 0.25], "b": [1, 1, 1]},
                              styles={"b": {"linestyle": "--"}}, title="s")
    lines = ax.get_lines()
    assert len(lines) == 2
    np.testing.assert_array_equal(lines[0].get_xdata(), [1, 2, 3])
    assert lines[1].get_linestyle() == "--"
    assert ax.get_yscale() == "log" and ax.get_title() == "s"
    ax = plot_layer_statistic({"a": [1, 2]}, logy=False)
    assert ax.get_yscale() == "linear"
    with pytest.raises(ValueError, match="curves is empty"):
        plot_layer_statistic({})
    plt.close("all")
