"""nnlib.initializers: Keras's names, variance scaling and truncation, checked statistically.

Tolerances come from the sample size N. The sample mean of N draws of variance s2 has
standard error sqrt(s2 / N); the sample variance has relative standard error
sqrt((kurtosis - 1) / N), with kurtosis 1.8 for a uniform and at most 3 for the
(truncated) normals. Every statistical assert allows 5 standard errors, a chance of
about 6e-7 of a false alarm for a fixed seed (and the seeds are fixed).
"""
import math
import pickle

import numpy as np
import pytest

from nnlib import initializers, layers, models
from nnlib.initializers import VarianceScaling, compute_fans

N_ROWS, N_COLS = 400, 250          # 100,000 weights
N = N_ROWS * N_COLS
Z = 5.0                            # standard errors allowed

# name: (scale, mode, distribution) as in keras/src/initializers/random_initializers.py
VS = {
    "glorot_uniform": (1.0, "fan_avg", "uniform"),
    "glorot_normal": (1.0, "fan_avg", "truncated_normal"),
    "he_uniform": (2.0, "fan_in", "uniform"),
    "he_normal": (2.0, "fan_in", "truncated_normal"),
    "lecun_uniform": (1.0, "fan_in", "uniform"),
    "lecun_normal": (1.0, "fan_in", "truncated_normal"),
}


def expected_variance(scale, mode, fan_in, fan_out):
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    return scale / max(1.0, n)


def rel_var_tol(distribution, n=N):
    kurtosis = 1.8 if distribution == "uniform" else 3.0
    return Z * math.sqrt((kurtosis - 1) / n)


def test_truncation_constant_is_the_std_of_a_normal_truncated_at_2():
    # Var of N(0,1) restricted to [-2, 2]: 1 - 2 * 2 * phi(2) / (Phi(2) - Phi(-2))
    phi2 = math.exp(-2.0) / math.sqrt(2 * math.pi)
    mass = math.erf(2 / math.sqrt(2))
    assert math.sqrt(1 - 4 * phi2 / mass) == pytest.approx(initializers._TRUNC_STD, rel=1e-14)


