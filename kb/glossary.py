"""Load and validate the glossary (kb/glossary/*.yaml)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from .errors import KnowledgeError
from .schema import GlossaryEntry
from .sources import GLOSSARY_DIR


@dataclass(frozen=True)
class Located:
    """A glossary entry and where it was written."""

    entry: GlossaryEntry
    file: Path
    line: int


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML has it (ten times faster: `kb index` parsed the glossary in 2.7 s with the pure-Python one)."""


def _parse(text: str) -> tuple[object, list[int]]:
    """The document and the 1-based line of each top-level list item (from the node marks), in one parse."""
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    lines = [item.start_mark.line + 1 for item in node.value] if isinstance(node, yaml.SequenceNode) else []
    return data, lines


def _describe(err: ValidationError) -> str:
    first = err.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "entry"
    return f"field '{field}': {first['msg']}"


def load_file(path: Path) -> list[Located]:
    """Read one glossary file; raise KnowledgeError naming file, line and field."""
    text = path.read_text(encoding="utf-8")
    try:
        data, lines = _parse(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise KnowledgeError(f"{where}: YAML syntax error: {problem}; fix the indentation or quoting there") from None
    if data is None:
        return []
    if not isinstance(data, list):
        raise KnowledgeError(f"{path}:1: a glossary file must be a YAML list of entries ('- id: ...')")
    out: list[Located] = []
    for index, raw in enumerate(data):
        line = lines[index] if index < len(lines) else 1
        if not isinstance(raw, dict):
            raise KnowledgeError(f"{path}:{line}: entry #{index + 1} is not a mapping; write it as '- id: ...'")
        ident = raw.get("id", f"#{index + 1}")
        try:
            entry = GlossaryEntry(**raw)
        except ValidationError as exc:
            raise KnowledgeError(f"{path}:{line}: entry '{ident}': {_describe(exc)}") from None
        out.append(Located(entry, path, line))
    return out


def load_glossary(directory: Path = GLOSSARY_DIR) -> list[Located]:
    """Load every *.yaml file in ``directory``; ids must be unique across files."""
    seen: dict[str, Located] = {}
    entries: list[Located] = []
    for path in sorted(directory.glob("*.yaml")):
        for located in load_file(path):
            ident = located.entry.id
            if ident in seen:
                first = seen[ident]
                raise KnowledgeError(
                    f"{located.file}:{located.line}: duplicate id '{ident}' (first defined at "
                    f"{first.file.name}:{first.line}); rename one or merge them"
                )
            seen[ident] = located
            entries.append(located)
    return entries
