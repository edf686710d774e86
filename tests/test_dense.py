"""The real bundled model, end to end: loads offline, embeds, and the hybrid search finds GQA in both languages."""
from __future__ import annotations

import numpy as np
import pytest

from search.encoders.dense import Encoder, VectorIndex, default_model


def test_bundled_model_embeds_offline(encoder):
    vectors = encoder.encode(["grouped-query attention shares key/value heads", "GQA: query heads in groups share K and V", "a recipe for banana bread"])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_bundled_tokenizer_does_not_see_chinese():
    from transformers import AutoTokenizer

    tokens = AutoTokenizer.from_pretrained(default_model()).tokenize("分组查询注意力")
    assert tokens.count("[UNK]") >= 4  # why the dense leg needs the glossary bridge


def test_vector_index_matches_numpy(encoder):
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((50, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    query = vectors[7] + 0.1 * rng.standard_normal(8).astype(np.float32)
    expected = np.argsort(-(vectors @ query))[:5]
    assert [i for i, _ in VectorIndex(vectors).top(query, 5)] == list(expected)


@pytest.mark.parametrize("query", ["分组查询注意力", "grouped query attention"])
def test_gqa_in_top_3(real_searcher, query):
    """The GQA section or glossary entry (the entry-level prior lets the section that explains it come first)."""
    ids = [h.id for h in real_searcher.search(query, k=3)]
    assert {"term:gqa", "attention/mha-mqa-gqa#gqa"} & set(ids), ids


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_every_mode_answers_on_the_real_corpus(real_searcher, mode):
    hits = real_searcher.search("why divide attention scores by sqrt d_k", k=5, mode=mode)
    assert len(hits) == 5 and all(h.url.startswith("/") for h in hits)
