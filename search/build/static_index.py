"""The static search index: BM25 for the browser, written into the built site, and its Python reference.

On a static host (or a site opened from disk) there is no `/api/search`, so the
site build writes what the browser needs to rank passages by itself
(docs/javascripts/static-search.js):

- ``assets/static-search/index.js``: postings (term -> [passage, tf], passages
  delta-coded), passage lengths, ids, kinds and URLs, the constants of BM25 and
  of the no-match rule, the stop words, and the words typo correction needs
  (glossary names, and English words of the bundled model's vocabulary that
  the index lacks);
- ``assets/static-search/text.en.js`` and ``text.zh.js``: titles, paths and the
  reader text of every passage in one language (what snippets are cut from),
  loaded only for the page's language.

Each file assigns a global (``window.KB_STATIC_INDEX``, ``window.KB_STATIC_TEXT_EN``,
...) rather than being JSON, so a ``<script>`` tag loads it from ``file://`` too,
where ``fetch`` is refused.

The tokens of a passage are kb's own (``index_tokens`` with the same
``Tokenizer``), so the postings equal those of ``kb index``. A query is cut in
the browser without jieba: English exactly as ``Tokenizer`` does it; a run of
Chinese characters becomes every substring of it that is a Chinese term of the
index (the terms are jieba's words, so these are the words jieba's search mode
would give), a single character only where no longer term covers it, and a
stretch no term covers counts as one unknown word (so an off-topic Chinese
question is still rejected by the no-match rule). :func:`query_tokens` is that
rule in Python, :func:`search` the whole static answer (typo correction,
no-match rule, BM25 ranking); the browser's code must give the same ids
(tests/test_static_search.py).
"""
from __future__ import annotations

import gzip
import json
import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from kb.passage import Passage

from search.build.indexer import index_tokens, load_corpus
from search.engine import NO_MATCH_COVERAGE
from search.index.postings import B, K1
from search.suggest import Suggester
from search.text.tokenize import EN_STOP, HAN_RUN_RE, ZH_STOP, Tokenizer, glossary_words

FORMAT = 1
ASSET_DIR = "assets/static-search"
"""Where the files go, under the built site's root."""
LINK_POOL = 20
"""How many of the best BM25 passages are grouped by link before the first hits are taken (see StaticIndex.ranked)."""
GLOBALS = {"index": "KB_STATIC_INDEX", "en": "KB_STATIC_TEXT_EN", "zh": "KB_STATIC_TEXT_ZH"}
FILES = {"index": "index.js", "en": "text.en.js", "zh": "text.zh.js"}


# --------------------------------------------------------------------------------------------------------------------
# The index


def _english_words() -> list[str]:
    """Real English words the typo correction must not correct (the bundled model's WordPiece words, as kb search does)."""
    from search.encoders.dense import default_model
    from search.suggest import english_words

    try:
        return sorted(english_words(default_model()))
    except Exception:  # noqa: BLE001 — no model: the index's own words still protect most
        return []


def build_index(passages: list[Passage] | None = None, tokenizer: Tokenizer | None = None) -> dict:
    """The static index as plain data: ``{"index": {...}, "en": {...}, "zh": {...}}`` (see the module's docstring)."""
    passages = passages if passages is not None else load_corpus()
    tokenizer = tokenizer or Tokenizer(glossary_words(passages))
    columns: dict[str, list[tuple[int, int]]] = {}
    lengths = []
    for position, passage in enumerate(passages):
        tokens = index_tokens(passage, tokenizer)
        lengths.append(len(tokens))
        counts: dict[str, int] = {}
        for token in tokens:
            counts[token] = counts.get(token, 0) + 1
        for token, tf in counts.items():
            columns.setdefault(token, []).append((position, tf))
    terms = sorted(columns)
    postings = []
    for term in terms:
        flat, previous = [], 0
        for position, tf in columns[term]:
            flat += [position - previous, tf]
            previous = position
        postings.append(flat)
    vocab = set(terms)
    words = [w for w in _english_words() if len(w) >= 4 and w not in vocab]
    index = {
        "format": FORMAT,
        "k1": K1,
        "b": B,
        "noMatchCoverage": NO_MATCH_COVERAGE,
        "enStop": sorted(EN_STOP),
        "zhStop": sorted(ZH_STOP),
        "ids": [p.id for p in passages],
        "kinds": "".join("t" if p.kind == "term" else "s" for p in passages),
        "urls": [p.url["en"] for p in passages],
        "zhUrls": {str(i): p.url["zh"] for i, p in enumerate(passages) if p.url["zh"] != "/zh" + p.url["en"]},
        "lengths": lengths,
        "terms": terms,
        "postings": postings,
        "names": glossary_words(passages),
        "words": words,
    }
    out = {"index": index}
    for lang in ("en", "zh"):
        out[lang] = {
            "titles": [p.title[lang] for p in passages],
            "paths": [p.path.get(lang, "") for p in passages],
            "texts": [p.text[lang] for p in passages]  # already reader text: kb.corpus.plain_text turns TeX into text (kb/mathtext.py),
        }
    return out


