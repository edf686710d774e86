"""Answer-level quality: does the section that answers a real interview question come first, or in the top 3?

The set (eval/answers/<lang>.yaml) holds interview questions copied from public
question banks, each labelled with the sections whose text answers it (not just
its topic) and with a split: ``tune`` questions may be looked at while changing
the ranking, ``held`` ones only measure it. A question the notes cannot answer
has no labels; it counts for coverage and is left out of answered@k.

Each question goes through the same path as `kb search` (typo correction, the
no-match rule, hybrid ranking). A glossary hit counts as the section it links to:
the reader lands on that section with one click.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from search.answer import answer
from search.engine import Searcher
from search.errors import SearchError

ANSWERS_DIR = Path(__file__).resolve().parent.parent / "eval" / "answers"
LANGS = ("en", "zh")
DEPTHS = (1, 3)


class Question(BaseModel):
    """One interview question with the sections that answer it."""

    model_config = ConfigDict(extra="forbid")
    q: str = Field(min_length=1)
    source: str = Field(pattern=r"^https://")
    """Where the question was taken from (the bank's file)."""
    answers: list[str]
    """Section ids whose text answers the question; empty when the notes hold no answer."""
    split: Literal["tune", "held"]


@dataclass
class Asked:
    """A question with its language (the file it is in)."""

    question: Question
    lang: str
    file: str
    position: int


def load_questions(directory: Path = ANSWERS_DIR) -> list[Asked]:
    """Every question of eval/answers/<lang>.yaml; a malformed one raises SearchError naming file and position."""
    out = []
    for lang in LANGS:
        path = directory / f"{lang}.yaml"
        if not path.exists():
            raise SearchError(f"{path} is missing: the answer-level set needs one file per language ({', '.join(LANGS)})")
        for index, item in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")) or [], start=1):
            try:
                out.append(Asked(Question(**item), lang, path.name, index))
            except (ValidationError, TypeError) as exc:
                raise SearchError(f"{path}: question #{index} is malformed: {str(exc).splitlines()[0]}") from None
    return out


def section_of(searcher: Searcher) -> dict[str, str]:
    """Passage id -> the section id a reader lands on: a section is itself, a glossary entry the section it links to."""
    by_url = {p.url["en"]: p.id for p in searcher.passages if p.kind == "section"}
    return {p.id: p.id if p.kind == "section" else by_url.get(p.url["en"], p.id) for p in searcher.passages}


def check_answer_labels(questions: list[Asked], section_ids: set[str]) -> None:
    """Fail loudly when a labelled section id no longer exists."""
    for asked in questions:
        for ident in asked.question.answers:
            if ident not in section_ids:
                raise SearchError(f"eval/answers/{asked.file}: question #{asked.position} ('{asked.question.q}') names '{ident}', which is no section of the notes")


def ranks(searcher: Searcher, questions: list[Asked], depth: int = max(DEPTHS)) -> dict[int, int | None]:
    """For each answerable question (by index in ``questions``), the rank of the first answering hit, or None."""
    lands = section_of(searcher)
    check_answer_labels(questions, {p.id for p in searcher.passages if p.kind == "section"})
    answerable = [(i, a) for i, a in enumerate(questions) if a.question.answers]
    searcher.prepare_queries([a.question.q for _, a in answerable])
    out: dict[int, int | None] = {}
    for i, asked in answerable:
        found = answer(searcher, asked.question.q, k=depth)
        wanted = set(asked.question.answers)
        out[i] = next((rank for rank, hit in enumerate(found.hits, start=1) if lands.get(hit.id, hit.id) in wanted), None)
    return out


def summarize_answers(questions: list[Asked], found: dict[int, int | None]) -> dict[str, dict[str, float]]:
    """{'<split>:<lang>': {'n', 'covered', 'answered@1', 'answered@3'}} for splits tune, held, all and languages en, zh, all."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, asked in enumerate(questions):
        for split in (asked.question.split, "all"):
            for lang in (asked.lang, "all"):
                groups[f"{split}:{lang}"].append(i)
    out = {}
    for group, members in groups.items():
        scored = [found[i] for i in members if i in found]
        row = {"n": len(members), "covered": len(scored) / len(members)}
        for depth in DEPTHS:
            row[f"answered@{depth}"] = sum(r is not None and r <= depth for r in scored) / max(len(scored), 1)
        row["answerable"] = len(scored)
        out[group] = row
    return out


def answers_table(summary: dict[str, dict[str, float]]) -> str:
    """A Markdown table for `kb eval`: one row per (split, language)."""
    lines = [
        "| answer-level set | questions | the notes answer | answered@1 | answered@3 |",
        "|---|---|---|---|---|",
    ]
    for split in ("held", "tune", "all"):
        for lang in ("en", "zh", "all"):
            row = summary.get(f"{split}:{lang}")
            if row:
                lines.append(
                    f"| {split} {lang} | {row['n']} | {int(row['answerable'])} ({row['covered']:.0%}) | "
                    f"{row['answered@1']:.3f} | {row['answered@3']:.3f} |"
                )
    return "\n".join(lines)


def misses(questions: list[Asked], found: dict[int, int | None], split: str = "tune", depth: int = 1) -> list[tuple[Asked, int | None]]:
    """The answerable questions of ``split`` whose answer is not within ``depth`` (for looking at the tuning half)."""
    return [(questions[i], r) for i, r in found.items() if questions[i].question.split == split and (r is None or r > depth)]
