"""Embeddings a build can reuse instead of running the model: from every stored copy that still checks out.

A passage's vector is keyed by the hash of the model label and the text it
embeds (indexer.build), so any copy of that key's vector is the same vector.
Copies, tried in order until every key is found:

1. the current build, if its keys.json and vectors.npy match their manifest hashes
   (a damaged bm25.bin or passages.json does not cost the embeddings);
2. the other intact builds beside it (kb index keeps the previous one);
3. the embedding cache, cache/vectors-<model hash>.npz, rewritten after every build;
   a zip's CRC-32 on every member catches a truncated or altered file.

So a damaged index is rebuilt in about the time of `kb index` with nothing to
embed (about a second), not by re-embedding every passage.
"""
from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from search.index.files import write_atomic
from search.index.store import IndexCorrupt, _verify, builds, manifest_at


def cache_file(root: Path, model: str) -> Path:
    """The embedding cache of ``model`` under ``root``/cache."""
    return root / "cache" / f"vectors-{hashlib.sha256(model.encode()).hexdigest()[:12]}.npz"


def _from_build(root: Path, build: Path, model: str) -> dict[str, np.ndarray]:
    manifest = manifest_at(build)
    if manifest is None or manifest.model != model:
        return {}
    _verify(root, build, manifest.files, record=False, only=("keys.json", "vectors.npy"))
    keys = json.loads((build / "keys.json").read_text(encoding="utf-8"))
    vectors = np.load(build / "vectors.npy", allow_pickle=False)
    if not isinstance(keys, list) or vectors.ndim != 2 or len(keys) != len(vectors):
        return {}
    return dict(zip(keys, vectors))


def _from_cache(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as arrays:
        keys, vectors = arrays["keys"], arrays["vectors"]
    if vectors.ndim != 2 or len(keys) != len(vectors):
        return {}
    return dict(zip(keys.tolist(), vectors))


def stored_vectors(root: Path, model: str, wanted: set[str]) -> dict[str, np.ndarray]:
    """Vectors of ``model`` for as many of the ``wanted`` keys as any intact stored copy holds."""
    found: dict[str, np.ndarray] = {}
    current = (root / "current").resolve() if (root / "current").exists() else None
    others = [build for build in builds(root) if build != current]
    sources: list[Callable[[], dict[str, np.ndarray]]] = [
        *(lambda build=build: _from_build(root, build, model) for build in ([current] if current else []) + others),
        lambda: _from_cache(cache_file(root, model)),
    ]
    for load in sources:
        if wanted <= found.keys():
            break
        try:
            more = load()
        except (IndexCorrupt, OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError):
            continue  # a damaged copy: try the next
        for key, vector in more.items():
            if key in wanted and key not in found:
                found[key] = vector
    return found


def reuse_vectors(root: Path, model: str, keys: list[str], embed: Callable[[list[int]], np.ndarray], dim_hint: int | None = None) -> tuple[np.ndarray, int]:
    """Vectors for ``keys`` (hashes of embedded text), reusing every stored vector of the same model and key.

    Args:
        root: index root holding the previous builds and the embedding cache.
        model: model label; vectors of another model are never reused.
        keys: one content hash per passage, in order.
        embed: called with the positions that need embedding; returns their vectors.

    Returns:
        (vectors [len(keys), dim], number of passages embedded now).
    """
    previous = stored_vectors(root, model, set(keys))
    dims = {vector.shape[0] for vector in previous.values()}
    if len(dims) > 1:  # copies of two dimensions under one label: trust none of them
        previous = {}
    missing = [i for i, key in enumerate(keys) if key not in previous]
    fresh = embed(missing) if missing else None
    dim = fresh.shape[1] if fresh is not None and fresh.ndim == 2 and len(fresh) else (next(iter(previous.values())).shape[0] if previous else (dim_hint or 0))
    out = np.zeros((len(keys), dim), dtype=np.float32)
    for i, key in enumerate(keys):
        if key in previous:
            out[i] = previous[key]
    if fresh is not None:
        for row, i in enumerate(missing):
            out[i] = fresh[row]
    return out, len(missing)


def write_cache(root: Path, model: str, keys: list[str], vectors: np.ndarray) -> Path:
    """Keep this build's vectors in the embedding cache (atomically; best effort: without it, a damaged index falls
    back to the other builds or to the model)."""
    import io

    path = cache_file(root, model)
    buffer = io.BytesIO()
    np.savez(buffer, keys=np.asarray(keys, dtype=str), vectors=np.ascontiguousarray(vectors, dtype=np.float32))
    write_atomic(path, buffer.getvalue())
    return path
