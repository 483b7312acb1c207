"""The DuckDB file behind the SQL contract: schema, per-document loads, queries, exports.

Loads are idempotent and atomic per document: one transaction deletes every row
of the document's doc_id (and of the older version of the same path) and inserts
the new rows in bulk, one Arrow table per contract table. A crash or Ctrl-C
leaves each document either whole or absent.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline import corrections
from schemas.ddl import MIGRATION_DEFAULTS, all_ddl, table_columns
from schemas.records import CONTRACT_TABLES, EXTRACTION_TABLES, Document, Extraction

DEFAULT_DB = Path("data/processed/plans.duckdb")
# The loader appends small batches: DuckDB's defaults (80 % of RAM, a thread per core, each
# with its own allocator arena) only make `shoko ingest` bigger, never faster. But the
# cross-document work (the reconciliation) grows with the corpus, so the limit
# is a share of the machine's memory (1/16, between 256 MB and 1 GB: ~1 GB on a 16 GB
# machine) and what does not fit spills to `<db>.tmp` instead of failing. A checkpoint
# recompresses the tables, so one every 256 MB of log (not DuckDB's 16 MB) saves the loader
# about 40 % of its time; the log is replayed if the process dies, as before.
WRITER_THREADS = 1
WRITER_CHECKPOINT_THRESHOLD = "256MB"


def physical_memory_bytes() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return 4 << 30


def writer_memory_limit_mb() -> int:
    return int(min(1024, max(256, physical_memory_bytes() / 16 / 2**20)))


def ingest_memory_limit_mb() -> int:
    """The loader's share: DuckDB keeps the blocks it wrote cached up to its limit, so over a
    national ingest a 1 GB limit means a 1 GB loader. Measured on the national corpus (4,100
    files, 2 workers): at 384 MB the loader peaked at 714 MB and the tree at 1,047 MB; at
    192 MB, spilling beyond it, 513 MB and 845 MB, for 7 % more time (`make bench` (e))."""
    return int(min(256, max(192, physical_memory_bytes() / 128 / 2**20)))


class DatabaseLockedError(RuntimeError):
    """Another process holds the database file (or shoko's writer lock on it)."""


def lock_message(target: str, duckdb_error: str, read_only: bool) -> str:
    """One line naming the process DuckDB says holds the file (its message has the PID)."""
    import re

    held = re.search(r"Conflicting lock is held in (.+?) \(PID (\d+)\)", duckdb_error)
    who = f"PID {held.group(2)} ({held.group(1)})" if held else "another process"
    if read_only:
        return (f"{target} is open for writing by {who}, which is not a shoko ingest (an ingest never "
                "holds the published file): close that connection and run again")
    return (f"{target} is open in {who}: DuckDB lets no other process write a file that one holds; "
            "close that connection (readers should open the file read_only) and run again")


class DiskFullError(OSError):
    """The database (or DuckDB's spill folder) ran out of disk space."""


@dataclass(frozen=True)
class KnownFile:
    doc_id: str
    size: int | None
    mtime: float | None
    extractor_version: str | None
    status: str
    error: str | None = None


def _extra_views() -> list[str]:
    """Views other modules define (reconciliation, dashboards); each module owns its SQL."""
    from pipeline import views

    return views.all_views()


def connect(path: str | Path = DEFAULT_DB, read_only: bool = False,
            memory_limit_mb: int | None = None) -> duckdb.DuckDBPyConnection:
    """Open (and for writers, create and migrate) the database; a clear error when it is locked.
    A writer's memory limit is `memory_limit_mb`, default writer_memory_limit_mb()."""
    target = str(path)
    if target != ":memory:" and not read_only:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    if read_only and target != ":memory:" and not Path(target).exists():
        raise FileNotFoundError(f"no database at {target}: run `shoko ingest` first")
    try:
        con = duckdb.connect(target, read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise DatabaseLockedError(lock_message(target, str(exc), read_only)) from None
        raise
    if not read_only:
        con.execute(f"SET memory_limit = '{memory_limit_mb or writer_memory_limit_mb()}MB'")
        if target != ":memory:":
            con.execute(f"SET temp_directory = '{target}.tmp'")  # spill here rather than fail
        con.execute("SET preserve_insertion_order = false")  # lets big joins and sorts stream
        con.execute(f"SET threads = {WRITER_THREADS}")
        con.execute(f"SET checkpoint_threshold = '{WRITER_CHECKPOINT_THRESHOLD}'")
        quiet_progress_bar(con)
        ensure_schema(con)
    return con


def quiet_progress_bar(con: duckdb.DuckDBPyConnection) -> None:
    """No DuckDB progress bar on a long statement: the ingest draws its own on stderr."""
    try:
        con.execute("SET enable_progress_bar = false")
    except duckdb.Error:
        pass  # in Jupyter without ipywidgets DuckDB refuses even to switch it off


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create missing tables, add missing columns (the contract only ever grows), create views."""
    for statement in all_ddl():
        con.execute(statement)
    existing = {(t, c) for t, c in con.execute(
        "select table_name, column_name from information_schema.columns").fetchall()}
    for table in CONTRACT_TABLES:
        for column, sqltype in table_columns(table):
            if (table, column) not in existing:
                default = MIGRATION_DEFAULTS.get(column)
                con.execute(f"ALTER TABLE {table} ADD COLUMN {column} {sqltype}"
                            + (f" DEFAULT {default}" if default else ""))
    migrate_column_types(con)
    from pipeline import search

    search.ensure_tables(con)
    corrections.ensure_table(con)
    for statement in _extra_views():
        con.execute(statement)
    from pipeline import catalog

    catalog.apply_comments(con)  # views are recreated above, so their comments too


def migrate_column_types(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Columns an older shoko declared with another type, altered in place (values kept).

    bbox was DOUBLE[4] before 0.3 (a fixed-size ARRAY, which DuckDB's Parquet writer
    mangles when rows are NULL); it is DOUBLE[] now. Returns the (table, column) altered.
    """
    have = {(t, c): d for t, c, d in con.execute(
        "select table_name, column_name, data_type from information_schema.columns").fetchall()}
    altered = []
    for table in CONTRACT_TABLES:
        for column, sqltype in table_columns(table):
            current = have.get((table, column))
            if current and sqltype.endswith("[]") and current != sqltype and current.endswith("]"):
                con.execute(f'ALTER TABLE {table} ALTER COLUMN "{column}" TYPE {sqltype}')
                altered.append((table, column))
    return altered


def known_files(con: duckdb.DuckDBPyConnection) -> dict[str, KnownFile]:
    """source_path -> what the database holds for it, to skip unchanged files."""
    rows = con.execute(
        "select source_path, doc_id, file_size, file_mtime, extractor_version, status, error from documents"
    ).fetchall()
    return {r[0]: KnownFile(r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows}


def known_doc_ids(con: duckdb.DuckDBPyConnection) -> dict[str, KnownFile]:
    rows = con.execute(
        "select doc_id, file_size, file_mtime, extractor_version, status, error from documents").fetchall()
    return {r[0]: KnownFile(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows}


_ARROW_TYPES = {"VARCHAR": pa.string(), "INTEGER": pa.int64(), "BIGINT": pa.int64(), "DOUBLE": pa.float64(),
                "BOOLEAN": pa.bool_(), "DATE": pa.date32(), "TIMESTAMP": pa.timestamp("us")}


def _arrow_type(sqltype: str) -> pa.DataType | None:
    """The Arrow type a column is built with (no per-value type inference); None: infer."""
    if sqltype.endswith("]"):  # DOUBLE[]: a bbox
        return pa.list_(_ARROW_TYPES.get(sqltype.split("[")[0], pa.float64()))
    return _ARROW_TYPES.get(sqltype)


def _arrow_table(table: str, rows: list[tuple[str, object]], extra: tuple[str, ...] = ()) -> pa.Table:
    """One Arrow table of (doc_id, record) rows: records are flat, so columns are attributes.
    `extra` names record fields (text) to carry along that the table does not store."""
    columns = {}
    for name, sqltype in [*table_columns(table), *((name, "VARCHAR") for name in extra)]:
        if name == "doc_id":
            values = [doc_id for doc_id, _ in rows]
        else:
            values = [getattr(record, name, None) for _, record in rows]
        columns[name] = _arrow_column(values, _arrow_type(sqltype))
    return pa.table(columns)


def readable_text(text: str | None) -> str | None:
    """Text as a person reads it, where it holds a file name that is not valid UTF-8.

    Python shows such names (a cp932 name copied from a Windows share, say) with
    surrogate escapes, which DuckDB, Arrow and a UTF-8 terminal all refuse. Each
    '/'-separated part is decoded as UTF-8, else cp932, else shown with \\xNN escapes.
    """
    if not text or not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    parts = []
    for raw in text.encode("utf-8", "surrogateescape").split(os.sep.encode()):
        for encoding in ("utf-8", "cp932"):
            try:
                parts.append(raw.decode(encoding))
                break
            except UnicodeDecodeError:
                continue
        else:
            parts.append(raw.decode("utf-8", "backslashreplace"))
    return os.sep.join(parts)


def _arrow_column(values: list, arrow_type: pa.DataType | None = None) -> pa.Array:
    if arrow_type is not None:
        try:
            return pa.array(values, type=arrow_type)
        except (pa.ArrowException, TypeError, ValueError, UnicodeEncodeError):
            pass  # an unusual value: the inferring path below handles or reports it
    # bbox tuples become lists so Arrow infers a list type DuckDB casts to DOUBLE[]
    if any(isinstance(v, tuple) for v in values):
        values = [list(v) if v is not None else None for v in values]
    if all(v is None for v in values):
        return pa.array(values, type=pa.null())
    try:
        return pa.array(values)
    except UnicodeEncodeError:  # a non-UTF-8 file name inside a value (error text, CSV sheet name)
        return pa.array([readable_text(v) if isinstance(v, str) else v for v in values])


def _insert(con: duckdb.DuckDBPyConnection, table: str, arrow: pa.Table, then: tuple[str, ...] = ()) -> None:
    """INSERT the table's columns from an Arrow batch, then run `then` (SQL reading the
    same batch as `_shoko_batch`) before the batch is let go."""
    columns = table_columns(table)
    names = ", ".join(n for n, _ in columns)
    casts = ", ".join(f"CAST(\"{n}\" AS {t}) AS {n}" for n, t in columns)
    con.register("_shoko_batch", arrow)
    try:
        con.execute(f"INSERT INTO {table} ({names}) SELECT {casts} FROM _shoko_batch")
        for statement in then:
            con.execute(statement)
    finally:
        con.unregister("_shoko_batch")


def delete_document(con: duckdb.DuckDBPyConnection, doc_ids: list[str]) -> None:
    from pipeline import search

    con.execute(search.DELETE_POSTINGS_SQL, [doc_ids])
    for table in [*EXTRACTION_TABLES, search.TABLE, "documents"]:
        con.execute(f"DELETE FROM {table} WHERE doc_id IN (SELECT unnest(?))", [doc_ids])


def load_document(con: duckdb.DuckDBPyConnection, document: Document, extraction: Extraction,
                  replaces: list[str] = ()) -> dict[str, int]:
    """Replace everything held for this document (and for `replaces`) in one transaction."""
    return load_documents(con, [(document, extraction, list(replaces))])[0]


def load_documents(con: duckdb.DuckDBPyConnection,
                   batch: list[tuple[Document, Extraction, list[str]]],
                   known: bool = True) -> list[dict[str, int]]:
    """Load several documents in one transaction: per table one delete and one bulk insert.

    Each statement costs a few milliseconds whatever its size, so a batch of documents
    loads nearly as fast as one. A batch is as atomic as a single document: all of it or
    none. `known=False` (none of the doc_ids, nor what they replace, is in the database:
    a fresh ingest) skips the deletes.
    """
    from pipeline import search

    doc_ids = [document.doc_id for document, _, _ in batch]
    stale = [*doc_ids, *(old for _, _, replaces in batch for old in replaces)]
    counts = [{table: len(getattr(extraction, table)) for table in EXTRACTION_TABLES}
              for _, extraction, _ in batch]
    con.execute("BEGIN TRANSACTION")
    try:
        if known:
            delete_document(con, stale)
        _insert(con, "documents", _arrow_table("documents", [(d.doc_id, d) for d, _, _ in batch]))
        for table in EXTRACTION_TABLES:
            rows = [(document.doc_id, record) for document, extraction, _ in batch
                    for record in getattr(extraction, table)]
            if table == "sections" and rows:  # the terms cut in the worker: section_tokens, postings
                _insert(con, table, _arrow_table(table, rows, extra=("search_terms",)),
                        then=search.TOKENS_FROM_BATCH_SQL)
            elif rows:
                _insert(con, table, _arrow_table(table, rows))
        if known:  # a changed file at the same path: its corrections follow it
            corrections.carry_over(con, {old: document.doc_id for document, _, replaces in batch for old in replaces})
        corrections.apply_corrections(con, doc_ids)  # what people fixed survives re-extraction
        con.execute("COMMIT")
    except BaseException as exc:
        rollback(con)
        raise disk_full_or(exc) from None
    return counts


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """ROLLBACK where a transaction is still open: a failed COMMIT (a full disk) has
    ended it already, and the error of a second ROLLBACK would hide the real cause."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass


def disk_full_or(exc: BaseException) -> BaseException:
    """A DiskFullError naming the cause where DuckDB failed for lack of space, else exc."""
    if "no space left on device" in str(exc).lower():
        return DiskFullError(28, "no space left on device (the database is unchanged by this "
                                 "batch: free some space and run `shoko ingest` again)")
    return exc


def touch_document(con: duckdb.DuckDBPyConnection, doc_id: str, source_path: str,
                   size: int, mtime: float) -> None:
    """Record a new path/mtime for bytes already loaded (a copy or a touched file)."""
    con.execute("UPDATE documents SET source_path = ?, file_size = ?, file_mtime = ? WHERE doc_id = ?",
                [readable_text(source_path), size, mtime, doc_id])


PLAN_MISMATCH_CODE = "progress_target_differs_from_plan"
STATE_TABLE = "shoko_state"


def _state_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE TABLE IF NOT EXISTS {STATE_TABLE} (key VARCHAR PRIMARY KEY, value VARCHAR)")


def mark_reconcile_pending(con: duckdb.DuckDBPyConnection) -> None:
    """Persist that the cross-document findings are out of date (before any load), so a
    run that dies before reconciling has the next run reconcile, even with nothing to load."""
    _state_table(con)
    con.execute(f"INSERT OR REPLACE INTO {STATE_TABLE} VALUES ('reconcile_pending', ?)", [now().isoformat()])


def reconcile_pending(con: duckdb.DuckDBPyConnection) -> bool:
    _state_table(con)
    return bool(con.execute(f"SELECT count(*) FROM {STATE_TABLE} WHERE key = 'reconcile_pending'").fetchone()[0])


def reconcile_progress_with_plans(con: duckdb.DuckDBPyConnection) -> int:
    """Findings for progress rows whose 年間目標 differs from the promotion plan's target.

    They compare two documents, so they are recomputed after every load (in one
    transaction, which also clears the 'reconcile pending' marker) rather than written
    with either document. Returns how many there are.
    """
    _state_table(con)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"DELETE FROM {STATE_TABLE} WHERE key = 'reconcile_pending'")
        con.execute("DELETE FROM findings WHERE code = ?", [PLAN_MISMATCH_CODE])
        con.execute("""
            INSERT INTO findings (doc_id, severity, code, message, location)
            SELECT doc_id, 'warning', ?,
                   project || ' ' || fiscal_year || '年度: 進捗表の年間目標 ' || target
                   || ' ≠ 計画の目標 ' || plan_target || coalesce(plan_unit, '')
                   || ' (計画 ' || coalesce(plan_section_no, '成果目標') || ')',
                   coalesce(sheet || '!' || cell, 'page ' || page)
              FROM progress_vs_plan WHERE target_matches_plan = false""", [PLAN_MISMATCH_CODE])
        con.execute("COMMIT")
    except BaseException as exc:
        rollback(con)
        raise disk_full_or(exc) from None
    return con.execute("SELECT count(*) FROM findings WHERE code = ?", [PLAN_MISMATCH_CODE]).fetchone()[0]


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in CONTRACT_TABLES}


def views_for_export() -> list[str]:
    from pipeline import views

    return list(views.VIEWS)


def now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)
