"""Errors a user can cause; the CLI prints them as one line and exits 2."""
from __future__ import annotations


class SearchError(Exception):
    """Bad input or a state the user must fix; the message says what to do."""


class ModelUnavailable(SearchError):
    """The embedding model cannot be found or loaded; the message says why and what to do.

    Hybrid search catches it and answers from BM25 alone (with a warning);
    dense-only search and `kb index` report it.
    """
