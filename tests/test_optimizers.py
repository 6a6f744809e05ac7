"""Optimizers: each step changes the weights exactly as the update rule says."""
import numpy as np
import pytest

import nnlib
from nnlib import layers, optimizers

# two parameter arrays and three steps' worth of gradients for each
W0 = [np.array([[0.5, -1.0], [2.0, 0.25]]), np.array([0.1, -0.3])]
GRADS = [
    [np.array([[0.2, -0.4], [1.0, 0.0]]), np.array([0.5, -0.1])],
    [np.array([[-0.3, 0.1], [0.7, 0.2]]), np.array([0.0, 0.4])],
    [np.array([[0.05, 0.3], [-1.2, 0.6]]), np.array([-0.2, 0.3])],
]


def run(optimizer, steps=3):
    """Apply ``steps`` steps to copies of W0; return the weights after each step."""
    params = [w.copy() for w in W0]
    trace = []
    for grads in GRADS[:steps]:
        optimizer.step(params, [g.copy() for g in grads])
        trace.append([p.copy() for p in params])
    return trace


def assert_trace(trace, expected):
    for got, exp in zip(trace, expected):
        for a, b in zip(got, exp):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_sgd_plain():
    lr = 0.1
    w = [x.copy() for x in W0]
    expected = []
    for grads in GRADS:
        w = [wi - lr * gi for wi, gi in zip(w, grads)]
        expected.append(w)
    assert_trace(run(optimizers.SGD(learning_rate=lr)), expected)
    # one number checked by hand: 0.5 - 0.1 * 0.2 = 0.48
    assert run(optimizers.SGD(0.1), 1)[0][0][0, 0] == pytest.approx(0.48, abs=1e-15)


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum(nesterov):
    lr, mu = 0.1, 0.9
    w = [x.copy() for x in W0]
    v = [np.zeros_like(x) for x in W0]
    expected = []
    for grads in GRADS:
        v = [mu * vi - lr * gi for vi, gi in zip(v, grads)]
        if nesterov:
            w = [wi + mu * vi - lr * gi for wi, vi, gi in zip(w, v, grads)]
        else:
            w = [wi + vi for wi, vi in zip(w, v)]
        expected.append(w)
    opt = optimizers.SGD(learning_rate=lr, momentum=mu, nesterov=nesterov)
    assert_trace(run(opt), expected)
    np.testing.assert_allclose(opt._state[0]["velocity"], v[0], rtol=1e-12, atol=1e-15)
    # two steps by hand on the first entry (g = 0.2, then -0.3):
    # v1 = -0.02, v2 = 0.9 * -0.02 + 0.03 = 0.012;
    # plain: w1 = 0.48, w2 = 0.48 + 0.012; Nesterov: w1 = 0.5 + 0.9 * -0.02 - 0.02 = 0.462,
    # w2 = 0.462 + 0.9 * 0.012 + 0.03
    w2 = run(optimizers.SGD(lr, mu, nesterov), 2)[1][0][0, 0]
    assert w2 == pytest.approx(0.5028 if nesterov else 0.492, abs=1e-15)


def test_adam():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-7
    w = [x.copy() for x in W0]
    m = [np.zeros_like(x) for x in W0]
    v = [np.zeros_like(x) for x in W0]
    expected = []
    for t, grads in enumerate(GRADS, start=1):
        m = [b1 * mi + (1 - b1) * gi for mi, gi in zip(m, grads)]
        v = [b2 * vi + (1 - b2) * gi ** 2 for vi, gi in zip(v, grads)]
        alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        w = [wi - alpha * mi / (np.sqrt(vi) + eps) for wi, mi, vi in zip(w, m, v)]
        expected.append(w)
    opt = optimizers.Adam(learning_rate=lr, beta_1=b1, beta_2=b2, epsilon=eps)
    assert_trace(run(opt), expected)
    assert opt.iterations == 3
    np.testing.assert_allclose(opt._state[1]["m"], m[1], rtol=1e-12)
    np.testing.assert_allclose(opt._state[1]["v"], v[1], rtol=1e-12)
    # Adam's first step moves every weight with a nonzero gradient by about lr
    first = run(optimizers.Adam(lr), 1)[0]
    step = np.abs(first[0] - W0[0])
    np.testing.assert_allclose(step[GRADS[0][0] != 0], lr, rtol=1e-4)   # up to epsilon
    assert step[GRADS[0][0] == 0].max() == 0


def test_adam_defaults_are_keras():
    opt = optimizers.Adam()
    assert (opt.learning_rate, opt.beta_1, opt.beta_2, opt.epsilon) == (0.001, 0.9, 0.999, 1e-7)
    sgd = optimizers.SGD()
    assert (sgd.learning_rate, sgd.momentum, sgd.nesterov) == (0.01, 0.0, False)


def test_learning_rate_schedule():
    # a function of the step count (0, 1, 2, ...)
    opt = optimizers.SGD(learning_rate=lambda t: 0.1 / (1 + t))
    trace = run(opt)
    w = W0[0].copy()
    for t, grads in enumerate(GRADS):
        w = w - 0.1 / (1 + t) * grads[0]
    np.testing.assert_allclose(trace[-1][0], w, rtol=1e-12)
    assert opt.learning_rate == pytest.approx(0.1 / 4)
    opt.learning_rate = 0.5
    assert opt.learning_rate == 0.5


