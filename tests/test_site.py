"""The website as a reader sees it, in a real browser (Playwright driving Chromium).

The book is built into a temporary folder (``jupyter-book build``, warnings as errors),
served on 127.0.0.1 for the duration of the module, and every chapter page is opened
headless at desktop (1280 px) and phone (390 px) widths. Chromium is Debian's
(``/usr/bin/chromium``; ``.ci/run`` installs it when missing): no browser is downloaded.
Set ``NNBOOK_CHROMIUM`` to use another executable.
"""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import socketserver
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("NNBOOK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

playwright_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():  # pragma: no cover - depends on the machine
    if os.environ.get("CI"):
        raise RuntimeError(f"Chromium not found at {CHROMIUM}: .ci/run installs it")
    pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)",
                allow_module_level=True)


def _chapter_pages() -> list[str]:
    return sorted(f"chapters/{p.stem}.html" for p in (ROOT / "chapters").glob("*.ipynb"))


PAGES = ["intro.html", "notation.html", *_chapter_pages()]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # no request log in the test output
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The built website, served on 127.0.0.1; yields its base URL."""
    out = tmp_path_factory.mktemp("site")
    jb = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jb), "build", str(ROOT), "--path-output", str(out), "--warningiserror",
         "--nitpick", "--keep-going", "--quiet"],
        capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    html = out / "_build" / "html"
    server = socketserver.TCPServer(("127.0.0.1", 0),
                                    functools.partial(_QuietHandler, directory=str(html)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def _open(browser, url, *, width=1280, height=900, scheme="light"):
    """A new page at ``url`` with every JavaScript error and failed request recorded."""
    page = browser.new_page(viewport={"width": width, "height": height},
                            color_scheme=scheme)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"JavaScript error: {exc}"))
    page.on("console", lambda msg: problems.append(f"console error: {msg.text}")
            if msg.type == "error" else None)
    page.on("requestfailed", lambda req: problems.append(f"request failed: {req.url}"))
    page.on("response", lambda resp: problems.append(f"HTTP {resp.status}: {resp.url}")
            if resp.status >= 400 else None)
    page.goto(url, wait_until="load")
    return page, problems


def _typeset(page):
    """Wait until MathJax has typeset the page (its startup promise resolves)."""
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
    page.evaluate("() => MathJax.startup.promise")


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_errors_and_math_renders(site, browser, path):
    page, problems = _open(browser, site + path)
    _typeset(page)
    n_math = page.locator("mjx-container").count()
    n_errors = page.locator("mjx-merror").count()
    # TeX that MathJax did not pick up would still be visible in the prose (code cells
    # and their outputs may legitimately contain dollars and backslashes)
    text = page.evaluate("""() => {
        const article = document.querySelector('article').cloneNode(true);
        article.querySelectorAll('pre, code, .cell_output, mjx-container')
            .forEach(e => e.remove());
        return article.innerText;
    }""")
    page.close()
    assert not problems, problems
    assert n_errors == 0, f"{path}: {n_errors} MathJax errors"
    if path.startswith("chapters/") or path == "notation.html":
        assert n_math > 10, f"{path}: only {n_math} formulas rendered"
    for raw in ("\\(", "\\)", "\\[", "\\begin{", "$$"):
        assert raw not in text, f"{path}: raw TeX {raw!r} left on the page"


def test_mathjax_is_served_with_the_site(site, browser):
    page, problems = _open(browser, site + "chapters/01_logistic_regression.html")
    sources = page.evaluate("() => [...document.scripts].map(s => s.src)")
    page.close()
    mathjax = [s for s in sources if "mathjax" in s.lower() or "tex-" in s]
    assert mathjax and all(s.startswith(site) for s in mathjax), mathjax


def test_scripts_are_not_injected_twice(site, browser):
    page, _ = _open(browser, site + "chapters/04_hidden_layers.html")
    inline = page.evaluate(
        "() => [...document.scripts].filter(s => !s.src).map(s => s.textContent.trim())")
    page.close()
    duplicates = {s[:60] for s in inline if s and inline.count(s) > 1}
    assert not duplicates, duplicates


def test_phone_navigation_opens(site, browser):
    page, problems = _open(browser, site + "chapters/04_hidden_layers.html",
                           width=390, height=844)
    link = page.locator(".bd-sidebar-primary a", has_text="Activation functions").first
    assert not link.is_visible(), "the menu should start closed on a phone"
    page.locator("button.primary-toggle:visible").first.click()
    link.wait_for(state="visible", timeout=5000)
    box = link.bounding_box()
    page.close()
    assert box is not None and 0 <= box["x"] < 390, box
    assert not problems, problems


def test_dark_mode_is_readable(site, browser):
    page, problems = _open(browser, site + "chapters/05_activation_functions.html",
                           scheme="dark")
    theme = page.evaluate("() => document.documentElement.dataset.theme")
    fg, bg = page.evaluate("""() => {
        const s = getComputedStyle(document.querySelector('article p'));
        const b = getComputedStyle(document.body);
        return [s.color, b.backgroundColor];
    }""")
    page.close()
    assert theme == "dark"
    assert _contrast(fg, bg) >= 7, (fg, bg)
    assert not problems, problems


def test_search_finds_backpropagation(site, browser):
    page, problems = _open(browser, site + "search.html?q=backpropagation")
    results = page.locator("#search-results li")
    results.first.wait_for(timeout=15000)
    links = page.eval_on_selector_all("#search-results li a", "as => as.map(a => a.href)")
    page.close()
    assert any("06_backpropagation" in href for href in links), links


def test_wide_tables_scroll_inside_the_column(site, browser):
    page, _ = _open(browser, site + "chapters/05_activation_functions.html", width=390)
    overflow = page.evaluate("""() => [...document.querySelectorAll(
        '.pst-scrollable-table-container')].map(e => getComputedStyle(e).overflowX)""")
    page_width = page.evaluate("() => document.documentElement.scrollWidth")
    page.close()
    assert overflow and all(o == "auto" for o in overflow), overflow
    assert page_width <= 390, f"the page itself scrolls sideways ({page_width} px)"


def _contrast(color_a: str, color_b: str) -> float:
    """WCAG contrast ratio of two CSS ``rgb(...)`` colours."""
    def luminance(css):
        values = [float(v) for v in css[css.index("(") + 1:css.index(")")].split(",")[:3]]
        linear = [(v / 255) / 12.92 if v / 255 <= 0.03928 else ((v / 255 + 0.055) / 1.055) ** 2.4
                  for v in values]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    hi, lo = sorted((luminance(color_a), luminance(color_b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


REFERENCE_MODULES = ["activations", "losses", "layers", "optimizers", "schedules",
                     "metrics", "initializers", "regularizers", "callbacks", "gradcheck",
                     "autodiff", "datasets", "plotting", "saving", "torchtools",
                     "kerastools"]


def test_reference_documents_every_public_name(site, browser):
    """appendix/reference.md: every name in each module's __all__ has an entry."""
    import importlib
    import inspect

    page, problems = _open(browser, site + "appendix/reference.html")
    ids = set(page.eval_on_selector_all("[id]", "es => es.map(e => e.id)"))
    page.close()
    missing = []
    for name in REFERENCE_MODULES:
        module = importlib.import_module(f"nnlib.{name}")
        for public in getattr(module, "__all__", []):
            if inspect.ismodule(getattr(module, public)):
                continue                  # a submodule has a section of its own
            if f"nnlib.{name}.{public}" not in ids and f"nnlib.{public}" not in ids:
                missing.append(f"nnlib.{name}.{public}")
    for public in ("Sequential", "MLPClassifier"):
        if f"nnlib.{public}" not in ids:
            missing.append(f"nnlib.{public}")
    assert not missing, f"not in the nnlib reference: {missing}"
    assert not problems, problems


def test_colab_button_opens_the_colab_edition(site, browser):
    page, _ = _open(browser, site + "chapters/03_softmax.html")
    links = page.eval_on_selector_all("a[href*='colab.research.google.com']",
                                      "as => as.map(a => a.href)")
    page.close()
    assert links, "no Colab launch button"
    assert all("/blob/colab/chapters/03_softmax.ipynb" in href for href in links), links
