"""Input checks shared by nnlib: clear errors that name the problem and the shapes."""
from __future__ import annotations

import numbers

import numpy as np

FLOAT_DTYPES = ("float32", "float64")


def check_dtype(dtype) -> np.dtype:
    """Return ``np.dtype(dtype)`` if it is float32 or float64, else raise a ValueError."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be 'float32' or 'float64', got {dtype!r}") from None
    if dt.name not in FLOAT_DTYPES:
        raise ValueError(f"dtype must be 'float32' or 'float64', got {dt.name!r}")
    return dt


def as_float_array(a, name: str, dtype=np.float64, ndim: int | None = 2,
                   allow_nonfinite: bool = False) -> np.ndarray:
    """Convert ``a`` to a C-contiguous float array of ``dtype``; copies only when needed.

    Raises TypeError for non-numeric data and ValueError for the wrong number of
    dimensions or for NaN/inf values (unless ``allow_nonfinite``).
    """
    if isinstance(a, (str, bytes)):
        raise TypeError(f"{name} must be numeric array-like, got {type(a).__name__}")
    arr = np.asarray(a)
    if arr.dtype.kind in "USa":
        raise TypeError(f"{name} must be numeric, got an array of strings (shape {arr.shape})")
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be numeric, got an array of dtype {arr.dtype} "
                            f"(shape {arr.shape})") from None
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real, got complex values")
    if ndim is not None and arr.ndim != ndim:
        hint = ""
        if ndim == 2 and arr.ndim == 1:
            hint = (" — reshape it with .reshape(-1, 1) for a single feature or "
                    ".reshape(1, -1) for a single sample")
        raise ValueError(f"{name} must be {ndim}-D, got shape {arr.shape}{hint}")
    arr = np.ascontiguousarray(arr, dtype=dtype)
    # a finite sum proves every value finite (NaN and inf propagate); only when it is
    # not (a NaN, an inf, or an overflow of the sum) is the exact, slower check needed
    if not allow_nonfinite and not np.isfinite(arr.sum()) and not np.isfinite(arr).all():
        bad = int(np.size(arr) - np.isfinite(arr).sum())
        raise ValueError(f"{name} contains {bad} NaN or infinite value(s) (shape {arr.shape})")
    return arr


def check_same_length(X: np.ndarray, y: np.ndarray, xname: str = "X", yname: str = "y") -> None:
    if len(X) != len(y):
        raise ValueError(f"{xname} and {yname} have different numbers of samples: "
                         f"{xname} has shape {np.shape(X)}, {yname} has shape {np.shape(y)}")


def check_positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def check_positive_float(value, name: str, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'non-negative' if allow_zero else 'positive'}, "
                         f"got {value!r}")
    return float(value)


def unknown_name(kind: str, name, valid) -> ValueError:
    return ValueError(f"unknown {kind} {name!r}; valid {kind}s are: {', '.join(sorted(valid))}")
