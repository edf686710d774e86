"""The query encoder without torch: all-MiniLM-L6-v2's forward pass in NumPy over exported weights.

sentence-transformers stays the definition of the model and embeds every
passage at index time. For queries, importing torch and transformers alone
costs seconds, and even an onnxruntime session takes 0.4 s to load this model
(measured, BENCHMARKS.md "Speed"), so `kb index` also exports the BERT weights once
into one flat float32 file that a query process memory-maps, and this module
runs the same computation: embeddings → 6 × (self-attention, feed-forward,
each with a residual and LayerNorm) → mean pooling over tokens → unit length.
Tokenization is the model's own ``tokenizer.json`` (copied beside the weights at
export) through the `tokenizers` library, truncated at the model's max_seq_length:
the same ids sentence-transformers feeds the model, without importing transformers.

Equality with sentence-transformers is checked twice: at export time on a few
probe sentences (the export is refused when any cosine is below 1 − 1e-5), and
in the tests over the evaluation queries. The probes' reference vectors are
stored beside the weights; loading re-encodes one and refuses weights that no
longer reproduce it (a damaged or altered cache). Like the index files, files
that passed this check and have not changed since are not checked again
(search/index/stamps.py).
"""
from __future__ import annotations

import json
import math
import os
import shutil
from pathlib import Path

import numpy as np

from search.errors import ModelUnavailable
from search.index.stamps import read_record, settled, stamp, write_record

FORMAT = 2
FILES = ("meta.json", "weights.bin", "tokenizer.json", "probes.npy")
VERIFIED = "verified.json"
PROBES = (
    "why does grouped query attention save memory",
    "rotary position embedding rotates query and key vectors",
    "LayerNorm vs RMSNorm: which statistics are used?",
)
MIN_COSINE = 1 - 1e-5
DENORMAL_FLOOR = -80.0
"""exp() arguments are clipped here: exp(-80) ≈ 2e-35 still is a normal float32, while smaller results
are subnormal, and arithmetic on subnormals is up to 100 times slower on x86 (a 13-token query took
1.7 s instead of 15 ms). Terms that small do not change a float32 sum."""


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    """LayerNorm over the last axis of a [tokens, hidden] temporary, computed in place in ``x``."""
    scale = 1.0 / x.shape[1]
    mean = np.add.reduce(x, axis=1, keepdims=True)
    mean *= scale
    x -= mean
    var = np.einsum("ij,ij->i", x, x)[:, None]
    var *= scale
    var += eps
    np.sqrt(var, out=var)
    x /= var
    x *= weight
    x += bias
    return x


_ERFC_FIT = (-0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806, 0.09678418, 0.37409196, 1.00002368)
"""Numerical Recipes' Chebyshev fit of erfc (fractional error below 1.2e-7), innermost coefficient 0.17087277 first."""


def _gelu(x: np.ndarray) -> np.ndarray:
    """The exact (erf) GELU that BERT's 'gelu' activation uses, x·Φ(x), in place in ``x`` (NumPy has no erf).

    Φ(x) = 1 − q for x ≥ 0 and q for x < 0, where q = erfc(|x|/√2)/2 is the normal tail.
    """
    z = np.abs(x)
    z *= math.sqrt(0.5)
    t = z * 0.5
    t += 1.0
    np.reciprocal(t, out=t)
    q = t * 0.17087277
    for c in _ERFC_FIT:
        q += c
        q *= t
    q -= 1.26551223
    z *= z
    q -= z
    np.maximum(q, DENORMAL_FLOOR, out=q)
    np.exp(q, out=q)
    q *= t
    q *= 0.5
    np.copysign(q, x, out=q)  # Φ(x) = [x ≥ 0] − sign(x)·q, without a masked ufunc (where= costs 10 times more)
    phi = np.greater_equal(x, 0.0).astype(np.float32)
    phi -= q
    x *= phi
    return x


