from collections import Counter
from functools import lru_cache

from hypothesis import given, settings
from hypothesis import strategies as st
import pytest

from search.text.tokenize import HAN_RUN_RE, WORD_FREQ, _BASE_WORDS, Tokenizer, _cutter, glossary_words, has_han


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Grouped-Query Attention", ["grouped-query", "grouped", "query", "attention"]),
        ("top-p vs top-k", ["top-p", "top", "top-k", "top"]),
        ("why divide by √d_k?", ["divide", "d_k"]),
        ("GQA, KV cache!", ["gqa", "kv", "cache"]),
        ("  \t\n ...!!! ", []),
    ],
)
def test_english_tokens(text, expected):
    assert Tokenizer().tokens(text) == expected


def test_glossary_words_stay_whole_in_search_mode():
    plain = Tokenizer().tokens("分组查询注意力")
    with_terms = Tokenizer(["分组查询注意力"]).tokens("分组查询注意力")
    assert "分组查询注意力" not in plain
    assert "分组查询注意力" in with_terms and "注意力" in with_terms  # search mode also keeps the parts


def test_mixed_text_has_no_space_or_punctuation_tokens():
    tokens = Tokenizer().tokens("GQA 为什么省显存？KV cache，top-p。")
    assert tokens[:1] == ["gqa"] and "显存" in tokens and "top-p" in tokens
    assert all(t.strip() and t.strip("，。？!?,. ") == t for t in tokens)


def test_has_han():
    assert has_han("GQA 为什么") and not has_han("GQA why")


def test_highlight_merges_touching_matches_and_respects_word_edges():
    from search.snippet import highlight

    assert highlight("又称：分组注意力。", {"分组", "注意力"}, "<", ">") == "又称：<分组注意力>。"
    assert highlight("heads and head", {"head"}, "<", ">") == "heads and <head>"
    assert highlight("Top-p sampling", {"top-p"}, "<", ">") == "<Top-p> sampling"


def test_best_sentences_prefer_the_most_query_words_in_text_order():
    from search.snippet import best_sentences

    text = "Intro about models. GQA shares one key head per group. Memory of the KV cache shrinks with GQA groups. Unrelated end."
    assert best_sentences(text, {"gqa", "kv", "cache"}, limit=1) == "Memory of the KV cache shrinks with GQA groups."
    assert best_sentences(text, {"gqa", "group"}, limit=2) == "GQA shares one key head per group. Memory of the KV cache shrinks with GQA groups."
    assert best_sentences("第一句。分组查询注意力让每组查询头共用键值头。最后一句。", {"分组", "注意力"}, limit=1) == "分组查询注意力让每组查询头共用键值头。"
    assert best_sentences(text, {"nothing"}, limit=1) == "Intro about models."  # no match: the passage's opening


def test_prepare_parses_sentences_ahead_only_when_they_all_fit(monkeypatch):
    """A server parses every passage's sentences at start (search/snippet.py prepare); queries then only look them up."""
    from search import snippet

    texts = [f"Sentence {i} about heads. Another one {i}." for i in range(5)]
    snippet._sentence_words.cache_clear()
    snippet.prepare(texts)
    assert snippet._sentence_words.cache_info().currsize == 5
    before = snippet._sentence_words.cache_info().misses
    assert snippet.best_sentences(texts[3], {"heads"}, limit=1) == "Sentence 3 about heads."
    assert snippet._sentence_words.cache_info().misses == before  # already parsed
    snippet._sentence_words.cache_clear()
    monkeypatch.setattr(snippet, "SENTENCE_CACHE", 4)
    snippet.prepare(texts)  # five do not fit in four: none parsed ahead, so none evicts another
    assert snippet._sentence_words.cache_info().currsize == 0


def _best_sentences_reference(text, query_tokens, limit=2, max_chars=240):
    """The plain version: count each query token in each sentence one by one."""
    from search.snippet import HAN_CHAR_RE, _sentence_words

    parsed = _sentence_words(text)
    if not parsed:
        return ""
    han = [t for t in query_tokens if HAN_CHAR_RE.match(t)]
    latin = [t for t in query_tokens if not HAN_CHAR_RE.match(t) and len(t) > 1]
    scored = [(sum(t in words for t in latin) + sum(t in sentence for t in han), -i, sentence) for i, (sentence, words) in enumerate(parsed)]
    chosen = sorted(scored, reverse=True)[:limit]
    if all(score == 0 for score, _, _ in chosen):
        chosen = [(0, -i, s) for i, (s, _) in enumerate(parsed[:limit])]
    snippet = " ".join(s for _, _, s in sorted(chosen, key=lambda t: -t[1]))
    return snippet if len(snippet) <= max_chars else snippet[: max_chars - 1].rstrip() + "…"


_WORDS = ["gqa", "kv", "cache", "heads", "a", "top-p", "top", "p", "分组", "注意力", "头", "键值", "x"]


