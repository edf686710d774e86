"""Static-mode search in headless Chromium (not a test): time from a keystroke to the hits shown, and the index's size.

Builds the site (mkdocs build --strict) into a temporary directory, serves it with
a plain file server (no search API, so the Ask box answers from the static index),
loads a page, lets the box load the index once, then for each query types its last
character into the box and measures, inside the page, from that keydown to the
moment the changed hit list has been laid out (from the keystroke event's own timestamp to a task after the next
animation frame that follows the list's change). Prints medians; run with `make bench-static`.
"""
from __future__ import annotations

import functools
import gzip
import http.server
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from search.build.static_index import ASSET_DIR, FILES

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
QUERIES = [
    "grouped query attention", "kv cache memory", "rotary position embedding", "flash attention tiling",
    "lora rank", "speculative decoding acceptance", "layer norm vs rms norm", "top-p sampling", "bpe tokenizer",
    "mixture of experts router", "scaling laws chinchilla", "dpo loss", "quantization int8", "beam search",
    "分组查询注意力", "旋转位置编码", "键值缓存 显存", "低秩适配", "投机解码", "混合专家 路由", "温度 采样",
    "GQA 为什么省显存", "LoRA 的秩 怎么选", "RAG 检索增强", "transformer 残差",
]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)], cwd=ROOT, env=env, check=True)
        print("static index (assets/static-search/):")
        for name in FILES.values():
            raw = (site / ASSET_DIR / name).read_bytes()
            print(f"  {name:<12} {len(raw) / 1024:8.0f} KB raw {len(gzip.compress(raw, 6)) / 1024:7.0f} KB gzip")

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args) -> None:  # noqa: ANN002
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True)
            for lang, path in (("en", "/attention/basics/"), ("zh", "/zh/attention/basics/")):
                page = browser.new_page()
                page.goto(base + path)
                box = page.locator("#kb-ask-q")
                box.click()
                started = page.evaluate("performance.now()")
                page.wait_for_function("document.querySelector('#kb-ask.kb-ask--static') !== null", timeout=30_000)
                load_ms = page.evaluate("performance.now()") - started
                times = []
                for query in QUERIES:
                    box.fill("")
                    page.wait_for_timeout(150)
                    box.fill(query[:-1])
                    page.wait_for_timeout(150)
                    page.evaluate("window.__kbKey = undefined")
                    page.evaluate(
                        """() => { const list = document.getElementById('kb-ask-hits');
                        window.__kbDone = new Promise(resolve => { const obs = new MutationObserver(() => { obs.disconnect();
                        requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0)); });
                        obs.observe(list, {childList: true}); });
                        document.getElementById('kb-ask-q').addEventListener('keydown', e => { window.__kbKey = e.timeStamp; }, {capture: true, once: true});
                        document.getElementById('kb-ask-q').addEventListener('input', e => { window.__kbKey = Math.min(window.__kbKey || e.timeStamp, e.timeStamp); }, {capture: true, once: true}); }"""
                    )
                    page.keyboard.type(query[-1])  # a Chinese character arrives as text input, with no keydown
                    times.append(page.evaluate("window.__kbDone.then(t => t - window.__kbKey)"))
                page.close()
                print(f"{lang}: index loaded and parsed on first focus in {load_ms:.0f} ms; keystroke -> hits shown over "
                      f"{len(times)} queries: median {statistics.median(times):.1f} ms (API mode waits 100 ms for typing to pause; static mode answers each keystroke), "
                      f"max {max(times):.1f} ms")
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
