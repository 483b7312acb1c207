"""Indicator coverage for `shoko indicators` (the workbook export is pipeline/xlsx_export.py)."""
from __future__ import annotations

import duckdb

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
