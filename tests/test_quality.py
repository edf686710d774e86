"""Retrieval quality on the evaluation set, with the real model: a floor that fails when search gets worse.

Floors sit a little under the figures measured when they were set (BENCHMARKS.md,
"Search quality"); raise them as the search improves. The issue's targets are
asserted as such: MRR@10 ≥ 0.85 overall (0.857 measured), Recall@5 ≥ 0.90 for
English and for Chinese queries, hybrid above each leg in every language. The
content issues' condition, every section found in the top 5 by an English and
a Chinese question of the set, is asserted too.
"""
from __future__ import annotations

import pytest

from search.evaluate import evaluate, load_queries, no_match_line, no_match_rates, table, unfound_sections


@pytest.fixture(scope="module")
def results(real_searcher):
    found = evaluate(real_searcher, load_queries())
    print("\n" + table(found))
    return found


def test_hybrid_meets_its_floor(results):
    hybrid = results["hybrid"]
    assert hybrid["all"]["MRR@10"] >= 0.85  # the target
    assert hybrid["en"]["MRR@10"] >= 0.86
    assert hybrid["zh"]["MRR@10"] >= 0.845
    assert hybrid["mixed"]["MRR@10"] >= 0.835
    assert hybrid["mixed"]["R@5"] >= 0.92


@pytest.mark.parametrize("group", ["en", "zh"])
def test_recall_target_for_english_and_chinese(results, group):
    assert results["hybrid"][group]["R@5"] >= 0.90


@pytest.mark.parametrize("group", ["all", "en", "zh", "mixed"])
@pytest.mark.parametrize("metric", ["MRR@10", "R@5", "nDCG@10"])
def test_hybrid_beats_each_leg_in_every_language(results, group, metric):
    assert results["hybrid"][group][metric] > results["bm25"][group][metric]
    assert results["hybrid"][group][metric] > results["dense"][group][metric]


def test_chinese_is_not_the_weaker_language(results):
    assert results["hybrid"]["zh"]["R@5"] >= results["hybrid"]["en"]["R@5"] - 0.01
    assert results["dense"]["zh"]["MRR@10"] >= 0.65  # the Chinese query map; the English-only encoder alone gave 0.46


def test_off_topic_queries_get_no_match(real_searcher):
    rates = no_match_rates(real_searcher, load_queries())
    print("\n" + no_match_line(rates))
    assert rates["negatives_rejected"] >= 0.9 * rates["negatives"]
    assert rates["positives_rejected"] <= 0.01 * rates["positives"]


def test_every_section_is_found_by_an_english_and_a_chinese_question(real_searcher):
    unfound = unfound_sections(real_searcher, load_queries())
    assert not unfound, f"{len(unfound)} sections not found in the top 5 (kb eval --sections): {sorted(unfound.items())[:5]}"


def test_the_top_five_do_not_depend_on_k(real_searcher):
    """`-k 5` shows the first five of `-k 10`, `-k 20` and `-k 100` (the pool once grew with k and moved the scale)."""
    queries = [q.query.q for q in load_queries()[::25]]
    assert len(queries) >= 40
    differ = []
    for query in queries:
        first = [h.id for h in real_searcher.search(query, k=5, snippets=False)]
        for k in (10, 20, 100):
            if [h.id for h in real_searcher.search(query, k=k, snippets=False)[:5]] != first:
                differ.append((query, k))
    assert not differ, differ[:5]


@pytest.fixture(scope="module")
def answered(real_searcher):
    from search.answer_eval import answers_table, load_questions, ranks, summarize_answers

    questions = load_questions()
    summary = summarize_answers(questions, ranks(real_searcher, questions))
    print("\n" + answers_table(summary))
    return summary


@pytest.mark.parametrize(("lang", "at1", "at3"), [("en", 0.45, 0.60), ("zh", 0.31, 0.50)])
def test_answer_level_floors_on_the_held_out_half(answered, lang, at1, at3):
    """Real interview questions (eval/answers), held-out half: the answering section first / in the top 3.

    Floors sit under today's figures (BENCHMARKS.md, "Answer-level quality"); the issue's targets (answered@1 ≥ 0.80,
    answered@3 ≥ 0.95 per language) are not met yet, so they are not asserted as met.
    """
    row = answered[f"held:{lang}"]
    assert row["answerable"] >= 80
    assert row["answered@1"] >= at1
    assert row["answered@3"] >= at3
