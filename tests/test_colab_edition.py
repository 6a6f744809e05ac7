"""The Colab edition (tools/colab_edition.py): plain Jupyter Markdown, same code, same outputs."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import colab_edition as ce  # noqa: E402

CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
_TITLE = re.compile(r"^# @title .*\n")


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    full = tmp_path_factory.mktemp("colab")
    student = tmp_path_factory.mktemp("colab-student")
    ce.build(out=full)
    ce.build(out=student, student=True)
    return full / "chapters", student / "chapters"


def _read(path):
    return nbformat.read(path, as_version=4)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_no_myst_syntax_is_left(editions, chapter):
    for folder in editions:
        nb = _read(folder / chapter.name)
        assert ce.myst_left(nb) == []
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        for myst in ("{exercise}", "{solution", "{prf:", "{cite", "{ref}", "{doc}",
                     ":label:", ":class: dropdown"):
            assert myst not in text, f"{folder.parent.name}/{chapter.name}: {myst} left"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_code_cells_and_outputs_are_those_of_the_chapter(editions, chapter):
    original = [c for c in _read(chapter).cells if c.cell_type == "code"]
    colab = [c for c in _read(editions[0] / chapter.name).cells if c.cell_type == "code"]
    assert len(colab) == len(original)
    for a, b in zip(original, colab):
        assert _TITLE.sub("", b.source, count=1) == a.source
        assert b.outputs == a.outputs
        assert b.execution_count == a.execution_count


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_exercises_are_numbered_per_chapter(editions, chapter):
    number = ce.chapter_number(chapter)
    n_exercises = sum(c.source.count("```{exercise}") for c in _read(chapter).cells
                      if c.cell_type == "markdown")
    colab = _read(editions[0] / chapter.name)
    headings = re.findall(r"^#### Exercise (\d+)\.(\d+)", "\n".join(
        c.source for c in colab.cells if c.cell_type == "markdown"), re.M)
    assert headings == [(str(number), str(k)) for k in range(1, n_exercises + 1)]
    title = next(c.source for c in colab.cells if c.cell_type == "markdown")
    assert title.startswith(f"# {number}. ")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_student_edition_has_no_solutions(editions, chapter):
    nb = _read(editions[1] / chapter.name)
    text = "\n".join(c.source for c in nb.cells)
    assert "Solution to Exercise" not in text
    assert not [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
    starters = [c for c in nb.cells if "student" in c.metadata.get("tags", [])]
    assert all(not c.get("outputs") for c in starters if c.cell_type == "code")


def test_a_converted_chapter_re_executes_to_the_same_outputs(editions):
    """nbval runs one converted chapter (the code is checked identical for all above)."""
    path = editions[0] / "06_backpropagation.ipynb"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval",
         "--nbval-current-env", "--nbval-cell-timeout=600", str(path)],
        cwd=ROOT / "chapters", capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-4000:]


# --- the converter on small cases --------------------------------------------------

def _convert(markdown, refs=None, labels=None, name="04_x.ipynb"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import os"),
                nbformat.v4.new_markdown_cell("# 4. A title"),
                nbformat.v4.new_markdown_cell(markdown)]
    out = ce.colab_notebook(Path(name), labels or {}, refs or {},
                            "https://example.org/book/", nb=nb)
    return out.cells[-1].source


def test_citations_become_author_year_text():
    refs = {"a": ("Glorot and Bengio", "2010"), "b": ("Nielsen", "2015")}
    assert _convert("see {cite}`a,b`.", refs) == "see (Glorot and Bengio, 2010; Nielsen, 2015)."
    assert _convert("{cite:t}`b` says", refs) == "Nielsen (2015) says"
    with pytest.raises(ce.ConversionError, match="unknown citation"):
        _convert("{cite}`nope`", refs)


def test_references_become_links_to_the_website():
    labels = {"sec-x": ("chapters/05_y", "Some section")}
    assert _convert("{ref}`sec-x`", labels=labels) == (
        "[Some section](https://example.org/book/chapters/05_y.html#sec-x)")
    assert _convert("{ref}`this one <sec-x>`", labels=labels) == (
        "[this one](https://example.org/book/chapters/05_y.html#sec-x)")
    assert _convert("{doc}`intro <../intro>`") == "[intro](https://example.org/book/intro.html)"
    with pytest.raises(ce.ConversionError, match="unknown reference"):
        _convert("{ref}`missing`")


def test_theorems_are_quoted_and_numbered():
    out = _convert("```{prf:theorem} Universal approximation\n:label: thm-u\n\nA net.\n```")
    assert out == '<a id="thm-u"></a>\n> **Theorem 4.1 (Universal approximation).** A net.'


def test_unknown_myst_is_an_error_not_raw_text():
    with pytest.raises(ce.ConversionError, match="directive"):
        _convert("```{margin}\nside note\n```")
    with pytest.raises(ce.ConversionError, match="role"):
        _convert("see {term}`overfitting`")
