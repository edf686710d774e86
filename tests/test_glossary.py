from pathlib import Path

import pytest

from kb.errors import KnowledgeError
from kb.glossary import load_file, load_glossary

GOOD = """\
- id: gqa
  term: {en: Grouped-query attention, zh: 分组查询注意力}
  definition: {en: Groups of query heads share K/V., zh: 每组查询头共享键值。}
  see: attention/gqa.md#gqa
"""


def write(tmp_path: Path, text: str, name: str = "a.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_loads_entries_with_their_line(tmp_path):
    path = write(tmp_path, "# comment\n" + GOOD + GOOD.replace("id: gqa", "id: mqa"))
    entries = load_file(path)
    assert [e.entry.id for e in entries] == ["gqa", "mqa"]
    assert [e.line for e in entries] == [2, 6]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- id: gqa\n  term: {en: x, zh: y\n", r"a.yaml:\d+: YAML syntax error"),
        (GOOD.replace("  see: attention/gqa.md#gqa\n", ""), r"a.yaml:1: entry 'gqa': field 'see': Field required"),
        (GOOD.replace("zh: 分组查询注意力", "zh: ''"), r"a.yaml:1: entry 'gqa': field 'term.zh'"),
        (GOOD.replace("id: gqa", "id: GQA!"), r"entry 'GQA!': field 'id': .*lowercase"),
        (GOOD.replace("see: attention/gqa.md#gqa", "see: gqa"), r"field 'see': .*folder/page.md#anchor"),
        (GOOD + "  colour: red\n", r"field 'colour': Extra inputs"),
        ("id: gqa\n", r"a.yaml:1: a glossary file must be a YAML list"),
    ],
)
def test_bad_entries_name_file_line_and_field(tmp_path, text, expected):
    with pytest.raises(KnowledgeError, match=expected) as info:
        load_file(write(tmp_path, text))
    assert "\n" not in str(info.value)


def test_duplicate_id_across_files(tmp_path):
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, "\n\n" + GOOD, "b.yaml")
    with pytest.raises(KnowledgeError, match=r"b.yaml:3: duplicate id 'gqa' \(first defined at a.yaml:1\)"):
        load_glossary(tmp_path)


def test_real_glossary_is_valid_and_large_enough():
    entries = load_glossary()
    assert len(entries) >= 20
    assert len({e.entry.id for e in entries}) == len(entries)


def test_no_name_points_at_two_entries():
    """A term, abbreviation or alias typed by a user must lead to one entry only."""
    owner: dict[str, str] = {}
    clashes = []
    for located in load_glossary():
        entry = located.entry
        names = {entry.term.en, entry.term.zh, *entry.aliases.en, *entry.aliases.zh, *([entry.abbr] if entry.abbr else [])}
        for name in {n.strip().lower() for n in names}:
            if name in owner and owner[name] != entry.id:
                clashes.append(f"'{name}': {owner[name]} and {entry.id}")
            owner.setdefault(name, entry.id)
    assert not clashes, clashes[:20]


def test_glossary_page_and_abbreviations_are_generated_from_kb():
    from kb.glossary_pages import render_abbreviations, render_page

    entries = load_glossary()
    en, zh = render_page(entries, "en", {}), render_page(entries, "zh", {})
    for located in entries:
        entry = located.entry
        assert f'<a id="{entry.id}"></a>**{entry.term.en}**' in en
        assert f'<a id="{entry.id}"></a>**{entry.term.zh}**' in zh
        assert f"]({entry.see})" in en and f"]({entry.see})" in zh
    abbreviations = render_abbreviations(entries)
    assert "*[GQA]: Grouped-query attention · 分组查询注意力" in abbreviations
    assert "*[RoPE]:" in abbreviations
