"""The built site: strict build, every passage link lands on a real anchor, Chinese search works."""
from __future__ import annotations

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
    """The site's search is the Ask box's static index (Material's search plugin is off): kb's tokens, jieba's words."""
    from search.build.static_index import StaticIndex

    index = StaticIndex.read(site)
    assert not (site / "search" / "search_index.json").exists()
    terms = set(index.data["terms"])
    assert {"分组", "查询", "注意力", "显存"} <= terms
    assert index.tokens("分组查询注意力为什么省显存")[-2:] == ["省", "显存"]


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


def test_mathjax_and_mermaid_load_only_on_pages_that_use_them(site):
    """MathJax (1.2 MB) only where a page has formulas, the diagram script (which fetches Mermaid, 2.8 MB, after the
    load event) only where it has a diagram; each script path resolves from the page; no page links alternates that
    make the theme fetch sitemap.xml under it (404s). MathJax is added by a small inline script once the page has
    loaded (kb/mkdocs_hooks.py). Diagrams are div.kb-mermaid, never the theme's pre.mermaid (for which the theme
    would run Mermaid before the load event, or fetch it from a CDN)."""
    counts = {"math": 0, "mermaid": 0, "neither": 0}
    for page in site.rglob("index.html"):
        if "assets" in page.relative_to(site).parts:
            continue
        html = page.read_text(encoding="utf-8")
        scripts = re.findall(r'<script src="([^"]+)"', html) + re.findall(r'\.src="([^"]+)"', html)  # MathJax: after load
        mermaid_paths = re.findall(r'<script src="[^"]*javascripts/diagrams\.js" data-mermaid="([^"]+)"', html)
        math = 'class="arithmatex"' in html
        mermaid = 'class="kb-mermaid"' in html
        loads_math = any(s.endswith("mathjax/es5/tex-mml-chtml.js") for s in scripts)
        loads_diagrams = any(s.endswith("javascripts/diagrams.js") for s in scripts)
        where = page.relative_to(site).as_posix()
        assert loads_math == math and any(s.endswith("javascripts/mathjax-config.js") for s in scripts) == math, where
        assert loads_diagrams == mermaid and len(mermaid_paths) == int(mermaid), where
        assert not re.search(r'class="mermaid"', html), f"{where}: the theme's own Mermaid markup"
        assert html.count("mermaid.min.js") == int(mermaid), f"{where}: Mermaid is named outside diagrams.js's data-mermaid"
        for src in scripts + mermaid_paths:
            if "vendor/" in src or "javascripts/" in src:
                assert (page.parent / src).resolve().is_file(), f"{where}: {src} does not resolve"
        assert all(path.endswith("assets/vendor/mermaid/dist/mermaid.min.js") for path in mermaid_paths), where
        assert not re.search(r'<link rel="alternate"[^>]*hreflang', html), f"{where}: head alternates make the theme fetch sitemap.xml"
        counts["math"] += math
        counts["mermaid"] += mermaid
        counts["neither"] += not (math or mermaid)
    assert counts["math"] > 50 and counts["mermaid"] > 50 and counts["neither"] >= 4, counts
    glossary = (site / "glossary" / "index.html").read_text(encoding="utf-8")
    assert "tex-mml-chtml.js" not in glossary and "mermaid" not in glossary
