"""Training-state memory per parameter (and for a 7B model) under common setups.

Bytes per parameter: weights, gradients, fp32 master copy and optimizer state.
Activations are not included: they depend on batch size and sequence length.
"""
from __future__ import annotations

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from plots._svg import render  # noqa: E402

# (weights, grads, fp32 master, optimizer state) in bytes per parameter; names in LABELS[...]["setups"]
SETUPS = [
    (4, 4, 0, 8),
    (2, 2, 4, 8),
    (2, 2, 4, 2),
    (2, 2, 4, 0),
    (2, 0, 0, 0),
]
COLORS = ["#4c72b0", "#dd8452", "#55a868", "#c44e52"]
N_PARAMS = 7e9

LABELS = {
    "en": {
        "setups": ["fp32 + AdamW", "bf16 mixed + AdamW", "bf16 mixed + 8-bit Adam",
                   "bf16 mixed + Adafactor (~0)", "bf16, frozen (inference)"],
        "parts": ["weights", "gradients", "fp32 master weights", "optimizer state"],
        "total": "{gb:.0f} GB ({per:.0f} B/param)",
        "xlabel": "GB for a 7B-parameter model (activations not included)",
        "title": "Training-state memory per setup (7B parameters)",
    },
    "zh": {
        "setups": ["fp32 + AdamW", "bf16 混合精度 + AdamW", "bf16 混合精度 + 8-bit Adam",
                   "bf16 混合精度 + Adafactor（约 0）", "bf16，冻结（推理）"],
        "parts": ["权重", "梯度", "fp32 主权重", "优化器状态"],
        "total": "{gb:.0f} GB（{per:.0f} B/参数）",
        "xlabel": "7B 参数模型占用的 GB（不含激活值）",
        "title": "各配置的训练状态显存（7B 参数）",
    },
}


def draw(lab: dict):
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    labels = lab["setups"]
    left = [0.0] * len(SETUPS)
    for i, part in enumerate(lab["parts"]):
        widths = [s[i] * N_PARAMS / 1e9 for s in SETUPS]
        ax.barh(labels, widths, left=left, color=COLORS[i], label=part)
        left = [a + b for a, b in zip(left, widths)]
    for y, total in enumerate(left):
        ax.text(total + 1, y, lab["total"].format(gb=total, per=total * 1e9 / N_PARAMS), va="center", fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 150)
    ax.set_xlabel(lab["xlabel"])
    ax.set_title(lab["title"])
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


def main(out_dir: pathlib.Path) -> list[pathlib.Path]:
    return render(out_dir, "hf_memory_breakdown.svg", LABELS, draw)


if __name__ == "__main__":
    print(main(pathlib.Path("docs/assets/plots")))
