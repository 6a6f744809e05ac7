"""nnlib's optimizers and schedules equal Keras 3's ``apply_gradients``, step for step.

Both run in float64 on the same arrays: three variables of different shapes, which nnlib
holds packed in one vector with ``slices`` (as a model with a parameter vector theta
does) and Keras as three variables. Keras 3 turns Python-float hyperparameters into
float32 even for float64 variables (which alone moves its Adam by ~7e-6), so Keras gets
np.float64 values and its learning rate as a callable returning an np.float64.
"""
import numpy as np
import pytest

keras = pytest.importorskip("keras")

from nnlib import optimizers  # noqa: E402
from nnlib.optimizers import schedules  # noqa: E402

SHAPES = [(3, 4), (4,), (2, 3)]
SCALES = [3.0, 0.1, 1.0]    # gradient sizes: clipnorm=1 clips the first variable, not the 2nd
STEPS = 20
RTOL, ATOL = 1e-12, 1e-13

SIZES = np.cumsum([0] + [int(np.prod(s)) for s in SHAPES])
VAR_SLICES = [slice(int(a), int(b)) for a, b in zip(SIZES[:-1], SIZES[1:])]


def as_keras(kwargs):
    """The same hyperparameters for Keras: floats as np.float64."""
    return {k: np.float64(v) if isinstance(v, float) else v for k, v in kwargs.items()}


def keras_optimizer(nn_opt, learning_rate=None):
    """The Keras optimizer with all of ``nn_opt``'s settings, defaults included, as
    np.float64 (Keras's own Python-float defaults would become float32)."""
    config = nn_opt.get_config()
    if learning_rate is None:
        lr = np.float64(config["learning_rate"])
        learning_rate = lambda: lr  # noqa: E731  (a float would become a float32 Variable)
    config["learning_rate"] = learning_rate
    return getattr(keras.optimizers, type(nn_opt).__name__)(**as_keras(config))


def compare(nn_opt, k_opt, packed=True, seed=0):
    """Run both for STEPS steps on a noisy quadratic bowl; return the largest differences.

    The gradient g = scale (theta + noise) depends on the weights, so the two paths
    must stay together for the gradients to stay equal.
    """
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s) for s in SHAPES]
    kvars = [keras.Variable(a, dtype="float64") for a in arrays]
    theta = np.concatenate([a.ravel() for a in arrays])
    separate = [a.copy() for a in arrays]
    worst_abs = worst_rel = 0.0
    for _ in range(STEPS):
        current = theta if packed else np.concatenate([a.ravel() for a in separate])
        noise = rng.standard_normal(theta.size)
        flat = np.concatenate([scale * (current[s] + noise[s])
                               for s, scale in zip(VAR_SLICES, SCALES)])
        grads = [flat[s].reshape(shape) for s, shape in zip(VAR_SLICES, SHAPES)]
        k_opt.apply_gradients(zip([keras.ops.convert_to_tensor(g) for g in grads], kvars))
        if packed:
            nn_opt.step([theta], [flat], slices=[VAR_SLICES])
            got = theta
        else:
            nn_opt.step(separate, grads)
            got = np.concatenate([a.ravel() for a in separate])
        expected = np.concatenate([np.asarray(v.numpy()).ravel() for v in kvars])
        np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)
        diff = np.abs(got - expected)
        worst_abs = max(worst_abs, float(diff.max()))
        worst_rel = max(worst_rel, float((diff / np.maximum(np.abs(expected), 1e-3)).max()))
    assert int(k_opt.iterations.numpy()) == nn_opt.iterations == STEPS
    moved = np.abs(expected - np.concatenate([a.ravel() for a in arrays])).max()
    assert moved > 1e-3      # the test means something: the weights did move
    return worst_abs, worst_rel


CASES = [
    ("SGD", dict(learning_rate=0.1)),
    ("SGD", dict(learning_rate=0.1, momentum=0.9)),
    ("SGD", dict(learning_rate=0.1, momentum=0.9, nesterov=True)),
    ("SGD", dict(learning_rate=0.05, momentum=0.5, weight_decay=0.01, clipnorm=1.0)),
    ("SGD", dict(learning_rate=0.1, clipvalue=0.5)),
    ("SGD", dict(learning_rate=0.1, momentum=0.9, nesterov=True, global_clipnorm=2.0)),
    ("Adagrad", dict(learning_rate=0.1)),
    ("Adagrad", dict(learning_rate=0.1, initial_accumulator_value=0.0, epsilon=1e-3,
                     clipnorm=1.0)),
    ("RMSprop", dict(learning_rate=0.01)),
    ("RMSprop", dict(learning_rate=0.01, centered=True)),
    ("RMSprop", dict(learning_rate=0.01, momentum=0.9)),
    ("RMSprop", dict(learning_rate=0.01, rho=0.8, momentum=0.5, epsilon=1e-4, centered=True,
                     weight_decay=0.05, clipvalue=1.0)),
    ("Adadelta", dict(learning_rate=1.0)),
    ("Adadelta", dict(learning_rate=0.5, rho=0.9, epsilon=1e-5, global_clipnorm=1.0)),
    ("Adam", dict(learning_rate=0.01)),
    ("Adam", dict(learning_rate=0.01, amsgrad=True)),
    ("Adam", dict(learning_rate=0.01, beta_1=0.5, beta_2=0.9, epsilon=1e-3,
                  weight_decay=0.1, clipnorm=1.0)),
    ("AdamW", dict(learning_rate=0.01)),
    ("AdamW", dict(learning_rate=0.01, weight_decay=0.1, amsgrad=True, global_clipnorm=1.0)),
]


