"""`kb`: search the notes from the terminal, build and check the index.

The CLI parses and prints; search.engine does the work. Errors a user can
cause print one line ("kb: error: ...") and exit with status 2.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import typer
from typer._click import exceptions as click_exceptions  # typer vendors click

from .errors import SearchError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Search the bilingual LLM/NLP notes (BM25 + embeddings) and manage the index.",
)

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def _base_url(value: str | None) -> str:
    return value if value is not None else os.environ.get("KB_BASE_URL", DEFAULT_BASE_URL)


@app.command()
def search(
    query: str = typer.Argument(..., help="The question or term, in English, Chinese or both."),
    k: int = typer.Option(5, "-k", "--top", help="How many hits to show (1-100)."),
    mode: str = typer.Option("hybrid", "-m", "--mode", help="hybrid | bm25 | dense."),
    lang: str = typer.Option("auto", "-l", "--lang", help="Language of titles and links: auto (by the query's script) | en | zh."),
    as_json: bool = typer.Option(False, "--json", help="Print the hits as a JSON list."),
    explain: bool = typer.Option(False, "-e", "--explain", help="Show each hit's BM25 and dense rank and score and how they were fused."),
    index_dir: Path | None = typer.Option(None, "--index-dir", help="Index directory (default: $KB_INDEX_DIR or ./index)."),
    base_url: str | None = typer.Option(None, "--base-url", help=f"Site address for links (default: $KB_BASE_URL or {DEFAULT_BASE_URL})."),
) -> None:
    """Search the notes. Example: kb search "GQA 为什么省显存" -k 3"""
    from .engine import Searcher, validate

    validate(query, k, mode, lang)
    searcher = Searcher(root=index_dir, base_url=_base_url(base_url))
    corrected = searcher.suggest(query)
    if corrected:
        typer.echo(f"kb: showing results for '{corrected}' (searched for '{query}')", err=True)
        query = corrected
    if not searcher.has_match(query):
        typer.echo("[]" if as_json else f"No relevant match for '{query}' in the notes.")
        return
    hits = searcher.search(query, k=k, mode=mode, lang=lang, explain=explain)
    if as_json:
        typer.echo(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2))
        return
    if not hits:
        typer.echo("No passage matches that query.")
        return
    from .snippet import highlight

    tokens = set(searcher.tokenizer.tokens(query))
    bold, reset = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("**", "**")
    for hit in hits:
        typer.echo(f"{hit.rank}. {hit.title}  [{hit.kind}]  {hit.score:.4f}")
        typer.echo(f"   {hit.path}")
        typer.echo(f"   {hit.url}")
        if hit.snippet:
            typer.echo(f"   {highlight(hit.snippet, tokens, bold, reset)}")
        if hit.explain:
            typer.echo(f"   {_explain_line(hit.explain, hit.score)}")


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


@app.command()
def index(
    index_dir: Path | None = typer.Option(None, "--index-dir", help="Index directory (default: $KB_INDEX_DIR or ./index)."),
) -> None:
    """Build the search index from docs/ and kb/glossary/ (reuses embeddings of unchanged passages)."""
    from .indexer import build
    from .store import default_root

    root = index_dir or default_root()
    report = build(root, progress=sys.stderr.isatty())
    typer.echo(f"indexed {report.passages} passages ({report.embedded} embedded now) in {report.seconds:.2f} s -> {report.path}")


@app.command(name="eval")
def eval_(
    queries: Path | None = typer.Option(None, "--queries", help="Directory of labelled queries (default: eval/queries)."),
    index_dir: Path | None = typer.Option(None, "--index-dir", help="Index directory (default: $KB_INDEX_DIR or ./index)."),
    as_json: bool = typer.Option(False, "--json", help="Print the metrics as JSON instead of a table."),
    tune_fusion: bool = typer.Option(False, "--tune", help="Compare fusion settings (MRR@10) on a tuning half and a held-out half."),
    sections: bool = typer.Option(False, "--sections", help="List sections that no English or no Chinese query finds in the top 5."),
) -> None:
    """Score bm25, dense and hybrid on the evaluation set: Recall@1, Recall@5, MRR@10, nDCG@10, overall and per language."""
    from .engine import Searcher
    from .evaluate import EVAL_DIR, collect_legs, evaluate, load_queries, no_match_line, no_match_rates, table, tune, unfound_sections

    labelled = load_queries(queries or EVAL_DIR)
    start = time.perf_counter()
    searcher = Searcher(root=index_dir)
    if sections:
        missing = unfound_sections(searcher, labelled)
        total = sum(p.kind == "section" for p in searcher.passages)
        for ident, langs in missing.items():
            typer.echo(f"{ident}  not found by: {', '.join(langs)}")
        typer.echo(f"{total - len(missing)} of {total} sections found in the top 5 by an English and a Chinese query")
        return
    if tune_fusion:
        terms = frozenset(p.id for p in searcher.passages if p.kind == "term")
        rows = tune(labelled, collect_legs(searcher, labelled), terms=terms)
        groups = ("all", "en", "zh", "mixed")
        typer.echo("| setting | " + " | ".join(f"tune {g}" for g in groups) + " | " + " | ".join(f"test {g}" for g in groups) + " |")
        typer.echo("|---" * (1 + 2 * len(groups)) + "|")
        for row in rows:
            cells = [f"{row.get(f'{h}:{g}', float('nan')):.3f}" for h in ("tune", "test") for g in groups]
            typer.echo(f"| {row['setting']} | " + " | ".join(cells) + " |")
        return
    results = evaluate(searcher, labelled)
    rates = no_match_rates(searcher, labelled)
    if as_json:
        typer.echo(json.dumps({**results, "no_match": rates}, indent=2))
        return
    typer.echo(table(results))
    typer.echo(no_match_line(rates))
    typer.echo(f"\n{len(labelled)} queries, {time.perf_counter() - start:.1f} s")


@app.command()
def check() -> None:
    """Validate the glossary and pages (schema, ids, anchors, translations) without building anything."""
    from .indexer import load_corpus

    start = time.perf_counter()
    passages = load_corpus()
    terms = sum(p.kind == "term" for p in passages)
    typer.echo(f"ok: {terms} glossary entries, {len(passages) - terms} sections ({time.perf_counter() - start:.2f} s)")


def main() -> None:
    """Console entry point: one-line errors, exit 2 for anything the user can fix."""
    try:
        code = app(standalone_mode=False)
    except click_exceptions.NoArgsIsHelpError:  # typer has already printed the help
        sys.exit(0)
    except typer.Abort:
        typer.echo("kb: aborted", err=True)
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors: bad option, missing argument, unknown command
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        typer.echo(f"kb: error: {message}", err=True)
        sys.exit(2)
    except SearchError as exc:
        typer.echo(f"kb: error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("kb: interrupted", err=True)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