def render(data: dict) -> dict[str, str]:
    """The files' contents: each part as ``window.NAME = {...};`` (compact JSON, non-ASCII kept)."""
    return {
        FILES[part]: f"window.{GLOBALS[part]}=" + json.dumps(value, ensure_ascii=False, separators=(",", ":")) + ";\n"
        for part, value in data.items()
    }


def write(site_dir: Path, data: dict | None = None) -> dict[str, tuple[int, int]]:
    """Write the static index into ``site_dir``; return each file's size, raw and gzipped, in bytes."""
    target = Path(site_dir) / ASSET_DIR
    target.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for name, content in render(data if data is not None else build_index()).items():
        raw = content.encode("utf-8")
        (target / name).write_bytes(raw)
        sizes[name] = (len(raw), len(gzip.compress(raw, 9)))
    return sizes


# --------------------------------------------------------------------------------------------------------------------
# The query side, in Python: the reference the browser's code is checked against


@dataclass
class StaticIndex:
    """The static index loaded for searching: what static-search.js does, step for step, in the same float64 order."""

    data: dict
    """The ``"index"`` part of :func:`build_index` (or of a written index.js)."""
    texts: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def read(cls, site_dir: Path) -> StaticIndex:
        """The index a site build wrote."""
        parts = {}
        for part, name in FILES.items():
            content = (Path(site_dir) / ASSET_DIR / name).read_text(encoding="utf-8")
            parts[part] = json.loads(content[content.index("=") + 1 : content.rstrip().rindex(";")])
        return cls(parts["index"], {lang: parts[lang] for lang in ("en", "zh")})

    @cached_property
    def column(self) -> dict[str, int]:
        return {term: i for i, term in enumerate(self.data["terms"])}

    @cached_property
    def decoded(self) -> list[tuple[list[int], list[int]]]:
        out = []
        for flat in self.data["postings"]:
            docs, tfs, position = [], [], 0
            for j in range(0, len(flat), 2):
                position += flat[j]
                docs.append(position)
                tfs.append(flat[j + 1])
            out.append((docs, tfs))
        return out

    @cached_property
    def size(self) -> int:
        return len(self.data["ids"])

    @cached_property
    def avgdl(self) -> float:
        return sum(self.data["lengths"]) / self.size

    @cached_property
    def zh_counts(self) -> tuple[dict[str, int], float, int]:
        """The cut's dictionary: each Chinese term of the index with its count over the corpus (the stop words at the
        highest count, as the index holds none of them), the log of the counts' sum, and the longest term's length."""
        counts = {t: sum(self.data["postings"][i][1::2]) for i, t in enumerate(self.data["terms"]) if HAN_RUN_RE.search(t)}
        top = max(counts.values(), default=1)
        for word in self.data["zhStop"]:
            counts[word] = max(counts.get(word, 0), top)
        return counts, math.log(sum(counts.values())), max(map(len, counts), default=1)

    def cut(self, run: str) -> list[str]:
        """jieba's search-mode cut of a Han run, over the index's terms: the most probable path (a term's count as
        its frequency, 1 for a character the index lacks; ties to the longer word, as jieba), neighbouring characters
        the index lacks joined into one (unknown) word, then each word's 2- and 3-character terms before it."""
        counts, log_total, longest = self.zh_counts
        n = len(run)
        route: list[tuple[float, int]] = [(0.0, 0)] * (n + 1)
        for i in range(n - 1, -1, -1):
            best = None
            for j in range(i, min(n, i + longest)):
                word = run[i : j + 1]
                if j > i and word not in counts:
                    continue
                candidate = (math.log(counts.get(word, 1)) - log_total + route[j + 1][0], j)
                if best is None or candidate > best:
                    best = candidate
            route[i] = best
        words: list[str] = []
        unknown = ""
        i = 0
        while i < n:
            j = route[i][1] + 1
            word = run[i:j]
            if len(word) == 1 and word not in counts:
                unknown += word
            else:
                if unknown:
                    words.append(unknown)
                    unknown = ""
                words.append(word)
            i = j
        if unknown:
            words.append(unknown)
        out: list[str] = []
        for word in words:
            if len(word) > 2:
                out.extend(word[k : k + 2] for k in range(len(word) - 1) if word[k : k + 2] in counts)
            if len(word) > 3:
                out.extend(word[k : k + 3] for k in range(len(word) - 2) if word[k : k + 3] in counts)
            out.append(word)
        return [t for t in out if t not in ZH_STOP]

    def idf(self, column: int) -> float:
        df = len(self.data["postings"][column]) // 2
        return math.log(1.0 + (self.size - df + 0.5) / (df + 0.5))

    def tokens(self, query: str) -> list[str]:
        """The query's tokens (see the module's docstring): English as Tokenizer, Chinese by :meth:`cut`."""
        out: list[str] = []
        position = 0
        lowered = query.lower()
        for match in HAN_RUN_RE.finditer(lowered):
            out.extend(_latin(lowered[position : match.start()]))
            out.extend(self.cut(match.group()))
            position = match.end()
        out.extend(_latin(lowered[position:]))
        return out

    def scores(self, tokens: list[str]) -> dict[int, float]:
        """BM25 (kb's: Lucene IDF, K1, B) of every passage holding a token; repeated tokens count again."""
        k1, b, avgdl, lengths = self.data["k1"], self.data["b"], self.avgdl, self.data["lengths"]
        scores: dict[int, float] = {}
        for token in tokens:
            column = self.column.get(token)
            if column is None:
                continue
            idf = self.idf(column)
            docs, tfs = self.decoded[column]
            for doc, tf in zip(docs, tfs):
                weight = idf * (tf * (k1 + 1) / (tf + k1 * (1 - b + b * lengths[doc] / avgdl)))
                scores[doc] = scores.get(doc, 0.0) + weight
        return scores

    def top(self, tokens: list[str], n: int) -> list[tuple[int, float]]:
        """The best ``n`` passages as (position, score), score > 0, best first (ties: lower position)."""
        ranked = sorted((-s, d) for d, s in self.scores(tokens).items() if s > 0)[:n]
        return [(d, -s) for s, d in ranked]

    def coverage(self, tokens: list[str]) -> float:
        """Search.engine's coverage: the share of the query's IDF mass held by the best of its top 10 passages."""
        unique = list(dict.fromkeys(tokens))
        if not unique:
            return 0.0
        unknown = math.log(1.0 + (self.size + 0.5) / 0.5)
        weights, holders = {}, {}
        for token in unique:
            column = self.column.get(token)
            weights[token] = unknown if column is None else self.idf(column)
            holders[token] = set(self.decoded[column][0]) if column is not None else set()
        total = sum(weights.values())
        best = 0.0
        for doc, _ in self.top(tokens, 10):
            best = max(best, sum(w for t, w in weights.items() if doc in holders[t]) / total)
        return best

    def ranked(self, tokens: list[str], k: int) -> list[list[int]]:
        """One hit per link: the best LINK_POOL passages grouped by their link (a glossary entry joins the section it
        points to, at the better one's place; best first within a group), the first ``k`` groups."""
        groups: dict[str, list[int]] = {}
        for doc, _ in self.top(tokens, max(LINK_POOL, k)):
            groups.setdefault(self.data["urls"][doc], []).append(doc)
        return list(groups.values())[:k]

    @cached_property
    def suggester(self) -> Suggester:
        """search/suggest.py's Suggester over the shipped words: the same as kb search's."""
        known = set(self.data["terms"]) | set(self.data["words"]) | set(self.data["enStop"])
        frequency = {term: -self.idf(i) for i, term in enumerate(self.data["terms"])}
        return Suggester(self.data["names"], known, frequency)

    def search(self, query: str, k: int = 5) -> StaticAnswer:
        """The static answer: the query corrected, no-match decided (coverage alone: no dense leg), BM25 ranking."""
        query = " ".join(query.split())[:1000]
        corrected = self.suggester.suggest(query)
        if corrected:
            query = corrected
        tokens = self.tokens(query)
        if not any(c.isalnum() for c in query) or self.coverage(tokens) < self.data["noMatchCoverage"]:
            return StaticAnswer(query, corrected, True, [], tokens)
        groups = [[self.data["ids"][d] for d in group] for group in self.ranked(tokens, k)]
        return StaticAnswer(query, corrected, False, groups, tokens)


