"""Weight penalties added to the loss, with Keras's conventions.

``L2(l)`` adds l * sum(W^2) (gradient 2 l W), ``L1(l)`` adds ``l * sum(|W|)`` (gradient
l sign(W)), ``L1L2(l1, l2)`` both. Chapter 11 explains them as weight decay and sparsity.
"""
from __future__ import annotations

import numpy as np

from ._validation import check_positive_float

__all__ = ["L1", "L2", "L1L2", "get"]


class L1L2:
    """``l1 * sum(|W|) + l2 * sum(W^2)``."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = check_positive_float(l1, "l1", allow_zero=True)
        self.l2 = check_positive_float(l2, "l2", allow_zero=True)

    def __call__(self, W):
        """The penalty."""
        value = 0.0
        if self.l1:
            value += self.l1 * float(np.abs(W).sum())
        if self.l2:
            value += self.l2 * float(np.vdot(W, W))
        return value

    def add_gradient(self, W, grad):
        """Add the penalty's gradient to ``grad`` in place."""
        if self.l1:
            grad += self.l1 * np.sign(W)
        if self.l2:
            grad += (2 * self.l2) * W
        return grad

    def __repr__(self):
        return f"{type(self).__name__}(l1={self.l1}, l2={self.l2})"


class L1(L1L2):
    def __init__(self, l1=0.01):
        super().__init__(l1=l1)


class L2(L1L2):
    def __init__(self, l2=0.01):
        super().__init__(l2=l2)


def get(reg):
    """``None``, an ``L1L2`` instance, or a name ``"l1"``, ``"l2"``, ``"l1_l2"`` (Keras defaults)."""
    if reg is None or isinstance(reg, L1L2):
        return reg
    names = {"l1": L1, "l2": L2, "l1_l2": lambda: L1L2(0.01, 0.01)}
    if reg not in names:
        raise ValueError(f"unknown regularizer {reg!r}; use None, l1, l2, l1_l2 or an "
                         "nnlib.regularizers object")
    return names[reg]()
