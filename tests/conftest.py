"""Shared fixtures: a tiny knowledge base and a fake encoder, so most tests load no model."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from search.build.indexer import load_corpus

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
    from search.encoders.dense import Encoder

    return Encoder()


@pytest.fixture(scope="session")
def real_searcher(tmp_path_factory, encoder):
    """A searcher over the real knowledge base, its index built once into a temporary directory."""
    from search.build.opener import open_searcher

    return open_searcher(root=tmp_path_factory.mktemp("index"), encoder=encoder)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The site built once per session with `mkdocs build --strict` into a temporary directory."""
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(out)],
        cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, env=env, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium (Playwright) for one test module. Module, not session: Playwright's sync API keeps an
    event loop running in this thread while it is open, and later tests (and page blocks) call asyncio.run()."""
    from playwright.sync_api import sync_playwright

    from chromium import ARGS, CHROMIUM

    assert Path(CHROMIUM).exists(), "chromium is not installed; run 'make setup' (it installs Debian's chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (no cache, no cookies) with one desktop-sized page."""
    context = browser.new_context(viewport={"width": 1280, "height": 1400})
    page = context.new_page()
    yield page
    context.close()
