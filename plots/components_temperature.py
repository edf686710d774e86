"""Temperature and nucleus (top-p) truncation on one next-token distribution."""
from __future__ import annotations

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from plots._svg import save_svg  # noqa: E402
import numpy as np  # noqa: E402

LOGITS = np.array([3.0, 2.2, 1.6, 1.0, 0.3, -0.5, -1.0, -2.0])


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


def main(out_dir: pathlib.Path) -> list[pathlib.Path]:
    tokens = np.arange(len(LOGITS))

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    width = 0.27
    for i, t in enumerate((0.5, 1.0, 2.0)):
        axes[0].bar(tokens + (i - 1) * width, softmax(LOGITS / t), width, label=f"T = {t}")
    axes[0].set_xlabel("token (sorted by logit)")
    axes[0].set_ylabel("probability")
    axes[0].set_title("Temperature: softmax(z / T)")
    axes[0].legend()

    p = softmax(LOGITS)
    cum = np.cumsum(p)
    top_p = 0.9
    keep = (cum - p) < top_p
    colors = ["tab:blue" if k else "lightgray" for k in keep]
    axes[1].bar(tokens, p, color=colors)
    axes[1].step(tokens, cum, where="mid", color="tab:orange", label="cumulative probability")
    axes[1].axhline(top_p, color="tab:red", linestyle="--", label=f"top_p = {top_p}")
    axes[1].set_xlabel("token (sorted by probability)")
    axes[1].set_title("Top-p: keep the smallest set with mass >= p")
    axes[1].legend(loc="center right")
    fig.tight_layout()
    path = save_svg(fig, out_dir, "components_temperature.svg")
    return [path]


if __name__ == "__main__":
    print(main(pathlib.Path("docs/assets/plots")))
