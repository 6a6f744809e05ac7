"""The scalar reverse-mode engine of nnlib.autodiff: values, gradients, resetting."""
import math

import numpy as np
import pytest

from nnlib import autodiff as ad
from nnlib.autodiff import Value
from nnlib.gradcheck import numerical_gradient


def grad_of(f, *xs):
    """Value and gradient of f at the numbers xs, with the engine."""
    vs = [Value(x) for x in xs]
    out = f(*vs)
    out.backward()
    return out.data, np.array([v.grad for v in vs])


def fd_grad(f, *xs):
    def scalar(x):
        return f(*[Value(float(t)) for t in x]).data
    return numerical_gradient(scalar, np.array(xs, dtype=float))


FUNCTIONS = {
    "add": (lambda a, b: a + b, (0.7, -1.3)),
    "radd": (lambda a, b: 2.5 + a + b * 1, (0.7, -1.3)),
    "sub": (lambda a, b: a - b, (0.7, -1.3)),
    "rsub": (lambda a, b: 3 - a * b, (0.7, -1.3)),
    "mul": (lambda a, b: a * b, (0.7, -1.3)),
    "rmul": (lambda a, b: 3 * a * b, (0.7, -1.3)),
    "div": (lambda a, b: a / b, (0.7, -1.3)),
    "rdiv": (lambda a, b: 2 / (a * b), (0.7, -1.3)),
    "neg": (lambda a, b: -a * b, (0.7, -1.3)),
    "pow": (lambda a, b: a ** 3 + b ** 2 + (a * a) ** 0.5, (0.7, -1.3)),
    "exp": (lambda a, b: ad.exp(a * b), (0.7, -1.3)),
    "log": (lambda a, b: ad.log(a * a + b * b), (0.7, -1.3)),
    "sin": (lambda a, b: ad.sin(a) * ad.cos(b), (0.7, -1.3)),
    "tanh": (lambda a, b: ad.tanh(a - b), (0.7, -1.3)),
    "sigmoid": (lambda a, b: ad.sigmoid(a * b), (0.7, -1.3)),
    "relu": (lambda a, b: ad.relu(a) + ad.relu(b) * a, (0.7, -1.3)),
    "reuse": (lambda a, b: a * a * a + a * b + a, (0.7, -1.3)),
    "deep": (lambda a, b: ad.tanh(ad.sigmoid(ad.exp(a) - ad.log(b * b)) * a) / (1 + b * b),
             (0.7, -1.3)),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_gradients_match_finite_differences(name):
    f, xs = FUNCTIONS[name]
    _, g = grad_of(f, *xs)
    np.testing.assert_allclose(g, fd_grad(f, *xs), rtol=1e-6, atol=1e-8)


def test_values_and_gradients_match_closed_forms():
    x1, x2 = 2.0, 3.0
    z, g = grad_of(lambda a, b: a * b + ad.sin(a), x1, x2)
    assert z == pytest.approx(x1 * x2 + math.sin(x1), abs=1e-14)
    np.testing.assert_allclose(g, [x2 + math.cos(x1), x1], atol=1e-14)

    y, mu, sigma = 1.5, 0.5, 2.0

    def logpdf(y, mu, sigma):
        return -0.5 * ((y - mu) / sigma) ** 2 - ad.log(sigma) - 0.5 * math.log(2 * math.pi)

    f, g = grad_of(logpdf, y, mu, sigma)
    expected = -0.5 * ((y - mu) / sigma) ** 2 - math.log(sigma) - 0.5 * math.log(2 * math.pi)
    assert f == pytest.approx(expected, abs=1e-14)
    r = (y - mu) / sigma
    np.testing.assert_allclose(g, [-r / sigma, r / sigma, r * r / sigma - 1 / sigma],
                               atol=1e-14)


def test_elementary_derivatives():
    for fn, d in [(ad.exp, math.exp), (ad.sin, math.cos), (ad.cos, lambda t: -math.sin(t)),
                  (ad.tanh, lambda t: 1 - math.tanh(t) ** 2),
                  (ad.sigmoid, lambda t: math.exp(-t) / (1 + math.exp(-t)) ** 2)]:
        for t in (-2.0, 0.3, 1.7):
            x = Value(t)
            fn(x).backward()
            assert x.grad == pytest.approx(d(t), rel=1e-12)
    x = Value(4.0)
    ad.log(x).backward()
    assert x.grad == 0.25


def test_relu_derivative_is_zero_at_zero():
    for t, expected in [(-1.0, 0.0), (0.0, 0.0), (2.0, 1.0)]:
        x = Value(t)
        ad.relu(x).backward()
        assert x.grad == expected


def test_sigmoid_is_stable_for_large_inputs():
    assert ad.sigmoid(Value(-800.0)).data == 0.0
    assert ad.sigmoid(Value(800.0)).data == 1.0


def test_backward_twice_gives_the_same_gradient():
    a, b = Value(0.7), Value(-1.3)
    out = a * a * b + ad.sin(a)
    out.backward()
    first = (a.grad, b.grad)
    out.backward()
    assert (a.grad, b.grad) == first


def test_backward_from_an_intermediate_node_resets_its_subgraph():
    a = Value(2.0)
    h = a * a
    out = h * 3
    out.backward()
    assert a.grad == 12.0
    h.backward()
    assert a.grad == 4.0 and h.grad == 1.0


def test_a_node_used_twice_accumulates():
    a = Value(3.0)
    out = a + a
    out.backward()
    assert a.grad == 2.0


def test_deep_graph_does_not_hit_the_recursion_limit():
    x = Value(0.5)
    y = x
    for _ in range(5000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == pytest.approx(1.0)


def test_topological_order_puts_parents_first():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    order = ad.topological_order(d)
    pos = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for p in node.parents:
            assert pos[id(p)] < pos[id(node)]
    assert order[-1] is d and len(order) == 4


def test_errors_are_clear():
    with pytest.raises(TypeError, match="exponent"):
        Value(2.0) ** Value(3.0)
    with pytest.raises(TypeError, match="cannot combine"):
        Value(2.0) + "a"
    with pytest.raises(ZeroDivisionError):
        Value(1.0) / 0
    with pytest.raises(ValueError, match="non-positive"):
        ad.log(Value(0.0))
    with pytest.raises(TypeError):
        Value(Value(1.0))
    with pytest.raises(ValueError, match="one local derivative"):
        Value(1.0, (Value(2.0),), ())


def test_repr_has_no_address():
    v = Value(1.5)
    assert repr(v) == "Value(data=1.5, grad=0)"
