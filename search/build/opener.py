"""Open the index for searching, building it first when it is missing, damaged, stale or of another model.

This is the one place where the query side meets the build side: the CLI and the server call
``open_searcher``, which checks freshness, rebuilds when needed and hands the stored index to a
``Searcher``. The engine itself only reads an index and never imports this package.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kb.passage import Passage
from search.encoders.dense import Encoder, load_encoder
from search.engine import Searcher
from search.errors import ModelUnavailable
from search.index.freshness import known_fresh, record_fresh, sources_fingerprint
from search.index.store import IndexCorrupt, StoredIndex, default_root, read_index, read_manifest


@dataclass
class Opened:
    """An index ready to read, and what opening it took."""

    index: StoredIndex
    rebuild_reason: str | None = None
    """Why it was (re)built: missing, damaged, stale, another model; None when it was used as it was."""
    model_error: ModelUnavailable | None = None
    """Why the model could not embed, when the build fell back to BM25 alone."""


def open_index(
    root: Path,
    encoder: Encoder,
    check_stale: bool = True,
    corpus: Callable[[], list[Passage]] | None = None,
    progress: bool = False,
) -> Opened:
    """Read the index at ``root``; first rebuild it when it does not match the knowledge files and ``encoder``.

    Args:
        corpus: returns the passages to compare with and build from (default: docs/ and kb/glossary/, whose
            file fingerprint lets an unchanged knowledge base skip the comparison).
        progress: when the index must be built, say so on stderr with a progress bar (the CLI).
    """
    if not check_stale:
        return Opened(read_index(root))
    sources = sources_fingerprint() if corpus is None else ""
    if sources:
        try:
            manifest = read_manifest(root)
            if manifest is not None and manifest.model == encoder.label and known_fresh(root, manifest, sources):
                return Opened(read_index(root))
        except IndexCorrupt:
            pass  # the full check below says why and rebuilds
    from search.build.indexer import load_corpus, stale_reason

    passages = (corpus or load_corpus)()
    opened = Opened(index=None)  # type: ignore[arg-type] — filled in below
    reason = stale_reason(root, passages, encoder)
    if reason:
        _build(root, passages, encoder, reason, sources, progress, opened)
    try:
        opened.index = read_index(root)
    except IndexCorrupt as exc:
        _build(root, passages, encoder, str(exc), sources, progress, opened)
        opened.index = read_index(root)
    record_fresh(root, opened.index.manifest, sources)
    return opened


def _build(root: Path, passages: list[Passage], encoder: Encoder, reason: str, sources: str, progress: bool, opened: Opened) -> None:
    """Build the index; without the model, keep an index of the same corpus or build one for BM25 alone."""
    from search.build.indexer import build

    opened.rebuild_reason = reason = reason.split("; run 'kb index'")[0]
    try:
        build(root, passages, encoder, progress=progress, reason=reason, sources=sources)
    except ModelUnavailable as exc:
        opened.model_error = exc
        if _current_matches(root, passages):
            opened.rebuild_reason = None  # nothing was rebuilt: its BM25 part is right, only its vectors are of another model
            return
        build(root, passages, progress=progress, bm25_only=True, reason=f"{reason}; {exc}", sources=sources)


def _current_matches(root: Path, passages: list[Passage]) -> bool:
    from kb.corpus import corpus_hash

    try:
        manifest = read_manifest(root)
        return manifest is not None and manifest.corpus_hash == corpus_hash(passages) and bool(read_index(root))
    except IndexCorrupt:
        return False


def open_searcher(
    root: Path | None = None,
    encoder: Encoder | None = None,
    base_url: str = "",
    check_stale: bool = True,
    corpus: Callable[[], list[Passage]] | None = None,
    progress: bool = False,
) -> Searcher:
    """A ``Searcher`` over the index at ``root`` (default: $KB_INDEX_DIR or ./index), built or rebuilt first when
    needed (see ``open_index``). Without the model, hybrid search answers from BM25 alone and says why."""
    root = root or default_root()
    encoder, model_error = load_encoder(encoder)
    opened = open_index(root, encoder, check_stale=check_stale, corpus=corpus, progress=progress)
    return Searcher(
        opened.index,
        root=root,
        encoder=encoder,
        base_url=base_url,
        model_error=model_error or opened.model_error,
        rebuild_reason=opened.rebuild_reason,
    )
