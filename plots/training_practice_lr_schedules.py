"""Learning-rate schedules used in pre-training and fine-tuning (training/optimizers page)."""
from __future__ import annotations

import math
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from plots._svg import render  # noqa: E402


def lr_at(step: int, kind: str, peak: float = 1.0, warmup: int = 100, total: int = 1000) -> float:
    """Learning rate at `step` (0-based) for a few common schedules."""
    if kind == "inverse_sqrt":  # Transformer (Vaswani et al. 2017), rescaled so its peak is `peak`
        s = max(step, 1)
        return peak * min(s / warmup, math.sqrt(warmup / s))
    if step < warmup:
        return peak * step / warmup
    progress = (step - warmup) / max(1, total - warmup)
    if kind == "constant":
        return peak
    if kind == "linear":
        return peak * (1.0 - progress)
    if kind == "poly2":
        return peak * (1.0 - progress) ** 2
    if kind == "cosine":
        return peak * 0.5 * (1.0 + math.cos(math.pi * progress))
    if kind == "cosine_floor":  # decays to 10% of the peak, as in LLaMA
        return peak * (0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * progress)))
    raise ValueError(kind)


LABELS = {
    "en": {
        "schedules": {
            "constant": "warm-up + constant",
            "linear": "warm-up + linear decay (BERT)",
            "poly2": "warm-up + polynomial decay (power 2)",
            "cosine": "warm-up + cosine to 0",
            "cosine_floor": "warm-up + cosine to 10% (LLaMA)",
            "inverse_sqrt": "warm-up + inverse sqrt (Transformer)",
        },
        "warmup_end": "end of warm-up",
        "xlabel": "training step",
        "ylabel": "learning rate / peak learning rate",
        "title": "Learning-rate schedules (100 warm-up steps, 1000 steps in total)",
    },
    "zh": {
        "schedules": {
            "constant": "预热 + 恒定",
            "linear": "预热 + 线性衰减（BERT）",
            "poly2": "预热 + 多项式衰减（2 次方）",
            "cosine": "预热 + 余弦衰减到 0",
            "cosine_floor": "预热 + 余弦衰减到峰值的 10%（LLaMA）",
            "inverse_sqrt": "预热 + 平方根倒数衰减（Transformer）",
        },
        "warmup_end": "预热结束",
        "xlabel": "训练步数",
        "ylabel": "学习率 / 峰值学习率",
        "title": "学习率调度（预热 100 步，共 1000 步）",
    },
}


def draw(lab: dict):
    steps = list(range(0, 1001))
    fig, ax = plt.subplots(figsize=(7.5, 5.0))
    for kind, label in lab["schedules"].items():
        ax.plot(steps, [lr_at(s, kind) for s in steps], label=label, linewidth=1.8)
    ax.axvline(100, color="grey", linestyle=":", linewidth=1)
    ax.text(104, 0.02, lab["warmup_end"], color="grey", fontsize=8)
    ax.set_xlabel(lab["xlabel"])
    ax.set_ylabel(lab["ylabel"])
    ax.set_title(lab["title"])
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def main(out_dir: pathlib.Path) -> list[pathlib.Path]:
    return render(out_dir, "training_practice_lr_schedules.svg", LABELS, draw)


if __name__ == "__main__":
    print(main(pathlib.Path("docs/assets/plots")))
