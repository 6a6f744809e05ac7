"""plotting.draw_computational_graph: the computational-graph figure of chapter 6."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Circle, FancyArrowPatch  # noqa: E402

from nnlib.plotting import draw_computational_graph  # noqa: E402

NODES = {"x1": (0, 1, "$x_1$"), "x2": (0, 0, "$x_2$"), "mul": (2, 0.5, "*"),
         "sin": (2, 1.8, "sin"), "add": (4, 1, "+")}
EDGES = [("x1", "mul", 2.0, 3.0), ("x2", "mul", 3.0, 2.0), ("x1", "sin", 2.0, -0.4161),
         ("mul", "add", 6.0, 1.0), ("sin", "add", 0.9093, 1.0), ("add", None, 6.9093, 1.0)]


def test_draws_every_node_edge_and_annotation():
    ax = draw_computational_graph(NODES, EDGES)
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(circles) == len(NODES) and len(arrows) == len(EDGES)
    texts = [t.get_text() for t in ax.texts]
    for label in ("$x_1$", "sin", "+"):
        assert label in texts
    assert "6.909" in texts and "-0.4161" in texts      # values and gradients, 4 digits
    green = [t for t in ax.texts if t.get_color() == "tab:green"]
    red = [t for t in ax.texts if t.get_color() == "tab:red"]
    assert len(green) == len(red) == len(EDGES)
    plt.close("all")


def test_values_above_and_gradients_below_a_horizontal_edge():
    ax = draw_computational_graph({"a": (0, 0, "a"), "b": (2, 0, "b")},
                                  [("a", "b", 1.5, -2.0)])
    value = next(t for t in ax.texts if t.get_text() == "1.5")
    grad = next(t for t in ax.texts if t.get_text() == "-2")
    assert value.get_position()[1] > 0 > grad.get_position()[1]
    plt.close("all")


def test_none_and_strings_as_annotations():
    fig, ax = plt.subplots()
    out = draw_computational_graph({"a": (0, 0, "a")}, [("a", None, "z", None)], ax=ax)
    assert out is ax
    assert [t.get_text() for t in ax.texts].count("z") == 1
    assert not [t for t in ax.texts if t.get_color() == "tab:red"]
    plt.close("all")


@pytest.mark.parametrize("nodes, edges, exc, match", [
    ({}, [], TypeError, "non-empty dict"),
    ({"a": (0, 0)}, [], ValueError, "must be \\(x, y, label\\)"),
    ({"a": (0, 0, "a")}, [("a", "b", 1, 1)], ValueError, "unknown node 'b'.*\\['a'\\]"),
    ({"a": (0, 0, "a")}, [("a", None, 1)], ValueError, "source, target, value, gradient"),
    ({"a": (0, 0, "a")}, [(None, "a", 1, 1)], ValueError, "no source"),
])
def test_bad_input(nodes, edges, exc, match):
    with pytest.raises(exc, match=match):
        draw_computational_graph(nodes, edges)
    plt.close("all")
