"""Build the index from the knowledge base: passages -> BM25 tokens + embeddings -> store."""
from __future__ import annotations

import hashlib
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kb.corpus import build_passages, corpus_hash, load_knowledge
from kb.errors import KnowledgeError
from kb.passage import Passage

from search.index.postings import Postings
from search.encoders.dense import Encoder
from search.errors import ModelUnavailable, SearchError
from search.index.files import write_atomic
from search.index.freshness import sources_fingerprint
from search.build.reuse import reuse_vectors, write_cache
from search.index.store import BM25_ONLY, IndexCorrupt, Manifest, build_lock, prune_cache, read_manifest, write_index
from search.text.tokenize import Tokenizer, glossary_words
from search.index.zhmap import train

EMBED_CHUNK = 64
TEXT_DIR = Path(__file__).resolve().parents[1] / "text"
"""Where the tokenizer's code lives: the token cache is named by it (cuts_file)."""


@dataclass
class BuildReport:
    """What a build did."""

    path: Path
    passages: int
    embedded: int
    seconds: float
    warnings: tuple[str, ...] = ()


def index_tokens(passage: Passage, tokenizer: Tokenizer) -> list[str]:
    """BM25 tokens of a passage: titles (counted three times), page › section paths (twice) and text of both languages, plus its extra names.

    The path brings the page's title into each section, so 'KV cache pitfalls'
    finds the 'Pitfalls' section of the KV-cache page. The repeat counts were
    chosen on the evaluation set's tuning half (BENCHMARKS.md, "Search quality").
    """
    paths = list(passage.path.values()) if passage.kind == "section" else []
    parts = [*passage.title.values()] * 3 + paths * 2 + [*passage.text.values(), *passage.terms]
    return tokenizer.tokens("\n".join(parts))


def embed_text(passage: Passage) -> str:
    """What the (English) encoder embeds for a passage."""
    names = [t for t in passage.terms if t.isascii()]
    title = passage.path["en"] if passage.kind == "section" and passage.path.get("en") else passage.title["en"]
    head = title + (" (" + ", ".join(names) + ")" if names else "")
    return f"{head}. {passage.text['en']}"


def load_corpus(docs: Path | None = None, glossary: Path | None = None) -> list[Passage]:
    """Passages of the knowledge base (default: docs/ and kb/glossary/, or $KB_DOCS_DIR and $KB_GLOSSARY_DIR); KnowledgeError becomes a SearchError with the same line."""
    docs = docs or (Path(os.environ["KB_DOCS_DIR"]) if os.environ.get("KB_DOCS_DIR") else None)
    glossary = glossary or (Path(os.environ["KB_GLOSSARY_DIR"]) if os.environ.get("KB_GLOSSARY_DIR") else None)
    kwargs = {k: v for k, v in (("docs", docs), ("glossary_dir", glossary)) if v is not None}
    try:
        return build_passages(load_knowledge(**kwargs))
    except KnowledgeError as exc:
        raise SearchError(str(exc)) from None


def stale_reason(root: Path, passages: list[Passage], encoder: Encoder) -> str | None:
    """Why the index must be rebuilt (no index, unreadable manifest, other corpus, other model), or None."""
    try:
        manifest: Manifest | None = read_manifest(root)
    except IndexCorrupt as exc:
        return str(exc)
    if manifest is None:
        return f"no index in {root} yet"
    if manifest.corpus_hash != corpus_hash(passages):
        return "the knowledge changed since the last build"
    if manifest.model != encoder.label:
        return f"the index was built with model '{manifest.model}', not '{encoder.label}'"
    return None


def notice(message: str) -> None:
    """One status line on stderr ("kb: ..."), for builds run from the terminal."""
    print(f"kb: {message}", file=sys.stderr, flush=True)


def embed(encoder: Encoder, texts: list[str], progress: bool = False, why: str | None = None) -> np.ndarray:
    """Embed ``texts`` in chunks. With ``progress``, once the model has encoded the first chunk: a line
    saying how many passages (and ``why``) and about how long it will take, and a progress bar when stderr is a terminal."""
    if not texts:
        return encoder.encode([])
    from tqdm import tqdm

    started = time.perf_counter()
    parts = [encoder.encode(texts[:EMBED_CHUNK])]  # a model that cannot load fails here, before any notice
    if progress:
        left = len(texts) - len(parts[0])
        eta = f", about {max(1, round((time.perf_counter() - started) / len(parts[0]) * left))} s more" if left else ""
        notice(f"embedding {len(texts)} passages" + (f" ({why}{eta})" if why else f" ({eta[2:]})" if eta else ""))
    show = progress and sys.stderr.isatty()
    with tqdm(total=len(texts), initial=len(parts[0]), desc="kb: embedding", unit="passage", file=sys.stderr, disable=not show) as bar:
        for start in range(EMBED_CHUNK, len(texts), EMBED_CHUNK):
            parts.append(encoder.encode(texts[start : start + EMBED_CHUNK]))
            bar.update(len(parts[-1]))
    return np.concatenate(parts)


