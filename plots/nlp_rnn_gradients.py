"""Gradient norm flowing back through a linear RNN h_t = W h_{t-1}, W = s * orthogonal: it scales as s^k."""
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
        "xlabel": r"steps back in time $k$",
        "title": "Backpropagation through time: vanishing (<1) and exploding (>1)",
    },
    "zh": {
        "xlabel": "沿时间往回传的步数 k",
        "title": "随时间反向传播（BPTT）：范数 <1 时梯度消失，>1 时梯度爆炸",
    },
}


def grad_norms(scale: float, steps: int = 50, hidden: int = 16, seed: int = 0) -> np.ndarray:
    """||dL/dh_{T-k}|| for k = 0..steps when dL/dh_T has norm 1 and W = scale * Q (Q orthogonal)."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(hidden, hidden)))
    w = scale * q
    g = rng.normal(size=hidden)
    g /= np.linalg.norm(g)
    norms = [1.0]
    for _ in range(steps):
        g = w.T @ g                       # one step of backpropagation through time
        norms.append(float(np.linalg.norm(g)))
    return np.array(norms)


def draw(lab: dict):
    fig, ax = plt.subplots(figsize=(6.5, 4))
    k = np.arange(51)
    for s in (0.5, 0.9, 1.0, 1.1, 1.5):
        ax.semilogy(k, grad_norms(s), label=rf"$\|W_{{hh}}\| = {s}$")
    ax.set_xlabel(lab["xlabel"])
    ax.set_ylabel(r"$\|\partial L / \partial h_{T-k}\|$")
    ax.set_title(lab["title"])
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def main(out_dir: pathlib.Path) -> list[pathlib.Path]:
    return render(out_dir, "nlp_rnn_gradients.svg", LABELS, draw)
