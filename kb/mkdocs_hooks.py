"""MkDocs hooks: the site build reads the knowledge base with the same checks as `kb check`.

mkdocs-static-i18n with ``fallback_to_default: false`` silently leaves a page
out of /zh/ when its translation is missing (checked with mkdocs-static-i18n
1.3.1: the strict build still passes), so the parity check lives here.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

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
    # The offline plugin (make site-offline) adds a shim from unpkg.com so that the theme's search worker runs from
    # file://; the site loads nothing from the internet, so it is left out (the notes' own search needs no worker).
    polyfills = config.extra.get("polyfills")
    if polyfills:
        config.extra["polyfills"] = [url for url in polyfills if "unpkg.com/iframe-worker" not in url]
    return config


def on_pre_build(config, **kwargs) -> None:  # noqa: ANN001 — MkDocs passes its config object
    """Fail the build, naming file and line, when the glossary or a page pair is broken."""
    _knowledge(config)


# MathJax (about 1.2 MB) and Mermaid (about 2.8 MB) are loaded only by the pages that need them, after the theme's
# bundle (mathjax-config.js subscribes to its document$). Paths are relative to the page, so the site also works
# under a sub-path and from disk (the offline build's pages end in .html).
MATH_SCRIPTS = ("javascripts/mathjax-config.js", "assets/vendor/mathjax/es5/tex-mml-chtml.js")
MERMAID_SCRIPTS = ("assets/vendor/mermaid/dist/mermaid.min.js",)
ALTERNATE_LINK_RE = re.compile(r'[ \t]*<link rel="alternate" href="[^"]*" hreflang="[^"]*">\n?')


def page_scripts(html: str) -> tuple[str, ...]:
    """The scripts a built page needs: MathJax when it has arithmatex output, Mermaid when it has a diagram."""
    scripts: tuple[str, ...] = ()
    if 'class="arithmatex"' in html:
        scripts += MATH_SCRIPTS
    if 'class="mermaid"' in html:
        scripts += MERMAID_SCRIPTS
    return scripts


def _script_tag(src: str) -> str:
    """MathJax is fetched once the page has loaded (its start-up and first typesetting took about 300 ms before the
    load event on a concept page); the others load as usual (Mermaid must be there before the theme looks for it,
    or the theme fetches it from a CDN)."""
    if src.endswith("tex-mml-chtml.js"):
        return f'<script>addEventListener("load",function(){{var s=document.createElement("script");s.src="{src}";document.head.appendChild(s)}})</script>'
    return f'<script src="{src}"></script>'


def on_post_page(output: str, page, config, **kwargs) -> str:  # noqa: ANN001 — MkDocs hook signature
    """Add MathJax/Mermaid where the page uses them; drop the head's per-page language alternates.

    Material fetches ``sitemap.xml`` under the URL of every ``<link rel="alternate">`` in the head (it expects
    them to point at language roots); mkdocs-static-i18n points them at the page's twins, so every page logged
    two 404s. The language switcher's own links (``<a hreflang>``) are kept and go to the same page.
    """
    output = ALTERNATE_LINK_RE.sub("", output)
    scripts = page_scripts(output)
    if not scripts:
        return output
    tags = "".join(_script_tag(get_relative_url(src, page.url)) for src in scripts)
    head, tail = output.rsplit("</body>", 1)
    return f"{head}{tags}\n</body>{tail}"
