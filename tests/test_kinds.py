"""Document kinds declared once (extractors.base.KindSpec), the shared per-part isolation,
explicit tie-breaking in `choose`, and a toy kind added by one spec alone."""
from __future__ import annotations

import re

import duckdb
import pytest

from extractors import base, kinds
from extractors.kinds import business_plan as bp, progress, promotion_plan
from extractors.layout.model import PdfLayout
from extractors.layout.pdf import read_pdf_layout
from extractors.layout.workbook import layout_from_openpyxl, read_workbook
from pipeline import views
from pipeline.cli import main
from pipeline.extract import extract_file, mark_ocr, ocr_tables
from schemas.records import EXTRACTION_TABLES, Extraction, Target

import builders as b
from conftest import OME_PLAN, PROGRESS_XLSX, PROMOTION_PLAN, ROOT

SHIPPED = {"business_development_plan", "promotion_plan", "progress_report"}


# --- the shipped specs -------------------------------------------------------------------

def test_every_module_of_extractors_kinds_registers_one_spec():
    loaded = kinds.load()
    assert kinds.kind_modules() == ("extractors.kinds.business_plan", "extractors.kinds.progress",
                                    "extractors.kinds.promotion_plan")
    assert set(loaded) == SHIPPED
    assert {bp.SPEC.kind, progress.SPEC.kind, promotion_plan.SPEC.kind} == SHIPPED


def test_the_contract_document_lists_exactly_the_registered_kinds():
    text = (ROOT / "docs" / "sql-contract.md").read_text(encoding="utf-8")
    (row,) = [line for line in text.splitlines() if line.startswith("| kind |")]
    assert set(re.findall(r"`([a-z_]+)`", row)) == set(kinds.load()) | {base.UNKNOWN}


def test_every_view_belongs_to_a_kind_and_every_kind_view_exists():
    claimed = {view for spec in kinds.load().values() for view in spec.views}
    assert claimed | set(views.CROSS_KIND_VIEWS) == set(views.VIEWS)
    assert not claimed & set(views.CROSS_KIND_VIEWS)
    assert "progress_vs_plan" in kinds.load()["progress_report"].views


def test_ocr_provenance_goes_to_the_kinds_tables_with_page_provenance():
    loaded = kinds.load()
    assert ocr_tables(loaded["business_development_plan"]) == ["targets", "budgets"]
    assert ocr_tables(loaded["promotion_plan"]) == ["targets"]
    assert ocr_tables(loaded["progress_report"]) == ["progress"]
    assert ocr_tables(None) == []


def test_the_unknown_kind_message_lists_the_kinds_in_priority_order():
    kinds.load()
    assert base.unknown_kind_message() == ("not recognised as a business development plan, "
                                           "promotion plan or progress report")


def test_a_shipped_kind_fills_only_the_tables_its_spec_names():
    for path, kind in ((OME_PLAN, "business_development_plan"), (PROMOTION_PLAN, "promotion_plan"),
                       (PROGRESS_XLSX, "progress_report")):
        extraction = extract_file(path)
        # findings and document_pages (how each PDF page was read) belong to every kind
        filled = {t for t in EXTRACTION_TABLES if getattr(extraction, t) and t not in ("findings", "document_pages")}
        assert extraction.kind == kind and filled and filled <= set(kinds.load()[kind].tables), (kind, filled)


def test_a_spec_is_checked_when_it_is_made():
    extractor = bp.SPEC.extractor
    with pytest.raises(ValueError, match="identifier"):
        base.KindSpec("Toy Kind", "toy", extractor, (), False)
    with pytest.raises(ValueError, match="identifier"):
        base.KindSpec("unknown", "toy", extractor, (), False)
    with pytest.raises(ValueError, match="no extraction table"):
        base.KindSpec("toy", "toy", extractor, ("targets", "findings"), False)
    with pytest.raises(TypeError, match="detect"):
        base.KindSpec("toy", "toy", object(), (), False)
    with pytest.raises(ValueError, match="registered twice"):
        base.register(base.KindSpec("progress_report", "copy", extractor, (), False))
    assert base.register(progress.SPEC) is progress.SPEC  # the same spec again: a no-op


# --- choose: explicit ties ---------------------------------------------------------------

class Fixed:
    def __init__(self, score: float):
        self.score = score

    def detect(self, layout: object) -> float:
        return self.score

    def extract(self, layout: object) -> Extraction:
        return Extraction()


