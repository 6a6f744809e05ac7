"""Plotting helpers appended for chapters 3 and 4 in the review of issue 8:
``draw_vector_map`` (a box such as softmax that maps a whole layer to a vector)."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Circle, FancyBboxPatch  # noqa: E402

from nnlib.plotting import draw_network, draw_vector_map  # noqa: E402


def _arrows(ax):
    return [t for t in ax.texts if getattr(t, "arrow_patch", None) is not None]


@pytest.mark.parametrize("sizes", [[4, 3], [2, 4, 2], [3, 1]])
def test_every_unit_feeds_the_box_and_every_output_leaves_it(sizes):
    ax = draw_network(sizes)
    before = len(_arrows(ax))
    draw_vector_map(ax, sizes, "softmax")
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    assert len(boxes) == 1
    assert len(_arrows(ax)) - before == 2 * sizes[-1]
    assert len([p for p in ax.patches if isinstance(p, Circle)]) == sum(sizes)
    # all the arrows into the box end at one point: the map is not elementwise
    new = _arrows(ax)[before:]
    ends = {tuple(round(v, 9) for v in a.xy) for a in new[0::2]}
    starts = {tuple(round(v, 9) for v in a.xyann) for a in new[1::2]}
    assert len(ends) == 1 and len(starts) == 1
    plt.close(ax.figure)


def test_labels_are_drawn_and_the_drawing_fits():
    ax = draw_network([4, 3])
    draw_vector_map(ax, [4, 3], "softmax", unit_labels=["$z_1$", "$z_2$", "$z_3$"],
                    output_labels=["$p_1$", "$p_2$", "$p_3$"])
    texts = [t.get_text() for t in ax.texts]
    for label in ("softmax", "$z_1$", "$z_3$", "$p_1$", "$p_3$"):
        assert label in texts, label
    right = max(t.get_position()[0] for t in ax.texts if t.get_text() == "$p_1$")
    assert ax.get_xlim()[1] > right
    plt.close(ax.figure)


def test_label_counts_are_validated():
    ax = draw_network([4, 3])
    with pytest.raises(ValueError, match="output_labels has 2 entries"):
        draw_vector_map(ax, [4, 3], "softmax", output_labels=["a", "b"])
    with pytest.raises(ValueError, match="unit_labels has 4 entries"):
        draw_vector_map(ax, [4, 3], "softmax", unit_labels=list("abcd"))
    with pytest.raises(ValueError, match="positive integers"):
        draw_vector_map(ax, [4, 0], "softmax")
    plt.close(ax.figure)
