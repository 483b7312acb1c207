# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB ?= data/processed/plans.duckdb

.PHONY: run test bench bench-review bench-ocr fuzz clean ocr-deps browser-deps pg-deps layout-deps

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

# Chromium and its WebDriver for the browser tests of `shoko review` (Debian packages: no
# browser is downloaded), and a Japanese font so pages and screenshots show the text.
browser-deps:
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 \
	    && [ -e /usr/share/fonts/opentype/ipafont-gothic/ipag.ttf ]; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-ipafont-gothic >/dev/null; \
	else echo "note: install chromium and chromium-driver for the browser tests of shoko review"; fi

# A PostgreSQL server for the tests of the PostgreSQL mirror (tests/pg_server.py starts one
# in a temporary directory): installed where apt-get is usable; the product never needs it.
pg-deps:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	else echo "note: install postgresql (the server) to run tests/test_postgres_mirror.py"; fi

# Generators of tests/synthetic_layouts (HTML → headless Chromium, with a CJK font) and the UCD file
# scripts/make_lookalikes.py reads; the committed PDFs and tables mean the tests need none of them.
layout-deps:
	@if command -v chromium >/dev/null 2>&1 && [ -f /usr/share/unicode/EquivalentUnifiedIdeograph.txt ] \
	  && fc-list | grep -q "Noto Serif CJK"; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk unicode-data >/dev/null; \
	else echo "note: install chromium, fonts-noto-cjk and unicode-data to regenerate tests/synthetic_layouts"; fi

run: $(STAMP) ocr-deps
	$(BIN)/shoko ingest data/raw --db $(DB)

test: $(STAMP) ocr-deps browser-deps pg-deps layout-deps
	$(BIN)/python -m pytest tests

# make bench BENCH_FLAGS=--national (or --plans N, --workdir DIR, …: see README "Speed")
BENCH_FLAGS ?=
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_ingest.py $(BENCH_FLAGS)

bench-review: $(STAMP)
	$(BIN)/python benchmarks/bench_review.py --documents 10000

# OCR section of the bench: scanned dev documents built, ingested and scored (scripts/score_scans.py)
bench-ocr: $(STAMP) ocr-deps
	$(BIN)/python scripts/score_scans.py

fuzz: $(STAMP)
	$(BIN)/python scripts/fuzz.py --cases 2000 --seed 1

clean:
	rm -rf $(VENV) data/processed/*.duckdb data/processed/*.wal data/processed/*.duckdb.*
