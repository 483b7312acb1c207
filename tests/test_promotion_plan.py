"""Promotion plan: sections, 年間目標 / 成果目標 targets, and the progress_vs_plan view."""
from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path

import pytest

from extractors.layout.pdf import read_pdf_layout
from extractors.kinds.progress import ProgressReportExtractor
from pipeline.views import PROGRESS_VS_PLAN_VIEW_SQL
from extractors.kinds.promotion_plan import PromotionPlanExtractor
from extractors.layout.workbook import read_workbook
from schemas.records import Document

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "data/raw/akiruno_promotion_plan_ch3.pdf"
GOLD = ROOT / "tests/fixtures/gold/akiruno_promotion_plan_ch3.pdf.json"


def key(text: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


@pytest.fixture(scope="module")
def layout():
    return read_pdf_layout(PLAN)


@pytest.fixture(scope="module")
def extraction(layout):
    return PromotionPlanExtractor().extract(layout)


def test_detected_as_promotion_plan(layout):
    assert PromotionPlanExtractor().detect(layout) > 0.5
    assert ProgressReportExtractor().detect(layout) == 0.0


def test_targets_match_gold(extraction):
    gold = json.loads(GOLD.read_text(encoding="utf-8"))["targets"]
    want = sorted((g["section_no"] or "", key(g["metric"]), str(g["period"]), g["value"], g["unit"]) for g in gold)
    got = sorted((t.section_no or "", key(t.metric), "baseline" if t.is_baseline else str(t.fiscal_year),
                  t.value, t.unit) for t in extraction.targets)
    assert got == want


def test_outcome_table(extraction):
    outcome = [t for t in extraction.targets if t.section_no is None]
    baseline = [t for t in outcome if t.is_baseline]
    assert {t.fiscal_year for t in baseline} == {2020}   # 実績値（令和2年度）
    kept = [t for t in outcome if t.raw == "維持"]
    assert len(kept) == 3 and all(t.value is None and t.unit is None and t.fiscal_year == 2026 for t in kept)
    assert all(t.page and t.bbox for t in extraction.targets)


def test_sections(extraction):
    sections = {s.section_no: s for s in extraction.sections}
    assert sections["1-1"].title == "事業承継の促進"      # 【重点施策】 tag dropped
    assert sections["1-1"].parent_no == "1"
    assert sections["3-2"].title == "産学官連携の推進"
    assert len(sections) == len(extraction.sections)       # section_no unique across chapters
    assert {t.section_no for t in extraction.targets} == {None, "1-1", "1-2", "1-3", "2-1", "2-2", "3-1", "3-2"}


def test_progress_vs_plan_view(extraction):
    from pipeline import store

    con = store.connect(":memory:")
    progress_path = ROOT / "data/raw/akiruno_progress_r7.xlsx"
    for path, result in ((PLAN, extraction),
                         (progress_path, ProgressReportExtractor().extract(read_workbook(progress_path)))):
        doc = Document(doc_id=hashlib.sha256(path.read_bytes()).hexdigest(), source_path=str(path),
                       file_name=path.name, kind=result.kind)
        store.load_document(con, doc, result)
    con.execute(PROGRESS_VS_PLAN_VIEW_SQL)
    rows = con.execute("""select project, fiscal_year, plan_section_no, matched_on, target_matches_plan
                            from progress_vs_plan""").fetchall()
    assert len(rows) == 70                                 # every progress row, matched or not
    matched = [r for r in rows if r[2] is not None]
    assert len(matched) == 56                              # 14 projects × 2023–2026
    assert all(r[4] is True for r in matched)              # the sheet's targets are the plan's
    assert {r[2] for r in matched if r[0] == "るのカード普及事業"} == {"2-2"}  # るのかーど in the plan
    assert all(r[2] is None for r in rows if r[1] == 2021)


def test_a_progress_target_that_differs_from_the_plan_is_a_finding(extraction):
    from pipeline import store

    con = store.connect(":memory:")
    progress_path = ROOT / "data/raw/akiruno_progress_r7.xlsx"
    progress = ProgressReportExtractor().extract(read_workbook(progress_path))
    changed = progress.progress[:]
    index = next(i for i, row in enumerate(changed) if row.fiscal_year == 2024 and row.target is not None)
    changed[index] = changed[index].model_copy(update={"target": changed[index].target + 7})
    for path, result in ((PLAN, extraction), (progress_path, progress.model_copy(update={"progress": changed}))):
        doc = Document(doc_id=hashlib.sha256(path.read_bytes()).hexdigest(), source_path=str(path),
                       file_name=path.name, kind=result.kind)
        store.load_document(con, doc, result)
    assert store.reconcile_progress_with_plans(con) == 1
    message, location = con.execute("select message, location from findings "
                                    "where code = 'progress_target_differs_from_plan'").fetchone()
    assert changed[index].project in message and "2024年度" in message
    assert location == f"{changed[index].sheet}!{changed[index].cell}"
    # recomputed, not accumulated: a second pass gives the same single finding
    assert store.reconcile_progress_with_plans(con) == 1
