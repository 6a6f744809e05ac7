"""Conventions of the chapter pages that the website and the Colab edition rely on."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
per_chapter = pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)


def _read(path):
    return nbformat.read(path, as_version=4)


@per_chapter
def test_title_is_not_numbered_by_hand(path):
    """The table of contents numbers chapters (and so exercises: "Exercise 4.2")."""
    title = next(c.source for c in _read(path).cells if c.cell_type == "markdown")
    assert title.startswith("# "), f"{path.name}: the first markdown cell is the title"
    assert not re.match(r"^#\s+\d+\.", title), f"{path.name}: drop the number from the title"


@per_chapter
def test_every_figure_has_a_caption_and_alt_text(path):
    missing = []
    for i, cell in enumerate(_read(path).cells):
        if cell.cell_type != "code":
            continue
        if not any("image/png" in o.get("data", {}) or "image/svg+xml" in o.get("data", {})
                   for o in cell.get("outputs", [])):
            continue
        meta = cell.metadata.get("mystnb", {})
        caption = (meta.get("figure") or {}).get("caption", "").strip()
        alt = (meta.get("image") or {}).get("alt", "").strip()
        if not caption or not alt:
            missing.append(i)
    assert not missing, (f"{path.name}: figure cells {missing} need mystnb.figure.caption "
                         "and mystnb.image.alt metadata (CONTRIBUTING.md)")


def test_chapter_parts_are_numbered():
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    for part in toc["parts"]:
        files = [c["file"] for c in part["chapters"]]
        if any(f.startswith("chapters/") for f in files):
            assert part.get("numbered") is True, part["caption"]
