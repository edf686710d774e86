"""The corpus of passages: every glossary entry and every h2/h3 section of every page pair."""
from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import KnowledgeError
from .glossary import GLOSSARY_DIR, Located, load_glossary
from .links import check_page_links
from .mathtext import tex_to_text
from .pages import DOCS_DIR, LANGS, SKIP_IDS, Page, page_url, read_pairs
from .schema import Passage

FENCED_RE = re.compile(r"^(\s*)(`{3,}|~{3,})[^\n]*\n.*?^\1\2\s*$", re.S | re.M)
COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
CODE_SPAN_RE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
DISPLAY_MATH_RE = re.compile(r"\$\$(.+?)\$\$", re.S)
INLINE_MATH_RE = re.compile(r"(?<![\\$])\$(?![\s$])((?:\\.|[^\\$\n]|\n(?![ \t]*\n))+?)(?<!\s)\$")
ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~$])")
IMAGE_RE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
LINK_RE = re.compile(r"\[([^\]]+)\]\([^)]*\)")
AUTOLINK_RE = re.compile(r"<(https?://[^>\s]+)>")
FOOTNOTE_REF_RE = re.compile(r"\[\^[^\]]+\](?!:)")
HTML_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
ATTR_LIST_RE = re.compile(r"\s*\{\s*[#.:][^}\n]*\}")
TITLE_LINE_RE = re.compile(r'^\s*(?:#{1,6}\s+(.*?)\s*#*|(?:!!!|\?\?\?\+?)\s*[\w-]+(?:\s+"([^"]*)")?|===\+?\s+"([^"]*)")\s*$')
BLOCK_START_RE = re.compile(r"^\s*(?:[-*+]\s+|\d+[.)]\s+|>|\||\[\^[^\]]+\]:|:\s{3})")
LIST_MARK_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+|^\s*>\s?|^\[\^[^\]]+\]:\s*|^:\s{3}")
TABLE_RULE_RE = re.compile(r"^\s*\|?\s*:?-{3,}.*$", re.M)
CJK_RE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
HOLE = "\ue000{}\ue001"
HOLE_RE = re.compile("\ue000(\\d+)\ue001")


