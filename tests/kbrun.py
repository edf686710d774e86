"""Helpers to run the `kb` CLI as a user does: its entry point in-process, or a separate process."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from search.cli import main

ROOT = Path(__file__).resolve().parent.parent
FAKE_KB = Path(__file__).resolve().parent / "fake_kb.py"


@dataclass
class Run:
    code: int
    out: str
    err: str


def kb_env(kb: Path, index: Path) -> dict[str, str]:
    """Environment that points kb at a knowledge-base copy and an index directory."""
    return {"KB_DOCS_DIR": str(kb / "docs"), "KB_GLOSSARY_DIR": str(kb / "glossary"), "KB_INDEX_DIR": str(index)}


def run_main(args: list[str], capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch, stdin: bytes | None = None) -> Run:
    """search.cli.main() in this process, as `kb ARGS` (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["kb", *args])
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        main()
    captured = capsys.readouterr()
    return Run(int(info.value.code or 0), captured.out, captured.err)


def run_process(args: list[str], env: dict[str, str], fake: bool = True, stdin: bytes | None = None, timeout: float = 120) -> Run:
    """`kb ARGS` in a new process: with the fake encoder (tests/fake_kb.py) or the real `python -m search.cli`."""
    command = [sys.executable, str(FAKE_KB)] if fake else [sys.executable, "-m", "search.cli"]
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    result = subprocess.run([*command, *args], input=stdin, capture_output=True, env=environ, cwd=ROOT, timeout=timeout)
    return Run(result.returncode, result.stdout.decode("utf-8", "replace"), result.stderr.decode("utf-8", "replace"))
