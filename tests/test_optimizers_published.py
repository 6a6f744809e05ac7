"""Published checks of the update rules, reproduced with nnlib (no Keras needed).

1. Keras 3's own optimizer tests (keras/src/optimizers/*_test.py, shipped with the
   installed package): a single step with learning rate 0.5 and the "golden" five-step
   traces, with the expected numbers and tolerances as Keras states them (it ran them in
   float32; nnlib runs them in float64 and in float32).
2. The cs231n assignment 2 checks of ``sgd_momentum``, ``rmsprop`` and ``adam``
   (FullyConnectedNets.ipynb, Stanford CS231n; the same numbers appear in every copy of
   the assignment). cs231n's conventions differ from Keras's (and the book's) in two
   places, and each is translated, not hidden:

   * RMSprop: cs231n puts epsilon outside the square root, ``dw / (sqrt(cache) + eps)``,
     Keras inside, ``dw / sqrt(cache + eps)``. With eps = 1e-8 and cache ~ 0.6 the two
     differ by ~1e-8 relative, below the eight printed decimals, so the check runs with
     the same eps and a tolerance of 1e-8.
   * Adam: cs231n increments t before using it and corrects the bias of m and v
     separately, with eps outside: ``w -= lr mt / (sqrt(vt) + eps)``. Keras folds the
     corrections into the rate, ``alpha = lr sqrt(1 - b2^t) / (1 - b1^t)``, and adds its
     eps to sqrt(v) uncorrected. The two are the same rule when Keras's
     ``epsilon = eps sqrt(1 - b2^t)``; cs231n's t = 5 before the step is nnlib's
     ``iterations = 5``.
"""
import math

import numpy as np
import pytest

from nnlib import optimizers

# ----------------------------------------------------------- Keras's own tests
KERAS_SINGLE_STEP = {   # learning_rate=0.5, grads [1, 6, 7, 2], vars [1, 2, 3, 4]
    "SGD": [0.5, -1.0, -0.5, 3.0],
    "Adagrad": [0.5233, 1.5007, 2.5005, 3.5061],
    "RMSprop": [-0.5811, 0.4189, 1.4189, 2.4189],
    "Adadelta": [0.9993, 1.9993, 2.9993, 3.9993],
    "Adam": [0.5, 1.5, 2.5, 3.5],
    "AdamW": [0.4980, 1.4960, 2.494, 3.492],
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(KERAS_SINGLE_STEP))
def test_keras_single_step(name, dtype):
    w = np.array([1.0, 2.0, 3.0, 4.0], dtype=dtype)
    getattr(optimizers, name)(learning_rate=0.5).step([w], [np.array([1.0, 6, 7, 2], dtype)])
    np.testing.assert_allclose(w, KERAS_SINGLE_STEP[name], rtol=1e-4, atol=1e-4)
    assert w.dtype == dtype


KERAS_GOLDEN = {
    "SGD": (lambda: optimizers.SGD(nesterov=True), np.array(
        [[0.9999] * 10,
         [0.9989, 0.9979, 0.9969, 0.9959, 0.9949, 0.9939, 0.9929, 0.9919, 0.9909, 0.9899],
         [0.9979, 0.9959, 0.9939, 0.9919, 0.9899, 0.9879, 0.9859, 0.9839, 0.9819, 0.9799],
         [0.9969, 0.9939, 0.9909, 0.9879, 0.9849, 0.9819, 0.9789, 0.9759, 0.9729, 0.9699],
         [0.9959, 0.9919, 0.9879, 0.9839, 0.9799, 0.9759, 0.9719, 0.9679, 0.9639, 0.9599]])),
    "Adagrad": (lambda: optimizers.Adagrad(learning_rate=0.2, initial_accumulator_value=0.3,
                                           epsilon=1e-6), np.array(
        [[0.9963] * 10,
         [0.9604, 0.9278, 0.9003, 0.8784, 0.8615, 0.8487, 0.8388, 0.8313, 0.8255, 0.8209],
         [0.9251, 0.8629, 0.8137, 0.7768, 0.7497, 0.7298, 0.7151, 0.704, 0.6956, 0.6891],
         [0.8903, 0.8012, 0.7342, 0.6862, 0.6521, 0.6277, 0.6099, 0.5967, 0.5867, 0.579],
         [0.856, 0.7422, 0.6604, 0.6037, 0.5644, 0.5367, 0.5168, 0.5021, 0.491, 0.4825]])),
    "RMSprop": (lambda: optimizers.RMSprop(centered=True),
                np.tile([[0.9967], [0.9933], [0.9908], [0.9885], [0.9864]], (1, 10))),
    "Adadelta": (lambda: optimizers.Adadelta(learning_rate=1.0, rho=0.8, epsilon=1e-6),
                 np.tile([[0.9978], [0.9947], [0.9915], [0.9882], [0.9849]], (1, 10))),
    "Adam": (lambda: optimizers.Adam(amsgrad=True),
             np.tile([[0.999], [0.9982], [0.9974], [0.9965], [0.9955]], (1, 10))),
    "AdamW": (lambda: optimizers.AdamW(learning_rate=1.0, weight_decay=0.5, epsilon=2),
              np.array(
        [[0.4998] * 10,
         [0.2486, 0.2475, 0.2463, 0.2451, 0.244, 0.2428, 0.2417, 0.2405, 0.2394, 0.2382],
         [0.1223, 0.1198, 0.1174, 0.1149, 0.1124, 0.11, 0.1075, 0.1051, 0.1027, 0.1003],
         [0.0586, 0.0549, 0.0512, 0.0475, 0.0439, 0.0402, 0.0366, 0.033, 0.0294, 0.0258],
         [0.0263, 0.0215, 0.0167, 0.012, 0.0073, 0.0026, -0.0021, -0.0067, -0.0113,
          -0.0159]])),
}


