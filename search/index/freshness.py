"""Is the index current? A cheap answer from file fingerprints, before the costly one from parsing the knowledge.

Parsing every page and glossary file to compare corpus hashes takes about two
seconds, longer than a search. So each build records a fingerprint of the files
it read (paths, sizes, modification times, plus the kb/ and search/ code that
turns them into passages); a query process that finds the same fingerprint
trusts the index without parsing. A different fingerprint (a page edited,
touched, added or removed) falls back to the full comparison, which rebuilds
only when the passages really changed and otherwise records the new
fingerprint in ``fresh.json`` so the next process is fast again.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from kb.sources import CODE_DIR, DOCS_DIR, GLOSSARY_DIR, fingerprint, knowledge_files

from search.index.files import write_atomic
from search.index.store import Manifest

SEARCH_DIR = Path(__file__).resolve().parents[1]
FRESH_FILE = "fresh.json"


def knowledge_dirs() -> tuple[Path, Path]:
    """The docs and glossary directories the default corpus is read from ($KB_DOCS_DIR, $KB_GLOSSARY_DIR)."""
    docs = Path(os.environ["KB_DOCS_DIR"]) if os.environ.get("KB_DOCS_DIR") else DOCS_DIR
    glossary = Path(os.environ["KB_GLOSSARY_DIR"]) if os.environ.get("KB_GLOSSARY_DIR") else GLOSSARY_DIR
    return docs, glossary


def sources_fingerprint() -> str:
    """Fingerprint of the default knowledge files and of the code that reads and indexes them."""
    docs, glossary = knowledge_dirs()
    code = sorted(CODE_DIR.glob("*.py")) + sorted(SEARCH_DIR.rglob("*.py"))
    return fingerprint(knowledge_files(docs, glossary) + code)


def known_fresh(root: Path, manifest: Manifest, sources: str) -> bool:
    """True when ``sources`` is the fingerprint the current index was built from or last checked against."""
    if not sources:
        return False
    if manifest.sources == sources:
        return True
    try:
        recorded = json.loads((root / FRESH_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(recorded, dict) and recorded.get("sources") == sources and recorded.get("corpus_hash") == manifest.corpus_hash and recorded.get("model") == manifest.model


def record_fresh(root: Path, manifest: Manifest, sources: str) -> None:
    """Remember that the files with fingerprint ``sources`` give the current index (written atomically; best effort)."""
    if not sources or manifest.sources == sources:
        return
    write_atomic(root / FRESH_FILE, json.dumps({"sources": sources, "corpus_hash": manifest.corpus_hash, "model": manifest.model}).encode())
