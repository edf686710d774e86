"""The HTTP API of `kb serve` over the fixture knowledge base with the fake encoder: answers, errors, the site files."""
from __future__ import annotations

import http.client
import json
import logging
import re
from urllib.parse import urlencode, urlsplit

import pytest
from fastapi.testclient import TestClient

from search.service.api import MAX_QUERY_PARAM, create_app
from search.build.opener import open_searcher
from search.query import MAX_QUERY_CHARS
from search.service.live import LiveSearcher

from serving import running


@pytest.fixture
def searcher(tmp_path, kb_copy, corpus_of, fake_encoder):
    return open_searcher(root=tmp_path / "index", encoder=fake_encoder, corpus=corpus_of(kb_copy))


@pytest.fixture
def site_dir(tmp_path):
    site = tmp_path / "site"
    (site / "attention" / "gqa").mkdir(parents=True)
    (site / "index.html").write_text("<html><body>home</body></html>")
    (site / "attention" / "gqa" / "index.html").write_text("<html><body>gqa page</body></html>")
    (tmp_path / "secret.txt").write_text("SECRET-OUTSIDE-THE-SITE")
    return site


@pytest.fixture
def app(searcher, site_dir):
    return create_app(LiveSearcher(searcher), site_dir=site_dir)


@pytest.fixture
def client(app):
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        yield c


@pytest.mark.parametrize(
    ("query", "lang", "expected_id", "url_prefix"),
    [
        ("grouped query attention", "en", {"term:gqa", "attention/gqa#gqa"}, "/attention/"),
        ("分组查询注意力", "zh", {"term:gqa", "attention/gqa#gqa"}, "/zh/"),
    ],
)
def test_search_returns_the_hits_kb_search_prints(client, searcher, query, lang, expected_id, url_prefix):
    response = client.get("/api/search", params={"q": query, "k": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["hits"] == [h.to_dict() for h in searcher.search(query, k=3)]
    assert body["hits"][0]["id"] in expected_id and body["lang"] == lang
    assert all(h["url"].startswith(url_prefix) for h in body["hits"] if h["kind"] == "section")
    assert body["terms"] and "notice" not in body


def test_mode_lang_and_explain_are_passed_through(client):
    body = client.get("/api/search", params={"q": "grouped query attention", "k": 2, "mode": "bm25", "lang": "zh", "explain": "true"}).json()
    assert body["mode"] == "bm25" and len(body["hits"]) == 2
    assert all(h["lang"] == "zh" and h["url"].startswith("/zh/") for h in body["hits"])
    assert body["hits"][0]["explain"]["fusion"] == {"method": "bm25"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "q: Field required"),
        ({"q": ""}, "q is empty"),
        ({"q": "   \t "}, "q is empty"),
        ({"q": "\x00\x01\x1f"}, "q is empty"),
        ({"q": "gqa", "k": "0"}, "k must be between 1 and 100, got 0"),
        ({"q": "gqa", "k": "-3"}, "k must be between 1 and 100, got -3"),
        ({"q": "gqa", "k": "101"}, "k must be between 1 and 100, got 101"),
        ({"q": "gqa", "k": str(10**30)}, "k must be between 1 and 100"),
        ({"q": "gqa", "k": "many"}, "k: Input should be a valid integer"),
        ({"q": "gqa", "mode": "fuzzy"}, "unknown mode 'fuzzy'; use one of: hybrid, bm25, dense"),
        ({"q": "gqa", "lang": "fr"}, "unknown language 'fr'; use one of: auto, en, zh"),
        ({"q": "gqa", "explain": "maybe"}, "explain: Input should be a valid boolean"),
        ({"q": "x" * (MAX_QUERY_PARAM + 1)}, f"at most {MAX_QUERY_PARAM} are accepted"),
    ],
)
def test_bad_parameters_are_422_with_one_line(client, params, message):
    response = client.get("/api/search", params=params)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail
    assert message in detail


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ("?!…。，、", None),
        ("🤖🔥🚀", None),
        ("<script>alert(1)</script>", None),
        ("grouped\x00query\x07attention\x1b[31m", "control characters were removed"),
        (("grouped query attention " * 420)[:MAX_QUERY_PARAM], f"cut to its first {MAX_QUERY_CHARS} characters (it has"),
    ],
)
def test_odd_queries_are_answered(client, query, notice):
    response = client.get("/api/search", params={"q": query})
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body["hits"], list) and len(body["query"]) <= MAX_QUERY_CHARS
    if notice:
        assert notice in body["notice"]
    else:
        assert "notice" not in body


def test_longest_chinese_query_is_answered_over_a_real_server(app):
    """10,000 Chinese characters are about 90 KB percent-encoded: more than h11's default head limit and httpx's URL limit."""
    query = ("分组查询注意力" * 1429)[:MAX_QUERY_PARAM]
    with running(app) as base:
        connection = http.client.HTTPConnection(urlsplit(base).netloc, timeout=30)
        connection.request("GET", "/api/search?" + urlencode({"q": query, "k": 2}))
        response = connection.getresponse()
        body = json.loads(response.read())
        connection.close()
    assert response.status == 200, body
    assert f"cut to its first {MAX_QUERY_CHARS} characters (it has {MAX_QUERY_PARAM})" in body["notice"]
    assert body["lang"] == "zh" and len(body["hits"]) == 2


