"""`kb serve`: check the arguments, load the model and index once, run uvicorn on the app of search/service/api.py."""
from __future__ import annotations

import logging
import os
import socket
import sys
import time
from pathlib import Path

from search.errors import SearchError

MAX_URL_BYTES = 128 * 1024
"""h11's limit on a request head: a 10,000-character Chinese query is about 90 KB once percent-encoded."""


def check_args(host: str, port: int, site_dir: Path | None, threads: int, max_pending: int) -> None:
    """Raise SearchError (one line) for arguments the server cannot start with."""
    if not 0 <= port <= 65535:
        raise SearchError(f"port must be between 0 and 65535, got {port}")
    if threads < 1:
        raise SearchError(f"--threads must be at least 1, got {threads}")
    if max_pending < 1:
        raise SearchError(f"--max-pending must be at least 1, got {max_pending}")
    if site_dir is not None and not (site_dir / "index.html").is_file():
        raise SearchError(f"no built site in {site_dir}; run 'mkdocs build --strict' first (make serve does), or pass --api-only")
    try:  # fail now, in one line, rather than after loading the model
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise SearchError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); choose another --port or --host") from None


def one_math_thread_per_search() -> None:
    """Searches already run in parallel threads; a second level of math threads per search only fights them.

    Measured on this 2-core machine under load: encoding a query with torch's 2
    intra-op threads took about 170 ms, with 1 thread about 35 ms.
    """
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # read by torch (and numpy's BLAS) when first imported
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)


def allowed_hosts(host: str, extra: str = "") -> list[str]:
    """The Host header names the service answers: the loopback names, the bound address (unless it binds every
    interface) and ``extra`` (comma-separated; '*' for any). Others get 400, so a web page that rebinds its own DNS
    name to 127.0.0.1 cannot read the local service."""
    names = ["127.0.0.1", "localhost"]
    if host not in ("0.0.0.0", "::", "") and host not in names:
        names.append(host)
    return names + [name.strip() for name in extra.split(",") if name.strip()]


def run(host: str, port: int, site_dir: Path | None, index_dir: Path | None, threads: int, max_pending: int, hosts: str = "") -> None:
    """Load the searcher (building the index when it is stale), warm it, and serve until interrupted (``hosts``:
    Host names allowed besides the loopback names and ``host``, comma-separated)."""
    check_args(host, port, site_dir, threads, max_pending)
    one_math_thread_per_search()
    import uvicorn

    from search.service.api import create_app
    from search.encoders.dense import Encoder
    from search.build.opener import open_searcher
    from search.engine import Searcher
    from search.service.live import LiveSearcher, warm
    from search.index.store import default_root

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    root = index_dir or default_root()
    start = time.perf_counter()
    encoder = Encoder()
    one_math_thread_per_search()  # torch is imported now if the encoder uses it
    searcher = open_searcher(root=root, encoder=encoder)
    warm(searcher)
    live = LiveSearcher(searcher, load=lambda: Searcher(root=root, encoder=encoder), root=root)
    app = create_app(live, site_dir=site_dir, threads=threads, max_pending=max_pending, allowed_hosts=allowed_hosts(host, hosts))
    print(
        f"kb serve: {len(searcher.passages)} passages from {searcher.index.path.name} loaded in {time.perf_counter() - start:.1f} s; "
        f"http://{host}:{port}/ (API docs at /api/docs)",
        file=sys.stderr, flush=True,
    )
    config = uvicorn.Config(app, host=host, port=port, http="h11", access_log=False, log_level="warning", h11_max_incomplete_event_size=MAX_URL_BYTES)
    uvicorn.Server(config).run()
