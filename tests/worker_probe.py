"""A worker `handle` for tests/test_ingest.py: extracts, then reports which heavy modules the
worker process has loaded (kept in a module of its own, which imports nothing heavy)."""
from __future__ import annotations

import sys

from pipeline.extract import extract_file

HEAVY = ("duckdb", "pyarrow", "pandas", "pdfplumber", "openpyxl", "rich")


def extract_and_list_modules(path, debug, limits):
    extraction = extract_file(path, debug=debug, limits=limits)
    loaded = " ".join(name for name in HEAVY if name in sys.modules)
    return extraction.model_copy(update={"error": f"loaded: {loaded}"})
