"""Snippets read as the page does: formulas as text, no TeX or Markdown source, no sentence halves run together.

The passage text that snippets quote is made by kb.corpus.plain_text (formulas through kb.mathtext); every
question of eval/queries is answered over the real notes (a fake encoder: the snippets come from whichever
passages rank, and the BM25 leg ranks them as it does for real) and no snippet may show markup.
"""
from __future__ import annotations

import re
import time

import pytest

from kb.corpus import CODE_SPAN_RE, plain_text
from kb.mathtext import tex_to_text
from kb.pages import read_pairs
from search.snippet import best_sentences

from fakes import FakeEncoder

MARKUP = {
    "TeX command": re.compile(r"\\[a-zA-Z]+"),
    "bold marks": re.compile(r"\*\*"),
    "escaped underscore": re.compile(r"\\_"),
    "dollar": re.compile(r"\$"),
    "backtick": re.compile(r"`"),
}


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        (r"\sqrt{d_k}", "√d_k"),
        (r"\operatorname{softmax}\!\left(\frac{QK^\top}{\sqrt{d_k}}\right)V", "softmax(QKᵀ/√d_k)V"),
        (r"\frac{a}{b}", "a/b"),
        (r"\frac{a+b}{2}", "(a+b)/2"),
        (r"\tfrac{1}{\sqrt{1-\beta_t}}", "1/√(1-β_t)"),
        (r"\alpha, \beta, \Delta, \varepsilon", "α, β, Δ, ε"),
        (r"x_{t-1}", "x_(t-1)"),
        (r"d_\text{model}", "d_model"),
        (r"O(n^2)", "O(n²)"),
        (r"\bar\alpha_t", "ᾱ_t"),
        (r"W^O \in \mathbb{R}^{d \times d}", "W^O ∈ ℝ^(d × d)"),
        (r"\log\sigma(\beta x)", "log σ(β x)"),
        (r"a \, b\;c\!d", "a b cd"),
        (r"\mathrm{rotate\_half}(x)", "rotate_half(x)"),
        (r"\lfloor i / (H/G) \rfloor", "⌊i / (H/G)⌋"),
        (r"\binom{n}{k}", "C(n, k)"),
        (r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}", "(a, b; c, d)"),
        (r"\underbrace{2 L}_{\text{K and V}}", "2 L (K and V)"),
        (r"\unknowncommand{x}", "unknowncommandx"),
    ],
)
def test_tex_to_text(tex, text):
    assert tex_to_text(tex) == text


def test_plain_text_turns_formulas_into_text_and_keeps_code_text():
    md = (
        "Scores are divided by $\\sqrt{d_k}$ before the\n"
        "$\\operatorname{softmax}\\!$, and `enable_gqa=True` repeats\n"
        "each **K/V head** $H/G$ times.\n\n"
        "$$\n\\mathrm{Attention}(Q, K, V) = \\operatorname{softmax}\\!\\left(\\frac{QK^\\top}{\\sqrt{d_k}}\\right)V\n$$\n\n"
        "A setting like number\\_of\\_shards stays readable."
    )
    assert plain_text(md).split("\n") == [
        "Scores are divided by √d_k before the softmax, and enable_gqa=True repeats each K/V head H/G times.",
        "Attention(Q, K, V) = softmax(QKᵀ/√d_k)V",
        "A setting like number_of_shards stays readable.",
    ]


def test_plain_text_keeps_one_line_per_paragraph_item_and_row():
    md = (
        "First sentence of a paragraph that the\nauthor wrapped. Second one.\n\n"
        "- an item that\n  goes on\n- another item\n\n"
        "| head | kv |\n|---|---|\n| MHA | H |\n\n"
        "!!! note \"Why\"\n    Because the\n    cache is big.\n\n"
        "中文段落也会\n接起来，不加空格。"
    )
    assert plain_text(md).split("\n") == [
        "First sentence of a paragraph that the author wrapped. Second one.",
        "an item that goes on",
        "another item",
        "head · kv",
        "MHA · H",
        "Why",
        "Because the cache is big.",
        "中文段落也会接起来，不加空格。",
    ]


def test_plain_text_leaves_dollars_in_code_alone():
    assert plain_text("GPT joins them as `start $ premise` and `C:\\path`, not maths.") == "GPT joins them as start $ premise and C:\\path, not maths."


def test_sentences_from_different_paragraphs_are_not_run_together():
    text = "Memory is the bottleneck. Unrelated words here.\nA list item about memory\nThe KV cache grows with memory use."
    assert best_sentences(text, {"memory", "bottleneck"}) == "Memory is the bottleneck. … A list item about memory"
    assert best_sentences("One sentence. Two about memory. Three.", {"memory", "one"}) == "One sentence. Two about memory."
    assert best_sentences("A heading without a stop\nMemory here.", {"memory", "heading"}) == "A heading without a stop … Memory here."


@pytest.fixture(scope="module")
def notes_searcher(tmp_path_factory):
    """A searcher over the real notes with the fake encoder (no model load)."""
    from search.build.opener import open_searcher

    return open_searcher(root=tmp_path_factory.mktemp("index"), encoder=FakeEncoder())


def inline_code_by_passage() -> dict[str, set[str]]:
    """Each section's inline-code texts: what the reader sees in code font may contain `$` or a backslash."""
    out: dict[str, set[str]] = {}
    for pair in read_pairs():
        stem = pair["en"].rel[: -len(".md")]
        for page in pair.values():
            for section in page.sections:
                spans = {m.group(2).strip().strip("`") for m in CODE_SPAN_RE.finditer(section.body)}
                out.setdefault(f"{stem}#{section.anchor}", set()).update(s for s in spans if s)
    return out


def test_no_snippet_of_an_eval_question_shows_markup(notes_searcher):
    from search.answer import answer
    from search.evaluate import load_queries

    code = inline_code_by_passage()
    queries = [labelled.query.q for labelled in load_queries()]
    assert len(queries) > 1000
    start = time.perf_counter()
    bad, snippets = [], 0
    for query in queries:
        for hit in answer(notes_searcher, query, k=5, mode="bm25").hits:
            snippets += 1
            text = hit.snippet
            for span in sorted(code.get(hit.id, ()), key=len, reverse=True):
                text = text.replace(span, " ")
            for name, pattern in MARKUP.items():
                if pattern.search(text):
                    bad.append(f"{name} in the snippet of {hit.id} for {query!r}: {hit.snippet}")
    assert snippets > 4000
    assert not bad, f"{len(bad)} snippets show markup, e.g.:\n" + "\n".join(bad[:10])
    assert time.perf_counter() - start < 120
