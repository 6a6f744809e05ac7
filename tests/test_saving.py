"""model.save / nnlib.load_model: one .npz, no pickle, identical predictions, clear errors."""
import json

import numpy as np
import pytest

import nnlib
from nnlib import layers, regularizers


def full_model(dtype="float64"):
    m = nnlib.Sequential([layers.Input(shape=(4,)),
                          layers.Dense(6, "relu", kernel_regularizer=regularizers.L2(0.01)),
                          layers.BatchNormalization(momentum=0.9), layers.PReLU(0.25),
                          layers.Dropout(0.2, seed=1), layers.Dense(3),
                          layers.Activation("softmax")], seed=0, dtype=dtype)
    m.compile("sparse_categorical_crossentropy", "adam", metrics=["accuracy"])
    return m


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_round_trip(tmp_path, rng, dtype):
    X = rng.standard_normal((40, 4))
    y = rng.integers(0, 3, 40)
    m = full_model(dtype)
    m.fit(X, y, epochs=2, batch_size=8)
    path = tmp_path / "model.npz"
    m.save(path)
    with np.load(path, allow_pickle=False) as data:
        arch = json.loads(str(data["architecture"]))
        assert arch["input_dim"] == 4 and len(arch["layers"]) == 6
        assert len(data.files) == 1 + len(m.get_weights())
    m2 = nnlib.load_model(path)
    assert m2.dtype == m.dtype
    np.testing.assert_array_equal(m2.predict(X), m.predict(X))
    for a, b in zip(m.get_weights(), m2.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert m2.evaluate(X, y) == m.evaluate(X, y)   # compiled with the same loss, metrics
    m2.fit(X, y, epochs=1)                         # and trainable again


def test_suffix_added(tmp_path):
    m = full_model()
    m.save(tmp_path / "m")
    assert (tmp_path / "m.npz").exists()


def test_unbuilt_model_cannot_be_saved(tmp_path):
    with pytest.raises(ValueError, match="not built"):
        nnlib.Sequential([layers.Dense(2)]).save(tmp_path / "x.npz")


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        nnlib.load_model(tmp_path / "nope.npz")


def test_truncated_file(tmp_path):
    path = tmp_path / "m.npz"
    full_model().save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a readable nnlib model file"):
        nnlib.load_model(path)


def test_not_an_npz(tmp_path):
    path = tmp_path / "m.npz"
    path.write_text("hello")
    with pytest.raises(ValueError, match="not a readable nnlib model file"):
        nnlib.load_model(path)


def test_npz_without_architecture(tmp_path):
    path = tmp_path / "w.npz"
    np.savez(path, a=np.ones(3))
    with pytest.raises(ValueError, match="no 'architecture'"):
        nnlib.load_model(path)


def _write(path, arch, weights=()):
    np.savez(path, architecture=np.array(json.dumps(arch) if isinstance(arch, dict)
                                         else arch),
             **{f"weight_{i}": w for i, w in enumerate(weights)})


def test_unknown_layer_and_bad_json(tmp_path):
    arch = {"format": "nnlib.Sequential", "version": 1, "input_dim": 3, "dtype": "float64",
            "layers": [{"class": "Conv2D", "name": "c", "config": {}}]}
    _write(tmp_path / "a.npz", arch)
    with pytest.raises(ValueError, match="unknown layer class 'Conv2D'.*Dense"):
        nnlib.load_model(tmp_path / "a.npz")
    _write(tmp_path / "b.npz", "{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        nnlib.load_model(tmp_path / "b.npz")
    _write(tmp_path / "c.npz", {"format": "keras"})
    with pytest.raises(ValueError, match="not an nnlib model"):
        nnlib.load_model(tmp_path / "c.npz")
    arch["layers"] = [{"class": "Dense", "config": {"units": 2, "colour": 1}}]
    _write(tmp_path / "d.npz", arch)
    with pytest.raises(ValueError, match="bad configuration for a Dense"):
        nnlib.load_model(tmp_path / "d.npz")


def test_wrong_weights(tmp_path):
    m = full_model()
    path = tmp_path / "m.npz"
    m.save(path)
    with np.load(path) as data:
        files = dict(data.items())
    files.pop("weight_3")
    np.savez(path, **files)
    with pytest.raises(ValueError, match="weight arrays but its architecture needs"):
        nnlib.load_model(path)
    files["weight_3"] = np.ones(5)
    np.savez(path, **files)
    with pytest.raises(ValueError, match="must have shape"):
        nnlib.load_model(path)
