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
    """Set the figure size, resolution and fonts used throughout the book."""
    mpl.rcParams.update({
        "figure.figsize": (6.4, 4.0),
        "figure.dpi": 80,
        "savefig.dpi": 80,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "font.size": 11,
        "legend.frameon": False,
        "image.cmap": "viridis",
    })



_PATH_COLORS = ("white", "#d62728", "#ff7f0e", "#17becf", "#e377c2", "black")


def plot_loss_surface(f, xlim, ylim, paths=None, ax=None, levels=30, labels=None,
                      resolution=100, log_levels=False, filled=True, optimum=None,
                      colorbar=True, xlabel=r"$\theta_1$", ylabel=r"$\theta_2$",
                      zlabel=None):
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
        shift = 0.0 if lo > 0 else (1e-3 * (hi - lo) - lo if hi > lo else 1.0 - lo)
        levels = np.geomspace(lo + shift, hi + shift, int(levels)) - shift
    draw = ax.contourf if filled else ax.contour
    cs = draw(T1, T2, Z, levels=levels)
    if colorbar:
        cb = ax.figure.colorbar(cs, ax=ax)
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
            color = _PATH_COLORS[i % len(_PATH_COLORS)]
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
