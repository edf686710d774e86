"""Heading ids: one slug function shared by the site (toc extension) and kb."""
from __future__ import annotations

import re

from pymdownx.slugs import slugify as _make_slugify

# The same callable mkdocs.yml configures for the toc extension.
_slugify = _make_slugify(case="lower")

ATTR_RE = re.compile(r"\s*\{([^}]*)\}\s*$")
ID_IN_ATTR_RE = re.compile(r"(?:^|\s)#([^\s}]+)")


def slugify(text: str) -> str:
    """Return the heading id Python-Markdown's toc would make for ``text``."""
    return _slugify(text, "-")


def split_heading(raw: str) -> tuple[str, str]:
    """Split a heading's text into (title, id).

    An explicit attr-list id (``## Title {#my-id}``) wins; otherwise the id is
    the slug of the title, exactly as the site's toc extension computes it.
    """
    match = ATTR_RE.search(raw)
    if match:
        title = raw[: match.start()].strip()
        id_match = ID_IN_ATTR_RE.search(match.group(1))
        if id_match:
            return title, id_match.group(1)
        return title, slugify(title)
    title = raw.strip()
    return title, slugify(title)
