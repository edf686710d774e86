"""MkDocs hooks: the site build reads the knowledge base with the same checks as `kb check`.

mkdocs-static-i18n with ``fallback_to_default: false`` silently leaves a page
out of /zh/ when its translation is missing (checked with mkdocs-static-i18n
1.3.1: the strict build still passes), so the parity check lives here.
"""
from __future__ import annotations

import os
from pathlib import Path

from mkdocs.exceptions import PluginError

from kb.corpus import load_knowledge
from kb.errors import KnowledgeError
from kb.glossary import GLOSSARY_DIR


def on_pre_build(config, **kwargs) -> None:  # noqa: ANN001 — MkDocs passes its config object
    """Fail the build, naming file and line, when the glossary or a page pair is broken."""
    glossary = Path(os.environ.get("KB_GLOSSARY_DIR") or GLOSSARY_DIR)
    try:
        load_knowledge(Path(config["docs_dir"]), glossary)
    except KnowledgeError as exc:
        raise PluginError(str(exc)) from None
