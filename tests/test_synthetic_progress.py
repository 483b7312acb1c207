"""Synthetic progress sheets with other layouts (tests/synthetic_progress/make_progress.py):
other column orders, no merged cells with 〃 marks, single-row combined headers over five
years, a cp932 CSV, full-width digits and grades, units only in number formats."""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import duckdb
import pytest

from pipeline.ingest import IngestOptions, ingest

from conftest import ROOT

CORPUS = ROOT / "tests" / "synthetic_progress"
# The corpus also has LibreOffice PDF exports, but their cells overflow (text drawn across
# neighbouring rows), which no office sends: they are kept for inspection, not scored.
SHEETS = ["synth_combined_5y.xlsx", "synth_cp932.csv", "synth_ditto_nomerge.xlsx",
          "synth_fullwidth_legend.xlsx"]


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
