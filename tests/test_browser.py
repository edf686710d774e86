"""The built site in a real headless Chromium with the network cut: math and diagrams render from local files.

Chromium comes from Debian's package (`make setup` installs it); every host name
except 127.0.0.1 fails to resolve, so anything the page tried to fetch from a
CDN would be missing. Screenshots are saved under test-output/.
"""
from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "test-output"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def served(site):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None  # quiet
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def chromium(url: str, *extra: str) -> subprocess.CompletedProcess:
    assert Path(CHROMIUM).exists(), "chromium is not installed; run 'make setup' (it installs Debian's chromium)"
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [
                CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={profile}", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                "--virtual-time-budget=15000", "--window-size=1280,2400", *extra, url,
            ],
            capture_output=True, text=True, timeout=180,
        )


@pytest.mark.parametrize("page", ["attention/basics/", "zh/attention/basics/"])
def test_math_and_mermaid_render_offline(served, page):
    result = chromium(f"{served}/{page}", "--dump-dom")
    dom = result.stdout
    assert "<mjx-container" in dom, "MathJax did not typeset the page's math"
    assert 'class="mermaid"' in dom or "mermaid" in dom
    assert "<svg" in dom.split("mermaid", 1)[1], "Mermaid did not draw the diagram"
    OUT.mkdir(exist_ok=True)
    shot = OUT / f"offline-{page.strip('/').replace('/', '-')}.png"
    chromium(f"{served}/{page}", f"--screenshot={shot}")
    assert shot.exists() and shot.stat().st_size > 10_000
