"""Answer snippets: the sentences of a passage that best match the query, with matches marked.

A sentence is scored by how many of the query's tokens it contains, found the
way they are highlighted: English tokens as whole words, Chinese tokens
anywhere. The passage itself is not cut into words again, which for Chinese
text would cost more than the search (README "Speed").
"""
from __future__ import annotations

import re

from .tokenize import HAN_CHAR_RE

SENTENCE_RE = re.compile(r"[^。！？!?\n]+?(?:[。！？!?]+|\.(?=\s|$)|$)")


def sentences(text: str) -> list[str]:
    """Split text into sentences (Chinese and English end marks, and line breaks)."""
    return [s.strip() for s in SENTENCE_RE.findall(text) if s.strip()]


def _pattern(query_tokens: set[str]) -> re.Pattern[str] | None:
    """One regex finding the query's tokens: Chinese ones anywhere, English ones as whole words (longest first)."""
    words = sorted((t for t in query_tokens if len(t) > 1 or HAN_CHAR_RE.match(t)), key=len, reverse=True)
    if not words:
        return None
    alternatives = [re.escape(w) if HAN_CHAR_RE.match(w) else rf"(?<![a-z0-9]){re.escape(w)}(?![a-z0-9])" for w in words]
    return re.compile("|".join(alternatives), re.I)


def matched(sentence: str, pattern: re.Pattern[str] | None) -> int:
    """How many different query tokens ``sentence`` contains."""
    return len({m.lower() for m in pattern.findall(sentence)}) if pattern is not None else 0


def best_sentences(text: str, query_tokens: set[str], limit: int = 2, max_chars: int = 240) -> str:
    """The ``limit`` sentences containing most of the query's tokens, in text order, cut to ``max_chars``."""
    parts = sentences(text)
    if not parts:
        return ""
    pattern = _pattern(query_tokens)
    scored = [(matched(s, pattern), -i, s) for i, s in enumerate(parts)]
    chosen = sorted(scored, reverse=True)[:limit]
    if all(score == 0 for score, _, _ in chosen):
        chosen = [(0, -i, s) for i, s in enumerate(parts[:limit])]
    ordered = [s for _, _, s in sorted(chosen, key=lambda t: -t[1])]
    snippet = " ".join(ordered)
    return snippet if len(snippet) <= max_chars else snippet[: max_chars - 1].rstrip() + "…"


def highlight(snippet: str, query_tokens: set[str], start: str = "[", end: str = "]") -> str:
    """Wrap the query's tokens in ``snippet`` with ``start``/``end``; touching matches become one span.

    English tokens match whole words only ('head' does not mark 'heads'' middle);
    Chinese tokens match anywhere.
    """
    pattern = _pattern(query_tokens)
    if pattern is None:
        return snippet
    spans: list[list[int]] = []
    for match in pattern.finditer(snippet):
        if spans and match.start() <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], match.end())
        else:
            spans.append([match.start(), match.end()])
    out, position = [], 0
    for a, b in spans:
        out += [snippet[position:a], start, snippet[a:b], end]
        position = b
    return "".join(out) + snippet[position:]
