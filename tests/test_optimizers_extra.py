"""Optimizers beyond the update formulas: slices, options, errors (no Keras needed)."""
import numpy as np
import pytest

from nnlib import optimizers

SHAPES = [(3, 2), (2,), (2, 2)]


def packed(rng, dtype=np.float64):
    """Three variables of different shapes, and the same values packed in one vector."""
    arrays = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    sizes = np.cumsum([0] + [a.size for a in arrays])
    var_slices = [slice(int(a), int(b)) for a, b in zip(sizes[:-1], sizes[1:])]
    theta = np.concatenate([a.ravel() for a in arrays])
    return arrays, theta, var_slices


@pytest.mark.parametrize("make", [lambda: optimizers.SGD(0.1, momentum=0.9),
                                  lambda: optimizers.Adam(0.01)], ids=["sgd", "adam"])
def test_packed_vector_with_slices_equals_separate_arrays(make, rng):
    arrays, theta, var_slices = packed(rng)
    a, b = make(), make()
    for _ in range(5):
        grads = [rng.standard_normal(s) for s in SHAPES]
        a.step(arrays, grads)
        b.step([theta], [np.concatenate([g.ravel() for g in grads])], slices=[var_slices])
    np.testing.assert_allclose(theta, np.concatenate([x.ravel() for x in arrays]),
                               rtol=1e-14, atol=1e-15)
    assert b.iterations == 5


def test_bad_slices(rng):
    _, theta, var_slices = packed(rng)
    opt = optimizers.SGD()
    g = np.zeros_like(theta)
    with pytest.raises(ValueError, match="one entry .* per parameter array: got 2 for 1"):
        opt.step([theta], [g], slices=[var_slices, None])
    with pytest.raises(TypeError, match="list of slice objects"):
        opt.step([theta], [g], slices=[[0, 1]])
    with pytest.raises(ValueError, match="outside parameter array 0 of size 12"):
        opt.step([theta], [g], slices=[[slice(0, 13)]])
    opt.step([theta], [g], slices=[None])   # None: one variable


# ------------------------------------------------------------ every optimizer, options
ALL = {
    "sgd": lambda **kw: optimizers.SGD(0.1, momentum=0.9, nesterov=True, **kw),
    "adagrad": lambda **kw: optimizers.Adagrad(0.1, **kw),
    "rmsprop": lambda **kw: optimizers.RMSprop(0.01, momentum=0.5, centered=True, **kw),
    "adadelta": lambda **kw: optimizers.Adadelta(1.0, **kw),
    "adam": lambda **kw: optimizers.Adam(0.01, amsgrad=True, **kw),
    "adamw": lambda **kw: optimizers.AdamW(0.01, **kw),
}
OPTIONS = [dict(), dict(clipnorm=0.5), dict(clipvalue=0.1), dict(global_clipnorm=0.5)]


