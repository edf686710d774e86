"""Which encoder embeds queries: sentence-transformers, its NumPy export, or the export's onnxruntime graph.

All three give the same vectors (within 1e-5 cosine, tested over the
evaluation queries); they differ in what they cost to start and to run
(BENCHMARKS.md "Speed"). A fresh `kb search` uses the NumPy export, which starts in
tens of milliseconds; a server, once warm, switches to the onnxruntime graph,
which is 2–3 times faster per query but 0.1–0.2 s to load.
"""
from __future__ import annotations

from pathlib import Path

from search.encoders.dense import Encoder
from search.errors import ModelUnavailable


def for_queries(encoder, cache: Path, name: str):  # noqa: ANN001, ANN201 — an Encoder, or its NumPy twin
    """The exported NumPy encoder in ``cache/name`` when it belongs to ``encoder``'s model, else ``encoder`` itself."""
    if name and isinstance(encoder, Encoder):
        from search.encoders.query_encoder import NumpyEncoder

        try:
            fast = NumpyEncoder(cache / name)
            if fast.label == encoder.label:
                return fast
        except ModelUnavailable:
            pass  # sentence-transformers gives the same vectors, only slower to start
    return encoder


def for_server(encoder):  # noqa: ANN001, ANN201 — what for_queries gave
    """The onnxruntime graph of a NumPy export, when the index exported one and it loads; else ``encoder`` unchanged
    (the reason is logged to ``kb.serve``)."""
    from search.encoders.query_encoder import NumpyEncoder

    if not isinstance(encoder, NumpyEncoder):
        return encoder
    from search.encoders.onnx_encoder import OnnxEncoder

    try:
        return OnnxEncoder(encoder)
    except ModelUnavailable as exc:
        import logging

        logging.getLogger("kb.serve").warning("%s", exc)
        return encoder


def kind(encoder) -> str:  # noqa: ANN001
    """'onnxruntime', 'numpy' or 'sentence-transformers' ('' for None: no dense query yet)."""
    return "" if encoder is None else getattr(encoder, "kind", type(encoder).__name__)