@pytest.mark.parametrize("name", sorted(KERAS_GOLDEN))
def test_keras_golden_traces(name):
    # one step with gradient 0.01 everywhere, then steps with 0.1, 0.2, ..., 1.0
    make, golden = KERAS_GOLDEN[name]
    opt, x = make(), np.ones(10)
    opt.step([x], [np.full(10, 0.01)])
    for expected in golden:
        np.testing.assert_allclose(x, expected, rtol=5e-4, atol=5e-4)
        opt.step([x], [np.arange(1, 11) / 10])


@pytest.mark.parametrize("make", [lambda: optimizers.SGD(learning_rate=1.0, weight_decay=0.004),
                                  lambda: optimizers.AdamW(learning_rate=1.0,
                                                           weight_decay=0.004)],
                         ids=["sgd", "adamw"])
def test_keras_weight_decay(make):
    # Keras's test decays one variable 2.0 with three optimizers, one step each
    w = np.array(2.0)
    for _ in range(3):
        make().step([w], [np.array(0.0)])
    assert float(w) == pytest.approx(1.9760959, abs=1e-6)
    assert float(w) == pytest.approx(2 * (1 - 0.004) ** 3, rel=1e-15)


@pytest.mark.parametrize("option, expected", [
    (dict(clipnorm=1.0), [2 ** 0.5 / 2, 2 ** 0.5 / 2]),      # grads [100, 100]
    (dict(clipvalue=1.0), [1.0, 1.0]),
])
def test_keras_clipping(option, expected):
    w = np.zeros(2)
    grads = np.array([100.0, 100.0])
    optimizers.SGD(learning_rate=1.0, **option).step([w], [grads])
    np.testing.assert_allclose(-w, expected, rtol=1e-15)
    assert grads.tolist() == [100.0, 100.0]                  # the input is not modified


def test_keras_global_clipnorm():
    w, grad = np.zeros(2), np.array([50.0, 100.0])
    optimizers.SGD(learning_rate=1.0, global_clipnorm=1.0).step([w], [grad])
    np.testing.assert_allclose(-w, grad / np.linalg.norm(grad), rtol=1e-15)


# ----------------------------------------------------------------- cs231n checks
N, D = 4, 5
W = np.linspace(-0.4, 0.6, num=N * D).reshape(N, D)
DW = np.linspace(-0.6, 0.4, num=N * D).reshape(N, D)


def cs231n_rel_error(x, y):
    """cs231n's relative error; it asks for about 1e-7 or less."""
    return np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y)))


def test_cs231n_sgd_momentum():
    v = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    opt, w = optimizers.SGD(learning_rate=1e-3, momentum=0.9), W.copy()
    opt.build([w])
    opt.state[0]["velocity"][...] = v               # cs231n's config['velocity']
    opt.step([w], [DW])
    expected_next_w = np.asarray([
        [0.1406, 0.20738947, 0.27417895, 0.34096842, 0.40775789],
        [0.47454737, 0.54133684, 0.60812632, 0.67491579, 0.74170526],
        [0.80849474, 0.87528421, 0.94207368, 1.00886316, 1.07565263],
        [1.14244211, 1.20923158, 1.27602105, 1.34281053, 1.4096]])
    expected_velocity = np.asarray([
        [0.5406, 0.55475789, 0.56891579, 0.58307368, 0.59723158],
        [0.61138947, 0.62554737, 0.63970526, 0.65386316, 0.66802105],
        [0.68217895, 0.69633684, 0.71049474, 0.72465263, 0.73881053],
        [0.75296842, 0.76712632, 0.78128421, 0.79544211, 0.8096]])
    np.testing.assert_allclose(w, expected_next_w, rtol=0, atol=1e-8)
    np.testing.assert_allclose(opt.state[0]["velocity"], expected_velocity, rtol=0, atol=1e-8)
    assert cs231n_rel_error(w, expected_next_w) < 1e-7