def _only(monkeypatch, *entries: tuple[str, float, int]) -> None:
    monkeypatch.setattr(base, "_REGISTRY", {})
    for kind, score, priority in entries:
        base.register(base.KindSpec(kind, kind, Fixed(score), (), False, priority=priority))


@pytest.mark.parametrize("entries, winner", [
    ([("alpha", 0.7, 0), ("beta", 0.9, 0)], "beta"),           # higher score first
    ([("alpha", 0.9, 0), ("beta", 0.7, 99)], "alpha"),         # ... whatever the priority
    ([("alpha", 0.8, 1), ("beta", 0.8, 2)], "beta"),           # a tie: higher priority
    ([("beta", 0.8, 2), ("alpha", 0.8, 1)], "beta"),           # ... whatever the registration order
    ([("beta", 0.8, 1), ("alpha", 0.8, 1)], "alpha"),          # same priority: the name that sorts first
    ([("alpha", 0.8, 1), ("beta", 0.8, 1)], "alpha"),
    ([("alpha", 0.4, 5), ("beta", 0.2, 9)], None),             # nobody reaches the threshold
    ([("alpha", 0.5, 0)], "alpha"),                            # the threshold itself is enough
])
def test_choose_breaks_ties_by_score_then_priority_then_name(monkeypatch, entries, winner):
    _only(monkeypatch, *entries)
    chosen = base.choose(object())
    assert (chosen.kind if chosen else None) == winner


def test_shipped_priorities_keep_the_old_tie_outcomes():
    # Before explicit ties the last registered kind won: business plan < promotion plan < progress.
    loaded = kinds.load()
    assert (loaded["business_development_plan"].priority < loaded["promotion_plan"].priority
            < loaded["progress_report"].priority)


# --- per-part isolation, in every kind ---------------------------------------------------

def _boom(*args, **kwargs):
    raise RuntimeError("boom")


def _errors(extraction: Extraction) -> list[tuple[str | None, str]]:
    return [(f.location, f.message) for f in extraction.findings if f.code == "extraction_error"]


def test_parts_keep_the_other_parts_and_name_the_failed_one():
    parts = base.Parts()
    assert parts.run("one", lambda: 1) == 1
    assert parts.run("two", lambda: 1 / 0, default=[]) == []
    result = parts.extraction("progress_report", progress=[])
    assert (result.status, result.error) == ("partial", "failed parts: two")
    assert _errors(result) == [("two", "two: ZeroDivisionError: division by zero")]
    assert base.Parts().extraction("progress_report").status == "ok"


def test_without_parts_a_reader_lets_the_exception_through(monkeypatch):
    monkeypatch.setattr(promotion_plan, "find_targets", _boom)
    with pytest.raises(RuntimeError):
        promotion_plan.read_promotion_plan(read_pdf_layout(PROMOTION_PLAN))


def test_a_failing_part_of_a_business_plan_keeps_the_rest(monkeypatch):
    monkeypatch.setattr(bp, "read_partners", _boom)
    result = bp.BusinessPlanExtractor().extract(read_pdf_layout(OME_PLAN))
    assert (result.status, result.error) == ("partial", "failed parts: partners")
    assert _errors(result) == [("partners", "partners: RuntimeError: boom")]
    assert result.plans[0].chamber and result.budgets and result.targets and result.partners == []


def test_a_failing_part_of_a_promotion_plan_keeps_the_rest(monkeypatch):
    layout = read_pdf_layout(PROMOTION_PLAN)
    whole = promotion_plan.PromotionPlanExtractor().extract(layout)
    monkeypatch.setattr(promotion_plan, "find_targets", _boom)
    result = promotion_plan.PromotionPlanExtractor().extract(layout)
    assert (result.status, result.error) == ("partial", "failed parts: targets")
    assert _errors(result) == [("targets", "targets: RuntimeError: boom")]
    assert "targets_not_found" in {f.code for f in result.findings}
    assert result.targets == [] and [s.title for s in result.sections] == [s.title for s in whole.sections]


def test_a_failing_legend_of_a_progress_report_keeps_the_rows(monkeypatch):
    layout = read_workbook(PROGRESS_XLSX)
    whole = progress.ProgressReportExtractor().extract(layout)
    monkeypatch.setattr(progress, "read_legend", _boom)
    result = progress.ProgressReportExtractor().extract(layout)
    assert (result.status, result.error) == ("partial", "failed parts: legend")
    assert [(r.project, r.fiscal_year, r.target, r.actual) for r in result.progress] == [
        (r.project, r.fiscal_year, r.target, r.actual) for r in whole.progress]


