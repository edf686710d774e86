"""Attention masks for long inputs: causal, causal sliding window, local + global (Longformer), dilated window."""
from __future__ import annotations

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from plots._svg import render  # noqa: E402
import numpy as np  # noqa: E402

LABELS = {
    "en": {
        "titles": ["causal (full)", "causal sliding window, w = 4",
                   "local (|i-j| <= 2) + global tokens 0, 8", "dilated window, w = 4, dilation 2"],
        "xlabel": "key position j   ({kept} / {total} scores kept)",
        "ylabel": "query position i",
    },
    "zh": {
        "titles": ["因果（完整）", "因果滑动窗口，w = 4",
                   "局部（|i-j| <= 2）+ 全局 token 0、8", "空洞窗口，w = 4，空洞率 2"],
        "xlabel": "key 位置 j（保留 {kept} / {total} 个分数）",
        "ylabel": "query 位置 i",
    },
}


def masks(n: int = 16) -> list[np.ndarray]:
    """Causal, causal sliding window, local + global, dilated window (the order of ``LABELS[...]["titles"]``)."""
    i = np.arange(n)[:, None]
    j = np.arange(n)[None, :]
    causal = j <= i
    window = causal & (i - j < 4)
    local = np.abs(i - j) <= 2
    is_global = np.zeros(n, dtype=bool)
    is_global[[0, 8]] = True
    local_global = local | is_global[:, None] | is_global[None, :]
    dilated = causal & ((i - j) % 2 == 0) & ((i - j) // 2 < 4)
    return [causal, window, local_global, dilated]


def draw(lab: dict):
    fig, axes = plt.subplots(1, 4, figsize=(14, 3.9))
    for ax, title, m in zip(axes, lab["titles"], masks()):
        ax.imshow(m, cmap="Blues", vmin=0, vmax=1.25, interpolation="nearest")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel(lab["xlabel"].format(kept=int(m.sum()), total=m.size))
        ax.set_xticks(range(0, 16, 4))
        ax.set_yticks(range(0, 16, 4))
    axes[0].set_ylabel(lab["ylabel"])
    fig.tight_layout()
    return fig


def main(out_dir: pathlib.Path) -> list[pathlib.Path]:
    return render(out_dir, "attention_long_masks.svg", LABELS, draw)


if __name__ == "__main__":
    print(main(pathlib.Path("docs/assets/plots")))
