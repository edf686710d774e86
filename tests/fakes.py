"""Test doubles."""
from __future__ import annotations

import hashlib
import re

import numpy as np


class FakeEncoder:
    """A deterministic bag-of-words embedder: same words, same direction. No model is loaded."""

    label = "fake-bow-64"
    model = "fake"
    dim = 64

    def __init__(self) -> None:
        self.calls = 0
        self.encoded = 0

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        self.calls += 1
        self.encoded += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm else out[row]
            if not norm:
                out[row, 0] = 1.0
        return out
