"""Splitting a chapter's MyST Markdown into its top-level directives.

Used by the grader (``nnlib.grade``), the student edition (``tools/student_edition.py``)
and the Colab edition (``tools/colab_edition.py``), so that all three read the
``{exercise}``/``{solution}`` fences of a chapter the same way.
"""
from __future__ import annotations

import re

# an opening fence of a MyST directive: ```{name} or :::{name} (any fence length >= 3)
_OPEN = re.compile(r"^(?P<indent>[ ]{0,3})(?P<fence>`{3,}|~{3,}|:{3,})\s*(?P<info>.*)$")
_DIRECTIVE = re.compile(r"^\{(?P<name>[\w:.+-]+)\}\s*(?P<arg>.*)$")


def blocks(text: str) -> list[tuple[str, str | None, str]]:
    """Split Markdown into ``(text, directive name, argument)`` pieces, top level only.

    The name is None for plain Markdown between fences and ``""`` for a fence that is
    not a directive (a code block such as ```` ```python ````). A fence closes at the
    next line of the same character, at least as long, with nothing else on it.
    """
    lines = text.splitlines(keepends=True)
    pieces: list[tuple[str, str | None, str]] = []
    plain: list[str] = []
    i = 0
    while i < len(lines):
        m = _OPEN.match(lines[i].rstrip("\n"))
        if not m:
            plain.append(lines[i])
            i += 1
            continue
        fence = m.group("fence")
        d = _DIRECTIVE.match(m.group("info"))
        close = re.compile(r"^[ ]{0,3}" + re.escape(fence[0]) + "{" + str(len(fence))
                           + r",}\s*$")
        j = i + 1
        while j < len(lines) and not close.match(lines[j].rstrip("\n")):
            j += 1
        if plain:
            pieces.append(("".join(plain), None, ""))
            plain = []
        pieces.append(("".join(lines[i:j + 1]), d.group("name") if d else "",
                       d.group("arg").strip() if d else ""))
        i = j + 1
    if plain:
        pieces.append(("".join(plain), None, ""))
    return pieces
