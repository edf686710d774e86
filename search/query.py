"""The query's text before any search: cleaning, argument checks, and which script (English, Chinese, mixed) it is in."""
from __future__ import annotations

import re
import unicodedata

from search.errors import SearchError
from search.text.tokenize import has_han

MODES = ("hybrid", "bm25", "dense")
LANG_CHOICES = ("auto", "en", "zh")
MAX_K = 100
MAX_QUERY_CHARS = 1000


# Full-width CJK punctuation ("？", "，", "：", "（"): a question typed on a Chinese keyboard, even with only
# Latin words in it ("DPO vs RLHF？"), wants Chinese titles and links.
_CJK_PUNCT_RE = re.compile(r"[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]")


def detect_lang(query: str) -> str:
    """'zh' when the query has a Chinese character or full-width Chinese punctuation, else 'en'."""
    return "zh" if has_han(query) or _CJK_PUNCT_RE.search(query) else "en"


def query_script(query: str) -> str:
    """'en' (no Chinese), 'zh' (Chinese and no Latin words) or 'mixed'."""
    if not has_han(query):
        return "en"
    return "mixed" if re.search(r"[A-Za-z]{2,}", query) else "zh"


_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")


def clean_query(query: str) -> str:
    """The query with control characters turned into spaces, format characters (zero-width, BOM) dropped
    and lone surrogates (undecodable bytes in argv) turned into U+FFFD."""
    query = _SURROGATE_RE.sub("\ufffd", query or "")
    out = []
    for char in query:
        category = unicodedata.category(char)
        if category == "Cc":
            out.append(" ")
        elif category != "Cf":
            out.append(char)
    return "".join(out)


def truncation_notice(query: str) -> str | None:
    """The one-line notice for a query longer than MAX_QUERY_CHARS, else None."""
    length = len(clean_query(query).strip())
    if length <= MAX_QUERY_CHARS:
        return None
    return f"query cut to its first {MAX_QUERY_CHARS} characters (it has {length})"


def validate(query: str, k: int, mode: str, lang: str) -> str:
    """Check search arguments before any work; return the query cleaned (see clean_query), stripped and cut to MAX_QUERY_CHARS."""
    query = clean_query(query).strip()
    if not query:
        raise SearchError('empty query; give a question or a term, e.g. kb search "grouped query attention"')
    if mode not in MODES:
        raise SearchError(f"unknown mode '{mode}'; use one of: {', '.join(MODES)}")
    if lang not in LANG_CHOICES:
        raise SearchError(f"unknown language '{lang}'; use one of: {', '.join(LANG_CHOICES)}")
    if not 1 <= k <= MAX_K:
        raise SearchError(f"k must be between 1 and {MAX_K}, got {k}")
    return query[:MAX_QUERY_CHARS]