@settings(max_examples=200, deadline=None)
@given(
    sentences=st.lists(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=6), min_size=1, max_size=6),
    query=st.sets(st.sampled_from(_WORDS), max_size=5),
    limit=st.integers(1, 3),
)
def test_best_sentences_match_a_token_by_token_count(sentences, query, limit):
    """Counting Latin tokens by set intersection picks the same sentences as counting them one by one."""
    from search.snippet import best_sentences

    text = " ".join(" ".join(words).capitalize() + "." for words in sentences)
    assert best_sentences(text, query, limit=limit) == _best_sentences_reference(text, query, limit=limit)


# --- Chinese: rjieba cuts as jieba 0.42.1 does ----------------------------------------------
# jieba (the Python package, a dev dependency) is the reference: the same search-mode cut, with the same extra words
# at the same frequency. Each side gets the raw Han run, as Tokenizer._cut does.

WORDS = ["分组查询注意力", "旋转位置编码", "键值缓存"]


@lru_cache(maxsize=2)
def _jieba(words: tuple[str, ...]):  # noqa: ANN202 — a jieba.Tokenizer
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    reference = jieba.Tokenizer()
    reference.initialize()
    for word in (*_BASE_WORDS, *words):
        reference.add_word(word, freq=WORD_FREQ)
    return reference


def _differences(words: tuple[str, ...], runs: set[str]) -> list[tuple[str, list[str], list[str]]]:
    ours, theirs = _cutter(words), _jieba(words)
    return [(run, a, b) for run in sorted(runs) for a, b in [(ours.cut_for_search(run), list(theirs.cut_for_search(run)))] if a != b]


@pytest.fixture(scope="module")
def knowledge():
    """The real knowledge base's passages and the evaluation queries (no model, no index)."""
    from search.build.indexer import load_corpus
    from search.evaluate import load_queries

    return load_corpus(), [labelled.query.q for labelled in load_queries()]


def test_the_cuts_are_jiebas_on_every_eval_query_and_passage(knowledge):
    """Every Han run of the evaluation queries and of every passage (titles, paths, text, names), with the glossary's
    words: the same tokens in the same order as jieba's cut_for_search."""
    passages, queries = knowledge
    words = Tokenizer(glossary_words(passages)).words
    query_runs = {run for q in queries for run in HAN_RUN_RE.findall(q.lower())}
    passage_runs = {
        run for p in passages for text in (*p.title.values(), *p.path.values(), *p.text.values(), *p.terms) for run in HAN_RUN_RE.findall(text.lower())
    }
    assert len(query_runs) > 1000 and len(passage_runs) > 10_000
    differ = _differences(words, query_runs | passage_runs)
    assert not differ, f"{len(differ)} runs cut otherwise than jieba, e.g. {differ[:3]}"


@pytest.mark.parametrize("text", ["分组查询注意力为什么省显存", "旋转位置编码（RoPE）怎么外推到更长的上下文", "南京市长江大桥", "他来到了网易杭研大厦"])
def test_the_cuts_are_jiebas_on_known_sentences(text):
    """Including the classic ambiguous cut and jieba's README example, where the HMM finds 杭研 (no dictionary word)."""
    runs = set(HAN_RUN_RE.findall(text))
    assert not _differences(Tokenizer(WORDS).words, runs)
    if "杭研" in text:
        assert "杭研" in Tokenizer(WORDS).tokens(text)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(text=st.text(alphabet=st.one_of(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FD5), st.sampled_from("的是了注意力查询编码南京市长江大桥")), max_size=30))
def test_on_any_text_the_same_tokens_as_jieba(text):
    """Text of jieba's Han range (U+4E00–U+9FD5), however odd: the same tokens. Their order may differ where two cuts
    are exactly as probable (e.g. 力力力力力: jieba 力力力/力力, rjieba 力力/力力力), which BM25 does not see."""
    words = Tokenizer(WORDS).words
    for run in HAN_RUN_RE.findall(text):
        assert Counter(_cutter(words).cut_for_search(run)) == Counter(_jieba(words).cut_for_search(run)), run


def test_where_rjieba_and_jieba_part():
    """Known differences, on characters jieba's regex leaves out (CJK extension A, U+9FD6–U+9FFF, compatibility
    ideographs): jieba yields each such character alone, rjieba keeps a run of them together. None occurs in the
    knowledge base or the queries (test above); both index and queries are cut by rjieba, so tokens still match."""
    words = Tokenizer(WORDS).words
    assert list(_jieba(words).cut_for_search("㙻䤻")) == ["㙻", "䤻"]
    assert _cutter(words).cut_for_search("㙻䤻") == ["㙻䤻"]
    assert Counter(_cutter(words).cut_for_search("力力力力力")) == Counter(_jieba(words).cut_for_search("力力力力力"))


def test_each_word_set_has_its_own_cutter():
    """Words added for one tokenizer never reach another's cuts (rjieba's cutters are separate objects)."""
    assert "混合专家" not in Tokenizer().tokens("混合专家模型")
    assert "混合专家" in Tokenizer(["混合专家"]).tokens("混合专家模型")
    assert "混合专家" not in Tokenizer(["旋转位置编码"]).tokens("混合专家模型")
