"""Sinusoidal position encoding of the original Transformer, as a heat map, and its dot-product matrix."""
from __future__ import annotations

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from plots._svg import render  # noqa: E402
import numpy as np  # noqa: E402

# mathtext ($...$) cannot hold Chinese: a Chinese label is either all math (no CJK) or has no $...$
LABELS = {
    "en": {
        "pe_xlabel": "dimension (even: sin, odd: cos)",
        "pos": "position pos",
        "pos2": "position pos'",
        "sim_title": r"$PE_{pos} \cdot PE_{pos'}$ depends only on pos - pos'",
    },
    "zh": {
        "pe_xlabel": "维度（偶数：sin，奇数：cos）",
        "pos": "位置 pos",
        "pos2": "位置 pos'",
        "sim_title": "点积 PE(pos)·PE(pos') 只取决于 pos - pos'",
    },
}


def sinusoidal(n_pos: int, d: int) -> np.ndarray:
    pos = np.arange(n_pos)[:, None]
    inv = 10000.0 ** (-np.arange(0, d, 2) / d)
    pe = np.zeros((n_pos, d))
    pe[:, 0::2] = np.sin(pos * inv)
    pe[:, 1::2] = np.cos(pos * inv)
    return pe


def draw(lab: dict):
    pe = sinusoidal(128, 128)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4.2))
    im = ax1.imshow(pe, aspect="auto", cmap="RdBu", vmin=-1, vmax=1, interpolation="nearest")
    ax1.set_xlabel(lab["pe_xlabel"])
    ax1.set_ylabel(lab["pos"])
    ax1.set_title(r"$PE_{pos}$, $d_{model}$ = 128")
    fig.colorbar(im, ax=ax1, fraction=0.046)
    sim = pe @ pe.T
    im2 = ax2.imshow(sim, aspect="auto", cmap="viridis", interpolation="nearest")
    ax2.set_xlabel(lab["pos2"])
    ax2.set_ylabel(lab["pos"])
    ax2.set_title(lab["sim_title"])
    fig.colorbar(im2, ax=ax2, fraction=0.046)
    fig.tight_layout()
    return fig


def main(out_dir: pathlib.Path) -> list[pathlib.Path]:
    return render(out_dir, "position_sinusoidal.svg", LABELS, draw)


if __name__ == "__main__":
    print(main(pathlib.Path("docs/assets/plots")))
