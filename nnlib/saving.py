"""Saving and loading models: one ``.npz`` file with the weights and the architecture.

``model.save(path)`` (or :func:`save_model`) writes the arrays of ``get_weights()`` as
``weight_0``, ``weight_1``, ... and the architecture as a JSON string under
``architecture``; everything is a plain array, so ``np.load(path, allow_pickle=False)``
reads the file and nothing in it can run code. :func:`nnlib.load_model` rebuilds the model
(and compiles it with the same loss and metric names, when they were names) with
identical predictions. The optimizer's state is not saved: a loaded model predicts, and
trains again from a fresh optimizer.

:func:`layer_config` and :func:`layer_from_config` describe a layer as a small dict; the
Keras and PyTorch bridges (:mod:`nnlib.kerastools`, :mod:`nnlib.torchtools`) use them too.
"""
from __future__ import annotations

import json
import os
import zipfile

import numpy as np

from . import layers as _layers

__all__ = ["save_model", "load_model", "layer_config", "layer_from_config", "FORMAT"]

FORMAT = "nnlib.Sequential"
VERSION = 1
LAYER_CLASSES = ("Dense", "Activation", "PReLU", "Dropout", "BatchNormalization")


def layer_config(layer) -> dict:
    """``{"class": ..., "name": ..., "config": {...}}``: what rebuilds ``layer``."""
    kind = type(layer).__name__
    if kind not in LAYER_CLASSES or not isinstance(layer, getattr(_layers, kind)):
        raise TypeError(f"cannot describe a layer of type {kind}; supported layers are: "
                        f"{', '.join(LAYER_CLASSES)}")
    if kind == "Dense":
        reg = layer.kernel_regularizer
        config = {"units": layer.units, "activation": layer.activation.name,
                  "use_bias": layer.use_bias,
                  "kernel_regularizer": None if reg is None else {"l1": reg.l1, "l2": reg.l2}}
    elif kind == "Activation":
        config = {"activation": layer.activation.name}
    elif kind == "PReLU":
        config = {}
    elif kind == "Dropout":
        config = {"rate": layer.rate, "seed": layer.seed}
    else:
        config = {"momentum": layer.momentum, "epsilon": layer.epsilon,
                  "center": layer.center, "scale": layer.scale}
    return {"class": kind, "name": layer.name, "config": config}


def layer_from_config(spec) -> _layers.Layer:
    """The (unbuilt) layer a :func:`layer_config` dict describes."""
    if not isinstance(spec, dict) or "class" not in spec:
        raise ValueError(f"a layer description must be a dict with a 'class', got {spec!r}")
    kind = spec["class"]
    if kind not in LAYER_CLASSES:
        raise ValueError(f"unknown layer class {kind!r}; valid layer classes are: "
                         f"{', '.join(LAYER_CLASSES)}")
    config = dict(spec.get("config") or {})
    if kind == "Dense" and config.get("kernel_regularizer") is not None:
        from .regularizers import L1L2

        config["kernel_regularizer"] = L1L2(**config["kernel_regularizer"])
    try:
        return getattr(_layers, kind)(name=spec.get("name"), **config)
    except TypeError as exc:
        raise ValueError(f"bad configuration for a {kind} layer: {exc}") from None


def architecture(model) -> dict:
    """The JSON-ready description of a built model (layers, input width, dtype, loss)."""
    if not model.built:
        raise ValueError("the model is not built yet: give the first layer input_dim (or "
                         "start with layers.Input) or call build(input_dim) or fit first")
    arch = {"format": FORMAT, "version": VERSION, "name": model.name,
            "dtype": model.dtype.name, "input_dim": int(model.input_dim),
            "layers": [layer_config(layer) for layer in model.layers]}
    loss = getattr(model.loss, "name", None)
    if loss is not None:
        arch["loss"] = loss
        arch["metrics"] = [m for m in getattr(model, "metrics", []) if isinstance(m, str)]
    return arch


def model_from_architecture(arch, seed=None):
    """A built (and, if the architecture has a loss, compiled) model, weights initial."""
    from .models import Sequential

    if not isinstance(arch, dict) or arch.get("format") != FORMAT:
        raise ValueError("not an nnlib model description (no 'format': "
                         f"{FORMAT!r})")
    if arch.get("version") != VERSION:
        raise ValueError(f"unsupported nnlib model file version {arch.get('version')!r} "
                         f"(this nnlib reads version {VERSION})")
    specs = arch.get("layers")
    if not isinstance(specs, list) or not specs:
        raise ValueError("the model description has no layers")
    model = Sequential(seed=seed, dtype=arch.get("dtype", "float64"),
                       name=arch.get("name", "sequential"))
    model.add(_layers.Input(shape=(arch.get("input_dim"),)))
    for spec in specs:
        model.add(layer_from_config(spec))
    if arch.get("loss") is not None:
        model.compile(arch["loss"], metrics=arch.get("metrics") or None)
    return model


def save_model(model, path) -> None:
    """Write ``model`` to ``path`` (a ``.npz``; the suffix is added if missing)."""
    text = json.dumps(architecture(model))
    arrays = {f"weight_{i}": w for i, w in enumerate(model.get_weights())}
    path = os.fspath(path)
    if not path.endswith(".npz"):
        path += ".npz"
    np.savez(path, architecture=np.array(text), **arrays)


def load_model(path):
    """The model saved in ``path`` by :meth:`nnlib.Sequential.save`.

    Raises
    ------
    FileNotFoundError
        When there is no such file.
    ValueError
        When the file is not an nnlib model: not an npz (or truncated), no
        architecture, an architecture that is not valid JSON or names an unknown layer,
        or weights that do not match it.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such file: {path!r}")
    try:
        with np.load(path, allow_pickle=False) as data:
            files = dict(data.items())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as exc:
        raise ValueError(f"{path!r} is not a readable nnlib model file (.npz): "
                         f"{type(exc).__name__}: {exc}") from None
    if not isinstance(files, dict) or "architecture" not in files:
        raise ValueError(f"{path!r} has no 'architecture' entry: it is not an nnlib model "
                         "file (one written by model.save)")
    try:
        arch = json.loads(str(files["architecture"][()]))
    except (json.JSONDecodeError, TypeError, IndexError) as exc:
        raise ValueError(f"the architecture in {path!r} is not valid JSON: {exc}") from None
    model = model_from_architecture(arch)
    n = sum(len(layer.weight_names) for layer in model.layers)
    keys = [f"weight_{i}" for i in range(n)]
    missing = [k for k in keys if k not in files]
    if missing or len(files) != n + 1:
        raise ValueError(f"{path!r} has {len(files) - 1} weight arrays but its architecture "
                         f"needs {n}")
    model.set_weights([files[k] for k in keys])
    return model
