"""Saving a figure the same way in every plot script: deterministic SVG (same bytes on every run)."""
from __future__ import annotations

from pathlib import Path


def save_svg(fig, out_dir: Path, name: str) -> Path:  # noqa: ANN001 — a matplotlib Figure
    """Write ``fig`` to ``out_dir/name`` as SVG with fixed ids and no date, close it, return the path."""
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / name
    with plt.rc_context({"svg.hashsalt": "kb"}):
        fig.savefig(path, format="svg", metadata={"Date": None})
    plt.close(fig)
    return path
