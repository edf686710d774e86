"""The prepared SQLite dictionary and search.text.jieba_dict.PreparedCutter cut exactly like jieba with its full dictionary."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.text.tokenize import Tokenizer

WORDS = ["分组查询注意力", "旋转位置编码", "键值缓存"]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    directory = tmp_path_factory.mktemp("cache")
    Tokenizer(WORDS).save_dictionary(directory)
    return directory


SENTENCES = [
    "分组查询注意力为什么省显存",
    "旋转位置编码（RoPE）怎么外推到更长的上下文",
    "GQA 和 MQA 的键值缓存差多少",
    "南京市长江大桥",  # the classic ambiguous cut
    "自注意力机制的时间复杂度是序列长度的平方",
]


@pytest.mark.parametrize("text", SENTENCES)
def test_same_tokens_as_the_full_dictionary(prepared, text):
    assert Tokenizer(WORDS, prepared=prepared).tokens(text) == Tokenizer(WORDS).tokens(text)


han = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(text=st.text(alphabet=st.one_of(han, st.sampled_from("的是了注意力查询编码 ,。GQAkv")), max_size=30))
def test_same_tokens_on_arbitrary_chinese(prepared, text):
    assert Tokenizer(WORDS, prepared=prepared).tokens(text) == Tokenizer(WORDS).tokens(text)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(text=st.text(alphabet=st.one_of(
    han, st.sampled_from("的是了注意力查询编码南京市长江大桥 \t\r\n,.。，GQAkv3.5%#&_-+"),
    st.characters(min_codepoint=0x3400, max_codepoint=0x4DBF), st.characters(min_codepoint=0x9FD0, max_codepoint=0x9FFF),
    st.characters(min_codepoint=0xF900, max_codepoint=0xFAFF),
), max_size=40))
def test_the_cutter_is_jiebas_search_mode_on_any_text(prepared, text):
    """PreparedCutter reimplements jieba's cut_for_search (DAG, route, HMM) without importing jieba."""
    from search.text.jieba_dict import PreparedCutter
    from search.text.tokenize import _jieba

    cutter = PreparedCutter(prepared / Tokenizer(WORDS).dictionary_name)
    assert cutter.cut_for_search(text) == list(_jieba(Tokenizer(WORDS).words).cut_for_search(text))


def test_the_hmm_finds_words_the_dictionary_lacks(prepared):
    """A run of single characters that is no dictionary word goes through the Viterbi cut, as in jieba."""
    from search.text.jieba_dict import PreparedCutter
    from search.text.tokenize import _jieba

    cutter = PreparedCutter(prepared / Tokenizer(WORDS).dictionary_name)
    calls = []
    original = cutter._viterbi
    cutter._viterbi = lambda text: calls.append(text) or original(text)
    text = "他来到了网易杭研大厦"  # jieba's README example: 杭研 is found by the HMM
    assert cutter.cut_for_search(text) == list(_jieba(Tokenizer(WORDS).words).cut_for_search(text))
    assert calls and "杭研" in cutter.cut_for_search(text)


def test_other_words_get_another_dictionary(prepared):
    assert Tokenizer(WORDS).dictionary_name != Tokenizer([*WORDS, "混合专家"]).dictionary_name
    assert not (prepared / Tokenizer([*WORDS, "混合专家"]).dictionary_name).exists()


@pytest.mark.parametrize("damage", ["missing", "garbage"])
def test_a_missing_or_damaged_dictionary_falls_back_to_the_full_one(tmp_path, damage):
    tokenizer = Tokenizer(WORDS, prepared=tmp_path)
    if damage == "garbage":
        (tmp_path / tokenizer.dictionary_name).write_bytes(b"not a database" * 100)
    assert tokenizer.tokens(SENTENCES[0]) == Tokenizer(WORDS).tokens(SENTENCES[0])
    assert tokenizer.prepared is None  # it noticed, and will not try again
