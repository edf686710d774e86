"""The Chinese query map: trained on the knowledge base's parallel text, it puts Chinese queries near their passages' English embeddings."""
from __future__ import annotations

import numpy as np
import pytest

from search.build.indexer import embed_text, glossary_words
from search.text.tokenize import Tokenizer
from search.index.zhmap import QueryMap, features, train


@pytest.fixture
def trained(kb_copy, corpus_of, fake_encoder):
    passages = corpus_of(kb_copy)()
    vectors = fake_encoder.encode([embed_text(p) for p in passages])
    tokenizer = Tokenizer(glossary_words(passages))
    return passages, vectors, tokenizer, train(passages, vectors, tokenizer)


def nearest(trained, query: str) -> str:
    passages, vectors, tokenizer, model = trained
    vector = model.encode(query, tokenizer)
    assert vector is not None
    return passages[int(np.argmax(vectors @ vector))].id


def test_features_are_jieba_words_and_han_bigrams():
    words = features("KV 缓存 省显存", Tokenizer())
    assert {"缓存", "省显", "显存"} <= set(words)
    assert not any(w.isascii() for w in words)


@pytest.mark.parametrize(
    ("query", "expected"),
    [("分组查询注意力", "term:gqa"), ("多查询注意力", "term:mqa"), ("键值缓存", "term:kv-cache")],
)
def test_chinese_names_land_on_their_entry(trained, query, expected):
    assert nearest(trained, query) == expected


def test_encoded_vectors_are_unit_length(trained):
    _, _, tokenizer, model = trained
    vector = model.encode("分组查询注意力 省显存吗", tokenizer)
    assert vector is not None and vector.dtype == np.float32
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5


@pytest.mark.parametrize("query", ["grouped query attention", "鼹鼠", ""])
def test_no_vector_without_known_chinese(trained, query):
    _, _, tokenizer, model = trained
    assert model.encode(query, tokenizer) is None


def test_arrays_round_trip_and_training_is_deterministic(trained):
    passages, vectors, tokenizer, model = trained
    again = QueryMap.from_arrays(model.to_arrays())
    np.testing.assert_array_equal(again.encode("多头注意力", tokenizer), model.encode("多头注意力", tokenizer))
    retrained = train(passages, vectors, tokenizer).to_arrays()
    for name, array in model.to_arrays().items():
        np.testing.assert_array_equal(retrained[name], array)


def test_training_equals_the_plain_ridge_regression(trained):
    """The vectorized assembly and the sparse Gram matrix give X as QueryMap.weights defines its rows, and the float32
    Cholesky solve gives (X Xᵀ + λI)⁻¹ Y as a dense float64 solve does, within float32 precision."""
    from search.index.zhmap import RIDGE_LAMBDA, training_rows

    passages, vectors, tokenizer, model = trained
    docs, targets = training_rows(passages, tokenizer)
    x = np.zeros((len(docs), len(model.vocab)))
    for row, words in enumerate(docs):
        cols, weights = model.weights(words)  # the definition, one row at a time
        x[row, cols] = weights
    stored = np.zeros_like(x)
    for col in range(len(model.vocab)):
        start, end = model.indptr[col], model.indptr[col + 1]
        stored[model.rows[start:end], col] = model.values[start:end]
    np.testing.assert_allclose(stored, x, rtol=1e-6, atol=1e-7)  # values are kept as float32
    dual = np.linalg.solve(x @ x.T + RIDGE_LAMBDA * np.eye(len(docs)), vectors[targets].astype(np.float64))
    assert np.linalg.norm(model.dual - dual) <= 1e-5 * np.linalg.norm(dual)
