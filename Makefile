# Two commands: `make serve` runs the product (site + search API), `make test` runs every test.
# `make write` serves the notes with live reload while you write them (no search API).
# Both create .venv and install the pinned dependencies when it is missing.

VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
HOST    ?= 127.0.0.1
PORT    ?= 8000

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export NO_MKDOCS_2_WARNING := 1

.PHONY: setup serve write test test-matrix index site plots load bench bench-standins bench-static site-offline bench-site clean

VENDOR  := docs/assets/vendor/.stamp

setup: $(STAMP) $(VENDOR)

# torch first, pinned, so that sentence-transformers does not pull a CUDA build. The project is installed
# editable in compat mode (a plain .pth line): the default editable finder costs every Python start 20 ms.
$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]' --config-settings editable_mode=compat
	$(PY) -m compileall -q kb search
	touch $(STAMP)

# MathJax and Mermaid from the npm registry, checked against tools/vendor.sha256.
$(VENDOR): tools/vendor.sha256 tools/vendor_assets.py
	python3 tools/vendor_assets.py
	touch $(VENDOR)

# Debian's Chromium for the browser tests (no browser download by a test tool), and CJK fonts for its screenshots.
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	else echo "make test needs Debian's chromium: sudo apt-get install chromium"; exit 1; fi

# compileall: a query process then starts from bytecode even where PYTHONDONTWRITEBYTECODE is set (as on this machine).
index: setup
	$(PY) -m compileall -q kb search
	$(VENV)/bin/kb index

site: setup
	$(VENV)/bin/mkdocs build --strict -d site

# The site for opening from disk (site-offline/index.html in a file manager): pages as .html files with relative
# links (Material's offline plugin), formulas, diagrams and the static search working from file://.
site-offline: setup
	KB_OFFLINE=true $(VENV)/bin/mkdocs build --strict -d site-offline

# The product: build the index and the site, then one process serves both (kb serve: site + /api/search).
serve: index site
	$(VENV)/bin/kb serve --host $(HOST) --port $(PORT) --site site

# For writing notes: MkDocs' own server, reloading the browser on every edit (the Ask box says it needs kb serve).
write: setup
	$(VENV)/bin/mkdocs serve -a $(HOST):$(PORT)

# Load benchmark of kb serve (not a test): 1, 4 and 8 concurrent clients, 20 s each.
load: index
	$(PY) -m benchmarks.load

# Speed benchmark (not a test): fresh-process and warm search against a naive baseline, builds, 10k/100k scaling.
bench: index
	$(PY) -m compileall -q kb search
	$(PY) -m benchmarks.speed

# Stand-ins against the libraries they replace (not a test): cold cost of each side, identical outputs on
# eval/queries, and the fresh `kb search` each swap would give (against $KB_INDEX_DIR, default index/).
bench-standins: index
	$(PY) -m compileall -q kb search
	$(PY) -m benchmarks.standins

# Static-mode search in headless Chromium (not a test): keystroke -> hits shown (medians), the static index's size.
bench-static: setup $(CHROMIUM)
	$(PY) -m benchmarks.static_search

# Page weight of the site behind kb serve (not a test): cold load-event times (median of 7) and bytes transferred.
bench-site: index site $(CHROMIUM)
	$(PY) -m benchmarks.site

test: setup $(CHROMIUM)
	$(PY) -m pytest

# Before a release (not CI): the page code under both of torch's kernel choices (ATEN_CPU_CAPABILITY) and NumPy's
# OpenBLAS kernels (generic SSE3 "Prescott" / "Haswell" AVX2), one and two threads, then in reverse file order with
# the tolerance audit (tools/tolerance_audit.py), which fails on float32 results compared at float64 tolerances or
# on comparisons that use over a quarter of their tolerance. Also the tests' own comparisons, audited once.
MATRIX := "1 default Prescott" "2 default Prescott" "1 avx2 Haswell" "2 avx2 Haswell"
test-matrix: setup
	@set -e; for cell in $(MATRIX); do set -- $$cell; \
	  echo "== OMP_NUM_THREADS=$$1 ATEN_CPU_CAPABILITY=$$2 OPENBLAS_CORETYPE=$$3"; \
	  OMP_NUM_THREADS=$$1 ATEN_CPU_CAPABILITY=$$2 OPENBLAS_CORETYPE=$$3 $(PY) -m pytest docs -q; done
	@echo "== docs in reverse file order, with the tolerance audit"
	KB_REVERSE_FILES=1 KB_TOLERANCE_STRICT=1 PYTHONPATH=tools $(PY) -m pytest docs -q -p tolerance_audit
	@echo "== the tests' own comparisons, audited"
	KB_TOLERANCE_STRICT=1 PYTHONPATH=tools $(PY) -m pytest tests -q -p tolerance_audit

plots: setup
	$(PY) -m plots docs/assets/plots

clean:
	rm -rf site site-offline index
