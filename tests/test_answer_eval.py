"""The answer-level evaluation (eval/answers): its file checks, how a hit counts, and its arithmetic."""
from __future__ import annotations

import pytest

from search.answer_eval import (
    ANSWERS_DIR,
    Asked,
    Question,
    answers_table,
    load_questions,
    misses,
    ranks,
    section_of,
    summarize_answers,
)
from search.build.opener import open_searcher
from search.errors import SearchError

SOURCE = "https://github.com/example/bank/blob/main/questions.md"


def asked(q: str, answers: list[str], lang: str = "en", split: str = "tune") -> Asked:
    return Asked(Question(q=q, source=SOURCE, answers=answers, split=split), lang, f"{lang}.yaml", 1)


@pytest.fixture
def searcher(tmp_path, kb_copy, corpus_of, fake_encoder):
    return open_searcher(root=tmp_path / "index", encoder=fake_encoder, corpus=corpus_of(kb_copy))


def test_the_shipped_set_is_well_formed_and_large_enough():
    questions = load_questions()
    answerable = [a for a in questions if a.question.answers]
    assert len(answerable) >= 300, "the issue asks for at least 300 labelled interview questions"
    for lang in ("en", "zh"):
        mine = [a for a in answerable if a.lang == lang]
        held = [a for a in mine if a.question.split == "held"]
        assert len(mine) >= 150 and len(held) >= 0.4 * len(mine), (lang, len(mine), len(held))
    texts = [a.question.q for a in questions]
    assert len(texts) == len(set(texts)), "a question appears twice"
    assert all(a.question.source.startswith("https://github.com/") for a in questions)


def test_a_malformed_question_names_its_file_and_position(tmp_path):
    (tmp_path / "en.yaml").write_text('- {q: "What is GQA?", source: "https://x.org/a", answers: [], split: train}\n', encoding="utf-8")
    (tmp_path / "zh.yaml").write_text("[]\n", encoding="utf-8")
    with pytest.raises(SearchError, match=r"en.yaml: question #1 is malformed"):
        load_questions(tmp_path)
    (tmp_path / "en.yaml").unlink()
    with pytest.raises(SearchError, match="en.yaml is missing"):
        load_questions(tmp_path)
    assert ANSWERS_DIR.name == "answers"


def test_a_glossary_hit_counts_as_the_section_it_links_to(searcher):
    lands = section_of(searcher)
    assert lands["term:gqa"] == "attention/gqa#gqa"
    assert lands["term:kv-cache"] == "attention/gqa#kv-memory"
    assert lands["attention/gqa#gqa"] == "attention/gqa#gqa"


def test_ranks_find_the_answering_section_through_the_answer_path(searcher):
    questions = [
        asked("what is grouped query attention", ["attention/gqa#gqa"]),
        asked("how much memory does the kv cache take", ["attention/gqa#kv-memory"], split="held"),
        asked("red braised pork recipe", []),  # the notes cannot answer it: coverage only
    ]
    found = ranks(searcher, questions)
    assert set(found) == {0, 1}  # the unanswerable question is not scored
    assert found[0] == 1
    assert found[1] is not None and found[1] <= 3


def test_a_label_that_is_no_section_fails_loudly(searcher):
    with pytest.raises(SearchError, match="names 'attention/gqa#gone'"):
        ranks(searcher, [asked("gqa", ["attention/gqa#gone"])])


def test_summary_arithmetic_and_table():
    questions = [
        asked("a", ["s1"]), asked("b", ["s1"]), asked("c", ["s1"], split="held"),
        asked("d", ["s1"], lang="zh"), asked("e", [], lang="zh"),
    ]
    found = {0: 1, 1: 3, 2: None, 3: 2}
    summary = summarize_answers(questions, found)
    assert summary["tune:en"] == {"n": 2, "covered": 1.0, "answered@1": 0.5, "answered@3": 1.0, "answerable": 2}
    assert summary["held:en"]["answered@3"] == 0.0
    assert summary["tune:zh"]["covered"] == 0.5 and summary["tune:zh"]["answered@1"] == 0.0 and summary["tune:zh"]["answered@3"] == 1.0
    assert summary["all:all"]["answerable"] == 4 and summary["all:all"]["answered@1"] == 0.25
    assert "| held en | 1 | 1 (100%) | 0.000 | 0.000 |" in answers_table(summary)
    assert [a.question.q for a, _ in misses(questions, found, "tune", depth=1)] == ["b", "d"]
