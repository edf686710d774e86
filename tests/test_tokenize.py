from hypothesis import given, settings
from hypothesis import strategies as st
import pytest

from search.text.tokenize import Tokenizer, has_han


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Grouped-Query Attention", ["grouped-query", "grouped", "query", "attention"]),
        ("top-p vs top-k", ["top-p", "top", "top-k", "top"]),
        ("why divide by √d_k?", ["divide", "d_k"]),
        ("GQA, KV cache!", ["gqa", "kv", "cache"]),
        ("  \t\n ...!!! ", []),
    ],
)
def test_english_tokens(text, expected):
    assert Tokenizer().tokens(text) == expected


def test_glossary_words_stay_whole_in_search_mode():
    plain = Tokenizer().tokens("分组查询注意力")
    with_terms = Tokenizer(["分组查询注意力"]).tokens("分组查询注意力")
    assert "分组查询注意力" not in plain
    assert "分组查询注意力" in with_terms and "注意力" in with_terms  # search mode also keeps the parts


def test_mixed_text_has_no_space_or_punctuation_tokens():
    tokens = Tokenizer().tokens("GQA 为什么省显存？KV cache，top-p。")
    assert tokens[:1] == ["gqa"] and "显存" in tokens and "top-p" in tokens
    assert all(t.strip() and t.strip("，。？!?,. ") == t for t in tokens)


def test_has_han():
    assert has_han("GQA 为什么") and not has_han("GQA why")


def test_highlight_merges_touching_matches_and_respects_word_edges():
    from search.snippet import highlight

    assert highlight("又称：分组注意力。", {"分组", "注意力"}, "<", ">") == "又称：<分组注意力>。"
    assert highlight("heads and head", {"head"}, "<", ">") == "heads and <head>"
    assert highlight("Top-p sampling", {"top-p"}, "<", ">") == "<Top-p> sampling"


def test_best_sentences_prefer_the_most_query_words_in_text_order():
    from search.snippet import best_sentences

    text = "Intro about models. GQA shares one key head per group. Memory of the KV cache shrinks with GQA groups. Unrelated end."
    assert best_sentences(text, {"gqa", "kv", "cache"}, limit=1) == "Memory of the KV cache shrinks with GQA groups."
    assert best_sentences(text, {"gqa", "group"}, limit=2) == "GQA shares one key head per group. Memory of the KV cache shrinks with GQA groups."
    assert best_sentences("第一句。分组查询注意力让每组查询头共用键值头。最后一句。", {"分组", "注意力"}, limit=1) == "分组查询注意力让每组查询头共用键值头。"
    assert best_sentences(text, {"nothing"}, limit=1) == "Intro about models."  # no match: the passage's opening


def test_prepare_parses_sentences_ahead_only_when_they_all_fit(monkeypatch):
    """A server parses every passage's sentences at start (search/snippet.py prepare); queries then only look them up."""
    from search import snippet

    texts = [f"Sentence {i} about heads. Another one {i}." for i in range(5)]
    snippet._sentence_words.cache_clear()
    snippet.prepare(texts)
    assert snippet._sentence_words.cache_info().currsize == 5
    before = snippet._sentence_words.cache_info().misses
    assert snippet.best_sentences(texts[3], {"heads"}, limit=1) == "Sentence 3 about heads."
    assert snippet._sentence_words.cache_info().misses == before  # already parsed
    snippet._sentence_words.cache_clear()
    monkeypatch.setattr(snippet, "SENTENCE_CACHE", 4)
    snippet.prepare(texts)  # five do not fit in four: none parsed ahead, so none evicts another
    assert snippet._sentence_words.cache_info().currsize == 0


def _best_sentences_reference(text, query_tokens, limit=2, max_chars=240):
    """The plain version: count each query token in each sentence one by one."""
    from search.snippet import HAN_CHAR_RE, _sentence_words

    parsed = _sentence_words(text)
    if not parsed:
        return ""
    han = [t for t in query_tokens if HAN_CHAR_RE.match(t)]
    latin = [t for t in query_tokens if not HAN_CHAR_RE.match(t) and len(t) > 1]
    scored = [(sum(t in words for t in latin) + sum(t in sentence for t in han), -i, sentence) for i, (sentence, words) in enumerate(parsed)]
    chosen = sorted(scored, reverse=True)[:limit]
    if all(score == 0 for score, _, _ in chosen):
        chosen = [(0, -i, s) for i, (s, _) in enumerate(parsed[:limit])]
    snippet = " ".join(s for _, _, s in sorted(chosen, key=lambda t: -t[1]))
    return snippet if len(snippet) <= max_chars else snippet[: max_chars - 1].rstrip() + "…"


_WORDS = ["gqa", "kv", "cache", "heads", "a", "top-p", "top", "p", "分组", "注意力", "头", "键值", "x"]


@settings(max_examples=200, deadline=None)
@given(
    sentences=st.lists(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=6), min_size=1, max_size=6),
    query=st.sets(st.sampled_from(_WORDS), max_size=5),
    limit=st.integers(1, 3),
)
def test_best_sentences_match_a_token_by_token_count(sentences, query, limit):
    """Counting Latin tokens by set intersection picks the same sentences as counting them one by one."""
    from search.snippet import best_sentences

    text = " ".join(" ".join(words).capitalize() + "." for words in sentences)
    assert best_sentences(text, query, limit=limit) == _best_sentences_reference(text, query, limit=limit)
