"""Exercise checkers: ``check("ch05.swish_derivative", my_function)`` says right or wrong.

Each chapter's checkers live in ``nnlib/exercises/chNN.py``; :func:`available` lists them.
"""
from ._core import CheckResult, available, check

__all__ = ["check", "available", "CheckResult"]