@dataclass
class StaticAnswer:
    query: str
    corrected: str | None
    no_match: bool
    groups: list[list[str]]
    """The hits: each a link's passages (ids), best first."""
    tokens: list[str]

    @property
    def ids(self) -> list[str]:
        """The passages in the order shown (each hit's passages in turn)."""
        return [ident for group in self.groups for ident in group]


_latin = Tokenizer._latin
"""English words as kb's Tokenizer cuts them (the browser's port follows the same rule)."""


def evaluate_static(queries: list | None = None, index: StaticIndex | None = None) -> dict[str, dict[str, float]]:
    """Static mode on the evaluation set: ``search.evaluate.summarize`` of the top 10 of every labelled query
    ({'all'|'en'|'zh'|'mixed': {'R@1', 'R@5', 'MRR@10', 'nDCG@10', 'n'}}); the no-match rule is skipped, as in
    ``kb eval``'s served modes. A hit's passages count in the order shown (one link's glossary entry and section
    side by side), so R@5 counts the first five passages, not the first five hits."""
    from search.evaluate import load_queries, positives, score, summarize

    queries = positives(queries if queries is not None else load_queries())
    index = index or StaticIndex(build_index()["index"])
    runs = {}
    for q in queries:
        text = " ".join(q.query.q.split())
        text = index.suggester.suggest(text) or text
        runs[q.qid] = [index.data["ids"][d] for group in index.ranked(index.tokens(text), 10) for d in group][:10]
    return summarize(queries, score(queries, runs))
