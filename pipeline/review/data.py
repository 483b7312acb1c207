"""What the review pages read from the database, and the one thing they write (corrections).

Every request opens the database read-only and closes it again, so the review never
holds the file while `shoko ingest` wants it (DuckDB allows one writer and no readers
meanwhile); a correction opens it for writing for the few milliseconds it takes. The
requests of the (threaded) server take turns on one lock: DuckDB refuses a read-only
and a read-write connection to the same file in one process at the same time.
"""
from __future__ import annotations

import json
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import corrections, store
from pipeline.confidence import LOW

PAGE_SIZE = 100

# What each table shows in the review, and which of its columns the page lets you edit.
# (label, column) pairs; provenance and confidence are added to every table.
TABLE_VIEWS: dict[str, dict] = {
    "targets": {"title": "目標 targets",
                "show": ["section_no", "metric", "parent_metric", "fiscal_year", "is_baseline", "value", "unit", "raw"],
                "edit": ["section_no", "metric", "parent_metric", "fiscal_year", "is_baseline", "value", "unit"]},
    "budgets": {"title": "予算 budgets",
                "show": ["item", "is_total", "fiscal_year", "amount_thousand_yen", "raw"],
                "edit": ["item", "is_total", "fiscal_year", "amount_thousand_yen"]},
    "progress": {"title": "進捗 progress",
                 "show": ["measure", "project", "metric", "unit", "fiscal_year", "target", "actual", "grade",
                          "grade_computed"],
                 "edit": ["measure", "project", "metric", "unit", "fiscal_year", "target", "actual", "grade"]},
    "plans": {"title": "計画 plan",
              "show": ["chamber", "chamber_corporate_number", "period_start", "period_end", "goals"],
              "edit": ["chamber", "chamber_corporate_number", "period_start", "period_end", "goals"]},
    "plan_municipalities": {"title": "市町村 municipalities", "show": ["name", "local_gov_code"],
                            "edit": ["name", "local_gov_code"]},
    "contacts": {"title": "連絡先 contacts",
                 "show": ["organization", "department", "postal_code", "address", "tel", "fax", "email"],
                 "edit": ["organization", "department", "postal_code", "address", "tel", "fax", "email"]},
    "partners": {"title": "連携先 partners", "show": ["name", "representative", "role"],
                 "edit": ["name", "representative", "role"]},
}
SCORED = ("targets", "budgets", "progress")


class DatabaseUnavailable(RuntimeError):
    """The database cannot be read now (locked by a writer, missing)."""


@dataclass
class Value:
    """One row of a contract table as the document page shows it."""

    uid: str
    table: str
    key: dict
    cells: dict
    page: int | None
    bbox: list[float] | None
    sheet: str | None
    cell: str | None
    confidence: float | None
    corrected: bool
    flagged: bool = False  # a finding points at its page or cell
    fixes: dict = field(default_factory=dict)  # column -> (correction id, extracted value)

    @property
    def key_json(self) -> str:
        return json.dumps(self.key, ensure_ascii=False, sort_keys=True)

    @property
    def needs_look(self) -> bool:
        return self.flagged or (self.confidence is not None and self.confidence < LOW)


