"""The HTTP service behind `kb serve`: a JSON search API and the built site, from one process.

Routes:
    GET /api/search?q=&k=&mode=&lang=&explain=   hits as `kb search --json` prints them
    GET /api/health                               index version, passage count, model, load
    GET /api/docs, /api/openapi.json              OpenAPI docs
    GET /...                                      the built site (files inside it only)

Responses of 1 KB or more are gzip-compressed when the client accepts it (JSON by GZipMiddleware; the site's
HTML, CSS, JavaScript, JSON and SVG by SiteFiles, which compresses each file once and keeps it in memory). The
site is sent with ETag and Last-Modified and a Cache-Control header: HTML is revalidated on every visit
(``no-cache``), the theme's and the notes' scripts, styles and assets are kept for an hour.

Searches are CPU-bound, so they run in a bounded thread pool; when more than
``max_pending`` requests are already running or waiting, a search is answered
503 with Retry-After at once instead of queueing without bound.
"""
from __future__ import annotations

import gzip
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel
from starlette.datastructures import Headers
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from search.answer import answer
from search.engine import Hit, Searcher
from search.query import MAX_K, MAX_QUERY_CHARS, clean_query, detect_lang, truncation_notice
from search.errors import SearchError
from search.service.live import LiveSearcher

log = logging.getLogger("kb.serve")

SEARCH_PARAMS = ("q", "k", "mode", "lang", "explain")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")
"""Host names answered by default: `kb serve` binds 127.0.0.1 (serve.allowed_hosts adds the bound address)."""
SWAGGER_DIR = Path(__file__).resolve().parents[2] / "docs" / "assets" / "vendor" / "swagger-ui-dist"
"""Swagger UI's script and stylesheet for /api/docs, fetched from the npm registry by `make setup` (tools/vendor_assets.py)."""
MAX_QUERY_PARAM = 10_000
"""Longest q accepted; longer is 422. Queries are searched on their first MAX_QUERY_CHARS characters."""


GZIP_MIN_BYTES = 1024
"""Smaller responses are sent as they are (the headers would outweigh the saving)."""
COMPRESSIBLE = frozenset({
    "text/html", "text/css", "text/javascript", "application/javascript", "application/json", "image/svg+xml",
    "text/plain", "text/xml", "application/xml",
})
CACHED_PREFIXES = ("assets/", "javascripts/", "stylesheets/")
"""Site paths whose files browsers may reuse for an hour without asking (the theme's bundle, MathJax, Mermaid, the
notes' scripts and styles, plots); everything else, HTML first, is revalidated with its ETag on every visit."""
ASSET_CACHE_CONTROL = "public, max-age=3600"
PAGE_CACHE_CONTROL = "no-cache"


