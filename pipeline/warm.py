"""Imported once by the forkserver that starts extraction workers.

Everything slow to set up (extractor modules, pymupdf, pdfplumber, the Sudachi
dictionary) is loaded here, so each worker forked per document starts warm and
shares those pages copy-on-write instead of paying the start-up per document.
"""
from __future__ import annotations

import pdfplumber  # noqa: F401  (the table-finder fallback)
import pymupdf  # noqa: F401

from pipeline import canonical, ingest  # noqa: F401  (ingest: the worker's entry point)
from pipeline.extract import load_extractors

load_extractors()
canonical.tokenizer()
