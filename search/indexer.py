"""Build the index from the knowledge base: passages -> BM25 tokens + embeddings -> store."""
from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

from kb.corpus import build_passages, corpus_hash, load_knowledge
from kb.errors import KnowledgeError
from kb.schema import Passage

from .dense import Encoder
from .errors import SearchError
from .store import Manifest, build_lock, read_manifest, reuse_vectors, write_index
from .tokenize import Tokenizer
from .zhmap import train


@dataclass
class BuildReport:
    """What a build did."""

    path: Path
    passages: int
    embedded: int
    seconds: float


def glossary_words(passages: list[Passage]) -> list[str]:
    """Names of glossary terms (both languages) for the tokenizer's dictionary."""
    return [name for p in passages if p.kind == "term" for name in p.terms]


def index_tokens(passage: Passage, tokenizer: Tokenizer) -> list[str]:
    """BM25 tokens of a passage: titles (counted three times), page › section paths (twice) and text of both languages, plus its extra names.

    The path brings the page's title into each section, so 'KV cache pitfalls'
    finds the 'Pitfalls' section of the KV-cache page. The repeat counts were
    chosen on the evaluation set's tuning half (README, "Search quality").
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


def is_stale(root: Path, passages: list[Passage], encoder: Encoder) -> bool:
    """True when there is no index, or it was built from another corpus or model."""
    manifest: Manifest | None = read_manifest(root)
    return manifest is None or manifest.corpus_hash != corpus_hash(passages) or manifest.model != encoder.label


def build(root: Path, passages: list[Passage] | None = None, encoder: Encoder | None = None, progress: bool = False) -> BuildReport:
    """Build and atomically install a new index under ``root`` (waits for a running build)."""
    start = time.perf_counter()
    passages = load_corpus() if passages is None else passages
    encoder = encoder or Encoder()
    with build_lock(root):
        tokenizer = Tokenizer(glossary_words(passages))
        tokens = [index_tokens(p, tokenizer) for p in passages]
        texts = [embed_text(p) for p in passages]
        keys = [hashlib.sha256(f"{encoder.label}\n{t}".encode()).hexdigest() for t in texts]
        vectors, embedded = reuse_vectors(root, encoder.label, keys, lambda rows: encoder.encode([texts[i] for i in rows], progress=progress))
        query_map = train(passages, vectors, tokenizer).to_arrays()
        seconds = time.perf_counter() - start
        path = write_index(root, passages, tokens, vectors, keys, encoder.label, corpus_hash(passages), seconds, query_map)
    return BuildReport(path=path, passages=len(passages), embedded=embedded, seconds=seconds)
