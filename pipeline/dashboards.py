"""Dashboard exports: the contract tables and views as one Excel workbook.

One sheet per table or view, header row frozen and an autofilter over the
data, so an analyst without a BI tool can sort and filter at once. Parquet
(for BI tools) is written by pipeline.store.export_parquet.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

EXCEL_MAX_ROWS = 1_048_576
EXCEL_SHEET_NAME_MAX = 31


@dataclass(frozen=True)
class XlsxSettings:
    max_rows: int = EXCEL_MAX_ROWS - 1  # one row is the header
    max_column_width: int = 60
    file_name: str = "shoko.xlsx"


def _cell(value):
    """A value openpyxl can write: lists (bbox) as text, control characters removed."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, (list, tuple)):
        return ", ".join("" if v is None else f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones
    return value


def _sheet_name(name: str, used: set[str]) -> str:
    base = name[:EXCEL_SHEET_NAME_MAX]
    candidate, n = base, 2
    while candidate in used:
        suffix = f"~{n}"
        candidate, n = base[:EXCEL_SHEET_NAME_MAX - len(suffix)] + suffix, n + 1
    used.add(candidate)
    return candidate


def export_xlsx(con: duckdb.DuckDBPyConnection, out: str | Path, names: list[str],
                settings: XlsxSettings = XlsxSettings()) -> Path:
    """Write every named table/view to one workbook; `out` is a folder or a .xlsx path."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    target = Path(out)
    if target.suffix.lower() != ".xlsx":
        target.mkdir(parents=True, exist_ok=True)
        target = target / settings.file_name
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for name in names:
        result = con.execute(f"SELECT * FROM {name}")
        columns = [d[0] for d in result.description]
        rows = result.fetchmany(settings.max_rows)
        sheet = workbook.create_sheet(_sheet_name(name, used))
        sheet.append(columns)
        for row in rows:
            sheet.append([_cell(v) for v in row])
        sheet.freeze_panes = "A2"
        last = get_column_letter(max(1, len(columns)))
        sheet.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
        for i, column in enumerate(columns, start=1):
            longest = max([len(str(column))] + [len(str(r[i - 1])) for r in rows[:200] if r[i - 1] is not None])
            sheet.column_dimensions[get_column_letter(i)].width = min(settings.max_column_width, longest + 2)
    workbook.save(target)
    return target


# --- indicator coverage (shoko indicators) ---------------------------------------------

def indicator_counts(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Per indicator (NULL = unmapped): documents, table rows, cells, and the wordings it covers."""
    sql = """
        SELECT indicator, count(DISTINCT doc_id) AS documents,
               count(DISTINCT (doc_id, section_no, metric, parent_metric)) AS rows,
               count(*) AS cells, count(DISTINCT metric) AS wordings
          FROM targets GROUP BY indicator ORDER BY indicator IS NULL, rows DESC, indicator
    """
    return _records(con.execute(sql))


def unmapped_metrics(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Distinct target labels no rule maps, with their section and how often they occur."""
    sql = """
        SELECT t.metric, t.parent_metric, t.section_no, any_value(s.canonical) AS section,
               any_value(s.title) AS section_title, string_agg(DISTINCT t.unit, '・') AS units,
               count(DISTINCT t.doc_id) AS documents, count(*) AS cells,
               string_agg(DISTINCT d.file_name, ', ') AS files
          FROM targets t
          JOIN documents d USING (doc_id)
          LEFT JOIN sections s ON s.doc_id = t.doc_id AND s.section_no = t.section_no
         WHERE t.indicator IS NULL
         GROUP BY t.metric, t.parent_metric, t.section_no
         ORDER BY cells DESC, t.metric
    """
    return _records(con.execute(sql))


def _records(result) -> list[dict]:
    columns = [d[0] for d in result.description]
    return [dict(zip(columns, row)) for row in result.fetchall()]
