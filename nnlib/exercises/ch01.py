"""Checkers of chapter 1, "Logistic regression as maximum likelihood".

* ``ch01.neg_log_likelihood``: ``neg_log_likelihood(beta, X, y)``, the value of -l(beta),
  finite even when |X beta| is huge;
  written from elementary NumPy functions (np.logaddexp and nnlib's cross-entropy or
  softplus are refused);
* ``ch01.gradient_penalized``: ``penalized_gradient(beta, X, y, lam)``, the gradient of
  -l(beta) + lam/2 * sum_{j>=1} beta_j^2, for an X whose first column is ones (the
  intercept beta_0 is not penalized): X^T (p - y) + lam * (0, beta_1, ..., beta_q).

Both are tested on fresh simulated data against nnlib's own cross-entropy and sigmoid.
"""
from __future__ import annotations

import dis

import numpy as np

from ..activations import sigmoid
from ..losses import binary_crossentropy
from ._core import Mismatch, checker, compare_arrays, forbid, quiet_call, referenced_names

__all__: list[str] = []


def _data(rng, scale=1.0):
    """Fresh logistic data: X (n, q) ~ N(0, 1), beta ~ N(0, 1) * scale, y ~ Bernoulli."""
    n = int(rng.integers(20, 200))
    q = int(rng.integers(1, 5))
    X = rng.standard_normal((n, q))
    beta = rng.standard_normal(q) * scale
    y = (rng.random(n) < sigmoid(X @ beta)).astype(np.int64)
    return beta, X, y


def _huge(rng):
    """Data whose linear predictors X beta reach several thousands in absolute value."""
    beta, X, y = _data(rng)
    beta = beta / np.max(np.abs(beta)) * rng.uniform(800.0, 2000.0)
    # labels drawn from the moderate model, so many points sit on the "wrong" side and
    # -l is dominated by terms log(1 + e^{|z|}) with |z| far beyond exp's range
    y = (rng.random(len(y)) < 0.5).astype(np.int64)
    return beta, X, y


def _nll(beta, X, y):
    """nnlib's -l(beta): the mean binary cross-entropy from logits, times n."""
    return len(y) * binary_crossentropy(y, X @ beta, from_logits=True)


def _grad(beta, X, y):
    return X.T @ (sigmoid(X @ beta) - y)


def _penalized_grad(beta, X, y, lam):
    penalty = lam * beta
    penalty[0] = 0.0
    return _grad(beta, X, y) + penalty


# what a re-derivation of log(1 + e^z) must not call (the exercise forbids them)
_NLL_FORBIDDEN = {
    "logaddexp": "the exercise asks you to derive log(1 + e^z) without np.logaddexp",
    "logaddexp2": "the exercise asks you to derive log(1 + e^z) without np.logaddexp",
    "logsumexp": "logsumexp computes log(1 + e^z) for you; use np.exp and np.log1p",
    "log_expit": "log_expit computes log(1 + e^z) for you; use np.exp and np.log1p",
    "binary_crossentropy": "nnlib's binary_crossentropy is the function you are asked "
                           "to re-derive: write it from np.exp, np.log1p, np.maximum",
    "_bce_from_logits": "this is nnlib's own stable cross-entropy: write yours from "
                        "np.exp, np.log1p, np.maximum",
    "BinaryCrossentropy": "nnlib's or Keras's cross-entropy is the function you are "
                          "asked to re-derive",
    "log_loss": "scikit-learn's log_loss is the function you are asked to re-derive",
}
_LIBRARIES = ("nnlib", "numpy", "scipy", "sklearn", "keras", "tensorflow", "torch", "jax")


def _library_calls(fn):
    """What the code of ``fn`` (and of the student's helpers it calls) takes from a
    library: ``("attribute", name)`` for ``module.name``, ``("global", obj)`` for the
    object a global name resolves to."""
    uses, seen = [], set()

    def visit(f):
        f = getattr(f, "__func__", f)
        code = getattr(f, "__code__", None)
        if code is not None:
            visit_code(code, getattr(f, "__globals__", {}))

    def visit_code(code, globals_):
        if id(code) in seen:
            return
        seen.add(id(code))
        for ins in dis.get_instructions(code):
            if ins.opname in ("LOAD_ATTR", "LOAD_METHOD"):
                uses.append(("attribute", ins.argval))
            elif ins.opname in ("LOAD_GLOBAL", "LOAD_NAME"):
                obj = globals_.get(ins.argval)
                module = getattr(obj, "__module__", "") or ""
                if callable(obj) and hasattr(obj, "__code__") and \
                        not module.startswith(_LIBRARIES):
                    visit(obj)                   # the student's own helper
                else:
                    uses.append(("global", obj))
        for const in code.co_consts:
            if hasattr(const, "co_code"):
                visit_code(const, globals_)

    visit(fn)
    return uses


