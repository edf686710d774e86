"""`kb`: search the notes from the terminal, build and check the index.

The CLI parses and prints; search.engine does the work. Errors a user can
cause print one line ("kb: error: ...") and exit with status 2. The parser is
the standard library's argparse, and every command imports what it needs when
it runs, so `kb --help` and a search start without loading anything heavy
(typer, which this CLI used first, builds pydantic validators on every run:
0.15 s of a 0.5 s budget; BENCHMARKS.md "Speed").
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from search.errors import SearchError

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def _base_url(value: str | None) -> str:
    """The site address hits link to: --base-url, else $KB_BASE_URL, else the local `kb serve`; only http(s) or a path."""
    url = value if value is not None else os.environ.get("KB_BASE_URL", DEFAULT_BASE_URL)
    if url and not url.lower().startswith(("http://", "https://", "/")):
        raise SearchError(f"--base-url must be an http(s) address or a path starting with '/', got '{url[:60]}'")
    return url


def _err(line: str) -> None:
    print(line, file=sys.stderr)


def search(args: argparse.Namespace) -> None:
    """Search the notes. Example: kb search "GQA 为什么省显存" -k 3"""
    from search.answer import answer
    from search.build.opener import open_searcher
    from search.query import truncation_notice, validate

    query, k, mode, lang = args.query, args.k, args.mode, args.lang
    if query == "-":
        query = _read_stdin()
    cut = truncation_notice(query)
    query = validate(query, k, mode, lang)
    if cut:
        _err(f"kb: warning: {cut}")
    searcher = open_searcher(root=args.index_dir, base_url=_base_url(args.base_url), progress=True)
    found = answer(searcher, query, k=k, mode=mode, lang=lang, explain=args.explain)
    if found.corrected:
        _err(f"kb: showing results for '{found.corrected}' (searched for '{query}')")
    query, hits = found.query, found.hits
    if found.no_match:
        print("[]" if args.json else f"No relevant match for '{query}' in the notes.")
        return
    for warning in found.warnings:
        _err(f"kb: warning: {warning}")
    if args.json:
        print(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2))
        return
    if not hits:
        print("No passage matches that query.")
        return
    from search.snippet import highlight

    tokens = set(searcher.query_tokens(query))
    bold, reset = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("**", "**")
    for hit in hits:
        print(f"{hit.rank}. {hit.title}  [{hit.kind}]  {hit.score:.4f}")
        print(f"   {hit.path}")
        print(f"   {hit.url}")
        if hit.snippet:
            print(f"   {highlight(hit.snippet, tokens, bold, reset)}")
        if hit.explain:
            print(f"   {_explain_line(hit.explain, hit.score)}")


STDIN_LIMIT = 1 << 20


def _read_stdin() -> str:
    """The query piped in (`kb search -`): at most 1 MiB, undecodable bytes as U+FFFD (validate() then drops control characters)."""
    stream = getattr(sys.stdin, "buffer", None)
    data = stream.read(STDIN_LIMIT) if stream is not None else sys.stdin.read(STDIN_LIMIT).encode("utf-8", "surrogateescape")
    return data.decode("utf-8", errors="replace")


def _explain_line(explain: dict, score: float) -> str:
    parts = []
    for name in ("bm25", "dense"):
        if name in explain:
            leg = explain[name]
            parts.append(f"{name} #{leg['rank']} ({leg['score']:.4f})" if leg else f"{name}: not in its top candidates")
    fusion = explain["fusion"]
    if fusion["method"] == "convex":
        w = fusion["weights"]
        prior = f" (− {fusion['term_prior']} for a glossary entry)" if fusion.get("term_prior") else ""
        parts.append(f"fused ({fusion['script']} query): {w['bm25']}·bm25 + {w['dense']}·dense on min-max scaled scores{prior} = {score:.4f}")
    return " · ".join(parts)


def index(args: argparse.Namespace) -> None:
    """Build the search index from docs/ and kb/glossary/ (reuses embeddings of unchanged passages)."""
    from search.errors import ModelUnavailable
    from search.build.indexer import build
    from search.index.store import default_root

    root = args.index_dir or default_root()
    try:
        report = build(root, progress=True)
    except ModelUnavailable as exc:
        raise ModelUnavailable(f"{exc} ('kb search' still answers from BM25 alone)") from None
    for warning in report.warnings:
        _err(f"kb: warning: {warning}")
    print(f"indexed {report.passages} passages ({report.embedded} embedded now) in {report.seconds:.2f} s -> {report.path}")


def eval_(args: argparse.Namespace) -> None:
    """Score bm25, dense and hybrid on the evaluation set (Recall@1, Recall@5, MRR@10, nDCG@10, overall and per language), and the answer-level set (answered@1, @3)."""
    from search.build.opener import open_searcher
    from search.answer_eval import answers_table, load_questions, misses, ranks, summarize_answers
    from search.evaluate import EVAL_DIR, collect_legs, evaluate, load_queries, no_match_line, no_match_rates, table, tune, unfound_sections

    labelled = load_queries(args.queries or EVAL_DIR)
    start = time.perf_counter()
    searcher = open_searcher(root=args.index_dir)
    if args.sections:
        missing = unfound_sections(searcher, labelled)
        total = sum(p.kind == "section" for p in searcher.passages)
        for ident, langs in missing.items():
            print(f"{ident}  not found by: {', '.join(langs)}")
        print(f"{total - len(missing)} of {total} sections found in the top 5 by an English and a Chinese query")
        return
    if args.tune:
        terms = frozenset(p.id for p in searcher.passages if p.kind == "term")
        rows = tune(labelled, collect_legs(searcher, labelled), terms=terms)
        groups = ("all", "en", "zh", "mixed")
        print("| setting | " + " | ".join(f"tune {g}" for g in groups) + " | " + " | ".join(f"test {g}" for g in groups) + " |")
        print("|---" * (1 + 2 * len(groups)) + "|")
        for row in rows:
            cells = [f"{row.get(f'{h}:{g}', float('nan')):.3f}" for h in ("tune", "test") for g in groups]
            print(f"| {row['setting']} | " + " | ".join(cells) + " |")
        return
    answered = {}
    if args.queries is None or args.answers:  # the answer-level set is labelled for the notes themselves, not for --queries' corpus
        questions = load_questions()
        found = ranks(searcher, questions)
        answered = summarize_answers(questions, found)
    if args.answers:
        print(answers_table(answered))
        print("\nTuning half, answer not in the top 3 (the held-out half is not listed: it only measures):")
        for asked, rank in misses(questions, found, split="tune", depth=3):
            print(f"  [{asked.lang}] {asked.question.q}  (answer at rank {rank or '>3'}; labelled {', '.join(asked.question.answers)})")
        return
    results = evaluate(searcher, labelled)
    from search.build.static_index import evaluate_static

    results["static"] = evaluate_static(labelled)  # the site's search box on a static host: BM25 in the browser
    rates = no_match_rates(searcher, labelled)
    if args.json:
        print(json.dumps({**results, "no_match": rates, "answers": answered}, indent=2))
        return
    print(table(results))
    print(no_match_line(rates))
    if answered:
        print("\n" + answers_table(answered))
    print(f"\n{len(labelled)} queries, {time.perf_counter() - start:.1f} s")


def serve(args: argparse.Namespace) -> None:
    """Serve the site and the search API (/api/search, /api/health, /api/docs). Example: kb serve --port 8000"""
    from search.service.serve import run

    run(
        host=args.host, port=args.port, site_dir=None if args.api_only else args.site, index_dir=args.index_dir,
        threads=args.threads, max_pending=args.max_pending, hosts=args.allowed_hosts,
    )


def check(args: argparse.Namespace) -> None:
    """Validate the glossary and pages (schema, ids, anchors, translations) without building anything."""
    from search.build.indexer import load_corpus

    start = time.perf_counter()
    passages = load_corpus()
    terms = sum(p.kind == "term" for p in passages)
    print(f"ok: {terms} glossary entries, {len(passages) - terms} sections ({time.perf_counter() - start:.2f} s)")


def os_error_line(exc: Exception) -> str:
    """One line for a refused read or write: what happened to which file, and what to do."""
    import errno

    where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
    code = getattr(exc, "errno", None)
    text = str(exc).lower()
    if code == errno.ENOSPC or "disk is full" in text or "disk full" in text:
        return f"no space left on the device{where}; free some space and run 'kb index' again (the index in use was not changed)"
    if code in (errno.EACCES, errno.EPERM, errno.EROFS) or "readonly" in text or "read-only" in text:
        return f"cannot write{where}: {exc.strerror if getattr(exc, 'strerror', None) else exc}; give --index-dir (or $KB_INDEX_DIR) a directory you can write"
    if code in (errno.EEXIST, errno.ENOTDIR):
        return f"the index directory is a file{where}; give --index-dir (or $KB_INDEX_DIR) a directory"
    return f"{getattr(exc, 'strerror', None) or exc}{where}"


class UsageError(Exception):
    """A command line argparse cannot parse."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse prints usage and exits; we want one line
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid value '{text}': not an integer") from None


