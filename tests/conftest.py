"""Shared fixtures: a tiny knowledge base and a fake encoder, so most tests load no model."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from search.indexer import load_corpus

from fakes import FakeEncoder

FIXTURE = Path(__file__).parent / "fixtures" / "kb"


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture knowledge base (docs/ and glossary/)."""
    target = tmp_path / "kb"
    shutil.copytree(FIXTURE, target)
    return target


@pytest.fixture
def fake_encoder() -> FakeEncoder:
    return FakeEncoder()


@pytest.fixture
def corpus_of():
    """Make a corpus loader for a knowledge-base directory."""

    def make(base: Path):
        return lambda: load_corpus(base / "docs", base / "glossary")

    return make


@pytest.fixture(scope="session")
def encoder():
    """The real bundled all-MiniLM-L6-v2 encoder (loaded once per test session)."""
    from search.dense import Encoder

    return Encoder()


@pytest.fixture(scope="session")
def real_searcher(tmp_path_factory, encoder):
    """A searcher over the real knowledge base, its index built once into a temporary directory."""
    from search.engine import Searcher

    return Searcher(root=tmp_path_factory.mktemp("index"), encoder=encoder)
