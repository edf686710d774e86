"""The kb CLI, in-process with a fake encoder, and through its console entry point for error paths."""
import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass

import pytest

import search.encoders.dense
import search.engine
import search.build.indexer
from search.cli import COMMANDS, build_parser
from search.cli import run as run_cli

from fakes import FakeEncoder


@pytest.fixture
def env(tmp_path, kb_copy, monkeypatch):
    monkeypatch.setenv("KB_DOCS_DIR", str(kb_copy / "docs"))
    monkeypatch.setenv("KB_GLOSSARY_DIR", str(kb_copy / "glossary"))
    monkeypatch.setenv("KB_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setattr(search.encoders.dense, "Encoder", FakeEncoder)
    monkeypatch.setattr(search.build.indexer, "Encoder", FakeEncoder)
    return tmp_path


@dataclass
class Result:
    exit_code: int
    output: str
    stderr: str

    @property
    def stdout(self) -> str:
        return self.output


@pytest.fixture
def run(capsys):
    def invoke(*args: str) -> Result:
        code = run_cli(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


def test_off_topic_query_says_no_relevant_match(env, run):
    result = run("search", "红烧肉怎么做")
    assert result.exit_code == 0
    assert result.output.strip() == "No relevant match for '红烧肉怎么做' in the notes."
    assert json.loads(run("search", "红烧肉怎么做", "--json").output) == []


@pytest.mark.parametrize("k_flag", ["-k", "--top"])
def test_search_json(env, run, k_flag):
    result = run("search", "grouped query attention", k_flag, "2", "--json")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert len(hits) == 2
    assert {"id", "kind", "title", "lang", "url", "score", "snippet", "text", "path", "rank"} <= set(hits[0])
    assert hits[0]["url"].startswith("http://127.0.0.1:8000/attention/gqa/#")


@pytest.mark.parametrize("mode_flag", ["-m", "--mode"])
def test_search_human_output_in_chinese(env, run, mode_flag):
    result = run("search", "分组查询注意力", mode_flag, "bm25", "-k", "1")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("1. 分组查询注意力")
    assert "/zh/attention/gqa/#gqa" in result.output
    assert "**分组" in result.output  # matched words are marked in the snippet


def test_lang_option_overrides_script(env, run):
    hits = json.loads(run("search", "分组查询注意力", "--lang", "en", "--json", "-k", "1").output)
    assert hits[0]["lang"] == "en" and not hits[0]["url"].startswith("http://127.0.0.1:8000/zh/")


def test_index_and_check(env, run):
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
        (["search", "gqa", "-k", "abc"], "kb: error: argument -k/--top: invalid value 'abc'"),
        (["search", "gqa", "--mode", "fuzzy"], "kb: error: unknown mode 'fuzzy'; use one of: hybrid, bm25, dense"),
        (["search", "gqa", "--lang", "fr"], "kb: error: unknown language 'fr'"),
        (["search", "gqa", "-k", "0"], "kb: error: k must be between 1 and 100, got 0"),
        (["search"], "kb: error: the following arguments are required: query"),
        (["serch", "gqa"], "kb: error: argument COMMAND: invalid choice: 'serch'"),
        (["serve", "--site", "/nonexistent-site"], "kb: error: no built site in /nonexistent-site; run 'mkdocs build --strict' first"),
        (["serve", "--api-only", "--threads", "0"], "kb: error: --threads must be at least 1, got 0"),
        (["serve", "--api-only", "--max-pending", "0"], "kb: error: --max-pending must be at least 1, got 0"),
        (["serve", "--api-only", "--port", "70000"], "kb: error: port must be between 0 and 65535, got 70000"),
        (["serve", "--api-only", "--host", "no-such-host.invalid"], "kb: error: cannot listen on no-such-host.invalid:8000"),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path, kb_copy, args, message):
    extra = {"KB_DOCS_DIR": str(kb_copy / "docs"), "KB_GLOSSARY_DIR": str(kb_copy / "glossary"), "KB_INDEX_DIR": str(tmp_path / "i"), "KB_MODEL": "/nonexistent-model"}
    result = kb(*args, env_extra=extra)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]  # exactly one line
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.stderr


