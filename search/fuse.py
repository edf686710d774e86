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


def weighted_rrf(rankings: Sequence[Sequence[tuple[str, float]]], weights: Sequence[float], k: int = 60) -> list[tuple[str, float]]:
    """Reciprocal rank fusion with one weight per retriever: score = Σ w_j / (k + rank_j).

    Args:
        rankings: one list per retriever, best first, of (id, score).
        weights: one non-negative weight per list.
        k: the damping constant.

    Returns:
        (id, fused score), best first, each id once.
    """
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        seen: set[str] = set()
        for ident, _score in ranking:
            if ident in seen:
                continue
            seen.add(ident)
            fused[ident] = fused.get(ident, 0.0) + weight / (k + len(seen))
    order = {ident: i for i, ident in enumerate(fused)}
    return sorted(fused.items(), key=lambda item: (-item[1], order[item[0]]))


def convex(
    rankings: Sequence[Sequence[tuple[str, float]]],
    weights: Sequence[float],
    demoted: set[str] | frozenset[str] = frozenset(),
    penalty: float = 0.0,
    window: int | None = None,
) -> list[tuple[str, float]]:
    """Weighted sum of min-max normalised scores; an id missing from a list scores 0 there.

    Args:
        rankings: one list per retriever, best first, of (id, raw score).
        weights: one weight per list (e.g. 0.7 BM25, 0.3 dense).
        demoted: ids whose fused score loses ``penalty`` (e.g. glossary entries); the result is then
            ``demote(convex(rankings, weights), demoted, penalty)``, made with one sort instead of two.
        penalty: see ``demoted``.
        window: normalise each list over its first ``window`` ids only (scores below the window's lowest count 0,
            as a missing id does), so that fetching more candidates never changes any id's fused score.

    Returns:
        (id, fused score in [0, Σ weights], less any penalty), best first, each id once; ties keep first-seen order.
    """
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        if not ranking:
            continue
        best = dict(ranking)  # an id listed twice keeps its first place but its last score: redo it keeping the first
        if len(best) < len(ranking):
            best = {}
            for ident, score in ranking:
                best.setdefault(ident, score)
        values = list(best.values())
        if window is not None and len(values) > window:
            values = values[:window]
        low, high = min(values), max(values)
        span = high - low
        for ident, score in best.items():
            fused[ident] = fused.get(ident, 0.0) + weight * (max(0.0, (score - low) / span) if span > 0 else 1.0 if score >= low else 0.0)
    # Sorting plain tuples compares in C, where a key function would be a Python call per id. The undemoted score
    # comes second so that ties after the penalty keep the order demote() would find them in.
    keyed = [
        (-(score - penalty if ident in demoted else score), -score, order, ident)
        for order, (ident, score) in enumerate(fused.items())
    ]
    keyed.sort()
    return [(ident, -adjusted) for adjusted, _, _, ident in keyed]


def demote(ranked: Sequence[tuple[str, float]], ids: set[str] | frozenset[str], penalty: float) -> list[tuple[str, float]]:
    """Subtract ``penalty`` from the fused score of every id in ``ids`` (e.g. glossary entries) and re-sort.

    Args:
        ranked: fused (id, score), best first.
        ids: the ids to demote.
        penalty: amount subtracted from their scores.

    Returns:
        (id, adjusted score), best first; ties keep the input order.
    """
    order = {ident: i for i, (ident, _) in enumerate(ranked)}
    adjusted = [(ident, score - penalty if ident in ids else score) for ident, score in ranked]
    return sorted(adjusted, key=lambda item: (-item[1], order[item[0]]))
