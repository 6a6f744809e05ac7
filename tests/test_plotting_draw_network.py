"""nnlib.plotting.draw_network: one circle per unit, one arrow per connection, clear errors."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Circle  # noqa: E402

from nnlib.plotting import draw_network  # noqa: E402


def _circles(ax):
    return [p for p in ax.patches if isinstance(p, Circle)]


def _arrows(ax):
    return [t for t in ax.texts if getattr(t, "arrow_patch", None) is not None]


@pytest.mark.parametrize("sizes", [[2, 1], [5, 3, 4, 1], [2, 4, 2], [3]])
def test_one_circle_per_unit_and_one_arrow_per_edge(sizes):
    ax = draw_network(sizes)
    assert len(_circles(ax)) == sum(sizes)
    assert len(_arrows(ax)) == sum(a * b for a, b in zip(sizes, sizes[1:]))
    plt.close(ax.figure)


def test_labels_and_activation_are_drawn():
    ax = draw_network([2, 1], input_labels=["$x_1$", "$x_2$"], output_labels=[r"$\hat p$"],
                      edge_labels={(0, 0, 0): "$w_1$", (0, 1, 0): "$w_2$"},
                      activation=r"$\sigma$", layer_names=["input", "output"])
    texts = [t.get_text() for t in ax.texts]
    for label in ("$x_1$", "$x_2$", r"$\hat p$", "$w_1$", "$w_2$", r"$\sigma$", r"$\Sigma$",
                  "input", "output"):
        assert label in texts, label
    assert len(_arrows(ax)) == 3            # two connections and the output arrow
    plt.close(ax.figure)


def test_draws_on_a_given_axes():
    fig, ax = plt.subplots()
    assert draw_network([3, 2], ax=ax, hidden_activation="$g$") is ax
    plt.close(fig)


@pytest.mark.parametrize("kwargs, message", [
    (dict(layer_sizes=[2, 0]), "positive"),
    (dict(layer_sizes=[2, 1], input_labels=["a"]), "input_labels"),
    (dict(layer_sizes=[2, 1], output_labels=["a", "b"]), "output_labels"),
    (dict(layer_sizes=[2, 1], layer_names=["in"]), "layer_names"),
])
def test_bad_arguments_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        draw_network(**kwargs)
    plt.close("all")
