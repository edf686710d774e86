"""BM25 postings: what a query process loads instead of rank-bm25 and the token lists (no rank-bm25 import).

A BM25-only query does not import NumPy either (100–150 ms of a fresh process
here): the postings file is a JSON header line followed by the raw arrays, read
into the standard library's ``array``, and a small corpus is scored in plain
Python. Building, saving and scoring a large corpus use NumPy.
"""
from __future__ import annotations

import json
import sys
from array import array
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from .bm25 import BM25

K1 = 1.2
"""BM25's term-frequency saturation."""
B = 0.5
"""BM25's length normalisation: less than the usual 0.75, as long sections are often the answer (tuned on the evaluation set)."""

TYPECODES = {"indptr": "q", "docs": "i", "weights": "d", "idf": "d"}
"""How each array is stored: int64 offsets, int32 passage positions, float64 weights and IDFs."""


def pack_vocab(vocab: dict[str, int]) -> np.ndarray:
    """A vocabulary (word -> position 0..n-1) as one UTF-8 text, a word a line, in a uint8 array for an .npz.

    A query process splits it ten times faster than it reads the same words as a
    fixed-width unicode array (BM25 terms, the query map's features).
    """
    import numpy as np

    return np.frombuffer(_vocab_text(vocab), dtype=np.uint8)


def _vocab_text(vocab: dict[str, int]) -> bytes:
    words = sorted(vocab, key=vocab.__getitem__)
    if any("\n" in word for word in words):
        raise ValueError("a vocabulary word holds a line break")
    return "\n".join(words).encode("utf-8")


def unpack_vocab(blob: np.ndarray | bytes) -> dict[str, int]:
    """The vocabulary :func:`pack_vocab` packed, from its array or its bytes (ValueError when it is not such a text)."""
    if not isinstance(blob, bytes):
        if str(blob.dtype) != "uint8":
            raise ValueError("the vocabulary is not UTF-8 text")
        blob = blob.tobytes()
    words = blob.decode("utf-8").split("\n") if blob else []
    return dict(zip(words, range(len(words))))


