"""GPT-3 model sizes (Table 2.1 of arXiv:2005.14165): reported parameters vs the 12*L*d^2 estimate."""
from __future__ import annotations

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from plots._svg import save_svg  # noqa: E402

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


def estimate(n_layers: int, d_model: int, with_embeddings: bool = True) -> float:
    """12*L*d^2 for the blocks (+ token and position embeddings)."""
    blocks = 12 * n_layers * d_model**2
    return blocks + ((VOCAB + CONTEXT) * d_model if with_embeddings else 0)


def main(out_dir: pathlib.Path) -> list[pathlib.Path]:
    fig, ax = plt.subplots(figsize=(6, 4.2))
    reported = [r for _, r, _, _ in GPT3_SIZES]
    blocks = [estimate(L, d, False) for _, _, L, d in GPT3_SIZES]
    total = [estimate(L, d) for _, _, L, d in GPT3_SIZES]
    ax.plot([1e8, 3e11], [1e8, 3e11], color="0.7", lw=1, label="estimate = reported")
    ax.scatter(reported, blocks, marker="o", label=r"$12 L d^2$ (blocks only)")
    ax.scatter(reported, total, marker="x", label=r"$12 L d^2$ + embeddings")
    for (name, r, _, _), t in zip(GPT3_SIZES, total):
        ax.annotate(name, (r, t), textcoords="offset points", xytext=(5, -10), fontsize=8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("reported parameters (GPT-3 paper, Table 2.1)")
    ax.set_ylabel("estimated parameters")
    ax.set_title("GPT-3 sizes: parameter estimate vs paper")
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = save_svg(fig, out_dir, "models_gpt3_sizes.svg")
    return [path]


if __name__ == "__main__":
    print(main(pathlib.Path("docs/assets/plots")))
