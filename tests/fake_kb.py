"""Run the real `kb` entry point (search.cli.main) with the fake encoder, for tests that need a separate process.

    python tests/fake_kb.py search "gqa" -k 3

KB_FAKE_EMBED_DELAY (seconds) slows each encode call, so a test can see a build
hold the lock or kill it while it embeds (KB_FAKE_MARK names a file created when
an encode call starts); KB_FAKE_WRITE_DELAY slows writing the index files, so a
test can kill a build while it writes.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import numpy as np  # noqa: E402

import search.engine  # noqa: E402
import search.build.indexer  # noqa: E402
from fakes import FakeEncoder  # noqa: E402
from search.cli import main  # noqa: E402


class SlowFakeEncoder(FakeEncoder):
    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        if os.environ.get("KB_FAKE_MARK"):
            Path(os.environ["KB_FAKE_MARK"]).touch()
        time.sleep(float(os.environ.get("KB_FAKE_EMBED_DELAY", "0")))
        return super().encode(texts, batch_size, progress)


_save = np.save


def _slow_save(path, array, **kwargs):  # noqa: ANN001, ANN202 — stands in for np.save (this process only)
    _save(path, array, **kwargs)
    time.sleep(float(os.environ.get("KB_FAKE_WRITE_DELAY", "0")))


if __name__ == "__main__":
    search.encoders.dense.Encoder = SlowFakeEncoder  # what load_encoder() builds when none is given
    search.build.indexer.Encoder = SlowFakeEncoder
    if os.environ.get("KB_FAKE_WRITE_DELAY"):
        np.save = _slow_save  # write_index saves vectors.npy between the JSON files and the manifest
    sys.argv[0] = "kb"
    main()
