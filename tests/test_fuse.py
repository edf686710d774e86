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
