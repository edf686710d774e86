"""Which files the knowledge is read from, and a cheap fingerprint of them (no parsing)."""
from __future__ import annotations

import hashlib
from pathlib import Path

DOCS_DIR = Path(__file__).resolve().parent.parent / "docs"
GENERATED = {"glossary.md"}
"""Pages written by the site build (from the glossary), not by hand."""
GLOSSARY_DIR = Path(__file__).resolve().parent / "glossary"
CODE_DIR = Path(__file__).resolve().parent


def knowledge_files(docs: Path = DOCS_DIR, glossary_dir: Path = GLOSSARY_DIR) -> list[Path]:
    """Hand-written pages (both languages) and glossary files, sorted; generated pages and assets left out."""
    generated = GENERATED | {name.replace(".md", ".zh.md") for name in GENERATED}
    pages = [
        path for path in docs.rglob("*.md")
        if not path.relative_to(docs).as_posix().startswith(("snippets/", "assets/")) and path.relative_to(docs).as_posix() not in generated
    ]
    return sorted(pages) + sorted(glossary_dir.glob("*.yaml"))


def fingerprint(files: list[Path]) -> str:
    """A hash of each file's path, size, modification and change times and inode: changes when any file is edited,
    added or removed, also by an edit that keeps the size and sets the modification time back (no call can set
    the change time back)."""
    digest = hashlib.sha256()
    for path in files:
        try:
            stat = path.stat()
        except OSError:
            continue
        digest.update(f"{path}\t{stat.st_size}\t{stat.st_mtime_ns}\t{stat.st_ctime_ns}\t{stat.st_ino}\n".encode())
    return digest.hexdigest()
