"""Attention masks for long inputs: causal, causal sliding window, local + global (Longformer), dilated window."""
from __future__ import annotations

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from plots._svg import save_svg  # noqa: E402
import numpy as np  # noqa: E402


def masks(n: int = 16) -> dict[str, np.ndarray]:
    i = np.arange(n)[:, None]
    j = np.arange(n)[None, :]
    causal = j <= i
    window = causal & (i - j < 4)
    local = np.abs(i - j) <= 2
    is_global = np.zeros(n, dtype=bool)
    is_global[[0, 8]] = True
    local_global = local | is_global[:, None] | is_global[None, :]
    dilated = causal & ((i - j) % 2 == 0) & ((i - j) // 2 < 4)
    return {
        "causal (full)": causal,
        "causal sliding window, w = 4": window,
        "local (|i-j| <= 2) + global tokens 0, 8": local_global,
        "dilated window, w = 4, dilation 2": dilated,
    }


def main(out_dir: pathlib.Path) -> list[pathlib.Path]:
    ms = masks()
    fig, axes = plt.subplots(1, 4, figsize=(14, 3.9))
    for ax, (title, m) in zip(axes, ms.items()):
        ax.imshow(m, cmap="Blues", vmin=0, vmax=1.25, interpolation="nearest")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel(f"key position j   ({int(m.sum())} / {m.size} scores kept)")
        ax.set_xticks(range(0, 16, 4))
        ax.set_yticks(range(0, 16, 4))
    axes[0].set_ylabel("query position i")
    fig.tight_layout()
    path = save_svg(fig, out_dir, "attention_long_masks.svg")
    return [path]


if __name__ == "__main__":
    print(main(pathlib.Path("docs/assets/plots")))
