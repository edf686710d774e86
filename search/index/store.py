"""The index on disk: one directory per build, a manifest, an atomic switch and a build lock.

Layout under the index root::

    current -> v-<corpus hash>-<time>/     (symlink, replaced atomically)
    v-.../manifest.json                     format version, model, dimension, corpus hash, file hashes
    v-.../passages.json                     the passages, in index order
    v-.../bm25.bin                          BM25 postings: per term, its passages and weights (search/index/postings.py)
    v-.../vectors.npy                       unit embeddings, float32 [n, dim]
    v-.../keys.json                         hash of each passage's embedded text (reuse on rebuild)
    v-.../zhmap.npz                         the Chinese query map's arrays (search/index/zhmap.py)
    cache/encoder-<model hash>/             the query encoders' exported weights (NumPy; ONNX for kb serve)
    cache/tokens-<hash>.json                the last build's tokens and Chinese cuts, reused by the next
    fresh.json                              knowledge-file fingerprint last found to match `current`
    verified.json                           stamps of the files of `current` that last hashed right (search/index/stamps.py)
    .lock                                   held while a build runs
"""
from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from kb.passage import Passage

from search.index.files import sha256_file
from search.index.postings import Postings
from search.errors import SearchError
from search.index.stamps import read_record, settled, stamp, write_record

if TYPE_CHECKING:
    import numpy as np  # imported where vectors are read or written: a BM25-only query never needs NumPy

FORMAT_VERSION = 6
FILES = ("passages.json", "bm25.bin", "vectors.npy", "keys.json", "zhmap.npz")
VERIFIED_FILE = "verified.json"
BM25_ONLY = "none (BM25 only)"
"""The manifest's model when the index was built without the embedding model (no vectors)."""
LEGACY_FIELDS = ("dictionary",)
"""Manifest fields older releases wrote and this one ignores: 'dictionary' named a prepared jieba dictionary
(SQLite) under cache/; Chinese is now cut by rjieba, with the same cuts, so such an index stays valid."""


@dataclass
class Manifest:
    """What an index was built from; compared with the corpus to decide if it is stale."""

    format_version: int
    model: str
    dim: int
    corpus_hash: str
    passages: int
    built_at: float
    build_seconds: float
    files: dict[str, str]
    sources: str = ""
    """Fingerprint (paths, sizes, mtimes) of the knowledge files and code the index was built from."""
    encoder: str = ""
    """Directory name of the exported query encoder under cache/ ('' when none)."""


@dataclass
class StoredIndex:
    """An index read back from disk; its files are verified on reading, the vectors and the query map parsed on first use."""

    path: Path
    manifest: Manifest
    passages: list[Passage]
    postings: Postings
    reader: object | None = None
    """An open handle on the build's manifest with a shared lock: while it is held, no build prunes this directory."""

    @cached_property
    def vectors(self) -> np.ndarray:
        """Unit passage embeddings, float32 [passages, dim]."""
        import numpy as np

        vectors = _parse(self.path, lambda: np.load(self.path / "vectors.npy", allow_pickle=False))
        if vectors.shape != (len(self.passages), self.manifest.dim):
            raise IndexCorrupt(f"index in {self.path} is inconsistent with its manifest; run 'kb index' to rebuild")
        return vectors

    @cached_property
    def query_map(self) -> dict[str, np.ndarray]:
        """Arrays of the Chinese query map (search.index.zhmap.QueryMap.to_arrays); needed by Chinese queries only."""
        import numpy as np

        def load() -> dict[str, np.ndarray]:
            with np.load(self.path / "zhmap.npz", allow_pickle=False) as arrays:
                return {name: arrays[name] for name in arrays.files}

        return _parse(self.path, load)


class IndexCorrupt(SearchError):
    """The index on disk cannot be used (missing, truncated, altered, other format)."""


