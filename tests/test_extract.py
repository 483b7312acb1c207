"""One file → one Extraction: the registry, kind detection from content, limits."""
from __future__ import annotations

import shutil

import pytest

from pipeline.extract import Limits, extract_file, load_extractors

from conftest import OME_PLAN, PROGRESS_PDF, PROGRESS_XLSX, PROMOTION_PLAN, RUMOI_PLAN


def test_every_document_kind_has_a_registered_extractor():
    assert set(load_extractors()) == {"business_development_plan", "promotion_plan", "progress_report"}


@pytest.mark.parametrize("source, kind", [
    (OME_PLAN, "business_development_plan"),
    (RUMOI_PLAN, "business_development_plan"),
    (PROMOTION_PLAN, "promotion_plan"),
    (PROGRESS_XLSX, "progress_report"),
    (PROGRESS_PDF, "progress_report"),
])
def test_kind_is_decided_from_content_not_the_file_name(source, kind, tmp_path):
    misleading = tmp_path / f"progress_report_plan{source.suffix}"
    shutil.copy(source, misleading)
    assert extract_file(misleading).kind == kind


def test_a_pdf_named_xlsx_is_read_as_the_pdf_it_is(tmp_path):
    renamed = tmp_path / "plan.xlsx"
    shutil.copy(RUMOI_PLAN, renamed)
    result = extract_file(renamed)
    assert result.kind == "business_development_plan" and result.plans[0].chamber == "留萌商工会議所"


def test_page_and_size_limits_fail_the_file_with_a_clear_reason():
    too_many = extract_file(OME_PLAN, limits=Limits(max_pages=5))
    assert too_many.status == "failed" and too_many.error.startswith("too many pages: 16 (limit 5")
    too_big = extract_file(OME_PLAN, limits=Limits(max_file_bytes=1000))
    assert too_big.status == "failed" and too_big.error.startswith("file too large")


def test_a_document_of_no_known_kind_is_kept_with_a_finding(tmp_path):
    import pymupdf

    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "Annual report 2024", fontsize=12)
    doc.save(tmp_path / "report.pdf")
    result = extract_file(tmp_path / "report.pdf")
    assert result.kind == "unknown" and result.status == "skipped"
    assert [f.code for f in result.findings] == ["unknown_document_kind"]
