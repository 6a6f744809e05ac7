"""nnlib.metrics.Metric, MeanMetricWrapper and PearsonCorrelation: exact over batches."""
import numpy as np
import pytest

from nnlib import metrics


def batches(n, rng):
    """Random cut points: batches of uneven sizes, some of size 1."""
    cuts = np.sort(rng.choice(np.arange(1, n), size=min(n - 1, 6), replace=False))
    return np.split(np.arange(n), cuts)


@pytest.mark.parametrize("seed", range(50))
def test_pearson_is_exact_over_any_batching(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(10, 200))
    x = rng.standard_normal(n) * rng.uniform(0.1, 10) + rng.uniform(-5, 5)
    y = 0.7 * x + rng.standard_normal(n)
    r = metrics.PearsonCorrelation()
    for idx in batches(n, rng):
        r.update_state(x[idx], y[idx])
    assert r.result() == pytest.approx(np.corrcoef(x, y)[0, 1], abs=1e-12)
    assert r.name == "pearson_correlation"


def test_pearson_column_vectors_and_float32():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((64, 1)).astype(np.float32)
    y = (x + rng.standard_normal((64, 1))).astype(np.float32)
    r = metrics.PearsonCorrelation()
    r.update_state(x[:40], y[:40])
    r.update_state(x[40:], y[40:])
    want = np.corrcoef(x.ravel().astype(float), y.ravel().astype(float))[0, 1]
    assert r.result() == pytest.approx(want, abs=1e-12)


def test_pearson_differs_from_the_mean_of_batch_correlations():
    rng = np.random.default_rng(2)
    x = np.r_[rng.standard_normal(50), rng.standard_normal(50) + 5]
    y = np.r_[rng.standard_normal(50), rng.standard_normal(50) + 5]
    exact = metrics.PearsonCorrelation()
    naive = metrics.MeanMetricWrapper(lambda a, b: np.corrcoef(a, b)[0, 1], "r")
    for idx in (slice(0, 50), slice(50, 100)):
        exact.update_state(x[idx], y[idx])
        naive.update_state(x[idx], y[idx])
    assert exact.result() == pytest.approx(np.corrcoef(x, y)[0, 1], abs=1e-12)
    assert exact.result() > 0.8 and abs(naive.result()) < 0.3


def test_pearson_is_stable_with_a_large_offset():
    rng = np.random.default_rng(3)
    u = rng.random(1000)
    v = u + rng.random(1000)
    x, y = u + 1e8, v + 1e8
    r = metrics.PearsonCorrelation()
    for i in range(0, 1000, 10):
        r.update_state(x[i:i + 10], y[i:i + 10])
    want = np.corrcoef(x - 1e8, y - 1e8)[0, 1]
    assert r.result() == pytest.approx(want, abs=1e-6)
    # the textbook formula from raw sums loses every digit here
    n, sx, sy = len(x), x.sum(), y.sum()
    with np.errstate(all="ignore"):  # the raw sums cancel to 0, or below it
        naive = (n * (x @ y) - sx * sy) / np.sqrt((n * (x @ x) - sx**2)
                                                  * (n * (y @ y) - sy**2))
    assert not abs(naive - want) < 1e-3


def test_pearson_weights_and_zero_weight_batches():
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal(30), rng.standard_normal(30)
    w = rng.integers(0, 4, size=30).astype(float)
    r = metrics.PearsonCorrelation()
    r.update_state(x[:10], y[:10], sample_weight=w[:10])
    r.update_state(x[10:], y[10:], sample_weight=w[10:])
    r.update_state(x[:3], y[:3], sample_weight=np.zeros(3))  # adds nothing
    # weights that are counts: the same as repeating the samples
    rep = np.repeat(np.arange(30), w.astype(int))
    assert r.result() == pytest.approx(np.corrcoef(x[rep], y[rep])[0, 1], abs=1e-12)


def test_pearson_undefined_is_zero_and_reset():
    r = metrics.PearsonCorrelation(name="r")
    assert r.result() == 0.0 and r.name == "r"
    assert r([1.0, 1.0, 1.0], [0.0, 1.0, 2.0]) == 0.0   # constant targets
    r.reset_state()
    assert r([0.0, 1.0, 2.0], [0.0, 2.0, 4.0]) == pytest.approx(1.0)
    r.reset_state()
    assert r.n == 0.0 and r.result() == 0.0


def test_mean_wrapper_weights_batches_by_size():
    rng = np.random.default_rng(5)
    t, p = rng.standard_normal(23), rng.standard_normal(23)

    def squared_error(a, b):
        return np.mean((np.asarray(a) - np.asarray(b)) ** 2)

    m = metrics.MeanMetricWrapper(squared_error)
    for idx in batches(23, rng):
        m.update_state(t[idx], p[idx])
    assert m.name == "squared_error"
    assert m.result() == pytest.approx(squared_error(t, p), abs=1e-12)
    m.reset_state()
    assert m.result() == 0.0
    m.update_state(t[:2], p[:2], sample_weight=[3.0, 0.0])
    assert m.result() == pytest.approx(squared_error(t[:2], p[:2]))
    assert "MeanMetricWrapper(name='squared_error')" == repr(m)


@pytest.mark.parametrize("make", [metrics.PearsonCorrelation,
                                  lambda: metrics.MeanMetricWrapper(np.subtract)])
def test_bad_input(make):
    m = make()
    with pytest.raises(ValueError, match=r"different sizes: shapes \(3,\) and \(2,\)"):
        m.update_state([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="NaN or infinite"):
        m.update_state([1, np.nan], [1, 2])
    with pytest.raises(TypeError, match="y_true must hold numbers"):
        m.update_state(["a", "b"], [1, 2])
    with pytest.raises(ValueError, match=r"sample_weight has shape \(3,\)"):
        m.update_state([1, 2], [1, 2], sample_weight=[1, 1, 1])
    with pytest.raises(ValueError, match="finite and non-negative"):
        m.update_state([1, 2], [1, 2], sample_weight=[1, -1])


def test_bad_construction():
    with pytest.raises(TypeError, match="fn must be callable"):
        metrics.MeanMetricWrapper(3)
    with pytest.raises(TypeError, match="name must be a string"):
        metrics.PearsonCorrelation(name=5)
    with pytest.raises(ValueError, match="returned nan"):
        metrics.MeanMetricWrapper(lambda a, b: np.nan, "bad").update_state([1], [1])
