"""別表3: the budget grid → item × fiscal year in 千円, and the 調達方法 text → funding sources."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from extractors.kinds.business_plan.common import (DEFAULT, PlanSettings, digit_runs, item_label, layout_pages,
                                               split_outside_brackets)
from extractors.layout.model import Cell, Line, PdfLayout, Table
from pipeline.normalize.ditto import fill_down_dittos, is_ditto
from pipeline.normalize.numbers import parse_quantity, table_unit, yen_factor
from pipeline.normalize.text import clean_label, compact_text, compiled, normalize_text
from pipeline.normalize.wareki import BARE_YEAR_ERAS, fiscal_year_of, parse_fiscal_year
from schemas.records import Budget, FundingSource



# --- stage: budget (別表3) -----------------------------------------------------------------------------

@dataclass(frozen=True)
class BudgetTable:
    table: Table
    header_row: int
    year_cols: dict[int, int]  # column → fiscal year
    unit: str
    continued: tuple[Table, ...] = ()  # the same grid continued on the next pages, without a header

    def body(self) -> list[tuple[int, list[Cell | None]]]:
        """(page, grid row) of every row under the header, continuation tables included."""
        rows = [(self.table.page, row) for row in self.table.grid()[self.header_row + 1:]]
        for table in self.continued:
            rows += [(table.page, row) for row in table.grid()]
        return rows


def header_years(cells: list[str], period: tuple[dt.date, dt.date] | None = None) -> dict[int, int]:
    """Column → fiscal year for every header cell that names one (`令和5年度`, `R5`, `５年度`, `2025年度`).

    A bare `５年度` names no era: it takes the era of its neighbours or of the 実施期間.
    """
    # Spaces inside a header cell mean nothing (`令 和 ６ 年 度`).
    years = {i: parse_fiscal_year(compact_text(t)) for i, t in enumerate(cells) if t.strip()}
    known = [y for y in years.values() if y]
    for i, y in list(years.items()):
        if y is not None or not digit_runs(cells[i]):
            continue
        options = [parse_fiscal_year(era + compact_text(cells[i])) for era in BARE_YEAR_ERAS]
        options = [o for o in options if o]
        anchor = known[0] if known else (fiscal_year_of(period[0]) if period else None)
        if options:
            years[i] = min(options, key=lambda o: abs(o - anchor)) if anchor else options[0]
    return {i: y for i, y in years.items() if y}


def _table_unit(table: Table, lines_above: list[Line], default: str) -> str:
    for text in [c.text for c in table.cells] + [l.text for l in reversed(lines_above)]:
        unit = table_unit(text)
        if unit and yen_factor(unit):
            return unit
    return default


def find_budget_table(layout: PdfLayout, pages: list[int], period=None,
                      settings: PlanSettings = DEFAULT) -> BudgetTable | None:
    """The 別表3 grid: the table with a row of ≥2 fiscal-year cells and a 資金 label (別表3 pages first)."""
    order = layout_pages(layout, pages) + [p for p in layout.pages if p.number not in pages]
    for page in order:
        for table in page.tables:
            rows = table.rows_text()
            if not any(settings.budget_label in compact_text(t) for row in rows for t in row):
                continue
            for r, row in enumerate(rows):
                years = header_years(row, period)
                if len(years) >= 2 or (len(years) == 1 and page.number in pages):
                    above = [l for l in page.lines if l.bbox[3] <= table.bbox[1] + 1]
                    return BudgetTable(table, r, years, _table_unit(table, above[-5:], settings.default_budget_unit),
                                       _continuations(layout, table, period))
    return None


def _continuations(layout: PdfLayout, table: Table, period) -> tuple[Table, ...]:
    """Tables at the top of the following pages with the same columns and no year header."""
    out: list[Table] = []
    for page in layout.pages[table.page:]:
        first = page.tables[0] if page.tables else None
        if (first is None or first.n_cols != table.n_cols
                or any(len(header_years(row, period)) >= 2 for row in first.rows_text())
                or any(l.bbox[3] <= first.bbox[1] and compact_text(l.text) for l in page.lines[:3]
                       if compiled(DEFAULT.appendix_heading).match(compact_text(l.text)))):
            break
        out.append(first)
        if len(page.tables) > 1:
            break
    return tuple(out)


def read_budget(budget: BudgetTable, settings: PlanSettings = DEFAULT) -> list[Budget]:
    first_year_col = min(budget.year_cols)
    pages_rows = budget.body()
    body = [row for _, row in pages_rows]
    labels = []
    for row in body:
        label_cells = [c for c in row[:first_year_col] if c and c.text.strip()]
        labels.append(item_label(label_cells[-1].text) if label_cells else "")
    labels = fill_down_dittos(labels)
    factor = yen_factor(budget.unit) or 1000.0
    out: list[Budget] = []
    above: dict[int, int | None] = {}  # column → amount of the row above, for a 〃 in an amount cell
    for (page, row), label in zip(pages_rows, labels):
        if not label:
            continue
        is_total = any(w in compact_text(label) for w in settings.total_labels)
        left: int | None = None  # amount of the previous year column, for 同左
        for col, year in sorted(budget.year_cols.items()):
            cell = row[col] if col < len(row) else None
            raw = normalize_text(cell.text) if cell else ""
            if is_ditto(raw):
                amount = above.get(col)
            elif compact_text(raw) in settings.same_as_left:
                amount = left
            else:
                quantity = parse_quantity(raw)
                amount = (None if quantity.value is None
                          else round(quantity.value * (yen_factor(quantity.unit) or factor) / 1000))
            above[col], left = amount, amount
            if amount is None:
                continue
            out.append(Budget(item=label, is_total=is_total, fiscal_year=year, amount_thousand_yen=amount,
                              raw=cell.text.strip(), page=page, bbox=cell.bbox, source="text"))
    return out


def _is_funding_label(text: str, settings: PlanSettings) -> bool:
    t = compact_text(text)
    return t.startswith(settings.funding_label) and len(t) <= len(settings.funding_label) + 6


def read_funding_sources(layout: PdfLayout, pages: list[int], settings: PlanSettings = DEFAULT
                         ) -> list[FundingSource]:
    """The text under (or beside) the 調達方法 label, split into sources."""
    for page in layout_pages(layout, pages):
        for table in page.tables:
            grid = table.grid()
            for r, row in enumerate(grid):
                for c, cell in enumerate(row):
                    if not cell or not _is_funding_label(cell.text, settings):
                        continue
                    right = next((x for x in row[c + 1:] if x and x is not cell and x.text.strip()), None)
                    below = next((grid[k][c] for k in range(r + 1, len(grid))
                                  if grid[k][c] and grid[k][c] is not cell and grid[k][c].text.strip()), None)
                    target = right or below
                    if target:
                        return [FundingSource(source=s, page=page.number)
                                for s in split_funding(target.text, settings)]
    # No ruled box: the lines after a 調達方法 line, up to a note or the page end.
    for page in layout_pages(layout, pages):
        texts = [l.text for l in page.lines]
        start = next((i for i, t in enumerate(texts) if _is_funding_label(t, settings)), None)
        if start is not None:
            body = []
            for t in texts[start + 1:]:
                if compiled(settings.note_start).match(compact_text(t)):
                    break
                body.append(t)
            return [FundingSource(source=s, page=page.number) for s in split_funding("\n".join(body), settings)]
    return []


def split_funding(text: str, settings: PlanSettings = DEFAULT) -> list[str]:
    """Sources separated by 、 , spaces or bullets, never inside brackets; wrapped lines are rejoined."""
    pieces = []
    for line in text.splitlines():
        line = normalize_text(line)
        if compiled(settings.note_start).match(compact_text(line)):
            break
        if compiled(settings.bullet_start).match(line):
            pieces.append("\n")
            line = compiled(settings.bullet_start).sub("", line)
        pieces.append(line)
    joined = clean_label("".join(pieces).replace("\n", " "))
    return split_outside_brackets(joined, settings.funding_separators)