def test_cs231n_rmsprop():
    # cs231n: decay_rate 0.99, eps 1e-8 outside the square root; Keras/nnlib: inside
    cache = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    opt, w = optimizers.RMSprop(learning_rate=1e-2, rho=0.99, epsilon=1e-8), W.copy()
    opt.build([w])
    opt.state[0]["velocity"][...] = cache
    opt.step([w], [DW])
    expected_next_w = np.asarray([
        [-0.39223849, -0.34037513, -0.28849239, -0.23659121, -0.18467247],
        [-0.132737, -0.08078555, -0.02881884, 0.02316247, 0.07515774],
        [0.12716641, 0.17918792, 0.23122175, 0.28326742, 0.33532447],
        [0.38739248, 0.43947102, 0.49155973, 0.54365823, 0.59576619]])
    expected_cache = np.asarray([
        [0.5976, 0.6126277, 0.6277108, 0.64284931, 0.65804321],
        [0.67329252, 0.68859723, 0.70395734, 0.71937285, 0.73484377],
        [0.75037008, 0.7659518, 0.78158892, 0.79728144, 0.81302936],
        [0.82883269, 0.84469141, 0.86060554, 0.87657507, 0.8926]])
    np.testing.assert_allclose(w, expected_next_w, rtol=0, atol=1e-8)
    np.testing.assert_allclose(opt.state[0]["velocity"], expected_cache, rtol=0, atol=1e-8)
    # the placement of epsilon matters at a larger epsilon: 1e-2 inside vs outside
    inside, outside = DW / np.sqrt(expected_cache + 1e-2), DW / (np.sqrt(expected_cache) + 1e-2)
    assert np.abs(inside - outside).max() > 1e-3


def test_cs231n_adam():
    m = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    v = np.linspace(0.7, 0.5, num=N * D).reshape(N, D)
    t = 6                                  # cs231n's t = 5, incremented before use
    # cs231n's eps = 1e-8 on the bias-corrected sqrt(v) is Keras's eps sqrt(1 - b2^t)
    opt = optimizers.Adam(learning_rate=1e-2, epsilon=1e-8 * math.sqrt(1 - 0.999 ** t))
    w = W.copy()
    opt.build([w])
    opt.state[0]["m"][...], opt.state[0]["v"][...] = m, v
    opt.iterations = t - 1
    opt.step([w], [DW])
    expected_next_w = np.asarray([
        [-0.40094747, -0.34836187, -0.29577703, -0.24319299, -0.19060977],
        [-0.1380274, -0.08544591, -0.03286534, 0.01971428, 0.0722929],
        [0.1248705, 0.17744702, 0.23002243, 0.28259667, 0.33516969],
        [0.38774145, 0.44031188, 0.49288093, 0.54544852, 0.59801459]])
    expected_v = np.asarray([
        [0.69966, 0.68908382, 0.67851319, 0.66794809, 0.65738853],
        [0.64683452, 0.63628604, 0.6257431, 0.61520571, 0.60467385],
        [0.59414753, 0.58362676, 0.57311152, 0.56260183, 0.55209767],
        [0.54159906, 0.53110598, 0.52061845, 0.51013645, 0.49966]])
    expected_m = np.asarray([
        [0.48, 0.49947368, 0.51894737, 0.53842105, 0.55789474],
        [0.57736842, 0.59684211, 0.61631579, 0.63578947, 0.65526316],
        [0.67473684, 0.69421053, 0.71368421, 0.73315789, 0.75263158],
        [0.77210526, 0.79157895, 0.81105263, 0.83052632, 0.85]])
    np.testing.assert_allclose(w, expected_next_w, rtol=0, atol=1e-8)
    np.testing.assert_allclose(opt.state[0]["v"], expected_v, rtol=0, atol=1e-8)
    np.testing.assert_allclose(opt.state[0]["m"], expected_m, rtol=0, atol=1e-8)
    assert opt.iterations == t