class NumpyEncoder:
    """Embeds queries with exported BERT weights (see module doc); same interface as ``dense.Encoder.encode``.

    Args:
        directory: a directory written by :func:`export`.
        verify: re-encode a probe sentence on load and compare it with the stored reference.
    """

    kind = "numpy"

    def __init__(self, directory: Path, verify: bool = True) -> None:
        self.directory = directory
        try:
            meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT:
                raise ValueError(f"format {meta.get('format')}")
            flat = np.memmap(directory / "weights.bin", dtype=np.float32, mode="r").view(np.ndarray)  # plain arrays: no memmap subclass on every result
            if flat.size != int(meta["size"]):
                raise ValueError("weights.bin has the wrong size")
            self.weights = {name: flat[start : start + math.prod(shape)].reshape(shape) for name, (start, shape) in meta["weights"].items()}
            self.max_length = int(meta["max_seq_length"])
            probes = np.load(directory / "probes.npy")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelUnavailable(f"exported query encoder in {directory} is unusable ({type(exc).__name__}); run 'kb index' to export it again") from None
        self.tokenizer = _load_tokenizer(directory, self.max_length)
        self.label = meta["label"]
        self.layers = int(meta["layers"])
        self.heads = int(meta["heads"])
        self.eps = float(meta["eps"])
        self.dim = int(meta["dim"])
        if verify and not self._unchanged_since_verified():
            if float(self.encode([PROBES[0]])[0] @ probes[0]) < MIN_COSINE:
                raise ModelUnavailable(f"exported query encoder in {directory} no longer matches the model; run 'kb index' to export it again")
            self._record_verified()

    def _stamps(self) -> dict[str, list[int]]:
        return {name: stamp(self.directory / name) for name in FILES}

    def _unchanged_since_verified(self) -> bool:
        try:
            return read_record(self.directory / VERIFIED) == self._stamps()
        except OSError:
            return False

    def _record_verified(self) -> None:
        """Remember the files' stamps after a passed check, once none of them changed a moment ago (search/index/stamps.py)."""
        try:
            stamps = self._stamps()
        except OSError:
            return
        if all(settled(entry) for entry in stamps.values()):
            write_record(self.directory / VERIFIED, stamps)

    def token_ids(self, text: str) -> list[int]:
        """The ids the model sees for ``text``: its tokenizer's, special tokens included ([CLS] … [SEP] for BERT)."""
        return self.tokenizer.encode(text).ids

    def _forward(self, ids: list[int]) -> np.ndarray:
        """One text's unit embedding; temporaries are updated in place (fewer allocations: p99 22 → 17 ms)."""
        w = self.weights
        n, hidden, heads = len(ids), self.weights["position"].shape[1], self.heads
        size = hidden // heads
        x = w["word"][ids] + w["position"][:n]
        x += w["token_type"][0]  # a single sentence: token type 0 throughout
        x = _layer_norm(x, w["emb_ln_w"], w["emb_ln_b"], self.eps)
        for i in range(self.layers):
            qkv = x @ w[f"{i}.qkv_w"]
            qkv += w[f"{i}.qkv_b"]
            q, k, v = qkv.reshape(n, 3, heads, size).transpose(1, 2, 0, 3)  # each [heads, n, size]
            scores = q @ k.transpose(0, 2, 1)
            scores *= 1.0 / math.sqrt(size)
            scores -= scores.max(-1, keepdims=True)
            np.maximum(scores, DENORMAL_FLOOR, out=scores)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(1, 0, 2).reshape(n, hidden)
            h = context @ w[f"{i}.out_w"]
            h += w[f"{i}.out_b"]
            h += x
            x = _layer_norm(h, w[f"{i}.ln1_w"], w[f"{i}.ln1_b"], self.eps)
            up = x @ w[f"{i}.up_w"]
            up += w[f"{i}.up_b"]
            h = _gelu(up) @ w[f"{i}.down_w"]
            h += w[f"{i}.down_b"]
            h += x
            x = _layer_norm(h, w[f"{i}.ln2_w"], w[f"{i}.ln2_b"], self.eps)
        pooled = x.mean(0)
        return pooled / max(float(np.linalg.norm(pooled)), 1e-12)

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        """Unit-length float32 embeddings, one row per text (each text is run on its own: no padding)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row] = self._forward(self.token_ids(text))
        return out


def _load_tokenizer(directory: Path, max_length: int):  # noqa: ANN202 — a tokenizers.Tokenizer
    """The model's tokenizer from ``directory/tokenizer.json``: no padding, truncated at ``max_length`` (special tokens included)."""
    from tokenizers import Tokenizer

    try:
        tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
    except Exception as exc:  # noqa: BLE001 — tokenizers raises its own Exception type
        raise ModelUnavailable(f"exported query encoder in {directory} is unusable ({type(exc).__name__}); run 'kb index' to export it again") from None
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length)
    return tokenizer


