"""KV-cache memory of a Llama-2-70B-shaped model (80 layers, d_head 128, fp16) vs context length."""
from __future__ import annotations

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from plots._svg import save_svg  # noqa: E402
import numpy as np  # noqa: E402


def kv_cache_bytes(n_layers, n_kv_heads, head_dim, seq_len, batch, bytes_per_value=2):
    return 2 * n_layers * n_kv_heads * head_dim * seq_len * batch * bytes_per_value


def main(out_dir: pathlib.Path) -> list[pathlib.Path]:
    seq = np.arange(0, 4097, 128)
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    for label, kv_heads, style in [("MHA form (64 K/V heads)", 64, "-"),
                                   ("GQA-8 (8 K/V heads, as released)", 8, "--"),
                                   ("MQA form (1 K/V head)", 1, ":")]:
        gib = kv_cache_bytes(80, kv_heads, 128, seq, batch=1) / 2**30
        ax.plot(seq, gib, style, lw=2, label=label)
    ax.set_xlabel("tokens in the cache (batch 1)")
    ax.set_ylabel("KV cache size [GiB], fp16")
    ax.set_title("KV cache of a Llama-2-70B-shaped model (80 layers, head dim 128)")
    ax.set_xlim(0, 4096)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path = save_svg(fig, out_dir, "attention_kv_cache_memory.svg")
    return [path]
