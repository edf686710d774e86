"""The plot scripts and the SVGs the pages show.

Every script writes each figure twice, ``NAME.svg`` (English labels) and ``NAME.zh.svg`` (Chinese labels);
English pages show only the first kind, Chinese pages only the second; the Chinese files carry their Chinese as
SVG text (the browser draws it with the reader's fonts) and the English files carry none; and what is committed
under docs/assets/plots is what the scripts produce now (``make plots``).
"""
from __future__ import annotations

import importlib
import logging
import re
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from plots.__main__ import scripts

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
COMMITTED = DOCS / "assets" / "plots"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
# an image (or any link) into assets/plots; alt texts may hold brackets, so match the target only
PLOT_REF = re.compile(r"\]\(([^()\s]*assets/plots/[^()\s]+\.svg)\)")
SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Run every script once into a fresh directory: {script: [paths]}, plus the warnings and log lines it raised."""
    out = tmp_path_factory.mktemp("plots")
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    logging.getLogger("matplotlib").addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            written = {name: importlib.import_module(f"plots.{name}").main(out) for name in scripts()}
    finally:
        logging.getLogger("matplotlib").removeHandler(handler)
    return {"dir": out, "written": written, "warnings": list(caught), "log": records}


def _pages():
    return sorted(p for p in DOCS.rglob("*.md") if "assets" not in p.parts)


def _is_zh(page: Path) -> bool:
    return page.name.endswith(".zh.md")


def _plot_refs(page: Path) -> list[str]:
    return PLOT_REF.findall(page.read_text(encoding="utf-8"))


# (a) every script writes an English and a Chinese file for each of its figures
@pytest.mark.parametrize("name", scripts())
def test_plot_script_writes_en_and_zh_svgs(name, generated):
    written = generated["written"][name]
    assert written, f"plots/{name}.py wrote nothing"
    names = [p.name for p in written]
    en = sorted(n for n in names if not n.endswith(".zh.svg"))
    zh = sorted(n for n in names if n.endswith(".zh.svg"))
    assert en, f"plots/{name}.py wrote no English SVG: {names}"
    assert zh == [n.removesuffix(".svg") + ".zh.svg" for n in en], f"plots/{name}.py: en {en} vs zh {zh}"
    for path in written:
        assert path.suffix == ".svg" and path.stat().st_size > 1000
        assert path.read_text(encoding="utf-8").lstrip().startswith(("<?xml", "<svg"))
        assert (COMMITTED / path.name).exists(), f"{path.name} is not under docs/assets/plots (run make plots)"


def test_plots_raise_no_font_warnings(generated):
    """No 'Glyph ... missing from font(s)' warning, no findfont complaint: Chinese text is measured properly."""
    messages = [str(w.message) for w in generated["warnings"]] + [r.getMessage() for r in generated["log"]]
    assert not messages, messages


def test_every_image_on_the_pages_exists():
    missing = []
    for page in _pages():
        for ref in re.findall(r"\]\(([^()\s]+\.svg)\)", page.read_text(encoding="utf-8")):
            if not (page.parent / ref).resolve().exists():
                missing.append(f"{page.relative_to(ROOT)}: {ref}")
    assert not missing, missing


# (b) Chinese pages show Chinese plots, English pages English ones, and both show the same figures
def test_pages_show_plots_in_their_own_language():
    wrong, unmatched, seen = [], [], 0
    for page in _pages():
        refs = _plot_refs(page)
        seen += len(refs)
        for ref in refs:
            if ref.endswith(".zh.svg") != _is_zh(page):
                wrong.append(f"{page.relative_to(ROOT)}: {ref}")
        zh_page = page.with_name(page.name.removesuffix(".md") + ".zh.md")
        if not _is_zh(page) and zh_page.exists():
            expected = sorted(r.removesuffix(".svg") + ".zh.svg" for r in refs)
            if sorted(_plot_refs(zh_page)) != expected:
                unmatched.append(f"{zh_page.relative_to(ROOT)}: {sorted(_plot_refs(zh_page))} != {expected}")
    assert seen >= 34, f"only {seen} plot references found on the pages"
    assert not wrong, f"pages showing a plot in the other language: {wrong}"
    assert not unmatched, f"Chinese pages not showing the Chinese version of their English page's plots: {unmatched}"


# (c) the Chinese SVGs hold their Chinese as <text>, the English SVGs hold no Chinese at all
ENGLISH_SVGS = sorted(p.name for p in COMMITTED.glob("*.svg") if not p.name.endswith(".zh.svg"))


@pytest.mark.parametrize("name", ENGLISH_SVGS)
def test_svg_labels_are_in_the_right_language(name):
    en = (COMMITTED / name).read_text(encoding="utf-8")
    assert not CJK.findall(en), f"{name} contains Chinese: {sorted(set(CJK.findall(en)))}"

    zh_path = COMMITTED / (name.removesuffix(".svg") + ".zh.svg")
    assert zh_path.exists(), f"{zh_path.name} is missing (run make plots)"
    zh = zh_path.read_text(encoding="utf-8")
    texts = [t for t in ET.fromstring(zh).iter(f"{SVG_NS}text")]
    chinese = [t for t in texts if CJK.search("".join(t.itertext()))]
    assert chinese, f"{zh_path.name} has no Chinese in its text elements"
    for t in chinese:
        style = t.get("style", "")
        assert "'Noto Sans CJK SC'" in style and "sans-serif" in style, f"{zh_path.name}: no CJK fonts in {style!r}"
    # Chinese anywhere else (matplotlib's comment before a text drawn as paths) means it was drawn as empty boxes
    outside = CJK.findall(re.sub(r"<text\b.*?</text>", "", zh, flags=re.S))
    assert not outside, f"{zh_path.name}: Chinese outside <text> elements (drawn as glyph paths): {outside[:10]}"
    assert "KB CJK Metrics" not in zh


# (d) docs/assets/plots holds exactly what the scripts write now
_NUMBER = re.compile(r"-?\d+\.?\d*(?:e[-+]?\d+)?")
_ID = re.compile(r"""(id="|href="#|url\(#)([^")]+)""")


def _svg_difference(committed: str, fresh: str) -> str | None:
    """None if the SVGs are the same: byte for byte, or apart from float noise below 0.001 (another CPU's
    floating-point kernels can move the last printed digit, which also changes the hashed element ids)."""
    if committed == fresh:
        return None

    def canonical(svg: str) -> tuple[list[str], list[float]]:
        ids: dict[str, str] = {}
        svg = _ID.sub(lambda m: m.group(1) + ids.setdefault(m.group(2), f"id{len(ids)}"), svg)
        return _NUMBER.split(svg), [float(x) for x in _NUMBER.findall(svg)]

    (text_a, nums_a), (text_b, nums_b) = canonical(committed), canonical(fresh)
    if text_a != text_b or len(nums_a) != len(nums_b):
        at = next((i for i, (a, b) in enumerate(zip(text_a, text_b)) if a != b), min(len(text_a), len(text_b)))
        return f"text differs near {text_a[at][:80]!r} vs {text_b[at][:80]!r}" if at < len(text_a) and at < len(
            text_b) else "different number of elements"
    worst = max((abs(a - b) for a, b in zip(nums_a, nums_b)), default=0.0)
    return None if worst < 1e-3 else f"a number differs by {worst:g}"


def test_committed_svgs_are_what_the_scripts_produce(generated):
    fresh = {p.name: p for paths in generated["written"].values() for p in paths}
    committed = {p.name: p for p in COMMITTED.glob("*.svg")}
    assert sorted(committed) == sorted(fresh), (
        f"run make plots: missing {sorted(set(fresh) - set(committed))}, stale {sorted(set(committed) - set(fresh))}")
    english = [n for n in fresh if not n.endswith(".zh.svg")]
    assert sorted(n for n in fresh if n.endswith(".zh.svg")) == sorted(n[:-4] + ".zh.svg" for n in english)
    outdated = {}
    for name, path in sorted(fresh.items()):
        diff = _svg_difference(committed[name].read_text(encoding="utf-8"), path.read_text(encoding="utf-8"))
        if diff:
            outdated[name] = diff
    assert not outdated, f"committed SVGs differ from what plots/ produces now (run make plots): {outdated}"


def test_plots_are_deterministic(generated, tmp_path):
    """A second run writes the same bytes (fixed ids, no date, no dependence on the machine's fonts)."""
    for name in ("attention_kv_cache_memory", "training_basics_huber"):
        for path in importlib.import_module(f"plots.{name}").main(tmp_path):
            assert path.read_bytes() == (generated["dir"] / path.name).read_bytes(), path.name
