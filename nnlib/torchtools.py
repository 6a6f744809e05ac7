"""Moving networks between nnlib and PyTorch: :func:`to_torch` and :func:`from_torch`.

PyTorch is imported inside the functions, so importing this module never imports torch.
The conventions that differ, and how they are translated:

* ``nn.Linear.weight`` has shape (out, in): it is nnlib's (Keras's) kernel transposed.
* ``nn.BatchNorm1d``'s ``momentum`` is the weight of the NEW batch statistics, Keras's
  and nnlib's the weight of the OLD moving ones: ``torch momentum = 1 - nnlib momentum``.
  Its ``running_var`` is updated with the unbiased batch variance (nnlib and Keras use the
  biased one), so after training steps the running variances of the two frameworks
  differ by about momentum * var / (n - 1) per step; predictions from the same moving
  statistics are identical. ``weight``/``bias`` are gamma/beta (``affine=False`` means
  neither, with gamma = 1 and beta = 0).
* ``nn.PReLU(num_parameters=q)`` holds one slope per unit, like nnlib's ``alpha``.
* Activations map to ``nn.Sigmoid``, ``nn.Tanh``, ``nn.ReLU``, ``nn.ELU``, ``nn.Softplus``,
  ``nn.Softsign``, ``nn.Softmax(dim=-1)``, ``nn.LeakyReLU(0.01)`` (nnlib's slope) and
  ``nn.Identity``.
"""
from __future__ import annotations

import numpy as np

__all__ = ["to_torch", "from_torch"]

_TORCH_ACTIVATIONS = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU", "elu": "ELU",
                      "softplus": "Softplus", "softsign": "Softsign", "softmax": "Softmax",
                      "leaky_relu": "LeakyReLU", "linear": "Identity"}


def _torch_activation(nn, name, where):
    if name not in _TORCH_ACTIVATIONS:
        raise ValueError(f"{where}: activation {name!r} has no PyTorch module here; "
                         f"convertible activations are: {', '.join(sorted(_TORCH_ACTIVATIONS))}")
    if name == "softmax":
        return nn.Softmax(dim=-1)
    if name == "leaky_relu":
        return nn.LeakyReLU(0.01)
    return getattr(nn, _TORCH_ACTIVATIONS[name])()


def to_torch(model):
    """The same network as a ``torch.nn.Sequential`` with the same weights (eval mode).

    A Dense layer becomes ``nn.Linear`` (weight = kernel.T) followed by its activation
    module (none for linear); Activation, PReLU, Dropout and BatchNormalization become
    their PyTorch modules. The dtype is the model's (float32 or float64).

    A Dense layer's ``kernel_regularizer`` is part of nnlib's loss, not of the network:
    PyTorch has no per-module penalty, so add it to your loss (or use the optimizer's
    ``weight_decay``, which is L2 with lambda/2 scaling: ``weight_decay = 2 * l2``
    under plain SGD).
    """
    import torch
    from torch import nn

    from .models import Sequential
    from .saving import layer_config

    if not isinstance(model, Sequential):
        raise TypeError(f"expected an nnlib.Sequential, got {type(model).__name__}")
    if not model.built:
        raise ValueError("the model is not built yet: build it (or fit it) first")
    dtype = torch.float64 if model.dtype == np.float64 else torch.float32
    modules = []
    with torch.no_grad():
        for layer in model.layers:
            spec = layer_config(layer)
            kind, cfg, where = spec["class"], spec["config"], f"layer {layer.name!r}"
            if kind == "Dense":
                lin = nn.Linear(layer.input_dim, cfg["units"], bias=cfg["use_bias"],
                                dtype=dtype)
                lin.weight.copy_(torch.from_numpy(layer.params["kernel"].T.copy()))
                if cfg["use_bias"]:
                    lin.bias.copy_(torch.from_numpy(layer.params["bias"].copy()))
                modules.append(lin)
                if cfg["activation"] != "linear":
                    modules.append(_torch_activation(nn, cfg["activation"], where))
            elif kind == "Activation":
                modules.append(_torch_activation(nn, cfg["activation"], where))
            elif kind == "PReLU":
                pr = nn.PReLU(num_parameters=layer.input_dim, dtype=dtype)
                pr.weight.copy_(torch.from_numpy(layer.params["alpha"].copy()))
                modules.append(pr)
            elif kind == "Dropout":
                modules.append(nn.Dropout(cfg["rate"]))
            else:
                affine = cfg["center"] or cfg["scale"]
                bn = nn.BatchNorm1d(layer.input_dim, eps=cfg["epsilon"],
                                    momentum=1.0 - cfg["momentum"], affine=affine,
                                    dtype=dtype)
                if affine:
                    gamma = layer.params.get("gamma")
                    beta = layer.params.get("beta")
                    bn.weight.copy_(torch.ones(layer.input_dim, dtype=dtype) if gamma is None
                                    else torch.from_numpy(gamma.copy()))
                    bn.bias.copy_(torch.zeros(layer.input_dim, dtype=dtype) if beta is None
                                  else torch.from_numpy(beta.copy()))
                    if gamma is None:
                        bn.weight.requires_grad_(False)
                    if beta is None:
                        bn.bias.requires_grad_(False)
                bn.running_mean.copy_(torch.from_numpy(layer.state["moving_mean"].copy()))
                bn.running_var.copy_(torch.from_numpy(layer.state["moving_variance"].copy()))
                modules.append(bn)
    net = nn.Sequential(*modules)
    net.eval()
    return net