@pytest.mark.parametrize("name", sorted(VS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_variance_scaling_statistics_match_the_formulas(name, dtype):
    scale, mode, distribution = VS[name]
    init = initializers.get(name)
    assert (init.scale, init.mode, init.distribution) == VS[name]
    W = init((N_ROWS, N_COLS), np.random.default_rng(1), dtype)
    assert W.shape == (N_ROWS, N_COLS) and W.dtype == dtype
    var = expected_variance(scale, mode, N_ROWS, N_COLS)
    assert init.variance((N_ROWS, N_COLS)) == pytest.approx(var, rel=1e-15)
    W = W.astype(np.float64)
    assert abs(W.mean()) < Z * math.sqrt(var / N)
    assert W.var() == pytest.approx(var, rel=rel_var_tol(distribution))
    if distribution == "uniform":
        limit = math.sqrt(3 * var)
        # P(max |w| < (1 - 1e-3) limit) = (1 - 1e-3)^N < e^-100
        assert limit * (1 - 1e-3) < np.abs(W).max() <= limit * (1 + 1e-7)
    else:
        limit = 2 * math.sqrt(var) / initializers._TRUNC_STD
        # about 0.11 * 0.01 * N = 110 draws are expected within 1% of the truncation point
        assert limit * (1 - 1e-2) < np.abs(W).max() <= limit * (1 + 1e-7)
        # the untruncated normal would have 4.55% of its draws beyond 2.27 std; none here
        assert np.mean(np.abs(W) > 2 * math.sqrt(var)) > 0.01
    assert init.limit((N_ROWS, N_COLS)) == pytest.approx(limit, rel=1e-12)


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
@pytest.mark.parametrize("distribution", ["uniform", "truncated_normal", "untruncated_normal"])
def test_every_mode_and_distribution(mode, distribution):
    shape = (300, 120)
    init = VarianceScaling(scale=0.7, mode=mode, distribution=distribution)
    W = init(shape, np.random.default_rng(2))
    var = expected_variance(0.7, mode, *shape)
    n = W.size
    assert W.var() == pytest.approx(var, rel=rel_var_tol(distribution, n))
    if distribution == "untruncated_normal":
        # 4.55% of a normal lies beyond 2 std: binomial standard error sqrt(p(1-p)/n)
        beyond = np.mean(np.abs(W) > 2 * math.sqrt(var))
        assert beyond == pytest.approx(0.0455, abs=Z * math.sqrt(0.0455 * 0.9545 / n))
        assert init.limit(shape) == math.inf


def test_normal_is_an_alias_of_truncated_normal_as_in_keras():
    assert VarianceScaling(distribution="normal").distribution == "truncated_normal"
    assert VarianceScaling(distribution="Uniform").distribution == "uniform"


def test_keras_defaults_of_variance_scaling():
    init = VarianceScaling()
    assert (init.scale, init.mode, init.distribution) == (1.0, "fan_in", "truncated_normal")


@pytest.mark.parametrize("name, mean, var, limit", [
    ("random_normal", 0.0, 0.05 ** 2, None),
    ("random_uniform", 0.0, 0.1 ** 2 / 12, 0.05),
    ("truncated_normal", 0.0, (0.05 * initializers._TRUNC_STD) ** 2, 0.1),
])
def test_plain_random_initializers(name, mean, var, limit):
    W = initializers.get(name)((N_ROWS, N_COLS), np.random.default_rng(3))
    assert abs(W.mean() - mean) < Z * math.sqrt(var / N)
    dist = "uniform" if name == "random_uniform" else "normal"
    assert W.var() == pytest.approx(var, rel=rel_var_tol(dist))
    if limit is not None:
        assert 0.99 * limit < np.abs(W).max() <= limit


def test_random_initializers_with_arguments():
    rng = np.random.default_rng(4)
    W = initializers.RandomUniform(minval=1.0, maxval=3.0)((N,), rng)
    assert 1.0 <= W.min() and W.max() < 3.0
    assert W.mean() == pytest.approx(2.0, abs=Z * math.sqrt((4 / 12) / N))
    W = initializers.RandomNormal(mean=-1.0, stddev=2.0)((N,), rng)
    assert W.mean() == pytest.approx(-1.0, abs=Z * 2 / math.sqrt(N))
    assert W.std() == pytest.approx(2.0, rel=Z * math.sqrt(2 / N) / 2)
    W = initializers.TruncatedNormal(mean=0.5, stddev=0.1)((N,), rng)
    assert 0.3 <= W.min() and W.max() <= 0.7
    np.testing.assert_array_equal(initializers.Constant(0.25)((2, 3)), 0.25)


def test_zeros_and_ones():
    assert not initializers.zeros((4, 3)).any()
    assert initializers.ones((4, 3), dtype=np.float32).all()
    assert initializers.ones(5, dtype="float32").dtype == np.float32


def test_fans_follow_keras():
    assert compute_fans((7,)) == (7, 7)
    assert compute_fans(7) == (7, 7)
    assert compute_fans((30, 20)) == (30, 20)
    assert compute_fans((3, 3, 16, 32)) == (9 * 16, 9 * 32)
    # fan_avg with a 1-D shape (a bias): n = 7
    assert initializers.glorot_uniform.variance((7,)) == pytest.approx(1 / 7)
    # the max(1, n) of Keras never divides by a fan below 1
    assert VarianceScaling(2.0, "fan_in", "uniform").variance((1, 5)) == 2.0


@pytest.mark.parametrize("name", initializers.available())
def test_reproducible_and_dtype(name):
    init = initializers.get(name)
    for dtype in (np.float32, np.float64, "float32"):
        a = init((30, 20), np.random.default_rng(0), dtype)
        b = init((30, 20), np.random.default_rng(0), dtype)
        assert a.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(a, b)
    # an int seed is accepted too, and means the same as default_rng(seed)
    np.testing.assert_array_equal(init((5, 4), 3), init((5, 4), np.random.default_rng(3)))


def test_float32_and_float64_draw_the_same_numbers():
    a = initializers.he_normal((50, 40), np.random.default_rng(5), np.float64)
    b = initializers.he_normal((50, 40), np.random.default_rng(5), np.float32)
    np.testing.assert_array_equal(a.astype(np.float32), b)


@pytest.mark.parametrize("name", initializers.available())
def test_usable_by_name_in_dense(name):
    layer = layers.Dense(6, kernel_initializer=name, bias_initializer=name, input_dim=9)
    model = models.Sequential([layer], seed=0)
    model.build(9)
    assert layer.params["kernel"].shape == (9, 6)
    assert layer.kernel_initializer is initializers.get(name)


def test_keras_class_names_are_accepted():
    assert initializers.get("GlorotUniform") is initializers.glorot_uniform
    assert initializers.get("HeNormal") is initializers.he_normal
    assert initializers.get("TruncatedNormal") is initializers.truncated_normal


@pytest.mark.parametrize("name", initializers.available())
def test_predefined_initializers_unpickle_to_themselves(name):
    init = initializers.get(name)
    assert pickle.loads(pickle.dumps(init)) is init


def test_custom_initializers_and_models_pickle():
    init = VarianceScaling(0.5, "fan_out", "untruncated_normal")
    back = pickle.loads(pickle.dumps(init))
    assert back.get_config() == init.get_config()
    np.testing.assert_array_equal(back((4, 3), 1), init((4, 3), 1))
    model = models.Sequential(
        [layers.Dense(4, "relu", input_dim=3, kernel_initializer="he_normal"),
         layers.Dense(2, kernel_initializer=init)], seed=1)
    model.build(3)
    clone = pickle.loads(pickle.dumps(model))
    for a, b in zip(model.get_weights(), clone.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert clone.layers[0].kernel_initializer is initializers.he_normal


def test_repr():
    assert repr(initializers.glorot_uniform) == "<initializer glorot_uniform>"
    assert "scale=0.5" in repr(VarianceScaling(0.5))
    assert repr(initializers.RandomUniform(-1, 1)) == "RandomUniform(minval=-1.0, maxval=1.0)"


# ---------------------------------------------------------------------- bad input
def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown initializer 'xavier'") as info:
        initializers.get("xavier")
    for name in initializers.available():
        assert name in str(info.value)
    with pytest.raises(TypeError, match="initializer must be a name or a callable"):
        initializers.get(3)


@pytest.mark.parametrize("scale", [0, -1.0, float("nan"), float("inf")])
def test_non_positive_scale(scale):
    with pytest.raises(ValueError, match="scale must be a positive number"):
        VarianceScaling(scale=scale)


def test_scale_of_the_wrong_type():
    with pytest.raises(TypeError, match="scale must be a number"):
        VarianceScaling(scale="2")


def test_bad_mode_and_distribution():
    with pytest.raises(ValueError, match="invalid mode 'in'; valid modes are: fan_in, "
                                         "fan_out, fan_avg"):
        VarianceScaling(mode="in")
    with pytest.raises(ValueError, match="invalid distribution 'gaussian'; valid "
                                         "distributions are: uniform, truncated_normal"):
        VarianceScaling(distribution="gaussian")
    with pytest.raises(ValueError, match="invalid distribution"):
        VarianceScaling(distribution=None)


@pytest.mark.parametrize("shape, error, message", [
    ((), ValueError, "at least one dimension"),
    ((3, 0), ValueError, "positive sizes"),
    ((-2,), ValueError, "positive sizes"),
    ((3, 2.5), TypeError, "must contain integers"),
    ("34", TypeError, "must contain integers"),
    (None, TypeError, "shape must be an int or a tuple"),
    ((True, 3), TypeError, "must contain integers"),
])
def test_bad_shape(shape, error, message):
    for init in (initializers.glorot_uniform, initializers.zeros, initializers.random_normal):
        with pytest.raises(error, match=message):
            init(shape, np.random.default_rng(0))


def test_bad_dtype_and_rng():
    with pytest.raises(ValueError, match="dtype must be 'float32' or 'float64'"):
        initializers.he_uniform((3, 2), np.random.default_rng(0), np.int64)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        initializers.he_uniform((3, 2), "seed")


def test_bad_random_arguments():
    with pytest.raises(ValueError, match="minval must be smaller than maxval"):
        initializers.RandomUniform(0.1, 0.1)
    with pytest.raises(ValueError, match="stddev must be a positive number"):
        initializers.RandomNormal(stddev=0)
    with pytest.raises(ValueError, match="stddev must be a positive number"):
        initializers.TruncatedNormal(stddev=-1)
    with pytest.raises(ValueError, match="value must be finite"):
        initializers.Constant(float("nan"))


# ---------------------------------------------------------------------- Keras
KERAS_NAMES = sorted(VS) + ["random_normal", "random_uniform", "truncated_normal"]


@pytest.mark.parametrize("name", KERAS_NAMES)
def test_same_distribution_as_keras(name):
    """Keras's initializer of the same name: the same variance and the same support."""
    keras = pytest.importorskip("keras")
    shape = (N_ROWS, N_COLS)
    ours = initializers.get(name)(shape, np.random.default_rng(6), np.float32)
    theirs = keras.ops.convert_to_numpy(
        keras.initializers.get({"class_name": _keras_class(name),
                                "config": {"seed": 6}})(shape, dtype="float32"))
    assert theirs.dtype == ours.dtype == np.float32
    dist = "uniform" if "uniform" in name else "normal"
    # two independent samples: the relative difference of the variances has standard
    # error sqrt(2) times that of one
    tol = math.sqrt(2) * rel_var_tol(dist)
    assert ours.astype(np.float64).var() == pytest.approx(
        theirs.astype(np.float64).var(), rel=tol)
    if name != "random_normal":
        # the same support: both maxima within 1% of the same bound
        assert np.abs(ours).max() == pytest.approx(np.abs(theirs).max(), rel=0.01)
    if name in VS:
        init = keras.initializers.get(name)
        assert (init.scale, init.mode, init.distribution) == VS[name]


def _keras_class(name):
    return "".join(w.capitalize() for w in name.split("_"))