class SiteFiles(StaticFiles):
    """The built site: StaticFiles (ETag, Last-Modified, 304s, index.html, 404.html) plus Cache-Control and gzip.

    A compressible file of GZIP_MIN_BYTES or more is compressed once per version (path, size, mtime) and kept in
    memory, up to ``cache_bytes`` of compressed data (least recently used dropped first): Mermaid alone takes about
    70 ms to compress at level 9, which would otherwise be paid by every browser that has not cached it yet. The
    compressed answer carries the file's ETag as a weak one (as nginx does), so a revalidation still gets a 304.
    """

    def __init__(self, *args: Any, cache_bytes: int = 64 * 1024 * 1024, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cache_bytes = cache_bytes
        self._cache: OrderedDict[tuple[str, int, int], bytes] = OrderedDict()
        self._cached = 0
        self._lock = threading.Lock()

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        media_type = response.headers.get("content-type", "").partition(";")[0].strip().lower()
        if response.status_code in (200, 304, 404):
            cached = path.replace("\\", "/").startswith(CACHED_PREFIXES) and media_type != "text/html"
            response.headers["Cache-Control"] = ASSET_CACHE_CONTROL if cached and response.status_code != 404 else PAGE_CACHE_CONTROL
        if not isinstance(response, FileResponse) or response.status_code not in (200, 404) or media_type not in COMPRESSIBLE:
            return response
        request = Headers(scope=scope)
        size = response.stat_result.st_size if response.stat_result else 0
        if size < GZIP_MIN_BYTES or "gzip" not in request.get("accept-encoding", "") or "range" in request:
            return response
        body = await anyio.to_thread.run_sync(self._gzipped, str(response.path), response.stat_result)
        headers = {key: value for key, value in response.headers.items() if key not in ("content-length", "accept-ranges", "etag")}
        headers.update({"Content-Encoding": "gzip", "Vary": "Accept-Encoding", "ETag": "W/" + response.headers["etag"]})
        return Response(body, status_code=response.status_code, headers=headers)

    def _gzipped(self, full_path: str, stat_result: Any) -> bytes:
        key = (full_path, stat_result.st_size, stat_result.st_mtime_ns)
        with self._lock:
            body = self._cache.get(key)
            if body is not None:
                self._cache.move_to_end(key)
                return body
        with open(full_path, "rb") as handle:
            body = gzip.compress(handle.read(), compresslevel=9, mtime=0)
        with self._lock:
            if key not in self._cache and len(body) <= self.cache_bytes:
                self._cache[key] = body
                self._cached += len(body)
                while self._cached > self.cache_bytes:
                    _, dropped = self._cache.popitem(last=False)
                    self._cached -= len(dropped)
        return body


class SearchOut(BaseModel):
    """The answer to /api/search."""

    query: str
    """The query as searched: control characters removed, cut to MAX_QUERY_CHARS, typos corrected."""
    corrected: str | None = None
    """The corrected query when a near-miss word was corrected ('kv cahce' -> 'kv cache')."""
    notice: str | None = None
    """Set when the query was changed before searching (cut, control characters removed)."""
    no_match: bool = False
    """True when nothing in the notes is likely to answer the query (the CLI's "No relevant match"); hits is then empty."""
    warnings: list[str] = []
    """One-line warnings of the search (e.g. the embedding model is unavailable, BM25 results only)."""
    mode: str
    lang: str
    k: int
    terms: list[str]
    """The query's tokens, for marking them in snippets."""
    took_ms: float
    hits: list[Hit]
    """The objects `kb search --json` prints (search.engine.Hit)."""


class HealthOut(BaseModel):
    """The answer to /api/health."""

    status: str
    index: str
    format_version: int
    corpus_hash: str
    built_at: float
    passages: int
    model: str
    query_encoder: str
    loaded_at: float
    reloads: int
    reload_error: str | None
    threads: int
    pending: int
    max_pending: int


class Gate:
    """At most ``threads`` searches run at once and at most ``max_pending`` are admitted (running or waiting)."""

    def __init__(self, threads: int, max_pending: int) -> None:
        self.threads = threads
        self.max_pending = max(max_pending, threads)
        self.slots = anyio.Semaphore(threads)
        self.limiter = anyio.CapacityLimiter(threads)
        self.pending = 0
        self.rejected = 0
        self.abandoned = 0


def run_search(searcher: Searcher, q: str, k: int, mode: str, lang: str, explain: bool) -> dict:
    """Validate, correct near-miss words and search; raise SearchError for bad arguments."""
    start = time.perf_counter()
    if len(q) > MAX_QUERY_PARAM:
        raise SearchError(f"q is {len(q)} characters long; at most {MAX_QUERY_PARAM} are accepted (the first {MAX_QUERY_CHARS} are searched)")
    cleaned = clean_query(q)
    notices = ["control characters were removed from the query"] if cleaned != q else []
    cut = truncation_notice(cleaned)
    if cut:
        notices.append(cut)
    if not cleaned.strip():
        raise SearchError("q is empty; give a question or a term, e.g. /api/search?q=grouped+query+attention")
    found = answer(searcher, cleaned, k=k, mode=mode, lang=lang, explain=explain)
    hits = found.hits
    return {
        "query": found.query,
        "corrected": found.corrected,
        "notice": "; ".join(notices) or None,
        "no_match": found.no_match,
        "warnings": found.warnings,
        "mode": mode,
        "lang": hits[0].lang if hits else (detect_lang(found.query) if lang == "auto" else lang),
        "k": k,
        "terms": sorted(set(searcher.query_tokens(found.query))),
        "took_ms": round((time.perf_counter() - start) * 1000, 2),
        "hits": [h.to_dict() for h in hits],
    }


class RequestLog:
    """ASGI middleware: one log line per request (client, method, path, status, milliseconds)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 0

        async def send_status(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            query = scope.get("query_string", b"").decode("latin-1")
            target = scope["path"] + (f"?{query[:200]}{'…' if len(query) > 200 else ''}" if query else "")
            client = scope.get("client") or ("-", 0)
            log.info('%s "%s %s" %d %.1fms', client[0], scope["method"], target, status or 499, (time.perf_counter() - start) * 1000)


def _one_line(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "path"))
        got = error.get("input")
        parts.append(f"{where}: {error.get('msg', 'invalid')}" + (f", got {got!r}" if isinstance(got, str | int) else ""))
    return "; ".join(parts)


def create_app(
    live: LiveSearcher, site_dir: Path | None = None, threads: int = 2, max_pending: int = 32, retry_after: int = 1,
    allowed_hosts: Sequence[str] = LOOPBACK_HOSTS,
) -> FastAPI:
    """The service: search API over ``live``, the built site from ``site_dir`` (None: API only).

    Args:
        live: the searcher in use, reloaded when the index on disk changes.
        site_dir: the `mkdocs build` output to serve at /.
        threads: searches that run at once.
        max_pending: searches admitted (running + waiting); beyond that, 503 with Retry-After.
        retry_after: seconds a rejected client is told to wait.
        allowed_hosts: Host header names answered (others get 400: no DNS rebinding); '*' allows any.
    """
    app = FastAPI(
        title="LLM & NLP Notes search",
        description="Hybrid (BM25 + embeddings) search over the bilingual notes; hits link to the site served beside it.",
        version="1",
        docs_url=None,  # served below with Swagger UI's files from the vendored assets, not from a CDN
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    gate = Gate(threads, max_pending)
    app.state.gate = gate
    app.state.live = live

    @app.exception_handler(SearchError)
    async def bad_search(request: Request, exc: SearchError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(RequestValidationError)
    async def bad_params(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _one_line(exc)}, status_code=422)

    @app.exception_handler(Exception)
    async def failed(request: Request, exc: Exception) -> JSONResponse:
        log.exception("error answering %s", request.url.path)
        return JSONResponse({"detail": "internal error; the server log has the details"}, status_code=500)

    @app.get("/api/search", response_model=SearchOut, response_model_exclude_none=True, summary="Search the notes")
    async def search(
        request: Request,
        q: str = Query(..., description=f"The question or term, English, Chinese or both (at most {MAX_QUERY_PARAM} characters; the first {MAX_QUERY_CHARS} are searched)."),
        k: int = Query(5, description=f"How many hits (1-{MAX_K})."),
        mode: str = Query("hybrid", description="hybrid | bm25 | dense"),
        lang: str = Query("auto", description="Language of titles and links: auto (by the query's script) | en | zh"),
        explain: bool = Query(False, description="Attach each leg's rank and score and the fusion weights."),
    ) -> Any:
        names = [name for name, _ in request.query_params.multi_items()]
        repeated = sorted({name.removesuffix("[]") for name in names if name.removesuffix("[]") in SEARCH_PARAMS and (names.count(name) > 1 or name.endswith("[]"))})
        if repeated:
            return JSONResponse({"detail": f"{', '.join(repeated)}: give each parameter once (one value, no [] form)"}, status_code=422)
        if gate.pending >= gate.max_pending:
            gate.rejected += 1
            return JSONResponse(
                {"detail": f"busy: {gate.pending} searches running or waiting; retry in {retry_after} s"},
                status_code=503, headers={"Retry-After": str(retry_after)},
            )
        gate.pending += 1
        try:
            async with gate.slots:
                if await request.is_disconnected():  # the client gave up while waiting: skip the work
                    gate.abandoned += 1
                    return JSONResponse({"detail": "client disconnected"}, status_code=499)
                searcher = live.get()
                return await anyio.to_thread.run_sync(run_search, searcher, q, k, mode, lang, explain, limiter=gate.limiter)
        finally:
            gate.pending -= 1

    @app.get("/api/health", response_model=HealthOut, summary="Index version, passage count, model")
    async def health() -> Any:
        searcher = live.get()
        manifest = searcher.index.manifest
        return {
            "status": "ok",
            "index": searcher.index.path.name,
            "format_version": manifest.format_version,
            "corpus_hash": manifest.corpus_hash,
            "built_at": manifest.built_at,
            "passages": len(searcher.passages),
            "model": manifest.model,
            "query_encoder": searcher.query_encoder_kind,
            "loaded_at": live.loaded_at,
            "reloads": live.reloads,
            "reload_error": live.reload_error,
            "threads": gate.threads,
            "pending": gate.pending,
            "max_pending": gate.max_pending,
        }

    @app.get("/api/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json", title=f"{app.title} - API",
            swagger_js_url="/api/vendor/swagger-ui-bundle.js", swagger_css_url="/api/vendor/swagger-ui.css",
            swagger_favicon_url="data:,",
        )

    app.mount("/api/vendor", StaticFiles(directory=SWAGGER_DIR, check_dir=False), name="swagger-ui")

    @app.get("/api/{rest:path}", include_in_schema=False)
    async def no_such_api(rest: str) -> JSONResponse:
        return JSONResponse({"detail": f"no API route /api/{rest}; see /api/docs"}, status_code=404)

    if site_dir is not None:
        app.mount("/", SiteFiles(directory=site_dir, html=True), name="site")
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES)  # the API's JSON; the site is compressed by SiteFiles
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.add_middleware(RequestLog)
    return app
