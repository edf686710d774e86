"""Stand-ins against the libraries they replace (not a test): cold cost, same outputs, and what a swap would cost.

Run: ``python -m benchmarks.standins`` (or ``make bench-standins``) against a built
index: $KB_INDEX_DIR, else index/ at the repository root (as `kb` and
benchmarks/speed.py use). Option: ``--runs N`` (default 7).

The project carries hand-written stand-ins so that a fresh `kb search` starts
fast. For each one this measures, in ONE run:

1. the stand-in's cold cost: a fresh Python process imports it, loads its
   data and does the job for one English and one Chinese query (cut /
   tokenize / encode / score against the real index); median of ``--runs``;
2. the library's cold cost for the same job, measured the same way; the
   stand-in and library processes alternate within each round, so they share
   the machine's noise;
3. whether the outputs are the same on every query of eval/queries/*.yaml
   (vectors cosine ≥ 1 − 1e-5; BM25 top-10 ids and scores within 1e-6
   relative), as a count of mismatching queries;
4. the end-to-end estimate: fresh `kb search` processes (hybrid and
   ``--mode bm25``, the commands of benchmarks/speed.py, timed in the same
   rounds) and today's figure + (library − stand-in), against the README's
   targets (hybrid ≤ 500 ms and ≤ 0.1 × the naive baseline, BM25-only ≤ 300 ms).

What a cold job process times: from after its preamble to the job's end. The
preamble is what a `kb search` process has loaded anyway when the stand-in
runs: ``import search`` (one BLAS thread), plus NumPy for the jobs of a hybrid
search; Python's own start is the same on both sides and is left out.
Whatever the library needs prepared once (a bm25s index, rank-bm25's token
lists) is written to a temporary directory before timing, as `kb index` would
write it.

The Chinese cutter (search/text/jieba_dict.py, now rjieba) and WordPiece
(search/encoders/wordpiece.py, now the `tokenizers` library) were measured here
too, until the libraries replaced them (commit 70ba857 has their rows).
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUSION_POOL = 50
"""Candidates a search asks each leg for (search/engine.py: FUSION_POOL, asserted equal when the benchmark starts)."""
ONNX_THREADS = 2
"""search/encoders/onnx_encoder.py: THREADS (asserted equal when the benchmark starts)."""
MIN_COSINE = 1 - 1e-5
REL_TOL = 1e-6

STANDINS = {
    "query_encoder": "search/encoders/query_encoder.py",
    "postings": "search/index/postings.py",
    "stamps": "search/index/stamps.py",
}
ROWS = (
    # stand-in, library side, which searches run the stand-in ("any": both modes, NumPy irrelevant), queries
    ("query_encoder", "onnxruntime", "hybrid", ("en", "zh")),
    ("postings", "bm25s", "hybrid", ("en", "zh")),
    ("postings", "bm25s", "bm25", ("en", "zh")),
    ("postings", "rank-bm25", "hybrid", ("en", "zh")),
    ("postings", "rank-bm25", "bm25", ("en", "zh")),
    ("stamps", "sha256 + probe", "hybrid", ("any",)),
    ("stamps", "sha256", "bm25", ("any",)),
)
LIBRARY_NOTES = {
    "onnxruntime": "model.onnx from `kb index`, kb serve's session options, the model's tokenizer.json for ids",
    "bm25s": "method atire (tf·(k1+1)) with Lucene IDF, float64: the project's formula",
    "rank-bm25": "search/index/bm25.py's BM25 (Lucene IDF) built from the passages' tokens",
    "sha256 + probe": "no stat cache: every index file hashed, the encoder's probe re-encoded",
    "sha256": "no stat cache: every index file hashed",
}


# ---------------------------------------------------------------- the cold jobs (run in fresh child processes)

def _tokenizers_ids(spec: dict) -> list[int]:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(Path(spec["encoder"]) / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(spec["max_length"])
    return tokenizer.encode(spec["text"]).ids


def _encoder_standin(spec: dict, state: dict) -> object:
    from search.encoders.query_encoder import NumpyEncoder

    return NumpyEncoder(Path(spec["encoder"])).encode([spec["text"]])[0][:4].tolist()


def _onnx_session(model: Path):  # noqa: ANN202 — an onnxruntime.InferenceSession
    import onnxruntime as ort

    options = ort.SessionOptions()  # the options of search/encoders/onnx_encoder.py
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.intra_op_num_threads = max(1, min(ONNX_THREADS, os.cpu_count() or 1))
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])


def _encoder_library(spec: dict, state: dict) -> object:
    import numpy as np

    session = _onnx_session(Path(spec["encoder"]) / "model.onnx")
    ids = _tokenizers_ids(spec)  # the same ids on both sides: this row is about the forward pass
    return session.run(None, {"input_ids": np.asarray([ids], dtype=np.int64)})[0][0][:4].tolist()


def _postings_standin(spec: dict, state: dict) -> object:
    from search.index.postings import Postings

    return Postings.load(Path(spec["build"]) / "bm25.bin").top(spec["tokens"], FUSION_POOL)[:3]


def _bm25s_top(retriever, tokens: list[str], n: int) -> list[tuple[int, float]]:  # noqa: ANN001 — a bm25s.BM25
    if not tokens:
        return []
    docs, scores = retriever.retrieve([tokens], k=n, show_progress=False, n_threads=0)
    return [(int(d), float(s)) for d, s in zip(docs[0].tolist(), scores[0].tolist()) if s > 0]


def _postings_bm25s(spec: dict, state: dict) -> object:
    import bm25s

    retriever = bm25s.BM25.load(spec["bm25s"], show_progress=False)
    return _bm25s_top(retriever, spec["tokens"], FUSION_POOL)[:3]


def _postings_rank_bm25(spec: dict, state: dict) -> object:
    import orjson

    from search.index.bm25 import BM25

    corpus = orjson.loads(Path(spec["corpus"]).read_bytes())
    return BM25(corpus).top(spec["tokens"], FUSION_POOL)[:3]


def _stamps_standin(spec: dict, state: dict) -> object:
    """What read_index and NumpyEncoder do: trust the files whose stamps equal the recorded ones."""
    from search.index.stamps import read_record, stamp

    build = Path(spec["build"])
    record = read_record(Path(spec["root"]) / "verified.json")
    known = record.get("stamps") if record.get("path") == str(build) else {}
    known = known if isinstance(known, dict) else {}
    trusted = all(known.get(name) == [*stamp(build / name), digest] for name, digest in spec["files"].items())
    if spec["context"] == "hybrid":
        encoder = Path(spec["encoder"])
        trusted = trusted and read_record(encoder / "verified.json") == {name: stamp(encoder / name) for name in spec["encoder_files"]}
    return trusted


def _stamps_library(spec: dict, state: dict) -> object:
    """The same decision without a stat cache: hash every index file; re-encode the encoder's probe."""
    import hashlib

    build = Path(spec["build"])
    ok = True
    for name, digest in spec["files"].items():
        with (build / name).open("rb") as handle:
            ok = ok and hashlib.file_digest(handle, "sha256").hexdigest() == digest
    if spec["context"] == "hybrid":
        import numpy as np

        vector = state["encoder"].encode([spec["probe"]])[0]
        ok = ok and float(vector @ np.load(Path(spec["encoder"]) / "probes.npy")[0]) >= MIN_COSINE
    return ok


