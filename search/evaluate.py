"""Retrieval quality on the evaluation set (eval/queries/*.yaml), scored with trec_eval (pytrec_eval)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from search.errors import SearchError

EVAL_DIR = Path(__file__).resolve().parent.parent / "eval" / "queries"
METRICS = ("R@1", "R@5", "MRR@10", "nDCG@10")
_TREC = {"R@1": "recall_1", "R@5": "recall_5", "MRR@10": "recip_rank", "nDCG@10": "ndcg_cut_10"}


class Query(BaseModel):
    """One labelled question of the evaluation set."""

    model_config = ConfigDict(extra="forbid")
    q: str = Field(min_length=1)
    lang: Literal["en", "zh", "mixed"]
    relevant: list[str]
    """Passage ids that answer the query; empty for an off-topic query (eval/queries/negative.yaml)."""


@dataclass
class Labelled:
    """A query with its id and source file."""

    qid: str
    query: Query
    file: str


def load_queries(directory: Path = EVAL_DIR) -> list[Labelled]:
    """Every query of every file; a malformed one raises SearchError with file and position."""
    out = []
    for path in sorted(directory.glob("*.yaml")):
        items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        for index, item in enumerate(items, start=1):
            try:
                out.append(Labelled(f"{path.stem}-{index}", Query(**item), path.name))
            except (ValidationError, TypeError) as exc:
                raise SearchError(f"{path}: query #{index} is malformed: {str(exc).splitlines()[0]}") from None
    return out


def check_labels(queries: list[Labelled], passage_ids: set[str]) -> None:
    """Fail loudly when a labelled passage id no longer exists (a heading id was renamed or removed)."""
    missing = [(q.file, q.query.q, ident) for q in queries for ident in q.query.relevant if ident not in passage_ids]
    if missing:
        file, text, ident = missing[0]
        raise SearchError(f"{len(missing)} labelled passage id(s) no longer exist, e.g. '{ident}' for '{text}' in eval/queries/{file}; fix the label or restore the heading id")


def positives(queries: list[Labelled]) -> list[Labelled]:
    """The queries with labelled answers (scored for recall)."""
    return [q for q in queries if q.query.relevant]


def negatives(queries: list[Labelled]) -> list[Labelled]:
    """The off-topic queries (nothing should match; they calibrate the no-match threshold)."""
    return [q for q in queries if not q.query.relevant]


def score(queries: list[Labelled], runs: dict[str, list[str]]) -> dict[str, dict[str, float]]:
    """Per-query metrics with trec_eval; ``runs`` maps qid -> ranked passage ids (top 10 used)."""
    import pytrec_eval

    qrels = {q.qid: {ident: 1 for ident in q.query.relevant} for q in queries}
    # distinct descending scores keep our order (trec_eval re-sorts by score); cut at 10 so recip_rank is MRR@10
    run = {qid: {ident: 1.0 / rank for rank, ident in enumerate(ids[:10], start=1)} or {"-": 0.0} for qid, ids in runs.items()}
    evaluator = pytrec_eval.RelevanceEvaluator(qrels, set(_TREC.values()) - {"recall_1", "recall_5"} | {"recall.1,5"})
    raw = evaluator.evaluate(run)
    return {qid: {name: raw.get(qid, {}).get(key, 0.0) for name, key in _TREC.items()} for qid in qrels}


def summarize(queries: list[Labelled], per_query: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """Mean of each metric overall and per query language: {'all'|'en'|'zh'|'mixed': {metric: value, 'n': count}}."""
    groups: dict[str, list[str]] = defaultdict(list)
    for q in queries:
        groups["all"].append(q.qid)
        groups[q.query.lang].append(q.qid)
    out = {}
    for group, qids in groups.items():
        out[group] = {m: sum(per_query[qid][m] for qid in qids) / len(qids) for m in METRICS}
        out[group]["n"] = len(qids)
    return out


def evaluate(searcher, queries: list[Labelled], modes: tuple[str, ...] = ("bm25", "dense", "hybrid")) -> dict[str, dict[str, dict[str, float]]]:  # noqa: ANN001
    """Run every labelled query in every mode; return {mode: summary}."""
    check_labels(queries, {p.id for p in searcher.passages})
    queries = positives(queries)
    if any(mode != "bm25" for mode in modes):
        searcher.prepare_queries([searcher.suggest(q.query.q) or q.query.q for q in queries])
    results = {}
    for mode in modes:
        runs = {q.qid: [h.id for h in searcher.search(searcher.suggest(q.query.q) or q.query.q, k=10, mode=mode, snippets=False)] for q in queries}
        results[mode] = summarize(queries, score(queries, runs))
    return results


def no_match_rates(searcher, queries: list[Labelled]) -> dict[str, float]:  # noqa: ANN001
    """How the no-relevant-match check splits the set: share of off-topic queries it rejects, share of labelled ones it wrongly rejects."""
    def rejected(subset: list[Labelled]) -> int:
        return sum(not searcher.has_match(searcher.suggest(q.query.q) or q.query.q) for q in subset)

    neg, pos = negatives(queries), positives(queries)
    out = {"negatives": len(neg), "negatives_rejected": rejected(neg), "positives": len(pos), "positives_rejected": rejected(pos)}
    for lang in ("en", "zh", "mixed"):
        out[f"{lang}:negatives_rejected"] = rejected([q for q in neg if q.query.lang == lang])
        out[f"{lang}:positives_rejected"] = rejected([q for q in pos if q.query.lang == lang])
    return out


def no_match_line(rates: dict[str, float]) -> str:
    """One line for `kb eval`: the no-match check's trade-off."""
    neg, pos = rates["negatives"], rates["positives"]
    return (
        f"no relevant match: {rates['negatives_rejected']} of {neg} off-topic queries rejected ({rates['negatives_rejected'] / max(neg, 1):.0%}), "
        f"{rates['positives_rejected']} of {pos} labelled queries wrongly rejected ({rates['positives_rejected'] / max(pos, 1):.1%})"
    )


