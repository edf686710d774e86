"""BERT's uncased WordPiece tokenization in plain Python, for the queries a reader types.

Loading the model's ``tokenizer.json`` with the `tokenizers` library costs a
fresh `kb search` about 35 ms (the import and a 700 KB JSON parse), more than
encoding the query. Queries are short and almost always ASCII, Chinese
ideographs and common Chinese punctuation, where BERT's normalizer (clean
text, spaces around CJK ideographs, NFD accent stripping, lowercase), its
pre-tokenizer (split on whitespace and punctuation) and greedy longest-match
WordPiece are simple and unambiguous. This module does exactly that for such
text and gives up on anything else (accents, other scripts, emoji, control
characters), where the caller uses the `tokenizers` library: the two never
disagree, which tests/test_fast_path.py checks on the evaluation queries and
on generated text.
"""
from __future__ import annotations

import string
from pathlib import Path

ASCII_PUNCTUATION = frozenset(string.punctuation)
"""Rust's ``char::is_ascii_punctuation``, which BERT's pre-tokenizer splits on besides Unicode punctuation."""
CJK_PUNCTUATION = frozenset("，。、；：？！“”‘’（）《》【】「」『』〈〉—…·")
"""Chinese punctuation (all in Unicode's P categories, unchanged by NFD and lowercasing): split off like ASCII punctuation."""
WHITESPACE = frozenset(" \t\n\r\u3000")
MAX_CHARS_PER_WORD = 100


def _is_ideograph(code: int) -> bool:
    """CJK Unified Ideographs and Extension A: BERT puts spaces around them; NFD leaves them alone."""
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF


class WordPiece:
    """Token ids for simple text, or None where only the full tokenizer is exact (see module doc).

    Args:
        vocab: the vocabulary, one token per line, line number = id (``vocab.txt``).
        max_length: total length with [CLS] and [SEP], as the encoder truncates.
        added: the tokenizer's added tokens ([CLS], [MASK], ...), which it finds in the raw text
            before normalizing; text that holds one (in any case) is left to the full tokenizer.
    """

    def __init__(self, vocab: Path, max_length: int, added: tuple[str, ...] = ()) -> None:
        tokens = vocab.read_text(encoding="utf-8").split("\n")
        if tokens and tokens[-1] == "":
            tokens.pop()
        self.ids = dict(zip(tokens, range(len(tokens))))
        self.unk = self.ids["[UNK]"]
        self.cls = self.ids["[CLS]"]
        self.sep = self.ids["[SEP]"]
        self.max_length = max_length
        self.added = tuple(token.lower() for token in added)

    def words(self, text: str) -> list[str] | None:
        """Normalized, pre-tokenized words of ``text``; None when it has a character outside the simple set."""
        out: list[str] = []
        word: list[str] = []
        for char in text:
            code = ord(char)
            if code < 128 and char.isalnum():
                word.append(char.lower())
                continue
            if char in WHITESPACE:
                piece = None
            elif char in ASCII_PUNCTUATION or char in CJK_PUNCTUATION or _is_ideograph(code):
                piece = char
            else:
                return None  # control characters, accents, other scripts, symbols: the full tokenizer decides
            if word:
                out.append("".join(word))
                word = []
            if piece is not None:
                out.append(piece)
        if word:
            out.append("".join(word))
        return out

    def _pieces(self, word: str) -> list[int]:
        if len(word) > MAX_CHARS_PER_WORD:
            return [self.unk]
        pieces: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                found = self.ids.get(piece)
                if found is not None:
                    break
                end -= 1
            if found is None:
                return [self.unk]  # one unmatched piece makes the whole word unknown
            pieces.append(found)
            start = end
        return pieces

    def encode(self, text: str) -> list[int] | None:
        """[CLS] + WordPiece ids + [SEP], truncated to max_length; None when ``text`` needs the full tokenizer."""
        words = self.words(text)
        if words is None or (self.added and any(token in text.lower() for token in self.added)):
            return None
        ids: list[int] = []
        for word in words:
            ids.extend(self._pieces(word))
        return [self.cls, *ids[: self.max_length - 2], self.sep]
