"""Broken knowledge fails `kb index`, `kb check`, the site build and `make test`, naming the file and line
(or entry id) and what to fix: one injected break of each kind."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

import kb.mkdocs_hooks as hooks
from kb.corpus import build_passages, load_knowledge

from kbrun import ROOT, kb_env, run_main


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


GLOSSARY = "glossary/attention.yaml"
PAGE = "docs/attention/gqa.md"

# name -> (file to edit, old text, new text (None: delete the file), expected message as a regex)
BREAKS = {
    "yaml-syntax-error": (GLOSSARY, "term: {en: Multi-query attention, zh: 多查询注意力}", "term: {en: Multi-query attention, zh: 多查询注意力",
                          r"attention\.yaml:2[1-9]: YAML syntax error: .*; fix the indentation or quoting there"),
    "missing-field": (GLOSSARY, "  see: attention/gqa.md#mha\n", "",
                      r"attention\.yaml:1: entry 'mha': field 'see': Field required"),
    "duplicate-id": (GLOSSARY, "- id: mqa\n", "- id: gqa\n",
                     r"attention\.yaml:21: duplicate id 'gqa' \(first defined at attention\.yaml:11\); rename one or merge them"),
    "glossary-link-to-missing-section": (GLOSSARY, "see: attention/gqa.md#gqa\n", "see: attention/gqa.md#gqa-2\n",
                                         r"attention\.yaml:11: entry 'gqa': see 'attention/gqa.md#gqa-2': the page has no heading with id 'gqa-2'"),
    "page-link-to-missing-section": (PAGE, "saves memory during decoding.", "saves memory during decoding (see [KV cache](gqa.md#kv-mem)).",
                                     r"gqa\.md:9: link 'gqa\.md#kv-mem': attention/gqa\.md has no heading with id 'kv-mem'; link to one of its \{#id\}s"),
    "page-link-to-missing-page": (PAGE, "saves memory during decoding.", "saves memory ([RoPE](../position/rope.md#rope)).",
                                  r"gqa\.md:9: link '\.\./position/rope\.md#rope' names a page that does not exist under docs/"),
    "page-without-translation": ("docs/attention/gqa.zh.md", "", None,
                                 r"attention/gqa\.md:1: page has no zh translation; create docs/attention/gqa\.zh\.md"),
    "sections-differ-across-languages": ("docs/attention/gqa.zh.md", "{#kv-memory}", "{#kv-mem}",
                                         r"gqa\.zh\.md:\d+: section 4 has id 'kv-mem' but the English page has 'kv-memory'"),
}


@pytest.fixture(params=sorted(BREAKS))
def broken(request, kb_copy):
    """The fixture knowledge base with one break; yields (its directory, the expected message)."""
    name, (rel, old, new, expected) = request.param, BREAKS[request.param]
    if new is None:
        (kb_copy / rel).unlink()
    else:
        _edit(kb_copy / rel, old, new)
    return kb_copy, expected


@pytest.mark.parametrize("command", ["index", "check"])
def test_kb_command_fails_with_one_line(broken, tmp_path, monkeypatch, capsys, command):
    base, expected = broken
    for name, value in kb_env(base, tmp_path / "index").items():
        monkeypatch.setenv(name, value)
    run = run_main([command], capsys, monkeypatch)
    assert run.code == 2 and run.out == ""
    assert len(run.err.splitlines()) == 1 and run.err.startswith("kb: error: "), run.err
    assert re.search(expected, run.err), run.err
    assert not (tmp_path / "index" / "current").exists()  # nothing half-built


def test_site_build_hook_fails_with_the_same_message(broken, monkeypatch):
    base, expected = broken
    monkeypatch.setenv("KB_GLOSSARY_DIR", str(base / "glossary"))
    config = {"docs_dir": str(base / "docs")}
    for hook in (hooks.on_config, hooks.on_pre_build):
        with pytest.raises(PluginError) as info:
            hook(config)
        assert re.search(expected, str(info.value)) and "\n" not in str(info.value)


def test_the_fixture_itself_is_whole(kb_copy, monkeypatch):
    """The control: unbroken, the same knowledge passes every check above."""
    monkeypatch.setenv("KB_GLOSSARY_DIR", str(kb_copy / "glossary"))
    hooks.on_pre_build({"docs_dir": str(kb_copy / "docs")})
    assert len(build_passages(load_knowledge(kb_copy / "docs", kb_copy / "glossary"))) == 8


def test_mkdocs_build_fails_on_a_page_without_translation(kb_copy, tmp_path):
    """One real `mkdocs build --strict` (the hook fails it before any page is rendered)."""
    (kb_copy / "docs" / "attention" / "gqa.zh.md").unlink()
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        f"site_name: t\ndocs_dir: {kb_copy / 'docs'}\nsite_dir: {tmp_path / 'site'}\nstrict: true\nhooks:\n  - {ROOT / 'kb' / 'mkdocs_hooks.py'}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KB_GLOSSARY_DIR": str(kb_copy / "glossary"), "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", str(config)], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode != 0
    assert re.search(r"attention/gqa\.md:1: page has no zh translation; create docs/attention/gqa\.zh\.md", result.stdout + result.stderr)
    assert not (tmp_path / "site" / "index.html").exists()


def test_the_real_knowledge_base_is_whole():
    """What makes `make test` fail on any break above in docs/ or kb/glossary/, without building the site."""
    knowledge = load_knowledge()
    assert len(knowledge.pages) >= 50 and len(knowledge.glossary) >= 300
