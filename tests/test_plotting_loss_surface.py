"""nnlib.plotting.plot_loss_surface: draws contours and paths, and rejects bad input."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlib.plotting import plot_loss_surface  # noqa: E402


def bowl(P):
    return (P[:, 0] - 1) ** 2 + 3 * (P[:, 1] + 0.5) ** 2


def test_draws_contours_paths_and_legend():
    path_a = np.array([[-2.0, 2.0], [-1.0, 1.0], [0.5, 0.0], [1.0, -0.5]])
    path_b = np.array([[2.0, 2.0], [1.5, 0.5]])
    ax = plot_loss_surface(bowl, (-3, 3), (-2, 3), paths=[path_a, path_b], labels=["a", "b"],
                           optimum=(1, -0.5), zlabel="f", resolution=30)
    assert ax.get_xlim() == (-3, 3) and ax.get_ylim() == (-2, 3)
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["a", "b"]
    line = next(l for l in ax.get_lines() if l.get_label() == "a")
    np.testing.assert_array_equal(line.get_xydata(), path_a)
    assert len(ax.figure.axes) == 2          # the plot and its colour bar
    plt.close(ax.figure)


def test_single_path_log_levels_and_given_axes():
    fig, ax = plt.subplots()
    out = plot_loss_surface(bowl, (-3, 3), (-2, 3), paths=np.array([[0.0, 0.0], [1.0, -0.5]]),
                            ax=ax, log_levels=True, levels=12, colorbar=False,
                            colors=["tab:green"], filled=False)
    assert out is ax and len(fig.axes) == 1
    assert ax.get_lines()[0].get_color() == "tab:green"
    plt.close(fig)


def test_bad_input_is_rejected():
    with pytest.raises(ValueError, match="m values"):
        plot_loss_surface(lambda P: np.zeros(3), (0, 1), (0, 1), resolution=10)
    with pytest.raises(ValueError, match="labels"):
        plot_loss_surface(bowl, (0, 1), (0, 1), paths=[np.zeros((2, 2))], labels=["a", "b"],
                          resolution=10)
    with pytest.raises(ValueError, match="shape"):
        plot_loss_surface(bowl, (0, 1), (0, 1), paths=[np.zeros((2, 3))], resolution=10)
    plt.close("all")
