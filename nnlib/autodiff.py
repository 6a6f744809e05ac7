"""A tiny scalar reverse-mode automatic differentiation engine (chapter 6).

Every arithmetic operation on :class:`Value` objects records a node of a computational
graph: its result (``data``), the values it was computed from (``parents``) and the local
derivatives of the result with respect to each parent (``local_grads``), evaluated on
the way forward. :meth:`Value.backward` then walks the graph once in reverse topological
order and applies the chain rule, leaving d(output)/d(node) in every node's ``grad``.

>>> x1, x2 = Value(2.0), Value(3.0)
>>> z = x1 * x2 + sin(x1)
>>> z.backward()
>>> round(x1.grad, 6), round(x2.grad, 6)      # x2 + cos(x1), x1
(2.583853, 2.0)

Unlike some teaching engines, ``backward`` first resets the gradients of every node of
the graph, so calling it twice gives the same answer, not twice the answer.
"""
from __future__ import annotations

import math
from numbers import Real

__all__ = ["Value", "exp", "log", "sin", "cos", "tanh", "sigmoid", "relu", "topological_order"]


class Value:
    """A scalar that remembers how it was computed.

    Parameters
    ----------
    data : float
        The number.
    parents : tuple of Value
        The nodes this one was computed from (empty for an input).
    local_grads : tuple of float
        d(this)/d(parent) for each parent, evaluated at the parents' values.
    op : str
        The name of the operation, for display.
    """

    __slots__ = ("data", "grad", "parents", "local_grads", "op")

    def __init__(self, data, parents=(), local_grads=(), op=""):
        if isinstance(data, Value):
            raise TypeError("data must be a number, not a Value")
        self.data = float(data)
        self.grad = 0.0
        self.parents = tuple(parents)
        self.local_grads = tuple(float(g) for g in local_grads)
        if len(self.parents) != len(self.local_grads):
            raise ValueError("need one local derivative per parent")
        self.op = op

    # ------------------------------------------------------------------ arithmetic
    def __add__(self, other):
        other = _as_value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __radd__(self, other):
        return _as_value(other) + self

    def __neg__(self):
        return Value(-self.data, (self,), (-1.0,), "neg")

    def __sub__(self, other):
        other = _as_value(other)
        return Value(self.data - other.data, (self, other), (1.0, -1.0), "-")

    def __rsub__(self, other):
        return _as_value(other) - self

    def __mul__(self, other):
        other = _as_value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data), "*")

    def __rmul__(self, other):
        return _as_value(other) * self

    def __truediv__(self, other):
        other = _as_value(other)
        if other.data == 0:
            raise ZeroDivisionError("division of a Value by zero")
        return Value(self.data / other.data, (self, other),
                     (1.0 / other.data, -self.data / other.data ** 2), "/")

    def __rtruediv__(self, other):
        return _as_value(other) / self

    def __pow__(self, exponent):
        if isinstance(exponent, Value) or not isinstance(exponent, Real):
            raise TypeError("the exponent must be a plain number (write exp(y * log(x)) "
                            "for x ** y with a Value y)")
        exponent = float(exponent)
        return Value(self.data ** exponent, (self,),
                     (exponent * self.data ** (exponent - 1),), f"**{exponent:g}")

    # ------------------------------------------------------------------ differentiation
    def backward(self):
        """Set ``grad`` of every node of the graph to d(self)/d(node).

        The gradients are reset to 0 first, then accumulated in one reverse sweep: a node
        used several times receives the sum of the contributions of all its uses.
        """
        order = topological_order(self)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            for parent, local in zip(node.parents, node.local_grads):
                parent.grad += local * node.grad

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"


def topological_order(root):
    """The nodes of ``root``'s graph, each after all the nodes it was computed from."""
    order, seen = [], set()
    stack = [(root, False)]
    while stack:  # iterative depth-first search: deep graphs do not hit the recursion limit
        node, children_done = stack.pop()
        if children_done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for parent in node.parents:
            if id(parent) not in seen:
                stack.append((parent, False))
    return order


def _as_value(x):
    if isinstance(x, Value):
        return x
    if isinstance(x, Real):
        return Value(x)
    raise TypeError(f"cannot combine a Value with {type(x).__name__}")


# ---------------------------------------------------------------------- functions
def exp(x):
    """e**x; its derivative is e**x."""
    x = _as_value(x)
    e = math.exp(x.data)
    return Value(e, (x,), (e,), "exp")


def log(x):
    """Natural logarithm; its derivative is 1/x."""
    x = _as_value(x)
    if x.data <= 0:
        raise ValueError(f"log of a non-positive number ({x.data:g})")
    return Value(math.log(x.data), (x,), (1.0 / x.data,), "log")


def sin(x):
    """Sine; its derivative is cos."""
    x = _as_value(x)
    return Value(math.sin(x.data), (x,), (math.cos(x.data),), "sin")


def cos(x):
    """Cosine; its derivative is -sin."""
    x = _as_value(x)
    return Value(math.cos(x.data), (x,), (-math.sin(x.data),), "cos")


def tanh(x):
    """Hyperbolic tangent; its derivative is 1 - tanh**2."""
    x = _as_value(x)
    t = math.tanh(x.data)
    return Value(t, (x,), (1.0 - t * t,), "tanh")


def sigmoid(x):
    """1 / (1 + e**-x), computed without overflow; its derivative is s (1 - s)."""
    x = _as_value(x)
    if x.data >= 0:
        s = 1.0 / (1.0 + math.exp(-x.data))
    else:
        e = math.exp(x.data)
        s = e / (1.0 + e)
    return Value(s, (x,), (s * (1.0 - s),), "sigmoid")


def relu(x):
    """max(x, 0); its derivative is 1 for x > 0 and 0 otherwise (0 at x = 0, as in
    TensorFlow and nnlib)."""
    x = _as_value(x)
    return Value(max(x.data, 0.0), (x,), (1.0 if x.data > 0 else 0.0,), "relu")
