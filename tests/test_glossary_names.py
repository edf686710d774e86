"""GlossaryNames finds exactly the entries whose names a substring search would find."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kb.passage import Passage
from search.glossary_names import GlossaryNames


def term(ident: str, en: str, names: list[str]) -> Passage:
    return Passage(id=f"term:{ident}", kind="term", title={"en": en, "zh": names[0] if names else en}, text={"en": "", "zh": ""}, url={"en": "", "zh": ""}, terms=names)


PASSAGES = [
    term("gqa", "Grouped-query attention", ["GQA", "分组查询注意力", "分组注意力"]),
    term("attention", "Attention", ["注意力", "注意力机制"]),
    term("kv-cache", "KV cache", ["KV 缓存", "键值缓存"]),
    term("rope", "RoPE", ["旋转位置编码", "RoPE"]),
    term("x", "One character", ["注"]),  # too short to count
]


def reference(passages: list[Passage], lowered: str) -> list[str]:
    entries = [(tuple(n.lower() for n in p.terms if not n.isascii() and len(n) > 1), p.title["en"]) for p in passages if p.kind == "term"]
    return [title for names, title in entries if any(name in lowered for name in names)]


def test_examples():
    names = GlossaryNames(PASSAGES)
    assert names.english_titles_in("分组查询注意力为什么省显存") == ["Grouped-query attention", "Attention"]
    assert names.english_titles_in("kv 缓存 多大") == ["KV cache"]
    assert names.english_titles_in("grouped query attention") == []  # ASCII names are not looked for
    assert names.english_titles_in("注") == []


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("分组查询注意力机制键值缓存旋转位置编码kv 为什么")), max_size=30))
def test_same_as_substring_search(text):
    assert GlossaryNames(PASSAGES).english_titles_in(text) == reference(PASSAGES, text)
