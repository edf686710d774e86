"""The Ask box in a real headless Chromium (Debian's, driven by Playwright; no browser download).

The built site and the API are served by the app of `kb serve` over the real
index; the browser asks in English, switches the language with the header's
selector, asks in Chinese, and must see the link to the expected section. The
same site served as plain files must show the notice instead. Screenshots go
to test-output/.
"""
from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect
from starlette.applications import Starlette
from starlette.staticfiles import StaticFiles

from search.service.api import create_app
from search.service.live import LiveSearcher

from serving import running

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "test-output"


def ask(page: Page, question: str) -> None:
    box = page.locator("#kb-ask-q")
    expect(page.locator("#kb-ask.kb-ask--ready")).to_be_visible(timeout=20_000)
    box.fill(question)
    box.press("Enter")


def test_ask_box_in_both_languages(site, real_searcher, page):
    app = create_app(LiveSearcher(real_searcher), site_dir=site)
    OUT.mkdir(exist_ok=True)
    with running(app) as base:
        page.goto(f"{base}/attention/basics/")
        expect(page.locator(".kb-ask__label")).to_have_text("Ask the notes")
        ask(page, "why does grouped query attention save memory")
        english = page.locator('.kb-ask__hit a[href="/attention/mha-mqa-gqa/#gqa"]').first
        expect(english).to_be_visible(timeout=20_000)
        expect(page.locator(".kb-ask__hit mark").first).to_be_visible()
        page.screenshot(path=str(OUT / "ask-en.png"), full_page=False)

        page.locator(".md-header__option .md-select").first.hover()
        page.locator('.md-select__link[hreflang="zh"]').first.click()
        expect(page).to_have_url(re.compile(r"/zh/attention/basics/$"))
        expect(page.locator(".kb-ask__label")).to_have_text("向笔记提问")
        ask(page, "分组查询注意力为什么省显存")
        chinese = page.locator('.kb-ask__hit a[href="/zh/attention/mha-mqa-gqa/#gqa"]').first
        expect(chinese).to_be_visible(timeout=20_000)
        assert re.search(r"[\u4e00-\u9fff]", chinese.inner_text()), "the hit's title is not in Chinese"
        page.screenshot(path=str(OUT / "ask-zh.png"), full_page=False)
        chinese.click()
        expect(page).to_have_url(re.compile(r"/zh/attention/mha-mqa-gqa/#gqa$"))
    assert (OUT / "ask-en.png").stat().st_size > 10_000 and (OUT / "ask-zh.png").stat().st_size > 10_000


def test_static_site_answers_from_the_static_index(site, page):
    """Served as plain files (no API), the box answers from the index the site build wrote, and says so."""
    files_only = Starlette()
    files_only.mount("/", StaticFiles(directory=site, html=True))
    with running(files_only) as base:
        for path, question, words in (("/", "grouped query attention", "kb serve"), ("/zh/", "分组查询注意力", "向量检索")):
            page.goto(base + path)
            ask(page, question)
            expect(page.locator("#kb-ask.kb-ask--static .kb-ask__mode")).to_contain_text(words, timeout=20_000)
            expect(page.locator(".kb-ask__hit a[href$='attention/mha-mqa-gqa/#gqa']").first).to_be_visible()
        page.screenshot(path=str(OUT / "ask-static-zh.png"), full_page=False)
