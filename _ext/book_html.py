"""A local Sphinx extension of the book: small fixes to the HTML pages.

Jupyter Book 1.x registers sphinx-thebe and sphinx-togglebutton a second time through the
theme, so every page carried their inline configuration scripts twice. The second
``const THEBE_JS_URL = ...`` is a JavaScript error ("Identifier has already been
declared") on every page. Here each page's scripts are de-duplicated, keeping the first
copy of each, before the page is written.
"""
from __future__ import annotations


def _key(script) -> tuple:
    # inline scripts carry filename None or "" depending on who added them
    filename = getattr(script, "filename", None) or ""
    attributes = getattr(script, "attributes", {}) or {}
    return filename, tuple(sorted((k, str(v)) for k, v in attributes.items()))


def dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        key = _key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def _walk_buttons(buttons):
    for button in buttons or []:
        yield button
        yield from _walk_buttons(button.get("buttons"))


def colab_edition_links(app, pagename, templatename, context, doctree) -> None:
    """Point the Colab launch button at the Colab edition (tools/colab_edition.py).

    The chapters themselves are MyST notebooks that Colab shows as raw text; the Colab
    edition, published to the branch ``repository: colab_branch`` of ``_config.yml``,
    holds the same notebooks in plain Jupyter Markdown at the same paths.
    """
    import yaml
    from pathlib import Path

    with open(Path(app.srcdir) / "_config.yml", encoding="utf-8") as f:
        repo = (yaml.safe_load(f) or {}).get("repository") or {}
    branch, colab = repo.get("branch", "main"), repo.get("colab_branch")
    if not colab:
        return
    for button in _walk_buttons(context.get("header_buttons")):
        url = button.get("url") or ""
        if "colab.research.google.com" in url:
            button["url"] = url.replace(f"/blob/{branch}/", f"/blob/{colab}/", 1)


def setup(app):
    # run late, after the extensions that add scripts in the same event
    app.connect("html-page-context", dedupe_scripts, priority=900)
    # after sphinx-book-theme's add_launch_buttons (priority 501)
    app.connect("html-page-context", colab_edition_links, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# --- bibliography labels -------------------------------------------------------------
# The text cites author-year ("Goodfellow et al., 2016"); pybtex's default labels in the
# bibliography are alphabetic ("[GBC16]"), so a reader could not match the two. The
# "authoryear" style below labels each entry "[Goodfellow et al., 2016]" instead.
from pybtex.plugin import register_plugin  # noqa: E402
from pybtex.style.formatting.unsrt import Style as _UnsrtStyle  # noqa: E402
from pybtex.style.labels import BaseLabelStyle  # noqa: E402


def _last_names(entry) -> list[str]:
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = []
    for person in people:
        last = " ".join(person.prelast_names + person.last_names)
        names.append(last.replace("{", "").replace("}", ""))
    return names


def author_year_label(entry) -> str:
    """"Nielsen, 2015", "Glorot and Bengio, 2010", "Goodfellow et al., 2016".

    Also used by tools/colab_edition.py to write citations as text.
    """
    names = _last_names(entry) or [entry.fields.get("title", entry.key)]
    if len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabelStyle(BaseLabelStyle):
    """Labels each entry with :func:`author_year_label` ("a", "b" for repeats)."""

    def format_labels(self, sorted_entries):
        seen: dict[str, int] = {}
        for entry in sorted_entries:
            label = author_year_label(entry)
            count = seen.get(label, 0)
            seen[label] = count + 1
            yield label if count == 0 else f"{label}{'abcdefghij'[count]}"


class AuthorYearStyle(_UnsrtStyle):
    default_label_style = AuthorYearLabelStyle
    default_sorting_style = "author_year_title"


register_plugin("pybtex.style.formatting", "authoryear", AuthorYearStyle)
