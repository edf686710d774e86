"""Temperature and nucleus (top-p) truncation on one next-token distribution."""
from __future__ import annotations

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from plots._svg import render  # noqa: E402
import numpy as np  # noqa: E402

LOGITS = np.array([3.0, 2.2, 1.6, 1.0, 0.3, -0.5, -1.0, -2.0])

LABELS = {
    "en": {
        "t_xlabel": "token (sorted by logit)",
        "t_ylabel": "probability",
        "t_title": "Temperature: softmax(z / T)",
        "cumulative": "cumulative probability",
        "p_xlabel": "token (sorted by probability)",
        "p_title": "Top-p: keep the smallest set with mass >= p",
    },
    "zh": {
        "t_xlabel": "token（按 logit 排序）",
        "t_ylabel": "概率",
        "t_title": "温度：softmax(z / T)",
        "cumulative": "累计概率",
        "p_xlabel": "token（按概率排序）",
        "p_title": "top-p：保留累计概率 >= p 的最小集合",
    },
}


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


def draw(lab: dict):
    tokens = np.arange(len(LOGITS))

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    width = 0.27
    for i, t in enumerate((0.5, 1.0, 2.0)):
        axes[0].bar(tokens + (i - 1) * width, softmax(LOGITS / t), width, label=f"T = {t}")
    axes[0].set_xlabel(lab["t_xlabel"])
    axes[0].set_ylabel(lab["t_ylabel"])
    axes[0].set_title(lab["t_title"])
    axes[0].legend()

    p = softmax(LOGITS)
    cum = np.cumsum(p)
    top_p = 0.9
    keep = (cum - p) < top_p
    colors = ["tab:blue" if k else "lightgray" for k in keep]
    axes[1].bar(tokens, p, color=colors)
    axes[1].step(tokens, cum, where="mid", color="tab:orange", label=lab["cumulative"])
    axes[1].axhline(top_p, color="tab:red", linestyle="--", label=f"top_p = {top_p}")
    axes[1].set_xlabel(lab["p_xlabel"])
    axes[1].set_title(lab["p_title"])
    axes[1].legend(loc="center right")
    fig.tight_layout()
    return fig


def main(out_dir: pathlib.Path) -> list[pathlib.Path]:
    return render(out_dir, "components_temperature.svg", LABELS, draw)


if __name__ == "__main__":
    print(main(pathlib.Path("docs/assets/plots")))