JOBS = {
    ("query_encoder", "stand-in"): _encoder_standin,
    ("query_encoder", "onnxruntime"): _encoder_library,
    ("postings", "stand-in"): _postings_standin,
    ("postings", "bm25s"): _postings_bm25s,
    ("postings", "rank-bm25"): _postings_rank_bm25,
    ("stamps", "stand-in"): _stamps_standin,
    ("stamps", "sha256 + probe"): _stamps_library,
    ("stamps", "sha256"): _stamps_library,
}


def child(spec: dict) -> None:
    """One cold job in this fresh process: the preamble a kb search has loaded anyway, then the timed job."""
    import search  # noqa: F401 — kb imports it first (one BLAS thread)

    state: dict = {}
    if spec["context"] == "hybrid":
        import numpy  # noqa: F401 — a hybrid search has NumPy loaded before these run

        if spec["standin"] == "stamps":  # the encoder is loaded either way; the check is what differs
            from search.encoders.query_encoder import NumpyEncoder

            state["encoder"] = NumpyEncoder(Path(spec["encoder"]), verify=False)
    job = JOBS[(spec["standin"], spec["side"])]
    start = time.perf_counter()
    out = job(spec, state)
    ms = (time.perf_counter() - start) * 1000
    print(json.dumps({"ms": ms, "out": out}, ensure_ascii=False, default=str))


