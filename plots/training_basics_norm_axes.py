"""Which entries of an [N, C, H, W] tensor share one mean/variance in BatchNorm, LayerNorm, InstanceNorm, GroupNorm."""
from __future__ import annotations

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from plots._svg import render  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

N, C, G = 4, 6, 3  # batch size, channels, groups (GroupNorm)

LABELS = {
    "en": {
        "xlabel": "channel C",
        "ylabel": "sample N",
        "suptitle": "Shaded: entries sharing one mean and variance (each cell = all H x W positions)",
    },
    "zh": {
        "xlabel": "通道 C",
        "ylabel": "样本 N",
        "suptitle": "阴影：共用同一组均值和方差的元素（每一格代表全部 H x W 个位置）",
    },
}


def _selected(kind: str, n: int, c: int) -> bool:
    # the set of (n, c) cells normalised together with cell (n=1, c=2); every cell holds all H*W positions
    if kind == "BatchNorm":
        return c == 2
    if kind == "LayerNorm":
        return n == 1
    if kind == "InstanceNorm":
        return n == 1 and c == 2
    per = C // G
    return n == 1 and c // per == 2 // per


def draw(lab: dict):
    kinds = ["BatchNorm", "LayerNorm", "InstanceNorm", f"GroupNorm (G={G})"]
    fig, axes = plt.subplots(1, 4, figsize=(12, 3.4))
    for ax, kind in zip(axes, kinds):
        key = kind.split(" ")[0]
        for n in range(N):
            for c in range(C):
                on = _selected(key, n, c)
                ax.add_patch(Rectangle((c, N - 1 - n), 1, 1, facecolor="tab:blue" if on else "white",
                                       edgecolor="black", lw=0.8, alpha=0.85 if on else 1.0))
        if key == "GroupNorm":
            for g in range(1, G):
                ax.axvline(g * C // G, color="tab:red", lw=2)
        ax.set_xlim(0, C)
        ax.set_ylim(0, N)
        ax.set_aspect("equal")
        ax.set_xticks([c + 0.5 for c in range(C)], [str(c) for c in range(C)])
        ax.set_yticks([N - 1 - n + 0.5 for n in range(N)], [str(n) for n in range(N)])
        ax.set_xlabel(lab["xlabel"])
        ax.set_ylabel(lab["ylabel"])
        ax.set_title(kind)
    fig.suptitle(lab["suptitle"], fontsize=10)
    fig.tight_layout()
    return fig


def main(out_dir: pathlib.Path) -> list[pathlib.Path]:
    return render(out_dir, "training_basics_norm_axes.svg", LABELS, draw)