class ReviewDatabase:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.lock = threading.Lock()

    @contextmanager
    def reading(self):
        with self.lock:
            try:
                con = store.connect(self.path, read_only=True)
            except store.DatabaseLockedError as exc:
                raise DatabaseUnavailable(str(exc)) from None
            except FileNotFoundError as exc:
                raise DatabaseUnavailable(str(exc)) from None
            try:
                yield con
            finally:
                con.close()

    @contextmanager
    def writing(self):
        with self.lock:
            try:
                con = store.connect(self.path)
            except store.DatabaseLockedError as exc:
                raise DatabaseUnavailable(str(exc)) from None
            try:
                yield con
            finally:
                con.close()

    def migrate(self) -> str | None:
        """Give an older database the corrections table and marker columns; a message if it cannot."""
        try:
            with self.reading() as con:
                have = {r[0] for r in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = 'targets'").fetchall()}
                table = con.execute("SELECT 1 FROM information_schema.tables WHERE table_name = ?",
                                    [corrections.TABLE]).fetchone()
            if table and {"corrected", "confidence"} <= have:
                return None
            with self.writing():
                return None
        except DatabaseUnavailable as exc:
            return str(exc)

    # --- documents list -------------------------------------------------------------

    def documents(self, status: str = "", kind: str = "", q: str = "", needs_review: bool = False,
                  order: str = "review", page: int = 1) -> tuple[list[dict], int, dict]:
        """One page of documents with their counts; the total matching; the filter choices."""
        where, params = ["true"], []
        if status:
            where.append("d.status = ?")
            params.append(status)
        if kind:
            where.append("d.kind = ?")
            params.append(kind)
        if q:
            where.append("(d.file_name ILIKE ? OR d.source_path ILIKE ? OR p.chamber ILIKE ?)")
            params += [f"%{q}%"] * 3
        if needs_review:
            where.append("(f.n > 0 OR v.low > 0)")
        orders = {"review": "findings + low_confidence DESC, file_name",
                  "file": "file_name", "chamber": "chamber NULLS LAST, file_name",
                  "corrected": "corrections DESC, file_name", "newest": "ingested_at DESC, file_name"}
        scored = " UNION ALL ".join(f"SELECT doc_id, confidence, corrected FROM {t}" for t in SCORED)
        matching = f"""
            WITH f AS (SELECT doc_id, count(*) AS n FROM findings GROUP BY doc_id),
                 v AS (SELECT doc_id, count(*) FILTER (WHERE confidence < {LOW}) AS low,
                              count(*) AS n_values FROM ({scored}) GROUP BY doc_id),
                 c AS (SELECT doc_id, count(*) AS n FROM {corrections.TABLE} GROUP BY doc_id),
                 p AS (SELECT doc_id, any_value(chamber) AS chamber FROM plans GROUP BY doc_id)
            SELECT d.doc_id, d.file_name, d.source_path, d.kind, d.status, d.error, d.pages, d.ingested_at,
                   p.chamber, coalesce(f.n, 0) AS findings, coalesce(v.low, 0) AS low_confidence,
                   coalesce(v.n_values, 0) AS n_values, coalesce(c.n, 0) AS corrections
              FROM documents d LEFT JOIN f USING (doc_id) LEFT JOIN v USING (doc_id)
              LEFT JOIN c USING (doc_id) LEFT JOIN p USING (doc_id)
             WHERE {' AND '.join(where)}"""
        with self.reading() as con:
            cursor = con.execute(f"SELECT *, count(*) OVER () AS total FROM ({matching}) "
                                 f"ORDER BY {orders.get(order, orders['review'])} "
                                 f"LIMIT {PAGE_SIZE} OFFSET {max(0, page - 1) * PAGE_SIZE}", params)
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, r)) for r in cursor.fetchall()]
            choices = {
                "status": [r[0] for r in con.execute("SELECT DISTINCT status FROM documents ORDER BY 1").fetchall()],
                "kind": [r[0] for r in con.execute("SELECT DISTINCT kind FROM documents ORDER BY 1").fetchall()],
            }
            # past the last page: count without a page of rows to read it from
            total = rows[0]["total"] if rows else con.execute(
                f"SELECT count(*) FROM ({matching})", params).fetchone()[0] if page > 1 else 0
        return rows, total, choices

    # --- one document ---------------------------------------------------------------

    def document(self, doc_id: str) -> dict | None:
        """The document, its findings, and its values table by table (ones to look at first)."""
        with self.reading() as con:
            cursor = con.execute("SELECT * FROM documents WHERE doc_id = ?", [doc_id])
            row = cursor.fetchone()
            if row is None:
                return None
            document = dict(zip([d[0] for d in cursor.description], row))
            findings = [dict(zip(("severity", "code", "message", "location"), r)) for r in con.execute(
                "SELECT severity, code, message, location FROM findings WHERE doc_id = ? "
                "ORDER BY severity, code", [doc_id]).fetchall()]
            fixes = _fixes(con, doc_id)
            tables = {}
            for table in TABLE_VIEWS:
                values = _values(con, table, doc_id, findings, fixes)
                if values:
                    tables[table] = values
        return {"document": document, "findings": findings, "tables": tables}

    def source_of(self, doc_id: str) -> tuple[str, int | None, float | None] | None:
        with self.reading() as con:
            return con.execute("SELECT source_path, file_size, file_mtime FROM documents WHERE doc_id = ?",
                               [doc_id]).fetchone()

    # --- writes -------------------------------------------------------------------

    def correct(self, doc_id: str, table: str, key: dict, column: str, value, note: str | None) -> dict:
        with self.writing() as con:
            ids = corrections.add_correction(con, doc_id, table, key, {column: value}, note)
            row = con.execute(f'SELECT extracted_value, corrected_value FROM {corrections.TABLE} WHERE id = ?',
                              [ids[0]]).fetchone()
        new_key = {**key, column: _typed(table, column, value)} if column in key else key
        return {"id": ids[0], "extracted": row[0], "value": row[1], "key": new_key}

    def undo(self, correction_id: int) -> dict:
        with self.writing() as con:
            c = corrections.undo(con, correction_id)
        key = c.row_key
        return {"id": c.id, "value": c.extracted_value, "key": key, "column": c.column}


