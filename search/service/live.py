"""A searcher that follows the index on disk: when `kb index` swaps in a new build, load it off the request path.

The index store points ``<root>/current`` at the build in use and replaces that
link atomically. `LiveSearcher.get()` reads the link (a readlink, microseconds),
and when it names another build starts one background thread that opens the new
build and warms it; requests keep being answered by the old searcher until the
new one is ready, then the reference is swapped. A request that already holds
the old searcher finishes on it (everything it needs is in memory).
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from search.engine import Searcher

log = logging.getLogger("kb.serve")

WARM_QUERIES = ("grouped query attention", "分组查询注意力")


def warm(searcher: Searcher) -> None:
    """Load everything a query needs lazily (the Chinese cutter, the encoder, the vectors, the suggester) before the first request."""
    searcher.warm_up()
    for query in WARM_QUERIES:
        searcher.search(query, k=1, mode="hybrid")
    searcher.suggest("attentoin")


def current_target(root: Path) -> str | None:
    """Name of the build ``<root>/current`` points at, or None when there is none."""
    try:
        return os.readlink(root / "current")
    except OSError:
        return None


class LiveSearcher:
    """Hold the searcher in use and swap in a new one when the index's ``current`` link changes.

    Args:
        searcher: the searcher to answer with at first (already opened).
        load: opens a new searcher over the current index (called in a background thread on reload).
        root: the index root whose ``current`` link is watched; None turns reloading off.
        min_interval: at most one readlink per this many seconds.
    """

    def __init__(self, searcher: Searcher, load: Callable[[], Searcher] | None = None, root: Path | None = None, min_interval: float = 0.5) -> None:
        self._searcher = searcher
        self._load = load
        self.root = root
        self.min_interval = min_interval
        self.target = current_target(root) if root is not None else None
        self.loaded_at = time.time()
        self.reloads = 0
        self.reload_error: str | None = None
        self._checked = time.monotonic()
        self._lock = threading.Lock()
        self._loading: threading.Thread | None = None

    def get(self) -> Searcher:
        """The searcher to answer this request with; starts a reload when the index on disk changed."""
        if self.root is not None and self._load is not None:
            now = time.monotonic()
            if now - self._checked >= self.min_interval:
                self._checked = now
                target = current_target(self.root)
                if target is not None and target != self.target:
                    self._start_reload(target)
        return self._searcher

    def _start_reload(self, target: str) -> None:
        with self._lock:
            if self._loading is not None and self._loading.is_alive():
                return
            self._loading = threading.Thread(target=self._reload, args=(target,), name="kb-reload", daemon=True)
            self._loading.start()

    def _reload(self, target: str) -> None:
        start = time.perf_counter()
        if self._load is None:
            return
        try:
            fresh = self._load()
            warm(fresh)
        except Exception as exc:  # a half-written or damaged build: keep answering from the old one
            self.reload_error = f"{type(exc).__name__}: {exc}"
            self.target = target  # do not retry the same build on every request
            log.warning("index reload from %s failed, still serving the previous index: %s", target, self.reload_error)
            return
        self._searcher = fresh
        self.target = fresh.index.path.name  # the build it really read (a newer swap meanwhile triggers another reload)
        self.loaded_at = time.time()
        self.reloads += 1
        self.reload_error = None
        log.info("index reloaded: %s (%d passages, %.2f s)", fresh.index.path.name, len(fresh.passages), time.perf_counter() - start)

    def wait_reloaded(self, timeout: float = 60.0) -> bool:
        """Block until a running reload has finished (tests, benchmarks); True when none is left running."""
        thread = self._loading
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True
