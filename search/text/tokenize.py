"""Tokenizer for mixed Chinese/English text: jieba's search-mode cut (rjieba) for Han runs, lowercase words for the rest."""
from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterable
from functools import cached_property, lru_cache

from kb.passage import Passage

HAN_RUN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
HAN_CHAR_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# words like gqa, top-p, d_k, 4096, gpt-3, x86_64, llama-2-70b
WORD_RE = re.compile(r"[a-z0-9]+(?:[-_.'][a-z0-9]+)*")

EN_STOP = frozenset(
    "a an and are as at be by can do does for from how i in is it its of on or that the this to was what when "
    "where which who why with vs you your we our".split()
)
ZH_STOP = frozenset("的 了 是 吗 呢 吧 啊 和 与 及 在 中 把 被 对 就 也 都 而 或 一个 怎么 什么 如何 为什么 哪些 有 要 会 从".split())
# A handful of extra words jieba should keep whole, whatever the glossary says.
_BASE_WORDS = ("显存", "注意力", "位置编码", "词向量", "大模型", "微调")
WORD_FREQ = 2000
"""The frequency every extra word gets (jieba's ``add_word(word, freq=2000)``; rjieba's ``add_word(word, 2000, None)``)."""

_claim = threading.Lock()
_default_taken = False


@lru_cache(maxsize=4)
def _cutter(extra_words: tuple[str, ...]):  # noqa: ANN202 — an rjieba.Jieba
    """jieba-rs with jieba's dictionary and ``extra_words`` added; one per word set.

    Importing rjieba builds its module-level cutter from the dictionary it ships
    (50–100 ms). The first word set of the process takes that one instead of
    building a second; any other word set gets its own. Nothing else in the
    product uses rjieba's module-level functions, so no one else adds words to it.
    """
    global _default_taken  # noqa: PLW0603 — one claim per process
    import rjieba

    with _claim:
        default = None if _default_taken else getattr(rjieba, "_DEFAULT_JIEBA", None)  # private: a release may rename it
        cutter = default if default is not None else rjieba.Jieba()
        _default_taken = True
        for word in (*_BASE_WORDS, *extra_words):
            cutter.add_word(word, WORD_FREQ, None)
    return cutter


class Tokenizer:
    """Turns text into BM25 tokens; the same words give the same tokens at index and query time.

    Chinese is cut by rjieba (jieba-rs: jieba's algorithm and dictionary), loaded
    on the first Han run, so English text never loads it. Its cuts are jieba
    0.42.1's on every run of the knowledge base and the evaluation queries;
    tests/test_tokenize.py checks that and pins the rare places they part.

    Args:
        words: extra Chinese words (glossary terms and aliases) the cutter must keep whole.
    """

    def __init__(self, words: Iterable[str] = ()) -> None:
        self.words = tuple(sorted({w for w in words if HAN_CHAR_RE.search(w) and " " not in w}))
        self._known: dict[str, list[str]] | None = None
        self._cuts: dict[str, list[str]] = {}
        self._known_texts: dict[str, list[str]] | None = None
        self._texts: dict[str, list[str]] = {}

    def reuse_cuts(self, known: dict[str, list[str]], texts: dict[str, list[str]] | None = None) -> None:
        """Reuse an earlier build's work (:meth:`cuts` and :meth:`text_tokens`): the cuts of Han runs in ``known``,
        and with ``texts`` the tokens of whole texts by :func:`text_key`, instead of computing them again."""
        self._known = known
        self._known_texts = texts if texts is not None else {}

    def cuts(self) -> dict[str, list[str]]:
        """Every Han run cut since :meth:`reuse_cuts` was called, with its cut (what the next build can reuse)."""
        return self._cuts

    def text_tokens(self) -> dict[str, list[str]]:
        """The tokens of every text tokenized since :meth:`reuse_cuts` was called, by :func:`text_key`."""
        return self._texts

    @cached_property
    def signature(self) -> str:
        """Names what decides the Chinese cuts besides this file's code: the rjieba release (its dictionary) and the
        extra words. The build's token cache is keyed by it (search/build/indexer.py, cuts_file)."""
        from importlib.metadata import version

        return hashlib.sha256("\n".join((f"rjieba {version('rjieba')}", f"freq {WORD_FREQ}", *_BASE_WORDS, "--", *self.words)).encode()).hexdigest()[:16]

    def warm_up(self) -> None:
        """Load the Chinese cutter now instead of on the first Han run (a server, at start)."""
        _cutter(self.words)

    def _cut_han(self, run: str) -> list[str]:
        if self._known is None:
            return self._cut(run)
        cut = self._cuts.get(run)
        if cut is None:
            cut = self._known.get(run)
            self._cuts[run] = cut = cut if isinstance(cut, list) and all(isinstance(t, str) for t in cut) else self._cut(run)
        return cut

    def _cut(self, run: str) -> list[str]:
        return [t for t in _cutter(self.words).cut_for_search(run) if t.strip()]

    def tokens(self, text: str) -> list[str]:
        """Tokens of ``text``: no whitespace, no punctuation, no stop words (a list the caller must not change).

        English: lowercased words; hyphenated or underscored compounds give the
        compound and its parts ('top-p' -> 'top-p', 'top'; 'grouped-query' ->
        'grouped-query', 'grouped', 'query'). Chinese: jieba's search-mode cut (rjieba).
        """
        if self._known_texts is None:
            return self._tokens(text)
        key = text_key(text)
        found = self._texts.get(key)
        if found is None:
            found = self._known_texts.get(key)
            if not (isinstance(found, list) and all(isinstance(t, str) for t in found)):
                found = self._tokens(text)
            self._texts[key] = found
        return found

    def _tokens(self, text: str) -> list[str]:
        out: list[str] = []
        position = 0
        lowered = text.lower()
        for match in HAN_RUN_RE.finditer(lowered):
            out.extend(self._latin(lowered[position : match.start()]))
            out.extend(t for t in self._cut_han(match.group()) if t not in ZH_STOP)
            position = match.end()
        out.extend(self._latin(lowered[position:]))
        return out

    @staticmethod
    def _latin(text: str) -> list[str]:
        out: list[str] = []
        for word in WORD_RE.findall(text):
            word = word.strip("'")
            if not word or word in EN_STOP:
                continue
            out.append(word)
            if any(c in word for c in "-_."):
                out.extend(p for p in re.split(r"[-_.']", word) if len(p) > 1 and p not in EN_STOP)
        return out


def text_key(text: str) -> str:
    """Names a text in the build's token cache (BLAKE2b, 128 bits)."""
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def glossary_words(passages: Iterable[Passage]) -> list[str]:
    """Names of glossary terms (both languages): the extra words the tokenizer keeps whole."""
    return [name for p in passages if p.kind == "term" for name in p.terms]


def has_han(text: str) -> bool:
    """True when ``text`` contains a Chinese character."""
    return bool(HAN_CHAR_RE.search(text))
