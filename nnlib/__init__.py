"""nnlib: the small NumPy neural-network library of the book.

"Neural Networks, from Logistic Regression to Keras" derives every idea by hand and then
keeps the result here, so each concept lives in one place:

* :mod:`nnlib.activations`, :mod:`nnlib.losses` — functions with their derivatives;
* :mod:`nnlib.layers` — ``Dense`` and ``Activation`` with ``forward``/``backward``;
* :class:`nnlib.Sequential` — a Keras-like model with ``fit``/``predict``/``summary``;
* :mod:`nnlib.optimizers`, :mod:`nnlib.initializers`, :mod:`nnlib.regularizers`,
  :mod:`nnlib.callbacks`;
* :mod:`nnlib.gradcheck` — finite-difference gradient checks;
* :mod:`nnlib.datasets` — the book's data; :mod:`nnlib.plotting` — its figures
  (needs matplotlib; imported on demand);
* :mod:`nnlib.exercises` — answer checkers for the chapters' exercises;
* :mod:`nnlib.autodiff` — a tiny scalar reverse-mode automatic differentiation engine;
* :class:`nnlib.MLPClassifier` — a scikit-learn compatible classifier (needs scikit-learn);
* :mod:`nnlib.kerastools` — showing Keras models in the book (needs Keras).

The core needs only NumPy.
"""
from . import (activations, callbacks, datasets, gradcheck, initializers, layers, losses,
               optimizers, regularizers)
from . import metrics  # chapter 10
from .models import NotCompiledError, Sequential

__version__ = "0.1.0"

__all__ = ["Sequential", "NotCompiledError", "activations", "callbacks", "datasets",
           "gradcheck", "initializers", "layers", "losses", "optimizers", "regularizers",
           "plotting", "exercises"]


def __getattr__(name):  # import the optional-dependency modules only when used
    if name in ("plotting", "exercises"):
        import importlib

        return importlib.import_module(f"nnlib.{name}")
    if name == "MLPClassifier":  # needs scikit-learn: imported only when used
        from .sklearn import MLPClassifier

        return MLPClassifier
    raise AttributeError(f"module 'nnlib' has no attribute {name!r}")

from . import schedules  # noqa: E402  (learning-rate schedules, also nnlib.optimizers.schedules)

__all__ += ["schedules"]

from .saving import load_model  # noqa: E402  (model.save / nnlib.load_model, chapter 13)

__all__ += ["load_model"]
