"""Page-weight benchmark of the site behind `kb serve` (not a test): headless Chromium on loopback.

Starts `kb serve --site SITE` on a free port over the real index (or uses --url),
then, in Debian's Chromium driven by Playwright:

- load: a concept page opened cold (a new browser context each run, so no
  cache), the time from navigation start to the end of the load event; median
  of --runs (default 7), for a page with formulas and a diagram and for one
  with formulas only;
- weight: the bytes the same pages transfer until the network is idle (each
  response's headers and body as sent, i.e. compressed when the server
  compressed it), and the largest responses.

Targets (issue 23): load event <= 400 ms, a page without diagrams <= 600 KB.

    python -m benchmarks.site                          # kb serve --site site over ./index (make bench-site)
    python -m benchmarks.site --site /tmp/site --index-dir /tmp/idx
    python -m benchmarks.site --url http://127.0.0.1:8000   # a server already running
"""
from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
PAGES = {
    "formulas + diagram": "attention/basics/",
    "formulas, no diagram": "attention/mla/",
}
LOAD_TARGET_MS = 400
WEIGHT_TARGET_KB = 600


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, site: Path, index_dir: Path | None) -> subprocess.Popen:
    """`kb serve --site SITE` in a child process; returns once /api/health answers."""
    from benchmarks.load import start_kb_serve

    return start_kb_serve(port, ["--site", str(site), *(["--index-dir", str(index_dir)] if index_dir is not None else [])])


def load_ms(browser, url: str) -> float:  # noqa: ANN001 — a Playwright Browser
    """Navigation start to the end of the load event, in a fresh context (empty cache)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(url, wait_until="load")
        return page.evaluate("() => { const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd - n.startTime; }")
    finally:
        context.close()


def transferred(browser, url: str) -> tuple[int, list[tuple[int, str]]]:  # noqa: ANN001
    """Bytes on the wire (headers + encoded body of every response) until the network is idle, and the sizes."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    sizes: list[tuple[int, str]] = []
    try:
        page = context.new_page()
        page.on("requestfinished", lambda request: sizes.append((sum(request.sizes()[key] for key in ("responseBodySize", "responseHeadersSize")), request.url)))
        page.goto(url, wait_until="networkidle")
        page.wait_for_timeout(300)
    finally:
        context.close()
    return sum(size for size, _ in sizes), sorted(sizes, reverse=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT / "site", help="the built site (default site/)")
    parser.add_argument("--index-dir", type=Path, default=None, help="index directory (default: $KB_INDEX_DIR or ./index)")
    parser.add_argument("--url", default=None, help="benchmark a server already running at this base URL")
    parser.add_argument("--runs", type=int, default=7, help="cold loads per page (default 7; the median is reported)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    server = None
    if args.url:
        base = args.url.rstrip("/")
    else:
        if not (args.site / "index.html").is_file():
            raise SystemExit(f"no built site in {args.site}; run 'make site' first")
        port = free_port()
        server = start_server(port, args.site, args.index_dir)
        base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            load_ms(browser, f"{base}/")  # warm the server's file cache once
            print(f"Site behind kb serve at {base} (headless Chromium, loopback)\n")
            print("| page | load event, cold (median of %d) | min–max | transferred | largest responses |" % args.runs)
            print("|---|---|---|---|---|")
            for label, path in PAGES.items():
                url = f"{base}/{path}"
                times = [load_ms(browser, url) for _ in range(args.runs)]
                total, sizes = transferred(browser, url)
                largest = ", ".join(f"{u.rsplit('/', 1)[-1] or u} {s / 1024:.0f} KB" for s, u in sizes[:3])
                print(f"| /{path} ({label}) | {statistics.median(times):.0f} ms | {min(times):.0f}–{max(times):.0f} ms "
                      f"| {total / 1024:.0f} KB ({len(sizes)} responses) | {largest} |")
            browser.close()
        print(f"\nTargets: load event <= {LOAD_TARGET_MS} ms; a concept page without diagrams <= {WEIGHT_TARGET_KB} KB transferred.")
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
