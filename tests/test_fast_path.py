"""The fast query paths give the same answers as the reference path they replace.

Fast, cold (what `kb search` runs): the NumPy query encoder, BM25 postings, a
NumPy inner product. Fast, warm (what `kb serve` runs after Searcher.warm_up):
the same with onnxruntime's fused graph as the query encoder. Reference (what the
index is defined by): sentence-transformers, rank-bm25's scoring over the token
lists, faiss. Both cut Chinese with rjieba; that its cuts are jieba's is
tests/test_tokenize.py's job.
"""
from __future__ import annotations

import numpy as np
import pytest

from search.index.bm25 import BM25
from search.encoders.dense import VectorIndex
from search.engine import Searcher
from search.evaluate import load_queries
from search.build.indexer import index_tokens
from search.encoders.onnx_encoder import OnnxEncoder
from search.encoders.query_encoder import NumpyEncoder
from search.text.tokenize import Tokenizer, glossary_words


@pytest.fixture(scope="module")
def queries() -> list[str]:
    return [q.query.q for q in load_queries()]


@pytest.fixture(scope="module")
def reference(real_searcher, encoder, monkeypatch_module):
    """A second searcher over the same index with every fast part swapped for its reference."""
    ref = Searcher(root=real_searcher.root, encoder=encoder)
    ref.tokenizer = Tokenizer(glossary_words(ref.passages))  # everything cut afresh, no token cache of the build
    ref.postings = BM25([index_tokens(p, ref.tokenizer) for p in ref.passages])  # rank-bm25 scoring
    ref._query_encoder = encoder  # sentence-transformers
    monkeypatch_module.setattr(VectorIndex, "FAISS_FROM", 0)  # faiss
    ref._vectors = VectorIndex(ref.index.vectors)
    return ref


@pytest.fixture(scope="module")
def warm_searcher(real_searcher, encoder):
    """A searcher over the same index, warmed up as kb serve warms it."""
    warm = Searcher(root=real_searcher.root, encoder=encoder)
    warm.warm_up()
    return warm


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_the_fast_path_is_in_use(real_searcher):
    assert isinstance(real_searcher.query_encoder, NumpyEncoder)
    assert real_searcher.query_encoder_kind == "numpy"
    assert real_searcher.vectors.index is None  # NumPy product, not faiss, at this size


def test_a_warmed_up_searcher_embeds_with_onnxruntime(warm_searcher):
    assert isinstance(warm_searcher.query_encoder, OnnxEncoder)
    assert warm_searcher.query_encoder_kind == "onnxruntime"


@pytest.mark.parametrize("path", ["cold", "warm"])
def test_the_query_encoder_matches_sentence_transformers(real_searcher, warm_searcher, encoder, queries, path):
    searcher = real_searcher if path == "cold" else warm_searcher
    texts = [searcher.dense_query(q) for q in queries]
    fast = searcher.query_encoder.encode(texts)
    slow = encoder.encode(texts, batch_size=64)
    cosines = np.sum(fast * slow, axis=1)
    assert cosines.min() >= 1 - 1e-5, texts[int(cosines.argmin())]


def order_differences(fast: list, slow: list, tolerance: float = 1e-5) -> list[int]:
    """Positions where the two rankings differ by more than the order of passages whose scores tie within ``tolerance``."""
    fast_scores = {h.id: h.score for h in fast}
    out = []
    for i, (a, b) in enumerate(zip(fast, slow)):
        if a.id == b.id:
            continue
        tied = b.id in fast_scores and abs(fast_scores[b.id] - a.score) <= tolerance
        tied_at_cut = b.id not in fast_scores and abs(a.score - b.score) <= tolerance and abs(a.score - fast[-1].score) <= tolerance
        if not (tied or tied_at_cut):
            out.append(i)
    return out


@pytest.mark.parametrize(("path", "mode"), [("cold", "bm25"), ("cold", "dense"), ("cold", "hybrid"), ("warm", "dense"), ("warm", "hybrid")])
def test_same_ranking_as_the_reference_path(real_searcher, warm_searcher, reference, queries, path, mode):
    """Same passages in the same order; only passages whose scores tie (within 1e-5) may swap places."""
    searcher = real_searcher if path == "cold" else warm_searcher
    reference.prepare_queries(queries)
    differ, ties = [], 0
    for query in queries:
        fast = searcher.search(query, k=10, mode=mode, snippets=False)
        slow = reference.search(query, k=10, mode=mode, snippets=False)
        assert len(fast) == len(slow), query
        assert np.allclose([h.score for h in fast], [h.score for h in slow], atol=1e-5), query
        if [h.id for h in fast] != [h.id for h in slow]:
            ties += 1
            if order_differences(fast, slow):
                differ.append(query)
    assert not differ, f"{len(differ)} of {len(queries)} rankings differ, e.g. {differ[:3]}"
    assert ties <= len(queries) // 100  # swaps of tied passages stay rare


