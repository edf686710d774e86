"""Records of the knowledge base: glossary entries and passages (pydantic)."""
from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .passage import Lang, Passage  # noqa: F401 — Passage is re-exported; it lives in kb.passage

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SEE_RE = re.compile(r"^[a-z0-9][a-z0-9_/-]*\.md#[A-Za-z0-9_-]+$")


class Bilingual(BaseModel):
    """The same text in English and Chinese; both are required and non-empty."""

    model_config = ConfigDict(extra="forbid")
    en: str = Field(min_length=1)
    zh: str = Field(min_length=1)

    @field_validator("en", "zh")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class Aliases(BaseModel):
    """Other names people type for a term, per language (may be empty)."""

    model_config = ConfigDict(extra="forbid")
    en: list[str] = Field(default_factory=list)
    zh: list[str] = Field(default_factory=list)


class GlossaryEntry(BaseModel):
    """One term of the glossary, as written in kb/glossary/*.yaml."""

    model_config = ConfigDict(extra="forbid")
    id: str
    term: Bilingual
    abbr: str | None = None
    aliases: Aliases = Field(default_factory=Aliases)
    definition: Bilingual
    see: str
    related: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not ID_RE.match(value):
            raise ValueError("id must be lowercase letters, digits and '-', e.g. 'kv-cache'")
        return value

    @field_validator("see")
    @classmethod
    def _see_shape(cls, value: str) -> str:
        if not SEE_RE.match(value):
            raise ValueError("see must be 'folder/page.md#anchor' relative to docs/, e.g. 'attention/mha-mqa-gqa.md#gqa'")
        return value

