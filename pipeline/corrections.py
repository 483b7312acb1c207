"""Corrections: values a person fixed, kept as data and applied on top of every load.

A correction names a row by its document and its natural key (NATURAL_KEYS: the columns
that tell a table's rows of one document apart), one column, the value extracted and the
value it should have. Corrections live in their own table, never in the extraction
output, so `shoko ingest --force` or a new extractor version re-extracts the document
and `apply_corrections` puts every correction back, in the same transaction as the load
(`store.load_documents` calls it). The corrected rows carry `corrected = true`; the
extracted value stays in `corrections.extracted_value`. A correction whose row is gone
after a re-extraction becomes a `correction_orphaned` finding of its document; it is kept,
and applies again if the row comes back.

Corrections are applied in the order they were made, and each records the row's key as
it was when it was made (an earlier correction of a key column included), so replaying
them on freshly extracted rows reproduces what the person saw.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from schemas.ddl import table_columns

TABLE = "corrections"
ORPHANED = "correction_orphaned"

# table -> the columns that identify a row within one document (plans: one per document).
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "plans": (),
    "plan_chambers": ("chamber",),
    "plan_municipalities": ("name",),
    "sections": ("section_no",),
    "targets": ("section_no", "metric", "parent_metric", "fiscal_year", "is_baseline"),
    "budgets": ("item", "fiscal_year"),
    "funding_sources": ("source",),
    "contacts": ("organization",),
    "partners": ("name",),
    "progress": ("sheet", "direction", "measure", "project", "metric", "fiscal_year"),
}

# Provenance and markers are facts about the extraction, not values to correct.
NOT_CORRECTABLE = {"doc_id", "page", "bbox", "sheet", "cell", "source", "corrected", "confidence",
                   "page_start", "page_end"}

DDL = [
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (
  id BIGINT PRIMARY KEY,
  doc_id VARCHAR NOT NULL,
  "table" VARCHAR NOT NULL,
  row_key VARCHAR NOT NULL,
  "column" VARCHAR NOT NULL,
  extracted_value VARCHAR,
  corrected_value VARCHAR,
  note VARCHAR,
  created_at TIMESTAMP NOT NULL
)""",
]

V_CORRECTIONS_SQL = f"""
    CREATE OR REPLACE VIEW v_corrections AS
    SELECT c.id, c.doc_id, d.file_name, c."table", c.row_key, c."column",
           c.extracted_value, c.corrected_value, c.note, c.created_at,
           CASE WHEN d.doc_id IS NULL THEN 'document_not_loaded'
                WHEN EXISTS (SELECT 1 FROM findings f WHERE f.doc_id = c.doc_id
                              AND f.code = '{ORPHANED}' AND f.location = 'correction #' || c.id)
                THEN 'orphaned'
                ELSE 'applied' END AS status
      FROM {TABLE} c LEFT JOIN documents d USING (doc_id)
"""


class CorrectionError(ValueError):
    """A correction that cannot be made: unknown table/column/key, no row, several rows."""


@dataclass(frozen=True)
class Correction:
    id: int
    doc_id: str
    table: str
    row_key: dict
    column: str
    extracted_value: str | None
    corrected_value: str | None
    note: str | None
    created_at: dt.datetime


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    for statement in DDL:
        con.execute(statement)


def _types(table: str) -> dict[str, str]:
    return dict(table_columns(table))


def correctable_columns(table: str) -> list[str]:
    return [name for name, _ in table_columns(table) if name not in NOT_CORRECTABLE]


def _check_table(table: str) -> None:
    if table not in NATURAL_KEYS:
        raise CorrectionError(f"table {table!r} cannot be corrected; choose one of: {', '.join(NATURAL_KEYS)}")


