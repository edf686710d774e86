"""Fusion of ranked lists: pure functions over (passage_id, score) lists, testable with no model."""
from __future__ import annotations

from collections.abc import Sequence


def rrf(rankings: Sequence[Sequence[tuple[str, float]]], k: int = 60) -> list[tuple[str, float]]:
    """Reciprocal rank fusion (Cormack et al., 2009): score = Σ 1 / (k + rank).

    Args:
        rankings: one list per retriever, each best first, of (id, score); ids may repeat across lists.
        k: the damping constant (60 in the paper).

    Returns:
        (id, fused score) for every id seen, best first, each id once; ties keep first-seen order.
    """
    fused: dict[str, float] = {}
    for ranking in rankings:
        seen: set[str] = set()
        rank = 0
        for ident, _score in ranking:
            if ident in seen:
                continue
            seen.add(ident)
            rank += 1
            fused[ident] = fused.get(ident, 0.0) + 1.0 / (k + rank)
    order = {ident: i for i, ident in enumerate(fused)}
    return sorted(fused.items(), key=lambda item: (-item[1], order[item[0]]))
