"""Plotting helpers of the book (matplotlib only; the rest of nnlib never imports this).

Each function draws on a given ``ax`` (or a new figure) and returns the axes, so a chapter
can add to the picture. Call :func:`use_book_style` once at the top of a chapter.
"""
from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["use_book_style"]


def use_book_style() -> None:
    """Set the figure size, resolution and fonts used throughout the book.

    Figures are drawn at 96 dpi and, in a notebook, stored as "retina" PNGs (twice the
    pixels, displayed at the 96-dpi size), so that text stays sharp on high-resolution
    screens and when a reader zooms in.
    """
    mpl.rcParams.update({
        "figure.figsize": (6.4, 4.0),
        "figure.dpi": 96,
        "savefig.dpi": 192,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "font.size": 11,
        "legend.frameon": False,
        "image.cmap": "viridis",
    })
    try:                                   # only inside IPython / Jupyter
        from matplotlib_inline.backend_inline import set_matplotlib_formats
        from IPython import get_ipython
    except ImportError:
        return
    if get_ipython() is not None:
        set_matplotlib_formats("retina")



_PATH_COLORS = ("white", "#d62728", "#ff7f0e", "#17becf", "#e377c2", "black")


def plot_loss_surface(f, xlim, ylim, paths=None, ax=None, levels=30, labels=None,
                      resolution=100, log_levels=False, filled=True, optimum=None,
                      colorbar=True, xlabel=r"$\theta_1$", ylabel=r"$\theta_2$",
                      zlabel=None, colors=None):
    """Contours of a function of two parameters, with descent paths drawn on top.

    Parameters
    ----------
    f : callable
        Maps an array of parameter points of shape (m, 2) to their m values (vectorize it:
        it is called once, on the whole grid of ``resolution**2`` points).
    xlim, ylim : (float, float)
        The window in the first and second parameter.
    paths : array of shape (k, 2), or a sequence of such arrays, optional
        Iterates of an optimizer, first to last; each is drawn as a line with markers, its
        start as a square and its end as a triangle. Parts outside the window are cut off.
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure.
    levels : int or sequence of float
        The number of contour levels, or the levels themselves.
    labels : sequence of str, optional
        One legend entry per path.
    resolution : int
        Grid points along each axis.
    log_levels : bool
        Space ``levels`` (when an int) geometrically between the smallest and the largest
        value on the grid, which shows the floor of a narrow valley (such as Rosenbrock's)
        that evenly spaced levels leave in one flat colour.
    filled : bool
        Filled contours (``contourf``) or lines only (``contour``).
    optimum : (float, float), optional
        A point (the minimiser) to mark with a star.
    colorbar : bool
        Add a colour bar (labelled ``zlabel``).
    xlabel, ylabel, zlabel : str, optional
        Axis labels.
    colors : sequence of colours, optional
        One colour per path (to match another panel); by default white, red, orange,
        cyan, pink, black in turn, which stand out on the viridis colour map.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> rosenbrock = lambda P: (1 - P[:, 0])**2 + 100 * (P[:, 1] - P[:, 0]**2)**2
    >>> ax = plot_loss_surface(rosenbrock, (-2, 2), (-1, 3), log_levels=True,
    ...                        optimum=(1, 1))
    """
    if ax is None:
        _, ax = plt.subplots()
    g1 = np.linspace(xlim[0], xlim[1], resolution)
    g2 = np.linspace(ylim[0], ylim[1], resolution)
    T1, T2 = np.meshgrid(g1, g2)
    values = np.asarray(f(np.column_stack([T1.ravel(), T2.ravel()])), dtype=float)
    if values.size != T1.size:
        raise ValueError(f"f must map an array of shape (m, 2) to m values; for m = "
                         f"{T1.size} it returned {values.size}")
    Z = values.reshape(T1.shape)
    if log_levels and np.ndim(levels) == 0:
        lo, hi = np.nanmin(Z), np.nanmax(Z)
        span = hi - lo if hi > lo else 1.0
        # the lowest level is the minimum itself, the others spread geometrically above it
        levels = lo + np.concatenate([[0.0], np.geomspace(1e-6 * span, span,
                                                           int(levels) - 1)])
    draw = ax.contourf if filled else ax.contour
    cs = draw(T1, T2, Z, levels=levels)
    if colorbar:
        cb = ax.figure.colorbar(cs, ax=ax, format="%.4g")
        if zlabel:
            cb.set_label(zlabel)
    if paths is not None:
        paths = [paths] if np.ndim(paths[0]) == 1 else list(paths)
        if labels is not None and len(labels) != len(paths):
            raise ValueError(f"got {len(labels)} labels for {len(paths)} paths")
        for i, path in enumerate(paths):
            path = np.asarray(path, dtype=float)
            if path.ndim != 2 or path.shape[1] != 2:
                raise ValueError(f"each path must have shape (k, 2), got {path.shape}")
            palette = _PATH_COLORS if colors is None else colors
            color = palette[i % len(palette)]
            label = None if labels is None else labels[i]
            ax.plot(path[:, 0], path[:, 1], "-o", color=color, markersize=3, linewidth=1.2,
                    label=label)
            ax.plot(*path[0], "s", color=color, markersize=7)
            ax.plot(*path[-1], "^", color=color, markersize=8, markeredgecolor="black")
        if labels is not None:
            ax.legend(loc="best", frameon=True, framealpha=0.8)
    if optimum is not None:
        ax.plot(*optimum, "*", color="gold", markersize=15, markeredgecolor="black",
                label=None)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(False)
    return ax