def test_health_names_the_index(client, searcher, tmp_path):
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["passages"] == len(searcher.passages) == 8
    assert body["model"] == "fake-bow-64"
    assert body["index"] == (tmp_path / "index" / "current").resolve().name
    assert client.get("/api/search", params={"q": "attention heads"}).status_code == 200
    assert client.get("/api/health").json()["query_encoder"] == "FakeEncoder"  # the test double; kb serve says onnxruntime


def test_openapi_documents_the_search(client):
    schema = client.get("/api/openapi.json").json()
    assert {"/api/search", "/api/health"} <= set(schema["paths"])
    names = {p["name"] for p in schema["paths"]["/api/search"]["get"]["parameters"]}
    assert names == {"q", "k", "mode", "lang", "explain"}
    assert client.get("/api/docs").status_code == 200


def test_api_docs_load_nothing_from_the_internet(client):
    """Swagger UI's script and stylesheet come from the vendored assets (make setup), not from a CDN."""
    html = client.get("/api/docs").text
    sources = re.findall(r'(?:src|href)=["\']([^"\']+)', html)
    assert "/api/vendor/swagger-ui-bundle.js" in sources and "/api/vendor/swagger-ui.css" in sources
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))], sources
    assert "https://" not in html
    for path in ("/api/vendor/swagger-ui-bundle.js", "/api/vendor/swagger-ui.css"):
        response = client.get(path)
        assert response.status_code == 200 and len(response.content) > 100_000


def test_unknown_api_route_is_json_404(client):
    response = client.get("/api/nothing")
    assert response.status_code == 404 and "no API route" in response.json()["detail"]


def test_site_pages_are_served(client):
    assert "home" in client.get("/").text
    assert "gqa page" in client.get("/attention/gqa/").text
    assert client.get("/attention/missing/").status_code == 404


def test_one_log_line_per_request(client, caplog):
    with caplog.at_level(logging.INFO, logger="kb.serve"):
        client.get("/api/search", params={"q": "gqa"})
        client.get("/api/search", params={"q": "gqa", "k": 0})
    lines = [r.getMessage() for r in caplog.records if r.name == "kb.serve"]
    assert len(lines) == 2
    assert '"GET /api/search?q=gqa" 200' in lines[0] and '"GET /api/search?q=gqa&k=0" 422' in lines[1]


@pytest.mark.parametrize(
    "path",
    ["/../secret.txt", "/%2e%2e/secret.txt", "/attention/../../secret.txt", "/attention/%2e%2e/%2e%2e/secret.txt", "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt", "//../secret.txt"],
)
def test_no_file_outside_the_site(app, path):
    """Raw request lines (no client-side normalisation) through a real server: 404, never the file."""
    with running(app) as base:
        connection = http.client.HTTPConnection(urlsplit(base).netloc, timeout=10)
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
        connection.close()
    assert response.status in (400, 404)
    assert "SECRET" not in body


@pytest.mark.parametrize(
    ("host", "status"),
    [("127.0.0.1:8000", 200), ("localhost:8000", 200), ("localhost", 200), ("evil.example", 400), ("evil.example:8000", 400), ("127.0.0.1.evil.example", 400)],
)
def test_only_the_loopback_host_names_are_answered(client, host, status):
    """A page whose DNS name was rebound to 127.0.0.1 sends its own name as Host: refused, so it cannot read results."""
    assert client.get("/api/search", params={"q": "gqa"}, headers={"Host": host}).status_code == status
    assert client.get("/", headers={"Host": host}).status_code == status


def test_allowed_hosts_follow_the_bound_address_and_the_option():
    from search.service.serve import allowed_hosts

    assert allowed_hosts("127.0.0.1") == ["127.0.0.1", "localhost"]
    assert allowed_hosts("0.0.0.0", "kb.lan, 192.168.1.5") == ["127.0.0.1", "localhost", "kb.lan", "192.168.1.5"]
    assert allowed_hosts("10.0.0.7") == ["127.0.0.1", "localhost", "10.0.0.7"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("q=gqa&q=lora", "q: give each parameter once"),
        ("q=gqa&k=3&k=5", "k: give each parameter once"),
        ("q=gqa&mode=bm25&mode=dense", "mode: give each parameter once"),
        ("q=gqa&mode[]=bm25", "mode: give each parameter once"),
        ("q[]=gqa", "q: Field required"),
    ],
)
def test_repeated_parameters_are_refused(client, query, message):
    response = client.get(f"/api/search?{query}")
    assert response.status_code == 422 and response.json()["detail"].startswith(message)


@pytest.mark.parametrize(("query", "mode", "expected"), __import__("ranking_cases").RANKED)
def test_the_api_gives_the_exact_ranking(client, query, mode, expected):
    body = client.get("/api/search", params={"q": query, "k": 8, "mode": mode}).json()
    assert [h["id"] for h in body["hits"]][: len(expected)] == expected and body["hits"][0]["rank"] == 1
