"""nnlib.kerastools: a Keras model's summary as plain text with light box characters."""
import subprocess
import sys

import pytest

keras = pytest.importorskip("keras")

from nnlib.kerastools import print_summary, summary_text  # noqa: E402

HEAVY = "━┃┏┓┗┛┳┻┡┩╇╋┣┫"


@pytest.fixture(scope="module")
def model_242():
    return keras.Sequential([
        keras.Input((2,)),
        keras.layers.Dense(4, activation="sigmoid", name="hidden"),
        keras.layers.Dense(2, activation="softmax", name="output"),
    ], name="mlp_2_4_2")


def test_summary_text_has_the_counts_and_light_lines(model_242):
    text = summary_text(model_242)
    assert text.startswith('Model: "mlp_2_4_2"')
    assert "Total params: 22" in text
    assert "hidden (Dense)" in text and "output (Dense)" in text
    assert "12" in text and "10" in text
    assert not any(ch in text for ch in HEAVY)
    assert "┌" in text and "└" in text
    assert text == text.rstrip() and all(line == line.rstrip() for line in text.splitlines())


def test_line_length_sets_the_width(model_242):
    narrow = summary_text(model_242, line_length=50).splitlines()[1]
    wide = summary_text(model_242, line_length=80).splitlines()[1]
    assert len(narrow) < len(wide)


def test_print_summary_prints_the_text(model_242, capsys):
    print_summary(model_242)
    out = capsys.readouterr().out
    assert out == summary_text(model_242) + "\n"


def test_not_a_model():
    with pytest.raises(TypeError, match="Keras model"):
        summary_text(object())


def test_importing_kerastools_does_not_import_keras():
    code = "import sys, nnlib.kerastools; print('keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"
