from hypothesis import example, given, settings
from hypothesis import strategies as st

import pytest

from search.fuse import convex, rrf


@pytest.mark.parametrize(
    ("rankings", "expected_order"),
    [
        ([[("a", 9), ("b", 5)], [("b", 0.9), ("a", 0.8)]], ["a", "b"]),  # tie: first seen wins
        ([[("a", 9), ("b", 5), ("c", 1)], [("c", 0.9), ("b", 0.8)]], ["c", "b", "a"]),  # 1/63+1/61 > 2/62
        ([[("x", 1)], []], ["x"]),
        ([[], []], []),
        ([[("a", 3), ("a", 2), ("b", 1)]], ["a", "b"]),  # duplicates within a leg count once
    ],
)
def test_rrf_order(rankings, expected_order):
    assert [ident for ident, _ in rrf(rankings)] == expected_order


def test_rrf_scores_follow_the_formula():
    fused = dict(rrf([[("a", 1), ("b", 1)], [("b", 1)]], k=60))
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)


def test_weighted_rrf_with_equal_weights_is_rrf():
    lists = [[("a", 9), ("b", 5), ("c", 1)], [("c", 0.9), ("b", 0.8)]]
    from search.fuse import weighted_rrf

    assert weighted_rrf(lists, [1.0, 1.0]) == rrf(lists)
    assert [i for i, _ in weighted_rrf(lists, [1.0, 0.0])] == ["a", "b", "c"]


def test_convex_normalises_each_list():
    from search.fuse import convex

    fused = dict(convex([[("a", 10.0), ("b", 5.0), ("c", 0.0)], [("c", 0.9), ("a", 0.1)]], [0.5, 0.5]))
    assert fused["a"] == pytest.approx(0.5 * 1.0 + 0.5 * 0.0)
    assert fused["b"] == pytest.approx(0.5 * 0.5)
    assert fused["c"] == pytest.approx(0.5 * 0.0 + 0.5 * 1.0)
    assert convex([[], [("x", 1.0)]], [0.5, 0.5]) == [("x", 0.5)]


def test_demote_subtracts_the_penalty_and_resorts():
    from search.fuse import demote

    ranked = [("term:gqa", 1.0), ("page#gqa", 0.9), ("page#mha", 0.5)]
    out = demote(ranked, {"term:gqa"}, 0.2)
    assert [ident for ident, _ in out] == ["page#gqa", "term:gqa", "page#mha"]
    assert dict(out)["term:gqa"] == pytest.approx(0.8)
    assert demote(ranked, {"term:gqa"}, 0.0) == ranked


def _convex_reference(rankings, weights):
    """The plain version: a dict of fused scores sorted by (score, first seen) with a key function."""
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights):
        best: dict[str, float] = {}
        for ident, score in ranking:
            best.setdefault(ident, score)
        if not best:
            continue
        low, high = min(best.values()), max(best.values())
        for ident, score in best.items():
            fused[ident] = fused.get(ident, 0.0) + weight * ((score - low) / (high - low) if high > low else 1.0)
    order = {ident: i for i, ident in enumerate(fused)}
    return sorted(fused.items(), key=lambda item: (-item[1], order[item[0]]))


_ids = st.sampled_from([f"p{i}" for i in range(12)])
_scores = st.sampled_from([0.0, 1.0, 2.0, 3.0, 4.0])  # few values on a grid, so that ties are common
_ranking = st.lists(st.tuples(_ids, _scores), max_size=10)


@settings(max_examples=300, deadline=None)
@given(
    rankings=st.lists(_ranking, min_size=1, max_size=3).flatmap(
        lambda r: st.tuples(st.just(r), st.lists(st.sampled_from([0.0, 0.3, 0.5, 1.0]), min_size=len(r), max_size=len(r)))
    ),
    demoted=st.frozensets(_ids, max_size=6),
    penalty=st.sampled_from([0.0, 0.05, 0.25, 0.5]),  # 0.25 and 0.5 land demoted ids exactly on others' scores
)
@example(rankings=([[("b", 4.0), ("a", 2.0), ("c", 0.0)], [("a", 1.0)]], [1.0, 1.0]), demoted=frozenset({"a"}), penalty=0.5)
def test_convex_with_a_penalty_is_demote_after_convex(rankings, demoted, penalty):
    """One sort gives what the search did in two (convex, then demote), ties included, float for float.

    The explicit example: "a" (fused 0.5 + 1.0) is demoted to 1.0, level with "b" (1.0), which was seen first;
    demote keeps "a" first, as convex ranked it.
    """
    from search.fuse import convex, demote

    lists, weights = rankings
    assert convex(lists, weights) == _convex_reference(lists, weights)
    assert convex(lists, weights, demoted, penalty) == demote(_convex_reference(lists, weights), demoted, penalty)


def test_a_window_makes_fused_scores_independent_of_how_many_candidates_were_fetched():
    """Without a window the shortest list's minimum sets the scale, so fetching more reorders the top."""
    bm25 = [("a", 10.0), ("b", 9.0), ("c", 5.0), ("d", 1.0), ("e", 0.5)]
    dense = [("b", 0.9), ("c", 0.85), ("a", 0.2), ("e", 0.1), ("d", 0.05)]
    short = convex([bm25[:3], dense[:3]], (0.5, 0.5), window=3)
    long = convex([bm25, dense], (0.5, 0.5), window=3)
    assert dict(long)["a"] == dict(short)["a"] and [i for i, _ in long[:3]] == [i for i, _ in short[:3]]
    assert dict(long)["d"] == 0.0  # below both windows' lowest: as if it were missing
    # the plain normalisation over each whole list does move the scores
    assert dict(convex([bm25, dense], (0.5, 0.5)))["a"] != dict(convex([bm25[:3], dense[:3]], (0.5, 0.5)))["a"]
