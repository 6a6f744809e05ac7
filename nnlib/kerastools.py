"""Small helpers for showing Keras models in the book.

Keras is imported lazily (inside the functions), so importing ``nnlib.kerastools`` never
imports TensorFlow; the functions only need a Keras model that already exists.
"""
from __future__ import annotations

import numpy as np

__all__ = ["summary_text", "print_summary"]

# Keras draws its summary table with heavy box characters (through the `rich` package);
# the book keeps heavy lines for progress bars, so the table is redrawn with light ones.
_LIGHT_LINES = str.maketrans("━┃┏┓┗┛┳┻┡┩╇╋┣┫", "─│┌┐└┘┬┴├┤┼┼├┤")


def summary_text(model, line_length: int = 64) -> str:
    """Return a Keras model's ``summary()`` as plain text drawn with light box characters.

    Parameters
    ----------
    model : keras.Model
        A built Keras model (for a ``Sequential``, give it a ``keras.Input``).
    line_length : int
        Total width of the table, passed to Keras.

    Returns
    -------
    str
        The summary without trailing whitespace: the model's name, the table of layers,
        output shapes and parameter counts, and the totals.
    """
    try:
        from IPython.utils.capture import capture_output
    except ImportError:  # pragma: no cover - IPython is installed with Jupyter
        from contextlib import nullcontext as capture_output
    if not hasattr(model, "summary") or not hasattr(model, "count_params"):
        raise TypeError(f"expected a Keras model, got {type(model).__name__}")
    texts: list[str] = []
    # in a notebook, rich also emits an empty HTML block: capture (and drop) it
    with capture_output():
        model.summary(line_length=line_length, print_fn=lambda text, **_: texts.append(text))
    text = "\n".join(t.rstrip("\n") for t in texts)
    return "\n".join(line.rstrip() for line in text.translate(_LIGHT_LINES).splitlines()).rstrip()


def print_summary(model, line_length: int = 64) -> None:
    """Print :func:`summary_text` of a Keras model."""
    print(summary_text(model, line_length=line_length))


# --------------------------------------------------------------------- nnlib <-> Keras
# activations whose Keras version is the same function (leaky_relu is not: Keras's
# slope is 0.2, nnlib's 0.01; arctan, isru and step have no Keras counterpart)
_SAME_ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu", "softmax", "elu", "softplus",
                     "softsign")


def _keras_activation(name, where):
    if name not in _SAME_ACTIVATIONS:
        raise ValueError(f"{where}: activation {name!r} has no identical Keras activation; "
                         f"convertible activations are: {', '.join(_SAME_ACTIVATIONS)}")
    return name


def to_keras(model):
    """The same network as a ``keras.Sequential``, with the same weights.

    Supports Dense (with any activation Keras computes identically), Activation, PReLU,
    Dropout and BatchNormalization; the moving statistics of BatchNormalization are
    copied too. The Keras model is not compiled.

    Parameters
    ----------
    model : nnlib.Sequential
        A built model.
    """
    import keras

    from .models import Sequential
    from .saving import layer_config

    if not isinstance(model, Sequential):
        raise TypeError(f"expected an nnlib.Sequential, got {type(model).__name__}")
    if not model.built:
        raise ValueError("the model is not built yet: build it (or fit it) first")
    stack = [keras.Input((model.input_dim,), dtype=model.dtype.name)]
    for layer in model.layers:
        spec = layer_config(layer)
        kind, cfg, where = spec["class"], spec["config"], f"layer {layer.name!r}"
        if kind == "Dense":
            reg = cfg["kernel_regularizer"]
            stack.append(keras.layers.Dense(
                cfg["units"], activation=_keras_activation(cfg["activation"], where),
                use_bias=cfg["use_bias"], dtype=model.dtype.name,
                kernel_regularizer=None if reg is None else keras.regularizers.L1L2(**reg)))
        elif kind == "Activation":
            stack.append(keras.layers.Activation(_keras_activation(cfg["activation"], where),
                                                 dtype=model.dtype.name))
        elif kind == "PReLU":
            stack.append(keras.layers.PReLU(dtype=model.dtype.name))
        elif kind == "Dropout":
            stack.append(keras.layers.Dropout(cfg["rate"], seed=cfg["seed"]))
        else:
            stack.append(keras.layers.BatchNormalization(
                momentum=cfg["momentum"], epsilon=cfg["epsilon"], center=cfg["center"],
                scale=cfg["scale"], dtype=model.dtype.name))
    kmodel = keras.Sequential(stack, name=model.name)
    kmodel.set_weights(model.get_weights())
    return kmodel


def from_keras(keras_model, dtype="float32"):
    """The same network as an ``nnlib.Sequential``, with the same weights (not compiled).

    ``keras_model`` must be a built ``keras.Sequential`` of Dense, Activation, PReLU,
    Dropout and BatchNormalization layers on flat inputs; anything else (another layer,
    an activation nnlib does not compute identically, a regularizer other than L1/L2,
    BatchNormalization over another axis) gets a ValueError naming it.
    """
    import keras

    from . import layers as _layers
    from .models import Sequential
    from .regularizers import L1L2

    if not isinstance(keras_model, keras.Sequential):
        raise TypeError(f"expected a keras.Sequential, got {type(keras_model).__name__}")
    if not keras_model.built or not keras_model.layers:
        raise ValueError("the Keras model is not built: start it with keras.Input((q,))")
    shape = tuple(keras_model.inputs[0].shape)[1:]
    if len(shape) != 1:
        raise ValueError(f"nnlib models take flat inputs, the Keras model takes {shape}")
    stack = [_layers.Input(shape=shape)]
    for kl in keras_model.layers:
        kind, where = type(kl).__name__, f"Keras layer {kl.name!r}"
        if kind == "Dense":
            act = kl.activation.__name__
            reg = kl.kernel_regularizer
            if reg is not None and not isinstance(reg, keras.regularizers.L1L2) \
                    and type(reg).__name__ not in ("L1", "L2"):
                raise ValueError(f"{where}: regularizer {type(reg).__name__} is not supported")
            nreg = None if reg is None else L1L2(float(getattr(reg, "l1", 0.0) or 0.0),
                                                  float(getattr(reg, "l2", 0.0) or 0.0))
            stack.append(_layers.Dense(kl.units, activation=_keras_activation(act, where),
                                       use_bias=kl.use_bias, kernel_regularizer=nreg,
                                       name=kl.name))
        elif kind == "Activation":
            stack.append(_layers.Activation(
                _keras_activation(kl.activation.__name__, where), name=kl.name))
        elif kind == "PReLU":
            if kl.shared_axes:
                raise ValueError(f"{where}: PReLU with shared_axes is not supported")
            stack.append(_layers.PReLU(name=kl.name))
        elif kind == "Dropout":
            stack.append(_layers.Dropout(kl.rate, seed=None, name=kl.name))
        elif kind == "BatchNormalization":
            if kl.axis not in (-1, 1):
                raise ValueError(f"{where}: BatchNormalization over axis {kl.axis} is not "
                                 "supported (nnlib normalizes each feature, axis -1)")
            stack.append(_layers.BatchNormalization(
                momentum=float(kl.momentum), epsilon=float(kl.epsilon), center=kl.center,
                scale=kl.scale, name=kl.name))
        else:
            raise ValueError(f"{where} of type {kind} is not supported; supported layers "
                             "are Dense, Activation, PReLU, Dropout, BatchNormalization")
    model = Sequential(stack, dtype=dtype, name=keras_model.name)
    model.set_weights([np.asarray(w) for w in keras_model.get_weights()])
    return model


__all__ += ["to_keras", "from_keras"]