def _typed(table: str, column: str, value):
    """The JSON form a key column takes in a row key (as corrections stores it)."""
    if value is None:
        return None
    sqltype = dict(store.table_columns(table)).get(column, "VARCHAR")
    if sqltype in ("INTEGER", "BIGINT"):
        return int(float(value))
    if sqltype == "DOUBLE":
        number = float(value)
        return int(number) if number.is_integer() else number
    if sqltype == "BOOLEAN":
        return str(value).lower() in ("true", "1", "t", "yes")
    return value


def _fixes(con, doc_id: str) -> dict:
    """(table, current row key JSON, column) -> (correction id, extracted value)."""
    result = {}
    for c in corrections.corrections_for(con, [doc_id]):
        key = dict(c.row_key)
        if c.column in key:  # the row carries the corrected key value now
            key[c.column] = _typed(c.table, c.column, c.corrected_value)
        result[(c.table, json.dumps(key, ensure_ascii=False, sort_keys=True), c.column)] = (c.id, c.extracted_value)
    return result


_PAGE_LOCATION = re.compile(r"^pages? (\d+)")


def _values(con, table: str, doc_id: str, findings: list[dict], fixes: dict) -> list[Value]:
    view = TABLE_VIEWS[table]
    natural = corrections.NATURAL_KEYS[table]
    columns = [c for c, _ in store.table_columns(table)]
    wanted = list(dict.fromkeys([*natural, *view["show"], *(c for c in ("page", "bbox", "sheet", "cell",
                                                                          "confidence", "corrected") if c in columns)]))
    order = ", ".join(c for c in ("page", "sheet", "cell") if c in columns) or "1"
    if "bbox" in columns:
        order += ", bbox[2], bbox[1]"
    cursor = con.execute(f"SELECT {', '.join(chr(34) + c + chr(34) for c in wanted)} FROM {table} "
                         f"WHERE doc_id = ? ORDER BY {order}", [doc_id])
    flagged_pages = {int(m.group(1)) for f in findings if f["location"] and (m := _PAGE_LOCATION.match(f["location"]))}
    flagged_cells = {f["location"] for f in findings if f["location"]}
    values = []
    for n, row in enumerate(cursor.fetchall()):
        record = dict(zip(wanted, row))
        key = {c: corrections._json_value(record[c]) for c in natural}
        value = Value(
            uid=f"{table}-{n}", table=table, key=key, cells={c: record[c] for c in view["show"]},
            page=record.get("page"), bbox=list(record["bbox"]) if record.get("bbox") is not None else None,
            sheet=record.get("sheet"), cell=record.get("cell"), confidence=record.get("confidence"),
            corrected=bool(record.get("corrected")))
        value.flagged = (value.page in flagged_pages and table in ("budgets", "targets")) or (
            value.cell is not None and (value.cell in flagged_cells or f"{value.sheet}!{value.cell}" in flagged_cells))
        for column in view["edit"]:
            fix = fixes.get((table, value.key_json, column))
            if fix:
                value.fixes[column] = fix
        values.append(value)
    # the ones to look at first: a finding or a low confidence, least confident first
    values.sort(key=lambda v: (not v.needs_look, v.confidence if v.needs_look and v.confidence is not None else 1.0))
    return values