def test_serve_on_a_busy_port_is_one_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = kb("serve", "--api-only", "--port", str(port), env_extra={"KB_INDEX_DIR": str(tmp_path / "i"), "KB_MODEL": "/nonexistent-model"})
    assert result.returncode == 2
    assert result.stderr.strip() == f"kb: error: cannot listen on 127.0.0.1:{port} (Address already in use); choose another --port or --host"


def test_broken_glossary_fails_check_with_file_and_line(tmp_path, kb_copy):
    path = kb_copy / "glossary" / "attention.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  see: attention/gqa.md#mha\n", ""), encoding="utf-8")
    result = kb("check", env_extra={"KB_DOCS_DIR": str(kb_copy / "docs"), "KB_GLOSSARY_DIR": str(kb_copy / "glossary")})
    assert result.returncode == 2
    assert "attention.yaml:1: entry 'mha': field 'see': Field required" in result.stderr


def test_every_command_and_option_has_help(capsys):
    names = list(COMMANDS)
    for name, function in COMMANDS.items():
        assert function.__doc__, f"{name} has no docstring"
        with pytest.raises(SystemExit) as exited:
            run_cli([name, "--help"])
        assert exited.value.code == 0
        assert f"usage: kb {name}" in capsys.readouterr().out
    for action in build_parser()._subparsers._group_actions[0].choices["search"]._actions:  # noqa: SLF001
        assert action.help, f"kb search {action.option_strings or action.dest} has no help"
    readme = open(os.path.join(os.path.dirname(__file__), "..", "README.md"), encoding="utf-8").read()
    for name in names:
        assert f"kb {name}" in readme, f"README does not show 'kb {name}'"


@pytest.mark.parametrize("flag", ["-e", "--explain"])
def test_explain_shows_both_legs_and_the_fusion(env, run, flag):
    result = run("search", "grouped query attention", "-k", "2", flag)
    assert result.exit_code == 0, result.output
    assert "bm25 #" in result.output and "dense #" in result.output
    assert "0.6·bm25 + 0.4·dense" in result.output
    assert "(− 0.2 for a glossary entry)" in result.output
    hits = json.loads(run("search", "grouped query attention", "-k", "1", flag, "--json").stdout)
    assert set(hits[0]["explain"]) == {"bm25", "dense", "fusion"}
    assert "explain" not in json.loads(run("search", "grouped query attention", "-k", "1", "--json").stdout)[0]


def test_typo_is_corrected_with_a_notice(env, run):
    result = run("search", "grouped qeury attention", "-k", "1", "--json")
    assert result.exit_code == 0
    assert "showing results for 'grouped query attention'" in result.stderr
    assert json.loads(result.output)[0]["id"] in {"term:gqa", "attention/gqa#gqa"}


@pytest.mark.parametrize(("query", "mode", "expected"), __import__("ranking_cases").RANKED)
def test_the_cli_gives_the_exact_ranking(env, run, query, mode, expected):
    result = run("search", query, "-k", "8", "--mode", mode, "--json")
    assert result.exit_code == 0, result.stderr
    assert [h["id"] for h in json.loads(result.stdout)][: len(expected)] == expected


def test_every_option_has_help_and_is_in_the_readme():
    """sqlite-utils' habit: a sub-command option without help text, or one the README never names, fails here."""
    readme = open(os.path.join(os.path.dirname(__file__), "..", "README.md"), encoding="utf-8").read()
    missing_help, missing_readme = [], []
    for name, sub in build_parser()._subparsers._group_actions[0].choices.items():  # noqa: SLF001
        for action in sub._actions:  # noqa: SLF001
            if "-h" in action.option_strings:
                continue
            if not action.help:
                missing_help.append(f"kb {name} {action.option_strings or action.dest}")
            if action.option_strings and not any(flag in readme for flag in action.option_strings if flag.startswith("--")):
                missing_readme.append(f"kb {name} {'/'.join(action.option_strings)}")
    assert not missing_help, missing_help
    assert not missing_readme, missing_readme
