"""Links between sections: every `[text](page.md#id)` or `[text](#id)` in a page must name a heading that exists."""
from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable

from .errors import KnowledgeError
from .pages import FENCE_RE, LANGS, Page

LINK_RE = re.compile(r"\]\(([^)\s#]*)#([^)\s]+)\)")


def check_page_links(pages: list[dict[str, Page]], glossary_ids: Iterable[str]) -> None:
    """Raise KnowledgeError (file:line, the link, what to fix) for a link to a missing page or heading.

    Links inside code fences and links to other sites are not checked; the
    generated glossary page has one anchor per glossary id.
    """
    anchors = {pair["en"].rel: {s.anchor for s in pair["en"].sections} for pair in pages}
    anchors["glossary.md"] = set(glossary_ids)
    for pair in pages:
        here = pair["en"].rel
        for lang in LANGS:
            page = pair[lang]
            fence: str | None = None
            for number, line in enumerate(page.path.read_text(encoding="utf-8").splitlines(), start=1):
                marker = FENCE_RE.match(line)
                if marker:
                    token = marker.group(1)
                    fence = token[0] * len(token) if fence is None else (None if token.startswith(fence) else fence)
                    continue
                if fence is not None:
                    continue
                for target, anchor in LINK_RE.findall(line):
                    if target and (not target.endswith(".md") or "://" in target):
                        continue
                    rel = posixpath.normpath(posixpath.join(posixpath.dirname(here), target)) if target else here
                    link = f"{target}#{anchor}"
                    if rel not in anchors:
                        raise KnowledgeError(f"{page.path}:{number}: link '{link}' names a page that does not exist under docs/; fix the link")
                    if anchor not in anchors[rel]:
                        raise KnowledgeError(f"{page.path}:{number}: link '{link}': {rel} has no heading with id '{anchor}'; link to one of its {{#id}}s")
