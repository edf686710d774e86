"""Answer queries from a built index: BM25 leg, dense leg, fusion, hits with links and snippets."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from kb.passage import Passage

from search.encoders import encoder_choice
from search.encoders.dense import Encoder, VectorIndex, load_encoder
from search.errors import ModelUnavailable
from search.fuse import convex
from search.glossary_names import GlossaryNames
from search.query import MAX_QUERY_CHARS, detect_lang, query_script, truncation_notice, validate
from search.snippet import best_sentences, prepare
from search.suggest import WORD_RE as SUGGEST_WORD_RE
from search.suggest import Suggester, english_words
from search.index.store import BM25_ONLY, IndexCorrupt, StoredIndex, default_root, read_index
from search.text.tokenize import EN_STOP, HAN_RUN_RE, Tokenizer, glossary_words, has_han

if TYPE_CHECKING:
    import numpy as np  # imported by the dense leg: a BM25-only search never loads NumPy (tests/test_fast_path.py)

    from search.index.zhmap import QueryMap

DENSE_WEIGHT = {"en": 0.4, "mixed": 0.4, "zh": 0.4}
"""Weight of the dense leg in the convex fusion, by query script; tuned with `kb eval --tune` (BENCHMARKS.md)."""
ZH_MAP_WEIGHT = {"en": 0.0, "mixed": 0.4, "zh": 0.85}
"""Share of the Chinese query map (search/index/zhmap.py) in the dense query vector, by query script; tuned on the evaluation set's tuning half."""
TERM_PRIOR = 0.2
"""Subtracted from a glossary entry's fused score (of at most 1): a section that answers the question outranks the entry that names its topic; tuned like DENSE_WEIGHT."""
NO_MATCH_COVERAGE = 0.4
"""A query has no relevant match when the best of its top 10 BM25 passages holds less than this share of its words' IDF
(words the index lacks count at the highest IDF) and, unless it is all Chinese, the English encoder's best cosine is
under NO_MATCH_COSINE (the Chinese query map's cosine is no confidence: it lands near some passage for any Chinese).
Calibrated on eval/queries (BENCHMARKS.md, "Search quality")."""
NO_MATCH_COSINE = 0.35
FUSION_POOL = 50
"""Each leg's top FUSION_POOL candidates set its min-max normalisation: the same for every k, so `-k 5` shows the
first five of `-k 10` (a pool that grew with k moved each leg's minimum and reordered the top)."""


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


