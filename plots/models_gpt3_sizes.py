"""GPT-3 model sizes (Table 2.1 of arXiv:2005.14165): reported parameters vs the 12*L*d^2 estimate."""
from __future__ import annotations

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from plots._svg import render  # noqa: E402

# name, reported parameters, n_layers, d_model  (Brown et al. 2020, Table 2.1)
GPT3_SIZES = [
    ("Small", 125e6, 12, 768),
    ("Medium", 350e6, 24, 1024),
    ("Large", 760e6, 24, 1536),
    ("XL", 1.3e9, 24, 2048),
    ("2.7B", 2.7e9, 32, 2560),
    ("6.7B", 6.7e9, 32, 4096),
    ("13B", 13.0e9, 40, 5140),
    ("175B", 175.0e9, 96, 12288),
]
VOCAB = 50257
CONTEXT = 2048

# mathtext ($...$) cannot hold Chinese: the Chinese legend writes 12·L·d² as plain text, as the zh page does
LABELS = {
    "en": {
        "diagonal": "estimate = reported",
        "blocks": r"$12 L d^2$ (blocks only)",
        "total": r"$12 L d^2$ + embeddings",
        "xlabel": "reported parameters (GPT-3 paper, Table 2.1)",
        "ylabel": "estimated parameters",
        "title": "GPT-3 sizes: parameter estimate vs paper",
    },
    "zh": {
        "diagonal": "估算值 = 报告值",
        "blocks": "12·L·d²（只算 Transformer 块）",
        "total": "12·L·d² + 嵌入层",
        "xlabel": "报告的参数量（GPT-3 论文表 2.1）",
        "ylabel": "估算的参数量",
        "title": "GPT-3 各规模：参数量估算与论文对比",
    },
}


def estimate(n_layers: int, d_model: int, with_embeddings: bool = True) -> float:
    """12*L*d^2 for the blocks (+ token and position embeddings)."""
    blocks = 12 * n_layers * d_model**2
    return blocks + ((VOCAB + CONTEXT) * d_model if with_embeddings else 0)


def draw(lab: dict):
    fig, ax = plt.subplots(figsize=(6, 4.2))
    reported = [r for _, r, _, _ in GPT3_SIZES]
    blocks = [estimate(L, d, False) for _, _, L, d in GPT3_SIZES]
    total = [estimate(L, d) for _, _, L, d in GPT3_SIZES]
    ax.plot([1e8, 3e11], [1e8, 3e11], color="0.7", lw=1, label=lab["diagonal"])
    ax.scatter(reported, blocks, marker="o", label=lab["blocks"])
    ax.scatter(reported, total, marker="x", label=lab["total"])
    for (name, r, _, _), t in zip(GPT3_SIZES, total):
        ax.annotate(name, (r, t), textcoords="offset points", xytext=(5, -10), fontsize=8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(lab["xlabel"])
    ax.set_ylabel(lab["ylabel"])
    ax.set_title(lab["title"])
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def main(out_dir: pathlib.Path) -> list[pathlib.Path]:
    return render(out_dir, "models_gpt3_sizes.svg", LABELS, draw)


if __name__ == "__main__":
    print(main(pathlib.Path("docs/assets/plots")))
