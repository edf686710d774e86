"""Retrieval quality on the evaluation set, with the real model: a floor that fails when search gets worse.

Floors sit a little under the figures measured when they were set (README,
"Search quality"); raise them as the search improves.
"""
from __future__ import annotations

import pytest

from search.evaluate import evaluate, load_queries, table


@pytest.fixture(scope="module")
def results(real_searcher):
    found = evaluate(real_searcher, load_queries())
    print("\n" + table(found))
    return found


def test_hybrid_meets_its_floor(results):
    hybrid = results["hybrid"]
    assert hybrid["all"]["MRR@10"] >= 0.78
    assert hybrid["en"]["R@5"] >= 0.90
    assert hybrid["zh"]["R@5"] >= 0.87
    assert hybrid["mixed"]["R@5"] >= 0.87


@pytest.mark.parametrize("metric", ["MRR@10", "R@5", "nDCG@10"])
def test_hybrid_beats_each_leg_overall(results, metric):
    assert results["hybrid"]["all"][metric] > results["bm25"]["all"][metric]
    assert results["hybrid"]["all"][metric] > results["dense"]["all"][metric]


def test_hybrid_beats_dense_in_every_language(results):
    for group in ("en", "zh", "mixed"):
        assert results["hybrid"][group]["MRR@10"] > results["dense"][group]["MRR@10"], group
