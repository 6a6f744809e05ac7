"""Shared fixtures of nnlib's unit tests.

TensorFlow reads TF_CPP_MIN_LOG_LEVEL and TF_ENABLE_ONEDNN_OPTS when it is first imported,
so they are set here, at collection time, before any test module can import keras.
"""
import contextlib
import os
import warnings

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture
def rng():
    """A fresh, seeded generator for each test."""
    return np.random.default_rng(0)


@contextlib.contextmanager
def _strict_numerics():
    # every Python warning is an error, and so is every floating-point overflow,
    # division by zero or invalid operation (underflow to 0 is harmless and allowed)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            yield


@pytest.fixture
def strict():
    """``with strict(): ...`` fails on any warning or floating-point error inside."""
    return _strict_numerics


# the grading tests' own test chapter is data, not a chapter of the book: nbval must not
# run it as one
collect_ignore_glob = ["grade_fixtures/*"]
