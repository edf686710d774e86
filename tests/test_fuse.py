import pytest

from search.fuse import rrf


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