def default_root() -> Path:
    """$KB_INDEX_DIR, else index/ at the repository root."""
    configured = os.environ.get("KB_INDEX_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "index"


@contextmanager
def build_lock(root: Path, wait: bool = True, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the index root's build lock; with ``wait=False`` fail at once if another build holds it.

    Args:
        root: the index root (the lock file is ``root/.lock``; the kernel frees it if the holder dies).
        wait: block until the other build finishes, instead of raising SearchError.
        on_wait: called once with a one-line message when this call has to wait.
    """
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise SearchError(f"another 'kb index' is building {root}; wait for it to finish") from None
            if on_wait is not None:
                on_wait(f"waiting for another build of {root} to finish")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_index(
    root: Path,
    passages: list[Passage],
    postings: Postings,
    vectors: np.ndarray,
    keys: list[str],
    model: str,
    corpus_hash: str,
    build_seconds: float,
    query_map: dict[str, np.ndarray] | None = None,
    sources: str = "",
    encoder: str = "",
) -> Path:
    """Write a complete index into a fresh directory, then point ``current`` at it atomically."""
    import numpy as np

    root.mkdir(parents=True, exist_ok=True)
    when = time.strftime("%Y%m%d-%H%M%S")
    final = root / f"v-{corpus_hash[:12]}-{when}-{os.getpid()}-{secrets.token_hex(3)}"  # two builds in one second differ
    tmp = root / f".tmp-{final.name}"
    tmp.mkdir()
    try:
        (tmp / "passages.json").write_text(json.dumps([p.to_dict() for p in passages], ensure_ascii=False), encoding="utf-8")
        postings.save(tmp / "bm25.bin")
        np.save(tmp / "vectors.npy", np.ascontiguousarray(vectors, dtype=np.float32))
        (tmp / "keys.json").write_text(json.dumps(keys), encoding="utf-8")
        np.savez(tmp / "zhmap.npz", **(query_map or {}))
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            model=model,
            dim=int(vectors.shape[1]) if vectors.ndim == 2 else 0,
            corpus_hash=corpus_hash,
            passages=len(passages),
            built_at=time.time(),
            build_seconds=round(build_seconds, 3),
            files={name: sha256_file(tmp / name) for name in FILES},
            sources=sources,
            encoder=encoder,
        )
        (tmp / "manifest.json").write_text(json.dumps(manifest.__dict__, indent=2), encoding="utf-8")
        for name in (*FILES, "manifest.json"):
            with (tmp / name).open("rb") as handle:
                os.fsync(handle.fileno())
        tmp.rename(final)
        previous = (root / "current").resolve() if (root / "current").exists() else None
        link = root / f".current-{os.getpid()}"
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(final.name)
        os.replace(link, root / "current")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _prune(root, keep={final.name, previous.name if previous is not None and previous.parent == root else ""})
    return final


def _prune(root: Path, keep: set[str]) -> None:
    """Remove old builds and leftovers of killed builds, except those in ``keep`` (the new current and the previous
    build, a fallback if current is damaged) and those a reader still holds (see read_index)."""
    for child in root.iterdir():
        if child.name in keep or not child.is_dir():
            continue
        if child.name.startswith(".tmp-"):
            shutil.rmtree(child, ignore_errors=True)  # builds hold the build lock: no other build is writing it
        elif child.name.startswith("v-") and not _in_use(child):
            shutil.rmtree(child, ignore_errors=True)


def _in_use(build: Path) -> bool:
    """True while a reader holds the shared lock on ``build``'s manifest."""
    try:
        handle = (build / "manifest.json").open("rb")
    except OSError:
        return False
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        except OSError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def prune_cache(root: Path, keep: set[str]) -> None:
    """Remove what the new index does not name under cache/: exported encoders, token caches, embedding caches
    and files of older releases (the jieba-*.sqlite dictionaries they prepared)."""
    cache = root / "cache"
    if not cache.is_dir():
        return
    for child in cache.iterdir():
        if child.name in keep:
            continue
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def read_manifest(root: Path) -> Manifest | None:
    """The manifest of the current index, or None when there is no index (a lost ``current`` is recovered first)."""
    if not (root / "current").exists():
        recover_current(root)
    return manifest_at((root / "current").resolve())


def manifest_at(build: Path) -> Manifest | None:
    """The manifest of the build directory ``build``, or None when it has none."""
    path = build / "manifest.json"
    if not path.exists():
        return None
    return _parse_manifest(path.read_bytes(), path)


def _parse_manifest(data: bytes, path: Path) -> Manifest:
    try:
        fields = json.loads(data)
        if isinstance(fields, dict):
            for name in LEGACY_FIELDS:
                fields.pop(name, None)
        return Manifest(**fields)
    except (ValueError, TypeError) as exc:
        raise IndexCorrupt(f"index manifest {path} is unreadable ({exc}); run 'kb index' to rebuild") from None


def _parse(path: Path, load: Callable[[], object]):  # noqa: ANN202 — whatever ``load`` returns
    """Run ``load`` on a part of the index in ``path``; a damaged part raises IndexCorrupt."""
    try:
        return load()
    except Exception as exc:  # noqa: BLE001 — narrowed here, as a BM25-only query never imports zipfile (for NumPy's .npz)
        bad_zip = getattr(sys.modules.get("zipfile"), "BadZipFile", ())
        if not isinstance(exc, (OSError, ValueError, TypeError, AttributeError, KeyError, bad_zip)):
            raise
        raise IndexCorrupt(f"index in {path} is damaged ({type(exc).__name__}); run 'kb index' to rebuild") from None


def _verify(root: Path, path: Path, files: dict[str, str], record: bool = True, only: tuple[str, ...] = FILES) -> None:
    """Check every file of the index in ``path`` against its manifest hash; raise IndexCorrupt on the first mismatch.

    A file unchanged since it last hashed right is trusted without hashing (search/index/stamps.py). ``only``: the files
    to check (all by default); ``record``: remember the stamps of those that hashed right (for ``current``).
    """
    if not isinstance(files, dict) or set(files) != set(FILES) or not all(isinstance(d, str) for d in files.values()):
        raise IndexCorrupt(f"index manifest in {path} does not list its files' hashes; run 'kb index' to rebuild")
    files = {name: files[name] for name in only}
    stamps = read_record(root / VERIFIED_FILE)
    known = stamps.get("stamps") if stamps.get("path") == str(path) else None
    known = known if isinstance(known, dict) else {}
    trusted: dict[str, list] = {}
    for name, digest in files.items():
        try:
            entry = [*stamp(path / name), digest]
        except OSError:
            raise IndexCorrupt(f"index file {path / name} is missing; run 'kb index' to rebuild") from None
        if known.get(name) != entry and sha256_file(path / name) != digest:
            raise IndexCorrupt(f"index file {path / name} does not match its manifest; run 'kb index' to rebuild")
        if known.get(name) == entry or settled(entry):
            trusted[name] = entry
    if record and trusted != known:
        write_record(root / VERIFIED_FILE, {"path": str(path), "stamps": trusted})


def read_index(root: Path, verify: bool = True) -> StoredIndex:
    """Load the current index; raise IndexCorrupt when any part is missing or altered.

    ``current`` is resolved once, so the manifest and the files come from one build even while a build switches it;
    a shared lock on that build's manifest, held by the returned index, keeps builds from pruning it. When
    ``current`` is missing or dangling, the newest intact build becomes current again (kb index leaves the previous
    one beside it), without re-embedding anything.
    """
    if not (root / "current").exists():
        recover_current(root)
    path = (root / "current").resolve()
    reader = _reader_lock(path)
    manifest = _parse_manifest(reader.read(), path / "manifest.json") if reader is not None else None  # read once, through the lock
    if manifest is None:
        raise IndexCorrupt(f"no index in {root}; run 'kb index'")
    if manifest.format_version != FORMAT_VERSION:
        raise IndexCorrupt(f"index format {manifest.format_version} is not {FORMAT_VERSION}; run 'kb index' to rebuild")
    if verify:
        _verify(root, path, manifest.files)
    passages = _parse(path, lambda: [Passage.from_dict(p) for p in orjson.loads((path / "passages.json").read_bytes())])
    postings = _parse(path, lambda: Postings.load(path / "bm25.bin"))
    if len(passages) != manifest.passages or postings.size != len(passages):
        raise IndexCorrupt(f"index in {path} is inconsistent with its manifest; run 'kb index' to rebuild")
    return StoredIndex(path=path, manifest=manifest, passages=passages, postings=postings, reader=reader)


def _reader_lock(build: Path):  # noqa: ANN202 — an open file, or None
    """Open ``build``'s manifest and hold a shared lock on it (None when it cannot be opened: reading then fails)."""
    try:
        handle = (build / "manifest.json").open("rb")
    except OSError:
        return None
    try:
        fcntl.flock(handle, fcntl.LOCK_SH)
    except OSError:
        pass  # a file system without locks: pruning then relies on keeping the previous build
    return handle


def builds(root: Path) -> list[Path]:
    """The complete build directories under ``root``, newest first (by name: v-<hash>-<date>-<time>-...)."""
    try:
        found = [child for child in root.iterdir() if child.name.startswith("v-") and child.is_dir()]
    except OSError:
        return []
    return sorted(found, key=lambda child: (child.name.split("-")[2:4], child.stat().st_mtime_ns), reverse=True)


def intact(root: Path, build: Path) -> bool:
    """True when ``build`` has a manifest of this format and every file matches its hash."""
    try:
        manifest = manifest_at(build)
        if manifest is None or manifest.format_version != FORMAT_VERSION:
            return False
        _verify(root, build, manifest.files, record=False)
        return True
    except (IndexCorrupt, OSError):
        return False


def recover_current(root: Path) -> Path | None:
    """Point a missing or dangling ``current`` at the newest intact build (best effort on a read-only index);
    return that build, or None when there is none."""
    for build in builds(root):
        if intact(root, build):
            link = root / f".current-{os.getpid()}"
            try:
                if link.is_symlink() or link.exists():
                    link.unlink()
                link.symlink_to(build.name)
                os.replace(link, root / "current")
            except OSError:
                return None
            return build
    return None
