from pathlib import Path

import pytest

from kb.corpus import build_passages, corpus_hash, load_knowledge, plain_text
from kb.errors import KnowledgeError


def test_fixture_passages(kb_copy: Path):
    passages = build_passages(load_knowledge(kb_copy / "docs", kb_copy / "glossary"))
    ids = [p.id for p in passages]
    assert ids == [
        "term:mha", "term:gqa", "term:mqa", "term:kv-cache",
        "attention/gqa#mha", "attention/gqa#gqa", "attention/gqa#gqa-1", "attention/gqa#kv-memory",
    ]
    gqa = passages[5]
    assert gqa.kind == "section"
    assert gqa.title == {"en": "Grouped-query attention", "zh": "分组查询注意力"}
    assert gqa.url == {"en": "/attention/gqa/#gqa", "zh": "/zh/attention/gqa/#gqa"}
    assert "assert 64" not in gqa.text["en"]  # code is not search text
    assert gqa.path["zh"] == "多头、多查询与分组查询注意力 › 分组查询注意力"
    term = passages[1]
    assert term.kind == "term" and "GQA" in term.terms and "分组注意力" in term.terms
    assert term.url["zh"] == "/zh/attention/gqa/#gqa"


def test_sections_must_match_across_languages(kb_copy: Path):
    zh = kb_copy / "docs" / "attention" / "gqa.zh.md"
    zh.write_text(zh.read_text(encoding="utf-8").replace("{#kv-memory}", "{#kv-mem}"), encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"gqa.zh.md:\d+: section 4 has id 'kv-mem' but the English page has 'kv-memory'"):
        load_knowledge(kb_copy / "docs", kb_copy / "glossary")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("see: attention/gqa.md#gqa\n", "see: attention/gqa.md#nope\n", r"attention.yaml:\d+: entry 'gqa': .*no heading with id 'nope'"),
        ("see: attention/gqa.md#mha", "see: attention/none.md#mha", r"entry 'mha': see 'attention/none.md#mha' names a page that does not exist"),
        ("related: [mha, mqa, kv-cache]", "related: [mha, mqa, kv-cash]", r"entry 'gqa': related id 'kv-cash' is not in the glossary"),
    ],
)
def test_broken_glossary_links(kb_copy: Path, old, new, expected):
    path = kb_copy / "glossary" / "attention.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(KnowledgeError, match=expected):
        load_knowledge(kb_copy / "docs", kb_copy / "glossary")


def test_corpus_hash_changes_with_content(kb_copy: Path):
    load = lambda: build_passages(load_knowledge(kb_copy / "docs", kb_copy / "glossary"))  # noqa: E731
    before = corpus_hash(load())
    assert corpus_hash(load()) == before
    page = kb_copy / "docs" / "attention" / "gqa.md"
    page.write_text(page.read_text(encoding="utf-8").replace("saves memory", "saves a lot of memory"), encoding="utf-8")
    assert corpus_hash(load()) != before


def test_plain_text_drops_markup():
    md = '!!! note "Heads up"\n    **Bold** and `code` with a [link](x.md#y).\n\n| a | b |\n|---|---|\n| 1 | 2 |\n<!-- hidden -->'
    text = plain_text(md)
    assert "Heads up" in text and "Bold and code with a link." in text
    assert "**" not in text and "](" not in text and "hidden" not in text and "---" not in text


def test_passage_to_dict_is_asdict_without_sharing(kb_copy: Path):
    """Passage.to_dict is dataclasses.asdict made fast; the copy shares no dict or list with the passage."""
    from dataclasses import asdict

    from kb.passage import Passage

    passages = build_passages(load_knowledge(docs=kb_copy / "docs", glossary_dir=kb_copy / "glossary"))
    for passage in passages:
        data = passage.to_dict()
        assert data == asdict(passage) and Passage.from_dict(data) == passage
        data["title"]["en"] = "changed"
        data["terms"].append("changed")
        assert passage.title["en"] != "changed" and "changed" not in passage.terms
