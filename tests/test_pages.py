from pathlib import Path

import pytest

from kb.errors import KnowledgeError
from kb.pages import page_url, read_page, read_pairs
from kb.slug import slugify, split_heading


@pytest.mark.parametrize(
    ("raw", "title", "anchor"),
    [
        ("Why divide by √d_k {#why-scale}", "Why divide by √d_k", "why-scale"),
        ("为什么要除以 √d_k {#why-scale}", "为什么要除以 √d_k", "why-scale"),
        ("KV cache memory { #kv-memory .special }", "KV cache memory", "kv-memory"),
        ("Grouped-query attention", "Grouped-query attention", "grouped-query-attention"),
        ("分组查询注意力", "分组查询注意力", "分组查询注意力"),
    ],
)
def test_split_heading(raw, title, anchor):
    assert split_heading(raw) == (title, anchor)


def test_slug_matches_the_sites_toc_for_chinese():
    # a unicode-aware slug keeps Chinese: ids are never empty
    assert slugify("旋转位置编码 RoPE") == "旋转位置编码-rope"


def test_sections_skip_code_fences(tmp_path: Path):
    page = tmp_path / "p.md"
    page.write_text("# T\n\n## A {#a}\n\ntext\n\n```python\n## not a heading\n```\n\n### B {#b}\n\nmore\n", encoding="utf-8")
    parsed = read_page(page, "p.md", "en")
    assert parsed.title == "T"
    assert [(s.anchor, s.level) for s in parsed.sections] == [("a", 2), ("b", 3)]
    assert "## not a heading" in parsed.sections[0].body


def test_missing_translation_is_an_error(kb_copy: Path):
    (kb_copy / "docs" / "attention" / "gqa.zh.md").unlink()
    with pytest.raises(KnowledgeError, match=r"gqa.md:1: page has no zh translation; create .*gqa.zh.md"):
        read_pairs(kb_copy / "docs")


@pytest.mark.parametrize(
    ("rel", "lang", "url"),
    [
        ("index.md", "en", "/"),
        ("index.md", "zh", "/zh/"),
        ("attention/gqa.md", "en", "/attention/gqa/"),
        ("attention/gqa.md", "zh", "/zh/attention/gqa/"),
        ("attention/index.md", "zh", "/zh/attention/"),
    ],
)
def test_page_url(rel, lang, url):
    assert page_url(rel, lang) == url
