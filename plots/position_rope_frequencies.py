"""RoPE rotation frequencies theta_i = base^(-2i/d) and their wavelengths 2*pi/theta_i."""
from __future__ import annotations

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from plots._svg import save_svg  # noqa: E402
import numpy as np  # noqa: E402


def main(out_dir: pathlib.Path) -> list[pathlib.Path]:
    d = 128  # head dimension of Llama-style models
    i = np.arange(d // 2)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    for base, style in [(10_000.0, "-"), (500_000.0, "--")]:
        theta = base ** (-2 * i / d)
        ax1.semilogy(i, theta, style, label=f"base = {base:,.0f}")
        ax2.semilogy(i, 2 * np.pi / theta, style, label=f"base = {base:,.0f}")
    ax1.set_xlabel("pair index i")
    ax1.set_ylabel(r"$\theta_i$ (radians per position)")
    ax1.set_title(r"Rotation frequency $\theta_i = \mathrm{base}^{-2i/d}$, d = 128")
    ax1.legend()
    ax2.axhline(8192, color="gray", lw=0.8, ls=":")
    ax2.text(1, 8192 * 1.3, "8192 tokens", color="gray", fontsize=8)
    ax2.set_xlabel("pair index i")
    ax2.set_ylabel(r"wavelength $2\pi/\theta_i$ (tokens)")
    ax2.set_title("Positions per full turn")
    ax2.legend()
    fig.tight_layout()
    path = save_svg(fig, out_dir, "position_rope_frequencies.svg")
    return [path]


if __name__ == "__main__":
    print(main(pathlib.Path("docs/assets/plots")))
