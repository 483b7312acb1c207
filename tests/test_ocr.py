"""Scanned pages: rulings from the raster, words from Tesseract, values with source = 'ocr'."""
from __future__ import annotations

import numpy as np
import pymupdf
import pytest
from hypothesis import given, settings, strategies as st

from extractors.layout import ocr
from extractors.layout.ocr import OcrSettings, clean_ocr_word, raster_rulings
from pipeline.extract import extract_file

from conftest import OME_PLAN


def scan_pages(source, target, pages: set[int], dpi: int = 200):
    """A copy of `source` whose given 0-based pages are replaced by their raster image."""
    src = pymupdf.open(source)
    out = pymupdf.open()
    for index, page in enumerate(src):
        if index in pages:
            new = out.new_page(width=page.rect.width, height=page.rect.height)
            new.insert_image(new.rect, pixmap=page.get_pixmap(dpi=dpi))
        else:
            out.insert_pdf(src, from_page=index, to_page=index)
    out.save(target)
    return target


def budget_page_index(path) -> int:
    doc = pymupdf.open(path)
    return next(i for i, page in enumerate(doc) if "調達方法" in page.get_text())


def test_tesseract_for_japanese_is_installed():
    # The Makefile installs tesseract-ocr and tesseract-ocr-jpn; OCR tests depend on it.
    assert ocr.ocr_available(), ocr.INSTALL_HINT


def test_a_scanned_budget_page_yields_its_budget_values(tmp_path):
    index = budget_page_index(OME_PLAN)
    born_digital = extract_file(OME_PLAN)
    scanned = extract_file(scan_pages(OME_PLAN, tmp_path / "scan.pdf", {index}))
    expected = {(b.item, b.fiscal_year, b.amount_thousand_yen) for b in born_digital.budgets}
    got = {(b.item, b.fiscal_year, b.amount_thousand_yen) for b in scanned.budgets}
    assert len(expected) == 16 and got == expected
    assert {b.source for b in scanned.budgets} == {"ocr"}
    assert all(b.page == index + 1 and b.bbox for b in scanned.budgets)
    finding = next(f for f in scanned.findings if f.code == "ocr_pages")
    assert str(index + 1) in finding.message
    # values on pages with a text layer keep their ordinary provenance
    assert all(t.source != "ocr" for t in scanned.targets)


def test_without_tesseract_a_scanned_pdf_needs_ocr(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "ocr_available", lambda: False)
    all_scanned = scan_pages(OME_PLAN, tmp_path / "all.pdf", {0, 1}, dpi=30)
    doc = pymupdf.open(all_scanned)
    doc.select([0, 1])
    doc.save(tmp_path / "two.pdf")
    result = extract_file(tmp_path / "two.pdf")
    assert result.status == "needs_ocr"
    assert "tesseract-ocr-jpn" in result.error


def test_without_tesseract_a_partly_scanned_plan_is_partial(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "ocr_available", lambda: False)
    index = budget_page_index(OME_PLAN)
    result = extract_file(scan_pages(OME_PLAN, tmp_path / "part.pdf", {index}, dpi=30))
    assert result.status == "partial"
    assert f"pages {index + 1}" in result.error
    assert any(f.code == "pages_need_ocr" for f in result.findings)
    assert result.targets  # the pages with text are still extracted


def test_raster_rulings_find_a_drawn_grid():
    image = np.full((400, 600), 255, dtype=np.uint8)
    for y in (50, 150, 250):
        image[y:y + 2, 50:550] = 0
    for x in (50, 300, 549):
        image[50:252, x:x + 2] = 0
    rulings, mask = raster_rulings(image, 0.5, OcrSettings())
    horizontal = {round(r.pos) for r in rulings if r.orientation == "h"}
    vertical = {round(r.pos) for r in rulings if r.orientation == "v"}
    assert {25, 75, 125} <= horizontal
    assert {25, 150, 274} <= vertical
    assert mask.sum() > 0


@pytest.mark.parametrize("raw, cleaned", [
    ("123.330", "123,330"),
    ("81,.130", "81,130"),
    ("28,180", "28,180"),
    ("|", ""),
    ("｜81,130", "81,130"),
    ("1.5", "1.5"),
    ("令和5年度|", "令和5年度"),
])
def test_clean_ocr_word(raw, cleaned):
    assert clean_ocr_word(raw) == cleaned


@settings(max_examples=300, derandomize=True)
@given(st.text())
def test_clean_ocr_word_never_raises_and_is_idempotent(text):
    once = clean_ocr_word(text)
    assert clean_ocr_word(once) == once
