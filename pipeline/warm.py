"""Imported once by the forkserver that starts extraction workers.

Everything slow to set up (the extractor modules, pymupdf, the Sudachi dictionary)
is loaded here, so each worker forked from it starts warm and shares those pages
copy-on-write. What only some documents need (pdfplumber for unruled tables,
spreadsheet readers) is imported by the worker that needs it, and what only the
loading parent needs (DuckDB, Arrow) never enters a worker.
"""
from __future__ import annotations

import pymupdf  # noqa: F401

from pipeline import canonical, worker  # noqa: F401  (worker: the entry point)
from pipeline.extract import load_extractors
from pipeline.normalize.tokenizer import tokenizer

load_extractors()
tokenizer()
