"""Static mode of the Ask box: the site build's search index queried in the browser, with no search API.

The site is built once per session (the ``site`` fixture); it is served by a
plain static file server (no /api/*) and opened from disk (file://). Debian's
Chromium, driven by Playwright. The browser's answers are checked against the
Python reference (search/build/static_index.py: StaticIndex), and its no-match
answers against kb's own coverage rule on eval/queries/negative.yaml.
"""
from __future__ import annotations

import functools
import http.server
import re
import threading

import pytest
from playwright.sync_api import Page, expect

from search.build.static_index import ASSET_DIR, FILES, StaticIndex, build_index, evaluate_static
from search.engine import NO_MATCH_COVERAGE
from search.evaluate import load_queries, negatives, positives


@pytest.fixture(scope="module")
def served(site):
    """The built site from Python's plain file server: no search API."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def reference(site) -> StaticIndex:
    return StaticIndex.read(site)


def ask(page: Page, question: str) -> None:
    box = page.locator("#kb-ask-q")
    box.click()
    box.fill(question)


@pytest.mark.parametrize(
    ("path", "question", "target"),
    [
        ("attention/basics/", "why does grouped query attention save memory", "attention/mha-mqa-gqa/#gqa"),
        ("zh/", "分组查询注意力为什么省显存", "zh/attention/mha-mqa-gqa/#gqa"),
        ("zh/attention/basics/", "旋转位置编码 rotary 原理", "zh/position/rope/#what-is-rope"),
    ],
)
def test_static_mode_answers_from_a_plain_file_server(served, page, path, question, target):
    page.goto(f"{served}/{path}")
    ask(page, question)
    hit = page.locator(f'.kb-ask__hit a[href$="{target}"]').first
    expect(hit).to_be_visible(timeout=15_000)
    expect(page.locator("#kb-ask.kb-ask--static .kb-ask__mode")).to_contain_text("kb serve")
    hit.click()
    expect(page).to_have_url(re.compile(re.escape(target) + "$"))


@pytest.mark.parametrize(
    ("path", "question", "target"),
    [
        ("index.html", "rotary position embedding", "position/rope/index.html#what-is-rope"),
        ("zh/index.html", "分组查询注意力为什么省显存", "zh/attention/mha-mqa-gqa/index.html#gqa"),
        ("zh/index.html", "LoRA 低秩 原理", "zh/finetuning/lora/index.html#why-lora"),
    ],
)
def test_static_mode_answers_from_disk(site, page, path, question, target):
    page.goto((site / path).as_uri())
    ask(page, question)
    hit = page.locator(f'.kb-ask__hit a[href$="{target}"]').first
    expect(hit).to_be_visible(timeout=15_000)
    hit.click()
    expect(page).to_have_url((site / target.split("#")[0]).as_uri() + "#" + target.split("#")[1])


def test_keyboard_flow(served, page):
    page.goto(f"{served}/attention/basics/")
    box = page.locator("#kb-ask-q")
    page.locator("article h1").click()
    page.keyboard.press("/")
    expect(box).to_be_focused()
    outline = box.evaluate("b => getComputedStyle(b).outlineStyle + ' ' + getComputedStyle(b).outlineWidth")
    assert not outline.startswith("none"), f"no visible focus ring on the box ({outline})"
    page.keyboard.type("kv cache", delay=30)  # results while typing, no Enter
    hits = page.locator(".kb-ask__hit")
    expect(hits.first).to_be_visible(timeout=15_000)
    page.keyboard.press("ArrowDown")
    expect(hits.nth(0)).to_have_class(re.compile("kb-ask__hit--active"))
    page.keyboard.press("ArrowDown")
    expect(hits.nth(1)).to_have_class(re.compile("kb-ask__hit--active"))
    page.keyboard.press("ArrowUp")
    expect(hits.nth(0)).to_have_class(re.compile("kb-ask__hit--active"))
    page.keyboard.press("Escape")
    expect(box).to_have_value("")
    expect(hits).to_have_count(0)
    page.locator("article h1").click()
    page.keyboard.press("Control+k")
    expect(box).to_be_focused()
    page.keyboard.type("rotary position embedding")
    expect(hits.first).to_be_visible(timeout=15_000)
    href = hits.nth(1).locator("a").get_attribute("href")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/" + re.escape(re.sub(r"^(\.\.?/)+", "", href)) + "$"))


def sample_queries() -> list[str]:
    """60 labelled questions (20 per script), spread over the set, and a few with typos."""
    by_lang: dict[str, list[str]] = {"en": [], "zh": [], "mixed": []}
    for q in positives(load_queries()):
        by_lang[q.query.lang].append(q.query.q)
    picked = [qs[i * len(qs) // 20] for qs in by_lang.values() for i in range(20)]
    return picked + ["attentoin sink", "grouped qurey attention", "kv cahce 显存", "flash atention"]


def browser_answers(page: Page, url: str, queries: list[str]) -> list[dict]:
    page.goto(url)
    return page.evaluate(
        """async (queries) => {
            const base = JSON.parse(document.getElementById("__config").textContent).base;
            const loaded = await window.KBStatic.load(base, "en");
            return queries.map(q => {
                const a = loaded.index.search(q, 5);
                return {ids: loaded.index.ids(a.groups), noMatch: a.noMatch, corrected: a.corrected, tokens: a.tokens};
            });
        }""",
        queries,
    )


def test_browser_and_python_give_the_same_answers(served, page, reference):
    queries = sample_queries()
    answers = browser_answers(page, f"{served}/", queries)
    for query, got in zip(queries, answers):
        want = reference.search(query, 5)
        assert got["tokens"] == want.tokens, query
        assert (got["corrected"], got["noMatch"]) == (want.corrected, want.no_match), query
        assert got["ids"] == want.groups, query  # the top 5 hits, each with the passages of its link


def test_static_mode_rejects_what_kb_rejects_by_coverage(served, page, reference, tmp_path):
    """eval/queries/negative.yaml: each query kb's coverage rule rejects, the browser rejects too."""
    from search.build.indexer import build
    from search.encoders.dense import Encoder
    from search.engine import Searcher

    build(tmp_path, bm25_only=True)
    searcher = Searcher(root=tmp_path, encoder=Encoder())  # the real model's words for typo correction; nothing embedded
    queries = [q.query.q for q in negatives(load_queries())]
    answers = browser_answers(page, f"{served}/", queries)
    rejected_by_kb = 0
    for query, got in zip(queries, answers):
        text = searcher.suggest(query) or query
        if searcher.coverage(text) < NO_MATCH_COVERAGE:
            rejected_by_kb += 1
            assert got["noMatch"], f"kb rejects {query!r} by coverage, static mode answers it: {got['ids'][:2]}"
    assert rejected_by_kb >= len(queries) // 2


def test_the_site_build_writes_a_compact_index(site):
    import gzip

    packed = {name: len(gzip.compress((site / ASSET_DIR / name).read_bytes(), 6)) for name in FILES.values()}
    assert sum(packed.values()) < 1_500_000, packed
    assert not (site / "zh" / ASSET_DIR).exists(), "the index is written once, at the site's root"


def test_snippet_text_is_the_passages_reader_text():
    """Static snippets are cut from the same reader text as kb's (kb.corpus.plain_text: formulas as text, no
    Markdown marks; tests/test_snippets_clean.py checks that text), not from page source."""
    from search.build.indexer import load_corpus

    data = build_index()
    passages = {p.id: p for p in load_corpus()}
    for lang in ("en", "zh"):
        assert data[lang]["texts"] == [passages[ident].text[lang] for ident in data["index"]["ids"]]
    assert not any("\\sqrt" in text or "**" in text for text in data["en"]["texts"])


def test_static_mode_recall_on_the_evaluation_set():
    summary = evaluate_static()
    assert summary["en"]["R@5"] >= 0.90, summary["en"]
    assert summary["zh"]["R@5"] >= 0.90, summary["zh"]
