"""MkDocs hook: the site build writes the static search index (search/build/static_index.py) into the built site.

Registered in mkdocs.yml's ``hooks:``. mkdocs-static-i18n builds the Chinese
pages by running the build again into ``site/zh/``; the index covers both
languages, so it is written once, at the site's root (``on_post_build`` of the
default language's build), and never into ``site/zh/``.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from mkdocs.exceptions import PluginError

log = logging.getLogger("mkdocs.hooks.static_search")


def on_post_build(config, **kwargs) -> None:  # noqa: ANN001 — MkDocs passes its config object
    """Write assets/static-search/ (index.js, text.en.js, text.zh.js) under the site's root."""
    from search.build.indexer import load_corpus
    from search.build.static_index import build_index, write
    from search.errors import SearchError

    site = Path(config["site_dir"])
    language = (config.get("theme") or {}).get("language") if hasattr(config.get("theme"), "get") else None
    if language not in (None, "en") or site.name == "zh":
        return  # the Chinese build of mkdocs-static-i18n: the root's index already covers it
    docs = Path(config["docs_dir"])
    glossary = Path(os.environ["KB_GLOSSARY_DIR"]) if os.environ.get("KB_GLOSSARY_DIR") else None
    try:
        passages = load_corpus(docs, glossary)
    except SearchError as exc:
        raise PluginError(str(exc)) from None
    sizes = write(site, build_index(passages))
    raw = sum(r for r, _ in sizes.values())
    packed = sum(g for _, g in sizes.values())
    log.info("static search index: %d passages, %.0f KB (%.0f KB gzipped)", len(passages), raw / 1024, packed / 1024)
