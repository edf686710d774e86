import json
import os
from pathlib import Path

import numpy as np
import pytest

from search.errors import SearchError
from search.build.indexer import build
from search.index.store import IndexCorrupt, build_lock, read_index, read_manifest


def test_build_writes_manifest_and_switches_atomically(tmp_path, kb_copy, corpus_of, fake_encoder):
    root = tmp_path / "index"
    passages = corpus_of(kb_copy)()
    report = build(root, passages, fake_encoder)
    assert report.passages == len(passages) == 8 and report.embedded == 8
    assert (root / "current").is_symlink()
    manifest = read_manifest(root)
    assert manifest.model == "fake-bow-64" and manifest.dim == 64 and manifest.passages == 8
    stored = read_index(root)
    assert [p.id for p in stored.passages] == [p.id for p in passages]
    np.testing.assert_allclose(np.linalg.norm(stored.vectors, axis=1), 1.0, rtol=1e-5)


def test_rebuild_reembeds_only_changed_passages(tmp_path, kb_copy, corpus_of, fake_encoder):
    root = tmp_path / "index"
    load = corpus_of(kb_copy)
    build(root, load(), fake_encoder)
    first = (root / "current").resolve()
    page = kb_copy / "docs" / "attention" / "gqa.md"
    page.write_text(page.read_text(encoding="utf-8").replace("saves memory", "saves much memory"), encoding="utf-8")
    report = build(root, load(), fake_encoder)
    assert report.embedded == 1
    second = (root / "current").resolve()
    assert second != first and first.exists()  # the previous build is kept, a fallback if current is damaged
    page.write_text(page.read_text(encoding="utf-8").replace("saves much memory", "saves a lot of memory"), encoding="utf-8")
    assert build(root, load(), fake_encoder).embedded == 1
    assert second.exists() and not first.exists()  # older builds are pruned once no reader holds them


@pytest.mark.parametrize("damage", ["truncate", "flip", "delete", "format", "zhmap"])
def test_damaged_index_is_detected(tmp_path, kb_copy, corpus_of, fake_encoder, damage):
    root = tmp_path / "index"
    build(root, corpus_of(kb_copy)(), fake_encoder)
    current = (root / "current").resolve()
    if damage == "truncate":
        data = (current / "vectors.npy").read_bytes()
        (current / "vectors.npy").write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        text = (current / "passages.json").read_text(encoding="utf-8")
        (current / "passages.json").write_text(text.replace("Grouped", "Grouper", 1), encoding="utf-8")
    elif damage == "delete":
        os.remove(current / "bm25.bin")
    elif damage == "zhmap":
        (current / "zhmap.npz").write_bytes(b"not a zip")
    else:
        manifest = json.loads((current / "manifest.json").read_text())
        manifest["format_version"] = 999
        (current / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexCorrupt, match="run 'kb index'"):
        read_index(root)


@pytest.mark.parametrize("restore_mtime", [False, True])
def test_a_verified_index_is_hashed_again_only_when_a_file_changes(tmp_path, kb_copy, corpus_of, fake_encoder, monkeypatch, restore_mtime):
    """read_index trusts files unchanged since they last hashed right (store._verify); a changed file is hashed again,
    even when its size stays the same and its mtime is set back (the ctime moves)."""
    import search.index.store as store

    root = tmp_path / "index"
    build(root, corpus_of(kb_copy)(), fake_encoder)
    current = (root / "current").resolve()
    monkeypatch.setattr("search.index.stamps.RACY_SECONDS", -1e9)  # files written a moment ago count as settled here
    hashed = []
    original = store.sha256_file
    monkeypatch.setattr(store, "sha256_file", lambda path: hashed.append(path.name) or original(path))
    read_index(root)
    assert sorted(hashed) == sorted(store.FILES) and (root / store.VERIFIED_FILE).exists()
    hashed.clear()
    read_index(root)
    assert hashed == []  # nothing changed: nothing hashed
    target = current / "passages.json"
    before = target.stat()
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("Grouped", "Grouper", 1), encoding="utf-8")  # same size
    if restore_mtime:
        os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert target.stat().st_size == before.st_size
    with pytest.raises(IndexCorrupt, match="does not match its manifest"):
        read_index(root)
    assert hashed == ["passages.json"]


def test_a_racily_written_file_is_not_trusted(tmp_path, kb_copy, corpus_of, fake_encoder, monkeypatch):
    """A file that changed within RACY_SECONDS of being hashed is hashed again next time (git's racy-clean rule)."""
    import search.index.store as store

    root = tmp_path / "index"
    build(root, corpus_of(kb_copy)(), fake_encoder)
    read_index(root)
    hashed = []
    original = store.sha256_file
    monkeypatch.setattr(store, "sha256_file", lambda path: hashed.append(path.name) or original(path))
    read_index(root)
    assert sorted(hashed) == sorted(store.FILES)  # all written just now: none trusted yet