__all__ += ["plot_loss_surface"]


def plot_digits(images, labels=None, predictions=None, ncols=10, image_shape=None,
                cmap="gray_r", title=None, axes_size=0.9):
    """Draw handwritten digits in a grid, each titled with its label (and prediction).

    Parameters
    ----------
    images : array-like of shape (n, h * w) or (n, h, w)
        The images; flat rows of a square number of pixels (64 for scikit-learn's digits,
        784 for MNIST) are reshaped to squares unless ``image_shape`` says otherwise.
    labels : array-like of shape (n,), optional
        The true classes, shown above each image.
    predictions : array-like of shape (n,), optional
        Predicted classes. When given, each title reads ``"pred (true)"`` and wrong
        predictions are drawn in red.
    ncols : int
        Images per row of the grid.
    image_shape : (int, int), optional
        The shape of one image, for flat non-square images.
    cmap : str
        The colour map (``"gray_r"``: dark ink on white paper).
    title : str, optional
        A title above the whole grid.
    axes_size : float
        The width and height of one image in inches.

    Returns
    -------
    ndarray of matplotlib Axes, shape (rows, ncols)
    """
    images = np.asarray(images, dtype=float)
    if images.ndim not in (2, 3) or len(images) == 0:
        raise ValueError(f"images must have shape (n, pixels) or (n, h, w) with n >= 1, "
                         f"got {images.shape}")
    n = len(images)
    if images.ndim == 2:
        if image_shape is None:
            side = int(round(np.sqrt(images.shape[1])))
            if side * side != images.shape[1]:
                raise ValueError(f"images of {images.shape[1]} pixels are not square; "
                                 "pass image_shape=(h, w)")
            image_shape = (side, side)
        images = images.reshape((n,) + tuple(image_shape))
    for name, values in (("labels", labels), ("predictions", predictions)):
        if values is not None and len(values) != n:
            raise ValueError(f"got {len(values)} {name} for {n} images")
    ncols = max(1, min(int(ncols), n))
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, squeeze=False,
                             figsize=(axes_size * ncols, (axes_size + 0.35) * nrows))
    for i, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if i >= n:
            continue
        ax.imshow(images[i], cmap=cmap, interpolation="nearest")
        if predictions is not None:
            wrong = labels is not None and predictions[i] != labels[i]
            text = f"{predictions[i]}" + (f" ({labels[i]})" if labels is not None else "")
            ax.set_title(text, fontsize=9, color="tab:red" if wrong else "black")
        elif labels is not None:
            ax.set_title(f"{labels[i]}", fontsize=9)
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return axes


__all__ += ["plot_digits"]