@dataclass
class Postings:
    """BM25 precomputed: for each term, the passages holding it and their BM25 term weight.

    A query's scores are the sum of its tokens' weight columns, so answering
    needs no pass over every passage's term counts (rank-bm25's ``get_scores``)
    and loading needs no token lists. The weights are rank-bm25's own
    expression, evaluated in the same order in float64, so scores equal
    :class:`BM25`'s exactly (tested on the evaluation queries).
    """

    vocab: dict[str, int]
    indptr: np.ndarray | array
    docs: np.ndarray | array
    weights: np.ndarray | array
    size: int
    idf: np.ndarray | array
    """IDF of each term, by vocabulary position. Arrays are NumPy's after a build, ``array``'s after :meth:`load`."""

    NUMPY_FROM = 20_000
    """Passages from which scores are added up with NumPy even when it is not loaded yet; below, a loop in Python
    is cheaper than importing it (a fresh BM25-only search)."""

    @classmethod
    def from_bm25(cls, bm25: BM25) -> Postings:
        """Postings with the weights ``bm25`` would give."""
        import numpy as np

        columns: dict[str, tuple[list[int], list[int]]] = {}
        for doc, freqs in enumerate(bm25.doc_freqs):
            for term, tf in freqs.items():
                entry = columns.setdefault(term, ([], []))
                entry[0].append(doc)
                entry[1].append(tf)
        terms = sorted(columns)
        lengths = [len(columns[term][0]) for term in terms]
        total = sum(lengths)
        ids = np.fromiter((i for term in terms for i in columns[term][0]), dtype=np.int64, count=total)
        q_freq = np.fromiter((f for term in terms for f in columns[term][1]), dtype=np.float64, count=total)
        idf = np.asarray([bm25.idf.get(term) or 0.0 for term in terms], dtype=np.float64)
        doc_len = np.asarray(bm25.doc_len)
        # rank-bm25: idf * (q_freq * (k1 + 1) / (q_freq + k1 * (1 - b + b * doc_len / avgdl))), element by element
        norm = q_freq + bm25.k1 * (1 - bm25.b + bm25.b * doc_len[ids] / bm25.avgdl)
        weights = np.repeat(idf, lengths) * (q_freq * (bm25.k1 + 1) / norm)
        return cls(
            vocab=dict(zip(terms, range(len(terms)))),
            indptr=np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]).astype(np.int64),
            docs=ids.astype(np.int32),
            weights=weights,
            size=bm25.corpus_size,
            idf=idf,
        )

    @classmethod
    def from_corpus(cls, corpus: list[list[str]], k1: float = K1, b: float = B) -> Postings:
        """Postings of token lists (an empty corpus gives empty postings): the arrays ``from_bm25(BM25(corpus))``
        gives, bit for bit (tested), counted with NumPy instead of one dictionary per passage (0.2 s -> 0.1 s here)."""
        import math

        import numpy as np

        if not corpus:
            return cls(vocab={}, indptr=np.zeros(1, dtype=np.int64), docs=np.zeros(0, dtype=np.int32), weights=np.zeros(0), size=0, idf=np.zeros(0))
        seen: dict[str, int] = {}
        doc_len = np.fromiter((len(tokens) for tokens in corpus), dtype=np.int64, count=len(corpus))
        ids = np.fromiter((seen.setdefault(t, len(seen)) for tokens in corpus for t in tokens), dtype=np.int64, count=int(doc_len.sum()))
        if not seen:  # passages without a single token
            return cls(vocab={}, indptr=np.zeros(1, dtype=np.int64), docs=np.zeros(0, dtype=np.int32), weights=np.zeros(0), size=len(corpus), idf=np.zeros(0))
        pairs, counts = np.unique(np.repeat(np.arange(len(corpus), dtype=np.int64), doc_len) * len(seen) + ids, return_counts=True)
        doc, term = np.divmod(pairs, len(seen))  # one entry per (passage, term), passages ascending
        terms = sorted(seen)
        rank = np.empty(len(seen), dtype=np.int64)
        rank[np.fromiter((seen[t] for t in terms), dtype=np.int64, count=len(terms))] = np.arange(len(terms))
        order = np.argsort(rank[term], kind="stable")  # by term (alphabetical), passages still ascending within each
        ids, q_freq = doc[order], counts[order].astype(np.float64)
        lengths = np.bincount(rank[term], minlength=len(terms))
        size = len(corpus)
        idf = np.asarray([math.log(1.0 + (size - f + 0.5) / (f + 0.5)) for f in lengths.tolist()], dtype=np.float64)  # BM25._calc_idf
        avgdl = int(doc_len.sum()) / size
        norm = q_freq + k1 * (1 - b + b * doc_len[ids] / avgdl)  # the expression of from_bm25, in the same order
        weights = np.repeat(idf, lengths) * (q_freq * (k1 + 1) / norm)
        return cls(
            vocab=dict(zip(terms, range(len(terms)))),
            indptr=np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]).astype(np.int64),
            docs=ids.astype(np.int32),
            weights=weights,
            size=size,
            idf=idf,
        )

    def scores(self, tokens: list[str]) -> np.ndarray | list[float]:
        """BM25 score of every passage for ``tokens`` (repeated tokens count again, as in rank-bm25).

        With NumPy when the process has it loaded already (a server, a hybrid search) or the index is large
        (NUMPY_FROM); otherwise a list added up in plain Python: the same float64 additions in the same order as
        NumPy's ``scores[docs] += weights``, so the same numbers bit for bit (tested).
        """
        if self.size >= self.NUMPY_FROM or "numpy" in sys.modules:
            return self._numpy_scores(tokens)
        return self._python_scores(tokens)

    def _python_scores(self, tokens: list[str]) -> list[float]:
        scores = [0.0] * self.size
        for token in tokens:
            column = self.vocab.get(token)
            if column is None:
                continue
            start, end = self.indptr[column], self.indptr[column + 1]
            for doc, weight in zip(self.docs[start:end].tolist(), self.weights[start:end].tolist()):
                scores[doc] += weight
        return scores

    def _numpy_scores(self, tokens: list[str]) -> np.ndarray:
        import numpy as np

        docs, weights = self._numpy_arrays
        scores = np.zeros(self.size)
        for token in tokens:
            column = self.vocab.get(token)
            if column is None:
                continue
            start, end = self.indptr[column], self.indptr[column + 1]
            scores[docs[start:end]] += weights[start:end]
        return scores

    @cached_property
    def _numpy_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """``docs`` and ``weights`` as NumPy arrays (views of loaded ``array``s, made once)."""
        import numpy as np

        return np.asarray(self.docs), np.asarray(self.weights)

    def docs_of(self, term: str) -> np.ndarray:
        """Positions of the passages holding ``term`` (ascending; empty when no passage does)."""
        column = self.vocab.get(term)
        if column is None:
            return self.docs[:0]
        return self.docs[self.indptr[column] : self.indptr[column + 1]]

    def idf_of_term(self, term: str, default: float) -> float:
        """IDF of ``term``, or ``default`` for a term no passage holds."""
        column = self.vocab.get(term)
        return default if column is None else float(self.idf[column])

    def top(self, tokens: list[str], n: int) -> list[tuple[int, float]]:
        """The best ``n`` passages for ``tokens`` as (position, score), score > 0, best first (ties: lower position)."""
        if not tokens or self.size == 0 or n <= 0:
            return []
        scores = self.scores(tokens)
        if isinstance(scores, list):
            hits = sorted((-score, doc) for doc, score in enumerate(scores) if score > 0)[:n]
            return [(doc, -negated) for negated, doc in hits]
        import numpy as np

        hit = np.flatnonzero(scores > 0)
        ranked = hit[np.lexsort((hit, -scores[hit]))][:n]
        return list(zip(ranked.tolist(), scores[ranked].tolist()))

    def save(self, path: Path) -> None:
        """One file: a JSON header line (passage count, byte order, each block's name and length), then the terms as
        UTF-8 text (see :func:`pack_vocab`) and each array's bytes, typed by TYPECODES."""
        import numpy as np

        dtypes = {"q": np.int64, "i": np.int32, "d": np.float64}
        blocks = {"terms": _vocab_text(self.vocab)}
        blocks.update({name: np.ascontiguousarray(getattr(self, name), dtype=dtypes[code]).tobytes() for name, code in TYPECODES.items()})
        header = {"size": self.size, "byteorder": sys.byteorder, "blocks": [[name, len(data)] for name, data in blocks.items()]}
        with path.open("wb") as handle:
            handle.write(json.dumps(header).encode("utf-8") + b"\n")
            for data in blocks.values():
                handle.write(data)

    @classmethod
    def load(cls, path: Path) -> Postings:
        """Read what :meth:`save` wrote, into ``array``s (ValueError or OSError when it is damaged)."""
        data = path.read_bytes()
        try:
            end = data.index(b"\n")
            header = json.loads(data[:end])
            if header["byteorder"] != sys.byteorder:
                raise ValueError("postings written on a machine of the other byte order")
            arrays, offset = {}, end + 1
            for name, length in header["blocks"]:
                chunk = data[offset : offset + length]
                offset += length
                if len(chunk) != length:
                    raise ValueError("truncated postings")
                if name == "terms":
                    vocab = unpack_vocab(chunk)
                else:
                    arrays[name] = array(TYPECODES[name])
                    arrays[name].frombytes(chunk)  # ValueError unless a whole number of items
            if offset != len(data):
                raise ValueError("trailing bytes after the postings")
            postings = cls(vocab=vocab, size=int(header["size"]), **{name: arrays[name] for name in TYPECODES})
        except (KeyError, TypeError, UnicodeDecodeError, UnboundLocalError) as exc:
            raise ValueError(f"damaged postings ({type(exc).__name__})") from None
        if len(postings.indptr) != len(vocab) + 1 or postings.indptr[-1] != len(postings.docs) or len(postings.docs) != len(postings.weights) or len(postings.idf) != len(vocab):
            raise ValueError("inconsistent postings")
        if len(postings.docs) and (min(postings.docs) < 0 or max(postings.docs) >= postings.size):
            raise ValueError("postings point outside the index")
        return postings

    def idf_of(self) -> dict[str, float]:
        """Term -> IDF for every indexed term."""
        return dict(zip(self.vocab, self.idf.tolist()))
