"""KV-cache memory of a Llama-2-70B-shaped model (80 layers, d_head 128, fp16) vs context length."""
from __future__ import annotations

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from plots._svg import render  # noqa: E402
import numpy as np  # noqa: E402

LABELS = {
    "en": {
        "forms": ["MHA form (64 K/V heads)", "GQA-8 (8 K/V heads, as released)",
                  "MQA form (1 K/V head)"],
        "xlabel": "tokens in the cache (batch 1)",
        "ylabel": "KV cache size [GiB], fp16",
        "title": "KV cache of a Llama-2-70B-shaped model (80 layers, head dim 128)",
    },
    "zh": {
        "forms": ["MHA 形式（64 个 K/V 头）", "GQA-8（8 个 K/V 头，即发布版本）", "MQA 形式（1 个 K/V 头）"],
        "xlabel": "缓存中的 token 数（batch = 1）",
        "ylabel": "KV 缓存大小 [GiB]，fp16",
        "title": "Llama-2-70B 形状模型的 KV 缓存（80 层，每个头 128 维）",
    },
}


def kv_cache_bytes(n_layers, n_kv_heads, head_dim, seq_len, batch, bytes_per_value=2):
    return 2 * n_layers * n_kv_heads * head_dim * seq_len * batch * bytes_per_value


def draw(lab: dict):
    seq = np.arange(0, 4097, 128)
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    for label, kv_heads, style in zip(lab["forms"], (64, 8, 1), ("-", "--", ":")):
        gib = kv_cache_bytes(80, kv_heads, 128, seq, batch=1) / 2**30
        ax.plot(seq, gib, style, lw=2, label=label)
    ax.set_xlabel(lab["xlabel"])
    ax.set_ylabel(lab["ylabel"])
    ax.set_title(lab["title"])
    ax.set_xlim(0, 4096)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def main(out_dir: pathlib.Path) -> list[pathlib.Path]:
    return render(out_dir, "attention_kv_cache_memory.svg", LABELS, draw)
