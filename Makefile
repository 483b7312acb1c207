# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB ?= data/processed/plans.duckdb

.PHONY: run test bench bench-ocr fuzz clean ocr-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Tesseract with Japanese for scanned pages: installed where apt-get is usable (CI, root);
# elsewhere a note, and scanned PDFs are reported as needs_ocr.
ocr-deps:
	@if tesseract --list-langs 2>/dev/null | grep -qx jpn; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-jpn >/dev/null; \
	else echo "note: install tesseract-ocr and tesseract-ocr-jpn to read scanned PDFs"; fi

run: $(STAMP) ocr-deps
	$(BIN)/shoko ingest data/raw --db $(DB)

test: $(STAMP) ocr-deps
	$(BIN)/python -m pytest tests

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_ingest.py

# OCR section of the bench: scanned dev documents built, ingested and scored (scripts/score_scans.py)
bench-ocr: $(STAMP) ocr-deps
	$(BIN)/python scripts/score_scans.py

fuzz: $(STAMP)
	$(BIN)/python scripts/fuzz.py --cases 2000 --seed 1

clean:
	rm -rf $(VENV) data/processed/*.duckdb data/processed/*.wal
