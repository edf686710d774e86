"""Trust a file that has not changed since it last passed a check: git's stat cache, with its "racily clean" rule.

Hashing the index (15 MB) or re-encoding a probe sentence with the exported
encoder costs a fresh `kb search` more than the search itself, and the files
rarely change. So after a file passes its check, its stamp (size, mtime, ctime,
inode) is recorded; while the stamp is the same, the check is skipped.
A write changes the ctime, which no user-level call can set back, so restoring
the mtime does not hide an edit. File times are coarse, so a file that changed
within RACY_SECONDS before its check is not recorded: a second write in the
same clock tick could otherwise keep the same stamp.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from search.index.files import write_atomic

RACY_SECONDS = 2.0


def stamp(path: Path) -> list[int]:
    """The stamp of ``path`` (OSError when it is missing)."""
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]


def settled(file_stamp: list[int]) -> bool:
    """True when the file last changed more than RACY_SECONDS ago, so its stamp can be trusted later."""
    return time.time_ns() - max(file_stamp[1], file_stamp[2]) > RACY_SECONDS * 1e9


def read_record(record: Path) -> dict:
    """A record written by :func:`write_record`, or {} when there is none or it is unreadable."""
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_record(record: Path, data: dict) -> None:
    """Write ``data`` to ``record`` atomically; best effort (a read-only place just means checking every time)."""
    write_atomic(record, json.dumps(data).encode())
