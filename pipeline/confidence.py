"""Confidence per value (0–1) of targets, budgets and progress rows.

A value starts certain (1.0) and each doubt multiplies it down: the table it sits in
parsed badly (its parsing report's accuracy) or had no rulings (a `stream` table built
from word positions), a ditto mark had to be resolved, the number had to be repaired
(`1 2回`) or could not be read at all, the unit is not in the cell, the year is
unknown, a written grade disagrees with the numbers. A confidence the extractor already
set (OCR's word confidence, source='ocr') is kept when it is lower: the result is the
minimum of the two. Runs in the extraction worker, after the extractors, so it only
reads what the records and the layout already hold.
"""
from __future__ import annotations

import re

from pipeline.normalize.ditto import is_ditto
from schemas.records import Budget, Extraction, ProgressRow, Target

LOW = 0.8  # below this a value is shown first in `shoko review` and counted as low-confidence

# Factors (why each: a person checking a batch should see these values first).
UNREAD_NUMBER = 0.4      # the cell has digits but no value came out of it
UNKNOWN_YEAR = 0.5       # a period column whose fiscal year could not be read
GRADE_DISAGREES = 0.7    # the written grade is not what target/actual give
DITTO = 0.8              # the value repeats the cell above (〃, 同左)
REPAIRED_NUMBER = 0.85   # digits joined across spaces (`1 2回` → 12)
UNIT_NOT_IN_CELL = 0.9   # the unit came from a 単位 column or is missing
STREAM_TABLE = 0.9       # a table without rulings, built from word positions
MIN_TABLE_FACTOR = 0.5   # a badly parsed table lowers its values at most this far

_DIGIT = re.compile(r"[0-9０-９]")
_SPACED_DIGITS = re.compile(r"[0-9０-９][ 　]+[0-9０-９]")


def _table_factor(record, tables_by_page: dict) -> float:
    """From the parsing report of the table holding the value's bbox (1.0 when none)."""
    if record.page is None or record.bbox is None:
        return 1.0
    x0, top, x1, bottom = record.bbox
    cx, cy = (x0 + x1) / 2, (top + bottom) / 2
    for table in tables_by_page.get(record.page, ()):
        tx0, ttop, tx1, tbottom = table.bbox
        if tx0 - 1 <= cx <= tx1 + 1 and ttop - 1 <= cy <= tbottom + 1:
            report = getattr(table, "report", None) or {}
            factor = 1.0
            accuracy = report.get("accuracy")
            if isinstance(accuracy, (int, float)):
                factor *= max(MIN_TABLE_FACTOR, min(1.0, accuracy / 100.0))
            if getattr(table, "method", None) == "stream":
                factor *= STREAM_TABLE
            return factor
    return 1.0


def target_confidence(t: Target, table_factor: float = 1.0) -> float:
    raw = t.raw or ""
    score = table_factor
    if t.value is None and _DIGIT.search(raw):
        score *= UNREAD_NUMBER
    if t.value is not None and _SPACED_DIGITS.search(raw):
        score *= REPAIRED_NUMBER
    if t.value is not None and (t.unit is None or t.unit not in raw):
        score *= UNIT_NOT_IN_CELL
    if not t.is_baseline and t.fiscal_year is None:
        score *= UNKNOWN_YEAR
    if is_ditto(raw):
        score *= DITTO
    return score


def budget_confidence(b: Budget, table_factor: float = 1.0) -> float:
    raw = b.raw or ""
    score = table_factor
    if is_ditto(raw) or raw.strip() in ("同左", "同右"):
        score *= DITTO
    if b.amount_thousand_yen is None and _DIGIT.search(raw):
        score *= UNREAD_NUMBER
    if b.fiscal_year is None:
        score *= UNKNOWN_YEAR
    return score


def progress_confidence(p: ProgressRow, table_factor: float = 1.0) -> float:
    score = table_factor
    if p.grade and p.grade_computed and p.grade != p.grade_computed:
        score *= GRADE_DISAGREES
    if p.fiscal_year is None:
        score *= UNKNOWN_YEAR
    return score


_RULES = {"targets": target_confidence, "budgets": budget_confidence, "progress": progress_confidence}


def _combined(record, computed: float) -> float:
    value = round(max(0.0, min(1.0, computed)), 3)
    return value if record.confidence is None else min(record.confidence, value)


def score(extraction: Extraction, layout=None) -> Extraction:
    """A new Extraction whose targets, budgets and progress rows carry a confidence."""
    tables_by_page = {page.number: page.tables for page in getattr(layout, "pages", ())
                      if getattr(page, "tables", ())}
    update = {}
    for table, rule in _RULES.items():
        records = getattr(extraction, table)
        if records:
            update[table] = [r.model_copy(update={"confidence": _combined(r, rule(r, _table_factor(r, tables_by_page)))})
                             for r in records]
    return extraction.model_copy(update=update) if update else extraction
