"""Cut the site's pages into sections (h2/h3), the same cut the site's toc makes."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import KnowledgeError
from .slug import split_heading
from .sources import DOCS_DIR, GENERATED

LANGS = ("en", "zh")
SKIP_IDS = {"related", "sources"}
"""Sections that list links or references: anchors, but not passages."""

HEADING_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,})")


@dataclass
class Section:
    """One h2/h3 section of one page in one language."""

    anchor: str
    title: str
    level: int
    line: int
    body: str = ""


@dataclass
class Page:
    """One page in one language: its h1 title and its sections in order."""

    path: Path
    rel: str
    """Path under docs/ of the English file, e.g. 'attention/mha-mqa-gqa.md'."""
    lang: str
    title: str
    sections: list[Section] = field(default_factory=list)


def read_page(path: Path, rel: str, lang: str) -> Page:
    """Parse one Markdown file into a Page (code fences are not scanned for headings)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    title = ""
    sections: list[Section] = []
    body: list[str] = []
    fence: str | None = None
    for number, line in enumerate(lines, start=1):
        fence_match = FENCE_RE.match(line)
        if fence_match:
            marker = fence_match.group(1)
            if fence is None:
                fence = marker[0] * len(marker)
            elif marker.startswith(fence):
                fence = None
            body.append(line)
            continue
        heading = HEADING_RE.match(line) if fence is None else None
        if heading:
            level = len(heading.group(1))
            text, anchor = split_heading(heading.group(2))
            if level == 1 and not title:
                title = text
                continue
            if level in (2, 3):
                if sections:
                    sections[-1].body = "\n".join(body).strip()
                body = []
                sections.append(Section(anchor=anchor, title=text, level=level, line=number))
                continue
        body.append(line)
    if sections:
        sections[-1].body = "\n".join(body).strip()
    if not title:
        raise KnowledgeError(f"{path}:1: page has no '# Title' line; add one at the top")
    return Page(path=path, rel=rel, lang=lang, title=title, sections=sections)


def page_files(docs: Path = DOCS_DIR) -> list[Path]:
    """English page files under docs/, sorted (snippets and assets excluded)."""
    out = []
    for path in sorted(docs.rglob("*.md")):
        rel = path.relative_to(docs).as_posix()
        if path.name.endswith(".zh.md") or rel.startswith(("snippets/", "assets/")) or rel in GENERATED:
            continue
        out.append(path)
    return out


def twin(path: Path, lang: str) -> Path:
    """The file of ``path``'s page in ``lang`` (suffix structure: page.zh.md)."""
    if lang == "en":
        return path
    return path.with_name(path.name[: -len(".md")] + f".{lang}.md")


def read_pairs(docs: Path = DOCS_DIR) -> list[dict[str, Page]]:
    """Every page in both languages; a missing twin is an error."""
    pairs = []
    for en_path in page_files(docs):
        rel = en_path.relative_to(docs).as_posix()
        pair: dict[str, Page] = {}
        for lang in LANGS:
            path = twin(en_path, lang)
            if not path.exists():
                raise KnowledgeError(
                    f"{en_path}:1: page has no {lang} translation; create {path.relative_to(docs.parent)}"
                )
            pair[lang] = read_page(path, rel, lang)
        pairs.append(pair)
    return pairs


def page_url(rel: str, lang: str) -> str:
    """Site-relative URL of a page, as mkdocs (use_directory_urls) and static-i18n lay it out."""
    stem = rel[: -len(".md")]
    if stem == "index":
        path = ""
    elif stem.endswith("/index"):
        path = stem[: -len("index")]
    else:
        path = stem + "/"
    prefix = "" if lang == "en" else f"{lang}/"
    return "/" + prefix + path