def test_a_failing_sheet_of_a_progress_report_loses_only_its_own_rows(monkeypatch):
    import openpyxl

    workbook = openpyxl.load_workbook(PROGRESS_XLSX)
    copy = workbook.copy_worksheet(workbook.worksheets[0])
    copy.title = "copy"
    layout = layout_from_openpyxl(workbook)
    alone = progress.ProgressReportExtractor().extract(read_workbook(PROGRESS_XLSX)).progress
    real = progress.read_progress_grid
    monkeypatch.setattr(progress, "read_progress_grid",
                        lambda grid, *a, **k: _boom() if grid[0][0] and grid[0][0].sheet == "copy"
                        else real(grid, *a, **k))
    result = progress.ProgressReportExtractor().extract(layout)
    assert (result.status, result.error) == ("partial", "failed parts: sheet copy")
    assert [(r.sheet, r.cell, r.target) for r in result.progress] == [(r.sheet, r.cell, r.target) for r in alone]


# --- a new kind is one spec --------------------------------------------------------------

class LedgerExtractor:
    """A toy kind: a PDF whose first line says TOY LEDGER, then `item amount` lines."""

    def detect(self, layout: object) -> float:
        return 0.9 if isinstance(layout, PdfLayout) and "TOY LEDGER" in layout.pages[0].text else 0.0

    def extract(self, layout: object) -> Extraction:
        parts = base.Parts()

        def rows() -> list[Target]:
            out = []
            for page in layout.pages:
                for line in page.lines:
                    item, _, amount = line.text.partition(" ")
                    if amount.isdigit():
                        out.append(Target(metric=item, value=float(amount), raw=amount, fiscal_year=2024,
                                          page=page.number, bbox=line.bbox, source="text"))
            return out

        return parts.extraction("toy_ledger", pages=len(layout.pages), targets=parts.run("rows", rows, []))


@pytest.fixture
def toy_kind():
    spec = base.register(base.KindSpec(kind="toy_ledger", label="toy ledger", extractor=LedgerExtractor(),
                                       tables=("targets",), canonical_sections=False, priority=5))
    yield spec
    base.unregister("toy_ledger")


def _ledger_pdf(path):
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page()
    for y, text in ((72, "TOY LEDGER"), (100, "apples 12"), (120, "pears 7")):
        page.insert_text((72, y), text, fontsize=11)
    doc.save(path)
    return path


def test_a_toy_kind_registered_by_its_spec_is_detected_extracted_and_loaded(toy_kind, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    ledger = _ledger_pdf(folder / "ledger.pdf")
    kinds.load()
    assert "toy ledger" in base.unknown_kind_message()

    extraction = extract_file(ledger)
    assert (extraction.kind, extraction.status) == ("toy_ledger", "ok")
    assert [(t.metric, t.value, t.page) for t in extraction.targets] == [("apples", 12.0, 1), ("pears", 7.0, 1)]

    db = tmp_path / "toy.duckdb"
    assert main(["ingest", str(folder), "--db", str(db), "--workers", "0"]) == 0
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select kind, status from documents").fetchall() == [("toy_ledger", "ok")]
        assert con.execute("select metric, value, raw from targets order by metric").fetchall() == [
            ("apples", 12.0, "12"), ("pears", 7.0, "7")]
    finally:
        con.close()


def test_ocr_provenance_follows_the_toy_spec(toy_kind):
    import dataclasses

    scanned = dataclasses.replace(b.page(1), ocr=True, page_class="image_only", read_as="ocr")
    layout = b.layout(scanned, b.page(2))
    extraction = Extraction(kind="toy_ledger", targets=[Target(metric="a", page=1, source="text"),
                                                        Target(metric="b", page=2, source="text")])
    marked = mark_ocr(extraction, layout, toy_kind)
    assert [t.source for t in marked.targets] == ["ocr", "text"]
    assert [f.code for f in marked.findings] == ["ocr_pages"]


def test_without_its_spec_the_toy_file_is_unknown(tmp_path):
    result = extract_file(_ledger_pdf(tmp_path / "ledger.pdf"))
    assert result.kind == "unknown" and [f.code for f in result.findings] == ["unknown_document_kind"]
