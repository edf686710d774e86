"""Huber loss between MAE and MSE: small delta -> delta*|r|, large delta -> r^2/2."""
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
        "xlabel": r"residual $r = \hat y - y$",
        "ylabel": "loss",
        "large_title": r"Large $\delta$: Huber = $r^2/2$ inside $|r|\leq\delta$",
        "small_title": r"Small $\delta$: Huber / $\delta \to |r|$",
    },
    "zh": {
        "xlabel": "残差 r（预测值 - 真实值）",
        "ylabel": "损失",
        "large_title": "δ 较大时：在 |r| ≤ δ 内 Huber = r²/2",
        "small_title": "δ 较小时：Huber / δ → |r|",
    },
}


def huber(r: np.ndarray, delta: float) -> np.ndarray:
    a = np.abs(r)
    return np.where(a <= delta, 0.5 * r**2, delta * (a - 0.5 * delta))


def draw(lab: dict):
    r = np.linspace(-3, 3, 601)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))

    ax1.plot(r, 0.5 * r**2, "k--", label=r"$r^2/2$ (MSE/2)")
    ax1.plot(r, np.abs(r), "k:", label=r"$|r|$ (MAE)")
    for delta in (0.5, 1.0, 2.0):
        ax1.plot(r, huber(r, delta), label=rf"Huber $\delta={delta}$")
    ax1.set_ylim(0, 4.5)
    ax1.set_xlabel(lab["xlabel"])
    ax1.set_ylabel(lab["ylabel"])
    ax1.set_title(lab["large_title"])
    ax1.legend(fontsize=8)

    ax2.plot(r, np.abs(r), "k:", label=r"$|r|$ (MAE)")
    for delta in (2.0, 1.0, 0.5, 0.1):
        ax2.plot(r, huber(r, delta) / delta, label=rf"Huber$_\delta$ / $\delta$, $\delta={delta}$")
    ax2.set_ylim(0, 3.2)
    ax2.set_xlabel(lab["xlabel"])
    ax2.set_title(lab["small_title"])
    ax2.legend(fontsize=8)

    fig.tight_layout()
    return fig


def main(out_dir: pathlib.Path) -> list[pathlib.Path]:
    return render(out_dir, "training_basics_huber.svg", LABELS, draw)