@pytest.mark.parametrize("damage", ["altered", "truncated", "missing", "tokenizer", "tokenizer-truncated"])
def test_a_damaged_exported_encoder_is_refused(real_searcher, tmp_path, damage):
    import shutil

    from search.errors import ModelUnavailable

    source = real_searcher.root / "cache" / real_searcher.index.manifest.encoder
    copy = tmp_path / "encoder"
    shutil.copytree(source, copy)
    NumpyEncoder(copy)  # whole: loads, passes the probe and records that it did
    weights = copy / "weights.bin"
    if damage == "altered":
        flat = np.memmap(weights, dtype=np.float32, mode="r+")
        middle = len(flat) // 2
        flat[middle : middle + 600_000] = flat[middle : middle + 600_000][::-1].copy()  # same size, wrong numbers
        flat.flush()
        del flat
    elif damage == "truncated":
        weights.write_bytes(weights.read_bytes()[:1000])
    elif damage == "missing":
        weights.unlink()
    elif damage == "tokenizer":  # a valid tokenizer.json whose words have other ids (the special tokens keep theirs)
        import json

        config = json.loads((copy / "tokenizer.json").read_text(encoding="utf-8"))
        vocab = config["model"]["vocab"]
        last = len(vocab) - 1
        config["model"]["vocab"] = {token: i if i < 1000 else 1000 + last - i for token, i in vocab.items()}
        (copy / "tokenizer.json").write_text(json.dumps(config), encoding="utf-8")
    else:
        tokenizer = copy / "tokenizer.json"
        tokenizer.write_bytes(tokenizer.read_bytes()[:5000])
    with pytest.raises(ModelUnavailable, match="run 'kb index'"):
        NumpyEncoder(copy)


@pytest.mark.parametrize("damage", ["altered", "truncated", "empty"])
def test_a_damaged_onnx_graph_is_refused_and_the_server_keeps_numpy(real_searcher, encoder, tmp_path, damage):
    import shutil

    from search.errors import ModelUnavailable
    from search.encoders.onnx_encoder import ONNX_FILE

    root = tmp_path / "index"
    shutil.copytree(real_searcher.root, root, symlinks=True)
    directory = root / "cache" / real_searcher.index.manifest.encoder
    graph = directory / ONNX_FILE
    data = graph.read_bytes()
    if damage == "altered":  # same size, one weight block reversed: loads, but gives other vectors
        start = len(data) // 2
        data = data[:start] + data[start : start + 400_000][::-1] + data[start + 400_000 :]
    graph.write_bytes(data[:5000] if damage == "truncated" else b"" if damage == "empty" else data)
    with pytest.raises(ModelUnavailable, match="run 'kb index'"):
        OnnxEncoder(NumpyEncoder(directory))
    server = Searcher(root=root, encoder=encoder)
    server.warm_up()
    assert isinstance(server.query_encoder, NumpyEncoder)
    hits = server.search("why does grouped query attention save memory", k=3)
    assert hits and hits[0].id == real_searcher.search("why does grouped query attention save memory", k=3)[0].id
    if damage == "altered":  # kb index exports it again
        from search.build.indexer import export_server_encoder

        export_server_encoder(directory, encoder)
        assert OnnxEncoder(NumpyEncoder(directory)).encode(["kv cache"]).shape == (1, 384)


def test_a_verified_encoder_skips_the_probe_until_a_file_changes(real_searcher, tmp_path, monkeypatch):
    """The probe runs once per change of the exported files, not on every start (search/encoders/query_encoder.py)."""
    import os
    import shutil
    import time

    import search.encoders.query_encoder as qe

    source = real_searcher.root / "cache" / real_searcher.index.manifest.encoder
    copy = tmp_path / "encoder"
    shutil.copytree(source, copy)
    old = time.time() - 60
    for name in qe.FILES:
        os.utime(copy / name, (old, old))
    monkeypatch.setattr("search.index.stamps.RACY_SECONDS", -1e9)  # the ctime of a fresh copy is now; trust it for this test
    runs = []
    original = qe.NumpyEncoder.encode
    monkeypatch.setattr(qe.NumpyEncoder, "encode", lambda self, texts, **kw: runs.append(texts) or original(self, texts, **kw))
    qe.NumpyEncoder(copy)
    qe.NumpyEncoder(copy)
    assert runs == [[qe.PROBES[0]]]  # checked on the first load only
    (copy / "probes.npy").write_bytes((copy / "probes.npy").read_bytes())  # rewritten: new ctime
    qe.NumpyEncoder(copy)
    assert len(runs) == 2


HEAVY = ("torch", "transformers", "sentence_transformers", "faiss", "pydantic", "rank_bm25", "yaml", "sklearn", "scipy", "jieba", "onnxruntime")
"""Never in a `kb search` process. A BM25 search does not load NumPy or `tokenizers` (the query encoder's) either,
and an English query not rjieba (it has nothing to cut)."""


@pytest.mark.parametrize("mode", ["hybrid", "bm25"])
@pytest.mark.parametrize("query", ["why does grouped query attention save memory", "分组查询注意力为什么省显存"])
def test_a_search_process_imports_nothing_heavy(real_searcher, query, mode):
    """`kb search` on a built, current index loads none of the libraries that cost seconds, a BM25 search not even
    NumPy, and an English query not the Chinese cutter (BENCHMARKS.md "Speed")."""
    import json
    import os
    import subprocess
    import sys

    from search.text.tokenize import has_han

    unwanted = HEAVY + (("numpy", "tokenizers") if mode == "bm25" else ()) + (() if has_han(query) else ("rjieba",))
    code = (
        "import json, sys\nfrom search.cli import run\n"
        f"status = run(['search', {query!r}, '--json', '--mode', {mode!r}])\n"
        f"print(json.dumps([status, sorted(m for m in {unwanted!r} if m in sys.modules)]))\n"
    )
    env = {**os.environ, "KB_INDEX_DIR": str(real_searcher.root)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    lines = result.stdout.strip().splitlines()
    status, loaded = json.loads(lines[-1])
    hits = json.loads("\n".join(lines[:-1]))
    assert status == 0 and hits, result.stderr
    assert loaded == [], f"the query process imported {loaded}"
