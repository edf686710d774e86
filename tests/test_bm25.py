import math

from rank_bm25 import BM25Okapi

from search.bm25 import BM25

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
