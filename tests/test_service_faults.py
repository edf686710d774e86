"""Faults injected into a running service: a flood of requests, clients that hang up mid-request, a reload under load."""
from __future__ import annotations

import asyncio
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx
import pytest

from search.service.api import create_app
from search.build.opener import open_searcher
from search.engine import Searcher
from search.build.indexer import build
from search.service.live import LiveSearcher

from serving import running


@pytest.fixture
def searcher(tmp_path, kb_copy, corpus_of, fake_encoder):
    return open_searcher(root=tmp_path / "index", encoder=fake_encoder, corpus=corpus_of(kb_copy))


class Stall:
    """Make a searcher's searches wait until released, counting how many started."""

    def __init__(self, searcher: Searcher) -> None:
        self.release = threading.Event()
        self.started = 0
        original = searcher.search

        def stalled(*args, **kwargs):
            self.started += 1
            assert self.release.wait(30), "the test never released the stalled searches"
            return original(*args, **kwargs)

        searcher.search = stalled


def test_flood_is_bounded_and_answered_503_with_retry_after(searcher):
    stall = Stall(searcher)
    app = create_app(LiveSearcher(searcher), threads=2, max_pending=4, retry_after=2)

    async def flood() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            tasks = [asyncio.create_task(client.get("/api/search", params={"q": f"grouped query attention {i}"})) for i in range(20)]
            deadline = time.monotonic() + 20
            while sum(t.done() for t in tasks) < 16 or stall.started < 2:  # the rejections come back while 4 are held
                assert time.monotonic() < deadline, "rejections did not come back while the admitted searches were stalled"
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.2)
            assert app.state.gate.pending == 4 and stall.started == 2  # 2 running, 2 waiting, nothing more held
            stall.release.set()
            return await asyncio.gather(*tasks)

    responses = asyncio.run(flood())
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 4 + [503] * 16
    busy = [r for r in responses if r.status_code == 503]
    assert all(r.headers["Retry-After"] == "2" and "busy" in r.json()["detail"] for r in busy)
    assert app.state.gate.pending == 0 and app.state.gate.rejected == 16


def _hang_up_after_sending(base: str, query: str) -> None:
    host, port = urlsplit(base).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(f"GET /api/search?q={query} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())


def test_clients_that_hang_up_mid_request_do_not_hurt_the_server(searcher):
    stall = Stall(searcher)
    app = create_app(LiveSearcher(searcher), threads=1, max_pending=8)
    gate = app.state.gate
    with running(app) as base:
        for i in range(5):  # one is running (stalled), four wait for the single search slot; all hang up
            _hang_up_after_sending(base, "grouped+query+attention")
        deadline = time.monotonic() + 10
        while gate.pending < 5:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        stall.release.set()
        while gate.pending:
            assert time.monotonic() < deadline, "requests of clients that hung up were never finished"
            time.sleep(0.01)
        response = httpx.get(f"{base}/api/search", params={"q": "grouped query attention"}, timeout=10)
    assert response.status_code == 200 and response.json()["hits"]
    assert stall.started == 2  # the stalled one and the new one: the four waiting ones were skipped, not searched
    assert gate.abandoned == 4 and gate.pending == 0


def test_reload_while_queries_run_drops_nothing(tmp_path, kb_copy, corpus_of, fake_encoder, searcher):
    root = tmp_path / "index"
    live = LiveSearcher(searcher, load=lambda: Searcher(root=root, encoder=fake_encoder), root=root, min_interval=0)
    app = create_app(live, threads=2, max_pending=64)
    page = kb_copy / "docs" / "attention" / "gqa.md"
    page.write_text(page.read_text(encoding="utf-8").replace("## KV cache memory {#kv-memory}\n", "## KV cache memory {#kv-memory}\n\nThe zanzibarquux layout halves it.\n"), encoding="utf-8")
    old_index = live.get().index.path.name
    stop = threading.Event()
    statuses: list[int] = []

    def query_until_stopped(n: int) -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            while not stop.is_set():
                statuses.append(client.get("/api/search", params={"q": ["grouped query attention", "分组查询注意力", "kv cache"][n % 3]}).status_code)

    with running(app) as base:
        with ThreadPoolExecutor(4) as pool:
            futures = [pool.submit(query_until_stopped, n) for n in range(4)]
            time.sleep(0.3)
            build(root, corpus_of(kb_copy)(), fake_encoder)  # what `kb index` does: new build, `current` swapped
            deadline = time.monotonic() + 20
            while httpx.get(f"{base}/api/health").json()["index"] == old_index:
                assert time.monotonic() < deadline, "the server never picked up the new index"
                time.sleep(0.05)
            time.sleep(0.3)
            stop.set()
            for future in futures:
                future.result()
        found = httpx.get(f"{base}/api/search", params={"q": "zanzibarquux", "mode": "bm25", "k": 1}).json()
    assert len(statuses) > 20 and set(statuses) == {200}
    assert live.reloads == 1 and live.reload_error is None
    assert found["hits"][0]["id"] == "attention/gqa#kv-memory"


def test_damaged_new_index_keeps_the_old_one_serving(tmp_path, searcher, fake_encoder):
    root = tmp_path / "index"
    live = LiveSearcher(searcher, load=lambda: Searcher(root=root, encoder=fake_encoder), root=root, min_interval=0)
    old = live.get()
    broken = root / "v-broken"
    broken.mkdir()
    (broken / "manifest.json").write_text("{not json")
    (root / "current").unlink()
    (root / "current").symlink_to(broken.name)
    live.get()
    assert live.wait_reloaded(20)
    assert live.get() is old and live.reloads == 0
    assert "manifest" in live.reload_error
