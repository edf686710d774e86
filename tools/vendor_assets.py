"""Fetch the site's front-end assets from the npm registry into docs/assets/vendor/ (no CDN at view time).

MathJax (math), Mermaid (diagrams) and Swagger UI (kb serve's /api/docs) are packed with ``npm pack`` at pinned
versions, the files the site needs are extracted, and each file is checked
against the SHA-256 recorded in tools/vendor.sha256. Run by ``make setup``;
``--record`` rewrites the checksum file after a deliberate version bump.
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "assets" / "vendor"
SUMS = ROOT / "tools" / "vendor.sha256"
PACKAGES = {
    "mathjax@3.2.2": ("package/es5/tex-mml-chtml.js", "package/es5/output/chtml/fonts/woff-v2/"),
    "mermaid@11.12.1": ("package/dist/mermaid.min.js",),
    "swagger-ui-dist@5.36.0": ("package/swagger-ui-bundle.js", "package/swagger-ui.css"),  # /api/docs of kb serve
}


def _wanted(name: str, patterns: tuple[str, ...]) -> bool:
    return any(name == p or (p.endswith("/") and name.startswith(p)) for p in patterns)


def fetch(record: bool = False) -> list[Path]:
    """Extract the assets into TARGET; verify (or with ``record``, write) their checksums."""
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", "--silent", *PACKAGES, "--pack-destination", tmp], check=True, stdout=subprocess.DEVNULL)
        for spec, patterns in PACKAGES.items():
            name, _, version = spec.rpartition("@")
            with tarfile.open(Path(tmp) / f"{name}-{version}.tgz") as archive:
                for member in archive.getmembers():
                    if member.isfile() and _wanted(member.name, patterns):
                        dest = TARGET / name / member.name.removeprefix("package/")
                        dest.parent.mkdir(parents=True, exist_ok=True)
                        with archive.extractfile(member) as src, dest.open("wb") as out:
                            shutil.copyfileobj(src, out)
                        written.append(dest)
    sums = {p.relative_to(TARGET).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(written)}
    if record:
        SUMS.write_text("".join(f"{digest}  {name}\n" for name, digest in sums.items()), encoding="utf-8")
        return written
    expected = dict(reversed(line.split("  ", 1)) for line in SUMS.read_text(encoding="utf-8").split("\n") if line)
    expected = {name.strip(): digest for name, digest in expected.items()}
    if expected != sums:
        bad = sorted(set(expected.items()) ^ set(sums.items()))[:3]
        sys.exit(f"vendor_assets: checksums differ from tools/vendor.sha256: {bad}")
    return written


if __name__ == "__main__":
    files = fetch(record="--record" in sys.argv)
    print(f"vendor_assets: {len(files)} files in {TARGET.relative_to(ROOT)}")