@pytest.mark.parametrize("options", OPTIONS, ids=["plain", "clipnorm", "clipvalue", "global"])
@pytest.mark.parametrize("name", sorted(ALL))
def test_float32_stays_float32_and_matches_float64(name, options, rng):
    arrays, theta64, var_slices = packed(rng)
    theta32 = theta64.astype(np.float32)
    o64, o32 = ALL[name](**options), ALL[name](**options)
    for _ in range(10):
        g = rng.standard_normal(theta64.size)
        g32 = g.astype(np.float32)
        o64.step([theta64], [g], slices=[var_slices])
        o32.step([theta32], [g32], slices=[var_slices])
        assert g32.dtype == np.float32 and theta32.dtype == np.float32
    assert all(a.dtype == np.float32 for st in o32._state for a in st.values())
    np.testing.assert_allclose(theta32, theta64, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", sorted(ALL))
def test_a_step_allocates_nothing_weight_sized(name):
    import tracemalloc

    n = 200_000                                     # 1.6 MB in float64
    theta, g = np.ones(n), np.full(n, 0.5)
    sl = [slice(0, n // 2), slice(n // 2, n)]
    opt = ALL[name](clipnorm=1.0) if name != "adamw" else ALL[name](global_clipnorm=1.0)
    opt.step([theta], [g], slices=[sl])             # the first step allocates the state
    tracemalloc.start()
    for _ in range(3):
        opt.step([theta], [g], slices=[sl])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < n * 8 / 20, f"{name}: a step allocated {peak} bytes"


def test_clipnorm_is_per_variable_and_global_clipnorm_over_all():
    # two variables in one vector: norms 5 and 0.5; clip at 1
    theta, g = np.zeros(4), np.array([3.0, 4.0, 0.3, 0.4])
    sl = [slice(0, 2), slice(2, 4)]
    optimizers.SGD(1.0, clipnorm=1.0).step([theta], [g], slices=[sl])
    np.testing.assert_allclose(-theta, [0.6, 0.8, 0.3, 0.4], rtol=1e-15)
    theta = np.zeros(4)
    optimizers.SGD(1.0, clipnorm=1.0).step([theta], [g])     # one variable: norm 5.02
    np.testing.assert_allclose(-theta, g / np.linalg.norm(g), rtol=1e-15)
    theta = np.zeros(4)
    optimizers.SGD(1.0, global_clipnorm=1.0).step([theta[:2], theta[2:]], [g[:2], g[2:]])
    np.testing.assert_allclose(-theta, g / np.linalg.norm(g), rtol=1e-15)
    assert g.tolist() == [3.0, 4.0, 0.3, 0.4]


def test_weight_decay_comes_after_clipping_and_before_the_update():
    # w = 1, g = 10 clipped to 1, lr 0.1, wd 0.5: w = 1 - 0.1 * 0.5 * 1 - 0.1 * 1 = 0.85
    w = np.array([1.0])
    optimizers.SGD(0.1, weight_decay=0.5, clipvalue=1.0).step([w], [np.array([10.0])])
    assert w[0] == pytest.approx(0.85, abs=1e-15)
    # AdamW's first step: decay 0.1 * 0.5 * 2, then Adam's step of about lr; with
    # m = 0.1 * 3 and v = 0.001 * 9 it is lr sqrt(v) / (sqrt(v) + eps)
    w = np.array([2.0])
    optimizers.AdamW(0.1, weight_decay=0.5).step([w], [np.array([3.0])])
    sqrt_v = np.sqrt(0.009)
    assert w[0] == pytest.approx(2 - 0.1 * 0.5 * 2 - 0.1 * sqrt_v / (sqrt_v + 1e-7), abs=1e-12)


def test_iterations_count_steps_and_reset(rng):
    opt = optimizers.RMSprop()
    w = np.zeros(3)
    for _ in range(7):
        opt.step([w], [rng.standard_normal(3)])
    assert opt.iterations == 7
    opt.reset()
    assert opt.iterations == 0 and opt.state is None


def test_get_config_and_repr_round_trip():
    opt = optimizers.RMSprop(0.01, rho=0.8, momentum=0.5, centered=True, clipnorm=2.0)
    again = optimizers.RMSprop(**opt.get_config())
    assert again.get_config() == opt.get_config()
    assert repr(opt).startswith("RMSprop(learning_rate=0.01, rho=0.8, momentum=0.5")
    assert optimizers.AdamW().get_config()["weight_decay"] == 0.004


# --------------------------------------------------------------------- bad input
@pytest.mark.parametrize("make, exc, match", [
    (lambda: optimizers.Adagrad(learning_rate=0.0), ValueError, "learning_rate must be positive"),
    (lambda: optimizers.RMSprop(learning_rate=float("inf")), ValueError, "learning_rate"),
    (lambda: optimizers.Adadelta(learning_rate=None), TypeError, "learning_rate must be a number"),
    (lambda: optimizers.RMSprop(rho=1.0), ValueError, r"rho must be in \[0, 1\)"),
    (lambda: optimizers.RMSprop(rho=float("nan")), ValueError, r"rho must be in \[0, 1\)"),
    (lambda: optimizers.Adadelta(rho=-0.1), ValueError, r"rho must be in \[0, 1\)"),
    (lambda: optimizers.RMSprop(momentum=1.5), ValueError, r"momentum must be in \[0, 1\)"),
    (lambda: optimizers.RMSprop(momentum="0.9"), TypeError, "momentum must be a number"),
    (lambda: optimizers.AdamW(beta_1=1.0), ValueError, r"beta_1 must be in \[0, 1\)"),
    (lambda: optimizers.Adam(beta_2=float("nan")), ValueError, r"beta_2 must be in \[0, 1\)"),
    (lambda: optimizers.Adagrad(epsilon=-1e-7), ValueError, "epsilon must be positive"),
    (lambda: optimizers.RMSprop(epsilon=float("nan")), ValueError, "epsilon must be positive"),
    (lambda: optimizers.Adagrad(initial_accumulator_value=-0.1), ValueError,
     "initial_accumulator_value must be non-negative"),
    (lambda: optimizers.SGD(weight_decay=-0.01), ValueError, "weight_decay must be non-negative"),
    (lambda: optimizers.AdamW(weight_decay=float("inf")), ValueError, "weight_decay"),
    (lambda: optimizers.AdamW(weight_decay=None), ValueError, "AdamW needs a weight_decay"),
    (lambda: optimizers.SGD(clipnorm=0.0), ValueError, "clipnorm must be positive"),
    (lambda: optimizers.Adam(clipvalue=-1.0), ValueError, "clipvalue must be positive"),
    (lambda: optimizers.RMSprop(global_clipnorm=float("nan")), ValueError, "global_clipnorm"),
    (lambda: optimizers.Adam(clipnorm=1.0, global_clipnorm=1.0), ValueError,
     "only one of clipnorm, clipvalue and global_clipnorm can be set, got clipnorm=1.0, "
     "global_clipnorm=1.0"),
    (lambda: optimizers.SGD(clipvalue=1.0, global_clipnorm=1.0, clipnorm=1.0), ValueError,
     "only one of"),
])
def test_bad_arguments(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_bad_step_arguments():
    opt = optimizers.Adam()
    w = np.zeros((2, 3))
    with pytest.raises(ValueError, match="2 parameter arrays but 1 gradients"):
        opt.step([w, w], [w])
    with pytest.raises(ValueError, match=r"grads\[0\] has shape \(3, 2\) but params\[0\] has "
                                         r"shape \(2, 3\)"):
        opt.step([w], [np.zeros((3, 2))])
    with pytest.raises(TypeError, match=r"params\[0\] must be a NumPy array"):
        opt.step([[0.0, 1.0]], [np.zeros(2)])


def test_unknown_name_lists_every_valid_one():
    with pytest.raises(ValueError, match="unknown optimizer 'adamax'; valid optimizers are: "
                                         "adadelta, adagrad, adam, adamw, rmsprop, sgd"):
        optimizers.get("adamax")
    for name in optimizers.available():
        assert type(optimizers.get(name.upper())).__name__.lower() == name


# ------------------------------------------------------------------ end to end
@pytest.mark.parametrize("name", optimizers.available())
def test_compile_by_name_trains_in_float32(name, rng):
    import nnlib
    from nnlib import layers

    X = rng.standard_normal((64, 4)).astype(np.float32)
    y = (X[:, 0] - X[:, 1] > 0).astype(int)
    model = nnlib.Sequential([layers.Dense(8, "tanh", input_dim=4),
                              layers.Dense(1, "sigmoid")], seed=0, dtype="float32")
    model.compile("binary_crossentropy", optimizer=name)
    assert type(model.optimizer) is type(optimizers.get(name))
    # a rate large enough to learn in a few epochs (the defaults are Keras's, 0.001)
    model.optimizer.learning_rate = 1.0 if name == "adadelta" else 0.05
    history = model.fit(X, y, epochs=15, batch_size=16, shuffle=False)
    loss = history.history["loss"]
    assert loss[-1] < 0.9 * loss[0], (name, loss[0], loss[-1])
    assert model.optimizer.iterations == 15 * 4                  # one step per batch
    assert all(w.dtype == np.float32 for w in model.get_weights())
    assert all(a.dtype == np.float32 for st in model.optimizer.state for a in st.values())