def _forbid_library_softplus(fn):
    """Refuse ``activations.softplus`` and library functions imported under another
    name (``from numpy import logaddexp as lae``); a student's own helper called
    ``softplus`` is fine (its code is inspected like the rest)."""
    for kind, what in _library_calls(fn):
        name = what if kind == "attribute" else getattr(what, "__name__", None)
        if name == "softplus" or (kind == "global" and name in _NLL_FORBIDDEN):
            raise Mismatch(f"your code uses `{name}` (imported from a library): it "
                           "computes log(1 + e^z) for you; derive it from np.exp, "
                           "np.log1p and np.maximum")


def _hint_scalar(got, expected, n):
    """A hint for the usual slips on -l: the sign, the mean instead of the sum."""
    try:
        value = float(np.asarray(got, dtype=float).reshape(()))
    except (TypeError, ValueError):
        return None
    if not np.isfinite(value):
        return None
    if np.isclose(value, -expected, rtol=1e-6):
        return "has the wrong sign: the exercise asks for minus the log-likelihood"
    if np.isclose(value, expected / n, rtol=1e-6):
        return "is the mean over the observations; -l(beta) is their sum"
    return None


@checker("ch01.neg_log_likelihood",
         "neg_log_likelihood(beta, X, y) -> -l(beta), finite for huge |X beta|")
def _check_nll(fn, rng):
    name = "neg_log_likelihood"
    forbid(fn, _NLL_FORBIDDEN)
    _forbid_library_softplus(fn)
    for case in ("moderate", "huge"):
        beta, X, y = _data(rng) if case == "moderate" else _huge(rng)
        expected = np.asarray(_nll(beta, X, y))
        got = quiet_call(fn, beta.copy(), X.copy(), y.copy(), name=name)
        if np.ndim(got) == 1 and np.size(got) == len(y):
            raise Mismatch(f"{name} returned one value per observation (shape "
                           f"{np.shape(got)}); -l(beta) is a single number, their sum")
        hint = _hint_scalar(got, float(expected), len(y))
        if hint:
            raise Mismatch(f"{name} {hint}")
        what = f"{name}(beta, X, y)"
        if case == "huge":
            what += (" with |X beta| up to " f"{np.max(np.abs(X @ beta)):.0f}"
                     " (where exp overflows)")
        compare_arrays(got, expected, what=what, rtol=1e-8, atol=1e-8)
    return True, ("right on fresh data, including linear predictors far beyond the range "
                  "of exp")


@checker("ch01.gradient_penalized",
         "penalized_gradient(beta, X, y, lam) -> gradient of -l + lam/2 |beta_1:|^2")
def _check_penalized_gradient(fn, rng):
    name = "penalized_gradient"
    forbid(fn, {
        "numerical_gradient": "finite differences approximate the gradient; the "
                              "exercise asks you to derive it",
        "approx_fprime": "finite differences approximate the gradient; the exercise "
                         "asks you to derive it",
        "LogisticRegression": "scikit-learn fits the model; the exercise asks for the "
                              "gradient, derived by hand",
        "GradientTape": "automatic differentiation computes the gradient for you; "
                        "derive it by hand",
    })
    for case in ("moderate", "huge"):
        beta, X, y = _data(rng) if case == "moderate" else _huge(rng)
        X = np.column_stack([np.ones(len(y)), X])       # the intercept column first
        beta = np.concatenate([[rng.normal()], beta])
        lam = float(rng.uniform(0.5, 10.0))
        expected = _penalized_grad(beta.copy(), X, y, lam)
        got = quiet_call(fn, beta.copy(), X.copy(), y.copy(), lam, name=name)
        what = f"{name}(beta, X, y, lam) for X of shape {X.shape}"
        try:
            arr = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            arr = None
        if arr is not None and arr.shape == expected.shape and np.all(np.isfinite(arr)):
            close = lambda other: np.allclose(arr, other, rtol=1e-8, atol=1e-8)  # noqa: E731
            plain = _grad(beta, X, y)
            if close(plain + lam * beta):
                raise Mismatch(f"{what} penalizes the intercept too: its first component "
                               "should be the plain gradient, without lam * beta_0")
            if close(plain):
                raise Mismatch(f"{what} is the gradient of -l without the penalty")
            if close(plain + 2 * (expected - plain)):
                raise Mismatch(f"{what} has the penalty term twice as large: the "
                               "derivative of (lam / 2) beta_j^2 is lam * beta_j")
            if close(plain - (expected - plain)):
                raise Mismatch(f"{what} subtracts the penalty's gradient; the penalty "
                               "is added to -l, so its gradient is added too")
            if close(-expected):
                raise Mismatch(f"{what} has the wrong sign: it points uphill")
            if close(expected / len(y)):
                raise Mismatch(f"{what} is divided by n: the exercise asks for the "
                               "gradient of the sum -l plus the penalty")
        if case == "huge":
            what += f" and |X beta| up to {np.max(np.abs(X @ beta)):.0f}"
        compare_arrays(got, expected, what=what, rtol=1e-8, atol=1e-8)
    return True, ("right on fresh data with an intercept column and 1 to 4 further "
                  "predictors, including huge |X beta|")
