"""Grid search vs random search with one important and one unimportant hyperparameter
(after Bergstra & Bengio 2012, Figure 1); training/hyperparameters page."""
from __future__ import annotations

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from plots._svg import render  # noqa: E402
import numpy as np  # noqa: E402

LABELS = {
    "en": {
        "grid": "grid search: 9 trials, 3 distinct x",
        "random": "random search: 9 trials, 9 distinct x",
        "xlabel": "important hyperparameter x",
        "ylabel": "unimportant hyperparameter y",
        "score": "score",
        "suptitle": "When only x matters, random search tries more distinct values of it",
    },
    "zh": {
        "grid": "网格搜索：9 次试验，x 只有 3 个不同取值",
        "random": "随机搜索：9 次试验，x 有 9 个不同取值",
        "xlabel": "重要的超参数 x",
        "ylabel": "不重要的超参数 y",
        "score": "得分",
        "suptitle": "只有 x 起作用时，随机搜索能试到更多不同的 x 值",
    },
}


def important(x: np.ndarray) -> np.ndarray:
    """Validation score as a function of the important hyperparameter (peak at 0.73)."""
    return np.exp(-((x - 0.73) ** 2) / (2 * 0.06**2))


def draw(lab: dict):
    grid = np.array([(x, y) for x in (1 / 6, 3 / 6, 5 / 6) for y in (1 / 6, 3 / 6, 5 / 6)])
    rand = np.random.default_rng(3).uniform(size=(9, 2))
    xs = np.linspace(0, 1, 400)
    fig, axes = plt.subplots(2, 2, figsize=(8.5, 5.6), sharex=True,
                             gridspec_kw={"height_ratios": [3, 1.2]})
    for col, pts, title in ((0, grid, lab["grid"]), (1, rand, lab["random"])):
        top, bottom = axes[0, col], axes[1, col]
        top.scatter(pts[:, 0], pts[:, 1], color="tab:blue", zorder=3)
        top.set_title(title, fontsize=10)
        top.set_xlim(0, 1)
        top.set_ylim(0, 1)
        top.grid(alpha=0.3)
        bottom.plot(xs, important(xs), color="tab:green", linewidth=1.5)
        bottom.scatter(pts[:, 0], important(pts[:, 0]), color="tab:red", zorder=3, s=18)
        bottom.set_ylim(-0.05, 1.1)
        bottom.set_xlabel(lab["xlabel"])
        bottom.grid(alpha=0.3)
    axes[0, 0].set_ylabel(lab["ylabel"])
    axes[1, 0].set_ylabel(lab["score"])
    fig.suptitle(lab["suptitle"], fontsize=11)
    fig.tight_layout()
    return fig


def main(out_dir: pathlib.Path) -> list[pathlib.Path]:
    return render(out_dir, "training_practice_grid_vs_random.svg", LABELS, draw)


if __name__ == "__main__":
    print(main(pathlib.Path("docs/assets/plots")))
