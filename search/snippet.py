"""Answer snippets: the sentences of a passage that best match the query, with matches marked."""
from __future__ import annotations

import re
from functools import lru_cache

from .tokenize import HAN_CHAR_RE, Tokenizer

SENTENCE_RE = re.compile(r"[^。！？!?\n]+(?:[。！？!?]+|\.(?=\s|$)|$)")


def sentences(text: str) -> list[str]:
    """Split text into sentences (Chinese and English end marks, and line breaks)."""
    return [s.strip() for s in SENTENCE_RE.findall(text) if s.strip()]


@lru_cache(maxsize=8192)
def _tokenized_sentences(text: str, tokenizer: Tokenizer) -> tuple[tuple[str, frozenset[str]], ...]:
    """Each sentence of a passage with its tokens, cut once per passage text (a server answers many queries)."""
    return tuple((s, frozenset(tokenizer.tokens(s))) for s in sentences(text))


def prepare(texts: list[str], tokenizer: Tokenizer) -> None:
    """Cut and tokenize the sentences of ``texts`` ahead of time (a server does it once at start-up)."""
    for text in texts:
        _tokenized_sentences(text, tokenizer)


def best_sentences(text: str, query_tokens: set[str], tokenizer: Tokenizer, limit: int = 2, max_chars: int = 240) -> str:
    """The ``limit`` sentences sharing most tokens with the query, in text order, cut to ``max_chars``."""
    tokenized = _tokenized_sentences(text, tokenizer)
    if not tokenized:
        return ""
    parts = [s for s, _ in tokenized]
    scored = [(len(query_tokens & tokens), -i, s) for i, (s, tokens) in enumerate(tokenized)]
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
    words = sorted((t for t in query_tokens if len(t) > 1 or HAN_CHAR_RE.match(t)), key=len, reverse=True)
    if not words:
        return snippet
    alternatives = [re.escape(w) if HAN_CHAR_RE.match(w) else rf"(?<![a-z0-9]){re.escape(w)}(?![a-z0-9])" for w in words]
    spans: list[list[int]] = []
    for match in re.finditer("|".join(alternatives), snippet, re.I):
        if spans and match.start() <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], match.end())
        else:
            spans.append([match.start(), match.end()])
    out, position = [], 0
    for a, b in spans:
        out += [snippet[position:a], start, snippet[a:b], end]
        position = b
    return "".join(out) + snippet[position:]