def table(results: dict[str, dict[str, dict[str, float]]]) -> str:
    """A Markdown table: one row per (mode, query language)."""
    lines = ["| mode | queries | n | " + " | ".join(METRICS) + " |", "|---|---|---|" + "---|" * len(METRICS)]
    for mode, summary in results.items():
        for group in ("all", "en", "zh", "mixed"):
            if group in summary:
                row = summary[group]
                lines.append(f"| {mode} | {group} | {int(row['n'])} | " + " | ".join(f"{row[m]:.3f}" for m in METRICS) + " |")
    return "\n".join(lines)


def collect_legs(searcher, queries: list[Labelled], pool: int = 100) -> dict[str, tuple[list, list]]:  # noqa: ANN001
    """Each labelled query's BM25 and dense candidate lists as (passage id, raw score), computed once for tuning."""
    queries = positives(queries)
    searcher.prepare_queries([q.query.q for q in queries])
    out = {}
    for q in queries:
        text = q.query.q.strip()
        bm25 = [(searcher.passages[i].id, s) for i, s in searcher.bm25_top(text, pool)]
        dense = [(searcher.passages[i].id, s) for i, s in searcher.dense_top(text, pool)]
        out[q.qid] = (bm25, dense)
    return out


def fusion_grid() -> list[tuple[str, dict]]:
    """Fusion settings compared by `kb eval --tune`: (label, parameters for search.fuse)."""
    grid: list[tuple[str, dict]] = [("rrf k=60", {"method": "rrf", "weights": (1.0, 1.0), "k": 60})]
    for k in (10, 60):
        for w in (0.2, 0.35, 0.5, 0.75):
            grid.append((f"wrrf k={k} dense={w}", {"method": "wrrf", "weights": (1.0, w), "k": k}))
    for w in (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6):
        grid.append((f"convex dense={w}", {"method": "convex", "weights": (1.0 - w, w)}))
    for prior in (0.1, 0.2, 0.3):
        for w in (0.15, 0.2, 0.3, 0.4, 0.5):
            grid.append((f"convex dense={w} term_prior={prior}", {"method": "convex", "weights": (1.0 - w, w), "term_prior": prior}))
    return grid


def fuse_with(params: dict, bm25: list, dense: list, terms: frozenset[str] = frozenset()) -> list[str]:
    """Apply one fusion setting to a query's two legs (``terms``: glossary-entry ids a ``term_prior`` demotes); return ranked ids."""
    from search.engine import FUSION_POOL
    from search.fuse import convex, demote, weighted_rrf

    if params["method"] == "convex":  # the search's own call (engine.Searcher.search), penalty and window included
        fused = convex([bm25, dense], params["weights"], terms, params.get("term_prior", 0.0), window=FUSION_POOL)
    else:
        fused = weighted_rrf([bm25, dense], params["weights"], k=params.get("k", 60))
        if params.get("term_prior"):
            fused = demote(fused, terms, params["term_prior"])
    return [ident for ident, _ in fused]


def tune(queries: list[Labelled], legs: dict[str, tuple[list, list]], metric: str = "MRR@10", terms: frozenset[str] = frozenset()) -> list[dict]:
    """Score every fusion setting per query language on a tuning half (even positions) and a held-out half (odd).

    Settings may differ by query language (the dense leg barely sees Chinese), so
    the best setting is chosen per language on the tuning half and reported on the other.
    """
    queries = positives(queries)
    halves = {"tune": queries[0::2], "test": queries[1::2]}
    rows = []
    for label, params in fusion_grid():
        row = {"setting": label, "params": params}
        for half, subset in halves.items():
            runs = {q.qid: fuse_with(params, *legs[q.qid], terms) for q in subset}
            summary = summarize(subset, score(subset, runs))
            for group, values in summary.items():
                row[f"{half}:{group}"] = values[metric]
        rows.append(row)
    return rows


def unfound_sections(searcher, queries: list[Labelled], k: int = 5) -> dict[str, list[str]]:  # noqa: ANN001
    """Sections not found in the top ``k`` by at least one English and one Chinese (zh or mixed) query.

    Returns:
        section id -> the languages ('en', 'zh') that have no query finding it.
    """
    queries = positives(queries)
    searcher.prepare_queries([q.query.q for q in queries])
    found: dict[str, set[str]] = {}
    for q in queries:
        ids = {h.id for h in searcher.search(q.query.q, k=k, snippets=False)}
        lang = "en" if q.query.lang == "en" else "zh"
        for ident in q.query.relevant:
            if ident in ids:
                found.setdefault(ident, set()).add(lang)
    out = {}
    for passage in searcher.passages:
        if passage.kind == "section":
            missing = [lang for lang in ("en", "zh") if lang not in found.get(passage.id, set())]
            if missing:
                out[passage.id] = missing
    return out
