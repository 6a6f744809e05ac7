"""Checkers of chapter 3 (softmax, one-hot labels, categorical cross-entropy).

Each checker draws fresh inputs from ``rng``, compares the student's answer with a
reference computed here and says right or wrong with a hint (never the solution). The
coding exercises ask for variants the chapter does not show (label smoothing, the
Jacobian of log-softmax, the derivative with respect to the temperature); their checkers
reject answers that merely call the library function to be re-derived.
"""
from __future__ import annotations

import numpy as np

from ..activations import log_softmax as _log_softmax
from ..activations import softmax as _softmax
from ..datasets import one_hot as _one_hot
from ._core import Mismatch, as_numeric, checker, compare_arrays, forbid, quiet_call

_OWN_HELPER = " (if it is a helper of your own, give it another name)"

# library functions that compute softmax, its log or the cross-entropy for you
_SOFTMAX_LIBRARY = {
    "softmax": "nnlib's, SciPy's and Keras's softmax are what this exercise asks you "
               "to write from NumPy operations" + _OWN_HELPER,
    "log_softmax": "nnlib's and SciPy's log_softmax are what this exercise asks you to "
                   "write from NumPy operations" + _OWN_HELPER,
    "logsumexp": "scipy.special.logsumexp is part of what this exercise asks you to "
                 "write from NumPy operations" + _OWN_HELPER,
    "softmax_jacobian": "nnlib.activations.softmax_jacobian is the chapter's formula; "
                        "derive this one yourself",
    "categorical_crossentropy": "nnlib.losses computes the plain cross-entropy; the "
                                "exercise asks you to write the loss yourself",
    "CategoricalCrossentropy": "Keras's loss is what the exercise asks you to write",
    "numerical_gradient": "finite differences approximate the derivative; the exercise "
                          "asks for the exact formula",
    "GradientTape": "automatic differentiation computes the derivative for you; the "
                    "exercise asks for the formula",
}


def _scores(rng, n, C, scale=3.0):
    return scale * rng.standard_normal((n, C))


def _pair(got, what, shapes):
    """``got`` as a pair of numeric arrays of the given shapes, or a Mismatch."""
    if got is None:
        raise Mismatch(f"{what} is None: did your function forget to `return` its "
                       "result?")
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Mismatch(f"{what} should be a pair (two values, e.g. `return a, b`), got "
                       f"{type(got).__name__}")
    arrays = []
    for part, name, shape in zip(got, ("first", "second"), shapes):
        arr = as_numeric(part, f"the {name} value of {what}")
        if arr.shape != shape and not (shape == () and arr.size == 1):
            raise Mismatch(f"the {name} value of {what} has shape {arr.shape}, "
                           f"expected {shape}")
        arrays.append(arr.reshape(shape))
    return arrays


# ---------------------------------------------------------------- one-hot
@checker("ch03.one_hot", "one_hot(y, C): integer labels (n,) to one-hot rows (n, C)")
def check_one_hot(fn, rng):
    forbid(fn, {
        "one_hot": "nnlib.datasets.one_hot is the function you are asked to write"
                   + _OWN_HELPER,
        "to_categorical": "keras.utils.to_categorical is the function you are asked "
                          "to write",
        "label_binarize": "scikit-learn's label_binarize does the encoding for you",
        "OneHotEncoder": "scikit-learn's OneHotEncoder does the encoding for you",
    })
    n = int(rng.integers(6, 12))
    C = int(rng.integers(3, 6))          # always fewer classes than labels: C != n
    # the largest class is deliberately missing, so C cannot be read off the labels
    y = rng.integers(0, C - 1, size=n)
    y[0] = 0
    got = quiet_call(fn, y.copy(), C, name="one_hot")
    arr = as_numeric(got, "one_hot(y, C)")
    if arr.shape == (C, n):
        raise Mismatch(f"one_hot(y, C) has shape {arr.shape}, expected {(n, C)}: one row "
                       "per label, one column per class")
    if arr.shape == (n, int(y.max()) + 1):
        raise Mismatch(f"one_hot(y, C) has shape {arr.shape}, expected {(n, C)}: the number "
                       "of columns is C, even when the largest class does not occur in y")
    expected = _one_hot(y, C)
    if arr.shape == expected.shape and not np.all((arr == 0) | (arr == 1)):
        raise Mismatch("one_hot(y, C) should contain only zeros and ones")
    if arr.shape == expected.shape and np.allclose(arr.sum(axis=1), 1.0) and \
            np.array_equal(np.argmax(arr, axis=1), (y + 1) % C):
        raise Mismatch("the ones are one column to the right: label k goes in column k "
                       "(classes are numbered from 0)")
    compare_arrays(arr, expected, what="one_hot(y, C)", rtol=0, atol=1e-12)
    # labels given as a list must work too
    y2 = [int(v) for v in rng.integers(0, C, size=3)]
    got2 = quiet_call(fn, y2, C, name="one_hot")
    compare_arrays(got2, _one_hot(y2, C), what="one_hot(y, C) for a list of labels",
                   rtol=0, atol=1e-12)
    return True, "matches nnlib's one_hot on random labels, also when a class is missing"


