"""Plain types shared by every layer, kept free of pydantic so the layout layer can use them.

`BBox` is the one box type of layouts and records; `FindingCode` lists every code a
Finding may carry (a new check adds its code here, so `findings.code` stays a known set).
"""
from __future__ import annotations

from typing import Literal

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points, origin top-left

FindingCode = Literal[
    # any kind
    "extraction_error",               # one part of an extractor raised; the document is partial
    "unknown_document_kind",          # no extractor recognised the file
    "pages_need_ocr",                 # scanned pages and no OCR available
    "ocr_pages",                      # pages read by OCR (values less certain)
    "low_accuracy_table",             # a table whose words fall outside or across its cells
    "pdf_content_errors",             # the PDF library reported damaged content on a page
    "formula_without_value",          # workbook formula cells stored without a value none could compute (partial)
    "formula_values_computed",        # workbook formula cells stored without a value, computed (info)
    "ocr_low_confidence",             # OCR'd values under the confidence threshold
    # business development plans
    "overview_not_found",
    "period_unreadable",
    "invalid_corporate_number",
    "invalid_local_gov_code",
    "budget_sum_mismatch",
    "period_budget_years_mismatch",
    "section_number_skipped",
    "targets_not_found",              # a plan with no target read at all (status partial)
    "target_table_without_years",     # a table under a 目標 heading with no fiscal-year columns: no rows stored
    "target_table_unreadable",        # a section announcing its 目標 with no target read under it
    "year_table_unread",              # a table with fiscal-year headers from which nothing was stored
    "overview_only",                  # the 概要 page alone: sections from its 事業内容 list
    # progress reports
    "progress_table_not_found",
    "grade_mismatch",
]
