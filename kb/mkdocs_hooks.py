"""MkDocs hooks: the site build reads the knowledge base with the same checks as `kb check`.

mkdocs-static-i18n with ``fallback_to_default: false`` silently leaves a page
out of /zh/ when its translation is missing (checked with mkdocs-static-i18n
1.3.1: the strict build still passes), so the parity check lives here.
"""
from __future__ import annotations

import os
from pathlib import Path

from mkdocs.exceptions import PluginError

from kb.corpus import Knowledge, load_knowledge
from kb.errors import KnowledgeError
from kb.glossary import GLOSSARY_DIR
from kb.glossary_pages import render_abbreviations, render_page, write_if_changed


def _knowledge(config) -> Knowledge:  # noqa: ANN001
    glossary = Path(os.environ.get("KB_GLOSSARY_DIR") or GLOSSARY_DIR)
    try:
        return load_knowledge(Path(config["docs_dir"]), glossary)
    except KnowledgeError as exc:
        raise PluginError(str(exc)) from None


def on_config(config, **kwargs):  # noqa: ANN001, ANN201 — MkDocs hook signature
    """Check the knowledge, then write the generated glossary pages and abbreviation list into docs/.

    Files are rewritten only when their content changes, so `mkdocs serve`
    does not rebuild in a loop. They are git-ignored: kb/glossary is the source.
    """
    knowledge = _knowledge(config)
    docs = Path(config["docs_dir"])
    for lang, name in (("en", "glossary.md"), ("zh", "glossary.zh.md")):
        titles = {pair["en"].rel: pair[lang].title for pair in knowledge.pages}
        write_if_changed(docs / name, render_page(knowledge.glossary, lang, titles))
    write_if_changed(docs / "snippets" / "abbreviations.md", render_abbreviations(knowledge.glossary))
    return config


def on_pre_build(config, **kwargs) -> None:  # noqa: ANN001 — MkDocs passes its config object
    """Fail the build, naming file and line, when the glossary or a page pair is broken."""
    _knowledge(config)
