"""Shared by the tests of generated corpora (synthetic plans, layouts, 概要 forms): the
scorer, one ingest of a corpus folder per module, and read-only queries."""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import duckdb

from pipeline.cli import main

TESTS = Path(__file__).resolve().parent


def scorer():
    """tests/fixtures/score_gold.py as a module (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location("score_gold", TESTS / "fixtures" / "score_gold.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ingest_corpus(tmp_path_factory, corpus: Path, name: str) -> Path:
    """Every PDF of `corpus` ingested (in-process, forced) into a fresh database."""
    work = tmp_path_factory.mktemp(name)
    raw = work / "raw"
    raw.mkdir()
    for pdf in corpus.glob("*.pdf"):
        shutil.copy(pdf, raw / pdf.name)
    out = work / "plans.duckdb"
    assert main(["ingest", str(raw), "--db", str(out), "--force", "--workers", "0"]) == 0
    return out


def query_rows(db: Path, sql: str, params=()):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()