def draw_network(layer_sizes, ax=None, *, input_labels=None, output_labels=None,
                 edge_labels=None, activation=None, hidden_activation=None,
                 layer_names=None, node_radius=0.3, layer_gap=2.5, node_gap=1.0,
                 edge_label_position=0.4, fontsize=13):
    """Draw a fully connected feed-forward network: a circle per unit, edges between layers.

    Parameters
    ----------
    layer_sizes : sequence of int
        Units per layer, input layer first, e.g. ``[2, 1]`` for one neuron with two
        inputs or ``[5, 3, 4, 1]`` for a multilayer perceptron.
    ax : matplotlib Axes, optional
        Where to draw; a new figure sized to the network when omitted.
    input_labels : sequence of str, optional
        Text inside the input circles, e.g. ``["$x_1$", "$x_2$"]``.
    output_labels : sequence of str, optional
        Text to the right of the output units, each with an arrow, e.g. ``[r"$\\hat p$"]``.
    edge_labels : dict, optional
        ``{(layer, i, j): text}`` labels the edge from unit ``i`` of layer ``layer`` to unit
        ``j`` of layer ``layer + 1`` (all indices from 0), e.g. ``{(0, 0, 0): "$w_1$"}``.
    activation : str, optional
        The output layer's activation: each output circle is split in two, the weighted
        sum ``$\\Sigma$`` on the left and this text on the right (e.g. ``r"$\\sigma$"``).
    hidden_activation : str, optional
        The same for the hidden layers.
    layer_names : sequence of str, optional
        A caption under each layer, e.g. ``["input", "hidden", "output"]``.
    node_radius, layer_gap, node_gap : float
        Circle radius, horizontal distance between layers, vertical distance between units.
    edge_label_position : float
        Where along an edge (0 = source, 1 = target) its label sits.
    fontsize : float
        Size of all text.

    Returns
    -------
    matplotlib Axes
    """
    from matplotlib.patches import Circle

    sizes = [int(s) for s in layer_sizes]
    if len(sizes) < 1 or any(s < 1 for s in sizes):
        raise ValueError(f"layer_sizes must be positive integers, got {list(layer_sizes)}")
    n_layers = len(sizes)
    for name, labels, size in (("input_labels", input_labels, sizes[0]),
                               ("output_labels", output_labels, sizes[-1])):
        if labels is not None and len(labels) != size:
            raise ValueError(f"{name} has {len(labels)} entries for a layer of {size} units")
    if layer_names is not None and len(layer_names) != n_layers:
        raise ValueError(f"layer_names has {len(layer_names)} entries for {n_layers} layers")

    tallest = max(sizes)
    width = (n_layers - 1) * layer_gap + 2 * node_radius + (1.4 if output_labels else 0.2)
    height = (tallest - 1) * node_gap + 2 * node_radius + (0.6 if layer_names else 0.2)
    if ax is None:
        scale = 1.1
        _, ax = plt.subplots(figsize=(max(3.0, scale * width + 0.6),
                                      max(1.6, scale * height + 0.4)))

    # unit centres: layer l at x = l * layer_gap, units centred vertically, first on top
    centres = [[(l * layer_gap, ((s - 1) / 2 - i) * node_gap) for i in range(s)]
               for l, s in enumerate(sizes)]

    def unit_style(l):
        if l == 0:
            return "#dbe9f6", None
        if l == n_layers - 1:
            return "#fde3c8", activation
        return "#dff0d8", hidden_activation

    # edges first, so that the circles cover their ends
    for l in range(n_layers - 1):
        for i, (x0, y0) in enumerate(centres[l]):
            for j, (x1, y1) in enumerate(centres[l + 1]):
                d = np.hypot(x1 - x0, y1 - y0)
                ux, uy = (x1 - x0) / d, (y1 - y0) / d
                ax.annotate("", xy=(x1 - ux * node_radius, y1 - uy * node_radius),
                            xytext=(x0 + ux * node_radius, y0 + uy * node_radius),
                            arrowprops=dict(arrowstyle="-|>", color="0.45", lw=1.0,
                                            shrinkA=0, shrinkB=0, mutation_scale=10))
                if edge_labels and (l, i, j) in edge_labels:
                    t = edge_label_position
                    ax.text(x0 + t * (x1 - x0), y0 + t * (y1 - y0), edge_labels[(l, i, j)],
                            ha="center", va="center", fontsize=fontsize * 0.85,
                            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none"))

    for l, layer in enumerate(centres):
        face, act = unit_style(l)
        for i, (x, y) in enumerate(layer):
            ax.add_patch(Circle((x, y), node_radius, fc=face, ec="0.2", lw=1.2, zorder=3))
            if l == 0 and input_labels is not None:
                ax.text(x, y, input_labels[i], ha="center", va="center", fontsize=fontsize,
                        zorder=4)
            elif act is not None:
                ax.plot([x, x], [y - node_radius, y + node_radius], color="0.2", lw=1.0,
                        zorder=4)
                ax.text(x - node_radius / 2, y, r"$\Sigma$", ha="center", va="center",
                        fontsize=fontsize * 0.9, zorder=4)
                ax.text(x + node_radius / 2, y, act, ha="center", va="center",
                        fontsize=fontsize * 0.9, zorder=4)
            if l == n_layers - 1 and output_labels is not None:
                ax.annotate("", xy=(x + node_radius + 0.8, y), xytext=(x + node_radius, y),
                            arrowprops=dict(arrowstyle="-|>", color="0.45", lw=1.0,
                                            shrinkA=0, shrinkB=0, mutation_scale=10))
                ax.text(x + node_radius + 0.9, y, output_labels[i], ha="left",
                        va="center", fontsize=fontsize)
        if layer_names is not None:
            bottom = min(y for _, y in layer) - node_radius - 0.15
            ax.text(layer[0][0], min(bottom, -(tallest - 1) / 2 * node_gap - node_radius - 0.15),
                    layer_names[l], ha="center", va="top", fontsize=fontsize * 0.85,
                    color="0.3")

    left = -node_radius - 0.2
    right = (n_layers - 1) * layer_gap + node_radius + (1.6 if output_labels else 0.2)
    top = (tallest - 1) / 2 * node_gap + node_radius + 0.2
    bottom = -top - (0.5 if layer_names else 0.0)
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


__all__ += ["draw_network"]


def plot_decision_boundary(predict, X, y, ax=None, *, resolution=200, margin=0.5,
                           threshold=0.5, cmap="coolwarm", alpha=0.35, markersize=12,
                           show_points=True, title=None):
    """Shade the classes a classifier predicts over the plane and draw its boundary.

    Parameters
    ----------
    predict : callable
        Maps an array of shape ``(m, 2)`` of points to scores: probabilities of class 1 of
        shape ``(m,)`` or ``(m, 1)`` (a sigmoid output), or class probabilities of shape
        ``(m, C)`` (a softmax output; the predicted class is the argmax). ``model.predict``
        of a two-input nnlib or Keras model works as it is.
    X : array of shape (n, 2)
        The data points; they also set the plotted window (their range plus ``margin``).
    y : array of shape (n,)
        Integer class labels, used to colour the points.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.
    resolution : int
        Grid points along each axis.
    margin : float
        Space added around the data on each side.
    threshold : float
        For a single probability, the level that separates class 0 from class 1.
    cmap, alpha, markersize : matplotlib settings of the shading and the points.
    show_points : bool
        Whether to scatter the data on top.
    title : str, optional
        Title of the axes.

    Returns
    -------
    matplotlib Axes
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y).ravel()
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (n, 2), got {X.shape}")
    if len(y) != len(X):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels")
    resolution = int(resolution)
    if resolution < 2:
        raise ValueError(f"resolution must be at least 2, got {resolution}")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 4.2))

    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], resolution),
                         np.linspace(lo[1], hi[1], resolution))
    grid = np.column_stack([g0.ravel(), g1.ravel()])
    scores = np.asarray(predict(grid), dtype=float)
    if scores.ndim == 2 and scores.shape[1] == 1:
        scores = scores[:, 0]
    if scores.shape[0] != len(grid) or scores.ndim not in (1, 2):
        raise ValueError(f"predict returned shape {scores.shape} for {len(grid)} points; "
                         "expected (m,), (m, 1) or (m, C)")
    if scores.ndim == 1:
        labels = (scores >= threshold).astype(int)
        n_classes = max(2, int(y.max()) + 1 if y.size else 2)
    else:
        labels = scores.argmax(axis=1)
        n_classes = scores.shape[1]
    labels = labels.reshape(g0.shape)

    colormap = plt.get_cmap(cmap)
    colors = [colormap(k / max(n_classes - 1, 1)) for k in range(n_classes)]
    from matplotlib.colors import ListedColormap
    ax.contourf(g0, g1, labels, levels=np.arange(n_classes + 1) - 0.5,
                cmap=ListedColormap(colors), alpha=alpha)
    if labels.min() != labels.max():
        ax.contour(g0, g1, labels, levels=np.arange(n_classes - 1) + 0.5, colors="0.2",
                   linewidths=1.2)
    if show_points:
        for k in range(n_classes):
            mask = y == k
            if mask.any():
                ax.scatter(X[mask, 0], X[mask, 1], s=markersize, color=colors[k],
                           edgecolor="0.2", linewidth=0.3, label=f"class {k}")
    ax.set(xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]), xlabel="$x_1$", ylabel="$x_2$")
    ax.set_aspect("equal")
    if title is not None:
        ax.set_title(title)
    return ax


__all__ += ["plot_decision_boundary"]


def draw_vector_map(ax, layer_sizes, label, *, unit_labels=None, output_labels=None,
                    node_radius=0.3, layer_gap=2.5, node_gap=1.0, box_gap=1.4,
                    box_width=0.9, fontsize=13):
    """Add, after the last layer of a :func:`draw_network` diagram, a box that maps the
    whole layer to a vector, such as softmax: every unit feeds the box, and every output
    comes out of it.

    Unlike an activation drawn inside each unit (``activation=`` of :func:`draw_network`),
    which acts on each unit alone, the arrows of this box converge on it and fan out from
    it, so the picture shows that every output depends on every unit.

    Parameters
    ----------
    ax : matplotlib Axes
        The axes returned by :func:`draw_network`, called with the same ``layer_sizes``,
        ``node_radius``, ``layer_gap`` and ``node_gap`` and without ``output_labels``.
    layer_sizes : sequence of int
        The units per layer given to :func:`draw_network`.
    label : str
        The text in the box, e.g. ``"softmax"``.
    unit_labels : sequence of str, optional
        Text inside the last layer's circles, e.g. ``["$z_1$", "$z_2$", "$z_3$"]``.
    output_labels : sequence of str, optional
        Text to the right of the box's outputs, one per unit of the last layer, e.g.
        ``["$p_1$", "$p_2$", "$p_3$"]``.
    node_radius, layer_gap, node_gap : float
        The geometry used by :func:`draw_network`.
    box_gap, box_width : float
        Horizontal distance from the last layer's centres to the box, and its width.
    fontsize : float
        Size of all text.

    Returns
    -------
    matplotlib Axes
    """
    from matplotlib.patches import FancyBboxPatch

    sizes = [int(s) for s in layer_sizes]
    if len(sizes) < 1 or any(s < 1 for s in sizes):
        raise ValueError(f"layer_sizes must be positive integers, got {list(layer_sizes)}")
    last = sizes[-1]
    for name, labels in (("unit_labels", unit_labels), ("output_labels", output_labels)):
        if labels is not None and len(labels) != last:
            raise ValueError(f"{name} has {len(labels)} entries for a last layer of "
                             f"{last} units")
    x_last = (len(sizes) - 1) * layer_gap
    ys = [((last - 1) / 2 - i) * node_gap for i in range(last)]
    half = max((last - 1) / 2 * node_gap, node_radius) + node_radius
    x0 = x_last + box_gap
    ax.add_patch(FancyBboxPatch((x0, -half), box_width, 2 * half,
                                boxstyle="round,pad=0.05", fc="#e8e0f4", ec="0.2",
                                lw=1.2, zorder=3))
    ax.text(x0 + box_width / 2, 0, label, rotation=90, ha="center", va="center",
            fontsize=fontsize, zorder=4)
    arrow = dict(arrowstyle="-|>", color="0.45", lw=1.0, shrinkA=0, shrinkB=0,
                 mutation_scale=10)
    x_out = x0 + box_width + 0.9
    for i, y in enumerate(ys):
        if unit_labels is not None:
            ax.text(x_last, y, unit_labels[i], ha="center", va="center",
                    fontsize=fontsize * 0.9, zorder=5)
        # every unit into the middle of the box, every output from the middle
        ax.annotate("", xy=(x0, 0.0), xytext=(x_last + node_radius, y),
                    arrowprops=arrow)
        ax.annotate("", xy=(x_out, y), xytext=(x0 + box_width, 0.0), arrowprops=arrow)
        if output_labels is not None:
            ax.text(x_out + 0.1, y, output_labels[i], ha="left", va="center",
                    fontsize=fontsize)
    left, _ = ax.get_xlim()
    bottom, top = ax.get_ylim()
    right = x_out + (0.8 if output_labels is not None else 0.2)
    bottom, top = min(bottom, -half - 0.2), max(top, half + 0.2)
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)
    fig = ax.figure
    if fig is not None and len(fig.axes) == 1:
        # a figure of its own (as draw_network makes): size it to the wider drawing
        fig.set_size_inches(max(3.0, 1.1 * (right - left) + 0.6),
                            max(1.6, 1.1 * (top - bottom) + 0.4))
    return ax


__all__ += ["draw_vector_map"]


def draw_computational_graph(nodes, edges, ax=None, *, node_radius=0.32, fontsize=13,
                             forward_color="tab:green", backward_color="tab:red",
                             value_format="{:.4g}"):
    """Draw a computational graph with forward values and backward gradients on its edges.

    Each operation is a circle (cs231n's "gates"); each edge carries the value flowing
    forward (printed above the edge, in ``forward_color``) and the gradient of the final
    output with respect to that value flowing back (below the edge, in
    ``backward_color``).

    Parameters
    ----------
    nodes : dict
        ``{name: (x, y, label)}``: where each node sits and the text inside it, e.g.
        ``{"x1": (0, 1, "$x_1$"), "mul": (2, 1.5, r"$\\times$")}``.
    edges : sequence of tuples
        ``(source, target, value, gradient)``, one per edge, with ``source`` and ``target``
        names of ``nodes``. ``target`` may be ``None`` for the arrow leaving the output
        node. ``value`` and ``gradient`` are numbers (formatted with ``value_format``),
        strings, or ``None`` for no annotation.
    ax : matplotlib Axes, optional
        Where to draw; a new figure sized to the graph when omitted.
    node_radius, fontsize : float
        Circle radius (in data units) and size of all text.
    forward_color, backward_color : color
        Colours of the forward values and of the gradients.
    value_format : str
        Format of numeric annotations.

    Returns
    -------
    matplotlib Axes
    """
    from matplotlib.patches import Circle, FancyArrowPatch

    if not isinstance(nodes, dict) or not nodes:
        raise TypeError("nodes must be a non-empty dict {name: (x, y, label)}, "
                        f"got {type(nodes).__name__}")
    pos = {}
    for name, spec in nodes.items():
        if not (isinstance(spec, (tuple, list)) and len(spec) == 3):
            raise ValueError(f"node {name!r} must be (x, y, label), got {spec!r}")
        pos[name] = (float(spec[0]), float(spec[1]))
    edges = list(edges)
    for edge in edges:
        if not (isinstance(edge, (tuple, list)) and len(edge) == 4):
            raise ValueError(f"each edge must be (source, target, value, gradient), got "
                             f"{edge!r}")
        for end in edge[:2]:
            if end is not None and end not in pos:
                raise ValueError(f"edge {edge[:2]!r} names an unknown node {end!r}; the "
                                 f"nodes are {sorted(map(str, pos))}")
        if edge[0] is None:
            raise ValueError(f"edge {edge[:2]!r} has no source node")

    if ax is None:
        xs = [p[0] for p in pos.values()]
        ys = [p[1] for p in pos.values()]
        width = max(xs) - min(xs) + 3.0
        height = max(ys) - min(ys) + 1.6
        _, ax = plt.subplots(figsize=(1.45 * width, 1.45 * height))

    def text(v):
        if v is None:
            return None
        return value_format.format(v) if isinstance(v, (int, float, np.floating)) else str(v)

    r = node_radius
    for src, dst, value, grad in edges:
        x0, y0 = pos[src]
        x1, y1 = pos[dst] if dst is not None else (x0 + 1.6, y0)
        d = np.hypot(x1 - x0, y1 - y0)
        ux, uy = (x1 - x0) / d, (y1 - y0) / d
        start = (x0 + r * ux, y0 + r * uy)
        end = (x1 - r * ux, y1 - r * uy) if dst is not None else (x1, y1)
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14,
                                     color="0.3", lw=1.3, zorder=1))
        mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
        nx, ny = -uy, ux                     # unit normal, pointing "above" the edge
        if ny < 0:
            nx, ny = -nx, -ny
        off = 0.2
        if text(value) is not None:
            ax.text(mx + off * nx, my + off * ny, text(value), color=forward_color,
                    ha="center", va="center", fontsize=fontsize, zorder=3)
        if text(grad) is not None:
            ax.text(mx - off * nx, my - off * ny, text(grad), color=backward_color,
                    ha="center", va="center", fontsize=fontsize, zorder=3)
    for name, (x, y, label) in nodes.items():
        ax.add_patch(Circle((float(x), float(y)), r, facecolor="white", edgecolor="0.2",
                            lw=1.5, zorder=2))
        ax.text(float(x), float(y), label, ha="center", va="center", fontsize=fontsize,
                zorder=4)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.8, max(xs) + 2.0)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


__all__ += ["draw_computational_graph"]

def plot_layer_histograms(values, ax=None, *, bins=60, range=None, labels=None,
                          cmap="viridis", title=None, xlabel=None, legend=True):
    """One normalized step histogram per layer, on the same axes (chapter 9).

    Parameters
    ----------
    values : sequence of array-like
        ``values[l]`` holds the numbers of layer l + 1 (activations, gradients, ...),
        of any shape; they are flattened.
    ax : matplotlib Axes, optional
    bins : int
        Number of bins, the same for every layer.
    range : (float, float), optional
        The range of the bins; by default that of all values together.
    labels : sequence of str, optional
        One legend entry per layer; by default "layer 1", "layer 2", ...
    cmap : str
        Colormap giving each layer its colour, from the first layer to the last.

    Returns the axes. Non-finite values are left out.
    """
    values = [np.ravel(np.asarray(v, dtype=float)) for v in values]
    if not values:
        raise ValueError("values is empty: give one array per layer")
    values = [v[np.isfinite(v)] for v in values]
    if range is None:
        nonempty = [v for v in values if v.size]
        if not nonempty:
            raise ValueError("no finite values to draw")
        lo = min(v.min() for v in nonempty)
        hi = max(v.max() for v in nonempty)
        range = (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)
    if labels is None:
        labels = [f"layer {l + 1}" for l in np.arange(len(values))]
    if len(labels) != len(values):
        raise ValueError(f"got {len(labels)} labels for {len(values)} layers")
    if ax is None:
        _, ax = plt.subplots()
    colormap = plt.get_cmap(cmap)
    for l, (v, label) in enumerate(zip(values, labels)):
        color = colormap(0.9 * l / max(len(values) - 1, 1))
        ax.hist(v, bins=bins, range=range, density=True, histtype="step", linewidth=1.4,
                color=color, label=label)
    ax.set_ylabel("density")
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if title is not None:
        ax.set_title(title)
    if legend:
        ax.legend(fontsize="small")
    return ax


def plot_layer_statistic(curves, ax=None, *, logy=True, xlabel="layer",
                         ylabel="standard deviation", title=None, styles=None):
    """A per-layer statistic (a standard deviation, a gradient norm) for several networks.

    Parameters
    ----------
    curves : dict of str -> array-like
        For each network (the legend label), one value per layer, from layer 1.
    ax : matplotlib Axes, optional
    logy : bool
        A logarithmic y axis, where a constant factor per layer is a straight line.
    styles : dict of str -> dict, optional
        Extra keyword arguments of ``ax.plot`` per label (colour, line style, ...).

    Returns the axes.
    """
    if not curves:
        raise ValueError("curves is empty: give at least one label -> values")
    if ax is None:
        _, ax = plt.subplots()
    styles = styles or {}
    for label, v in curves.items():
        v = np.ravel(np.asarray(v, dtype=float))
        kwargs = {"marker": "o", "markersize": 3}
        kwargs.update(styles.get(label, {}))
        ax.plot(np.arange(1, len(v) + 1), v, label=label, **kwargs)
    if logy:
        ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel)
    if title is not None:
        ax.set_title(title)
    ax.legend(fontsize="small")
    return ax


__all__ += ["plot_layer_histograms", "plot_layer_statistic"]


# ----------------------------------------------------------------- chapter 10: metrics
def plot_confusion_matrix(cm, labels=None, ax=None, *, normalize=None, cmap="Blues",
                          title=None, xlabel="predicted class", ylabel="true class",
                          fmt=None, colorbar=False):
    """A confusion matrix as a heat map with the count (or rate) written in each cell.

    Parameters
    ----------
    cm : array-like of shape (C, C)
        ``cm[i, j]``: samples of class ``labels[i]`` predicted as ``labels[j]`` (the
        layout of :func:`nnlib.metrics.confusion_matrix`: rows are the truth).
    labels : sequence, optional
        Tick labels of the classes; by default 0, ..., C-1.
    ax : matplotlib Axes, optional
    normalize : {"true", "pred", "all"} or None
        Colour and write rates instead of counts: divided by the row sums (recall per
        class on the diagonal), the column sums (precision) or the total.
    cmap : str
        Colour map; the text is white on dark cells and black on light ones.
    fmt : str, optional
        Format of the numbers; ``"d"`` for counts and ``".2f"`` for rates by default.
    colorbar : bool
        Add a colour bar.

    Returns the axes.
    """
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.shape[0] == 0:
        raise ValueError(f"cm must be a square (C, C) matrix, got shape {cm.shape}")
    if not np.issubdtype(cm.dtype, np.number) or not np.all(np.isfinite(cm)) \
            or np.any(cm < 0):
        raise ValueError("cm must hold finite, non-negative counts or rates")
    if normalize not in (None, "true", "pred", "all"):
        raise ValueError(f"unknown normalize {normalize!r}; valid values are "
                         "'true', 'pred', 'all' and None")
    k = cm.shape[0]
    labels = list(range(k)) if labels is None else list(labels)
    if len(labels) != k:
        raise ValueError(f"{len(labels)} labels for a {k} x {k} matrix")
    values = cm.astype(float)
    if normalize is not None:
        den = {"true": values.sum(axis=1, keepdims=True),
               "pred": values.sum(axis=0, keepdims=True), "all": values.sum()}[normalize]
        values = np.divide(values, den, out=np.zeros_like(values), where=den != 0)
    if fmt is None:
        integral = normalize is None and np.all(values == np.round(values))
        fmt = "d" if integral else ".2f"
    if ax is None:
        _, ax = plt.subplots(figsize=(1.2 + 0.45 * max(k, 4), 1.0 + 0.45 * max(k, 4)))
    image = ax.imshow(values, cmap=cmap, vmin=0, vmax=max(values.max(), 1e-12))
    ax.grid(False)
    middle = values.max() / 2
    size = "medium" if k <= 4 else ("small" if k <= 8 else "x-small")
    for i in range(k):
        for j in range(k):
            v = values[i, j]
            text = format(int(round(v)), fmt) if fmt == "d" else format(v, fmt)
            ax.text(j, i, text, ha="center", va="center", fontsize=size,
                    color="white" if v > middle else "black")
    ax.set_xticks(range(k), [str(lab) for lab in labels])
    ax.set_yticks(range(k), [str(lab) for lab in labels])
    ax.set(xlabel=xlabel, ylabel=ylabel)
    if title is not None:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(image, ax=ax)
    return ax


def _curve_xy(x, y, xname, yname):
    x = np.ravel(np.asarray(x, dtype=float))
    y = np.ravel(np.asarray(y, dtype=float))
    if len(x) != len(y):
        raise ValueError(f"{xname} and {yname} have different lengths: "
                         f"{len(x)} and {len(y)}")
    if len(x) < 2:
        raise ValueError(f"a curve needs at least 2 points, got {len(x)}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError(f"{xname} and {yname} must be finite")
    return x, y


def plot_roc(fpr, tpr, ax=None, *, label=None, chance=True, markers=False, **kwargs):
    """A receiver operating characteristic curve: TPR against FPR.

    Parameters
    ----------
    fpr, tpr : array-like
        Points of the curve, e.g. the first two outputs of
        :func:`nnlib.metrics.roc_curve`.
    ax : matplotlib Axes, optional
    label : str, optional
        Legend entry (put the AUC in it).
    chance : bool
        Draw the diagonal of a classifier that guesses (AUC 1/2), once per axes.
    markers : bool
        Mark each threshold's point.
    **kwargs
        Passed to ``ax.plot`` (colour, line style, ...).

    Returns the axes.
    """
    fpr, tpr = _curve_xy(fpr, tpr, "fpr", "tpr")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 4.2))
    if chance and not any(line.get_label() == "chance (AUC 0.5)"
                          for line in ax.get_lines()):
        ax.plot([0, 1], [0, 1], ls=":", color="grey", label="chance (AUC 0.5)")
    if markers:
        kwargs.setdefault("marker", "o")
        kwargs.setdefault("markersize", 4)
    ax.plot(fpr, tpr, label=label, **kwargs)
    ax.set(xlim=(-0.02, 1.02), ylim=(-0.02, 1.02), aspect="equal",
           xlabel="false positive rate (1 - specificity)",
           ylabel="true positive rate (recall)")
    if label is not None or chance:
        ax.legend(loc="lower right", fontsize="small")
    return ax


def plot_precision_recall(recall, precision, ax=None, *, label=None, prevalence=None,
                          step=True, **kwargs):
    """A precision–recall curve: precision against recall.

    Parameters
    ----------
    recall, precision : array-like
        Points of the curve, e.g. the second and first outputs of
        :func:`nnlib.metrics.precision_recall_curve` (note the order).
    ax : matplotlib Axes, optional
    label : str, optional
        Legend entry (put the average precision in it).
    prevalence : float, optional
        Draw the horizontal line of a classifier that guesses: its precision is the
        fraction of positives.
    step : bool
        Draw the curve as the step function whose area is the average precision
        (each recall level carried at the precision reached there), instead of straight
        lines between the points.
    **kwargs
        Passed to ``ax.plot``.

    Returns the axes.
    """
    recall, precision = _curve_xy(recall, precision, "recall", "precision")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 4.2))
    if prevalence is not None:
        if not 0 <= prevalence <= 1:
            raise ValueError(f"prevalence must lie in [0, 1], got {prevalence!r}")
        ax.axhline(prevalence, ls=":", color="grey",
                   label=f"chance (precision {prevalence:.2f})")
    if step:  # the height of each recall step is the precision at its higher recall
        kwargs.setdefault("drawstyle",
                          "steps-post" if recall[0] >= recall[-1] else "steps-pre")
    ax.plot(recall, precision, label=label, **kwargs)
    ax.set(xlim=(-0.02, 1.02), ylim=(-0.02, 1.02), aspect="equal", xlabel="recall",
           ylabel="precision")
    if label is not None or prevalence is not None:
        ax.legend(loc="lower left", fontsize="small")
    return ax


__all__ += ["plot_confusion_matrix", "plot_roc", "plot_precision_recall"]


# ---------------------------------------------------------------- chapter 11
def plot_train_validation(history, key="loss", ax=None, *, label=None, logy=False,
                          mark_best=True, color=None):
    """Training and validation curves of one run: ``key`` and ``"val_" + key``.

    Parameters
    ----------
    history : dict or History
        ``history.history`` of ``fit`` (or the History object itself); needs ``key``
        and ``"val_" + key``, lists of equal length.
    key : str
        ``"loss"``, ``"accuracy"``, ...
    label : str, optional
        Prefix of the legend entries ("<label> training", "<label> validation").
    logy : bool
        Logarithmic y axis.
    mark_best : bool
        Mark the epoch of the best validation value (smallest for a loss, largest for an
        accuracy) with a dot.
    color : optional
        One color for both curves (training solid, validation dashed).

    Returns the axes.
    """
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict):
        raise TypeError(f"history must be a dict or a History, got {type(history).__name__}")
    val_key = "val_" + key
    for k in (key, val_key):
        if k not in logs:
            raise ValueError(f"history has no {k!r}; it has: {', '.join(logs) or 'nothing'}")
    train = np.asarray(logs[key], dtype=float)
    val = np.asarray(logs[val_key], dtype=float)
    if train.ndim != 1 or train.shape != val.shape or train.size == 0:
        raise ValueError(f"{key!r} and {val_key!r} must be non-empty lists of equal length, "
                         f"got shapes {train.shape} and {val.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.6))
    epochs = np.arange(1, train.size + 1)
    prefix = f"{label} " if label else ""
    line, = ax.plot(epochs, train, color=color, label=f"{prefix}training")
    ax.plot(epochs, val, "--", color=line.get_color(), label=f"{prefix}validation")
    if mark_best:
        best = int(np.argmax(val) if "acc" in key else np.argmin(val))
        ax.plot(epochs[best], val[best], "o", color=line.get_color(), markersize=5)
    if logy:
        ax.set_yscale("log")
    ax.set(xlabel="epoch", ylabel=key)
    ax.legend(fontsize="small")
    return ax


__all__ += ["plot_train_validation"]


def plot_best_so_far(scores, ax=None, *, label=None, band=True, color=None,
                     xlabel="number of trials", ylabel="best validation accuracy",
                     **kwargs):
    """The best score found after each trial of a search, averaged over repeated runs.

    Parameters
    ----------
    scores : array-like of shape (n_runs, n_trials) or (n_trials,)
        The score of every trial, in the order the search tried them, one row per run
        (for instance per seed of a random search). Higher is better.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    label : str, optional
        Legend entry of the mean curve.
    band : bool
        Shade the range between the worst and the best run (only with several runs).
    color : optional
        Color of the curve and of its band.
    xlabel, ylabel : str
        Axis labels.
    **kwargs
        Passed to ``ax.plot`` for the mean curve.

    Returns the axes. The curve at trial n is the mean over runs of
    ``max(scores[run, :n])``, so it never decreases.
    """
    s = np.asarray(scores, dtype=float)
    if s.ndim == 1:
        s = s[None, :]
    if s.ndim != 2 or s.size == 0:
        raise ValueError(f"scores must have shape (n_runs, n_trials) or (n_trials,), got "
                         f"shape {np.shape(scores)}")
    if not np.all(np.isfinite(s)):
        raise ValueError("scores contain NaN or inf; give a failed trial its worst score "
                         "instead")
    best = np.maximum.accumulate(s, axis=1)
    n = np.arange(1, s.shape[1] + 1)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.6))
    line, = ax.plot(n, best.mean(axis=0), color=color, label=label, **kwargs)
    if band and s.shape[0] > 1:
        ax.fill_between(n, best.min(axis=0), best.max(axis=0), color=line.get_color(),
                        alpha=0.2, linewidth=0)
    ax.set(xlabel=xlabel, ylabel=ylabel)
    if label is not None:
        ax.legend(fontsize="small")
    return ax


__all__ += ["plot_best_so_far"]
