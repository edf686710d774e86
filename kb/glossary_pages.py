"""Render the glossary pages (en, zh) and the abbreviation list from kb/glossary — never hand-copied."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from .glossary import Located

TOPICS: dict[str, tuple[str, str]] = {
    "attention": ("Attention", "注意力"),
    "position": ("Long context and position encoding", "长上下文与位置编码"),
    "models": ("Transformer and model families", "Transformer 与模型家族"),
    "llm-components": ("LLM building blocks, MoE, decoding, LoRA", "大模型组件、MoE、解码与 LoRA"),
    "training-basics": ("Losses, activations, normalization, regularization", "损失、激活、归一化与正则化"),
    "training-practice": ("Optimization and training practice", "优化与训练实践"),
    "nlp": ("NLP foundations", "NLP 基础"),
    "huggingface": ("Hugging Face in practice", "Hugging Face 实战"),
    "general": ("General ML vocabulary", "通用机器学习术语"),
}
TEXT = {
    "en": {
        "title": "Glossary",
        "intro": "Every term of the notes with its definition and the section that explains it. Generated from `kb/glossary/*.yaml` at build time; `kb search` searches the same entries.",
        "topics": "By topic",
        "index": "A–Z",
        "table": "English ↔ Chinese",
        "aliases": "Also",
        "see": "Explained in",
        "related": "Related",
        "cols": "| English | 中文 | Abbr. |",
        "colon": ": ",
    },
    "zh": {
        "title": "术语表",
        "intro": "笔记里出现的每个术语：定义，以及讲解它的小节。本页在构建时由 `kb/glossary/*.yaml` 生成，`kb search` 检索的也是这些条目。",
        "topics": "按主题",
        "index": "按拼音",
        "table": "中英对照",
        "aliases": "又称",
        "see": "详见",
        "related": "相关",
        "cols": "| 中文 | English | 缩写 |",
        "colon": "：",
    },
}


def _sort_key(entry_term: str, lang: str) -> str:
    if lang == "zh":
        from pypinyin import lazy_pinyin

        return " ".join(lazy_pinyin(entry_term)).lower()
    return entry_term.lower()


def _initial(key: str) -> str:
    first = key[:1].upper()
    return first if first.isalpha() and first.isascii() else "#"


def render_page(glossary: list[Located], lang: str, titles: dict[str, str]) -> str:
    """Markdown of the glossary page in ``lang``; links go to the explaining sections.

    Args:
        glossary: the loaded entries.
        lang: 'en' or 'zh'.
        titles: page path (relative to docs/) -> page title in ``lang``, for link text.
    """
    t = TEXT[lang]
    by_id = {loc.entry.id: loc.entry for loc in glossary}
    groups: dict[str, list] = defaultdict(list)
    for loc in glossary:
        groups[loc.file.stem].append(loc.entry)
    lines = [f"# {t['title']}", "", t["intro"], "", f"## {t['topics']} {{#by-topic}}", ""]
    for stem in sorted(groups, key=lambda s: list(TOPICS).index(s) if s in TOPICS else len(TOPICS)):
        topic = TOPICS.get(stem, (stem.replace("-", " ").title(),) * 2)[0 if lang == "en" else 1]
        lines += [f"### {topic} {{#topic-{stem}}}", ""]
        for entry in sorted(groups[stem], key=lambda e: _sort_key(getattr(e.term, lang), lang)):
            name = getattr(entry.term, lang)
            other = entry.term.zh if lang == "en" else entry.term.en
            abbr = f" ({entry.abbr})" if entry.abbr else ""
            rel, _, anchor = entry.see.partition("#")
            lines.append(f'<a id="{entry.id}"></a>**{name}**{abbr} · {other}')
            lines.append(f":   {getattr(entry.definition, lang)}")
            lines.append("")
            aliases = getattr(entry.aliases, lang)
            extra = []
            if aliases:
                extra.append(t["aliases"] + t["colon"] + (", " if lang == "en" else "、").join(aliases))
            extra.append(f"{t['see']}{t['colon']}[{titles.get(rel, rel)}]({rel}#{anchor})")
            related = [f"[{getattr(by_id[r].term, lang)}](#{r})" for r in entry.related if r in by_id]
            if related:
                extra.append(t["related"] + t["colon"] + (", " if lang == "en" else "、").join(related))
            lines.append("    " + " · ".join(extra))
            lines.append("")
    lines += [f"## {t['index']} {{#a-z}}", ""]
    letters: dict[str, list] = defaultdict(list)
    for loc in glossary:
        name = getattr(loc.entry.term, lang)
        key = _sort_key(name, lang)
        letters[_initial(key)].append((key, name, loc.entry))
    for letter in sorted(letters):
        items = sorted(letters[letter], key=lambda item: item[0])
        lines.append(f"**{letter}** · " + " · ".join(f"[{name}](#{entry.id})" for _, name, entry in items))
        lines.append("")
    lines += [f"## {t['table']} {{#en-zh}}", "", t["cols"], "| --- | --- | --- |"]
    for loc in sorted(glossary, key=lambda loc: _sort_key(getattr(loc.entry.term, lang), lang)):
        entry = loc.entry
        first, second = (entry.term.en, entry.term.zh) if lang == "en" else (entry.term.zh, entry.term.en)
        lines.append(f"| [{first}](#{entry.id}) | {second} | {entry.abbr or ''} |")
    return "\n".join(lines) + "\n"


def render_abbreviations(glossary: list[Located]) -> str:
    """Python-Markdown abbreviation definitions (``*[GQA]: ...``) for every entry with an abbreviation."""
    seen: dict[str, str] = {}
    for loc in glossary:
        entry = loc.entry
        if entry.abbr and entry.abbr not in seen and entry.abbr.lower() != entry.term.en.lower():
            seen[entry.abbr] = f"{entry.term.en} · {entry.term.zh}"
    return "".join(f"*[{abbr}]: {text}\n" for abbr, text in sorted(seen.items()))


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` unless the file already holds it (keeps `mkdocs serve` from rebuilding in a loop)."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True
