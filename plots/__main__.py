"""Regenerate every plot of the site: ``python -m plots docs/assets/plots``."""
from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

import plots


def scripts() -> list[str]:
    """Module names of every plot script."""
    return sorted(m.name for m in pkgutil.iter_modules(plots.__path__) if not m.name.startswith("_"))


def run(out_dir: Path) -> list[Path]:
    """Run every plot script into ``out_dir``; return the files written."""
    written: list[Path] = []
    for name in scripts():
        written += importlib.import_module(f"plots.{name}").main(out_dir)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/assets/plots")
    for path in run(target):
        print(path)
