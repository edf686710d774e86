"""Training-state memory per parameter (and for a 7B model) under common setups.

Bytes per parameter: weights, gradients, fp32 master copy and optimizer state.
Activations are not included: they depend on batch size and sequence length.
"""
from __future__ import annotations

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from plots._svg import save_svg  # noqa: E402

# (label, weights, grads, fp32 master, optimizer state) in bytes per parameter
SETUPS = [
    ("fp32 + AdamW", 4, 4, 0, 8),
    ("bf16 mixed + AdamW", 2, 2, 4, 8),
    ("bf16 mixed + 8-bit Adam", 2, 2, 4, 2),
    ("bf16 mixed + Adafactor (~0)", 2, 2, 4, 0),
    ("bf16, frozen (inference)", 2, 0, 0, 0),
]
PARTS = ["weights", "gradients", "fp32 master weights", "optimizer state"]
COLORS = ["#4c72b0", "#dd8452", "#55a868", "#c44e52"]
N_PARAMS = 7e9


def main(out_dir: pathlib.Path) -> list[pathlib.Path]:
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    labels = [s[0] for s in SETUPS]
    left = [0.0] * len(SETUPS)
    for i, part in enumerate(PARTS):
        widths = [s[i + 1] * N_PARAMS / 1e9 for s in SETUPS]
        ax.barh(labels, widths, left=left, color=COLORS[i], label=part)
        left = [a + b for a, b in zip(left, widths)]
    for y, total in enumerate(left):
        ax.text(total + 1, y, f"{total:.0f} GB ({total * 1e9 / N_PARAMS:.0f} B/param)", va="center", fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 150)
    ax.set_xlabel("GB for a 7B-parameter model (activations not included)")
    ax.set_title("Training-state memory per setup (7B parameters)")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    path = save_svg(fig, out_dir, "hf_memory_breakdown.svg")
    return [path]


if __name__ == "__main__":
    print(main(pathlib.Path("docs/assets/plots")))
