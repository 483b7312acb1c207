"""Checks across parts: budget sums and budget years against the 実施期間."""
from __future__ import annotations

from extractors.layout.model import PdfLayout, centre_in
from extractors.readers.target_tables import read_header, transposed
from pipeline.normalize.wareki import fiscal_year_of
from schemas.records import Budget, Finding, Plan



# --- stage: findings ---------------------------------------------------------------------------------------

def _top_level_sum(amounts: list[int]) -> int:
    """Sum of the items, where a row equal to the sum of the rows right under it is their subtotal."""
    total, i = 0, 0
    while i < len(amounts):
        total += amounts[i]
        run, j = 0, i + 1
        while j < len(amounts) and run < amounts[i]:
            run += amounts[j]
            j += 1
        i = j if run == amounts[i] and j > i + 1 else i + 1
    return total


def budget_findings(budgets: list[Budget], plan: Plan | None) -> list[Finding]:
    findings = []
    years = sorted({b.fiscal_year for b in budgets if b.fiscal_year})
    for year in years:
        totals = [b for b in budgets if b.fiscal_year == year and b.is_total]
        items = [b.amount_thousand_yen or 0 for b in budgets if b.fiscal_year == year and not b.is_total]
        if totals and items:
            total = totals[0].amount_thousand_yen
            if total not in (sum(items), _top_level_sum(items)):
                findings.append(Finding(
                    severity="warning", code="budget_sum_mismatch",
                    message=f"{year}年度: items add up to {sum(items)}千円, 必要な資金の額 is {total}千円",
                    location=f"page {totals[0].page}"))
    if plan and plan.period_start and plan.period_end and years:
        expected = set(range(fiscal_year_of(plan.period_start), fiscal_year_of(plan.period_end) + 1))
        extra, missing = sorted(set(years) - expected), sorted(expected - set(years))
        if extra or missing:
            findings.append(Finding(
                severity="warning", code="period_budget_years_mismatch",
                message=(f"実施期間 {plan.period_start}–{plan.period_end} covers fiscal years "
                         f"{min(expected)}–{max(expected)}; budget columns {years[0]}–{years[-1]}"
                         + (f"; extra {extra}" if extra else "") + (f"; missing {missing}" if missing else "")),
                location=f"page {budgets[0].page}"))
    return findings


def unread_year_tables(layout: PdfLayout, records: list, anchor_year: int | None) -> list[Finding]:
    """A finding for each table whose header names fiscal years (either orientation) and from
    which no reader stored a value: such a table usually holds numbers someone will look for."""
    used = {(r.page, r.bbox) for r in records if r.page is not None and r.bbox}
    out = []
    for page in layout.pages:
        for table in page.tables:
            if any(p == page.number and centre_in(tuple(b), table.bbox) for p, b in used):
                continue
            years = []
            for grid in (table, transposed(table)):
                header = read_header(grid, anchor_year=anchor_year)
                years = [p.fiscal_year for p in header.periods if not p.is_baseline and p.fiscal_year]
                if header.n_rows >= grid.n_rows:   # a header alone: its rows go on on the next page
                    years = []
                if len(years) >= 2:
                    break
            if len(years) >= 2:
                out.append(Finding(severity="info", code="year_table_unread",
                                   message=f"page {page.number}: a table with fiscal-year columns "
                                           f"({min(years)}–{max(years)}) that no reader turned into rows",
                                   location=f"page {page.number}"))
    return out