def _where(table: str, key: dict, instead: tuple[str, str | None] | None = None) -> tuple[str, list]:
    """SQL matching one document's rows by natural key (NULL-safe), and its parameters.
    `instead` = (column, value): that key column compared with `value` instead."""
    types = _types(table)
    clauses, params = ["doc_id = ?"], []
    for column, value in key.items():
        if instead is not None and column == instead[0]:
            value = instead[1]
        clauses.append(f'"{column}" IS NOT DISTINCT FROM CAST(? AS {types[column]})')
        params.append(None if value is None else str(value) if not isinstance(value, str) else value)
    return " AND ".join(clauses), params


def _text(value) -> str | None:
    """A value as the corrections table stores it (text that casts back to the column type)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _json_value(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def parse_assignments(pairs: list[str] | None, what: str) -> dict[str, str | None]:
    """`COLUMN=VALUE` strings → dict; `COLUMN=` is NULL."""
    result: dict[str, str | None] = {}
    for pair in pairs or ():
        column, sep, value = pair.partition("=")
        if not sep or not column.strip():
            raise CorrectionError(f"{what} {pair!r}: expected COLUMN=VALUE")
        result[column.strip()] = value if value != "" else None
    return result


def resolve_document(con: duckdb.DuckDBPyConnection, ref: str) -> str:
    """A doc_id from a file (hashed), a stored path or file name, a doc_id or its prefix."""
    path = Path(ref)
    if path.is_file():
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if con.execute("SELECT 1 FROM documents WHERE doc_id = ?", [digest]).fetchone():
            return digest
        raise CorrectionError(f"{ref} is not in the database (its bytes were never ingested)")
    rows = con.execute(
        "SELECT doc_id, source_path FROM documents WHERE source_path = ? OR file_name = ? "
        "OR doc_id = ? OR (length(?) >= 6 AND starts_with(doc_id, ?)) ORDER BY source_path",
        [ref, ref, ref, ref, ref]).fetchall()
    if not rows:
        raise CorrectionError(f"no document {ref!r} in the database (give a file, its name or a doc_id)")
    if len({r[0] for r in rows}) > 1:
        listed = "; ".join(f"{r[0][:12]} {r[1]}" for r in rows[:5])
        raise CorrectionError(f"{ref!r} names {len(rows)} documents ({listed}); give the doc_id")
    return rows[0][0]


def _find_row(con, doc_id: str, table: str, given: dict[str, str | None]) -> dict:
    """The one row of the document the given key columns select (as a dict of its natural key)."""
    natural = NATURAL_KEYS[table]
    unknown = [c for c in given if c not in natural]
    if unknown:
        raise CorrectionError(
            f"{table} rows are identified by {', '.join(natural) or 'the document alone'}; "
            f"not by {', '.join(unknown)}")
    _check_types(con, table, given)
    where, params = _where(table, given)
    columns = ", ".join(f'"{c}"' for c in natural) or "1"
    rows = con.execute(f"SELECT {columns} FROM {table} WHERE {where} LIMIT 21", [doc_id, *params]).fetchall()
    if not rows:
        raise CorrectionError(f"no {table} row of this document has {_describe(given)}" if given
                              else f"this document has no {table} row")
    if len(rows) > 1:
        missing = [c for c in natural if c not in given]
        examples = "; ".join(_describe(dict(zip(natural, r))) for r in rows[:5])
        more = " …" if len(rows) > 5 else ""
        raise CorrectionError(
            f"{_describe(given) or 'the document'} matches {len(rows) if len(rows) <= 20 else 'over 20'} "
            f"{table} rows ({examples}{more}); add --key for {', '.join(missing)}")
    return {c: _json_value(v) for c, v in zip(natural, rows[0])}


def _check_types(con, table: str, values: dict[str, str | None]) -> None:
    types = _types(table)
    for column, value in values.items():
        if value is not None and con.execute(f"SELECT TRY_CAST(? AS {types[column]})", [value]).fetchone()[0] is None:
            raise CorrectionError(f"{table}.{column} is {types[column]}: {value!r} is not one")


def _describe(key: dict) -> str:
    return ", ".join(f"{c}={'NULL' if v is None else v}" for c, v in key.items())


def add_correction(con: duckdb.DuckDBPyConnection, doc_id: str, table: str,
                   key: dict[str, str | None], values: dict[str, str | None],
                   note: str | None = None) -> list[int]:
    """Correct one row's columns (one correction each) and apply them now, in one
    transaction; nothing is written when anything is wrong. Returns the correction ids.

    Correcting a cell already corrected replaces that correction (the extracted value is
    kept from the first one)."""
    _check_table(table)
    if not values:
        raise CorrectionError("nothing to correct: give --set COLUMN=VALUE")
    allowed = correctable_columns(table)
    for column in values:
        if column not in allowed:
            raise CorrectionError(f"{table}.{column} cannot be corrected; columns: {', '.join(allowed)}")
    ids = []
    con.execute("BEGIN TRANSACTION")
    try:
        for column, value in values.items():
            row_key = _find_row(con, doc_id, table, key)
            _check_types(con, table, {column: value})
            where, params = _where(table, row_key)
            current = con.execute(f'SELECT "{column}" FROM {table} WHERE {where} LIMIT 1',
                                  [doc_id, *params]).fetchone()[0]
            key_text = json.dumps(row_key, ensure_ascii=False, sort_keys=True)
            earlier = con.execute(
                f'SELECT id, extracted_value FROM {TABLE} WHERE doc_id = ? AND "table" = ? '
                f'AND row_key = ? AND "column" = ?', [doc_id, table, key_text, column]).fetchone()
            if earlier:
                con.execute(f"UPDATE {TABLE} SET corrected_value = ?, note = coalesce(?, note), created_at = ? "
                            f"WHERE id = ?", [value, note, _now(), earlier[0]])
                ids.append(earlier[0])
            else:
                # max + 1, not a sequence: ids then survive a copy of the table into another
                # file (sync_from), and one writer at a time makes it safe
                ids.append(con.execute(
                    f'INSERT INTO {TABLE} (id, doc_id, "table", row_key, "column", extracted_value, '
                    f'corrected_value, note, created_at) SELECT coalesce(max(id), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ? '
                    f'FROM {TABLE} RETURNING id',
                    [doc_id, table, key_text, column, _text(current), value, note, _now()]).fetchone()[0])
            _set(con, table, doc_id, row_key, column, value)
            if column in row_key:  # the next column of this call finds the row by its new key
                key = {**row_key, column: value}
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return ids


def _set(con, table: str, doc_id: str, row_key: dict, column: str, value: str | None,
         corrected: bool = True) -> int:
    """Set one column of the row with this key (or with it already corrected); rows changed."""
    types = _types(table)
    where, params = _where(table, row_key)
    if column in row_key:  # already applied: the row carries the corrected key value
        where_done, params_done = _where(table, row_key, instead=(column, value))
        where = f"(({where}) OR ({where_done}))"
        params = [*params, doc_id, *params_done]
    changed = con.execute(
        f'UPDATE {table} SET "{column}" = CAST(? AS {types[column]}), corrected = ? WHERE {where} RETURNING 1',
        [value, corrected, doc_id, *params]).fetchall()
    return len(changed)


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def corrections_for(con: duckdb.DuckDBPyConnection, doc_ids: list[str] | None = None) -> list[Correction]:
    sql = (f'SELECT id, doc_id, "table", row_key, "column", extracted_value, corrected_value, note, '
           f'created_at FROM {TABLE}')
    params: list = []
    if doc_ids is not None:
        sql += " WHERE doc_id IN (SELECT unnest(?))"
        params.append(list(doc_ids))
    rows = con.execute(sql + " ORDER BY id", params).fetchall()
    return [Correction(r[0], r[1], r[2], json.loads(r[3]), *r[4:]) for r in rows]


def apply_corrections(con: duckdb.DuckDBPyConnection, doc_ids: list[str]) -> dict[str, int]:
    """Apply the corrections of these documents to their (just loaded) rows.

    Call it inside the transaction that loads the documents. Idempotent: a correction
    already applied is applied again to the same row. Each correction that matches no row
    becomes one `correction_orphaned` finding (the previous ones are replaced). Returns
    {'applied': n, 'orphaned': n}.
    """
    counts = {"applied": 0, "orphaned": 0}
    if not doc_ids:
        return counts
    doc_ids = list(doc_ids)
    # a document without corrections has no orphan finding either (undo removes it): one
    # cheap query is all a load pays when nobody corrected anything
    if not con.execute(f"SELECT 1 FROM {TABLE} WHERE doc_id IN (SELECT unnest(?)) LIMIT 1", [doc_ids]).fetchone():
        return counts
    con.execute("DELETE FROM findings WHERE code = ? AND doc_id IN (SELECT unnest(?))", [ORPHANED, doc_ids])
    loaded = {r[0] for r in con.execute(
        "SELECT doc_id FROM documents WHERE doc_id IN (SELECT unnest(?))", [doc_ids]).fetchall()}
    for c in corrections_for(con, doc_ids):
        if c.doc_id not in loaded or c.table not in NATURAL_KEYS or c.column not in _types(c.table):
            continue
        if _set(con, c.table, c.doc_id, c.row_key, c.column, c.corrected_value):
            counts["applied"] += 1
            continue
        counts["orphaned"] += 1
        con.execute(
            "INSERT INTO findings (doc_id, severity, code, message, location) VALUES (?, 'warning', ?, ?, ?)",
            [c.doc_id, ORPHANED,
             f"correction #{c.id} of {c.table} ({_describe(c.row_key) or 'the document'}) "
             f"{c.column}: {c.extracted_value} → {c.corrected_value} matches no row after re-extraction; "
             f"it is kept and applies again if the row comes back (shoko correct --undo {c.id} drops it)",
             f"correction #{c.id}"])
    return counts


def carry_over(con: duckdb.DuckDBPyConnection, replaced: dict[str, str]) -> int:
    """Move the corrections of replaced documents (old doc_id -> new: a changed file at the
    same path) to their new version, so they apply there or become its findings; call it in
    the load's transaction, before apply_corrections. Returns how many moved."""
    moved = 0
    for old, new in replaced.items():
        if old != new:
            moved += len(con.execute(f"UPDATE {TABLE} SET doc_id = ? WHERE doc_id = ? RETURNING 1",
                                     [new, old]).fetchall())
    return moved


