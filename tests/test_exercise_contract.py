"""What every checker promises, whatever the exercise: the student's mistakes in *calling*
conventions become a verdict with a message, never a traceback.

The chapter test files (tests/test_exercises_chNN.py) test each checker's own right and
wrong answers; this file tests the contract shared by all of them, for every registered
checker, so a new checker is covered the moment it is registered.
"""
import pytest

from nnlib.exercises import available, check

EXERCISES = sorted(available())


def raising(*args):
    raise ValueError("boom")


def not_implemented(*args):
    raise NotImplementedError


def test_every_chapter_with_exercises_has_checkers():
    assert {e.split(".")[0] for e in EXERCISES} >= {"ch01", "ch02", "ch03"}


@pytest.mark.parametrize("exercise", EXERCISES)
def test_raising_function_gives_message(exercise):
    result = check(exercise, raising, seed=5)
    assert not result
    assert "raised ValueError: boom" in str(result)
    result = check(exercise, not_implemented, seed=5)
    assert not result
    assert "NotImplementedError" in str(result)


@pytest.mark.parametrize("exercise", EXERCISES)
def test_non_callable(exercise):
    result = check(exercise, 42, seed=6)
    assert not result and "expected a function" in str(result)


def test_unknown_exercise_is_a_one_line_verdict():
    result = check("ch99.nothing", raising, quiet=True)
    assert not result and "\n" not in str(result)
    assert "unknown exercise 'ch99.nothing'" in str(result)
    close = EXERCISES[0].replace(".", ".x", 1)
    assert f"did you mean {EXERCISES[0]!r}?" in str(check(close, raising, quiet=True))