def case_id(case):
    name, kwargs = case
    return name + "-" + "-".join(f"{k}={v}" for k, v in kwargs.items() if k != "learning_rate")


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_steps_equal_keras(case):
    name, kwargs = case
    kwargs = dict(kwargs)
    lr = kwargs.pop("learning_rate")
    nn_opt = getattr(optimizers, name)(learning_rate=lr, **kwargs)
    compare(nn_opt, keras_optimizer(nn_opt))


def test_separate_arrays_without_slices_equal_keras():
    # each array one variable: per-array clipnorm, as Keras's per-variable one
    nn_opt = optimizers.SGD(0.1, momentum=0.9, clipnorm=1.0)
    compare(nn_opt, keras_optimizer(nn_opt), packed=False)


# ------------------------------------------------------------------ under schedules
SCHEDULES = [
    ("ExponentialDecay", dict(initial_learning_rate=0.1, decay_steps=5, decay_rate=0.5)),
    ("ExponentialDecay", dict(initial_learning_rate=0.1, decay_steps=4, decay_rate=0.5,
                              staircase=True)),
    ("InverseTimeDecay", dict(initial_learning_rate=0.1, decay_steps=4, decay_rate=1.0)),
    ("InverseTimeDecay", dict(initial_learning_rate=0.1, decay_steps=3, decay_rate=0.5,
                              staircase=True)),
    ("PiecewiseConstantDecay", dict(boundaries=[5, 12], values=[0.1, 0.05, 0.01])),
    ("CosineDecay", dict(initial_learning_rate=0.1, decay_steps=20, alpha=0.1)),
    ("CosineDecay", dict(initial_learning_rate=0.0, decay_steps=15, warmup_target=0.1,
                         warmup_steps=5)),
]


def keras_schedule(name, kwargs):
    kwargs = as_keras(kwargs)
    if "values" in kwargs:
        kwargs["values"] = [np.float64(v) for v in kwargs["values"]]
    return getattr(keras.optimizers.schedules, name)(**kwargs)


def schedule_id(s):
    return s[0] + "-" + "-".join(f"{k}={v}" for k, v in s[1].items())


@pytest.mark.parametrize("sched", SCHEDULES, ids=[schedule_id(s) for s in SCHEDULES])
def test_schedule_values_equal_keras(sched):
    name, kwargs = sched
    ours, theirs = getattr(schedules, name)(**kwargs), keras_schedule(name, kwargs)
    steps = np.arange(40)
    expected = np.array([float(theirs(int(t))) for t in steps])
    np.testing.assert_allclose(ours(steps), expected, rtol=1e-14, atol=1e-17)
    assert [ours(int(t)) for t in steps] == pytest.approx(expected, rel=1e-14, abs=1e-17)


# each schedule under one optimizer (three kinds in turn), to keep the test fast
UNDER = [("SGD", dict(momentum=0.9)), ("RMSprop", dict(momentum=0.5, centered=True)),
         ("Adam", dict(weight_decay=0.1))]


@pytest.mark.parametrize("sched, optimizer",
                         [(s, UNDER[i % len(UNDER)]) for i, s in enumerate(SCHEDULES)],
                         ids=[f"{schedule_id(s)}-{UNDER[i % len(UNDER)][0]}"
                              for i, s in enumerate(SCHEDULES)])
def test_steps_under_a_schedule_equal_keras(sched, optimizer):
    name, kwargs = sched
    opt_name, opt_kwargs = optimizer
    nn_opt = getattr(optimizers, opt_name)(learning_rate=getattr(schedules, name)(**kwargs),
                                           **opt_kwargs)
    compare(nn_opt, keras_optimizer(nn_opt, keras_schedule(name, kwargs)))
    # optimizer.learning_rate is the schedule at the number of steps done
    assert nn_opt.learning_rate == getattr(schedules, name)(**kwargs)(STEPS)


# ------------------------------------------------------------------------- defaults
@pytest.mark.parametrize("name", optimizers.available())
def test_defaults_are_keras(name):
    ours, theirs = optimizers.get(name).get_config(), keras.optimizers.get(name).get_config()
    common = set(ours) & set(theirs)
    assert common >= {"learning_rate", "weight_decay", "clipnorm", "clipvalue",
                      "global_clipnorm"}
    for key in sorted(common):
        if isinstance(theirs[key], float):     # Keras's learning rate is a float32
            assert ours[key] == pytest.approx(theirs[key], rel=1e-7), key
        else:
            assert ours[key] == theirs[key], key
    missing = set(ours) - set(theirs)
    assert not missing, f"nnlib arguments Keras does not have: {missing}"


def test_clipping_options_conflict_as_in_keras():
    with pytest.raises(ValueError, match="Only one of"):
        keras.optimizers.SGD(clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match="only one of clipnorm, clipvalue and global_clipnorm"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)
