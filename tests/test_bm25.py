import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rank_bm25 import BM25Okapi

from search.index.bm25 import BM25
from search.index.postings import Postings

DOCS = [["attention", "gqa", "heads"], ["attention", "rope"], ["attention", "kv", "cache"], ["moe", "experts"]]


def test_common_term_keeps_a_positive_idf():
    ours = BM25(DOCS)
    okapi = BM25Okapi(DOCS, k1=ours.k1, b=ours.b)
    # 'attention' is in 3 of 4 passages: Okapi's raw IDF would be negative (it floors it), ours stays positive
    assert math.log((4 - 3 + 0.5) / (3 + 0.5)) < 0
    assert ours.idf["attention"] == math.log(1 + (4 - 3 + 0.5) / (3 + 0.5)) > 0
    assert ours.idf["gqa"] > ours.idf["attention"]
    # same term-frequency part as Okapi: scores agree up to the IDF factor for a single-term query
    ratio = ours.get_scores(["gqa"])[0] / okapi.get_scores(["gqa"])[0]
    assert math.isclose(ratio, ours.idf["gqa"] / okapi.idf["gqa"])


def test_top_returns_only_matches_best_first():
    bm25 = BM25(DOCS)
    assert [i for i, _ in bm25.top(["attention", "gqa"], 10)] == [0, 1, 2]
    assert bm25.top(["nothing"], 10) == []
    assert bm25.top([], 10) == []
    assert len(bm25.top(["attention"], 2)) == 2


words = st.sampled_from(["attention", "gqa", "heads", "rope", "kv", "cache", "moe", "experts", "注意力", "显存", "x"])


@settings(max_examples=150, derandomize=True, deadline=None)
@given(corpus=st.lists(st.lists(words, min_size=1, max_size=12), min_size=1, max_size=12), query=st.lists(words, max_size=6))
def test_postings_score_exactly_like_rank_bm25(corpus, query):
    bm25 = BM25(corpus)
    postings = Postings.from_bm25(bm25)
    scores = bm25.get_scores(query)
    assert np.array_equal(postings.scores(query), scores)
    expected = sorted((i for i in range(len(scores)) if scores[i] > 0), key=lambda i: (-scores[i], i))[:5]
    assert postings.top(query, 5) == [(i, float(scores[i])) for i in expected]  # ties: the lower position first


@settings(max_examples=150, derandomize=True, deadline=None)
@given(corpus=st.lists(st.lists(words, max_size=12), min_size=1, max_size=12))
def test_postings_counted_with_numpy_equal_rank_bm25s_bit_for_bit(corpus):
    """Postings.from_corpus (NumPy counting, what kb index uses) == Postings.from_bm25 (rank-bm25's own counts)."""
    fast, slow = Postings.from_corpus(corpus), Postings.from_bm25(BM25(corpus))
    assert fast.vocab == slow.vocab and fast.size == slow.size
    for name in ("indptr", "docs", "weights", "idf"):
        a, b = getattr(fast, name), getattr(slow, name)
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes(), name


@settings(max_examples=100, derandomize=True, deadline=None)
@given(corpus=st.lists(st.lists(words, max_size=12), min_size=1, max_size=12), query=st.lists(words, max_size=6))
def test_python_and_numpy_scoring_agree_bit_for_bit_after_a_save(corpus, query):
    """A loaded index scores in plain Python below NUMPY_FROM passages and with NumPy above: the same floats."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        Postings.from_corpus(corpus).save(Path(tmp) / "bm25.bin")
        loaded = Postings.load(Path(tmp) / "bm25.bin")
    python = loaded._python_scores(query)
    numpy = loaded.scores(query)  # NumPy is loaded here
    assert np.asarray(python).tobytes() == numpy.tobytes()
    expected = sorted((-score, doc) for doc, score in enumerate(python) if score > 0)[:5]
    assert loaded.top(query, 5) == [(doc, -negated) for negated, doc in expected]
    loaded.scores = loaded._python_scores  # what a process without NumPy runs
    assert loaded.top(query, 5) == [(doc, -negated) for negated, doc in expected]


def test_postings_survive_a_save_and_refuse_damage(tmp_path):
    postings = Postings.from_corpus(DOCS)
    path = tmp_path / "bm25.bin"
    postings.save(path)
    loaded = Postings.load(path)
    assert loaded.top(["attention", "gqa"], 10) == BM25(DOCS).top(["attention", "gqa"], 10)
    assert loaded.idf_of() == {term: BM25(DOCS).idf[term] for term in loaded.vocab}
    whole = path.read_bytes()
    for damaged in (whole[:200], whole[:-3], whole + b"x", b"", b"PK\x03\x04" + b"x" * 50, b'{"size": 8}\n', b'{"size": 8, "byteorder": "little", "blocks": [["docs", 3]]}\nabc'):
        path.write_bytes(damaged)
        with pytest.raises((ValueError, OSError)):
            Postings.load(path)


def test_empty_corpus_has_no_hits():
    assert Postings.from_corpus([]).top(["attention"], 5) == []
    empty = Postings.from_corpus([[], []])
    assert empty.size == 2 and empty.top(["attention"], 5) == [] and not empty.vocab