def _revert(con, c: Correction) -> None:
    """Put a correction's extracted value back on its row (the correction itself stays)."""
    current_key = {**c.row_key, c.column: c.corrected_value} if c.column in c.row_key else c.row_key
    _set(con, c.table, c.doc_id, current_key, c.column, c.extracted_value, corrected=False)


def sync_from(con: duckdb.DuckDBPyConnection, published: str | Path) -> list[str]:
    """Make this database's corrections those of `published`, and its rows agree.

    For an ingest that loads a working copy and then publishes it over the database
    path: `shoko review` and `shoko correct` write to the published file meanwhile, so,
    inside the transaction that finishes the working copy, just before publishing, this
    takes the published file's corrections (its own are the copy made at the start):
    a document whose corrections differ gets its own reverted, newest first, then the
    published ones applied (corrections of a replaced document follow it to its new
    doc_id, as in a load). Returns the doc_ids whose rows were redone.
    """
    _attach_published(con, Path(published))
    try:
        if not con.execute("SELECT 1 FROM duckdb_tables() WHERE database_name = 'shoko_published' "
                           "AND table_name = ?", [TABLE]).fetchone():
            return []
        columns = 'id, doc_id, "table", row_key, "column", extracted_value, corrected_value, note, created_at'
        theirs = [Correction(r[0], r[1], r[2], json.loads(r[3]), *r[4:]) for r in con.execute(
            f"SELECT {columns} FROM shoko_published.{TABLE} ORDER BY id").fetchall()]
        # a document replaced by this ingest (same path, new bytes): its corrections move on
        moved = dict(con.execute(
            "SELECT p.doc_id, d.doc_id FROM shoko_published.documents p JOIN documents d USING (source_path) "
            "WHERE p.doc_id <> d.doc_id").fetchall())
    finally:
        con.execute("DETACH shoko_published")
    theirs = [replace(c, doc_id=moved.get(c.doc_id, c.doc_id)) for c in theirs]
    ours = corrections_for(con)

    def by_doc(items):
        grouped: dict[str, list] = {}
        for c in items:
            grouped.setdefault(c.doc_id, []).append(c)
        return grouped

    mine, published_by_doc = by_doc(ours), by_doc(theirs)
    changed = sorted(d for d in set(mine) | set(published_by_doc)
                     if [_fingerprint(c) for c in mine.get(d, [])] != [_fingerprint(c) for c in published_by_doc.get(d, [])])
    if not changed:
        return []
    for doc_id in changed:
        for c in reversed(mine.get(doc_id, [])):
            if c.table in NATURAL_KEYS:
                _revert(con, c)
    con.execute(f"DELETE FROM {TABLE}")
    for c in theirs:
        con.execute(f"INSERT INTO {TABLE} ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [c.id, c.doc_id, c.table, json.dumps(c.row_key, ensure_ascii=False, sort_keys=True),
                     c.column, c.extracted_value, c.corrected_value, c.note, c.created_at])
    con.execute("DELETE FROM findings WHERE code = ? AND doc_id IN (SELECT unnest(?))", [ORPHANED, changed])
    apply_corrections(con, changed)
    return changed


