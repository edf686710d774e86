"""jieba with its dictionary in SQLite, so a query process cuts Chinese without loading 500k words first.

jieba's own start-up unmarshals its whole prefix dictionary (about 500,000
entries) and then adds our glossary words: over a second on this machine,
longer than the rest of a search. Segmenting a short query looks up only a few
hundred of those entries, so `kb index` writes the finished dictionary (jieba's
words, their prefixes and our added words, with jieba's frequencies and
total) into a SQLite table once, and queries use a jieba Tokenizer whose
dictionary reads from it on demand. It is the same dictionary, so the cut is
the same as the fully loaded tokenizer's (tested over the evaluation queries
and with hypothesis).
"""
from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1


class FrequencyTable(Mapping[str, int]):
    """A read-only, memoized view of the dictionary table: word -> frequency (0 for a bare prefix)."""

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        row = self.connection.execute("SELECT value FROM meta WHERE key = 'total'").fetchone()
        version = self.connection.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is None or version is None or int(version[0]) != SCHEMA_VERSION:
            raise sqlite3.DatabaseError("not a prepared jieba dictionary")
        self.total = int(row[0])
        self._memo: dict[str, int | None] = {}
        self._lock = threading.Lock()

    def _lookup(self, word: str) -> int | None:
        try:
            return self._memo[word]
        except KeyError:
            pass
        with self._lock:
            row = self.connection.execute("SELECT freq FROM freq WHERE word = ?", (word,)).fetchone()
        value = self._memo[word] = None if row is None else int(row[0])
        return value

    def __getitem__(self, word: str) -> int:
        value = self._lookup(word)
        if value is None:
            raise KeyError(word)
        return value

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._lookup(word) is not None

    def get(self, word: str, default: Any = None) -> Any:  # noqa: ANN401 — Mapping.get
        value = self._lookup(word)
        return default if value is None else value

    def __iter__(self) -> Iterator[str]:
        return (row[0] for row in self.connection.execute("SELECT word FROM freq"))

    def __len__(self) -> int:
        return int(self.connection.execute("SELECT COUNT(*) FROM freq").fetchone()[0])


def write_table(freq: Mapping[str, int], total: int, path: Path) -> Path:
    """Write a finished jieba dictionary (``Tokenizer.FREQ``/``total``) to ``path`` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{path.name}-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    try:
        with sqlite3.connect(tmp) as connection:
            connection.execute("CREATE TABLE freq (word TEXT PRIMARY KEY, freq INTEGER NOT NULL) WITHOUT ROWID")
            connection.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            connection.executemany("INSERT INTO freq VALUES (?, ?)", freq.items())
            connection.executemany("INSERT INTO meta VALUES (?, ?)", [("total", str(total)), ("schema", str(SCHEMA_VERSION))])
        connection.close()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def prepared_jieba(path: Path):  # noqa: ANN201 — jieba has no types
    """A jieba Tokenizer over the table at ``path`` (sqlite3.DatabaseError when it is missing or damaged)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    if not path.is_file():
        raise sqlite3.DatabaseError(f"no prepared jieba dictionary at {path}")
    table = FrequencyTable(path)
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ = table
    tokenizer.total = table.total
    tokenizer.initialized = True
    return tokenizer
