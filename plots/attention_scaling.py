"""Why attention divides by sqrt(d_k): variance of q.k and softmax saturation vs d_k."""
from __future__ import annotations

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from plots._svg import render  # noqa: E402
import numpy as np  # noqa: E402

# mathtext ($...$) cannot hold Chinese: a Chinese label is either all math or has no $...$ (see plots/_svg.py)
LABELS = {
    "en": {
        "var_ylabel": "variance of the score",
        "var_title": "Score variance grows like $d_k$",
        "unscaled": "unscaled",
        "scaled": r"scaled by $1/\sqrt{d_k}$",
        "uniform": "uniform (1/16)",
        "max_ylabel": "mean of the largest softmax weight",
        "max_title": "Softmax saturates without scaling (16 keys)",
    },
    "zh": {
        "var_ylabel": "分数的方差",
        "var_title": "分数方差随维度线性增长",
        "unscaled": r"$q \cdot k$",
        "scaled": r"$q \cdot k / \sqrt{d_k}$",
        "uniform": "均匀分布（1/16）",
        "max_ylabel": "最大 softmax 权重的均值",
        "max_title": "不缩放时 softmax 趋于饱和（16 个 key）",
    },
}


def _softmax(x: np.ndarray) -> np.ndarray:
    x = x - x.max(axis=-1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


def draw(lab: dict):
    rng = np.random.default_rng(0)
    dims = 2 ** np.arange(0, 11)            # d_k = 1 ... 1024
    n_keys, trials = 16, 1000
    var_raw, var_scaled, max_raw, max_scaled = [], [], [], []
    for d_k in dims:
        q = rng.standard_normal((trials, d_k))
        k = rng.standard_normal((trials, n_keys, d_k))
        s = np.einsum("td,tnd->tn", q, k)
        var_raw.append(s.var())
        var_scaled.append((s / np.sqrt(d_k)).var())
        max_raw.append(_softmax(s).max(axis=-1).mean())
        max_scaled.append(_softmax(s / np.sqrt(d_k)).max(axis=-1).mean())

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.6))
    ax1.loglog(dims, var_raw, "o-", label=r"$q \cdot k$")
    ax1.loglog(dims, var_scaled, "s-", label=r"$q \cdot k / \sqrt{d_k}$")
    ax1.set_xlabel(r"$d_k$")
    ax1.set_ylabel(lab["var_ylabel"])
    ax1.set_title(lab["var_title"])
    ax1.legend()
    ax2.semilogx(dims, max_raw, "o-", label=lab["unscaled"])
    ax2.semilogx(dims, max_scaled, "s-", label=lab["scaled"])
    ax2.axhline(1 / n_keys, color="gray", ls=":", label=lab["uniform"])
    ax2.set_xlabel(r"$d_k$")
    ax2.set_ylabel(lab["max_ylabel"])
    ax2.set_title(lab["max_title"])
    ax2.set_ylim(0, 1.05)
    ax2.legend()
    fig.tight_layout()
    return fig


def main(out_dir: pathlib.Path) -> list[pathlib.Path]:
    return render(out_dir, "attention_scaling.svg", LABELS, draw)