def test_vectors_and_query_map_are_read_on_first_use(tmp_path, kb_copy, corpus_of, fake_encoder):
    root = tmp_path / "index"
    build(root, corpus_of(kb_copy)(), fake_encoder)
    stored = read_index(root)
    assert "vectors" not in stored.__dict__ and "query_map" not in stored.__dict__
    assert stored.vectors.shape == (8, 64) and set(stored.query_map) >= {"vocab", "dual"}


def test_second_builder_is_told_when_not_waiting(tmp_path):
    root = tmp_path / "index"
    with build_lock(root):
        pid = os.fork()
        if pid == 0:  # child: try to take the lock without waiting
            try:
                with build_lock(root, wait=False):
                    os._exit(0)
            except SearchError:
                os._exit(3)
        _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 3


def test_failed_build_leaves_previous_index(tmp_path, kb_copy, corpus_of, fake_encoder):
    root = tmp_path / "index"
    build(root, corpus_of(kb_copy)(), fake_encoder)
    before = (root / "current").resolve()

    class Broken:
        label = "fake-bow-64"

        def encode(self, texts, **_):
            raise RuntimeError("killed halfway")

    page = kb_copy / "docs" / "attention" / "gqa.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n## New {#new}\n\nnew text\n", encoding="utf-8")
    zh = kb_copy / "docs" / "attention" / "gqa.zh.md"
    zh.write_text(zh.read_text(encoding="utf-8") + "\n## 新 {#new}\n\n新内容\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        build(root, corpus_of(kb_copy)(), Broken())
    assert (root / "current").resolve() == before
    assert read_index(root).manifest.passages == 8
    assert not [p for p in root.iterdir() if p.name.startswith(".tmp-")]


def test_a_rebuild_tokenizes_only_new_text_and_gives_the_same_index(tmp_path, kb_copy, corpus_of, fake_encoder, monkeypatch):
    """Tokens of texts and cuts of Han runs are kept between builds (search/build/indexer.py cuts_file); a damaged cache is ignored."""
    from search.text.tokenize import Tokenizer

    root = tmp_path / "index"
    load = corpus_of(kb_copy)
    build(root, load(), fake_encoder)
    assert len(list((root / "cache").glob("tokens-*.json"))) == 1
    page = kb_copy / "docs" / "attention" / "gqa.zh.md"
    page.write_text(page.read_text(encoding="utf-8").replace("这就是多查询注意力。", "这就是多查询注意力。蝴蝶效应与量子纠缠。"), encoding="utf-8")
    cut: list[str] = []
    tokenized: list[str] = []
    original, original_tokens = Tokenizer._cut, Tokenizer._tokens
    monkeypatch.setattr(Tokenizer, "_cut", lambda self, run: cut.append(run) or original(self, run))
    monkeypatch.setattr(Tokenizer, "_tokens", lambda self, text: tokenized.append(text) or original_tokens(self, text))
    build(root, load(), fake_encoder)
    assert cut and all("蝴蝶" in run or "量子" in run for run in cut), cut  # only the new text was cut
    assert tokenized and all("蝴蝶" in text for text in tokenized), tokenized  # only texts holding it were tokenized
    with_cache = read_index(root).postings
    for stale in (root / "cache").glob("tokens-*.json"):
        stale.write_text('{"broken": [1, 2]', encoding="utf-8")  # damaged: ignored, everything cut again
    page.write_text(page.read_text(encoding="utf-8").replace("量子纠缠。", "量子纠缠。再加一句。"), encoding="utf-8")
    build(root, load(), fake_encoder)
    page.write_text(page.read_text(encoding="utf-8").replace("再加一句。", ""), encoding="utf-8")
    for stale in (root / "cache").glob("tokens-*.json"):
        stale.write_text('{"runs": {"量子纠缠": [1]}, "texts": []}', encoding="utf-8")  # well-formed JSON, wrong shapes
    build(root, load(), fake_encoder)
    assert read_index(root).postings.vocab == with_cache.vocab
    for stale in (root / "cache").glob("tokens-*.json"):
        stale.unlink()
    build(root, load(), fake_encoder)  # no cache at all
    fresh = read_index(root).postings
    assert with_cache.vocab == fresh.vocab and np.array_equal(with_cache.weights, fresh.weights)
