"""Dashboard views, `shoko indicators` and `shoko export --format xlsx`."""
from __future__ import annotations

import json

import openpyxl
import pytest

from conftest import RAW
from pipeline import cli, store, views
from pipeline.ingest import IngestOptions, ingest

DASHBOARD_VIEWS = ["v_targets_by_indicator", "v_budget_by_year", "v_plan_overview", "v_progress_status"]


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("dash") / "plans.duckdb"
    assert ingest([RAW], IngestOptions(db=db, workers=2)).exit_code == 0
    return db


@pytest.fixture
def con(corpus_db):
    connection = store.connect(corpus_db, read_only=True)
    yield connection
    connection.close()


def test_dashboard_views_are_registered():
    assert set(DASHBOARD_VIEWS) <= set(views.VIEWS)


def test_targets_by_indicator_compares_chambers(con):
    rows = con.execute("""
        SELECT chamber, fiscal_year, total_value FROM v_targets_by_indicator
         WHERE indicator = 'management_analyses' AND NOT is_baseline ORDER BY chamber, fiscal_year
    """).fetchall()
    chambers = {r[0] for r in rows}
    assert chambers == {"青梅商工会議所", "留萌商工会議所"}
    assert all(r[1] is not None and r[2] > 0 for r in rows)


def test_targets_by_indicator_does_not_count_breakdown_rows_twice(con):
    # a plan's 公表回数 row and its per-office sub-rows share an indicator: only the main row sums
    doc_id, year = con.execute("""
        SELECT doc_id, fiscal_year FROM targets
         WHERE indicator = 'surveys_published' AND parent_metric IS NOT NULL AND value IS NOT NULL
         LIMIT 1""").fetchone()
    main_sum = con.execute("""
        SELECT sum(value) FROM targets WHERE doc_id = ? AND fiscal_year = ? AND NOT is_baseline
           AND indicator = 'surveys_published' AND parent_metric IS NULL""", [doc_id, year]).fetchone()[0]
    view_sum = con.execute("""
        SELECT total_value FROM v_targets_by_indicator WHERE doc_id = ? AND fiscal_year = ?
           AND NOT is_baseline AND indicator = 'surveys_published'""", [doc_id, year]).fetchone()[0]
    assert view_sum == main_sum


def test_progress_status_counts_grades(con):
    rows = con.execute("""
        SELECT fiscal_year, sum(n_projects), sum(n_grade_s + n_grade_a + n_grade_b + n_grade_c)
          FROM v_progress_status WHERE file_name LIKE '%.xlsx' GROUP BY fiscal_year ORDER BY 1""").fetchall()
    graded = {year: n for year, _, n in rows}
    progress = con.execute("""
        SELECT fiscal_year, count(grade) FROM progress JOIN documents USING (doc_id)
         WHERE file_name LIKE '%.xlsx' GROUP BY 1""").fetchall()
    assert graded == {year: n for year, n in progress}
    assert any(n > 0 for n in graded.values())


def test_indicators_command_lists_counts_and_unmapped(corpus_db, capsys):
    assert cli.main(["indicators", "--db", str(corpus_db), "--format", "json"]) == 0
    counts = {r["indicator"]: r for r in json.loads(capsys.readouterr().out)}
    assert counts["management_analyses"]["documents"] == 2
    assert counts["followup_visits"]["wordings"] == 2  # 頻度（延回数） and 頻度(延べ回数)
    assert cli.main(["indicators", "--db", str(corpus_db), "--unmapped", "--format", "json"]) == 0
    unmapped = json.loads(capsys.readouterr().out)
    total_unmapped = counts.get(None, {}).get("cells", 0)
    assert sum(r["cells"] for r in unmapped) == total_unmapped
    for row in unmapped:  # each with where it is and how often
        assert {"metric", "section_no", "section", "cells", "files"} <= set(row)


def test_export_xlsx_writes_a_sheet_per_table_and_view(corpus_db, tmp_path, capsys):
    assert cli.main(["export", "--format", "xlsx", "--out", str(tmp_path / "out"), "--db", str(corpus_db)]) == 0
    path = tmp_path / "out" / "shoko.xlsx"
    assert str(path) in capsys.readouterr().out
    workbook = openpyxl.load_workbook(path, read_only=False)
    assert set(store.CONTRACT_TABLES) | set(DASHBOARD_VIEWS) <= set(workbook.sheetnames)
    targets = workbook["targets"]
    assert targets.freeze_panes == "C2"  # the header and the chamber / file name columns
    (table,) = targets.tables.values()  # an Excel table: filter buttons on every column
    assert table.ref.startswith("A1:") and table.autoFilter is not None
    header = [c.value for c in targets[1]]
    assert "indicator" in header and "metric" in header
    con = store.connect(corpus_db, read_only=True)
    try:
        n_targets = con.execute("SELECT count(*) FROM targets").fetchone()[0]
    finally:
        con.close()
    assert targets.max_row == n_targets + 1
    bbox = header.index("bbox")
    assert any(isinstance(row[bbox], str) and "," in row[bbox]
               for row in targets.iter_rows(min_row=2, values_only=True))
