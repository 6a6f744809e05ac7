"""The checkers of chapter 6: a right answer passes, wrong ones fail with a useful hint."""
import numpy as np
import pytest

from nnlib import autodiff as ad
from nnlib.autodiff import Value
from nnlib.exercises import check

SEEDS = [0, 1, 2]


def _forward(X, params):
    W1, b1, W2, b2, W3, b3 = params
    A1 = np.tanh(X @ W1 + b1)
    A2 = np.log1p(np.exp(A1 @ W2 + b2))
    p = 1 / (1 + np.exp(-(A2 @ W3 + b3)))
    return A1, A2, p


def three_right(X, y, params, lam):
    W1, b1, W2, b2, W3, b3 = params
    Z2 = np.tanh(X @ W1 + b1) @ W2 + b2
    A1, A2, p = _forward(X, params)
    D3 = (p - y.reshape(-1, 1)) / len(X)
    D2 = (D3 @ W3.T) / (1 + np.exp(-Z2))          # softplus' = sigmoid
    D1 = (D2 @ W2.T) * (1 - A1 ** 2)              # tanh' = 1 - tanh^2
    return [X.T @ D1 + 2 * lam * W1, D1.sum(0), A1.T @ D2 + 2 * lam * W2, D2.sum(0),
            A2.T @ D3 + 2 * lam * W3, D3.sum(0)]


def three_no_penalty(X, y, params, lam):
    return three_right(X, y, params, 0.0)


def three_sum_not_mean(X, y, params, lam):
    # forgets the 1/n of the mean loss (the penalty part is right)
    g_data = three_right(X, y, params, 0.0)
    g = [len(X) * a for a in g_data]
    for k in (0, 2, 4):
        g[k] = g[k] + 2 * lam * params[k]
    return g


def three_wrong_tanh(X, y, params, lam):
    W1, b1, W2, b2, W3, b3 = params
    Z2 = np.tanh(X @ W1 + b1) @ W2 + b2
    A1, A2, p = _forward(X, params)
    D3 = (p - y.reshape(-1, 1)) / len(X)
    D2 = (D3 @ W3.T) / (1 + np.exp(-Z2))
    D1 = (D2 @ W2.T) * (1 - A1)                   # wrong derivative
    return [X.T @ D1 + 2 * lam * W1, D1.sum(0), A1.T @ D2 + 2 * lam * W2, D2.sum(0),
            A2.T @ D3 + 2 * lam * W3, D3.sum(0)]


def three_transposed(X, y, params, lam):
    g = three_right(X, y, params, lam)
    g[0] = g[0].T
    return g


def three_numerical(X, y, params, lam):
    # a library wrapper: finite differences instead of backpropagation
    from nnlib.gradcheck import numerical_gradient

    def loss(_):
        A1, A2, p = _forward(X, params)
        p = p.ravel()
        return (-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
                + lam * sum(np.sum(W ** 2) for W in params[::2]))
    return [numerical_gradient(loss, P) for P in params]


def three_with_nnlib_derivative(X, y, params, lam):
    from nnlib import activations
    activations.tanh_derivative(X)
    return three_right(X, y, params, lam)


def three_no_return(X, y, params, lam):
    three_right(X, y, params, lam)


def three_five(X, y, params, lam):
    return three_right(X, y, params, lam)[:5]


def three_raises(X, y, params, lam):
    raise ValueError("boom")


@pytest.mark.parametrize("seed", SEEDS)
def test_three_layer_right(seed):
    result = check("ch06.three_layer_backward", three_right, seed=seed)
    assert result, str(result)
    assert "correct" in str(result)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("fn, hint", [
    (three_wrong_tanh, "differs from the finite-difference"),
    (three_sum_not_mean, "n times"),
    (three_transposed, "shape"),
    (three_numerical, "finite differences approximate"),
    (three_with_nnlib_derivative, "derive the activations' derivatives"),
    (three_no_return, "None"),
    (three_five, "six arrays"),
    (three_raises, "ValueError: boom"),
    (42, "expected a function"),
])
def test_three_layer_wrong(fn, hint, seed):
    result = check("ch06.three_layer_backward", fn, seed=seed)
    assert not result
    assert hint in str(result), str(result)


def test_three_layer_no_penalty_is_caught():
    # lam is drawn from {0, 0.01, 0.1}: ignoring it fails whenever lam > 0
    verdicts = [check("ch06.three_layer_backward", three_no_penalty, seed=s)
                for s in range(12)]
    failed = [v for v in verdicts if not v]
    assert failed and all("penalty" in str(v) for v in failed), [str(v) for v in verdicts]


def softplus_right(x):
    return ad.log(1 + ad.exp(x))


def softplus_floats(x):
    import math
    return Value(math.log1p(math.exp(x.data)))


def softplus_wrong(x):
    return ad.log(1 + ad.exp(x)) + 0.1


def softplus_bad_grad(x):
    import math
    v = math.log1p(math.exp(x.data))
    return Value(v, (x,), (0.5,))


def softplus_number(x):
    import math
    return math.log1p(math.exp(x.data))


def softplus_raises(x):
    raise NotImplementedError


def softplus_typeerror(x):
    return ad.log(1 + np.exp(x))


@pytest.mark.parametrize("seed", SEEDS)
def test_softplus_right(seed):
    r = check("ch06.softplus_value", softplus_right, seed=seed)
    assert r, r.message


@pytest.mark.parametrize("seed", SEEDS)
def test_softplus_wrong(seed):
    r = check("ch06.softplus_value", softplus_wrong, seed=seed)
    assert not r and "not log(1 + e^x)" in r.message
    r = check("ch06.softplus_value", softplus_floats, seed=seed)
    assert not r and "not connected" in r.message
    r = check("ch06.softplus_value", softplus_bad_grad, seed=seed)
    assert not r and "x.grad" in r.message


def test_softplus_wrong_type():
    r = check("ch06.softplus_value", softplus_number, seed=0)
    assert not r and "should return a Value" in r.message


def test_softplus_raising():
    r = check("ch06.softplus_value", softplus_raises, seed=0)
    assert not r and "NotImplementedError" in r.message
    r = check("ch06.softplus_value", softplus_typeerror, seed=0)
    assert not r and "raised" in r.message
