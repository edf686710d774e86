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


# MathJax (about 1.2 MB) and Mermaid (about 2.8 MB) are loaded only by the pages that need them, and only after the
# load event (each took 300-700 ms of parsing and running before it on a concept page). mathjax-config.js subscribes
# to the theme's document$; diagrams.js fetches Mermaid itself (the path in its data-mermaid) and draws the page's
# <div class="kb-mermaid"> blocks. Paths are relative to the page, so the site also works under a sub-path and from
# disk (the offline build's pages end in .html).
MATH_SCRIPTS = ("javascripts/mathjax-config.js", "assets/vendor/mathjax/es5/tex-mml-chtml.js")
DIAGRAM_SCRIPT = "javascripts/diagrams.js"
MERMAID = "assets/vendor/mermaid/dist/mermaid.min.js"
DIAGRAM_CLASS = 'class="kb-mermaid"'
"""What mkdocs.yml's superfences fence makes of a ```mermaid block (a div the theme leaves alone)."""
ALTERNATE_LINK_RE = re.compile(r'[ \t]*<link rel="alternate" href="[^"]*" hreflang="[^"]*">\n?')


def page_scripts(html: str) -> tuple[str, ...]:
    """The scripts a built page needs: MathJax when it has arithmatex output, diagrams.js when it has a diagram."""
    scripts: tuple[str, ...] = ()
    if 'class="arithmatex"' in html:
        scripts += MATH_SCRIPTS
    if DIAGRAM_CLASS in html:
        scripts += (DIAGRAM_SCRIPT,)
    return scripts


def _script_tag(src: str, page_url: str) -> str:
    """MathJax is fetched once the page has loaded (its start-up and first typesetting took about 300 ms before the
    load event on a concept page); diagrams.js is small and waits for the load event itself before it fetches
    Mermaid; the others load as usual."""
    url = get_relative_url(src, page_url)
    if src.endswith("tex-mml-chtml.js"):
        return f'<script>addEventListener("load",function(){{var s=document.createElement("script");s.src="{url}";document.head.appendChild(s)}})</script>'
    if src == DIAGRAM_SCRIPT:
        return f'<script src="{url}" data-mermaid="{get_relative_url(MERMAID, page_url)}"></script>'
    return f'<script src="{url}"></script>'


def on_post_page(output: str, page, config, **kwargs) -> str:  # noqa: ANN001 — MkDocs hook signature
    """Add MathJax/the diagram script where the page uses them; drop the head's per-page language alternates.

    Material fetches ``sitemap.xml`` under the URL of every ``<link rel="alternate">`` in the head (it expects
    them to point at language roots); mkdocs-static-i18n points them at the page's twins, so every page logged
    two 404s. The language switcher's own links (``<a hreflang>``) are kept and go to the same page.
    """
    output = ALTERNATE_LINK_RE.sub("", output)
    scripts = page_scripts(output)
    if not scripts:
        return output
    tags = "".join(_script_tag(src, page.url) for src in scripts)
    head, tail = output.rsplit("</body>", 1)
    return f"{head}{tags}\n</body>{tail}"