def build(
    root: Path,
    passages: list[Passage] | None = None,
    encoder: Encoder | None = None,
    progress: bool = False,
    bm25_only: bool = False,
    reason: str | None = None,
    sources: str = "",
) -> BuildReport:
    """Build and atomically install a new index under ``root`` (waits for a running build).

    Args:
        root: the index root.
        passages: what to index (default: the knowledge base, see load_corpus).
        encoder: the dense encoder (default: the bundled model); ModelUnavailable if it cannot load.
        progress: print one-line notices on stderr (waiting for another build, passages to embed)
            and a progress bar when stderr is a terminal.
        bm25_only: index without embeddings (the model is unavailable); the manifest's model is
            BM25_ONLY, so the next build that has the model embeds every passage.
        reason: why the index is being built, for the notices.
        sources: fingerprint of the files ``passages`` came from (computed here when they are read here).
    """
    start = time.perf_counter()
    if passages is None:
        sources = sources_fingerprint()  # before reading, so an edit during the build makes the index look stale
        passages = load_corpus()
    if not bm25_only:
        encoder = encoder or Encoder()
    warnings: list[str] = []
    with build_lock(root, on_wait=notice if progress else None):
        (root / "cache").mkdir(exist_ok=True)  # the token cache, the embedding cache and the exported encoder go here
        tokenizer = Tokenizer(glossary_words(passages))
        cuts = cuts_file(root, tokenizer)
        tokenizer.reuse_cuts(*read_cuts(cuts))
        tokens = [index_tokens(p, tokenizer) for p in passages]
        exported, query_map = "", None
        if bm25_only:
            if progress:
                notice(f"building an index for BM25 alone, without embeddings ({reason or 'no model'})")
            label, keys, embedded = BM25_ONLY, [""] * len(passages), 0
            vectors = np.zeros((len(passages), 0), dtype=np.float32)
        else:
            label = encoder.label
            texts = [embed_text(p) for p in passages]
            keys = [hashlib.sha256(f"{label}\n{t}".encode()).hexdigest() for t in texts]
            vectors, embedded = reuse_vectors(root, label, keys, lambda rows: embed(encoder, [texts[i] for i in rows], progress, reason))
            if progress and reason and not embedded:
                notice(f"rebuilding the index ({reason}); all {len(passages)} embeddings reused")
            query_map = train(passages, vectors, tokenizer).to_arrays()
            if isinstance(encoder, Encoder):
                try:
                    directory = export_query_encoder(root, encoder)
                    exported = directory.name
                    export_server_encoder(directory, encoder)
                except ModelUnavailable as exc:
                    warnings.append(str(exc))
        seconds = time.perf_counter() - start
        path = write_index(
            root, passages, Postings.from_corpus(tokens), vectors, keys, label, corpus_hash(passages), seconds, query_map,
            sources=sources, encoder=exported,
        )
        write_cuts(cuts, tokenizer.cuts(), tokenizer.text_tokens())
        if not bm25_only:
            write_cache(root, label, keys, vectors)
        embeddings = {path.name for path in (root / "cache").glob("vectors-*.npz")}  # a BM25-only build keeps the model's
        prune_cache(root, keep={exported, cuts.name, *embeddings})
    return BuildReport(path=path, passages=len(passages), embedded=embedded, seconds=seconds, warnings=tuple(warnings))


def cuts_file(root: Path, tokenizer: Tokenizer) -> Path:
    """Where the tokens of the last build are kept: named by what decides them (the tokenizer's signature: rjieba's
    release and the extra words) and by the code that tokenizes."""
    digest = hashlib.sha256(tokenizer.signature.encode())
    digest.update((TEXT_DIR / "tokenize.py").read_bytes())
    return root / "cache" / f"tokens-{digest.hexdigest()[:16]}.json"


def read_cuts(path: Path) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """An earlier build's cuts (Han run -> tokens) and text tokens (text key -> tokens); empty when there are none
    or the file is damaged (the tokenizer also ignores any entry that is not a list of strings)."""
    import orjson

    try:
        known = orjson.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}, {}
    if not isinstance(known, dict):
        return {}, {}
    runs, texts = known.get("runs"), known.get("texts")
    return (runs if isinstance(runs, dict) else {}), (texts if isinstance(texts, dict) else {})


def write_cuts(path: Path, cuts: dict[str, list[str]], texts: dict[str, list[str]]) -> None:
    """Keep this build's cuts and text tokens for the next one (atomically; best effort: without them the next
    build tokenizes again)."""
    import orjson

    write_atomic(path, orjson.dumps({"runs": cuts, "texts": texts}))


def export_query_encoder(root: Path, encoder: Encoder) -> Path:
    """The NumPy query encoder for ``encoder``'s model under root/cache, exported now unless it already is."""
    from search.encoders.query_encoder import cache_key, export

    from search.encoders.query_encoder import NumpyEncoder

    directory = root / "cache" / f"encoder-{cache_key(encoder.model)}"
    if (directory / "meta.json").is_file():
        try:
            NumpyEncoder(directory)  # an earlier export: checked (cheap while its files are unchanged)
        except ModelUnavailable:
            import shutil

            shutil.rmtree(directory, ignore_errors=True)  # damaged: exported again below
    if not (directory / "meta.json").is_file():
        export(encoder.model, encoder.label, directory)
    return directory


def export_server_encoder(directory: Path, encoder: Encoder) -> None:
    """The ONNX graph kb serve embeds queries with, in the exported encoder's directory, unless it is there (intact) already."""
    from search.encoders.onnx_encoder import DIGEST, ONNX_FILE, check_file, export

    try:
        check_file(directory / ONNX_FILE, directory / DIGEST)
    except ModelUnavailable:
        export(encoder.model, directory)
