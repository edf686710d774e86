"""Bad queries: every one ends in an answer or one line `kb: error: ...` with exit 2, never a traceback.

The same table runs through the CLI entry point in-process, a few rows in a
separate process, and through the Python API (Searcher.search).
"""
from __future__ import annotations

import json

import pytest

import search.encoders.dense
import search.engine
import search.build.indexer
from search.build.opener import open_searcher
from search.query import MAX_QUERY_CHARS
from search.errors import SearchError

from fakes import FakeEncoder
from kbrun import kb_env, run_main, run_process

LONG = ("grouped query attention " * 420)[:10_000]  # 10,000 characters
NO_WORDS = "no letters or digits"
EMPTY = "empty query"
K_RANGE = "k must be between 1 and 100"

# (name, argv after `kb search`, expected exit code, text expected on stderr ('' = nothing), an id expected among the hits)
CASES = [
    ("empty", [""], 2, EMPTY, None),
    ("whitespace", ["  \t \n "], 2, EMPTY, None),
    ("control-only", ["\x01\x02\x7f\x1b"], 2, EMPTY, None),
    ("zero-width-only", ["\u200b\u200d\ufeff"], 2, EMPTY, None),
    ("punctuation", ["?!.,;:()[]{}-_/\\"], 0, NO_WORDS, None),
    ("cjk-punctuation", ["？！。，、「」《》"], 0, NO_WORDS, None),
    ("emoji", ["🙂🚀🔥👩‍💻"], 0, NO_WORDS, None),
    ("undecodable-argv", ["\udcff\udcfe"], 0, NO_WORDS, None),  # bytes 0xff 0xfe in argv
    ("long-10000", [LONG], 0, f"query cut to its first {MAX_QUERY_CHARS} characters (it has 10000)", "term:gqa"),
    ("long-one-word", ["a" * 10_000], 0, f"query cut to its first {MAX_QUERY_CHARS} characters", None),
    ("control-chars", ["grouped\x07 query\x1b[31m attention\x7f"], 0, "", "term:gqa"),
    ("mixed-scripts", ["GQA 为什么省显存 ключ مرحبا שלום"], 0, "", "term:gqa"),
    ("emoji-and-words", ["🔥 grouped query attention 🔥"], 0, "", "term:gqa"),
    ("k-zero", ["gqa", "-k", "0"], 2, f"{K_RANGE}, got 0", None),
    ("k-negative", ["gqa", "-k", "-5"], 2, f"{K_RANGE}, got -5", None),
    ("k-huge", ["gqa", "-k", "101"], 2, f"{K_RANGE}, got 101", None),
    ("k-enormous", ["gqa", "-k", "1" + "0" * 30], 2, K_RANGE, None),
    ("k-not-a-number", ["gqa", "-k", "many"], 2, "argument -k/--top: invalid value", None),
    ("k-float", ["gqa", "-k", "2.5"], 2, "argument -k/--top: invalid value", None),
    ("mode-unknown", ["gqa", "--mode", "fuzzy"], 2, "unknown mode 'fuzzy'; use one of: hybrid, bm25, dense", None),
    ("mode-empty", ["gqa", "--mode", ""], 2, "unknown mode ''", None),
    ("mode-case", ["gqa", "--mode", "BM25"], 2, "unknown mode 'BM25'", None),
    ("lang-unknown", ["gqa", "--lang", "fr"], 2, "unknown language 'fr'; use one of: auto, en, zh", None),
    ("lang-locale", ["gqa", "--lang", "zh-CN"], 2, "unknown language 'zh-CN'", None),
    ("base-url-javascript", ["gqa", "--base-url", "javascript:alert(1)"], 2, "--base-url must be an http(s) address or a path starting with '/', got 'javascript:alert(1)'", None),
    ("base-url-data", ["gqa", "--base-url", "data:text/html,x"], 2, "--base-url must be an http(s) address", None),
    ("base-url-path", ["gqa", "--base-url", "/notes", "--json"], 0, "", "term:gqa"),
]


@pytest.fixture
def env(tmp_path, kb_copy, monkeypatch):
    for name, value in kb_env(kb_copy, tmp_path / "index").items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(search.encoders.dense, "Encoder", FakeEncoder)
    monkeypatch.setattr(search.build.indexer, "Encoder", FakeEncoder)
    return tmp_path


ANSWERS = {"term:gqa": {"term:gqa", "attention/gqa#gqa"}}


