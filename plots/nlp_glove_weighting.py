"""GloVe weighting f(x) = min((x / x_max)^alpha, 1) and word2vec's unigram^0.75 noise distribution."""
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
        "g_xlabel": r"co-occurrence count $X_{ij}$",
        "g_ylabel": r"weight $f(X_{ij})$",
        "g_title": r"GloVe weighting $f(x)=\min((x/x_{\max})^\alpha, 1)$",
        "n_xlabel": "word rank by frequency",
        "n_ylabel": "noise probability",
        "n_title": r"word2vec noise distribution: power 3/4 flattens it",
    },
    "zh": {
        "g_xlabel": "共现次数 x",
        "g_ylabel": "权重 f(x)",
        "g_title": r"GloVe: $f(x)=\min((x/x_{\max})^\alpha, 1)$",
        "n_xlabel": "词频排名",
        "n_ylabel": "噪声概率",
        "n_title": "word2vec 噪声分布：取 3/4 次方后更平",
    },
}


def glove_f(x: np.ndarray, x_max: float = 100.0, alpha: float = 0.75) -> np.ndarray:
    return np.minimum((x / x_max) ** alpha, 1.0)


def draw(lab: dict):
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))

    x = np.linspace(0, 200, 801)
    for alpha in (0.5, 0.75, 1.0):
        ax1.plot(x, glove_f(x, alpha=alpha), label=rf"$\alpha={alpha}$")
    ax1.axvline(100, color="k", ls=":", lw=1)
    ax1.text(103, 0.1, r"$x_{\max}=100$")
    ax1.set_xlabel(lab["g_xlabel"])
    ax1.set_ylabel(lab["g_ylabel"])
    ax1.set_title(lab["g_title"])
    ax1.legend(fontsize=8)

    counts = np.array([1000, 300, 100, 30, 10, 3, 1], dtype=float)
    ranks = np.arange(1, len(counts) + 1)
    for power, style in ((1.0, "o-"), (0.75, "s-"), (0.0, "^-")):
        p = counts**power / (counts**power).sum()
        ax2.semilogy(ranks, p, style, label=rf"$P_n(w) \propto U(w)^{{{power}}}$")
    ax2.set_xlabel(lab["n_xlabel"])
    ax2.set_ylabel(lab["n_ylabel"])
    ax2.set_title(lab["n_title"])
    ax2.legend(fontsize=8)

    fig.tight_layout()
    return fig


def main(out_dir: pathlib.Path) -> list[pathlib.Path]:
    return render(out_dir, "nlp_glove_weighting.svg", LABELS, draw)