def cache_key(model: str) -> str:
    """Names the export of ``model``: changes when the model's files change."""
    import hashlib

    digest = hashlib.sha256(f"{FORMAT}\n{model}".encode())
    root = Path(model)
    for name in ("config.json", "tokenizer.json", "sentence_bert_config.json", "modules.json", "1_Pooling/config.json", "model.safetensors"):
        path = root / name
        if path.exists():
            stat = path.stat()
            digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def export(model_path: str, label: str, directory: Path) -> Path:
    """Write the query encoder for a sentence-transformers model into ``directory`` (atomically); return it.

    Only models shaped like all-MiniLM-L6-v2 are exported: a BERT transformer,
    mean pooling, then normalization. Anything else raises ModelUnavailable and
    queries keep using sentence-transformers.
    """
    from search.encoders.dense import load_model

    model = load_model(model_path)
    kinds = [type(module).__name__ for module in model]
    pooling = getattr(model[1], "pooling_mode", None) if len(model) > 1 else None
    bert = model[0].auto_model
    if kinds != ["Transformer", "Pooling", "Normalize"] or pooling not in (None, "mean") or type(bert).__name__ != "BertModel":
        raise ModelUnavailable(f"cannot export {label} for fast queries (modules {kinds}); queries will use sentence-transformers")
    if getattr(model[1], "pooling_mode_mean_tokens", True) is False:
        raise ModelUnavailable(f"cannot export {label}: pooling is not mean pooling")
    config = bert.config
    state = {k: v.detach().cpu().numpy().astype(np.float32) for k, v in bert.state_dict().items()}
    weights: dict[str, np.ndarray] = {
        "word": state["embeddings.word_embeddings.weight"],
        "position": state["embeddings.position_embeddings.weight"],
        "token_type": state["embeddings.token_type_embeddings.weight"],
        "emb_ln_w": state["embeddings.LayerNorm.weight"],
        "emb_ln_b": state["embeddings.LayerNorm.bias"],
    }
    for i in range(config.num_hidden_layers):
        p = f"encoder.layer.{i}."
        weights[f"{i}.qkv_w"] = np.concatenate([state[p + f"attention.self.{n}.weight"].T for n in ("query", "key", "value")], axis=1)
        weights[f"{i}.qkv_b"] = np.concatenate([state[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")])
        weights[f"{i}.out_w"] = state[p + "attention.output.dense.weight"].T
        weights[f"{i}.out_b"] = state[p + "attention.output.dense.bias"]
        weights[f"{i}.ln1_w"] = state[p + "attention.output.LayerNorm.weight"]
        weights[f"{i}.ln1_b"] = state[p + "attention.output.LayerNorm.bias"]
        weights[f"{i}.up_w"] = state[p + "intermediate.dense.weight"].T
        weights[f"{i}.up_b"] = state[p + "intermediate.dense.bias"]
        weights[f"{i}.down_w"] = state[p + "output.dense.weight"].T
        weights[f"{i}.down_b"] = state[p + "output.dense.bias"]
        weights[f"{i}.ln2_w"] = state[p + "output.LayerNorm.weight"]
        weights[f"{i}.ln2_b"] = state[p + "output.LayerNorm.bias"]
    if config.hidden_act != "gelu" or getattr(config, "position_embedding_type", "absolute") != "absolute":
        raise ModelUnavailable(f"cannot export {label}: activation {config.hidden_act}, positions {config.position_embedding_type}")

    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = directory.parent / f".tmp-{directory.name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        layout, start = {}, 0
        with (tmp / "weights.bin").open("wb") as handle:
            for name, array in weights.items():
                array = np.ascontiguousarray(array, dtype=np.float32)
                handle.write(array.tobytes())
                layout[name] = (start, list(array.shape))
                start += array.size
        if not (Path(model_path) / "tokenizer.json").is_file():
            raise ModelUnavailable(f"cannot export {label}: it has no tokenizer.json; queries will use sentence-transformers")
        shutil.copyfile(Path(model_path) / "tokenizer.json", tmp / "tokenizer.json")
        reference = np.asarray(model.encode(list(PROBES), normalize_embeddings=True, convert_to_numpy=True), dtype=np.float32)
        np.save(tmp / "probes.npy", reference)
        meta = {
            "format": FORMAT, "label": label, "layers": config.num_hidden_layers, "heads": config.num_attention_heads,
            "eps": config.layer_norm_eps, "dim": int(reference.shape[1]), "max_seq_length": int(model.max_seq_length),
            "weights": layout, "size": start,
        }
        (tmp / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
        fast = NumpyEncoder(tmp, verify=False)
        check = fast.encode(list(PROBES))  # wrong token ids would give other vectors: the probes check the tokenizer too
        worst = float(np.min(np.sum(check * reference, axis=1)))
        if worst < MIN_COSINE:
            raise ModelUnavailable(f"the NumPy query encoder differs from sentence-transformers (cosine {worst:.7f}); queries will use sentence-transformers")
        if directory.exists():
            shutil.rmtree(directory)
        tmp.rename(directory)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return directory