def _attach_published(con, published: Path, wait_s: float = 10.0) -> None:
    """ATTACH the published file read-only, waiting out a correction being written there
    (`shoko review` holds it for writing for a few milliseconds per correction)."""
    import time

    deadline = time.monotonic() + wait_s
    while True:
        try:
            quoted = str(published).replace("'", "''")
            con.execute(f"ATTACH '{quoted}' AS shoko_published (READ_ONLY)")
            return
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _fingerprint(c: Correction) -> tuple:
    return (c.id, c.table, json.dumps(c.row_key, sort_keys=True), c.column, c.extracted_value, c.corrected_value)


def undo(con: duckdb.DuckDBPyConnection, correction_id: int) -> Correction:
    """Remove a correction and put the extracted value back on its row, in one transaction."""
    found = [c for c in corrections_for(con) if c.id == correction_id]
    if not found:
        raise CorrectionError(f"no correction #{correction_id} (see `shoko corrections`)")
    c = found[0]
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"DELETE FROM {TABLE} WHERE id = ?", [c.id])
        if c.table in NATURAL_KEYS:
            others = con.execute(f'SELECT count(*) FROM {TABLE} WHERE doc_id = ? AND "table" = ? AND row_key = ?',
                                 [c.doc_id, c.table, json.dumps(c.row_key, ensure_ascii=False, sort_keys=True)]
                                 ).fetchone()[0]
            # the row as it is now: with the corrected value (also when it was a key column)
            current_key = {**c.row_key, c.column: c.corrected_value} if c.column in c.row_key else c.row_key
            _set(con, c.table, c.doc_id, current_key, c.column, c.extracted_value, corrected=others > 0)
        con.execute("DELETE FROM findings WHERE code = ? AND doc_id = ? AND location = ?",
                    [ORPHANED, c.doc_id, f"correction #{c.id}"])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return c


def listing(con: duckdb.DuckDBPyConnection, doc_id: str | None = None) -> list[dict]:
    """v_corrections rows, newest last."""
    sql = "SELECT * FROM v_corrections"
    params = []
    if doc_id:
        sql += " WHERE doc_id = ?"
        params.append(doc_id)
    cursor = con.execute(sql + " ORDER BY id", params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]
