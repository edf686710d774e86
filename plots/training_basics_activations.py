"""Common activation functions and their derivatives (sigmoid, tanh, ReLU, Leaky ReLU, GELU, SiLU)."""
from __future__ import annotations

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from plots._svg import render  # noqa: E402
import numpy as np  # noqa: E402
from scipy.special import erf  # noqa: E402

SLOPE = 0.1  # Leaky ReLU slope, larger than the usual 0.01 so that it is visible


def _phi(x):
    return np.exp(-0.5 * x**2) / np.sqrt(2 * np.pi)


def _Phi(x):
    return 0.5 * (1 + erf(x / np.sqrt(2)))


def _sig(x):
    return 1 / (1 + np.exp(-x))


CURVES = {
    "sigmoid": (_sig, lambda x: _sig(x) * (1 - _sig(x))),
    "tanh": (np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "ReLU": (lambda x: np.maximum(x, 0), lambda x: (x > 0).astype(float)),
    f"Leaky ReLU ({SLOPE})": (lambda x: np.where(x > 0, x, SLOPE * x), lambda x: np.where(x > 0, 1.0, SLOPE)),
    "GELU": (lambda x: x * _Phi(x), lambda x: _Phi(x) + x * _phi(x)),
    "SiLU / Swish": (lambda x: x * _sig(x), lambda x: _sig(x) * (1 + x * (1 - _sig(x)))),
}


LABELS = {
    "en": {
        "functions": "Activation functions f(x)",
        "derivatives": "Derivatives f'(x)",
        "max_note": "max sigmoid' = 0.25",
    },
    "zh": {
        "functions": "激活函数 f(x)",
        "derivatives": "导数 f'(x)",
        "max_note": "sigmoid' 的最大值 = 0.25",
    },
}


def draw(lab: dict, idx: int):
    """Idx 0: the functions, idx 1: their derivatives."""
    x = np.linspace(-5, 5, 1001)
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for label, fns in CURVES.items():
        ax.plot(x, fns[idx](x), label=label)
    ax.axhline(0, color="grey", lw=0.5)
    ax.axvline(0, color="grey", lw=0.5)
    if idx == 0:
        ax.set_ylim(-1.5, 3)
    else:
        ax.axhline(0.25, color="grey", ls=":", lw=0.8)
        ax.text(-4.9, 0.27, lab["max_note"], fontsize=8, color="grey")
        ax.set_ylim(-0.2, 1.2)
    ax.set_xlabel("x")
    ax.set_title(lab["functions" if idx == 0 else "derivatives"])
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def main(out_dir: pathlib.Path) -> list[pathlib.Path]:
    paths = []
    for name, idx in (("functions", 0), ("derivatives", 1)):
        paths += render(out_dir, f"training_basics_activation_{name}.svg", LABELS, lambda lab, idx=idx: draw(lab, idx))
    return paths
