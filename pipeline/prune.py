"""`shoko prune` and `shoko ingest --prune`: documents whose source files are gone.

A document's rows are only ever removed together, in one transaction (the same delete
a re-ingest uses), so a database never keeps half a document.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import duckdb

from pipeline import store


@dataclass(frozen=True)
class Gone:
    doc_id: str
    source_path: str
    kind: str | None
    status: str | None
    rows: int  # rows of the document in the contract tables, documents row included


def _exists(source_path: str) -> bool:
    """True when the stored path names a file, also when the name was stored decoded
    (a cp932 name is kept as readable text, which is not the name on disk)."""
    path = Path(source_path)
    if path.exists():
        return True
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        return False
    try:
        return any(store.readable_text(os.path.join(str(parent), os.fsdecode(entry))) == source_path
                   for entry in os.listdir(os.fsencode(parent)))
    except OSError:
        return False


def _under(source_path: str, roots: list[str]) -> bool:
    for root in roots:
        stripped = root.rstrip(os.sep) or os.sep
        if source_path == stripped or source_path.startswith(stripped.rstrip(os.sep) + os.sep):
            return True
    return False


def find_gone(con: duckdb.DuckDBPyConnection, roots: Iterable[str] | None = None,
              present: set[str] | None = None) -> list[Gone]:
    """Documents whose file no longer exists (under `roots`, when given, as the paths were
    given to `shoko ingest`); `present` lists paths known to exist (just walked)."""
    # Path() spells a root the way ingest stored the paths under it ("./a/" -> "a")
    roots = [store.readable_text(str(Path(r))) for r in roots] if roots else None
    present = present or set()
    gone = []
    for doc_id, source_path, kind, status in con.execute(
            "SELECT doc_id, source_path, kind, status FROM documents ORDER BY source_path").fetchall():
        if roots is not None and not _under(source_path, roots):
            continue
        if source_path in present or _exists(source_path):
            continue
        gone.append(Gone(doc_id, source_path, kind, status, 0))
    if not gone:
        return gone
    counts = row_counts(con, [g.doc_id for g in gone])
    return [Gone(g.doc_id, g.source_path, g.kind, g.status, counts.get(g.doc_id, 0)) for g in gone]


def row_counts(con: duckdb.DuckDBPyConnection, doc_ids: list[str]) -> dict[str, int]:
    from schemas.records import CONTRACT_TABLES

    union = " UNION ALL ".join(f"SELECT doc_id FROM {t} WHERE doc_id IN (SELECT unnest($ids))"
                               for t in CONTRACT_TABLES)
    return dict(con.execute(f"SELECT doc_id, count(*) FROM ({union}) GROUP BY doc_id",
                            {"ids": doc_ids}).fetchall())


def delete(con: duckdb.DuckDBPyConnection, gone: list[Gone]) -> int:
    """Delete every row of these documents in one transaction; returns the documents deleted."""
    if not gone:
        return 0
    con.execute("BEGIN TRANSACTION")
    try:
        store.delete_document(con, [g.doc_id for g in gone])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    # findings comparing a progress sheet with a plan may name a deleted document
    store.reconcile_progress_with_plans(con)
    return len(gone)