_ACT_NAMES = {"Sigmoid": "sigmoid", "Tanh": "tanh", "ReLU": "relu", "ELU": "elu",
              "Softplus": "softplus", "Softsign": "softsign", "Softmax": "softmax",
              "Identity": "linear", "LeakyReLU": "leaky_relu"}


def _activation_name(module, where):
    kind = type(module).__name__
    if kind == "ELU" and module.alpha != 1.0:
        raise ValueError(f"{where}: ELU with alpha={module.alpha} (nnlib's is 1.0)")
    if kind == "Softplus" and (module.beta != 1.0 or module.threshold != 20.0):
        raise ValueError(f"{where}: Softplus with beta/threshold other than the defaults")
    if kind == "Softmax" and module.dim not in (-1, 1):
        raise ValueError(f"{where}: Softmax over dim {module.dim} (nnlib's is the last)")
    if kind == "LeakyReLU" and module.negative_slope != 0.01:
        raise ValueError(f"{where}: LeakyReLU with negative_slope={module.negative_slope} "
                         "(nnlib's leaky_relu has 0.01; use nn.PReLU for a learned slope)")
    return _ACT_NAMES[kind]


def from_torch(torch_sequential, dtype=None):
    """The same network as an ``nnlib.Sequential`` (weights copied, not compiled).

    ``torch_sequential`` must be an ``nn.Sequential`` of ``nn.Linear``, activation
    modules (those of :func:`to_torch`), ``nn.PReLU``, ``nn.Dropout`` and
    ``nn.BatchNorm1d`` (``track_running_stats=True``). An activation that follows a Linear
    becomes that Dense layer's activation. ``dtype`` defaults to the parameters' dtype.
    """
    from torch import nn

    from . import layers as _layers
    from .models import Sequential

    if not isinstance(torch_sequential, nn.Sequential):
        raise TypeError(f"expected a torch.nn.Sequential, got {type(torch_sequential).__name__}")
    modules = list(torch_sequential)
    if not modules:
        raise ValueError("the PyTorch model has no modules")
    params = list(torch_sequential.parameters())
    if dtype is None:
        dtype = "float64" if params and params[0].dtype.is_floating_point and \
            params[0].element_size() == 8 else "float32"
    stack, weights, width = [], [], None
    i = 0
    while i < len(modules):
        mod, where = modules[i], f"module {i} ({type(modules[i]).__name__})"
        kind = type(mod).__name__
        if kind == "Linear":
            if width is not None and mod.in_features != width:
                raise ValueError(f"{where} takes {mod.in_features} inputs but the previous "
                                 f"module gives {width}")
            if width is None:
                stack.append(_layers.Input(shape=(mod.in_features,)))
            act = "linear"
            if i + 1 < len(modules) and type(modules[i + 1]).__name__ in _ACT_NAMES:
                act = _activation_name(modules[i + 1], f"module {i + 1}")
                i += 1
            stack.append(_layers.Dense(mod.out_features, activation=act,
                                       use_bias=mod.bias is not None))
            weights.append(mod.weight.detach().cpu().numpy().T)
            if mod.bias is not None:
                weights.append(mod.bias.detach().cpu().numpy())
            width = mod.out_features
        elif width is None:
            raise ValueError(f"{where}: the first module must be nn.Linear (it fixes the "
                             "input width)")
        elif kind in _ACT_NAMES:
            stack.append(_layers.Activation(_activation_name(mod, where)))
        elif kind == "PReLU":
            if mod.num_parameters not in (1, width):
                raise ValueError(f"{where}: PReLU with {mod.num_parameters} slopes for "
                                 f"{width} units")
            stack.append(_layers.PReLU())
            weights.append(np.broadcast_to(mod.weight.detach().cpu().numpy(), (width,)))
        elif kind == "Dropout":
            stack.append(_layers.Dropout(float(mod.p)))
        elif kind == "BatchNorm1d":
            if not mod.track_running_stats or mod.running_mean is None:
                raise ValueError(f"{where}: BatchNorm1d without running statistics "
                                 "(track_running_stats=False) is not supported")
            if mod.momentum is None:
                raise ValueError(f"{where}: BatchNorm1d with momentum=None (a cumulative "
                                 "average) has no Keras/nnlib counterpart")
            if mod.num_features != width:
                raise ValueError(f"{where} has {mod.num_features} features, the previous "
                                 f"module gives {width}")
            stack.append(_layers.BatchNormalization(momentum=1.0 - float(mod.momentum),
                                                    epsilon=float(mod.eps),
                                                    center=mod.affine, scale=mod.affine))
            if mod.affine:
                weights += [mod.weight.detach().cpu().numpy(), mod.bias.detach().cpu().numpy()]
            weights += [mod.running_mean.detach().cpu().numpy(),
                        mod.running_var.detach().cpu().numpy()]
        else:
            raise ValueError(f"{where} is not supported; supported modules are Linear, "
                             "PReLU, Dropout, BatchNorm1d and the activations "
                             f"{', '.join(sorted(_ACT_NAMES))}")
        i += 1
    model = Sequential(stack, dtype=dtype)
    model.set_weights(weights)
    return model
