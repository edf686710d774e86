"""A query process trusts an unchanged knowledge base by its file fingerprint and re-checks a changed one."""
from __future__ import annotations

import os

import pytest

import search.build.indexer
from search.build.opener import open_searcher


@pytest.fixture
def env(tmp_path, kb_copy, monkeypatch):
    monkeypatch.setenv("KB_DOCS_DIR", str(kb_copy / "docs"))
    monkeypatch.setenv("KB_GLOSSARY_DIR", str(kb_copy / "glossary"))
    return tmp_path / "index"


@pytest.fixture
def parses(monkeypatch):
    """Counts full reads of the knowledge base."""
    calls = []
    real = search.build.indexer.load_corpus

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(search.build.indexer, "load_corpus", counting)
    return calls


def test_unchanged_files_are_not_parsed_again(env, fake_encoder, parses):
    assert open_searcher(root=env, encoder=fake_encoder).rebuilt
    assert len(parses) == 1
    again = open_searcher(root=env, encoder=fake_encoder)
    assert not again.rebuilt and len(parses) == 1


def test_an_edited_page_is_noticed_and_rebuilt(env, kb_copy, fake_encoder, parses):
    open_searcher(root=env, encoder=fake_encoder)
    page = kb_copy / "docs" / "attention" / "gqa.md"
    text = page.read_text(encoding="utf-8").replace("## Sources", "With a new closing sentence about memory.\n\n## Sources")
    page.write_text(text, encoding="utf-8")
    after = open_searcher(root=env, encoder=fake_encoder)
    assert after.rebuilt and len(parses) == 2
    assert any("new closing sentence" in p.text["en"] for p in after.passages)


def test_a_touched_but_unchanged_page_is_checked_once(env, kb_copy, fake_encoder, parses):
    open_searcher(root=env, encoder=fake_encoder)
    page = kb_copy / "docs" / "attention" / "gqa.md"
    stat = page.stat()
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    touched = open_searcher(root=env, encoder=fake_encoder)
    assert not touched.rebuilt and len(parses) == 2  # parsed, found equal, not rebuilt
    assert not open_searcher(root=env, encoder=fake_encoder).rebuilt and len(parses) == 2  # and remembered


def test_a_new_page_pair_is_noticed(env, kb_copy, fake_encoder, parses):
    open_searcher(root=env, encoder=fake_encoder)
    for suffix, title in ((".md", "# Extra\n\n## Extra section {#extra}\n\nSome text.\n"), (".zh.md", "# 额外\n\n## 额外一节 {#extra}\n\n一些文字。\n")):
        (kb_copy / "docs" / "attention" / f"extra{suffix}").write_text(title, encoding="utf-8")
    after = open_searcher(root=env, encoder=fake_encoder)
    assert after.rebuilt and "attention/extra#extra" in {p.id for p in after.passages}


def test_a_same_size_edit_with_its_mtime_set_back_is_noticed(env, kb_copy, fake_encoder, parses):
    """Size and mtime alone miss this edit (stale text was served); the change time cannot be set back."""
    open_searcher(root=env, encoder=fake_encoder)
    page = kb_copy / "docs" / "attention" / "gqa.md"
    before = page.stat()
    text = page.read_text(encoding="utf-8")
    assert "shrinks" in text
    page.write_text(text.replace("shrinks", "shrunk!"), encoding="utf-8")  # same length
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert page.stat().st_size == before.st_size and page.stat().st_mtime_ns == before.st_mtime_ns
    after = open_searcher(root=env, encoder=fake_encoder)
    assert after.rebuilt and len(parses) == 2
    assert "shrunk!" in next(p for p in after.passages if p.id == "attention/gqa#gqa").text["en"]
