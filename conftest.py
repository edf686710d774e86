"""Run every ```python and ```pycon block of every page under docs/ with Sybil.

Blocks of one page share a namespace and run top to bottom, so a page reads
like a notebook. ```pycon blocks are doctest sessions: the printed output on
the page must equal what the code prints.
"""
from __future__ import annotations

import doctest
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from sybil import Sybil
from sybil.evaluators.python import PythonEvaluator
from sybil.parsers.markdown import PythonCodeBlockParser, SkipParser
from sybil.parsers.markdown.codeblock import CodeBlockParser

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


class PyconParser(PythonCodeBlockParser):
    """Treat ```pycon fences as doctest sessions (Sybil only knows ```python)."""

    def __init__(self) -> None:
        super().__init__(doctest_optionflags=FLAGS)
        self.codeblock_parser = CodeBlockParser("pycon", PythonEvaluator())


def _seed(namespace: dict) -> None:
    """Each page starts from the same random state, whatever ran before it, and from no Accelerate state: a page
    that made an Accelerator (the Trainer makes one) would otherwise fix another page's mixed precision
    ("AcceleratorState has already been initialized"; found by `make test-matrix`)."""
    import random
    import sys

    random.seed(0)
    try:
        import numpy as np

        np.random.seed(0)
    except ImportError:  # pragma: no cover
        pass
    if "accelerate.state" in sys.modules:
        sys.modules["accelerate.state"].AcceleratorState._reset_state(reset_partial_state=True)


pytest_collect_file = Sybil(
    parsers=[PythonCodeBlockParser(doctest_optionflags=FLAGS), PyconParser(), SkipParser()],
    patterns=["*.md"],
    path="docs",
    setup=_seed,
).pytest()


def pytest_collection_modifyitems(session, config, items) -> None:  # noqa: ANN001 — pytest hook
    """With KB_REVERSE_FILES=1, run the files in reverse order (blocks of one page keep their order):
    a page's code must not depend on what another page ran before it (`make test-matrix`)."""
    if os.environ.get("KB_REVERSE_FILES") != "1":
        return
    by_file: dict[str, list] = {}
    for item in items:
        by_file.setdefault(str(item.path), []).append(item)
    items[:] = [item for path in reversed(list(by_file)) for item in by_file[path]]
