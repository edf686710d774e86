"""Answer queries from a built index: BM25 leg, dense leg, fusion, hits with links and snippets."""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from kb.schema import Passage

from .bm25 import BM25
from .dense import Encoder, VectorIndex
from .errors import SearchError
from .fuse import convex, demote
from .indexer import build, glossary_words, is_stale, load_corpus
from .snippet import best_sentences
from .suggest import Suggester, english_words
from .store import IndexCorrupt, StoredIndex, default_root, read_index
from .tokenize import HAN_RUN_RE, Tokenizer, has_han
from .zhmap import QueryMap

Mode = Literal["hybrid", "bm25", "dense"]
MODES = ("hybrid", "bm25", "dense")
LANG_CHOICES = ("auto", "en", "zh")
MAX_K = 100
DENSE_WEIGHT = {"en": 0.4, "mixed": 0.4, "zh": 0.4}
"""Weight of the dense leg in the convex fusion, by query script; tuned with `kb eval --tune` (README)."""
ZH_MAP_WEIGHT = {"en": 0.0, "mixed": 0.4, "zh": 0.85}
"""Share of the Chinese query map (search/zhmap.py) in the dense query vector, by query script; tuned on the evaluation set's tuning half."""
TERM_PRIOR = 0.2
"""Subtracted from a glossary entry's fused score (of at most 1): a section that answers the question outranks the entry that names its topic; tuned like DENSE_WEIGHT."""
NO_MATCH_COVERAGE = 0.4
"""A query has no relevant match when the best of its top 10 BM25 passages holds less than this share of its words' IDF
(words the index lacks count at the highest IDF) and, unless it is all Chinese, the English encoder's best cosine is
under NO_MATCH_COSINE (the Chinese query map's cosine is no confidence: it lands near some passage for any Chinese).
Calibrated on eval/queries (README, "Search quality")."""
NO_MATCH_COSINE = 0.35
MAX_QUERY_CHARS = 1000


@dataclass
class Hit:
    """One search result, in the query's language."""

    rank: int
    id: str
    kind: str
    title: str
    lang: str
    url: str
    path: str
    score: float
    snippet: str
    text: str
    explain: dict | None = None
    """With ``explain=True``: each leg's rank and raw score, and how they were fused."""

    def to_dict(self) -> dict:
        """The JSON object `kb search --json` prints (``explain`` only when it was asked for)."""
        data = asdict(self)
        if data["explain"] is None:
            del data["explain"]
        return data


def detect_lang(query: str) -> str:
    """'zh' when the query has a Chinese character, else 'en'."""
    return "zh" if has_han(query) else "en"


def query_script(query: str) -> str:
    """'en' (no Chinese), 'zh' (Chinese and no Latin words) or 'mixed'."""
    if not has_han(query):
        return "en"
    return "mixed" if re.search(r"[A-Za-z]{2,}", query) else "zh"


def validate(query: str, k: int, mode: str, lang: str) -> str:
    """Check search arguments before any work; return the query stripped and cut to MAX_QUERY_CHARS."""
    query = (query or "").strip()
    if not query:
        raise SearchError('empty query; give a question or a term, e.g. kb search "grouped query attention"')
    if mode not in MODES:
        raise SearchError(f"unknown mode '{mode}'; use one of: {', '.join(MODES)}")
    if lang not in LANG_CHOICES:
        raise SearchError(f"unknown language '{lang}'; use one of: {', '.join(LANG_CHOICES)}")
    if not 1 <= k <= MAX_K:
        raise SearchError(f"k must be between 1 and {MAX_K}, got {k}")
    return query[:MAX_QUERY_CHARS]


