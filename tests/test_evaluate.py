import pytest

from search.build.opener import open_searcher
from search.errors import SearchError
from search.evaluate import Labelled, Query, check_labels, score, summarize, table, unfound_sections


def labelled(qid, q, lang, relevant):
    return Labelled(qid, Query(q=q, lang=lang, relevant=relevant), "t.yaml")


def test_metrics_follow_their_definitions():
    queries = [labelled("a", "x", "en", ["p1"]), labelled("b", "y", "zh", ["p2", "p3"])]
    per_query = score(queries, {"a": ["p0", "p1"], "b": ["p3"]})
    assert per_query["a"]["R@1"] == 0 and per_query["a"]["R@5"] == 1 and per_query["a"]["MRR@10"] == 0.5
    assert per_query["b"]["R@1"] == 0.5 and per_query["b"]["MRR@10"] == 1
    assert per_query["a"]["nDCG@10"] == pytest.approx(1 / 1.5849625, rel=1e-6)  # 1/log2(3)
    summary = summarize(queries, per_query)
    assert summary["all"]["MRR@10"] == 0.75 and summary["en"]["n"] == 1 and summary["zh"]["R@5"] == 0.5
    assert "| hybrid | all | 2 |" in table({"hybrid": summary})


def test_hits_past_ten_do_not_count_for_mrr():
    queries = [labelled("a", "x", "en", ["p11"])]
    ranked = [f"p{i}" for i in range(12)]
    assert score(queries, {"a": ranked})["a"]["MRR@10"] == 0


def test_missing_label_fails_loudly():
    with pytest.raises(SearchError, match="1 labelled passage id.*'gone' for 'x'"):
        check_labels([labelled("a", "x", "en", ["gone"])], {"p1"})


def test_unfound_sections(tmp_path, kb_copy, corpus_of, fake_encoder):
    searcher = open_searcher(root=tmp_path / "i", encoder=fake_encoder, corpus=corpus_of(kb_copy))
    queries = [
        labelled("a", "grouped query attention", "en", ["attention/gqa#gqa"]),
        labelled("b", "分组查询注意力", "zh", ["attention/gqa#gqa"]),
        labelled("c", "kv cache memory size", "en", ["attention/gqa#kv-memory"]),
    ]
    missing = unfound_sections(searcher, queries)
    assert "attention/gqa#gqa" not in missing
    assert missing["attention/gqa#kv-memory"] == ["zh"]
    assert missing["attention/gqa#mha"] == ["en", "zh"]


def test_negatives_are_kept_apart_from_scored_queries():
    from search.evaluate import negatives, positives

    queries = [labelled("a-1", "gqa", "en", ["term:gqa"]), labelled("n-1", "红烧肉怎么做", "zh", [])]
    assert [q.qid for q in positives(queries)] == ["a-1"]
    assert [q.qid for q in negatives(queries)] == ["n-1"]
