"""The query encoder of a long-running server: the same model run by onnxruntime, its layers fused.

A fresh `kb search` process embeds its one query with search/encoders/query_encoder.py
(NumPy over memory-mapped weights), because creating an onnxruntime session
costs more than the whole query. `kb serve` pays that once at start and then
embeds each query 2–3 times faster: onnxruntime's transformer optimizer fuses
BERT's attention, its GELUs and its residual LayerNorms into single kernels,
and its matrix products use weights packed once at load (BENCHMARKS.md "Speed").

`kb index` writes ``model.onnx`` into the exported encoder's directory, next to
the NumPy weights, using their tokenizer and probe vectors: the ONNX graph is
sentence-transformers' BERT with mean pooling and normalisation added (a batch
of one, no padding). The export is refused unless it reproduces the probes
(cosine ≥ 1 − 1e-5), and its SHA-256 is kept beside it. Loading checks the
digest (skipped while the file's stamp is unchanged since it last matched,
search/index/stamps.py) and one probe: a probe alone would miss damage to the
embeddings of words it does not use. The tests compare every evaluation query
with sentence-transformers.
"""
from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

from search.errors import ModelUnavailable
from search.index.files import sha256_file
from search.encoders.query_encoder import MIN_COSINE, PROBES, NumpyEncoder
from search.index.stamps import read_record, settled, stamp, write_record

ONNX_FILE = "model.onnx"
DIGEST = "model.onnx.sha256"
VERIFIED = "verified-onnx.json"
THREADS = 2
"""Intra-op threads: two cores halve a 12-token query (3.4 ms instead of 6 ms here); more gain nothing at these sizes."""


def export(model_path: str, directory: Path) -> Path:
    """Write ``directory/model.onnx`` for the model whose NumPy export is ``directory``; return its path.

    Raises ModelUnavailable when the model cannot be exported or the result does not reproduce the probes.
    """
    try:
        import torch
        from onnxruntime.transformers.optimizer import optimize_model
    except ImportError as exc:
        raise ModelUnavailable(f"cannot export the server's query encoder ({exc.name} is missing); kb serve will use NumPy") from None
    from search.encoders.dense import load_model

    bert = load_model(model_path)[0].auto_model
    config = bert.config
    attention = config._attn_implementation
    raw = directory / f".tmp-raw-{os.getpid()}.onnx"
    fused = directory / f".tmp-{ONNX_FILE}-{os.getpid()}"
    digest = directory / f".tmp-{DIGEST}-{os.getpid()}"
    try:
        bert.set_attn_implementation("eager")  # the optimizer recognises (and fuses) only the eager attention graph
        sample = torch.tensor([[101, 2339, 2515, 15131, 23032, 102]])
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's notes on shape checks; lengths 4-256 are tested
            torch.onnx.export(
                _pooled(bert.eval()), (sample,), str(raw), dynamo=False, opset_version=17,
                input_names=["input_ids"], output_names=["embedding"], dynamic_axes={"input_ids": {1: "tokens"}},
            )
            optimize_model(
                str(raw), model_type="bert", num_heads=config.num_attention_heads, hidden_size=config.hidden_size, opt_level=0
            ).save_model_to_file(str(fused))
        digest.write_text(sha256_file(fused), encoding="utf-8")
        check = OnnxEncoder(NumpyEncoder(directory, verify=False), fused, digest)
        worst = float(np.min(np.sum(check.encode(list(PROBES)) * np.load(directory / "probes.npy"), axis=1)))
        if worst < MIN_COSINE:
            raise ModelUnavailable(f"the ONNX query encoder differs from sentence-transformers (cosine {worst:.7f}); kb serve will use NumPy")
        os.replace(digest, directory / DIGEST)
        os.replace(fused, directory / ONNX_FILE)
    except ModelUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 — torch's exporter and onnx raise many types; any of them means "not exported"
        raise ModelUnavailable(f"cannot export the server's query encoder ({type(exc).__name__}); kb serve will use NumPy") from None
    finally:
        bert.set_attn_implementation(attention)
        for tmp in (raw, fused, digest):
            tmp.unlink(missing_ok=True)
    return directory / ONNX_FILE


def check_file(path: Path, digest: Path) -> None:
    """Raise ModelUnavailable unless ``path`` still has the SHA-256 stored in ``digest`` (hashed only when its stamp
    changed since it last matched: 0.2 s for the 90 MB graph)."""
    record = path.parent / VERIFIED
    try:
        current = stamp(path)
        if read_record(record).get(path.name) == current:
            return
        matches = sha256_file(path) == digest.read_text(encoding="utf-8").strip()
    except OSError:
        matches = False
    if not matches:
        raise ModelUnavailable(f"{path} is missing or damaged; run 'kb index' to export it again")
    if settled(current):
        write_record(record, {path.name: current})


def _pooled(bert):  # noqa: ANN001, ANN202 — torch types are imported lazily
    import torch

    class Pooled(torch.nn.Module):
        """BERT, then mean pooling over the tokens and unit length: what sentence-transformers computes for one text."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids):  # noqa: ANN001, ANN202
            hidden = self.bert(
                input_ids=input_ids, attention_mask=torch.ones_like(input_ids), token_type_ids=torch.zeros_like(input_ids)
            ).last_hidden_state
            pooled = hidden.mean(1)
            return pooled / pooled.norm(dim=-1, keepdim=True).clamp_min(1e-12)

    return Pooled()


class OnnxEncoder:
    """Embeds queries with ``model.onnx`` (see module doc); same interface as ``dense.Encoder.encode``.

    Args:
        tokens: the NumPy export the graph belongs to; it tokenizes, and gives the label and the probes.
        path: the graph (default: ``model.onnx`` in the export's directory).
        digest: the file holding the graph's SHA-256 (default: ``model.onnx.sha256`` beside the default graph).
    """

    kind = "onnxruntime"

    def __init__(self, tokens: NumpyEncoder, path: Path | None = None, digest: Path | None = None) -> None:
        path = path or tokens.directory / ONNX_FILE
        try:
            import onnxruntime as ort
        except ImportError:
            raise ModelUnavailable("onnxruntime is not installed; queries use the NumPy encoder") from None
        if not path.is_file():
            raise ModelUnavailable(f"no {ONNX_FILE} in {tokens.directory}; run 'kb index' to export it")
        check_file(path, digest or tokens.directory / DIGEST)
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.intra_op_num_threads = max(1, min(THREADS, os.cpu_count() or 1))
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # noqa: BLE001 — onnxruntime raises its own exception types
            raise ModelUnavailable(f"{path} is unusable ({type(exc).__name__}); run 'kb index' to export it again") from None
        self.tokens = tokens
        self.label = tokens.label
        self.dim = tokens.dim
        self.path = path
        try:
            agrees = float(self.encode([PROBES[0]])[0] @ np.load(tokens.directory / "probes.npy")[0]) >= MIN_COSINE
        except Exception:  # noqa: BLE001 — a graph with other inputs or outputs fails inside onnxruntime
            agrees = False
        if not agrees:
            raise ModelUnavailable(f"{path} no longer matches the model; run 'kb index' to export it again")

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        """Unit-length float32 embeddings, one row per text (each text is run on its own: no padding)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            ids = np.asarray([self.tokens.token_ids(text)], dtype=np.int64)
            out[row] = self.session.run(None, {"input_ids": ids})[0][0]
        return out
