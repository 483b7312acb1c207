"""Confidence per value: parse certainty and the table's parsing report, stored with every row."""
from __future__ import annotations

from types import SimpleNamespace

import duckdb
from hypothesis import given
from hypothesis import strategies as st

from pipeline import confidence
from pipeline.cli import main
from schemas.records import Budget, Extraction, ProgressRow, Target

from conftest import OME_PLAN, PROGRESS_PDF, PROGRESS_XLSX


def test_doubts_lower_the_confidence():
    sure = Target(metric="経営分析件数", fiscal_year=2024, value=30, unit="件", raw="30件")
    assert confidence.target_confidence(sure) == 1.0
    assert confidence.target_confidence(sure.model_copy(update={"raw": "3 0件"})) == confidence.REPAIRED_NUMBER
    assert confidence.target_confidence(sure.model_copy(update={"value": None, "raw": "30件?"})) \
        == confidence.UNREAD_NUMBER
    assert confidence.target_confidence(sure.model_copy(update={"raw": "30"})) == confidence.UNIT_NOT_IN_CELL
    assert confidence.target_confidence(sure.model_copy(update={"fiscal_year": None})) == confidence.UNKNOWN_YEAR
    # a baseline without a year is normal; 維持 has no number to misread
    assert confidence.target_confidence(sure.model_copy(update={"fiscal_year": None, "is_baseline": True})) == 1.0
    assert confidence.target_confidence(Target(metric="x", fiscal_year=2024, raw="維持")) == 1.0
    assert confidence.budget_confidence(Budget(item="需要開拓", fiscal_year=2024, amount_thousand_yen=500,
                                               raw="同左")) == confidence.DITTO
    assert confidence.budget_confidence(Budget(item="需要開拓", fiscal_year=2024, amount_thousand_yen=500,
                                               raw="500")) == 1.0
    row = ProgressRow(project="セミナー", fiscal_year=2024, target=10, actual=12, grade="C", grade_computed="A")
    assert confidence.progress_confidence(row) == confidence.GRADE_DISAGREES
    assert confidence.progress_confidence(row.model_copy(update={"grade": "A"})) == 1.0


def test_the_tables_parsing_report_and_an_earlier_ocr_confidence_count():
    cell = Target(metric="m", fiscal_year=2024, value=3, unit="回", raw="3回", page=2, bbox=(110, 210, 130, 220))
    ruled = SimpleNamespace(bbox=(100, 200, 300, 400), report={"accuracy": 70.0}, method="rulings")
    stream = SimpleNamespace(bbox=(100, 200, 300, 400), report={"accuracy": 100.0}, method="stream")
    elsewhere = SimpleNamespace(bbox=(100, 500, 300, 600), report={"accuracy": 10.0}, method="rulings")
    for tables, expected in (([ruled], 0.7), ([stream], confidence.STREAM_TABLE), ([elsewhere], 1.0)):
        layout = SimpleNamespace(pages=[SimpleNamespace(number=2, tables=tables)])
        [scored] = confidence.score(Extraction(targets=[cell]), layout).targets
        assert scored.confidence == expected
    # OCR (which fills the column first, source='ocr') keeps its lower value
    ocr = cell.model_copy(update={"source": "ocr", "confidence": 0.55})
    [scored] = confidence.score(Extraction(targets=[ocr])).targets
    assert scored.confidence == 0.55


@given(raw=st.text(max_size=12), value=st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False)),
       unit=st.one_of(st.none(), st.sampled_from(["回", "者", "%", "千円"])),
       year=st.one_of(st.none(), st.integers(1990, 2040)), baseline=st.booleans())
def test_confidence_is_between_0_and_1_and_never_raises(raw, value, unit, year, baseline):
    t = Target(metric="m", raw=raw, value=value, unit=unit, fiscal_year=year, is_baseline=baseline)
    b = Budget(item="i", raw=raw, fiscal_year=year, amount_thousand_yen=None if value is None else 1)
    for scored in (confidence.target_confidence(t), confidence.budget_confidence(b)):
        assert 0.0 <= scored <= 1.0
    once = confidence.score(Extraction(targets=[t], budgets=[b]))
    assert confidence.score(once) == once  # idempotent


def test_every_loaded_value_has_a_confidence(tmp_path):
    db = tmp_path / "c.duckdb"
    assert main(["ingest", str(OME_PLAN), str(PROGRESS_XLSX), str(PROGRESS_PDF), "--db", str(db),
                 "--workers", "0"]) == 0
    con = duckdb.connect(str(db), read_only=True)
    for table in ("targets", "budgets", "progress"):
        n, scored = con.execute(f"SELECT count(*), count(confidence) FROM {table}").fetchone()
        assert n > 0 and scored == n, table
    # the plan prints `1 2 回` (spaced digits): read as 12, with a lower confidence
    rows = con.execute("SELECT DISTINCT raw, value, confidence FROM targets WHERE regexp_matches(raw, '\\d \\d')"
                       ).fetchall()
    assert rows and all(value == 12 and conf == confidence.REPAIRED_NUMBER for _, value, conf in rows)
    con.close()
