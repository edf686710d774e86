"""The retrievable unit shared by kb and search: a plain dataclass, so the query path needs no pydantic."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal

Lang = Literal["en", "zh"]


@dataclass(frozen=True)
class Passage:
    """One retrievable unit: a glossary entry or one h2/h3 section of a page pair."""

    id: str
    kind: Literal["term", "section"]
    title: dict[str, str]
    text: dict[str, str]
    url: dict[str, str]
    path: dict[str, str] = field(default_factory=dict)
    """Breadcrumb per language: 'Page › Section'."""
    terms: list[str] = field(default_factory=list)
    """Extra names (abbreviations, aliases) that should find this passage."""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the index stores passages this way): what ``dataclasses.asdict`` gives, without
        its recursive deep copy (a fifth of a rebuild's time went there)."""
        out: dict[str, Any] = {}
        for name in _FIELD_ORDER:
            value = getattr(self, name)  # str, dict[str, str] or list[str]: one level of copying is a deep copy
            out[name] = dict(value) if isinstance(value, dict) else list(value) if isinstance(value, list) else value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Passage:
        """The passage stored by :meth:`to_dict`; TypeError/ValueError for anything else."""
        if not isinstance(data, dict) or not _FIELDS.issuperset(data):
            raise ValueError("not a stored passage")
        passage = cls(**data)
        if passage.kind not in ("term", "section") or not all(isinstance(getattr(passage, n), dict) for n in ("title", "text", "url", "path")):
            raise ValueError(f"passage {passage.id!r} is malformed")
        return passage


_FIELD_ORDER = tuple(f.name for f in fields(Passage))
_FIELDS = frozenset(_FIELD_ORDER)
