"""The built site: strict build, every passage link lands on a real anchor, Chinese search works."""
from __future__ import annotations

import json
import re
from pathlib import Path

from kb.corpus import build_passages, load_knowledge
from kb.pages import LANGS, page_url, read_pairs

ROOT = Path(__file__).resolve().parent.parent


def html_of(site: Path, url: str) -> str:
    path = url.split("#")[0].strip("/")
    return (site / path / "index.html").read_text(encoding="utf-8")


def test_every_passage_url_has_its_anchor_in_the_built_html(site):
    passages = build_passages(load_knowledge())
    assert passages
    missing = []
    for passage in passages:
        for lang in LANGS:
            url = passage.url[lang]
            anchor = url.split("#", 1)[1]
            if f'id="{anchor}"' not in html_of(site, url):
                missing.append(f"{passage.id} ({lang}): {url}")
    assert not missing, "\n".join(missing[:20])


def test_every_page_exists_in_both_languages_with_a_switcher(site):
    for pair in read_pairs():
        en_html = html_of(site, page_url(pair["en"].rel, "en"))
        zh_html = html_of(site, page_url(pair["en"].rel, "zh"))
        assert 'hreflang="zh"' in en_html and 'hreflang="en"' in zh_html
        assert f'<html lang="zh"' in zh_html or 'lang="zh' in zh_html


def test_language_switcher_goes_to_the_same_page(site):
    html = (site / "index.html").read_text(encoding="utf-8")
    assert re.search(r'href="[./]*zh/"\s+hreflang="zh"', html), "home page has no link to /zh/"
    for pair in read_pairs()[:5]:
        rel = pair["en"].rel
        if rel == "index.md":
            continue
        page = rel[: -len(".md")]
        html = (site / page / "index.html").read_text(encoding="utf-8")
        assert re.search(rf'href="[./]*zh/{re.escape(page)}/"\s+hreflang="zh"', html), f"{page}: switcher does not point at its zh twin"


def test_search_index_holds_segmented_chinese(site):
    data = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert "\\u200b" in data["config"]["separator"]
    assert set(data["config"]["lang"]) == {"en", "zh"}
    zh_docs = [d for d in data["docs"] if d["location"].startswith("zh/") and d["text"]]
    en_docs = [d for d in data["docs"] if not d["location"].startswith("zh/")]
    assert zh_docs and en_docs
    segmented = [d for d in zh_docs if "\u200b" in d["text"]]
    assert len(segmented) >= len(zh_docs) // 2
    words = set()
    for doc in segmented:
        words.update(re.split(r"[\s\u200b]+", doc["text"]))
    assert {"注意力", "模型"} & words, "no segmented Chinese words found in the search index"


def nav_pages() -> list[str]:
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = text[text.index("\nnav:"):]
    return re.findall(r"^\s+-\s+(?:[^:\n]+:\s+)?([\w/.-]+\.md)\s*$", nav, re.M)


def test_every_page_is_in_the_nav_once():
    listed = nav_pages()
    assert len(listed) == len(set(listed))
    pages = {pair["en"].rel for pair in read_pairs()} | {"glossary.md"}
    assert pages == set(listed), f"not in nav: {sorted(pages - set(listed))}; in nav but missing: {sorted(set(listed) - pages)}"


def test_glossary_pages_have_every_entry(site):
    from kb.glossary import load_glossary

    entries = load_glossary()
    for prefix in ("", "zh/"):
        html = (site / prefix / "glossary" / "index.html").read_text(encoding="utf-8")
        missing = [loc.entry.id for loc in entries if f'id="{loc.entry.id}"' not in html]
        assert not missing, f"{prefix}glossary lacks {missing[:10]}"


def test_abbreviations_show_their_expansion(site):
    html = (site / "attention" / "mha-mqa-gqa" / "index.html").read_text(encoding="utf-8")
    assert '<abbr title="Grouped-query attention · 分组查询注意力">GQA</abbr>' in html
    zh = (site / "zh" / "attention" / "mha-mqa-gqa" / "index.html").read_text(encoding="utf-8")
    assert '<abbr title="Grouped-query attention · 分组查询注意力">GQA</abbr>' in zh


def test_site_loads_nothing_from_the_internet(site):
    """No CDN scripts, styles or web fonts: the site renders offline."""
    external = set()
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        external.update(re.findall(r'<script[^>]+src="(https?://[^"]+)"', html))
        for link in re.findall(r"<link[^>]+>", html):
            if re.search(r'rel="(?:stylesheet|preconnect|preload|modulepreload)"', link):
                external.update(re.findall(r'href="(https?://[^"]+)"', link))
    assert not external, sorted(external)[:10]
    assert (site / "assets" / "vendor" / "mathjax" / "es5" / "tex-mml-chtml.js").exists()
    assert (site / "assets" / "vendor" / "mermaid" / "dist" / "mermaid.min.js").exists()