# ---------------------------------------------------------------- the parent: data, equality checks, timings, table

def _eval_queries() -> list[str]:
    import yaml

    out = []
    for path in sorted((ROOT / "eval" / "queries").glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            out.append(str(item["q"]))
    return out


def _lines(path: str) -> str:
    """'total (code)': all lines, and those left without blank lines, comments and docstrings."""
    import ast

    text = (ROOT / path).read_text(encoding="utf-8")
    lines = text.splitlines()
    skip = set()
    for node in ast.walk(ast.parse(text)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) and isinstance(body[0].value.value, str):
            skip.update(range(body[0].lineno, body[0].end_lineno + 1))
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            skip.update(range(node.lineno, node.end_lineno + 1))  # attribute docstrings too
    code = sum(1 for number, line in enumerate(lines, start=1) if number not in skip and line.strip() and not line.strip().startswith("#"))
    return f"{len(lines)} ({code})"


def _version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


class Bench:
    """Everything the parent needs about the index, the queries and the libraries' prepared data."""

    def __init__(self, tmp: Path) -> None:
        from search.engine import FUSION_POOL as POOL
        from search.encoders import onnx_encoder, query_encoder
        from search.engine import Searcher
        from search.index.store import default_root, read_manifest

        assert POOL == FUSION_POOL and onnx_encoder.THREADS == ONNX_THREADS
        self.tmp = tmp
        self.root = default_root()
        self.manifest = read_manifest(self.root)
        if self.manifest is None or not self.manifest.encoder:
            sys.exit(f"no full index in {self.root}: run 'kb index' (or set KB_INDEX_DIR)")
        self.build = (self.root / "current").resolve()
        self.encoder_dir = self.root / "cache" / self.manifest.encoder
        self.searcher = Searcher(root=self.root)  # the index as it is (kb search has checked it is fresh, above)
        self.numpy_encoder = self.searcher.query_encoder
        if type(self.numpy_encoder).__name__ != "NumpyEncoder":
            sys.exit(f"the index in {self.root} has no exported NumPy query encoder: run 'kb index'")
        meta = json.loads((self.encoder_dir / "meta.json").read_text(encoding="utf-8"))
        self.common = {
            "root": str(self.root), "build": str(self.build),
            "encoder": str(self.encoder_dir), "max_length": int(meta["max_seq_length"]),
            "files": dict(self.manifest.files), "encoder_files": list(query_encoder.FILES), "probe": query_encoder.PROBES[0],
        }

    def prepare(self) -> None:
        """Write what each library loads instead of the stand-in's data (as `kb index` would, once)."""
        import bm25s

        from search.build.indexer import cuts_file, index_tokens, read_cuts
        from search.index.postings import B, K1, Postings
        from search.text.tokenize import Tokenizer

        tokenizer = Tokenizer(self.searcher.tokenizer.words)
        tokenizer.reuse_cuts(*read_cuts(cuts_file(self.root, tokenizer)))
        self.corpus = [index_tokens(p, tokenizer) for p in self.searcher.passages]
        rebuilt = Postings.from_corpus(self.corpus)
        same = rebuilt.vocab == self.searcher.postings.vocab and rebuilt.weights.tolist() == self.searcher.postings.weights.tolist()
        if not same:
            print("**warning**: the passages' tokens rebuilt here do not give the index's postings (code changed since the build?)\n")
        corpus_file = self.tmp / "corpus-tokens.json"
        corpus_file.write_text(json.dumps(self.corpus, ensure_ascii=False), encoding="utf-8")
        retriever = bm25s.BM25(k1=K1, b=B, method="atire", idf_method="lucene", dtype="float64")
        retriever.index(self.corpus, show_progress=False)
        retriever.save(str(self.tmp / "bm25s"))
        self.bm25s = bm25s.BM25.load(str(self.tmp / "bm25s"), show_progress=False)
        self.common.update(bm25s=str(self.tmp / "bm25s"), corpus=str(corpus_file))

    def spec(self, standin: str, side: str, context: str, query: str) -> dict:
        return {
            **self.common, "standin": standin, "side": side, "context": "bm25" if context == "any" else context,
            "query": query, "text": self.searcher.dense_query(query), "tokens": self.searcher.query_tokens(query),
        }

    # -------------------------------------------------------- equality on every evaluation query

    def identical(self, queries: list[str]) -> dict[tuple[str, str], str]:
        import numpy as np

        from search.index.bm25 import BM25

        out: dict[tuple[str, str], str] = {}
        n = len(queries)

        # query encoder: vectors of the same ids
        texts = [self.searcher.dense_query(q) for q in queries]
        session = _onnx_session(self.encoder_dir / "model.onnx")
        unique = list(dict.fromkeys(texts))
        cosine = {}
        for text in unique:
            ids = self.numpy_encoder.token_ids(text)
            ours = self.numpy_encoder.encode([text])[0]
            theirs = session.run(None, {"input_ids": np.asarray([ids], dtype=np.int64)})[0][0]
            cosine[text] = float(ours @ theirs) / max(float(np.linalg.norm(ours) * np.linalg.norm(theirs)), 1e-12)
        bad = sum(cosine[t] < MIN_COSINE for t in texts)
        out[("query_encoder", "onnxruntime")] = _verdict(bad, n, "queries", f"min cosine {min(cosine.values()):.8f}")

        # postings: BM25 top 10, ids and scores
        reference = BM25(self.corpus)
        for name, top in (("bm25s", lambda t: _bm25s_top(self.bm25s, t, FUSION_POOL)), ("rank-bm25", lambda t: reference.top(t, FUSION_POOL))):
            bad = ties = 0
            for query in queries:
                tokens = self.searcher.query_tokens(query)
                verdict = _same_top(self.searcher.postings.top(tokens, FUSION_POOL), top(tokens))
                bad += verdict == "differs"
                ties += verdict == "tie order"
            out[("postings", name)] = _verdict(bad, n, "queries", f"{ties} only reorder tied scores" if ties else "")

        # stamps: the same verdict on the index in use
        verdicts = {side: JOBS[("stamps", side)]({**self.common, "context": "hybrid"}, {"encoder": self.numpy_encoder}) for side in ("stand-in", "sha256 + probe")}
        same = verdicts["stand-in"] == verdicts["sha256 + probe"]
        text = f"{'yes' if same else 'NO'}: both {'trust' if verdicts['stand-in'] else 'distrust'} the index in use" if same else f"NO: {verdicts}"
        if not verdicts["stand-in"]:
            text += " (no stamp record yet: the stand-in's job timed here includes no hashing, kb search's would)"
        out[("stamps", "sha256 + probe")] = out[("stamps", "sha256")] = text
        return out


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= REL_TOL * max(abs(a), abs(b))


def _same_top(ours: list[tuple[int, float]], theirs: list[tuple[int, float]], n: int = 10) -> str:
    """'same', 'tie order' (the same scores, tied passages in another order) or 'differs'."""
    ours, theirs = ours[:n], sorted(theirs, key=lambda hit: (-hit[1], hit[0]))[:n]
    if len(ours) != len(theirs) or not all(_close(a[1], b[1]) for a, b in zip(ours, theirs)):
        return "differs"
    if all(a[0] == b[0] for a, b in zip(ours, theirs)):
        return "same"
    for (doc, score), (other, _) in zip(ours, theirs):
        if doc != other and sum(_close(score, s) for _, s in ours) < 2:
            return "differs"
    return "tie order"


def _verdict(bad: int, total: int, what: str, note: str = "") -> str:
    head = f"yes: 0 of {total:,} {what} differ" if bad == 0 else f"**no**: {bad:,} of {total:,} {what} differ"
    return f"{head}{'; ' + note if note else ''}"


def run_child(spec: dict, env: dict[str, str]) -> float:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.standins", "--child", json.dumps(spec, ensure_ascii=False)],
        capture_output=True, text=True, env=env, cwd=ROOT,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{spec['standin']} / {spec['side']} failed:\n{done.stderr[-2000:]}")
    return float(json.loads(done.stdout.strip().splitlines()[-1])["ms"])


def main() -> None:
    import argparse
    import statistics
    import subprocess
    import tempfile

    from benchmarks import speed

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", "kb", "search"], check=True, cwd=ROOT)  # bytecode, as speed.py
    load_before = os.getloadavg()
    started = time.strftime("%Y-%m-%d %H:%M")
    env = speed.env()
    kb_commands = {
        ("hybrid", "en"): [speed.KB, "search", speed.EN_QUERY],
        ("hybrid", "zh"): [speed.KB, "search", speed.ZH_QUERY],
        ("bm25", "en"): [speed.KB, "search", speed.EN_QUERY, "--mode", "bm25"],
        ("bm25", "zh"): [speed.KB, "search", speed.ZH_QUERY, "--mode", "bm25"],
    }
    for command in kb_commands.values():  # index fresh, stamp records written (files settled), caches warm
        subprocess.run(command, check=True, capture_output=True, env=env, cwd=ROOT)

    queries = {"en": speed.EN_QUERY, "zh": speed.ZH_QUERY}
    with tempfile.TemporaryDirectory(prefix="kb-standins-") as tmp:
        bench = Bench(Path(tmp))
        print(f"## Stand-ins against libraries ({started}, {os.cpu_count()} cores, load average {load_before[0]:.2f} at the start)\n")
        print(f"Index: {bench.root} ({len(bench.searcher.passages):,} passages, build {bench.build.name}); queries: "
              f"\"{speed.EN_QUERY}\" / \"{speed.ZH_QUERY}\"; each figure a median of {args.runs} fresh processes.\n")
        bench.prepare()
        eval_queries = _eval_queries()
        same = bench.identical(eval_queries)

        cases: dict[tuple[str, str, str, str], list[float]] = {}  # (stand-in, side, context, query) -> ms per round
        for standin, library, context, langs in ROWS:
            for lang in langs:
                for side in ("stand-in", library):
                    cases.setdefault((standin, side, context, lang), [])
        specs = {key: bench.spec(key[0], key[1], key[2], queries.get(key[3], speed.EN_QUERY)) for key in cases}
        for key in cases:  # one untimed pass: every child works before timing starts, files in the page cache
            run_child(specs[key], env)
        kb_times: dict[tuple[str, str], list[float]] = {key: [] for key in kb_commands}
        naive: list[float] = []
        for _ in range(args.runs):
            for key in cases:  # stand-in and library processes alternate (ROWS order: stand-in, then its library)
                cases[key].append(run_child(specs[key], env))
            for key, command in kb_commands.items():
                kb_times[key] += [t * 1000 for t in speed.wall(command, 1)]
            naive += [t * 1000 for t in speed.wall([sys.executable, "-c", speed.BASELINE], 1)]
    load_after = os.getloadavg()

    med = {key: statistics.median(times) for key, times in cases.items()}
    today = {key: statistics.median(times) for key, times in kb_times.items()}
    naive_ms = statistics.median(naive)
    print(f"Versions: tokenizers {_version('tokenizers')}, "
          f"onnxruntime {_version('onnxruntime')}, bm25s {_version('bm25s')}, rank-bm25 {_version('rank-bm25')}. "
          f"Equality over the {len(eval_queries):,} queries of eval/queries/*.yaml.\n")
    print(f"Today, fresh `kb search` (median of {args.runs}): hybrid en {today['hybrid', 'en']:.0f} ms / zh {today['hybrid', 'zh']:.0f} ms "
          f"({today['hybrid', 'en'] / naive_ms:.3f} / {today['hybrid', 'zh'] / naive_ms:.3f} of naive {naive_ms:,.0f} ms); "
          f"`--mode bm25` en {today['bm25', 'en']:.0f} ms / zh {today['bm25', 'zh']:.0f} ms.\n")

    def pair(values: list[float]) -> str:
        return " / ".join(f"{v:.1f}" for v in values)

    def estimate(mode: str, context: str, delta: dict[str, float]) -> list[float] | None:
        if context not in ("any", mode):
            return None
        return [today[mode, lang] + delta[lang] for lang in ("en", "zh")]

    def misses(hybrid: list[float] | None, bm25: list[float] | None) -> list[str]:
        out = []
        if hybrid is not None:
            if max(hybrid) > 500:
                out.append("hybrid ≤ 500 ms")
            if max(hybrid) > 0.1 * naive_ms:
                out.append("hybrid ≤ 0.1× naive")
        if bm25 is not None and max(bm25) > 300:
            out.append("bm25 ≤ 300 ms")
        return out

    print("| stand-in | lines (code) | library | in which search | stand-in ms en / zh | library ms en / zh | delta ms en / zh | "
          "est. cold hybrid en / zh | est. cold bm25 en / zh | identical? | target missed |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    checks = []
    cheapest: dict[tuple[str, str, str], float] = {}  # (stand-in, mode, lang) -> the smallest delta of its libraries
    for standin, library, context, langs in ROWS:
        ours = [med[standin, "stand-in", context, lang if lang in langs else "any"] for lang in ("en", "zh")]
        theirs = [med[standin, library, context, lang if lang in langs else "any"] for lang in ("en", "zh")]
        delta = {lang: t - o for lang, o, t in zip(("en", "zh"), ours, theirs)}
        hybrid, bm25 = estimate("hybrid", context, delta), estimate("bm25", context, delta)
        missed = misses(hybrid, bm25)
        where = {"any": "both (no NumPy)", "hybrid": "hybrid (NumPy loaded)", "bm25": "--mode bm25 (no NumPy)"}[context]
        cells = [
            f"`{STANDINS[standin]}`", _lines(STANDINS[standin]), f"{library} ({LIBRARY_NOTES[library]})", where,
            pair(ours), pair(theirs), " / ".join(f"{d:+.1f}" for d in delta.values()),
            pair(hybrid) if hybrid else "unchanged", pair(bm25) if bm25 else "unchanged",
            same[standin, library], ", ".join(missed) if missed else "none",
        ]
        print("| " + " | ".join(cells) + " |")
        checks.append((f"{standin} → {library} ({where})", hybrid, bm25))
        for mode in ("hybrid", "bm25"):
            if context in ("any", mode):
                for lang in ("en", "zh"):
                    cheapest[standin, mode, lang] = min(cheapest.get((standin, mode, lang), float("inf")), delta[lang])
    combined = {
        mode: [today[mode, lang] + sum(d for (_, m, l), d in cheapest.items() if (m, l) == (mode, lang)) for lang in ("en", "zh")]
        for mode in ("hybrid", "bm25")
    }
    checks.append(("every stand-in swapped at once (its cheapest library; deltas added)", combined["hybrid"], combined["bm25"]))

    print(
        "\nEstimates: today's measured fresh `kb search` + (library − stand-in) for the one swap; \"unchanged\": that search "
        "does not run the stand-in. The onnxruntime side is a plain session (kb serve's OnnxEncoder also checks the graph's "
        "SHA-256 stamp and encodes a probe). Lines: all (without blank lines, comments and docstrings)."
    )
    print("\nTargets, today and with each library in place of its stand-in (PASS/MISS, estimated ms):\n")
    print("| search | hybrid en ≤ 500 ms | hybrid zh ≤ 500 ms | hybrid ≤ 0.1× naive | bm25 en ≤ 300 ms | bm25 zh ≤ 300 ms |")
    print("|---|---|---|---|---|---|")

    def verdict(value: float | None, limit: float) -> str:
        return "—" if value is None else f"{'PASS' if value <= limit else 'MISS'} ({value:.0f})"

    rows = [("today (measured)", [today["hybrid", "en"], today["hybrid", "zh"]], [today["bm25", "en"], today["bm25", "zh"]])] + checks
    for label, hybrid, bm25 in rows:
        ratio = "—" if hybrid is None else f"{'PASS' if max(hybrid) <= 0.1 * naive_ms else 'MISS'} ({max(hybrid) / naive_ms:.3f})"
        print(
            f"| {label} | {verdict(hybrid[0] if hybrid else None, 500)} | {verdict(hybrid[1] if hybrid else None, 500)} | {ratio} | "
            f"{verdict(bm25[0] if bm25 else None, 300)} | {verdict(bm25[1] if bm25 else None, 300)} |"
        )

    print(f"\n### Raw cold jobs (ms, median and range of {args.runs}; en/zh = the query; any = the job does not depend on it)\n")
    print("| stand-in | side | in which search | query | median | range |\n|---|---|---|---|---|---|")
    for (standin, side, context, lang), times in cases.items():
        print(f"| {standin} | {side} | {context} | {lang} | {statistics.median(times):.1f} | {min(times):.1f}–{max(times):.1f} |")
    print(f"| `kb search` | — | hybrid / bm25 | en, zh | {' / '.join(f'{v:.0f}' for v in today.values())} | (hybrid en, hybrid zh, bm25 en, bm25 zh) |")
    print(f"| naive baseline | — | — | en | {naive_ms:,.0f} | {min(naive):,.0f}–{max(naive):,.0f} |")
    print(f"\nFinished {time.strftime('%Y-%m-%d %H:%M')}, load average {load_after[0]:.2f} / {load_after[1]:.2f} / {load_after[2]:.2f} (1 / 5 / 15 min).")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(json.loads(sys.argv[2]))
    else:
        main()