def plain_text(markdown: str) -> str:
    """Markdown of a section to the text a reader sees, which search indexes and snippets quote.

    Code blocks, comments and markup go; inline code keeps its text; formulas become readable text
    (kb.mathtext: ``$\\sqrt{d_k}$`` -> ``√d_k``); the lines of a paragraph or list item are joined into one
    line, so that a line is a paragraph, an item, a table row or a display formula, never half a sentence.
    """
    holes: list[str] = []

    def hole(text: str) -> str:
        holes.append(text)
        return HOLE.format(len(holes) - 1)

    text = COMMENT_RE.sub(" ", markdown)
    text = FENCED_RE.sub("\n", text)
    text = CODE_SPAN_RE.sub(lambda m: hole(m.group(2).strip().strip("`")), text)  # ```` ```python ```` reads "python"
    text = DISPLAY_MATH_RE.sub(lambda m: "\n\n" + hole(tex_to_text(m.group(1))) + "\n\n", text)
    text = INLINE_MATH_RE.sub(lambda m: hole(tex_to_text(m.group(1))), text)
    text = ESCAPE_RE.sub(lambda m: hole(m.group(1)), text)
    text = IMAGE_RE.sub(r"\1", text)
    text = LINK_RE.sub(r"\1", text)
    text = AUTOLINK_RE.sub(r"\1", text)
    text = FOOTNOTE_REF_RE.sub("", text)
    text = TABLE_RULE_RE.sub("", text)
    text = ATTR_LIST_RE.sub("", text)
    text = HTML_TAG_RE.sub("", text)
    lines = _joined_lines(text)
    text = "\n".join(_clean_line(line) for line in lines)
    text = html.unescape(text)
    while HOLE_RE.search(text):
        text = HOLE_RE.sub(lambda m: holes[int(m.group(1))], text)
    return "\n".join(line for line in (re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")) if line)


def _joined_lines(text: str) -> list[str]:
    """One line per paragraph, list item, table row, title or display formula."""
    out: list[str] = []
    open_block = False
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            open_block = False
            continue
        title = TITLE_LINE_RE.match(raw)
        if title:
            name = next((g for g in title.groups() if g), "")
            if name:
                out.append(name)
            open_block = False
            continue
        if open_block and out and not BLOCK_START_RE.match(raw) and not out[-1].lstrip().startswith("|"):
            glue = "" if CJK_RE.match(line[0]) and CJK_RE.match(out[-1][-1]) else " "
            out[-1] = out[-1] + glue + line
        else:
            out.append(raw)
        open_block = True
    return out


def _clean_line(line: str) -> str:
    """A joined line without its list/quote marker, emphasis marks and table bars."""
    if line.lstrip().startswith("|"):
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        line = " · ".join(cell for cell in cells if cell)
    line = LIST_MARK_RE.sub("", line)
    line = re.sub(r"\*+|(?<![\w\\])__|__(?!\w)", "", line)
    return line


@dataclass(frozen=True)
class Knowledge:
    """Everything kb reads: glossary entries and page pairs."""

    glossary: list[Located]
    pages: list[dict[str, Page]]


def load_knowledge(docs: Path = DOCS_DIR, glossary_dir: Path = GLOSSARY_DIR) -> Knowledge:
    """Read and cross-check the glossary and the pages; raise KnowledgeError on the first problem."""
    glossary = load_glossary(glossary_dir)
    pages = read_pairs(docs)
    _check_parity(pages)
    _check_glossary_links(glossary, pages)
    check_page_links(pages, (loc.entry.id for loc in glossary))
    return Knowledge(glossary=glossary, pages=pages)


def _check_parity(pages: list[dict[str, Page]]) -> None:
    for pair in pages:
        en, zh = pair["en"], pair["zh"]
        en_ids = [s.anchor for s in en.sections]
        zh_ids = [s.anchor for s in zh.sections]
        if en_ids == zh_ids:
            for section in en.sections:
                if en_ids.count(section.anchor) > 1:
                    raise KnowledgeError(f"{en.path}:{section.line}: heading id '{section.anchor}' is used twice on the page; give each heading its own {{#id}}")
            continue
        for index in range(max(len(en_ids), len(zh_ids))):
            a = en_ids[index] if index < len(en_ids) else None
            b = zh_ids[index] if index < len(zh_ids) else None
            if a != b:
                line = zh.sections[index].line if b is not None else (zh.sections[-1].line if zh.sections else 1)
                raise KnowledgeError(
                    f"{zh.path}:{line}: section {index + 1} has id '{b}' but the English page has '{a}'; "
                    "give both languages the same headings in the same order with the same {#id}"
                )


def _check_glossary_links(glossary: list[Located], pages: list[dict[str, Page]]) -> None:
    anchors = {pair["en"].rel: {s.anchor for s in pair["en"].sections} for pair in pages}
    ids = {loc.entry.id for loc in glossary}
    for loc in glossary:
        entry = loc.entry
        rel, _, anchor = entry.see.partition("#")
        if rel not in anchors:
            raise KnowledgeError(f"{loc.file}:{loc.line}: entry '{entry.id}': see '{entry.see}' names a page that does not exist under docs/")
        if anchor not in anchors[rel]:
            raise KnowledgeError(f"{loc.file}:{loc.line}: entry '{entry.id}': see '{entry.see}': the page has no heading with id '{anchor}'")
        for other in entry.related:
            if other not in ids:
                raise KnowledgeError(f"{loc.file}:{loc.line}: entry '{entry.id}': related id '{other}' is not in the glossary; add that entry or remove the id")


def section_passages(pages: list[dict[str, Page]]) -> list[Passage]:
    """One passage per h2/h3 section (related/sources lists excluded)."""
    out = []
    for pair in pages:
        en = pair["en"]
        stem = en.rel[: -len(".md")]
        for index, section in enumerate(en.sections):
            if section.anchor in SKIP_IDS:
                continue
            by_lang = {lang: pair[lang].sections[index] for lang in LANGS}
            out.append(
                Passage(
                    id=f"{stem}#{section.anchor}",
                    kind="section",
                    title={lang: s.title for lang, s in by_lang.items()},
                    text={lang: plain_text(s.body) for lang, s in by_lang.items()},
                    url={lang: page_url(en.rel, lang) + "#" + section.anchor for lang in LANGS},
                    path={lang: f"{pair[lang].title} › {s.title}" for lang, s in by_lang.items()},
                )
            )
    return out


def term_passages(glossary: list[Located], pages: list[dict[str, Page]]) -> list[Passage]:
    """One passage per glossary entry, linked to the section that explains it."""
    titles = {pair["en"].rel: {lang: pair[lang].title for lang in LANGS} for pair in pages}
    out = []
    for loc in glossary:
        entry = loc.entry
        rel, _, anchor = entry.see.partition("#")
        terms = [entry.term.en, entry.term.zh, *entry.aliases.en, *entry.aliases.zh]
        if entry.abbr:
            terms.insert(0, entry.abbr)
        title = {}
        text = {}
        for lang in LANGS:
            name = getattr(entry.term, lang)
            title[lang] = f"{name} ({entry.abbr})" if entry.abbr else name
            aliases = getattr(entry.aliases, lang)
            if not aliases:
                also = ""
            elif lang == "en":
                also = " Also: " + ", ".join(aliases) + "."
            else:
                also = "又称：" + "、".join(aliases) + "。"
            text[lang] = getattr(entry.definition, lang) + also
        out.append(
            Passage(
                id=f"term:{entry.id}",
                kind="term",
                title=title,
                text=text,
                url={lang: page_url(rel, lang) + "#" + anchor for lang in LANGS},
                path={lang: f"{'Glossary' if lang == 'en' else '术语表'} › {title[lang]}" for lang in LANGS},
                terms=terms,
            )
        )
    return out


def build_passages(knowledge: Knowledge) -> list[Passage]:
    """All passages: glossary terms first, then sections in page order."""
    return term_passages(knowledge.glossary, knowledge.pages) + section_passages(knowledge.pages)


def corpus_hash(passages: list[Passage]) -> str:
    """A hash of everything the index is built from (changes when any passage changes)."""
    digest = hashlib.sha256()
    for passage in passages:
        digest.update(json.dumps(passage.to_dict(), sort_keys=True, ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()

