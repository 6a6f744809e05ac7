"""plot_decision_boundary shades the predicted classes and draws the boundary."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlib.plotting import plot_decision_boundary  # noqa: E402


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 2))
    y = (X[:, 0] > 0).astype(int)
    return X, y


def test_binary_probabilities_shade_two_classes(data):
    X, y = data
    ax = plot_decision_boundary(lambda P: 1 / (1 + np.exp(-5 * P[:, 0])), X, y,
                                resolution=30, title="t")
    assert ax.get_title() == "t"
    assert len(ax.collections) >= 3          # shading, boundary, points
    lo = X.min(axis=0) - 0.5
    assert np.allclose(ax.get_xlim()[0], lo[0])
    plt.close("all")


def test_column_and_softmax_outputs(data):
    X, y = data
    fig, ax = plt.subplots()
    out = plot_decision_boundary(lambda P: (P[:, :1] > 0).astype(float), X, y, ax=ax,
                                 resolution=20)
    assert out is ax

    def softmax3(P):
        Z = np.column_stack([P[:, 0], P[:, 1], -P[:, 0]])
        E = np.exp(Z - Z.max(axis=1, keepdims=True))
        return E / E.sum(axis=1, keepdims=True)

    plot_decision_boundary(softmax3, X, np.arange(50) % 3, resolution=20)
    plt.close("all")


def test_constant_prediction_draws_no_boundary(data):
    X, y = data
    ax = plot_decision_boundary(lambda P: np.zeros(len(P)), X, y, resolution=10,
                                show_points=False)
    assert len(ax.collections) == 1
    plt.close("all")


@pytest.mark.parametrize("kwargs, message", [
    (dict(X=np.zeros((5, 3)), y=np.zeros(5)), "shape \\(n, 2\\)"),
    (dict(X=np.zeros((5, 2)), y=np.zeros(4)), "4 labels"),
    (dict(X=np.zeros((5, 2)), y=np.zeros(5), resolution=1), "resolution"),
])
def test_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        plot_decision_boundary(lambda P: np.zeros(len(P)), **kwargs)


def test_bad_predict_shape(data):
    X, y = data
    with pytest.raises(ValueError, match="predict returned shape"):
        plot_decision_boundary(lambda P: np.zeros(3), X, y, resolution=5)
