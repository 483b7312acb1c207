"""A worker `handle` for tests/test_ingest.py: extracts, then reports which heavy modules the
worker process has loaded (kept in a module of its own, which imports nothing heavy)."""
from __future__ import annotations

import sys

from pipeline.extract import extract_file
from schemas.records import Extraction

HEAVY = ("duckdb", "pyarrow", "pandas", "pdfplumber", "openpyxl", "rich")


def extract_and_list_modules(path, debug, limits):
    extraction = extract_file(path, debug=debug, limits=limits)
    loaded = " ".join(name for name in HEAVY if name in sys.modules)
    return extraction.model_copy(update={"error": f"loaded: {loaded}"})


def exhaust_memory_on_xlsx(path, debug, limits):
    """Allocates far past any worker limit for a spreadsheet (the MemoryError a bomb causes),
    leaving a cache half-filled on the way, as a real reader might; extracts other files."""
    if str(path).endswith(".xlsx"):
        _LEFTOVER.append(bytearray(64 << 20))
        blocks = [bytearray(1 << 30) for _ in range(64)]  # 64 GB: never fits
        return Extraction(status="ok", error=f"allocated {len(blocks)} GB")
    if _LEFTOVER:  # a worker that lived through a MemoryError would show it here
        return Extraction(status="failed", error="worker reused after a MemoryError")
    return extract_file(path, debug=debug, limits=limits)


_LEFTOVER: list = []
