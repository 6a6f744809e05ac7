"""Learning-rate schedules: Keras's formulas, Keras's own test values, bad input."""
import math

import numpy as np
import pytest

import nnlib
from nnlib import optimizers, schedules


def test_exposed_in_both_places():
    assert optimizers.schedules is schedules is nnlib.schedules
    for name in schedules.__all__:
        assert isinstance(getattr(schedules, name), type)


# ------------------------------------------- the values Keras's own tests expect
# (keras/src/optimizers/schedules/learning_rate_schedule_test.py, Keras 3)
def test_exponential_decay_keras_values():
    assert schedules.ExponentialDecay(0.05, 10, 0.96)(5) == pytest.approx(
        0.05 * 0.96 ** (5.0 / 10.0), rel=1e-12)
    stairs = schedules.ExponentialDecay(0.1, 3, 0.96, staircase=True)
    assert stairs(1) == stairs(2) == 0.1                  # no change inside a stair
    assert stairs(100) == pytest.approx(0.1 * 0.96 ** (100 // 3), rel=1e-12)


def test_piecewise_constant_keras_values():
    lr = schedules.PiecewiseConstantDecay([100, 110, 120], [1.0, 0.1, 0.01, 0.001])
    for step, expected in [(-999, 1.0), (100, 1.0), (105, 0.1), (110, 0.1), (120, 0.01),
                           (999, 0.001)]:
        assert lr(step) == expected, step
    lr = schedules.PiecewiseConstantDecay([1, 2, 3], [0.4, 0.5, 0.6, 0.7])
    assert [lr(t) for t in range(5)] == [0.4, 0.4, 0.5, 0.6, 0.7]


@pytest.mark.parametrize("staircase", [False, True])
def test_inverse_time_decay_keras_values(staircase):
    lr = schedules.InverseTimeDecay(0.1, 10, 0.96, staircase=staircase)
    for i in range(11):
        p = i // 10 if staircase else i / 10
        assert lr(i) == pytest.approx(0.1 / (1 + 0.96 * p), rel=1e-12)


def test_cosine_decay_keras_values():
    def np_cosine_decay(step, decay_steps, alpha=0.0):   # Keras's test's reference
        step = min(step, decay_steps)
        decay = 0.5 * (1.0 + math.cos(math.pi * step / decay_steps))
        return (1.0 - alpha) * decay + alpha

    for step in range(0, 1500, 250):
        assert schedules.CosineDecay(1.0, 1000)(step) == pytest.approx(
            np_cosine_decay(step, 1000), rel=1e-12, abs=1e-15)
        assert schedules.CosineDecay(2.0, 1000, alpha=0.1)(step) == pytest.approx(
            2.0 * np_cosine_decay(step, 1000, 0.1), rel=1e-12)


def test_cosine_decay_warmup():
    lr = schedules.CosineDecay(0.0, 1000, warmup_target=10.0, warmup_steps=1500)
    # a straight line from 0 to 10 over 1500 steps, then the cosine from 10 down to 0
    for step in range(0, 1500, 250):
        assert lr(step) == pytest.approx(10.0 * step / 1500, rel=1e-12, abs=1e-15)
    assert lr(1500) == pytest.approx(10.0)
    assert lr(2000) == pytest.approx(10.0 * 0.5 * (1 + math.cos(math.pi * 0.5)))
    assert lr(2500) == pytest.approx(0.0, abs=1e-14) and lr(9999) == lr(2500)
    # warmup_steps=0: no warmup, the decay starts from warmup_target
    assert schedules.CosineDecay(0.1, 10, warmup_target=0.5)(0) == 0.5


def test_arrays_of_steps_give_arrays():
    lr = schedules.ExponentialDecay(0.1, 10, 0.5)
    steps = np.arange(30)
    values = lr(steps)
    assert isinstance(values, np.ndarray) and values.shape == (30,)
    np.testing.assert_allclose(values, [lr(int(t)) for t in steps], rtol=1e-15)
    assert isinstance(lr(np.int64(3)), float)


# ------------------------------------------------------------ inside an optimizer
def test_optimizer_evaluates_the_schedule_at_the_number_of_steps_done():
    lr = schedules.PiecewiseConstantDecay([2], [0.1, 0.01])
    opt = optimizers.SGD(learning_rate=lr)
    w = np.array([1.0])
    seen = []
    for _ in range(4):
        seen.append(opt.learning_rate)
        opt.step([w], [np.array([1.0])])
    # steps 0, 1, 2 are <= the boundary 2: rate 0.1; step 3: 0.01
    assert seen == [0.1, 0.1, 0.1, 0.01]
    assert w[0] == pytest.approx(1 - 0.3 - 0.01, abs=1e-15)
    with pytest.raises(TypeError, match="LearningRateSchedule, so it cannot be set"):
        opt.learning_rate = 0.5
    opt.learning_rate = schedules.ExponentialDecay(0.2, 1, 0.5)    # another schedule: fine
    assert opt.learning_rate == pytest.approx(0.2 * 0.5 ** 4)


def test_momentum_under_a_schedule_is_keras_not_pytorch():
    # Keras keeps the rate inside the velocity: v = mu v - eta_t g. With g = 1, mu = 0.9
    # and eta = 0.1 then 0.01: Keras w2 = -0.1 + (0.9 (-0.1) - 0.01) = -0.200;
    # PyTorch (b = mu b + g; w -= eta_t b) would give -0.1 - 0.01 (0.9 + 1) = -0.119
    opt = optimizers.SGD(schedules.PiecewiseConstantDecay([0], [0.1, 0.01]), momentum=0.9)
    w = np.array([0.0])
    for _ in range(2):
        opt.step([w], [np.array([1.0])])
    assert w[0] == pytest.approx(-0.200, abs=1e-15)


def test_a_schedule_returning_a_bad_rate_is_refused():
    opt = optimizers.SGD(learning_rate=lambda t: -0.1)
    with pytest.raises(ValueError, match="schedule returned -0.1 at step 0"):
        opt.step([np.zeros(2)], [np.zeros(2)])


def test_get_config_rebuilds():
    for s in [schedules.ExponentialDecay(0.1, 5, 0.5, staircase=True),
              schedules.InverseTimeDecay(0.1, 5, 0.5),
              schedules.PiecewiseConstantDecay([3, 7], [0.3, 0.2, 0.1]),
              schedules.CosineDecay(0.0, 10, alpha=0.1, warmup_target=0.2, warmup_steps=3)]:
        again = type(s)(**s.get_config())
        np.testing.assert_array_equal(again(np.arange(20)), s(np.arange(20)))
        assert repr(s).startswith(type(s).__name__ + "(")


# -------------------------------------------------------------------- bad input
@pytest.mark.parametrize("make, exc, match", [
    (lambda: schedules.ExponentialDecay(0.0, 10, 0.5), ValueError,
     "initial_learning_rate must be > 0"),
    (lambda: schedules.ExponentialDecay(-0.1, 10, 0.5), ValueError, "initial_learning_rate"),
    (lambda: schedules.ExponentialDecay(0.1, 0, 0.5), ValueError, "decay_steps must be > 0"),
    (lambda: schedules.ExponentialDecay(0.1, 10, 0.0), ValueError, "decay_rate must be > 0"),
    (lambda: schedules.ExponentialDecay(float("nan"), 10, 0.5), ValueError,
     "initial_learning_rate must be finite"),
    (lambda: schedules.ExponentialDecay("0.1", 10, 0.5), TypeError,
     "initial_learning_rate must be a number"),
    (lambda: schedules.InverseTimeDecay(0.1, 10, -1.0), ValueError, "decay_rate must be >= 0"),
    (lambda: schedules.InverseTimeDecay(0.1, float("inf"), 1.0), ValueError,
     "decay_steps must be finite"),
    (lambda: schedules.PiecewiseConstantDecay([10, 20], [0.1, 0.01]), ValueError,
     "one more element than boundaries: got 2 boundaries and 2 values"),
    (lambda: schedules.PiecewiseConstantDecay([20, 10], [0.1, 0.01, 0.001]), ValueError,
     "strictly increasing"),
    (lambda: schedules.PiecewiseConstantDecay([10], [0.1, -0.01]), ValueError,
     r"values\[1\] must be > 0"),
    (lambda: schedules.PiecewiseConstantDecay(10, [0.1]), TypeError, "lists of numbers"),
    (lambda: schedules.CosineDecay(0.1, 10, alpha=1.5), ValueError, "alpha must be <= 1"),
    (lambda: schedules.CosineDecay(0.0, 10), ValueError, "initial_learning_rate must be > 0"),
    (lambda: schedules.CosineDecay(0.1, 10, warmup_target=0.0), ValueError,
     "warmup_target must be > 0"),
    (lambda: schedules.CosineDecay(0.1, 10, warmup_target=1.0, warmup_steps=-1), ValueError,
     "warmup_steps must be >= 0"),
    (lambda: schedules.ExponentialDecay(0.1, 10, 0.5)(float("nan")), ValueError,
     "step must be finite"),
    (lambda: schedules.ExponentialDecay(0.1, 10, 0.5)("3"), TypeError, "step must be a number"),
])
def test_bad_arguments(make, exc, match):
    with pytest.raises(exc, match=match):
        make()
