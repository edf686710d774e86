"""The built site in a real headless Chromium with the network cut: math and diagrams render from local files.

Chromium comes from Debian's package (`make setup` installs it); every host name
except 127.0.0.1 fails to resolve, so anything the page tried to fetch from a
CDN would be missing. Screenshots are saved under test-output/.

Also, driven by Playwright (one browser for the module): no page of either
language is wider than a 390 px phone screen; a concept page served by the app
of `kb serve` loads without a single failed request; and the offline build
(`make site-offline`) works opened from disk: navigation, language switcher,
formulas and diagrams.
"""
from __future__ import annotations

import functools
import http.server
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "test-output"
from chromium import CHROMIUM


@pytest.fixture(scope="module")
def served(site):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None  # quiet
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def chromium(url: str, *extra: str) -> subprocess.CompletedProcess:
    assert Path(CHROMIUM).exists(), "chromium is not installed; run 'make setup' (it installs Debian's chromium)"
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [
                CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={profile}", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                "--virtual-time-budget=15000", "--window-size=1280,2400", *extra, url,
            ],
            capture_output=True, text=True, timeout=180,
        )


@pytest.mark.parametrize("page", ["attention/basics/", "zh/attention/basics/"])
def test_math_and_mermaid_render_offline(served, page):
    result = chromium(f"{served}/{page}", "--dump-dom")
    dom = result.stdout
    assert "<mjx-container" in dom, "MathJax did not typeset the page's math"
    assert 'class="mermaid"' in dom or "mermaid" in dom
    assert "<svg" in dom.split("mermaid", 1)[1], "Mermaid did not draw the diagram"
    OUT.mkdir(exist_ok=True)
    shot = OUT / f"offline-{page.strip('/').replace('/', '-')}.png"
    chromium(f"{served}/{page}", f"--screenshot={shot}")
    assert shot.exists() and shot.stat().st_size > 10_000


# --- Playwright: phones, failed requests, the offline build from disk -------------------------------------------

PHONE = {"width": 390, "height": 844}
RENDERED = """async () => {
  const sleep = () => new Promise(r => setTimeout(r, 50));
  if (document.querySelector('.arithmatex')) {
    for (let i = 0; i < 200 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++) { await sleep(); }
    if (!(window.MathJax && MathJax.startup)) { return false; }
    await MathJax.startup.promise;
  }
  for (let i = 0; i < 200 && document.querySelector('pre.mermaid'); i++) { await sleep(); }
  return !document.querySelector('pre.mermaid');
}"""
"""Waits until MathJax (fetched once the page has loaded) has typeset the page and Mermaid has drawn every diagram
(Material swaps pre.mermaid for a div); false when either did not happen within 10 s."""
OPEN_SHADOWS = "const a = Element.prototype.attachShadow; Element.prototype.attachShadow = function (o) { return a.call(this, {...o, mode: 'open'}); };"
"""Material draws a diagram into a closed shadow root; opened, the test can see the SVG."""




@pytest.fixture(scope="module")
def offline_site(tmp_path_factory) -> Path:
    """The offline build (make site-offline: KB_OFFLINE=true turns Material's offline plugin on), with the hooks."""
    out = tmp_path_factory.mktemp("site-offline")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "KB_OFFLINE": "true"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(out)],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def site_pages(site: Path) -> list[str]:
    """Every page of the built site (both languages) as a path under the site root, e.g. 'zh/attention/basics/'."""
    pages = []
    for index in sorted(site.rglob("index.html")):
        rel = index.parent.relative_to(site)
        if rel.parts[:1] in (("assets",), ("search",)) or "assets" in rel.parts:
            continue
        pages.append("" if rel == Path(".") else rel.as_posix() + "/")
    return pages


def test_no_page_is_wider_than_a_phone(served, site, browser):
    """At 390 px no page scrolls sideways: long formulas wrap, tables and code scroll inside their box."""
    pages = site_pages(site)
    assert len(pages) > 100 and "zh/nlp/search/" in pages
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    wide = []
    start = time.perf_counter()
    for path in pages:
        page.goto(f"{served}/{path}", wait_until="load")
        assert page.evaluate(RENDERED), f"{path}: a formula or diagram was not rendered"
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide.append(f"/{path} is {width} px wide")
    context.close()
    assert not wide, f"{len(wide)} of {len(pages)} pages scroll sideways on a phone: " + "; ".join(wide[:10])
    assert time.perf_counter() - start < 120


def test_a_concept_page_loads_without_a_failed_request(site, browser, tmp_path, kb_copy, corpus_of, fake_encoder):
    """Served by the app of `kb serve`: no 404 (the theme used to ask for sitemap.xml under every page) or error."""
    from search.build.opener import open_searcher
    from search.service.api import create_app
    from search.service.live import LiveSearcher

    from serving import running

    searcher = open_searcher(root=tmp_path / "index", encoder=fake_encoder, corpus=corpus_of(kb_copy))
    with running(create_app(LiveSearcher(searcher), site_dir=site)) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        failed: list[str] = []
        page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))
        for path in ("attention/basics/", "zh/attention/mla/", "glossary/"):
            page.goto(f"{base}/{path}", wait_until="networkidle")
            assert page.evaluate(RENDERED)
        context.close()
    assert not failed, failed


def test_offline_build_works_from_disk(offline_site, browser):
    """file://…/index.html: a nav link opens the page (not a directory listing), the switcher goes to its zh twin,
    formulas are typeset and the diagram is drawn."""
    home = (offline_site / "index.html").as_uri()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(OPEN_SHADOWS)
    page = context.new_page()
    page.goto(home, wait_until="load")
    page.locator('.md-nav__link[href$="attention/basics.html"]').first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/attention/basics.html")
    assert page.evaluate(RENDERED), "formulas or the diagram were not rendered"
    assert page.locator("h1").first.inner_text().strip()
    assert page.locator("mjx-container").count() > 5, "MathJax did not typeset the formulas"
    svgs = page.evaluate("[...document.querySelectorAll('div.mermaid')].filter(d => d.shadowRoot && d.shadowRoot.querySelector('svg')).length")
    assert svgs >= 1, "Mermaid did not draw the diagram"
    switch = page.locator('.md-select__link[hreflang="zh"]').first
    assert not re.match(r"[a-z]+:|/", switch.get_attribute("href")), "the language switcher's link is not relative"
    page.locator(".md-header__option .md-select").first.hover()
    switch.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/zh/attention/basics.html")
    assert page.evaluate(RENDERED) and page.locator("mjx-container").count() > 5
    assert re.search(r"[\u4e00-\u9fff]", page.locator("h1").first.inner_text())
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUT / "from-disk-zh-basics.png"))
    context.close()
