"""The kb CLI, in-process with a fake encoder, and through its console entry point for error paths."""
import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

import search.engine
import search.indexer
from search.cli import app

from fakes import FakeEncoder


@pytest.fixture
def env(tmp_path, kb_copy, monkeypatch):
    monkeypatch.setenv("KB_DOCS_DIR", str(kb_copy / "docs"))
    monkeypatch.setenv("KB_GLOSSARY_DIR", str(kb_copy / "glossary"))
    monkeypatch.setenv("KB_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setattr(search.engine, "Encoder", FakeEncoder)
    monkeypatch.setattr(search.indexer, "Encoder", FakeEncoder)
    return tmp_path


def run(*args):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_off_topic_query_says_no_relevant_match(env):
    result = run("search", "红烧肉怎么做")
    assert result.exit_code == 0
    assert result.output.strip() == "No relevant match for '红烧肉怎么做' in the notes."
    assert json.loads(run("search", "红烧肉怎么做", "--json").output) == []


@pytest.mark.parametrize("k_flag", ["-k", "--top"])
def test_search_json(env, k_flag):
    result = run("search", "grouped query attention", k_flag, "2", "--json")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    assert len(hits) == 2
    assert {"id", "kind", "title", "lang", "url", "score", "snippet", "text", "path", "rank"} <= set(hits[0])
    assert hits[0]["url"].startswith("http://127.0.0.1:8000/attention/gqa/#")


@pytest.mark.parametrize("mode_flag", ["-m", "--mode"])
def test_search_human_output_in_chinese(env, mode_flag):
    result = run("search", "分组查询注意力", mode_flag, "bm25", "-k", "1")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("1. 分组查询注意力")
    assert "/zh/attention/gqa/#gqa" in result.output
    assert "**分组" in result.output  # matched words are marked in the snippet


def test_lang_option_overrides_script(env):
    hits = json.loads(run("search", "分组查询注意力", "--lang", "en", "--json", "-k", "1").output)
    assert hits[0]["lang"] == "en" and not hits[0]["url"].startswith("http://127.0.0.1:8000/zh/")


def test_index_and_check(env):
    result = run("index")
    assert result.exit_code == 0 and "indexed 8 passages (8 embedded now)" in result.output
    result = run("check")
    assert result.exit_code == 0 and "ok: 4 glossary entries, 4 sections" in result.output


def kb(*args, env_extra=None):
    environ = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "search.cli", *args], capture_output=True, text=True, env=environ, timeout=120)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", ""], "kb: error: empty query"),
        (["search", "gqa", "-k", "abc"], "kb: error: Invalid value for '-k'"),
        (["search", "gqa", "--mode", "fuzzy"], "kb: error: unknown mode 'fuzzy'; use one of: hybrid, bm25, dense"),
        (["search", "gqa", "--lang", "fr"], "kb: error: unknown language 'fr'"),
        (["search", "gqa", "-k", "0"], "kb: error: k must be between 1 and 100, got 0"),
        (["search"], "kb: error: Missing argument 'query'"),
        (["serch", "gqa"], "kb: error: No such command 'serch'"),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path, kb_copy, args, message):
    extra = {"KB_DOCS_DIR": str(kb_copy / "docs"), "KB_GLOSSARY_DIR": str(kb_copy / "glossary"), "KB_INDEX_DIR": str(tmp_path / "i"), "KB_MODEL": "/nonexistent-model"}
    result = kb(*args, env_extra=extra)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]  # exactly one line
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.stderr


def test_broken_glossary_fails_check_with_file_and_line(tmp_path, kb_copy):
    path = kb_copy / "glossary" / "attention.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  see: attention/gqa.md#mha\n", ""), encoding="utf-8")
    result = kb("check", env_extra={"KB_DOCS_DIR": str(kb_copy / "docs"), "KB_GLOSSARY_DIR": str(kb_copy / "glossary")})
    assert result.returncode == 2
    assert "attention.yaml:1: entry 'mha': field 'see': Field required" in result.stderr


def test_every_command_and_option_has_help():
    names = [command.name or command.callback.__name__ for command in app.registered_commands]
    for command, name in zip(app.registered_commands, names):
        assert command.callback.__doc__, f"{name} has no docstring"
        result = run(name, "--help")
        assert result.exit_code == 0
        assert "--help" in result.output
    readme = open(os.path.join(os.path.dirname(__file__), "..", "README.md"), encoding="utf-8").read()
    for name in names:
        assert f"kb {name}" in readme, f"README does not show 'kb {name}'"


@pytest.mark.parametrize("flag", ["-e", "--explain"])
def test_explain_shows_both_legs_and_the_fusion(env, flag):
    result = run("search", "grouped query attention", "-k", "2", flag)
    assert result.exit_code == 0, result.output
    assert "bm25 #" in result.output and "dense #" in result.output
    assert "0.6·bm25 + 0.4·dense" in result.output
    assert "(− 0.2 for a glossary entry)" in result.output
    hits = json.loads(run("search", "grouped query attention", "-k", "1", flag, "--json").output)
    assert set(hits[0]["explain"]) == {"bm25", "dense", "fusion"}
    assert "explain" not in json.loads(run("search", "grouped query attention", "-k", "1", "--json").output)[0]


def test_typo_is_corrected_with_a_notice(env):
    result = CliRunner().invoke(app, ["search", "grouped qeury attention", "-k", "1", "--json"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "showing results for 'grouped query attention'" in result.stderr
    assert json.loads(result.stdout)[0]["id"] in {"term:gqa", "attention/gqa#gqa"}
