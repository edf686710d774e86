"""The built site in a real headless Chromium with the network cut: math and diagrams render from local files.

Chromium comes from Debian's package (`make setup` installs it); every host name
except 127.0.0.1 fails to resolve, so anything the page tried to fetch from a
CDN would be missing. Screenshots are saved under test-output/.

Also, driven by Playwright (one browser for the module): no page of either
language is wider than a 390 px phone screen; every diagram of a sample of
pages becomes an SVG with text, Mermaid is fetched only after the load event
and no request leaves loopback (static server, the app of `kb serve`, and the
offline build opened from disk); a concept page served by the app loads without
a single failed request; and the offline build (`make site-offline`) works
opened from disk: navigation, language switcher, formulas and diagrams.

Diagrams are ```mermaid fences built as <div class="kb-mermaid"> (not the
theme's pre.mermaid); javascripts/diagrams.js draws each into the open shadow
root of a div.kb-diagram once the page has loaded.
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
    # The SVG sits in a shadow root, which --dump-dom leaves out; diagrams.js swaps a block for its host only once
    # Mermaid has drawn it.
    assert 'class="kb-diagram"' in dom, "Mermaid did not draw the diagram"
    assert 'class="kb-mermaid' not in dom, "a diagram was left as Mermaid source"
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
  for (let i = 0; i < 200 && document.querySelector('div.kb-mermaid'); i++) { await sleep(); }
  return !document.querySelector('div.kb-mermaid');
}"""
"""Waits until MathJax (fetched once the page has loaded) has typeset the page and javascripts/diagrams.js has drawn
every diagram (it swaps each div.kb-mermaid for a div.kb-diagram); false when either did not happen within 10 s."""
DIAGRAMS = """() => [...document.querySelectorAll('.kb-mermaid, .kb-diagram')].map(d => {
  const svg = d.shadowRoot && d.shadowRoot.querySelector('svg');
  return {drawn: d.classList.contains('kb-diagram'), svg: !!svg, text: svg ? svg.textContent.trim().length : 0,
          width: svg ? Math.round(svg.getBoundingClientRect().width) : 0};
})"""
"""Every diagram block of the page: drawn (swapped for its host), with an SVG in the host's shadow root, how much text
the SVG holds and how wide it is drawn."""
MERMAID_AFTER_LOAD = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const mermaid = performance.getEntriesByType('resource').filter(r => r.name.endsWith('/mermaid.min.js'));
  return {load: nav.loadEventStart, starts: mermaid.map(r => r.startTime)};
}"""
"""When the load event started and when each fetch of mermaid.min.js started (ms since navigation start): the fetch
starts in a load-event handler, the script runs after the load event has ended."""
DIAGRAM_PAGES = ["", "zh/", "attention/mha-mqa-gqa/", "zh/attention/basics/", "inference/serving/", "zh/inference/speculative/"]
"""A sample: the topic maps, a diagram with subgraphs, a chart and two flowcharts, a sequence diagram; both languages."""


def check_diagrams(page, where: str, cold: bool = True) -> int:  # noqa: ANN001 — a Playwright Page
    """Every diagram on the loaded page is an SVG with text, no wider than the page; Mermaid came after the load
    event (cold: fetched exactly once over HTTP; otherwise the browser may have taken it from its memory cache, and
    file:// fetches leave no timing entry). Returns how many diagrams the page has."""
    assert page.evaluate(RENDERED), f"{where}: a formula or diagram was not rendered"
    diagrams = page.evaluate(DIAGRAMS)
    assert diagrams, f"{where}: no diagram found"
    bad = [d for d in diagrams if not (d["drawn"] and d["svg"] and d["text"] > 0)]
    assert not bad, f"{where}: {len(bad)} of {len(diagrams)} diagrams are not an SVG with text: {bad}"
    viewport = page.viewport_size["width"]
    assert all(d["width"] <= viewport for d in diagrams), f"{where}: a diagram is wider than the screen: {diagrams}"
    timing = page.evaluate(MERMAID_AFTER_LOAD)
    assert len(timing["starts"]) == 1 if cold else len(timing["starts"]) <= 1, f"{where}: mermaid.min.js fetched {len(timing['starts'])} times"
    assert all(start >= timing["load"] for start in timing["starts"]), f"{where}: Mermaid was fetched before the load event: {timing}"
    return len(diagrams)


def record_hosts(page) -> list[str]:  # noqa: ANN001 — a Playwright Page
    """The URLs of every request the page makes that goes neither to loopback nor to a file (nor data:/blob:)."""
    outside: list[str] = []

    def seen(request) -> None:  # noqa: ANN001
        url = request.url
        if not re.match(r"(?:file:|data:|blob:|about:|https?://127\.0\.0\.1[:/])", url):
            outside.append(url)

    page.on("request", seen)
    return outside


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


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, PHONE], ids=["desktop", "phone"])
def test_diagrams_are_drawn_after_the_load_event(served, browser, viewport):
    """Static server: every diagram of the sample pages is an SVG with text, drawn from the local Mermaid fetched after
    the load event; nothing is requested outside loopback (the theme would fetch Mermaid from a CDN if it saw a
    pre.mermaid block); the page does not widen past the screen."""
    total = 0
    for path in DIAGRAM_PAGES:
        context = browser.new_context(viewport=viewport)  # cold: one fetch of Mermaid per page
        page = context.new_page()
        outside = record_hosts(page)
        page.goto(f"{served}/{path}", wait_until="load")
        assert page.evaluate("document.querySelectorAll('pre.mermaid, div.mermaid').length") == 0, f"/{path}: the theme's own diagram markup"
        total += check_diagrams(page, f"/{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], f"/{path} scrolls sideways"
        assert not outside, f"/{path} requested {outside}"
        if path in ("", "attention/mha-mqa-gqa/"):
            OUT.mkdir(exist_ok=True)
            page.screenshot(path=str(OUT / f"diagram-{viewport['width']}-{path.strip('/').replace('/', '-') or 'home'}.png"), full_page=True)
        context.close()
    assert total >= 8


def test_a_concept_page_loads_without_a_failed_request(site, browser, tmp_path, kb_copy, corpus_of, fake_encoder):
    """Served by the app of `kb serve`: no 404 (the theme used to ask for sitemap.xml under every page) or error, no
    request outside loopback, the diagrams drawn."""
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
        # a request the browser itself abandoned when the next page.goto began (net::ERR_ABORTED, seen once for the
        # favicon) is no fault of the site; any other failure is
        page.on("requestfailed", lambda r: None if "ERR_ABORTED" in (r.failure or "") else failed.append(f"failed {r.url}: {r.failure}"))
        outside = record_hosts(page)
        for path in ("attention/basics/", "zh/attention/mla/", "glossary/", "zh/"):
            page.goto(f"{base}/{path}", wait_until="networkidle")
            assert page.evaluate(RENDERED)
            if path in ("attention/basics/", "zh/"):
                check_diagrams(page, f"/{path}", cold=path == "attention/basics/")
        context.close()
    assert not failed, failed
    assert not outside, outside


def test_offline_build_works_from_disk(offline_site, browser):
    """file://…/index.html: a nav link opens the page (not a directory listing), the switcher goes to its zh twin,
    formulas are typeset and the diagram is drawn."""
    home = (offline_site / "index.html").as_uri()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    outside = record_hosts(page)
    page.goto(home, wait_until="load")
    check_diagrams(page, "index.html (from disk)", cold=False)  # file:// fetches leave no timing entries
    page.locator('.md-nav__link[href$="attention/basics.html"]').first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/attention/basics.html")
    assert page.evaluate(RENDERED), "formulas or the diagram were not rendered"
    assert page.locator("h1").first.inner_text().strip()
    assert page.locator("mjx-container").count() > 5, "MathJax did not typeset the formulas"
    check_diagrams(page, "attention/basics.html (from disk)", cold=False)
    switch = page.locator('.md-select__link[hreflang="zh"]').first
    assert not re.match(r"[a-z]+:|/", switch.get_attribute("href")), "the language switcher's link is not relative"
    page.locator(".md-header__option .md-select").first.hover()
    switch.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/zh/attention/basics.html")
    assert page.evaluate(RENDERED) and page.locator("mjx-container").count() > 5
    assert re.search(r"[\u4e00-\u9fff]", page.locator("h1").first.inner_text())
    check_diagrams(page, "zh/attention/basics.html (from disk)", cold=False)
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUT / "from-disk-zh-basics.png"))
    context.close()
    assert not outside, outside
