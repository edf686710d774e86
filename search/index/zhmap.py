"""Chinese query encoder: a ridge map from Chinese words into the English model's space, trained on our parallel text.

The bundled encoder is English-only (most Chinese characters become [UNK]), so
a Chinese query reaches the dense leg only through glossary names. Every
passage exists in both languages, and its English embedding is in the index:
that is a parallel corpus. At index time we fit

    vector(passage) ≈ features(passage's Chinese text) · W

with ridge regression (features: TF-IDF over jieba words and Han character
bigrams, L2-normalised), solved in its dual form ``W = Xᵀ A``,
``A = (X Xᵀ + λI)⁻¹ Y``, so no [vocabulary × dim] matrix is ever stored. At
query time the Chinese part of a query becomes ``(X x_q) · A``: a sparse
product and one small matrix product, NumPy only.

Training rows per passage: its Chinese title, path, names and text; its
Chinese title and names alone (short, like queries); and, for a glossary
entry, each Chinese name alone.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from kb.passage import Passage

from search.index.postings import pack_vocab, unpack_vocab
from search.text.tokenize import HAN_CHAR_RE, HAN_RUN_RE, Tokenizer

RIDGE_LAMBDA = 0.3
"""Ridge penalty, chosen on the evaluation set's tuning half (BENCHMARKS.md, "Search quality")."""


def features(text: str, tokenizer: Tokenizer, tokens: list[str] | None = None) -> list[str]:
    """Chinese features of ``text``: jieba words with a Han character, plus every Han character bigram (a lone character for a one-character run).

    ``tokens``: ``tokenizer.tokens(text)`` when the caller has them already.
    """
    out = [t for t in (tokenizer.tokens(text) if tokens is None else tokens) if HAN_CHAR_RE.search(t)]
    for run in HAN_RUN_RE.findall(text):
        if len(run) > 1:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            out.append(run)
    return out


def training_texts(passage: Passage) -> list[str]:
    """The Chinese texts that should map onto ``passage``'s English embedding."""
    names = [t for t in passage.terms if HAN_CHAR_RE.search(t)]
    paths = [passage.path.get("zh", "")] if passage.kind == "section" else []
    short = "\n".join([passage.title["zh"], *paths, *names])
    texts = [f"{short}\n{passage.text['zh']}", short]
    if passage.kind == "term":
        texts.extend(names)
    return texts


def training_rows(passages: list[Passage], tokenizer: Tokenizer) -> tuple[list[list[str]], list[int]]:
    """The rows of X: the features of each training text that has any, and the position of the passage it maps onto."""
    docs: list[list[str]] = []
    targets: list[int] = []
    for position, passage in enumerate(passages):
        for text in training_texts(passage):
            words = features(text, tokenizer)
            if words:
                docs.append(words)
                targets.append(position)
    return docs, targets