def check(run, code, message, expect_id):
    assert "Traceback" not in run.err and "Traceback" not in run.out
    assert run.code == code, run.err
    errors = [line for line in run.err.splitlines() if line.startswith("kb: error:")]
    if code == 2:
        assert run.err.strip().splitlines() == errors and len(errors) == 1, run.err  # exactly one line
        assert message in errors[0]
        assert run.out == ""
    else:
        assert not errors
        warnings = [line for line in run.err.splitlines() if line.startswith("kb: warning:")]
        if message:
            assert len(warnings) == 1 and message in warnings[0], run.err
        else:
            assert "kb: warning" not in run.err
    if expect_id:
        answers = ANSWERS.get(expect_id, {expect_id})  # the GQA entry or the GQA section: either answers the question
        assert answers & {hit["id"] for hit in json.loads(run.out)}
    elif code == 0 and NO_WORDS in message:
        assert json.loads(run.out) == []


@pytest.mark.parametrize(("args", "code", "message", "expect_id"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cli_bad_query(env, capsys, monkeypatch, args, code, message, expect_id):
    check(run_main(["search", *args, "--json"], capsys, monkeypatch), code, message, expect_id)


def test_cli_no_words_human_output(env, capsys, monkeypatch):
    run = run_main(["search", "🙂 ?!"], capsys, monkeypatch)
    assert run.code == 0 and run.out == "No passage matches that query.\n"


@pytest.mark.parametrize(
    ("stdin", "code", "message", "expect_id"),
    [
        (b"grouped\x00 query\xff\xfe attention\x1b[0m\n", 0, "", "term:gqa"),  # NUL, invalid UTF-8, escape codes
        ("分组查询注意力\r\n".encode(), 0, "", "term:gqa"),
        (b"\xff\xfe\xfd", 0, NO_WORDS, None),
        (b"", 2, EMPTY, None),
        (b"\x00\x00\n\t", 2, EMPTY, None),
        (b"attention " * 200_000, 0, f"query cut to its first {MAX_QUERY_CHARS} characters", "term:mha"),  # 2 MB, read up to 1 MiB
    ],
    ids=["control-and-invalid-utf8", "chinese-crlf", "only-invalid-utf8", "empty", "only-control", "two-megabytes"],
)
def test_query_from_stdin(env, capsys, monkeypatch, stdin, code, message, expect_id):
    check(run_main(["search", "-", "--json"], capsys, monkeypatch, stdin=stdin), code, message, expect_id)


SUBPROCESS = ["empty", "punctuation", "long-10000", "undecodable-argv", "k-negative", "mode-unknown"]


@pytest.mark.parametrize("name", SUBPROCESS)
def test_cli_bad_query_in_a_separate_process(tmp_path, kb_copy, name):
    _, args, code, message, expect_id = next(c for c in CASES if c[0] == name)
    check(run_process(["search", *args, "--json"], kb_env(kb_copy, tmp_path / "index")), code, message, expect_id)


def test_stdin_in_a_separate_process(tmp_path, kb_copy):
    run = run_process(["search", "-", "--json", "-k", "3"], kb_env(kb_copy, tmp_path / "index"), stdin=b"\xe5\x88\x86\xe7\xbb\x84 \xff query\x00 attention")
    check(run, 0, "", "term:gqa")


@pytest.fixture
def searcher(tmp_path, kb_copy, corpus_of, fake_encoder):
    return open_searcher(root=tmp_path / "index", encoder=fake_encoder, corpus=corpus_of(kb_copy))


def api_case(args: list[str]) -> dict:
    options = dict(zip(args[1::2], args[2::2]))
    return {"query": args[0], "k": options.get("-k", "5"), "mode": options.get("--mode", "hybrid"), "lang": options.get("--lang", "auto")}


API_CASES = [  # a k that is not an integer, or a link address, is the CLI's job
    c for c in CASES if api_case(c[1])["k"].lstrip("-").isdigit() and "--base-url" not in c[1]
]


@pytest.mark.parametrize(("args", "code", "message", "expect_id"), [c[1:] for c in API_CASES], ids=[c[0] for c in API_CASES])
def test_api_bad_query(searcher, args, code, message, expect_id):
    """The Python API: the same table gives hits (at most k, with warnings) or a SearchError with the same message."""
    case = api_case(args)
    k = int(case.pop("k"))
    if code == 2:
        with pytest.raises(SearchError) as info:
            searcher.search(k=k, **case)
        assert message in str(info.value) and "\n" not in str(info.value)
        return
    hits = searcher.search(k=k, **case)
    assert len(hits) <= k
    assert any(message in w for w in searcher.warnings) if message else searcher.warnings == []
    if expect_id:
        assert ANSWERS.get(expect_id, {expect_id}) & {h.id for h in hits}
    elif NO_WORDS in message:
        assert hits == []
