"""Answer snippets: the sentences of a passage that best match the query, with matches marked.

A sentence is scored by how many of the query's tokens it contains, found the
way they are highlighted: English tokens as whole words, Chinese tokens
anywhere. The passage is not cut into words again with jieba, which for
Chinese text would cost more than the search (BENCHMARKS.md "Speed").
"""
from __future__ import annotations

import re
from functools import lru_cache

from search.text.tokenize import HAN_CHAR_RE, WORD_RE

SENTENCE_RE = re.compile(r"[^。！？!?\n]+?(?:[。！？!?]+|\.(?=\s|$)|(?=\n)|$)")
"""A sentence ends at an end mark or at the end of its line (a list item, a table row or a formula has no stop)."""


def sentences(text: str) -> list[str]:
    """Split text into sentences (Chinese and English end marks, and line breaks)."""
    return [s.strip() for s in SENTENCE_RE.findall(text) if s.strip()]


@lru_cache(maxsize=256)
def _pattern(query_tokens: frozenset[str]) -> re.Pattern[str] | None:
    """One regex finding the query's tokens: Chinese ones anywhere, English ones as whole words (longest first)."""
    words = sorted((t for t in query_tokens if len(t) > 1 or HAN_CHAR_RE.match(t)), key=lambda w: (-len(w), w))
    if not words:
        return None
    alternatives = [re.escape(w) if HAN_CHAR_RE.match(w) else rf"(?<![a-z0-9]){re.escape(w)}(?![a-z0-9])" for w in words]
    return re.compile("|".join(alternatives), re.I)


SENTENCE_CACHE = 4096
"""Passage texts whose sentences are kept parsed (a server parses them all at start when they fit: see prepare)."""


def prepare(texts: list[str]) -> None:
    """Parse the sentences of ``texts`` now (a server's start), when they all fit in the cache."""
    if len(texts) <= SENTENCE_CACHE:
        for text in texts:
            _sentence_words(text)


@lru_cache(maxsize=SENTENCE_CACHE)
def _sentence_words(text: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """Each sentence of ``text`` with its lowercased Latin words and their hyphen/underscore parts (cached per text)."""
    out = []
    for sentence in sentences(text):
        words = set(WORD_RE.findall(sentence.lower()))
        words.update(part for word in list(words) for part in re.split(r"[-_.']", word))
        out.append((sentence, frozenset(words)))
    return tuple(out)


def best_sentences(text: str, query_tokens: set[str], limit: int = 2, max_chars: int = 240) -> str:
    """The ``limit`` sentences containing most of the query's tokens, in text order, cut to ``max_chars``.

    A token counts as it is highlighted: an English one as a whole word, a Chinese one anywhere. Sentences from
    different lines of the text (paragraphs, list items, rows) are joined with " … ", not run together. A sentence
    is never half a line of the page's source: kb.corpus.plain_text joins the lines of each paragraph and item.
    """
    parsed = _sentence_words(text)
    if not parsed:
        return ""
    han = [t for t in query_tokens if HAN_CHAR_RE.match(t)]
    latin = {t for t in query_tokens if len(t) > 1} - set(han)
    if han:
        scored = [(len(words & latin) + sum(t in sentence for t in han), -i, sentence) for i, (sentence, words) in enumerate(parsed)]
    else:
        scored = [(len(words & latin), -i, sentence) for i, (sentence, words) in enumerate(parsed)]
    parts = [sentence for sentence, _ in parsed]
    chosen = sorted(scored, reverse=True)[:limit]
    if all(score == 0 for score, _, _ in chosen):
        chosen = [(0, -i, s) for i, s in enumerate(parts[:limit])]
    ordered = [s for _, _, s in sorted(chosen, key=lambda t: -t[1])]
    if len(ordered) > 1:
        lines = _sentence_lines(text)
        positions = sorted(-position for _, position, _ in chosen)
        snippet = ordered[0]
        for before, after, sentence in zip(positions, positions[1:], ordered[1:]):
            snippet += (" " if lines[before] == lines[after] else " … ") + sentence  # other paragraph, item or row
    else:
        snippet = ordered[0]
    return snippet if len(snippet) <= max_chars else snippet[: max_chars - 1].rstrip() + "…"


@lru_cache(maxsize=SENTENCE_CACHE)
def _sentence_lines(text: str) -> tuple[int, ...]:
    """The line (paragraph, list item, table row, formula: see kb.corpus.plain_text) of each sentence of ``text``."""
    out, line, last = [], 0, 0
    for match in SENTENCE_RE.finditer(text):
        if match.group().strip():
            line += text.count("\n", last, match.start())
            last = match.start()
            out.append(line)
    return tuple(out)


def highlight(snippet: str, query_tokens: set[str], start: str = "[", end: str = "]") -> str:
    """Wrap the query's tokens in ``snippet`` with ``start``/``end``; touching matches become one span.

    English tokens match whole words only ('head' does not mark 'heads'' middle);
    Chinese tokens match anywhere.
    """
    pattern = _pattern(frozenset(query_tokens))
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
