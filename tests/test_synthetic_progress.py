"""Synthetic progress sheets with other layouts (tests/synthetic_progress/make_progress.py):
other column orders, no merged cells with 〃 marks, single-row combined headers over five
years, a cp932 CSV, full-width digits and grades, units only in number formats."""
from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from pipeline.ingest import IngestOptions, ingest

from conftest import ROOT

CORPUS = ROOT / "tests" / "synthetic_progress"
# two of the sheets also as LibreOffice PDF exports
SHEETS = ["synth_combined_5y.xlsx", "synth_cp932.csv", "synth_ditto_nomerge.xlsx",
          "synth_fullwidth_legend.xlsx", "synth_ditto_nomerge.pdf", "synth_fullwidth_legend.pdf"]


def _scorer():
    spec = importlib.util.spec_from_file_location("score_gold", ROOT / "tests" / "fixtures" / "score_gold.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    work = tmp_path_factory.mktemp("synthetic_progress")
    (work / "gold").mkdir()
    for name in SHEETS:
        shutil.copy(CORPUS / name, work / name)
        shutil.copy(CORPUS / "gold" / f"{name}.json", work / "gold" / f"{name}.json")
    db = work / "progress.duckdb"
    summary = ingest([work / name for name in SHEETS], IngestOptions(db=db, workers=0))
    assert summary.exit_code == 0
    report, totals, _ = _scorer().score(db, work / "gold", verbose=False)
    return db, report, totals


def test_every_sheet_gives_exactly_its_gold_rows(scored):
    _, report, totals = scored
    assert totals["progress"].prf()[2] == 1.0, [line for line in report if "progress_misses" in line]
    for line in report:  # per document
        tp, gold, pred = (int(x) for x in re.findall(r"\d+", line["progress"])[:3])
        assert tp == gold == pred, line
    assert {line["document"] for line in report} == set(SHEETS)


def test_a_quoted_percent_unit_is_not_scaled(scored):
    db = scored[0]
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("select fiscal_year, target, actual, unit from progress p join documents d using (doc_id) "
                       "where d.file_name = 'synth_fullwidth_legend.xlsx' and p.metric = '換金率' "
                       "order by fiscal_year").fetchall()
    con.close()
    assert rows[0] == (2021, None, 93.0, "%") and rows[1] == (2023, 93.0, 121.0, "%")


def test_full_width_grades_and_legend_are_read(scored):
    db = scored[0]
    con = duckdb.connect(str(db), read_only=True)
    grades = con.execute("select distinct grade from progress p join documents d using (doc_id) "
                         "where d.file_name = 'synth_fullwidth_legend.xlsx' and grade is not null").fetchall()
    mismatches = con.execute("select count(*) from findings where code = 'grade_mismatch'").fetchone()[0]
    con.close()
    assert {g for (g,) in grades} <= {"S", "A", "B", "C"} and len(grades) >= 3
    assert mismatches == 0  # every synthetic sheet grades by its own legend


def test_ditto_marks_take_the_value_above(scored):
    db = scored[0]
    con = duckdb.connect(str(db), read_only=True)
    directions = con.execute("select count(*) from progress p join documents d using (doc_id) "
                             "where d.file_name = 'synth_ditto_nomerge.xlsx' "
                             "and (direction like '%〃%' or measure like '%〃%')").fetchone()[0]
    con.close()
    assert directions == 0


def _rows(db, sql, params=()):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("name", ["synth_fullwidth_legend.xlsx", "synth_fullwidth_legend.pdf"])
def test_inclusive_legend_grades_edges_as_written(scored, name):
    """`１２０%以上` / `９０%以上１２０%未満`: exactly 120 % is S and exactly 90 % is A (the
    fixture's `90~120%` legend would give A and B)."""
    rows = _rows(scored[0], "select target, actual, grade, grade_computed from progress p join documents d "
                 "using (doc_id) where d.file_name = ? and fiscal_year = 2023 and project in "
                 "('創業セミナー', '創業個別相談') order by target", [name])
    assert rows == [(10.0, 12.0, "S", "S"), (100.0, 90.0, "A", "A")]


def test_units_from_number_formats_and_unit_column(scored):
    units = dict(_rows(scored[0], "select d.file_name || ':' || p.project, any_value(unit) from progress p "
                       "join documents d using (doc_id) group by all"))
    assert units["synth_combined_5y.xlsx:商店街まつり"] == "人"  # `#,##0"人"`
    assert units["synth_combined_5y.xlsx:地域商品券"] == "%"  # `0%`
    assert units["synth_ditto_nomerge.xlsx:商談会出展支援"] == "社"  # 単位 column


@pytest.mark.parametrize("name", ["synth_ditto_nomerge.xlsx", "synth_ditto_nomerge.pdf"])
def test_ditto_and_implementer_column(scored, name):
    rows = _rows(scored[0], "select distinct project, direction, measure, implementer from progress p "
                 "join documents d using (doc_id) where d.file_name = ? and project = '創業個別相談'", [name])
    assert rows == [("創業個別相談", "創業と事業承継の支援", "創業支援の充実", "市")]  # 〃 / 同上, 所管課
