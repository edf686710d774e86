"""Learning-rate schedules used in pre-training and fine-tuning (training/optimizers page)."""
from __future__ import annotations

import math
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from plots._svg import save_svg  # noqa: E402


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


def main(out_dir: pathlib.Path) -> list[pathlib.Path]:
    steps = list(range(0, 1001))
    labels = {
        "constant": "warm-up + constant",
        "linear": "warm-up + linear decay (BERT)",
        "poly2": "warm-up + polynomial decay (power 2)",
        "cosine": "warm-up + cosine to 0",
        "cosine_floor": "warm-up + cosine to 10% (LLaMA)",
        "inverse_sqrt": "warm-up + inverse sqrt (Transformer)",
    }
    fig, ax = plt.subplots(figsize=(7.5, 5.0))
    for kind, label in labels.items():
        ax.plot(steps, [lr_at(s, kind) for s in steps], label=label, linewidth=1.8)
    ax.axvline(100, color="grey", linestyle=":", linewidth=1)
    ax.text(104, 0.02, "end of warm-up", color="grey", fontsize=8)
    ax.set_xlabel("training step")
    ax.set_ylabel("learning rate / peak learning rate")
    ax.set_title("Learning-rate schedules (100 warm-up steps, 1000 steps in total)")
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path = save_svg(fig, out_dir, "training_practice_lr_schedules.svg")
    return [path]


if __name__ == "__main__":
    print(main(pathlib.Path("docs/assets/plots")))
