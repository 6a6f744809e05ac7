"""Small helpers for showing Keras models in the book.

Keras is imported lazily (inside the functions), so importing ``nnlib.kerastools`` never
imports TensorFlow; the functions only need a Keras model that already exists.
"""
from __future__ import annotations

__all__ = ["summary_text", "print_summary"]

# Keras draws its summary table with heavy box characters (through the `rich` package);
# the book keeps heavy lines for progress bars, so the table is redrawn with light ones.
_LIGHT_LINES = str.maketrans("━┃┏┓┗┛┳┻┡┩╇╋┣┫", "─│┌┐└┘┬┴├┤┼┼├┤")


def summary_text(model, line_length: int = 64) -> str:
    """Return a Keras model's ``summary()`` as plain text drawn with light box characters.

    Parameters
    ----------
    model : keras.Model
        A built Keras model (for a ``Sequential``, give it a ``keras.Input``).
    line_length : int
        Total width of the table, passed to Keras.

    Returns
    -------
    str
        The summary without trailing whitespace: the model's name, the table of layers,
        output shapes and parameter counts, and the totals.
    """
    try:
        from IPython.utils.capture import capture_output
    except ImportError:  # pragma: no cover - IPython is installed with Jupyter
        from contextlib import nullcontext as capture_output
    if not hasattr(model, "summary") or not hasattr(model, "count_params"):
        raise TypeError(f"expected a Keras model, got {type(model).__name__}")
    texts: list[str] = []
    # in a notebook, rich also emits an empty HTML block: capture (and drop) it
    with capture_output():
        model.summary(line_length=line_length, print_fn=lambda text, **_: texts.append(text))
    text = "\n".join(t.rstrip("\n") for t in texts)
    return "\n".join(line.rstrip() for line in text.translate(_LIGHT_LINES).splitlines()).rstrip()


def print_summary(model, line_length: int = 64) -> None:
    """Print :func:`summary_text` of a Keras model."""
    print(summary_text(model, line_length=line_length))