class Searcher:
    """Loads (building if needed) the index once and answers queries from memory.

    Args:
        root: index directory (default: $KB_INDEX_DIR or ./index).
        encoder: the dense encoder (default: the bundled all-MiniLM-L6-v2).
        base_url: prefix for hit URLs, e.g. 'http://127.0.0.1:8000'.
        check_stale: compare the index with the knowledge files and rebuild when they changed.
        corpus: returns the passages to compare with and build from (default: docs/ and kb/glossary/).
    """

    def __init__(
        self,
        root: Path | None = None,
        encoder: Encoder | None = None,
        base_url: str = "",
        check_stale: bool = True,
        corpus: Callable[[], list[Passage]] = load_corpus,
    ) -> None:
        self.root = root or default_root()
        self.corpus = corpus
        self.encoder = encoder or Encoder()
        self.base_url = base_url.rstrip("/")
        self.rebuilt = False
        self.index = self._open(check_stale)
        self.passages: list[Passage] = self.index.passages
        self.tokenizer = Tokenizer(glossary_words(self.passages))
        self.bm25 = BM25(self.index.tokens) if self.passages else None
        self._vectors: VectorIndex | None = None
        self._query_vectors: dict[str, np.ndarray] = {}
        self.query_map = QueryMap.from_arrays(self.index.query_map) if self.index.query_map else None
        self._suggester: Suggester | None = None
        self._recent: tuple[str, np.ndarray] | None = None
        self._token_sets: dict[int, frozenset[str]] = {}
        self._terms = {p.id for p in self.passages if p.kind == "term"}

    def _open(self, check_stale: bool) -> StoredIndex:
        passages = self.corpus() if check_stale else None
        if passages is not None and is_stale(self.root, passages, self.encoder):
            build(self.root, passages, self.encoder)
            self.rebuilt = True
        try:
            return read_index(self.root)
        except IndexCorrupt:
            if passages is None:
                raise
            build(self.root, passages, self.encoder)
            self.rebuilt = True
            return read_index(self.root)

    @property
    def vectors(self) -> VectorIndex:
        """The faiss index, made on first dense query."""
        if self._vectors is None:
            self._vectors = VectorIndex(self.index.vectors)
        return self._vectors

    def bm25_top(self, query: str, n: int) -> list[tuple[int, float]]:
        """BM25 leg: (position, score), best first."""
        if self.bm25 is None:
            return []
        return self.bm25.top(self.tokenizer.tokens(query), n)

    def dense_top(self, query: str, n: int) -> list[tuple[int, float]]:
        """Dense leg: (position, cosine), best first."""
        if not self.passages:
            return []
        return self.vectors.top(self.query_vector(query), n)

    def encoder_vector(self, query: str) -> np.ndarray:
        """The English encoder's unit vector for ``dense_query(query)`` (batched ahead by prepare_queries, else the last one is kept)."""
        text = self.dense_query(query)
        vector = self._query_vectors.get(text)
        if vector is None:
            if self._recent is None or self._recent[0] != text:
                self._recent = (text, self.encoder.encode([text])[0])
            vector = self._recent[1]
        return vector

    def query_vector(self, query: str) -> np.ndarray:
        """The dense leg's unit query vector: the English encoder's, blended with the Chinese query map's for a query with Chinese."""
        vector = self.encoder_vector(query)
        share = ZH_MAP_WEIGHT[query_script(query)]
        mapped = self.query_map.encode(query, self.tokenizer) if share and self.query_map is not None else None
        if mapped is None:
            return vector
        blend = (1.0 - share) * vector + share * mapped
        norm = float(np.linalg.norm(blend))
        return (blend / norm).astype(np.float32) if norm > 0 else vector

    def prepare_queries(self, queries: list[str]) -> None:
        """Embed many queries in batches ahead of time (an evaluation run); later searches reuse them."""
        texts = [self.dense_query(q.strip()[:MAX_QUERY_CHARS]) for q in queries]
        vectors = self.encoder.encode(texts, batch_size=64)
        self._query_vectors.update(zip(texts, vectors))

    def dense_query(self, query: str) -> str:
        """The query as the English-only encoder sees it.

        Glossary names found in the query (either language) add the entry's
        English name; Chinese characters, which the encoder's vocabulary maps to
        [UNK], are replaced by those names rather than sent as noise.
        """
        lowered = query.lower()
        extra: list[str] = []
        for passage in self.passages:
            if passage.kind != "term":
                continue
            if any(len(name) > 1 and name.lower() in lowered for name in passage.terms if not name.isascii()):
                extra.append(passage.title["en"])
        latin = " ".join(HAN_RUN_RE.sub(" ", query).split()) if has_han(query) else query
        names = "; ".join(dict.fromkeys(extra))
        if not extra:
            return latin or query
        return f"{latin} ({names})" if latin else names

    def coverage(self, query: str) -> float:
        """Share of the query's IDF mass found in the best of its top 10 BM25 passages (0 when nothing matches)."""
        tokens = set(self.tokenizer.tokens(query))
        if not tokens or self.bm25 is None:
            return 0.0
        unknown = math.log(1.0 + (self.bm25.corpus_size + 0.5) / 0.5)
        weights = {t: self.bm25.idf.get(t, unknown) for t in tokens}
        total = sum(weights.values())
        best = 0.0
        for position, _ in self.bm25_top(query, 10):
            words = self._token_sets.get(position)
            if words is None:
                words = self._token_sets[position] = frozenset(self.index.tokens[position])
            best = max(best, sum(w for t, w in weights.items() if t in words) / total)
        return best

    def has_match(self, query: str) -> bool:
        """False when nothing in the notes is likely to answer ``query`` (an off-topic question); see NO_MATCH_COVERAGE."""
        query = validate(query, 1, "hybrid", "auto")
        if self.coverage(query) >= NO_MATCH_COVERAGE:
            return True
        if query_script(query) == "zh" or not self.passages:
            return False
        top = self.vectors.top(self.encoder_vector(query), 1)
        return bool(top) and top[0][1] >= NO_MATCH_COSINE

    def suggest(self, query: str) -> str | None:
        """The query with near-miss glossary words corrected ('attentoin' -> 'attention'), or None."""
        if self._suggester is None:
            idf = self.bm25.idf if self.bm25 is not None else {}
            known = set(idf) | english_words(getattr(self.encoder, "model", None))
            self._suggester = Suggester(glossary_words(self.passages), known, {w: -v for w, v in idf.items()})
        return self._suggester.suggest(query)

    def search(
        self, query: str, k: int = 5, mode: str = "hybrid", lang: str = "auto", snippets: bool = True, explain: bool = False
    ) -> list[Hit]:
        """Rank passages for ``query``; raise SearchError for bad arguments.

        Args:
            query: the question, in English, Chinese or both.
            k: number of hits (1..MAX_K).
            mode: 'hybrid', 'bm25' or 'dense'.
            lang: language of titles and links: 'auto' (by the query's script), 'en' or 'zh'.
            snippets: pick the best-matching sentences of each hit (off for evaluation runs).
            explain: attach each leg's rank and score and the fusion weights to every hit.
        """
        query = validate(query, k, mode, lang)
        out_lang = detect_lang(query) if lang == "auto" else lang
        pool = max(50, 10 * k)
        legs: list[list[tuple[str, float]]] = []
        if mode in ("hybrid", "bm25"):
            legs.append([(self.passages[i].id, s) for i, s in self.bm25_top(query, pool)])
        if mode in ("hybrid", "dense"):
            legs.append([(self.passages[i].id, s) for i, s in self.dense_top(query, pool)])
        weight = DENSE_WEIGHT[query_script(query)]
        if mode == "hybrid":
            ranked = demote(convex(legs, (1.0 - weight, weight)), self._terms, TERM_PRIOR)
        else:
            ranked = legs[0]
        names = {"hybrid": ("bm25", "dense"), "bm25": ("bm25",), "dense": ("dense",)}[mode]
        positions = {name: {ident: (r, s) for r, (ident, s) in enumerate(leg, start=1)} for name, leg in zip(names, legs)}
        by_id = {p.id: p for p in self.passages}
        query_tokens = set(self.tokenizer.tokens(query))
        hits = []
        for rank, (ident, score) in enumerate(ranked[:k], start=1):
            passage = by_id[ident]
            text = passage.text[out_lang]
            hits.append(
                Hit(
                    rank=rank,
                    id=ident,
                    kind=passage.kind,
                    title=passage.title[out_lang],
                    lang=out_lang,
                    url=self.base_url + passage.url[out_lang],
                    path=passage.path.get(out_lang, ""),
                    score=round(score, 6),
                    snippet=best_sentences(text, query_tokens, self.tokenizer) if snippets else "",
                    text=text,
                    explain=self._explain(ident, mode, positions, query, weight) if explain else None,
                )
            )
        return hits

    @staticmethod
    def _explain(ident: str, mode: str, positions: dict, query: str, weight: float) -> dict:
        legs = {}
        for name in ("bm25", "dense"):
            if name in positions:
                found = positions[name].get(ident)
                legs[name] = {"rank": found[0], "score": round(found[1], 6)} if found else None
        fusion = {"method": "convex", "script": query_script(query), "weights": {"bm25": round(1 - weight, 3), "dense": weight}, "term_prior": TERM_PRIOR} if mode == "hybrid" else {"method": mode}
        return {**legs, "fusion": fusion}
