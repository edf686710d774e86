"""One answer to a query, the same from every door: `kb search`, `/api/search` and the Ask box that calls it.

Correcting near-miss words, deciding that nothing in the notes is relevant and
ranking happen here once, so the CLI and the HTTP service cannot disagree
(they did: the service ranked five LoRA sections for 'qwzxv plorbt' while the
CLI said nothing matched).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from search.engine import Hit, Searcher
from search.query import validate


@dataclass
class Answer:
    """What a query gets: the hits, or none and ``no_match`` when the notes hold nothing relevant."""

    query: str
    """The query as searched (after typo correction)."""
    corrected: str | None
    """The corrected query when a near-miss word was corrected ('kv cahce' -> 'kv cache'), else None."""
    no_match: bool
    """True when nothing in the notes is likely to answer the query (Searcher.has_match); ``hits`` is then empty."""
    hits: list[Hit]
    warnings: list[str] = field(default_factory=list)
    """One-line warnings of the search (model unavailable, nothing to search for)."""


def answer(searcher: Searcher, query: str, k: int = 5, mode: str = "hybrid", lang: str = "auto", explain: bool = False) -> Answer:
    """Correct, decide whether anything matches, and rank; raise SearchError for bad arguments.

    Args:
        searcher: the loaded index.
        query: the question (already cleaned of control characters by the caller, if it wants a notice about it).
        k, mode, lang, explain: as for Searcher.search.
    """
    query = validate(query, k, mode, lang)
    corrected = searcher.suggest(query)
    if corrected:
        query = corrected
    if any(char.isalnum() for char in query) and not searcher.has_match(query):
        return Answer(query=query, corrected=corrected, no_match=True, hits=[])
    hits = searcher.search(query, k=k, mode=mode, lang=lang, explain=explain)
    return Answer(query=query, corrected=corrected, no_match=False, hits=hits, warnings=list(searcher.warnings))
