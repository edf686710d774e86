"""Switch load-balancing loss: the worked example's f_i and P_i, and the loss as routing collapses."""
from __future__ import annotations

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from plots._svg import save_svg  # noqa: E402
import numpy as np  # noqa: E402

LOGITS = np.array([[3.0, 1.0, 0.0, 0.0],
                   [2.0, 1.5, 0.0, 0.0],
                   [0.5, 2.5, 0.0, 0.0],
                   [2.0, 0.0, 1.0, 0.0],
                   [0.0, 2.0, 0.0, 1.0],
                   [0.0, 0.0, 0.0, 2.0]])


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def main(out_dir: pathlib.Path) -> list[pathlib.Path]:
    n = LOGITS.shape[1]
    p = softmax(LOGITS)
    f = np.bincount(p.argmax(-1), minlength=n) / len(p)
    P = p.mean(0)

    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    x = np.arange(n)
    axes[0].bar(x - 0.2, f, 0.4, label="f_i (fraction dispatched)")
    axes[0].bar(x + 0.2, P, 0.4, label="P_i (mean router prob.)")
    axes[0].axhline(1 / n, color="gray", linestyle="--", label="uniform 1/N")
    axes[0].set_xticks(x, [f"expert {i}" for i in x])
    axes[0].set_title(f"Worked example: N * sum f_i P_i = {n * (f * P).sum():.3f}")
    axes[0].legend(fontsize=8)

    for n_exp in (4, 8, 16):
        s = np.linspace(0, 1, 101)
        # router probabilities slide from uniform to all mass on expert 0; dispatch follows them (f = P)
        loss = [n_exp * np.sum(((1 - t) / n_exp + t * np.eye(n_exp)[0]) ** 2) for t in s]
        axes[1].plot(s, loss, label=f"N = {n_exp}")
    axes[1].set_xlabel("collapse t (0 = uniform, 1 = all on one expert)")
    axes[1].set_ylabel("aux loss / alpha  (f = P)")
    axes[1].set_title("Min 1 (uniform), max N (collapse)")
    axes[1].set_yscale("log", base=2)
    axes[1].legend()
    fig.tight_layout()
    path = save_svg(fig, out_dir, "components_moe_balance.svg")
    return [path]


if __name__ == "__main__":
    print(main(pathlib.Path("docs/assets/plots")))
