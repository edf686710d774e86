# Two commands: `make serve` runs the product, `make test` runs every test.
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

.PHONY: setup serve test index site plots clean

VENDOR  := docs/assets/vendor/.stamp

setup: $(STAMP) $(VENDOR)

# torch first, pinned, so that sentence-transformers does not pull a CUDA build.
$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# MathJax and Mermaid from the npm registry, checked against tools/vendor.sha256.
$(VENDOR): tools/vendor.sha256 tools/vendor_assets.py
	python3 tools/vendor_assets.py
	touch $(VENDOR)

index: setup
	$(VENV)/bin/kb index

site: setup
	$(VENV)/bin/mkdocs build --strict

serve: index
	$(VENV)/bin/mkdocs serve -a $(HOST):$(PORT)

test: setup
	$(PY) -m pytest

plots: setup
	$(PY) -m plots docs/assets/plots

clean:
	rm -rf site index
