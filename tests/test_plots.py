"""Every plot script runs, writes non-empty SVGs, and every SVG the pages show has a script behind it."""
from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from plots.__main__ import scripts

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", scripts())
def test_plot_script_writes_svgs(name, tmp_path):
    written = importlib.import_module(f"plots.{name}").main(tmp_path)
    assert written, f"plots/{name}.py wrote nothing"
    for path in written:
        assert path.suffix == ".svg" and path.stat().st_size > 1000
        assert path.read_text(encoding="utf-8").lstrip().startswith(("<?xml", "<svg"))
        committed = ROOT / "docs" / "assets" / "plots" / path.name
        assert committed.exists(), f"{path.name} is not committed under docs/assets/plots (run make plots)"


def test_every_image_on_the_pages_exists():
    missing = []
    for page in (ROOT / "docs").rglob("*.md"):
        for ref in re.findall(r"!\[[^\]]*\]\(([^)\s]+\.svg)\)", page.read_text(encoding="utf-8")):
            if not (page.parent / ref).resolve().exists():
                missing.append(f"{page.relative_to(ROOT)}: {ref}")
    assert not missing, missing
