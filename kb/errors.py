"""Errors raised while reading the knowledge base."""
from __future__ import annotations


class KnowledgeError(Exception):
    """A problem in the knowledge files a person must fix.

    The message is one line: where (file:line or entry id), what is wrong and
    what to do.
    """
