"""The evaluation queries: well-formed, pointing at passages that exist, and answered by the hybrid search."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from search.build.indexer import load_corpus

EVAL_DIR = Path(__file__).resolve().parent.parent / "eval" / "queries"


def load_queries() -> list[dict]:
    out = []
    for path in sorted(EVAL_DIR.glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            out.append({**item, "file": path.name})
    return out


def test_queries_are_well_formed_and_labels_exist():
    queries = load_queries()
    ids = {p.id for p in load_corpus()}
    assert len(queries) >= 150
    problems = []
    for q in queries:
        negative = q["file"] == "negative.yaml"
        if not str(q.get("q", "")).strip() or q.get("lang") not in {"en", "zh", "mixed"} or bool(q.get("relevant")) == negative:
            problems.append(f"{q['file']}: malformed {q}")
            continue
        for ident in q["relevant"]:
            if ident not in ids:
                problems.append(f"{q['file']}: '{q['q']}' is labelled with '{ident}', which is no longer a passage")
    assert not problems, "\n".join(problems[:30])


def test_both_languages_are_covered():
    langs = [q["lang"] for q in load_queries()]
    assert langs.count("en") >= 50 and langs.count("zh") >= 50


def test_off_topic_queries_cover_both_languages():
    langs = [q["lang"] for q in load_queries() if q["file"] == "negative.yaml"]
    assert langs.count("en") >= 15 and langs.count("zh") >= 15
