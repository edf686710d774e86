import pytest

from search.build.opener import open_searcher
from search.query import detect_lang
from search.errors import SearchError


@pytest.fixture
def searcher(tmp_path, kb_copy, corpus_of, fake_encoder):
    return open_searcher(root=tmp_path / "index", encoder=fake_encoder, base_url="http://127.0.0.1:8000", corpus=corpus_of(kb_copy))


def test_first_use_builds_the_index(searcher):
    assert searcher.rebuilt and len(searcher.passages) == 8


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
def test_english_query_finds_gqa(searcher, mode):
    hits = searcher.search("grouped query attention", k=3, mode=mode)
    assert {"term:gqa", "attention/gqa#gqa"} & {h.id for h in hits}
    assert all(h.lang == "en" for h in hits)


def test_chinese_query_gets_chinese_titles_and_links(searcher):
    hits = searcher.search("分组查询注意力", k=3, mode="bm25")
    assert hits[0].id in {"term:gqa", "attention/gqa#gqa"}
    assert hits[0].lang == "zh" and hits[0].url.startswith("http://127.0.0.1:8000/zh/")
    assert "分组查询注意力" in hits[0].title


def test_hits_are_distinct_and_in_score_order(searcher):
    hits = searcher.search("attention heads KV cache", k=8)
    assert len({h.id for h in hits}) == len(hits) <= 8
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))


def test_stale_index_is_rebuilt(tmp_path, kb_copy, corpus_of, fake_encoder):
    root = tmp_path / "index"
    open_searcher(root=root, encoder=fake_encoder, corpus=corpus_of(kb_copy))
    assert not open_searcher(root=root, encoder=fake_encoder, corpus=corpus_of(kb_copy)).rebuilt
    page = kb_copy / "docs" / "attention" / "gqa.md"
    page.write_text(page.read_text(encoding="utf-8").replace("shrinks", "reduces"), encoding="utf-8")
    again = open_searcher(root=root, encoder=fake_encoder, corpus=corpus_of(kb_copy))
    assert again.rebuilt
    assert "reduces" in next(p for p in again.passages if p.id == "attention/gqa#gqa").text["en"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"query": "   "}, "empty query"),
        ({"query": "gqa", "mode": "fuzzy"}, "unknown mode 'fuzzy'"),
        ({"query": "gqa", "lang": "fr"}, "unknown language 'fr'"),
        ({"query": "gqa", "k": 0}, "k must be between 1 and 100, got 0"),
        ({"query": "gqa", "k": 101}, "k must be between 1 and 100"),
    ],
)
def test_bad_arguments(searcher, kwargs, message):
    with pytest.raises(SearchError, match=message):
        searcher.search(**kwargs)


def test_detect_lang():
    assert detect_lang("GQA 为什么省显存") == "zh"
    assert detect_lang("why does GQA save memory") == "en"
    assert detect_lang("DPO vs RLHF？") == "zh"  # typed on a Chinese keyboard: Chinese titles and links
    assert detect_lang("DPO vs RLHF (and PPO)?") == "en"


def test_glossary_bridge_adds_english_names_for_the_encoder(searcher):
    assert "Grouped-query attention" in searcher.dense_query("分组查询注意力 省显存吗")
    assert searcher.dense_query("rope") == "rope"


def test_off_topic_chinese_queries_have_no_relevant_match(searcher):
    assert searcher.has_match("grouped query attention")
    assert searcher.has_match("分组查询注意力 省显存吗")
    assert not searcher.has_match("红烧肉怎么做")
    assert not searcher.has_match("明天天气怎么样")


def test_chinese_dense_leg_uses_the_query_map(searcher):
    assert searcher.query_map is not None
    # no glossary name in the query: only the Chinese query map can place it
    hits = searcher.search("查询头分成若干组", k=2, mode="dense", snippets=False)
    assert {"term:gqa", "attention/gqa#gqa"} & {h.id for h in hits}


def test_the_ranking_cases_are_not_the_index_order(searcher):
    """The table below would catch a search that lists passages in index order."""
    from ranking_cases import INDEX_ORDER, RANKED

    assert [p.id for p in searcher.passages] == INDEX_ORDER
    assert all(expected != INDEX_ORDER[: len(expected)] for _, _, expected in RANKED)


@pytest.mark.parametrize(("query", "mode", "expected"), __import__("ranking_cases").RANKED)
def test_the_ranking_is_exact(searcher, query, mode, expected):
    ids = [h.id for h in searcher.search(query, k=8, mode=mode)]
    assert ids[: len(expected)] == expected
    if mode == "bm25":
        assert ids == expected  # nothing else holds a query word