# ---------------------------------------------------------------- label smoothing
def _smoothed_reference(Y, Z, eps):
    n, C = Y.shape
    T = (1 - eps) * Y + eps / C
    loss = -np.mean(np.sum(T * _log_softmax(Z, axis=1), axis=1))
    grad = (_softmax(Z, axis=1) - T) / n
    return loss, grad


@checker("ch03.smoothed_cross_entropy",
         "smoothed_cross_entropy(Y, Z, eps): label-smoothed cross-entropy from logits "
         "and its gradient with respect to the logits")
def check_smoothed_cross_entropy(fn, rng):
    forbid(fn, _SOFTMAX_LIBRARY)
    name = "smoothed_cross_entropy"
    what = "smoothed_cross_entropy(Y, Z, eps)"
    for case in ("moderate", "huge", "no smoothing"):
        n, C = int(rng.integers(5, 10)), int(rng.integers(3, 7))
        y = rng.integers(0, C, size=n)
        Y = _one_hot(y, C)
        Z = _scores(rng, n, C)
        eps = 0.0 if case == "no smoothing" else float(rng.uniform(0.05, 0.3))
        if case == "huge":       # the correct class far ahead or far behind
            Z[np.arange(n), y] += rng.choice([800.0, -800.0], size=n)
        loss, grad = _smoothed_reference(Y, Z, eps)
        got = quiet_call(fn, Y.copy(), Z.copy(), eps, name=name)
        got_loss, got_grad = _pair(got, what, [(), (n, C)])
        label = {"moderate": "", "huge": " for logits near +-800",
                 "no smoothing": " with eps = 0"}[case]
        if not (np.all(np.isfinite(got_loss)) and np.all(np.isfinite(got_grad))):
            raise Mismatch(f"{what} gives NaN or inf{label}; compute the log of the "
                           "softmax without forming exp of a large number (or log of 0)")
        loss_v = float(got_loss)
        if eps > 0:
            plain, plain_grad = _smoothed_reference(Y, Z, 0.0)
            if np.isclose(loss_v, plain, rtol=1e-6):
                raise Mismatch(f"the loss of {what} ignores eps: it is the plain "
                               "cross-entropy of the one-hot labels")
            wrong_mix = (1 - eps) * Y + eps / (C - 1) * (1 - Y)
            if np.isclose(loss_v, -np.mean(np.sum(
                    wrong_mix * _log_softmax(Z, axis=1), axis=1)), rtol=1e-6):
                raise Mismatch(f"the loss of {what} spreads eps over the C - 1 wrong "
                               "classes only; Keras's label smoothing spreads it "
                               "evenly over all C classes")
        if np.isclose(loss_v, n * loss, rtol=1e-6):
            raise Mismatch(f"the loss of {what} is n times too large: return the mean "
                           "over the examples, not the sum")
        if np.isclose(loss_v, -loss, rtol=1e-6):
            raise Mismatch(f"the loss of {what} has the wrong sign: a cross-entropy is "
                           "positive")
        compare_arrays(got_loss, np.asarray(loss), what=f"the loss of {what}{label}",
                       rtol=1e-6, atol=1e-9)
        if np.allclose(got_grad, n * grad, rtol=1e-6, atol=1e-9):
            raise Mismatch(f"the gradient of {what} is n times too large: the loss is "
                           "a mean, so each example's gradient is divided by n")
        if np.allclose(got_grad, -grad, rtol=1e-6, atol=1e-9):
            raise Mismatch(f"the gradient of {what} has the wrong sign")
        if eps > 0 and np.allclose(got_grad, plain_grad, rtol=1e-6, atol=1e-9):
            raise Mismatch(f"the gradient of {what} is that of the plain cross-entropy: "
                           "the smoothed targets replace Y in it too")
        compare_arrays(got_grad, grad, what=f"the gradient of {what}{label}",
                       rtol=1e-6, atol=1e-9)
    return True, ("loss and gradient match Keras's label-smoothed categorical "
                  "cross-entropy from logits, also for logits near +-800 and eps = 0")