class Searcher:
    """Answers queries from one stored index, held in memory.

    It only reads: opening an index that may be missing, damaged or stale (and rebuilding it) is the build
    side's job, ``search.build.opener.open_searcher``, which hands the index it opened to this class.

    Args:
        index: the stored index to answer from (default: read the build ``root/current`` names, as it is).
        root: index directory (default: $KB_INDEX_DIR or ./index).
        encoder: the dense encoder (default: the bundled all-MiniLM-L6-v2); it answers queries unless the
            index holds its exported NumPy twin (search/encoders/query_encoder.py).
        base_url: prefix for hit URLs, e.g. 'http://127.0.0.1:8000'.
        model_error: why the model could not be loaded, if it could not (the opener found out).
        rebuild_reason: why the index was (re)built on opening: missing, damaged, stale, another model.

    If the embedding model cannot be loaded, hybrid search answers from BM25 alone and
    records why in ``warnings``; dense search raises ModelUnavailable.
    """

    def __init__(
        self,
        index: StoredIndex | None = None,
        *,
        root: Path | None = None,
        encoder: Encoder | None = None,
        base_url: str = "",
        model_error: ModelUnavailable | None = None,
        rebuild_reason: str | None = None,
    ) -> None:
        self.root = root or default_root()
        self.model_error = model_error
        self.warnings: list[str] = []
        """One-line warnings of the last search (model unavailable, query cut, nothing to search for)."""
        if encoder is None:
            encoder, error = load_encoder()
            self.model_error = self.model_error or error
        self.encoder = encoder
        self.base_url = base_url.rstrip("/")
        self.rebuild_reason = rebuild_reason
        self.rebuilt = rebuild_reason is not None
        self.index = index if index is not None else read_index(self.root)
        self.passages: list[Passage] = self.index.passages
        self.by_id = {p.id: p for p in self.passages}
        self._ids = [p.id for p in self.passages]
        self.tokenizer = Tokenizer(glossary_words(self.passages))
        self.postings = self.index.postings
        self._vectors: VectorIndex | None = None
        self._query_encoder = None
        self._query_vectors: dict[str, np.ndarray] = {}
        self._suggester: Suggester | None = None
        self._recent: tuple[str, np.ndarray] | None = None
        self._recent_tokens: tuple[str, list[str]] | None = None
        self._terms = {p.id for p in self.passages if p.kind == "term"}

    def warm_up(self) -> None:
        """For a long-running process: load now what a first query would load (the encoder, as onnxruntime's graph
        when there is one; the vectors; the Chinese query map; the sentences snippets are chosen from; rjieba's
        dictionary with the glossary words)."""
        self.tokenizer.warm_up()
        prepare([text for passage in self.passages for text in passage.text.values()])
        if self.index.manifest.model != BM25_ONLY and self.model_error is None:
            try:
                self.query_encoder.encode(["warm up"])
            except ModelUnavailable as exc:
                self.model_error = exc
            self._query_encoder = encoder_choice.for_server(self._query_encoder)
            _ = self.vectors
            _ = self.query_map

    @property
    def query_encoder_kind(self) -> str:
        """What embeds queries so far: 'onnxruntime', 'numpy' or 'sentence-transformers' ('' before the first dense query)."""
        return encoder_choice.kind(self._query_encoder)

    @property
    def query_encoder(self):  # noqa: ANN201 — an Encoder or its NumPy twin
        """What embeds queries: the exported NumPy encoder when the index has one for this model, else the encoder."""
        if self._query_encoder is None:
            self._query_encoder = encoder_choice.for_queries(self.encoder, self.root / "cache", self.index.manifest.encoder)
        return self._query_encoder

    @cached_property
    def query_map(self) -> QueryMap | None:
        """The Chinese query map (search/index/zhmap.py), read on the first query with Chinese; None in an index without one."""
        arrays = self.index.query_map
        try:
            from search.index.zhmap import QueryMap

            return QueryMap.from_arrays(arrays) if arrays else None
        except (ValueError, KeyError) as exc:
            raise IndexCorrupt(f"the Chinese query map in {self.index.path} is damaged ({type(exc).__name__}); run 'kb index' to rebuild") from None

    @property
    def vectors(self) -> VectorIndex:
        """The passage vectors' index, made on first dense query."""
        if self._vectors is None:
            self._vectors = VectorIndex(self.index.vectors)
        return self._vectors

    def bm25_top(self, query: str, n: int) -> list[tuple[int, float]]:
        """BM25 leg: (position, score), best first."""
        return self.postings.top(self.query_tokens(query), n)

    def query_tokens(self, query: str) -> list[str]:
        """The query's BM25 tokens; the last query's are kept, since has_match, the BM25 leg and the snippets all need them."""
        recent = self._recent_tokens
        if recent is None or recent[0] != query:
            recent = self._recent_tokens = (query, self.tokenizer.tokens(query))
        return recent[1]

    def dense_top(self, query: str, n: int) -> list[tuple[int, float]]:
        """Dense leg: (position, cosine), best first."""
        if not self.passages:
            return []
        if self.model_error is not None:
            raise self.model_error
        if self.index.manifest.model == BM25_ONLY:
            raise ModelUnavailable("the index was built without the embedding model; run 'kb index' once the model loads")
        return self.vectors.top(self.query_vector(query), n)

    def encoder_vector(self, query: str) -> np.ndarray:
        """The English encoder's unit vector for ``dense_query(query)`` (batched ahead by prepare_queries, else the last one is kept)."""
        text = self.dense_query(query)
        vector = self._query_vectors.get(text)
        if vector is None:
            if self._recent is None or self._recent[0] != text:
                try:
                    self._recent = (text, self.query_encoder.encode([text])[0])
                except ModelUnavailable as exc:
                    self.model_error = exc
                    raise
            vector = self._recent[1]
        return vector

    def query_vector(self, query: str) -> np.ndarray:
        """The dense leg's unit query vector: the English encoder's, blended with the Chinese query map's for a query with Chinese."""
        vector = self.encoder_vector(query)
        share = ZH_MAP_WEIGHT[query_script(query)]
        mapped = self.query_map.encode(query, self.tokenizer, self.query_tokens(query)) if share and self.query_map is not None else None
        if mapped is None:
            return vector
        blend = (1.0 - share) * vector + share * mapped
        import numpy as np

        norm = float(np.linalg.norm(blend))
        return (blend / norm).astype(np.float32) if norm > 0 else vector

    def prepare_queries(self, queries: list[str]) -> None:
        """Embed many queries in batches ahead of time (an evaluation run); later searches reuse them."""
        texts = [self.dense_query(q.strip()[:MAX_QUERY_CHARS]) for q in queries]
        vectors = self.query_encoder.encode(texts, batch_size=64)
        self._query_vectors.update(zip(texts, vectors))

    def dense_query(self, query: str) -> str:
        """The query as the English-only encoder sees it.

        Glossary names found in the query (either language) add the entry's
        English name; Chinese characters, which the encoder's vocabulary maps to
        [UNK], are replaced by those names rather than sent as noise.
        """
        extra = self.glossary_names.english_titles_in(query.lower())
        latin = " ".join(HAN_RUN_RE.sub(" ", query).split()) if has_han(query) else query
        names = "; ".join(dict.fromkeys(extra))
        if not extra:
            return latin or query
        return f"{latin} ({names})" if latin else names

    def coverage(self, query: str) -> float:
        """Share of the query's IDF mass found in the best of its top 10 BM25 passages (0 when nothing matches)."""
        tokens = set(self.query_tokens(query))
        if not tokens or self.postings.size == 0:
            return 0.0
        unknown = math.log(1.0 + (self.postings.size + 0.5) / 0.5)
        weights = {t: self.postings.idf_of_term(t, unknown) for t in tokens}
        holders = {t: set(self.postings.docs_of(t).tolist()) for t in tokens}
        total = sum(weights.values())
        best = 0.0
        for position, _ in self.bm25_top(query, 10):
            best = max(best, sum(w for t, w in weights.items() if position in holders[t]) / total)
        return best

    def has_match(self, query: str) -> bool:
        """False when nothing in the notes is likely to answer ``query`` (an off-topic question); see NO_MATCH_COVERAGE."""
        query = validate(query, 1, "hybrid", "auto")
        if self.coverage(query) >= NO_MATCH_COVERAGE:
            return True
        if query_script(query) == "zh" or not self.passages:
            return False
        try:
            top = self.vectors.top(self.encoder_vector(query), 1)
        except ModelUnavailable:
            return False  # BM25 alone found too little of the query
        return bool(top) and top[0][1] >= NO_MATCH_COSINE

    def suggest(self, query: str) -> str | None:
        """The query with near-miss glossary words corrected ('attentoin' -> 'attention'), or None."""
        if self._suggester is None:
            words = [w.lower() for w in SUGGEST_WORD_RE.findall(query)]
            if all(len(w) < 4 or w in self.postings.vocab or w in EN_STOP for w in words):
                return None  # every word is an indexed one: nothing to correct, no need to load the vocabularies
            idf = self.postings.idf_of()
            known = set(idf) | english_words(getattr(self.encoder, "model", None))
            self._suggester = Suggester(glossary_words(self.passages), known, {w: -v for w, v in idf.items()})
        return self._suggester.suggest(query)

    @cached_property
    def glossary_names(self) -> GlossaryNames:
        """The glossary's Chinese (non-ASCII) names and English titles: what dense_query looks for."""
        return GlossaryNames(self.passages)

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
        self.warnings = []
        cut = truncation_notice(query)
        query = validate(query, k, mode, lang)
        if cut:
            self.warnings.append(cut)
        if not any(char.isalnum() for char in query):
            self.warnings.append("the query has no letters or digits, so no passage can match it")
            return []
        out_lang = detect_lang(query) if lang == "auto" else lang
        pool = max(FUSION_POOL, k)
        dense: list[tuple[int, float]] = []
        if mode in ("hybrid", "dense"):
            try:
                dense = self.dense_top(query, pool)
            except ModelUnavailable as exc:
                if mode == "dense":
                    raise ModelUnavailable(f"dense search cannot run: {exc}") from None
                self.warnings.append(f"{exc}; showing BM25 results only")
                mode = "bm25"
        legs: list[list[tuple[str, float]]] = []
        if mode in ("hybrid", "bm25"):
            legs.append([(self._ids[i], s) for i, s in self.bm25_top(query, pool)])
        if mode in ("hybrid", "dense"):
            legs.append([(self._ids[i], s) for i, s in dense])
        weight = DENSE_WEIGHT[query_script(query)]
        if mode == "hybrid":
            ranked = convex(legs, (1.0 - weight, weight), self._terms, TERM_PRIOR, window=FUSION_POOL)
        else:
            ranked = legs[0]
        names = {"hybrid": ("bm25", "dense"), "bm25": ("bm25",), "dense": ("dense",)}[mode]
        positions = {name: {ident: (r, s) for r, (ident, s) in enumerate(leg, start=1)} for name, leg in zip(names, legs)}
        query_tokens = set(self.query_tokens(query))
        hits = []
        for rank, (ident, score) in enumerate(ranked[:k], start=1):
            passage = self.by_id[ident]
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
                    snippet=best_sentences(text, query_tokens) if snippets else "",
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
