"""plot_best_so_far (chapter 12)."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlib.plotting import plot_best_so_far  # noqa: E402


@pytest.fixture(autouse=True)
def close():
    yield
    plt.close("all")


def test_mean_of_running_maxima_and_band():
    scores = np.array([[0.2, 0.5, 0.4, 0.9],
                       [0.6, 0.1, 0.7, 0.3]])
    ax = plot_best_so_far(scores, label="random")
    line = ax.lines[0]
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3, 4])
    np.testing.assert_allclose(line.get_ydata(), [0.4, 0.55, 0.6, 0.8])
    assert len(ax.collections) == 1                     # the min-max band
    assert ax.get_xlabel() == "number of trials"
    assert ax.get_legend().get_texts()[0].get_text() == "random"


def test_one_run_has_no_band_and_is_monotone():
    ax = plot_best_so_far([0.3, 0.1, 0.5, 0.2], ylabel="score")
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.3, 0.3, 0.5, 0.5])
    assert not ax.collections and ax.get_legend() is None
    assert ax.get_ylabel() == "score"


def test_draws_on_given_axes():
    fig, ax = plt.subplots()
    assert plot_best_so_far(np.ones((3, 2)), ax=ax, color="red") is ax


@pytest.mark.parametrize("bad, match", [
    (np.zeros((2, 2, 2)), "shape"),
    (np.zeros((0,)), "shape"),
    (np.array([0.1, np.nan]), "NaN"),
])
def test_bad_input(bad, match):
    with pytest.raises(ValueError, match=match):
        plot_best_so_far(bad)
