"""The setup cell of a chapter that uses a framework stops clearly where it is missing."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import setup_cell  # noqa: E402


def _nb(*sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("# setup")] + [
        nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def test_frameworks_are_read_from_the_chapters_imports():
    nb = _nb("import numpy as np\nimport keras", "from torch import nn\nimport tensorflow as tf",
             "x = 'import optuna'  # not an import statement")
    assert setup_cell.frameworks(nb) == ["keras", "tensorflow", "torch"]
    assert setup_cell.frameworks(_nb("import numpy")) == []


def test_a_chapter_without_frameworks_gets_the_plain_cell():
    assert setup_cell.expected_source(nb=_nb("import numpy")) == setup_cell.expected_source()
    assert "importlib" not in setup_cell.expected_source()


def _run(source, monkeypatch, missing):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name in missing else real(name, *a))
    exec(source, {"__name__": "__setup__"})


def test_missing_framework_stops_with_a_clear_message(monkeypatch):
    source = setup_cell.expected_source(nb=_nb("import keras\nimport torch"))
    with pytest.raises(ImportError) as err:
        _run(source, monkeypatch, missing={"torch"})
    message = str(err.value)
    assert "needs torch" in message and "requirements.txt" in message
    assert "pip install keras tensorflow torch" in message


def test_present_frameworks_pass_silently(monkeypatch, capsys):
    source = setup_cell.expected_source(nb=_nb("import numpy"))
    _run(source + "\n", monkeypatch, missing=set())
    assert capsys.readouterr().out == ""