def _index_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--index-dir", type=Path, default=None, help="index directory (default: $KB_INDEX_DIR or ./index)")


COMMANDS: dict[str, Callable[[argparse.Namespace], None]] = {"search": search, "index": index, "eval": eval_, "serve": serve, "check": check}


def build_parser() -> argparse.ArgumentParser:
    """The `kb` command line: one sub-command per function in COMMANDS."""
    parser = _Parser(prog="kb", description="Search the bilingual LLM/NLP notes (BM25 + embeddings) and manage the index.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str) -> argparse.ArgumentParser:
        doc = (COMMANDS[name].__doc__ or "").strip()
        return commands.add_parser(name, help=doc.splitlines()[0], description=doc)

    p = command("search")
    p.add_argument("query", help="the question or term, in English, Chinese or both; '-' reads it from stdin")
    p.add_argument("-k", "--top", dest="k", type=_integer, default=5, help="how many hits to show (1-100; default 5)")
    p.add_argument("-m", "--mode", default="hybrid", help="hybrid | bm25 | dense (default hybrid)")
    p.add_argument("-l", "--lang", default="auto", help="language of titles and links: auto (by the query's script) | en | zh")
    p.add_argument("--json", action="store_true", help="print the hits as a JSON list")
    p.add_argument("-e", "--explain", action="store_true", help="show each hit's BM25 and dense rank and score and how they were fused")
    _index_dir_option(p)
    p.add_argument("--base-url", default=None, help=f"site address for links (default: $KB_BASE_URL or {DEFAULT_BASE_URL})")

    p = command("index")
    _index_dir_option(p)

    p = command("eval")
    p.add_argument("--queries", type=Path, default=None, help="directory of labelled queries (default: eval/queries)")
    _index_dir_option(p)
    p.add_argument("--json", action="store_true", help="print the metrics as JSON instead of a table")
    p.add_argument("--tune", action="store_true", help="compare fusion settings (MRR@10) on a tuning half and a held-out half")
    p.add_argument("--sections", action="store_true", help="list sections that no English or no Chinese query finds in the top 5")
    p.add_argument("--answers", action="store_true", help="only the answer-level set (eval/answers): answered@1 and @3, and the tuning half's misses")

    p = command("serve")
    p.add_argument("-H", "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("-p", "--port", type=_integer, default=8000, help="port to listen on (default 8000)")
    p.add_argument("-s", "--site", type=Path, default=Path("site"), help="the built site to serve at / (default site/, from mkdocs build --strict)")
    p.add_argument("--api-only", action="store_true", help="serve the API without the site")
    _index_dir_option(p)
    p.add_argument("-t", "--threads", type=_integer, default=2, help="searches that run at once (default 2)")
    p.add_argument("--max-pending", type=_integer, default=32, help="searches admitted, running or waiting; beyond that 503 with Retry-After (default 32)")
    p.add_argument(
        "-a", "--allowed-hosts", default="",
        help="Host names to answer besides 127.0.0.1, localhost and --host, comma-separated ('*': any); others get 400 (no DNS rebinding)",
    )

    command("check")
    return parser


def run(argv: Sequence[str] | None = None) -> int:
    """Run one `kb` command; return the exit status (errors are printed as one line)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        COMMANDS[args.command](args)
    except (UsageError, SearchError) as exc:
        _err(f"kb: error: {exc}")
        return 2
    except OSError as exc:  # the machine refused a write or a read: a full disk, a read-only index, a file for a directory
        _err(f"kb: error: {os_error_line(exc)}")
        return 1
    except KeyboardInterrupt:
        _err("kb: interrupted")
        return 130
    except BrokenPipeError:  # e.g. kb search ... | head -1
        sys.stderr.close()
        return 0
    return 0


def main() -> None:
    """Console entry point."""
    sys.exit(run())


if __name__ == "__main__":
    main()