# ---------------------------------------------------------------- log-softmax Jacobian
@checker("ch03.log_softmax_jacobian",
         "log_softmax_jacobian(z): the (C, C) Jacobian of log-softmax at scores z")
def check_log_softmax_jacobian(fn, rng):
    forbid(fn, _SOFTMAX_LIBRARY)
    name = "log_softmax_jacobian"
    for case in ("moderate", "huge"):
        C = int(rng.integers(3, 7))
        z = 2.0 * rng.standard_normal(C)
        if case == "huge":
            z = z + float(rng.choice([900.0, -900.0]))
            z[int(rng.integers(C))] += 30.0
        p = _softmax(z)
        expected = np.eye(C) - p[None, :]
        what = "log_softmax_jacobian(z)" + (" for scores near +-900"
                                            if case == "huge" else "")
        got = quiet_call(fn, z.copy(), name=name)
        arr = as_numeric(got, what)
        if arr.shape == expected.shape and not np.all(np.isfinite(arr)):
            raise Mismatch(f"{what} contains NaN or inf; compute the probabilities "
                           "without exp of a large number")
        if arr.shape == expected.shape:
            if np.allclose(arr, np.diag(p) - np.outer(p, p), rtol=1e-6, atol=1e-9):
                raise Mismatch(f"{what} is the Jacobian of softmax itself; the "
                               "exercise asks for the derivatives of log p_i")
            if np.allclose(arr, expected.T, rtol=1e-6, atol=1e-9):
                raise Mismatch(f"{what} is transposed: row i should hold the "
                               "derivatives of log p_i with respect to z_1, ..., z_C")
            if np.allclose(arr, -expected, rtol=1e-6, atol=1e-9):
                raise Mismatch(f"{what} has the wrong sign")
            if np.allclose(arr, np.eye(C), rtol=1e-6, atol=1e-9):
                raise Mismatch(f"{what} leaves out the normalizing sum: every log p_i "
                               "depends on every score through it")
        compare_arrays(arr, expected, what=what, rtol=1e-6, atol=1e-9)
    return True, ("matches the exact Jacobian of log-softmax at random scores, also "
                  "for scores near +-900")


# ---------------------------------------------------------------- temperature
@checker("ch03.temperature_softmax",
         "temperature_softmax(z, T): softmax(z / T) and its derivative with respect to T")
def check_temperature_softmax(fn, rng):
    forbid(fn, _SOFTMAX_LIBRARY)
    name = "temperature_softmax"
    for case in ("moderate", "cold", "huge"):
        C = int(rng.integers(3, 7))
        z = 2.0 * rng.standard_normal(C)
        T = {"moderate": float(rng.uniform(0.5, 4.0)), "cold": 0.05,
             "huge": float(rng.uniform(0.5, 2.0))}[case]
        if case == "huge":
            z = z + float(rng.choice([1500.0, -1500.0]))
        p = _softmax(z / T)
        dp_dT = -p * (z - p @ z) / T ** 2
        what = "temperature_softmax(z, T)"
        label = {"moderate": "", "cold": " at T = 0.05",
                 "huge": " for scores near +-1500"}[case]
        got = quiet_call(fn, z.copy(), T, name=name)
        got_p, got_d = _pair(got, what, [(C,), (C,)])
        if not (np.all(np.isfinite(got_p)) and np.all(np.isfinite(got_d))):
            raise Mismatch(f"{what} gives NaN or inf{label}; keep every exponent "
                           "<= 0")
        if np.allclose(got_p, _softmax(z * T), rtol=1e-6, atol=1e-9) and \
                not np.allclose(p, _softmax(z * T), rtol=1e-6, atol=1e-9):
            raise Mismatch(f"the probabilities of {what} use z * T; the temperature "
                           "divides the scores")
        compare_arrays(got_p, p, what=f"the probabilities of {what}{label}",
                       rtol=1e-6, atol=1e-9)
        right = np.allclose(got_d, dp_dT, rtol=1e-5, atol=1e-9)
        if not right and np.allclose(got_d, -dp_dT, rtol=1e-6, atol=1e-9):
            raise Mismatch(f"the derivative of {what} has the wrong sign")
        if not right and np.allclose(got_d, dp_dT * T, rtol=1e-6, atol=1e-9):
            raise Mismatch(f"the derivative of {what} is off by a factor T: the "
                           "derivative of z / T with respect to T is -z / T^2")
        compare_arrays(got_d, dp_dT, what=f"the derivative of {what}{label}",
                       rtol=1e-5, atol=1e-9)
    return True, ("probabilities and derivative with respect to T match the exact "
                  "formula, also at T = 0.05 and for scores near +-1500")
