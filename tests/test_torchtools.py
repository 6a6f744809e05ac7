"""nnlib.torchtools and nnlib.kerastools' to/from: the same network, the same predictions."""
import subprocess
import sys

import numpy as np
import pytest

import nnlib
from nnlib import layers


def trained_model(dtype="float32"):
    rng = np.random.default_rng(0)
    m = nnlib.Sequential([layers.Input(shape=(5,)), layers.Dense(8, "tanh"),
                          layers.BatchNormalization(momentum=0.9), layers.PReLU(0.1),
                          layers.Dropout(0.3), layers.Dense(6, "relu"),
                          layers.Activation("elu"), layers.Dense(3, "softmax")],
                         seed=0, dtype=dtype)
    m.compile("sparse_categorical_crossentropy", "adam")
    X = rng.standard_normal((60, 5))
    m.fit(X, rng.integers(0, 3, 60), epochs=3, batch_size=16)
    return m, X.astype(dtype)


def test_modules_do_not_import_the_frameworks():
    code = ("import sys, nnlib.torchtools, nnlib.kerastools, nnlib.saving; "
            "assert 'torch' not in sys.modules and 'keras' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_to_torch_and_back(dtype):
    torch = pytest.importorskip("torch")
    from nnlib import torchtools

    m, X = trained_model(dtype)
    net = torchtools.to_torch(m)
    assert isinstance(net[0], torch.nn.Linear)
    np.testing.assert_array_equal(net[0].weight.detach().numpy(), m.get_weights()[0].T)
    assert net[2].momentum == pytest.approx(0.1)
    with torch.no_grad():
        out = net(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(out, m.predict(X), atol=1e-6)
    back = torchtools.from_torch(net)
    assert [type(a).__name__ for a in back.layers] == [type(a).__name__ for a in m.layers]
    assert back.layers[1].momentum == pytest.approx(0.9)
    np.testing.assert_allclose(back.predict(X), m.predict(X), atol=1e-6)


def test_from_torch_built_in_torch(rng):
    torch = pytest.importorskip("torch")
    from nnlib import torchtools

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 7), torch.nn.ReLU(),
                              torch.nn.BatchNorm1d(7), torch.nn.Dropout(0.5),
                              torch.nn.Linear(7, 2), torch.nn.Sigmoid())
    net.train()
    net(torch.randn(32, 4))      # move the running statistics
    net.eval()
    X = rng.standard_normal((10, 4)).astype(np.float32)
    m = torchtools.from_torch(net)
    with torch.no_grad():
        np.testing.assert_allclose(m.predict(X), net(torch.from_numpy(X)).numpy(), atol=1e-6)


def test_torch_errors():
    torch = pytest.importorskip("torch")
    from torch import nn

    from nnlib import torchtools

    with pytest.raises(TypeError, match="torch.nn.Sequential"):
        torchtools.from_torch(nn.Linear(2, 2))
    with pytest.raises(ValueError, match=r"Conv1d\) is not supported.*Linear"):
        torchtools.from_torch(nn.Sequential(nn.Linear(2, 2), nn.Conv1d(1, 1, 1)))
    with pytest.raises(ValueError, match="first module must be nn.Linear"):
        torchtools.from_torch(nn.Sequential(nn.ReLU(), nn.Linear(2, 2)))
    with pytest.raises(ValueError, match="takes 3 inputs"):
        torchtools.from_torch(nn.Sequential(nn.Linear(2, 2), nn.Linear(3, 1)))
    with pytest.raises(ValueError, match="negative_slope"):
        torchtools.from_torch(nn.Sequential(nn.Linear(2, 2), nn.LeakyReLU(0.2)))
    with pytest.raises(ValueError, match="momentum=None"):
        torchtools.from_torch(nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2, momentum=None)))
    with pytest.raises(TypeError, match="nnlib.Sequential"):
        torchtools.to_torch(net := nn.Sequential())  # noqa: F841
    with pytest.raises(ValueError, match="not built"):
        torchtools.to_torch(nnlib.Sequential([layers.Dense(2)]))
    m = nnlib.Sequential([layers.Dense(2, "isru", input_dim=2)])
    with pytest.raises(ValueError, match="'isru'.*convertible"):
        torchtools.to_torch(m)
    del torch


def test_to_keras_and_back():
    keras = pytest.importorskip("keras")
    from nnlib import kerastools

    m, X = trained_model("float32")
    km = kerastools.to_keras(m)
    np.testing.assert_allclose(km.predict(X, verbose=0), m.predict(X), atol=1e-6)
    back = kerastools.from_keras(km)
    np.testing.assert_allclose(back.predict(X), m.predict(X), atol=1e-6)
    with pytest.raises(ValueError, match="'isru' has no identical Keras"):
        kerastools.to_keras(nnlib.Sequential([layers.Dense(2, "isru", input_dim=2)]))
    conv = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2),
                             keras.layers.LayerNormalization()])
    with pytest.raises(ValueError, match="LayerNormalization is not supported"):
        kerastools.from_keras(conv)
    with pytest.raises(TypeError, match="keras.Sequential"):
        kerastools.from_keras(m)


def test_round_trip_through_all_three(tmp_path):
    pytest.importorskip("keras")
    pytest.importorskip("torch")
    from nnlib import kerastools, torchtools

    m, X = trained_model("float32")
    again = torchtools.from_torch(torchtools.to_torch(kerastools.from_keras(
        kerastools.to_keras(m))))
    again.save(tmp_path / "m.npz")
    np.testing.assert_allclose(nnlib.load_model(tmp_path / "m.npz").predict(X), m.predict(X),
                               atol=1e-6)


def test_keras_regularizers_carried_both_ways():
    keras = pytest.importorskip("keras")
    from nnlib import kerastools, regularizers

    km = keras.Sequential([keras.Input((3,)),
                           keras.layers.Dense(4, "relu",
                                              kernel_regularizer=keras.regularizers.L2(0.05)),
                           keras.layers.Dense(1, kernel_regularizer=keras.regularizers.L1(0.1))])
    m = kerastools.from_keras(km)
    r0, r1 = m.layers[0].kernel_regularizer, m.layers[1].kernel_regularizer
    assert (r0.l1, r0.l2) == (0.0, pytest.approx(0.05))
    assert (r1.l1, r1.l2) == (pytest.approx(0.1), 0.0)
    back = kerastools.to_keras(nnlib.Sequential(
        [layers.Dense(2, input_dim=3, kernel_regularizer=regularizers.L2(0.01))]))
    assert float(back.layers[0].kernel_regularizer.l2) == pytest.approx(0.01)
    X = np.ones((2, 3), np.float32)
    m.compile("mse")
    km.compile(loss="mse")
    # the penalty enters both losses the same way (Keras's L2 has no 1/2)
    assert m.evaluate(X, np.zeros(2)) == pytest.approx(
        km.evaluate(X, np.zeros(2), verbose=0), rel=1e-5)
