"""The progress sheet's PDF export gives the same rows as the xlsx, with page + bbox."""
from __future__ import annotations

from pathlib import Path

import pytest

from extractors.layout.pdf import read_pdf_layout
from extractors.kinds.progress import (ProgressReportExtractor, find_header, grid_from_table, layout_lines,
                                 may_name_roles, read_progress)
from extractors.readers.grades import read_legend
from extractors.layout.workbook import read_workbook

RAW = Path(__file__).resolve().parents[1] / "data/raw"
PROVENANCE = {"sheet", "cell", "page", "bbox", "source"}


@pytest.fixture(scope="module")
def pdf_layout():
    return read_pdf_layout(RAW / "akiruno_progress_r7.pdf")


def test_pdf_rows_equal_xlsx_rows(pdf_layout):
    pdf_rows = [e.row for e in read_progress(pdf_layout)]
    xlsx_rows = [e.row for e in read_progress(read_workbook(RAW / "akiruno_progress_r7.xlsx"))]
    assert len(pdf_rows) == 70
    assert [r.model_dump(exclude=PROVENANCE) for r in pdf_rows] == \
        [r.model_dump(exclude=PROVENANCE) for r in xlsx_rows]


def test_pdf_provenance(pdf_layout):
    rows = [e.row for e in read_progress(pdf_layout)]
    assert all(r.page == 1 and r.bbox and r.sheet is None for r in rows)
    # a row's bbox is its first value cell: left of the next year's
    same_project = [r for r in rows if r.project == rows[0].project]
    assert [r.bbox[0] for r in same_project] == sorted(r.bbox[0] for r in same_project)


def test_pdf_detected_and_legend_read(pdf_layout):
    extractor = ProgressReportExtractor()
    assert extractor.detect(pdf_layout) > 0.5
    assert read_legend(layout_lines(pdf_layout)).source == "legend"
    extraction = extractor.extract(pdf_layout)
    assert extraction.findings == [] and extraction.pages == 1


PDFS = sorted([*RAW.glob("*.pdf"), *(RAW.parents[1] / "tests/synthetic_progress").glob("*.pdf"),
               *(RAW.parents[1] / "tests/synthetic_plans").glob("*.pdf")])


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_role_precheck_keeps_every_header_table(path):
    """detect skips tables whose text lacks a role word: it must never skip one find_header reads."""
    for page in read_pdf_layout(path).pages:
        for table in page.tables:
            header = find_header(grid_from_table(table))
            roles = tuple(sorted({c.role for c in header.columns if c.role})) if header else ()
            if roles:
                assert may_name_roles(table, roles), (path.name, page.number)
