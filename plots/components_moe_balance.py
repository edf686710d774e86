"""Switch load-balancing loss: the worked example's f_i and P_i, and the loss as routing collapses."""
from __future__ import annotations

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from plots._svg import render  # noqa: E402
import numpy as np  # noqa: E402

LOGITS = np.array([[3.0, 1.0, 0.0, 0.0],
                   [2.0, 1.5, 0.0, 0.0],
                   [0.5, 2.5, 0.0, 0.0],
                   [2.0, 0.0, 1.0, 0.0],
                   [0.0, 2.0, 0.0, 1.0],
                   [0.0, 0.0, 0.0, 2.0]])

LABELS = {
    "en": {
        "f": "f_i (fraction dispatched)",
        "P": "P_i (mean router prob.)",
        "uniform": "uniform 1/N",
        "expert": "expert {i}",
        "example_title": "Worked example: N * sum f_i P_i = {loss:.3f}",
        "xlabel": "collapse t (0 = uniform, 1 = all on one expert)",
        "ylabel": "aux loss / alpha  (f = P)",
        "title": "Min 1 (uniform), max N (collapse)",
    },
    "zh": {
        "f": "f_i（分发到该专家的 token 比例）",
        "P": "P_i（路由概率的均值）",
        "uniform": "均匀值 1/N",
        "expert": "专家 {i}",
        "example_title": "本例：N * sum f_i P_i = {loss:.3f}",
        "xlabel": "坍缩程度 t（0 = 均匀，1 = 全部路由到一个专家）",
        "ylabel": "辅助损失 / alpha（f = P）",
        "title": "最小为 1（均匀），最大为 N（完全坍缩）",
    },
}


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def draw(lab: dict):
    n = LOGITS.shape[1]
    p = softmax(LOGITS)
    f = np.bincount(p.argmax(-1), minlength=n) / len(p)
    P = p.mean(0)

    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    x = np.arange(n)
    axes[0].bar(x - 0.2, f, 0.4, label=lab["f"])
    axes[0].bar(x + 0.2, P, 0.4, label=lab["P"])
    axes[0].axhline(1 / n, color="gray", linestyle="--", label=lab["uniform"])
    axes[0].set_xticks(x, [lab["expert"].format(i=i) for i in x])
    axes[0].set_title(lab["example_title"].format(loss=n * (f * P).sum()))
    axes[0].legend(fontsize=8)

    for n_exp in (4, 8, 16):
        s = np.linspace(0, 1, 101)
        # router probabilities slide from uniform to all mass on expert 0; dispatch follows them (f = P)
        loss = [n_exp * np.sum(((1 - t) / n_exp + t * np.eye(n_exp)[0]) ** 2) for t in s]
        axes[1].plot(s, loss, label=f"N = {n_exp}")
    axes[1].set_xlabel(lab["xlabel"])
    axes[1].set_ylabel(lab["ylabel"])
    axes[1].set_title(lab["title"])
    axes[1].set_yscale("log", base=2)
    axes[1].legend()
    fig.tight_layout()
    return fig


def main(out_dir: pathlib.Path) -> list[pathlib.Path]:
    return render(out_dir, "components_moe_balance.svg", LABELS, draw)


if __name__ == "__main__":
    print(main(pathlib.Path("docs/assets/plots")))