def test_reset_forgets_the_state():
    opt = optimizers.Adam(0.01)
    first = run(opt, 2)
    opt.reset()
    assert opt.iterations == 0 and opt._state is None
    again = run(opt, 2)
    assert_trace(again, first)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("make", [lambda: optimizers.SGD(0.1),
                                  lambda: optimizers.SGD(0.1, momentum=0.5, nesterov=True),
                                  lambda: optimizers.Adam(0.1)],
                         ids=["sgd", "nesterov", "adam"])
def test_updates_in_place_and_keep_dtype(dtype, make):
    opt = make()
    params = [w.astype(dtype) for w in W0]
    ids = [id(p) for p in params]
    for grads in GRADS:
        opt.step(params, [g.astype(dtype) for g in grads])
    assert [id(p) for p in params] == ids
    assert all(p.dtype == dtype for p in params)
    assert all(a.dtype == dtype for state in opt._state for a in state.values())


def test_float32_steps_match_float64():
    for make in (lambda: optimizers.SGD(0.1, momentum=0.9), lambda: optimizers.Adam(0.01)):
        p64 = [w.copy() for w in W0]
        p32 = [w.astype(np.float32) for w in W0]
        o64, o32 = make(), make()
        for grads in GRADS:
            o64.step(p64, grads)
            o32.step(p32, [g.astype(np.float32) for g in grads])
        for a, b in zip(p32, p64):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("make", [lambda: optimizers.SGD(0.2, momentum=0.8, nesterov=True),
                                  lambda: optimizers.Adam(0.05)], ids=["nesterov", "adam"])
def test_fit_applies_the_optimizer_to_the_gradients(make, rng):
    # three full-batch epochs of fit = three optimizer steps on loss_and_gradients
    X = rng.standard_normal((20, 3))
    y = rng.integers(0, 2, 20)

    def net():
        return nnlib.Sequential([layers.Dense(4, "tanh", input_dim=3),
                                 layers.Dense(1, "sigmoid")], seed=0)

    model, probe = net(), net()
    model.compile("binary_crossentropy", make())
    probe.compile("binary_crossentropy")
    reference = make()
    manual = probe.get_weights()
    for _ in range(3):
        probe.set_weights(manual)
        _, grads = probe.loss_and_gradients(X, y)
        reference.step(manual, grads)
    model.fit(X, y, epochs=3, batch_size=20, shuffle=False)
    for a, b in zip(model.get_weights(), manual):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    assert model.optimizer.iterations == 3


def test_an_optimizer_reused_for_another_model_does_not_leak_state(rng):
    X = rng.standard_normal((20, 3))
    y = rng.integers(0, 2, 20)

    def net(seed):
        return nnlib.Sequential([layers.Dense(4, "tanh", input_dim=3),
                                 layers.Dense(1, "sigmoid")], seed=seed)

    shared = optimizers.Adam(0.01)
    first = net(0)
    first.compile("binary_crossentropy", shared)
    first.fit(X, y, epochs=3)
    second, fresh = net(1), net(1)
    second.compile("binary_crossentropy", shared)
    fresh.compile("binary_crossentropy", optimizers.Adam(0.01))
    try:
        second.fit(X, y, epochs=1, batch_size=20, shuffle=False)
    except ValueError:   # refusing, as Keras does, is fine too
        return
    fresh.fit(X, y, epochs=1, batch_size=20, shuffle=False)
    for a, b in zip(second.get_weights(), fresh.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------- errors and get
def test_get():
    assert isinstance(optimizers.get("sgd"), optimizers.SGD)
    assert isinstance(optimizers.get("Adam"), optimizers.Adam)
    opt = optimizers.SGD(0.3)
    assert optimizers.get(opt) is opt
    assert optimizers.available() == ["adadelta", "adagrad", "adam", "adamw", "rmsprop",
                                      "sgd"]


def test_get_unknown_name_lists_valid_ones():
    with pytest.raises(ValueError, match="unknown optimizer 'nadam'.*adam, adamw, rmsprop, sgd"):
        optimizers.get("nadam")
    with pytest.raises(TypeError, match="optimizer must be a name"):
        optimizers.get(0.1)


@pytest.mark.parametrize("make, exc, match", [
    (lambda: optimizers.SGD(learning_rate=0), ValueError, "learning_rate must be positive"),
    (lambda: optimizers.SGD(learning_rate=-0.1), ValueError, "learning_rate must be positive"),
    (lambda: optimizers.SGD(learning_rate=float("nan")), ValueError, "learning_rate"),
    (lambda: optimizers.SGD(learning_rate="0.1"), TypeError, "learning_rate must be a number"),
    (lambda: optimizers.SGD(momentum=1.0), ValueError, r"momentum must be in \[0, 1\)"),
    (lambda: optimizers.SGD(momentum=-0.5), ValueError, "momentum must be non-negative"),
    (lambda: optimizers.Adam(beta_1=1.0), ValueError, r"beta_1 must be in \[0, 1\)"),
    (lambda: optimizers.Adam(beta_2=-0.1), ValueError, r"beta_2 must be in \[0, 1\)"),
    (lambda: optimizers.Adam(epsilon=0), ValueError, "epsilon must be positive"),
])
def test_bad_arguments(make, exc, match):
    with pytest.raises(exc, match=match):
        make()
