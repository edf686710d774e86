"""Property-based tests (hypothesis) of the tokenizer and of search over arbitrary unicode text.

Derandomized with no example database, so every run (and CI) tries the same examples.
"""
from __future__ import annotations

import shutil

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from search.build.opener import open_searcher
from search.engine import Searcher
from search.query import LANG_CHOICES, MAX_K, MODES, clean_query
from search.errors import SearchError
from search.build.indexer import load_corpus
from search.text.tokenize import Tokenizer

from conftest import FIXTURE
from fakes import FakeEncoder

TOKENIZER_EXAMPLES = 400
SEARCH_EXAMPLES = 500
FIXED = settings(derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Arbitrary unicode (every category hypothesis draws from, surrogates excluded as in any str from UTF-8),
# mixed with the scripts and words the notes are written in, so some examples hit the index.
WORDS = st.sampled_from(["attention", "GQA", "分组查询注意力", "KV 缓存", "top-p", "d_k", "为什么", "the", "🙂", "\u200b", "\x00", "ключ"])
TEXT = st.one_of(st.text(max_size=200), st.lists(st.one_of(WORDS, st.text(max_size=8)), max_size=12).map(" ".join))


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return Tokenizer(["分组查询注意力", "键值缓存", "多头注意力"])


@pytest.fixture(scope="module")
def searcher(tmp_path_factory) -> Searcher:
    base = tmp_path_factory.mktemp("props") / "kb"
    shutil.copytree(FIXTURE, base)
    return open_searcher(root=base.parent / "index", encoder=FakeEncoder(), corpus=lambda: load_corpus(base / "docs", base / "glossary"))


@settings(FIXED, max_examples=TOKENIZER_EXAMPLES)
@given(text=TEXT)
def test_tokens_are_non_empty_strings_without_spaces(tokenizer, text):
    tokens = tokenizer.tokens(text)
    assert isinstance(tokens, list)
    for token in tokens:
        assert isinstance(token, str) and token and token == token.strip() and not any(c.isspace() for c in token)
    assert tokenizer.tokens(text) == tokens  # deterministic


@settings(FIXED, max_examples=SEARCH_EXAMPLES)
@given(query=TEXT, k=st.integers(min_value=1, max_value=MAX_K), mode=st.sampled_from(MODES), lang=st.sampled_from(LANG_CHOICES))
def test_search_returns_at_most_k_distinct_hits_in_score_order(searcher, query, k, mode, lang):
    try:
        hits = searcher.search(query, k=k, mode=mode, lang=lang)
    except SearchError as exc:  # the only error arbitrary text can cause: nothing left after cleaning
        assert str(exc).startswith("empty query") and clean_query(query).strip() == ""
        return
    event("some hits" if hits else "no hits")
    assert len(hits) <= k
    assert len({h.id for h in hits}) == len(hits)
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(h.lang in ("en", "zh") and h.url for h in hits)
