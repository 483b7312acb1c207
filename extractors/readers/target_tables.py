"""Target tables (目標 / 年間目標) → long-format Target records.

layout + sections → tables under a 目標 heading (continued tables joined) →
header (period columns, label/marker/unit columns) → rows (main rows and the
sub-rows that qualify them) → one Target per period cell.

Nothing here names a title, a year or a column position: period columns are
the columns whose header parses as a fiscal year (`令和5年度`, `R7`,
`R 1 0 年度`, `令和８年度`, a year split over two header rows) or says it is
the baseline (`現行`, `現状`, `※現状`, `実績値（令和2年度）`); every other
column but the label (and a `単位` column, used for units) is skipped, so
`公表方法` or `支援内容` never become targets.

A row qualifies the main row above it (parent_metric) when it is printed as
a sub-item — a leading bullet `・`, a per-unit suffix (`成約件数／者`,
`売上額/事業者`), a qualifier head (`頻度`, `参加者数`, `売上…`, `利益…`),
no ①② marker in a table whose main rows carry one, a marker cell merged
over the group, or a label indented from the main rows' labels.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Sequence

from extractors.layout.model import Cell, Line, PdfLayout, Table, Word
from extractors.readers.plan_sections import SectionSettings, heading_positions
from pipeline.normalize.ditto import is_ditto, resolve_ditto
from pipeline.normalize.numbers import parse_quantity
from pipeline.normalize.text import clean_label, compact_text, compiled, normalize_text
from pipeline.normalize.wareki import BARE_YEAR_ERAS, BARE_YEAR_HEADER, BASELINE_HEADER, parse_fiscal_year
from schemas.records import Finding, Section, Target


@dataclass(frozen=True)
class TargetSettings:
    """Every pattern and tolerance of the target-table reader (patterns see normalize_text output)."""

    target_heading: str = r"目標"              # the heading (or a short line) above a target table
    not_target_heading: str = r"方針"          # ... unless it is about policy (目標の達成に向けた方針)
    # A line that only announces the table below it (`（目標）`, `【目標値】`, `○数値目標：`): a section
    # with one and no target read gives a finding.
    target_announcement: str = r"^[(（【［\[〈<＜〇○◯■□◆●・]?(?:数値)?目標(?:値)?[)）】］\]〉>＞]?[:：]?$"
    baseline_header: str = BASELINE_HEADER
    unit_header: str = r"^単位"
    bare_year_header: str = BARE_YEAR_HEADER
    bare_year_eras: tuple[str, ...] = BARE_YEAR_ERAS
    max_header_rows: int = 4
    # `※現状は令和5年度の実績` near the table gives the baseline's fiscal year.
    baseline_note: str = r"(?:現行|現状|実績)(?:値)?\s*(?:は|:)"
    note_window_lines: float = 4.0             # how far below a table its note may sit (line heights)
    marker: str = r"^[①-⑳]"
    bullet: str = r"^[・･◦○\-‐－]"
    per_unit: str = r"[／/]\s*(?:事業者|事業所|者|社|店|件|人|回)\s*$"
    qualifier: str = r"^(?:頻度|延べ?回数|(?:セミナー)?参加(?:者|人)数|成約|売上|(?:経常|営業|粗)?利益)"
    detect_sub_rows: bool = True
    indent_chars: float = 0.8                  # label indent (in line heights) that marks a sub-row
    # The first label of a continued table starting so is a row of its own, not the end of a broken one.
    row_of_its_own: str = r"^(?:[<＜【\[［(（]|[①-⑳]|[・･◦○\-‐－])"
    continuation_top: float = 0.3              # a continued table starts in this top fraction of its page


@dataclass(frozen=True)
class Period:
    col: int
    fiscal_year: int | None
    is_baseline: bool


@dataclass(frozen=True)
class GridHeader:
    """What the header rows of a target table say about its columns."""

    n_rows: int                        # header rows at the top of the table
    label_col: int | None
    marker_col: int | None             # a separate narrow ①② column
    periods: tuple[Period, ...]
    unit_col: int | None = None


# ---------------------------------------------------------------- header

def period_of(text: str, settings: TargetSettings = TargetSettings(),
              anchor_year: int | None = None) -> tuple[int | None, bool] | None:
    """(fiscal_year, is_baseline) when a header text names a period, else None.

    Spaces inside a header cell mean nothing (`令 和 ６ 年 度`, `現　行`). A year
    without its era (`29年度`, pre-2019 plans) takes the era that puts it nearest
    `anchor_year` (the plan's first fiscal year); without an anchor it is no period.
    """
    t = compact_text(text)
    if not t:
        return None
    baseline = compiled(settings.baseline_header).search(t) is not None
    year = parse_fiscal_year(t)
    if year is None and anchor_year is not None and compiled(settings.bare_year_header).fullmatch(t):
        options = [y for y in (parse_fiscal_year(t, era=e) for e in settings.bare_year_eras) if y]
        year = min(options, key=lambda y: abs(y - anchor_year)) if options else None
    if baseline:
        return (year, True)
    if year is not None:
        return (year, False)
    return None


def transposed(table: Table) -> Table:
    """The table with rows and columns swapped (cells keep their bboxes): a target table printed
    with fiscal years as rows reads like one printed with years as columns."""
    cells = tuple(Cell(c.col, c.row, c.col_span, c.row_span, c.text, c.bbox) for c in table.cells)
    return replace(table, cells=cells, n_rows=table.n_cols, n_cols=table.n_rows,
                   report={**table.report, "transposed": True})


def _years(header: GridHeader) -> int:
    return sum(1 for p in header.periods if not p.is_baseline)


def _stacked(top: Table, below: Table) -> Table:
    """A table and its continuation on the next page as one (rows of `below` after those of `top`)."""
    cells = top.cells + tuple(replace(c, row=c.row + top.n_rows) for c in below.cells)
    return replace(top, cells=cells, n_rows=top.n_rows + below.n_rows)


def _text(cell: Cell | None) -> str:
    return cell.text.strip() if cell and cell.text else ""


def _has_number(text: str, settings: TargetSettings, anchor_year: int | None = None) -> bool:
    return period_of(text, settings, anchor_year) is None and parse_quantity(text).value is not None


def read_header(table: Table, settings: TargetSettings = TargetSettings(),
                anchor_year: int | None = None) -> GridHeader:
    """Header rows, period columns and the label column of a target table.

    Header rows are the top rows (at most `max_header_rows`) up to the last one naming a
    period, plus following rows that only continue header cells (e.g. `年度` under `令和5`).
    A table without period headers gets `periods=()`.
    """
    grid = table.grid()
    n = len(grid)
    last_period_row = -1
    for r in range(min(n, settings.max_header_rows)):
        texts = [_text(c) for c in grid[r]]
        if any(_has_number(t, settings, anchor_year) for t in texts):
            break
        if any(period_of(t, settings, anchor_year) for t in texts):
            last_period_row = r
    if last_period_row < 0:
        return GridHeader(0, _label_col(grid, 0, set()), None, ())
    n_header = last_period_row + 1
    # Rows that merely continue the header: no number and nothing new in the first column.
    while n_header < min(n, settings.max_header_rows):
        row = grid[n_header]
        texts = [_text(c) for c in row]
        first_new = row[0] is not None and row[0] is not grid[n_header - 1][0] and _text(row[0])
        if first_new or any(_has_number(t, settings, anchor_year) for t in texts):
            break
        n_header += 1

    periods: list[Period] = []
    unit_col = None
    for c in range(table.n_cols):
        cells: list[Cell] = []
        for r in range(n_header):
            cell = grid[r][c]
            if cell is not None and cell not in cells:
                cells.append(cell)
        found = None
        for cell in reversed(cells):
            found = period_of(cell.text, settings, anchor_year)
            if found:
                break
        if found is None:
            found = period_of("".join(_text(cell) for cell in cells), settings, anchor_year)
        if found:
            year, baseline = found
            baseline = baseline or any(
                compiled(settings.baseline_header).search(normalize_text(cell.text)) for cell in cells)
            periods.append(Period(c, year, baseline))
        elif any(compiled(settings.unit_header).search(normalize_text(_text(cell))) for cell in cells) \
                or compiled(settings.unit_header).search(compact_text("".join(_text(cell) for cell in cells))):
            unit_col = c   # `単位`, also wrapped over two header rows (`単` / `位`)
    period_cols = {p.col for p in periods}
    label_col = _label_col(grid, n_header, period_cols | ({unit_col} if unit_col is not None else set()))
    marker_col = None
    if label_col is not None and _is_marker_column(grid, n_header, label_col, settings):
        nxt = _label_col(grid, n_header, period_cols | {label_col} | set(range(label_col)))
        if nxt is not None:
            marker_col, label_col = label_col, nxt
    return GridHeader(n_header, label_col, marker_col, tuple(periods), unit_col)


def _label_col(grid: list[list[Cell | None]], start: int, skip: set[int]) -> int | None:
    """The leftmost non-period column with text in the data rows."""
    if not grid:
        return None
    for c in range(len(grid[0])):
        if c in skip:
            continue
        if any(_text(row[c]) for row in grid[start:]):
            return c
    return None


def _is_marker_column(grid, start: int, col: int, settings: TargetSettings) -> bool:
    texts = [normalize_text(_text(row[col])) for row in grid[start:] if _text(row[col])]
    return bool(texts) and all(compiled(settings.marker).fullmatch(t) for t in texts)


# ---------------------------------------------------------------- rows

def _label_x0(cell: Cell, words: Sequence[Word]) -> float | None:
    x0s = [w.bbox[0] for w in words
           if cell.bbox[0] - 1 <= w.bbox[0] and w.bbox[2] <= cell.bbox[2] + 1
           and cell.bbox[1] - 1 <= w.bbox[1] and w.bbox[3] <= cell.bbox[3] + 1]
    return min(x0s) if x0s else None


@dataclass(frozen=True)
class _Main:
    metric: str
    marked: bool
    marker_cell: Cell | None
    x0: float | None


def _is_sub_row(label: str, marker_cell: Cell | None, x0: float | None, main: _Main | None,
                table_marked: bool, char: float, settings: TargetSettings) -> bool:
    if main is None or not settings.detect_sub_rows:
        return False
    if compiled(settings.bullet).match(label) or compiled(settings.per_unit).search(label):
        return True
    head = compiled(settings.marker).sub("", label).strip()
    if compiled(settings.qualifier).match(head):
        return True
    marked = compiled(settings.marker).match(label) is not None
    if table_marked and main.marked and not marked:
        return True
    if marker_cell is not None and marker_cell is main.marker_cell:
        return True
    return x0 is not None and main.x0 is not None and x0 > main.x0 + settings.indent_chars * char


def read_target_grid(table: Table, settings: TargetSettings = TargetSettings(), *,
                     header: GridHeader | None = None, section_no: str | None = None,
                     baseline_year: int | None = None, words: Sequence[Word] = (),
                     previous_main: str | None = None) -> list[Target]:
    """Long-format targets of one target table (header detection included).

    table         a Table from the layout layer (merged cells repeat in `grid()`).
    settings      patterns/tolerances; `detect_sub_rows=False` gives every row parent_metric None.
    header        a GridHeader to use instead of reading one (a continued table passes the header
                  of its first part with `n_rows=0`, since its own rows are all data).
    section_no    copied into every Target.
    baseline_year fiscal year for baseline cells whose header has none (from a note).
    words         the page's words, to notice labels indented under their main row (optional).
    previous_main metric of the last main row before this table (continued tables).
    """
    header = header or read_header(table, settings)
    if not header.periods or header.label_col is None:
        return []
    grid = table.grid()
    char = _row_height(table)
    table_marked = any(compiled(settings.marker).match(clean_label(_text(row[header.label_col])))
                       or (header.marker_col is not None and _text(row[header.marker_col]))
                       for row in grid[header.n_rows:])
    main = _Main(previous_main, False, None, None) if previous_main else None
    prev_label = ""
    prev_raw: dict[int, str] = {}
    seen: set[tuple[int, int]] = set()
    out: list[Target] = []
    for row in grid[header.n_rows:]:
        label_cell = row[header.label_col]
        label = clean_label(_text(label_cell))
        if label and is_ditto(label):
            label = clean_label(resolve_ditto(label, prev_label))
        marker_cell = row[header.marker_col] if header.marker_col is not None else None
        marker = normalize_text(_text(marker_cell))
        metric = label if not marker or label.startswith(marker) else marker + label
        values = [(p, row[p.col]) for p in header.periods if row[p.col] is not None and _text(row[p.col])]
        if not metric or not values:
            continue
        x0 = _label_x0(label_cell, words) if words and label_cell else None
        if _is_sub_row(metric, marker_cell, x0, main, table_marked, char, settings):
            parent = main.metric
        else:
            parent = None
            main = _Main(metric, compiled(settings.marker).match(metric) is not None, marker_cell, x0)
        prev_label = label
        unit_text = _text(row[header.unit_col]) if header.unit_col is not None else ""
        left = ""
        for p, cell in values:
            if (id(cell), p.col) in seen:      # a value merged down several rows counts once
                continue
            seen.add((id(cell), p.col))
            raw = _text(cell)
            # A value ditto repeats the previous period of the row (〃 across years), else the cell above.
            resolved = resolve_ditto(raw, left or prev_raw.get(p.col, "")) if is_ditto(raw) else raw
            prev_raw[p.col] = left = resolved
            q = parse_quantity(resolved)
            unit = q.unit
            if unit is None and q.value is not None and unit_text:
                unit = normalize_text(unit_text) or None
            year = p.fiscal_year if p.fiscal_year is not None else (baseline_year if p.is_baseline else None)
            out.append(Target(
                section_no=section_no, metric=metric, parent_metric=parent,
                fiscal_year=year, is_baseline=p.is_baseline, value=q.value, unit=unit,
                raw=raw, page=table.page, bbox=tuple(cell.bbox), source="text"))
    return out


def _row_height(table: Table) -> float:
    return (table.bbox[3] - table.bbox[1]) / table.n_rows if table.n_rows else 10.0


# ---------------------------------------------------------------- tables in the document

@dataclass(frozen=True)
class _Placed:
    table: Table
    page_index: int
    first_on_page: bool
    last_on_page: bool


def _tables_in_order(layout: PdfLayout) -> list[_Placed]:
    out = []
    for i, page in enumerate(layout.pages):
        tables = sorted(page.tables, key=lambda t: (t.bbox[1], t.bbox[0]))
        for k, t in enumerate(tables):
            out.append(_Placed(t, i, k == 0, k == len(tables) - 1))
    return out


def _before(pos_a: tuple[int, float], pos_b: tuple[int, float]) -> bool:
    return pos_a[0] < pos_b[0] or (pos_a[0] == pos_b[0] and pos_a[1] <= pos_b[1])


def _item_section(sections: list[Section], k: int) -> str | None:
    """The numbered item (3, 8-1, 1-1) that section k belongs to: k or its nearest such ancestor."""
    while k >= 0:
        sec = sections[k]
        if sec.level >= 1 and not re.search(r"[(（①-⑳]", sec.section_no):
            return sec.section_no
        if sec.parent_no is None:
            return None
        k = next((j for j in range(k - 1, -1, -1) if sections[j].section_no == sec.parent_no), -1)
    return None


def _lines_between(layout: PdfLayout, start: tuple[int, float], table: Table) -> list[Line]:
    """Text lines after position `start` and above the table (outside tables)."""
    out = []
    for page in layout.pages:
        if page.number < start[0] or page.number > table.page:
            continue
        for line in page.lines:
            pos = (page.number, line.bbox[1])
            if not _before(start, pos) or (page.number == table.page and line.bbox[1] >= table.bbox[1]):
                continue
            if any(_in_bbox(line.bbox, t.bbox) for t in page.tables):
                continue
            out.append(line)
    return out


def _in_bbox(inner, outer) -> bool:
    return inner[0] >= outer[0] - 1 and inner[2] <= outer[2] + 1 and inner[1] >= outer[1] - 1 and inner[3] <= outer[3] + 1


def _is_target_text(text: str, settings: TargetSettings) -> bool:
    t = normalize_text(text)
    return compiled(settings.target_heading).search(t) is not None and compiled(settings.not_target_heading).search(t) is None


def _baseline_note_year(layout: PdfLayout, table: Table, above: list[Line], settings: TargetSettings) -> int | None:
    page = layout.pages[table.page - 1] if 0 < table.page <= len(layout.pages) else None
    if page is None:
        return None
    window = settings.note_window_lines * _row_height(table)
    below = [l for l in page.lines
             if table.bbox[3] - 1 <= l.bbox[1] <= table.bbox[3] + window
             and not any(_in_bbox(l.bbox, t.bbox) for t in page.tables)]
    for line in below + above:
        text = normalize_text(line.text)
        m = compiled(settings.baseline_note).search(text)
        if m:
            year = parse_fiscal_year(text[m.end():])
            if year is not None:
                return year
    return None


def find_targets(layout: PdfLayout, sections: list[Section],
                 settings: TargetSettings = TargetSettings(),
                 section_settings: SectionSettings = SectionSettings(),
                 anchor_year: int | None = None) -> tuple[list[Target], list[Finding]]:
    """Targets of every table under a 目標 heading, and findings about those tables.

    anchor_year (the plan's first fiscal year) dates era-less year headers (`29年度`).
    """
    positions = heading_positions(layout, sections, section_settings)
    targets: list[Target] = []
    findings: list[Finding] = []
    previous: tuple[_Placed, GridHeader, str | None, int | None, str | None] | None = None
    # The last table read turned (years as rows), as printed: its rows may go on on the next page.
    turned_last: tuple[_Placed, int, str | None, int | None] | None = None
    for placed in _tables_in_order(layout):
        table = placed.table
        page = layout.pages[placed.page_index]
        if turned_last is not None and _may_continue(turned_last[0], placed, page.height, settings) \
                and all(period_of(_text(row[0]), settings, anchor_year) for row in table.grid() if row):
            printed, start, section_no, baseline_year = turned_last
            whole = _stacked(printed.table, table)
            turned = transposed(whole)
            targets = targets[:start] + read_target_grid(
                turned, settings, header=read_header(turned, settings, anchor_year), section_no=section_no,
                baseline_year=baseline_year, words=page.words)
            turned_last = (replace(placed, table=whole), start, section_no, baseline_year)
            previous = None
            continue
        turned_last = None
        # Read lazily: most tables are neither a continuation nor under a 目標 heading.
        header: GridHeader | None = None
        if previous is not None and _may_continue(previous[0], placed, page.height, settings):
            header = read_header(table, settings, anchor_year)
        if header is not None and not header.periods:  # a headerless table continuing the last one
            prev_placed, prev_header, section_no, baseline_year, last_main = previous
            if prev_header.label_col is None:
                # The header alone ended the last page: the label column shows only in the rows here.
                prev_header = replace(prev_header, label_col=header.label_col, marker_col=header.marker_col)
            tail = _broken_row_tail(table, prev_header, settings)
            if tail and targets:
                targets, last_main = _extend_last_row(targets, tail, last_main)
            got = read_target_grid(table, settings, header=replace(prev_header, n_rows=0),
                                   section_no=section_no, baseline_year=baseline_year,
                                   words=page.words, previous_main=last_main)
            targets.extend(got)
            previous = (placed, prev_header, section_no, baseline_year, _last_main(got, last_main))
            continue
        previous = None
        table_pos = (table.page, table.bbox[1])
        k = max((i for i, pos in enumerate(positions) if _before(pos, table_pos)), default=-1)
        if k < 0:
            continue
        above = _lines_between(layout, positions[k], table)
        if not (_is_target_text(sections[k].title, settings)
                or any(_is_target_text(l.text, settings) and len(normalize_text(l.text)) <= 20 for l in above)):
            continue
        section_no = _item_section(sections, k)
        header = header or read_header(table, settings, anchor_year)
        # Years down the first column, one metric per column: read it turned (the orientation
        # whose header names more fiscal years wins; a usual table's rows name none).
        turned = transposed(table)
        turned_header = read_header(turned, settings, anchor_year)
        if _years(turned_header) > _years(header):
            turned_last = (placed, len(targets), section_no, None)
            table, header = turned, turned_header
            placed = replace(placed, table=turned)
        if not any(not p.is_baseline for p in header.periods):
            findings.append(Finding(
                severity="warning", code="target_table_without_years",
                message=f"target table under section {sections[k].section_no} has no fiscal-year columns",
                location=f"page {table.page}"))
            continue   # a table whose years cannot be found stores no rows
        baseline_year = _baseline_note_year(layout, table, above, settings)
        if turned_last is not None:
            turned_last = (*turned_last[:3], baseline_year)
        got = read_target_grid(table, settings, header=header, section_no=section_no,
                               baseline_year=baseline_year, words=page.words)
        targets.extend(got)
        previous = (placed, header, section_no, baseline_year, _last_main(got, None))
    return targets, findings + _unread_target_headings(layout, sections, positions, targets, settings)


def _unread_target_headings(layout: PdfLayout, sections: list[Section], positions: list[tuple[int, float]],
                            targets: list[Target], settings: TargetSettings) -> list[Finding]:
    """A finding for each section announcing its 目標 (a short `（目標）` line) without any target read."""
    read = {t.section_no for t in targets}
    out: list[Finding] = []
    for k, start in enumerate(positions):
        end = positions[k + 1] if k + 1 < len(positions) else (len(layout.pages) + 1, 0.0)
        section_no = _item_section(sections, k)
        if section_no is None or section_no in read:
            continue
        heading = next((line for line in _lines_in(layout, start, end)
                        if compiled(settings.target_announcement).match(compact_text(line.text))), None)
        if heading is not None:
            out.append(Finding(
                severity="warning", code="target_table_unreadable",
                message=f"section {sections[k].section_no} announces its targets "
                        f"({normalize_text(heading.text)!r}) but no table under it could be read",
                location=f"page {heading.page}"))
            read.add(section_no)
    return out


def _lines_in(layout: PdfLayout, start: tuple[int, float], end: tuple[int, float]) -> list[Line]:
    """Text lines after `start` and before `end` (page, y), outside tables, the heading line excluded."""
    out = []
    for page in layout.pages[start[0] - 1:end[0]]:
        for line in page.lines:
            pos = (page.number, line.bbox[1])
            if pos <= start or not _before(pos, end) or pos == end:
                continue
            if any(_in_bbox(line.bbox, t.bbox) for t in page.tables):
                continue
            out.append(line)
    return out


def _broken_row_tail(table: Table, header: GridHeader, settings: TargetSettings) -> str:
    """Label text of a first row that only carries on the last row of the previous page.

    Word lets a row break across pages: its wrapped label ends in the first row of
    the continued table, with every period cell empty.
    """
    grid = table.grid()
    if not grid or header.label_col is None or header.label_col >= len(grid[0]):
        return ""
    row = grid[0]
    if any(p.col < len(row) and _text(row[p.col]) for p in header.periods):
        return ""
    tail = clean_label(_text(row[header.label_col]))
    # A row of its own (a group heading like `＜販路開拓＞` or a numbered item) is not a tail.
    if compiled(settings.row_of_its_own).match(tail):
        return ""
    return tail


def _extend_last_row(targets: list[Target], tail: str,
                     last_main: str | None) -> tuple[list[Target], str | None]:
    """Targets with the last row's metric completed by `tail` (and the main-row name that follows)."""
    metric = targets[-1].metric
    k = len(targets)
    while k > 0 and targets[k - 1].metric == metric:
        k -= 1
    joined = metric + tail
    fixed = [t.model_copy(update={"metric": joined}) for t in targets[k:]]
    return targets[:k] + fixed, (joined if last_main == metric else last_main)


def _last_main(targets: list[Target], default: str | None) -> str | None:
    if not targets:
        return default
    last = targets[-1]
    return last.parent_metric or last.metric


def _may_continue(prev: _Placed, cur: _Placed, page_height: float, settings: TargetSettings) -> bool:
    """A table at the top of the next page with the same columns continues the last one
    when it has no header of its own (checked by the caller)."""
    return (cur.page_index == prev.page_index + 1 and prev.last_on_page and cur.first_on_page
            and cur.table.n_cols == prev.table.n_cols
            and cur.table.bbox[1] <= settings.continuation_top * page_height)
