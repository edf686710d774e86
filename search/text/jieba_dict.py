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

Importing jieba itself costs a fresh process about 25 ms (its HMM tables are a
large Python literal, plus logging and tempfile), so :class:`PreparedCutter`
runs jieba's search-mode algorithm over the table without importing it: the
prefix DAG, the most probable route by word frequency, and for runs of single
characters that are not a word, the BMES hidden Markov model by Viterbi, with
jieba's probabilities copied into the same SQLite file.
"""
from __future__ import annotations

import json
import math
import os
import re
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 2
MIN_LOG_P = -3.14e100
"""jieba's log-probability for a transition or emission it never saw."""
STATES = "BMES"
PREVIOUS = {"B": "ES", "M": "MB", "S": "SE", "E": "BM"}
"""Which states may precede each state (a word is B M* E, or S alone)."""
HMM_HAN_RE = re.compile("([\u4E00-\u9FD5]+)")
HMM_SKIP_RE = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")
BLOCK_RE = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+)")
"""jieba's blocks: runs it segments; the rest is split at whitespace and yielded a character at a time."""
SPACE_RE = re.compile(r"(\r\n|\s)")


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


def _hmm_tables() -> tuple[dict, dict, dict]:
    from jieba import finalseg

    return finalseg.start_P, finalseg.trans_P, finalseg.emit_P


def write_table(freq: Mapping[str, int], total: int, path: Path) -> Path:
    """Write a finished jieba dictionary (``Tokenizer.FREQ``/``total``) and jieba's HMM to ``path`` atomically."""
    start, trans, emit = _hmm_tables()
    chars = sorted(set().union(*(emit[state] for state in STATES)))
    emit_rows = [(c, *(emit[state].get(c) for state in STATES)) for c in chars]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{path.name}-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    try:
        with sqlite3.connect(tmp) as connection:
            connection.execute("CREATE TABLE freq (word TEXT PRIMARY KEY, freq INTEGER NOT NULL) WITHOUT ROWID")
            connection.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            connection.executemany("INSERT INTO freq VALUES (?, ?)", freq.items())
            connection.execute("CREATE TABLE emit (char TEXT PRIMARY KEY, b REAL, m REAL, e REAL, s REAL) WITHOUT ROWID")
            connection.executemany("INSERT INTO emit VALUES (?, ?, ?, ?, ?)", emit_rows)
            meta = [("total", str(total)), ("schema", str(SCHEMA_VERSION)), ("start", json.dumps(start)), ("trans", json.dumps(trans))]
            connection.executemany("INSERT INTO meta VALUES (?, ?)", meta)
        connection.close()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


class PreparedCutter:
    """jieba's ``cut_for_search`` (HMM on) over a prepared table, without importing jieba (see module doc).

    Raises sqlite3.DatabaseError when the table is missing, damaged or of another schema.
    """

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise sqlite3.DatabaseError(f"no prepared jieba dictionary at {path}")
        self.freq = FrequencyTable(path)
        self.log_total = math.log(self.freq.total)
        rows = dict(self.freq.connection.execute("SELECT key, value FROM meta WHERE key IN ('start', 'trans')").fetchall())
        try:
            self.start = json.loads(rows["start"])
            self.trans = json.loads(rows["trans"])
        except (KeyError, ValueError) as exc:
            raise sqlite3.DatabaseError(f"prepared jieba dictionary {path} has no HMM ({type(exc).__name__})") from None
        self._emit: dict[str, tuple[float, float, float, float]] = {}

    def _emission(self, char: str) -> dict[str, float]:
        row = self._emit.get(char)
        if row is None:
            with self.freq._lock:
                found = self.freq.connection.execute("SELECT b, m, e, s FROM emit WHERE char = ?", (char,)).fetchone()
            row = self._emit[char] = tuple(MIN_LOG_P if v is None else v for v in (found or (None,) * 4))
        return dict(zip(STATES, row))

    def _viterbi(self, text: str) -> list[str]:
        """The most probable BMES labels of ``text`` (ties broken as jieba breaks them: the larger state letter)."""
        emit = [self._emission(c) for c in text]
        best = {y: self.start[y] + emit[0][y] for y in STATES}
        paths = {y: [y] for y in STATES}
        for t in range(1, len(text)):
            scores, new_paths = {}, {}
            for y in STATES:
                prob, prev = max((best[p] + self.trans[p].get(y, MIN_LOG_P) + emit[t][y], p) for p in PREVIOUS[y])
                scores[y], new_paths[y] = prob, paths[prev] + [y]
            best, paths = scores, new_paths
        return paths[max((best[y], y) for y in "ES")[1]]

    def _hmm_words(self, run: str) -> list[str]:
        """jieba's finalseg.cut: Viterbi over the Han parts, letters/digits and the rest passed through."""
        out: list[str] = []
        for block in HMM_HAN_RE.split(run):
            if not block:
                continue
            if HMM_HAN_RE.fullmatch(block):
                labels = self._viterbi(block)
                begin = after = 0
                for i, label in enumerate(labels):
                    if label == "B":
                        begin = i
                    elif label == "E":
                        out.append(block[begin : i + 1])
                        after = i + 1
                    elif label == "S":
                        out.append(block[i])
                        after = i + 1
                if after < len(block):
                    out.append(block[after:])
            else:
                out.extend(x for x in HMM_SKIP_RE.split(block) if x)
        return out

    def _words(self, block: str) -> list[str]:
        """jieba's cut of one block: the best route through the prefix DAG, single characters regrouped by the HMM."""
        n, freq = len(block), self.freq
        dag: list[list[int]] = []
        for k in range(n):
            ends, i, fragment = [], k, block[k]
            while i < n and fragment in freq:
                if freq[fragment]:
                    ends.append(i)
                i += 1
                fragment = block[k : i + 1]
            dag.append(ends or [k])
        route: list[tuple[float, int]] = [(0.0, 0)] * (n + 1)
        for k in range(n - 1, -1, -1):
            route[k] = max((math.log(freq.get(block[k : x + 1]) or 1) - self.log_total + route[x + 1][0], x) for x in dag[k])
        out: list[str] = []
        pending = ""

        def flush() -> None:
            if len(pending) == 1:
                out.append(pending)
            elif pending:
                out.extend(self._hmm_words(pending) if not freq.get(pending) else pending)

        x = 0
        while x < n:
            y = route[x][1] + 1
            if y - x == 1:
                pending += block[x]
            else:
                flush()
                pending = ""
                out.append(block[x:y])
            x = y
        flush()
        return out

    def cut(self, text: str) -> list[str]:
        """jieba's ``cut(text, HMM=True)``."""
        out: list[str] = []
        for block in BLOCK_RE.split(text):
            if not block:
                continue
            if BLOCK_RE.fullmatch(block):
                out.extend(self._words(block))
            else:
                for part in SPACE_RE.split(block):
                    if SPACE_RE.fullmatch(part):
                        out.append(part)
                    else:
                        out.extend(part)
        return out

    def cut_for_search(self, text: str) -> list[str]:
        """jieba's ``cut_for_search(text)``: each word, preceded by its known 2- and 3-character parts."""
        out: list[str] = []
        for word in self.cut(text):
            if len(word) > 2:
                out.extend(word[i : i + 2] for i in range(len(word) - 1) if self.freq.get(word[i : i + 2]))
            if len(word) > 3:
                out.extend(word[i : i + 3] for i in range(len(word) - 2) if self.freq.get(word[i : i + 3]))
            out.append(word)
        return out
