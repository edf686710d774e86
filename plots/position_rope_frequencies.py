"""RoPE rotation frequencies theta_i = base^(-2i/d) and their wavelengths 2*pi/theta_i."""
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
        "xlabel": "pair index i",
        "f_ylabel": r"$\theta_i$ (radians per position)",
        "f_title": r"Rotation frequency $\theta_i = \mathrm{base}^{-2i/d}$, d = 128",
        "marker": "8192 tokens",
        "w_ylabel": r"wavelength $2\pi/\theta_i$ (tokens)",
        "w_title": "Positions per full turn",
    },
    "zh": {
        "xlabel": "维度对编号 i",
        "f_ylabel": "旋转频率 θ（弧度/位置）",
        "f_title": r"$\theta_i = \mathrm{base}^{-2i/d}$, $d = 128$",
        "marker": "8192 个 token",
        "w_ylabel": "波长 2π/θ（token 数）",
        "w_title": "转一整圈经过的位置数",
    },
}


def draw(lab: dict):
    d = 128  # head dimension of Llama-style models
    i = np.arange(d // 2)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    for base, style in [(10_000.0, "-"), (500_000.0, "--")]:
        theta = base ** (-2 * i / d)
        ax1.semilogy(i, theta, style, label=f"base = {base:,.0f}")
        ax2.semilogy(i, 2 * np.pi / theta, style, label=f"base = {base:,.0f}")
    ax1.set_xlabel(lab["xlabel"])
    ax1.set_ylabel(lab["f_ylabel"])
    ax1.set_title(lab["f_title"])
    ax1.legend()
    ax2.axhline(8192, color="gray", lw=0.8, ls=":")
    ax2.text(1, 8192 * 1.3, lab["marker"], color="gray", fontsize=8)
    ax2.set_xlabel(lab["xlabel"])
    ax2.set_ylabel(lab["w_ylabel"])
    ax2.set_title(lab["w_title"])
    ax2.legend()
    fig.tight_layout()
    return fig


def main(out_dir: pathlib.Path) -> list[pathlib.Path]:
    return render(out_dir, "position_rope_frequencies.svg", LABELS, draw)


if __name__ == "__main__":
    print(main(pathlib.Path("docs/assets/plots")))
