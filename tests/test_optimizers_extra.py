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
