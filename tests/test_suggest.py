import pytest

from search.suggest import Suggester, edit_distance

NAMES = ["Grouped-query attention", "KV cache", "Top-p (nucleus) sampling", "Huber loss", "Tokenizer", "Perplexity"]
KNOWN = {"grouped", "query", "attention", "cache", "top-p", "huber", "loss", "tokenizer", "perplexity", "invented", "inverted", "model"}


@pytest.fixture
def suggester():
    return Suggester(NAMES, KNOWN, {"model": 5.0, "mode": 1.0, "inverted": 1.0, "permuted": 1.0})


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("grouped qeury attention", "grouped query attention"),  # swapped letters
        ("kv cahce size", "kv cache size"),
        ("tokenzier", "tokenizer"),
        ("hubber loss", "huber loss"),  # extra letter
        ("topp sampling", "top-p sampling"),  # missing hyphen
        ("reward modle", "reward model"),  # the more common word wins a tie
        ("perplexty", "perplexity"),
    ],
)
def test_near_misses_are_corrected(suggester, query, expected):
    assert suggester.suggest(query) == expected


@pytest.mark.parametrize(
    "query",
    [
        "grouped query attention",  # nothing to fix
        "why was attention invented",  # a real word, even if close to 'inverted'
        "permute the weights",  # another form of an index word, not a typo
        "d_k and 4096 tokens",  # identifiers and numbers are left alone
        "分组查询注意力",
        "",
    ],
)
def test_correct_text_is_left_alone(suggester, query):
    assert suggester.suggest(query) is None


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("query", "qeury", 1), ("cache", "cahce", 1), ("huber", "hubber", 1), ("kitten", "sitting", 3), ("same", "same", 0)],
)
def test_edit_distance(a, b, distance):
    assert edit_distance(a, b, limit=5) == distance


def test_stop_words_are_real_english_words_so_skipping_them_changes_nothing():
    """Searcher.suggest skips building the suggester when every query word is indexed or a stop word."""
    from search.encoders.dense import default_model
    from search.suggest import english_words
    from search.text.tokenize import EN_STOP

    vocabulary = english_words(default_model())
    assert {w for w in EN_STOP if len(w) >= 4} <= vocabulary