@dataclass
class QueryMap:
    """A trained map; its arrays are what the index stores (see ``to_arrays``)."""

    vocab: dict[str, int]
    idf: np.ndarray
    indptr: np.ndarray
    rows: np.ndarray
    values: np.ndarray
    dual: np.ndarray
    """A = (X Xᵀ + λI)⁻¹ Y, [training rows, dim]."""

    def weights(self, words: list[str]) -> tuple[np.ndarray, np.ndarray] | None:
        """Feature positions and L2-normalised TF-IDF weights (sublinear tf) of a word list; None when no word is known."""
        counts = Counter(w for w in words if w in self.vocab)
        if not counts:
            return None
        cols = np.fromiter((self.vocab[w] for w in counts), dtype=np.int64, count=len(counts))
        tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=np.float64, count=len(counts))
        weight = tf * self.idf[cols]
        return cols, weight / np.linalg.norm(weight)

    def encode(self, text: str, tokenizer: Tokenizer, tokens: list[str] | None = None) -> np.ndarray | None:
        """A unit vector in the English model's space for the Chinese in ``text``; None when none of its words was seen in training.

        ``tokens``: ``tokenizer.tokens(text)`` when the caller has them already (a search has: its BM25 leg's).
        """
        found = self.weights(features(text, tokenizer, tokens))
        if found is None or not len(self.dual):
            return None
        z = self._times_x(*found, len(self.dual))  # X x_q
        touched = np.flatnonzero(z)
        vector = z[touched].astype(np.float32) @ self.dual[touched]  # one BLAS thread in a search process (search/__init__)
        norm = float(np.linalg.norm(vector))
        return (vector / norm).astype(np.float32) if norm > 0 else None

    def _times_x(self, cols: np.ndarray, weights: np.ndarray, n_rows: int) -> np.ndarray:
        """X · x for a sparse x given as (feature positions, weights): one value per training row."""
        spans = [(self.indptr[c], self.indptr[c + 1]) for c in cols.tolist()]
        rows = np.concatenate([self.rows[a:b] for a, b in spans])
        values = np.concatenate([w * self.values[a:b] for w, (a, b) in zip(weights.tolist(), spans)])
        return np.bincount(rows, weights=values, minlength=n_rows)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Plain arrays for the index directory (no pickles)."""
        return {"vocab": pack_vocab(self.vocab), "idf": self.idf, "indptr": self.indptr, "rows": self.rows, "values": self.values, "dual": self.dual}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> QueryMap:
        """The map back from ``to_arrays``."""
        return cls(unpack_vocab(arrays["vocab"]), arrays["idf"], arrays["indptr"], arrays["rows"], arrays["values"], arrays["dual"])


def _all_cores():  # noqa: ANN202 — a context manager
    """Every core for BLAS while the ridge system is solved (search/__init__ keeps queries to one thread; the solve
    is 1.0 s on one core, 0.6 s on two); threadpoolctl comes with sentence-transformers (through scikit-learn)."""
    import contextlib
    import os

    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=os.cpu_count() or 1, user_api="blas")


def _gram(rows: np.ndarray, values: np.ndarray, indptr: np.ndarray, n: int) -> np.ndarray:
    """X Xᵀ ([n, n], float64) from X's compressed columns (``rows``/``values`` by column, ``indptr`` the column starts).

    One sparse product in SciPy (which sentence-transformers already depends on): 0.07 s for our 3,314 texts,
    where a NumPy pass per row took 0.5 s.
    """
    from scipy.sparse import csc_matrix

    x = csc_matrix((values, rows, indptr), shape=(n, len(indptr) - 1))
    return (x @ x.T).toarray()


def _solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(X Xᵀ + λI)⁻¹ Y by Cholesky (the matrix is symmetric positive definite), in float32.

    λ bounds the condition number by 1 + λ_max/λ (about 180 for our texts), so float32 lands within 1e-6 (relative)
    of float64's answer, which is stored as float32 anyway, in about half the time (0.4 s instead of 0.7 s).
    """
    from scipy.linalg import solve

    return solve(a.astype(np.float32), b.astype(np.float32), assume_a="pos", overwrite_a=True, overwrite_b=True, check_finite=False)


def train(passages: list[Passage], vectors: np.ndarray, tokenizer: Tokenizer, lam: float = RIDGE_LAMBDA) -> QueryMap:
    """Fit the map on the passages' Chinese texts and their English embeddings (deterministic; about a second for ~1,000 passages).

    Args:
        passages: the index's passages.
        vectors: their unit embeddings, [len(passages), dim].
        tokenizer: the index's tokenizer (jieba with the glossary's words).
        lam: ridge penalty.
    """
    docs, targets = training_rows(passages, tokenizer)
    dim = vectors.shape[1] if vectors.ndim == 2 else 0
    if not docs:
        empty = np.zeros(0)
        return QueryMap({}, empty, np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32), np.zeros((0, dim), dtype=np.float32))
    # X in one pass, as QueryMap.weights gives each row: sublinear tf × idf, then unit length per row
    vocab: dict[str, int] = {}
    total = sum(len(words) for words in docs)
    ids = np.fromiter((vocab.setdefault(w, len(vocab)) for words in docs for w in words), dtype=np.int64, count=total)
    owner = np.repeat(np.arange(len(docs), dtype=np.int64), [len(words) for words in docs])
    pairs, counts = np.unique(owner * len(vocab) + ids, return_counts=True)  # one entry per (row, word), rows ascending
    rows, cols = np.divmod(pairs, len(vocab))
    idf = np.log((len(docs) + 1) / (np.bincount(cols, minlength=len(vocab)) + 1)) + 1.0
    values = (1.0 + np.log(counts)) * idf[cols]
    values /= np.sqrt(np.bincount(rows, weights=values * values, minlength=len(docs)))[rows]
    order = np.argsort(cols, kind="stable")  # by column, rows still ascending within each: compressed columns
    indptr = np.searchsorted(cols[order], np.arange(len(vocab) + 1)).astype(np.int64)
    model = QueryMap(vocab, idf, indptr, rows[order].astype(np.int32), values[order].astype(np.float32), np.zeros((0, dim)))
    gram = _gram(model.rows, values[order], indptr, len(docs))
    gram[np.diag_indices(len(docs))] += lam  # X Xᵀ + λI, without a second n × n matrix
    y = vectors[np.array(targets, dtype=np.int64)]
    with _all_cores():
        model.dual = _solve(gram, y)
    return model
