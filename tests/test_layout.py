"""The shape of search/: imports go one way (cli/service -> build.opener -> engine -> index pieces -> kb), no circles."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "search"

# Stages, outermost first: a module may import its own stage or a later one, never an earlier one.
STAGES = [
    ("entry points", ("search.cli", "search.service")),
    ("build side", ("search.build",)),
    ("query side", ("search.engine", "search.answer", "search.evaluate", "search.answer_eval")),
    ("pieces", ("search.index", "search.text", "search.encoders", "search.fuse", "search.query", "search.snippet",
                "search.suggest", "search.glossary_names", "search.errors", "search")),
]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every search.* module ``path`` imports, at module level or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("search"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("search")}
    return found


def stage(module: str) -> int:
    best = None
    for rank, (_, prefixes) in enumerate(STAGES):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > best[0]:
                    best = (len(prefix), rank)
    assert best is not None, f"{module} belongs to no stage of tests/test_layout.py"
    return best[1]


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def test_imports_point_inwards():
    backwards = []
    for name, path in MODULES.items():
        for target in imports(path):
            if stage(target) < stage(name):
                backwards.append(f"{name} ({STAGES[stage(name)][0]}) imports {target} ({STAGES[stage(target)][0]})")
    assert not backwards, backwards


def test_the_engine_never_imports_the_build_side():
    """Answering a query reads an index; opening or rebuilding one is search.build.opener's job."""
    seen, todo = set(), ["search.engine", "search.answer"]
    while todo:
        name = todo.pop()
        if name in seen or name not in MODULES:
            continue
        seen.add(name)
        todo += imports(MODULES[name])
    assert not {m for m in seen if m.startswith(("search.build", "search.service", "search.cli"))}


def test_no_import_circles():
    graph = {name: {t for t in imports(path) if t in MODULES and t != name} for name, path in MODULES.items()}
    circles = []

    def visit(node: str, trail: list[str], done: set[str]) -> None:
        if node in trail:
            circles.append(" -> ".join(trail[trail.index(node):] + [node]))
            return
        if node in done:
            return
        for nxt in sorted(graph[node]):
            visit(nxt, trail + [node], done)
        done.add(node)

    done: set[str] = set()
    for name in sorted(graph):
        visit(name, [], done)
    # package __init__ files import nothing, so only real module-to-module circles can show up
    assert not circles, circles
