"""`kb serve` sends the site compressed, with cache headers: gzip for text of 1 KB or more, Cache-Control by kind.

A small site in a temporary directory and the fixture knowledge base with the fake encoder: no build, no model.
"""
from __future__ import annotations

import gzip

import pytest
from fastapi.testclient import TestClient

from search.build.opener import open_searcher
from search.service.api import ASSET_CACHE_CONTROL, PAGE_CACHE_CONTROL, create_app
from search.service.live import LiveSearcher

SCRIPT = ("function f(x) { return x * 2; }\n" * 400).encode()
PAGE = ("<html><body>" + "<p>Attention notes.</p>" * 200 + "</body></html>").encode()


@pytest.fixture
def client(tmp_path, kb_copy, corpus_of, fake_encoder):
    site = tmp_path / "site"
    (site / "attention" / "basics").mkdir(parents=True)
    (site / "assets" / "vendor").mkdir(parents=True)
    (site / "assets" / "plots").mkdir(parents=True)
    (site / "index.html").write_bytes(PAGE)
    (site / "attention" / "basics" / "index.html").write_bytes(PAGE)
    (site / "assets" / "vendor" / "lib.min.js").write_bytes(SCRIPT)
    (site / "assets" / "small.css").write_text("a { color: red; }")
    (site / "assets" / "plots" / "plot.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(4000))
    (site / "404.html").write_bytes(PAGE.replace(b"Attention", b"Missing"))
    searcher = open_searcher(root=tmp_path / "index", encoder=fake_encoder, corpus=corpus_of(kb_copy))
    with TestClient(create_app(LiveSearcher(searcher), site_dir=site), base_url="http://127.0.0.1:8000") as c:
        yield c


def test_pages_and_scripts_are_gzipped_with_cache_headers(client):
    page = client.get("/attention/basics/", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200 and page.headers["content-encoding"] == "gzip"
    assert page.content == PAGE  # httpx undoes the gzip
    assert int(page.headers["content-length"]) < len(PAGE) // 5
    assert page.headers["cache-control"] == PAGE_CACHE_CONTROL == "no-cache"
    assert page.headers["vary"] == "Accept-Encoding" and page.headers["etag"].startswith('W/"') and page.headers["last-modified"]

    script = client.get("/assets/vendor/lib.min.js", headers={"Accept-Encoding": "gzip, deflate"})
    assert script.headers["content-encoding"] == "gzip" and script.content == SCRIPT
    assert script.headers["cache-control"] == ASSET_CACHE_CONTROL == "public, max-age=3600"
    assert script.headers["content-type"].startswith(("text/javascript", "application/javascript"))


def test_revalidation_gets_304_for_either_encoding(client):
    zipped = client.get("/assets/vendor/lib.min.js", headers={"Accept-Encoding": "gzip"})
    again = client.get("/assets/vendor/lib.min.js", headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]})
    assert again.status_code == 304 and again.headers["cache-control"] == ASSET_CACHE_CONTROL
    plain = client.get("/assets/vendor/lib.min.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == SCRIPT
    assert client.get("/assets/vendor/lib.min.js", headers={"Accept-Encoding": "identity", "If-None-Match": plain.headers["etag"]}).status_code == 304


def test_small_files_images_and_ranges_are_sent_as_they_are(client):
    small = client.get("/assets/small.css", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers and small.headers["cache-control"] == ASSET_CACHE_CONTROL
    png = client.get("/assets/plots/plot.png", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in png.headers and png.headers["cache-control"] == ASSET_CACHE_CONTROL
    part = client.get("/assets/vendor/lib.min.js", headers={"Accept-Encoding": "gzip", "Range": "bytes=0-9"})
    assert part.status_code == 206 and part.content == SCRIPT[:10]


def test_missing_pages_and_the_api_are_compressed_and_not_cached(client):
    missing = client.get("/no/such/page/", headers={"Accept-Encoding": "gzip"})
    assert missing.status_code == 404 and missing.headers["content-encoding"] == "gzip" and b"Missing" in missing.content
    assert missing.headers["cache-control"] == PAGE_CACHE_CONTROL
    api = client.get("/api/search", params={"q": "grouped query attention", "k": 10}, headers={"Accept-Encoding": "gzip"})
    assert api.status_code == 200 and api.json()["hits"]
    assert api.headers["content-encoding"] == "gzip" and "cache-control" not in api.headers


def test_the_compressed_copy_is_made_once_per_file_version(client):
    site_app = next(route.app for route in client.app.routes if getattr(route, "name", "") == "site")
    site_app._cache.clear()
    first = client.get("/assets/vendor/lib.min.js", headers={"Accept-Encoding": "gzip"})
    assert len(site_app._cache) == 1
    client.get("/assets/vendor/lib.min.js", headers={"Accept-Encoding": "gzip"})
    assert len(site_app._cache) == 1
    assert gzip.decompress(next(iter(site_app._cache.values()))) == SCRIPT == first.content
