"""Progress reports (進捗状況): one ProgressRow per 実施事業 × fiscal year.

layout (WorkbookLayout or PdfLayout) → cell grids → header band → column roles
→ body rows → ProgressRow records → grades and findings.

The core (`find_header`, `read_progress_grid`) sees only `GridCell` grids, so a sheet
and its PDF export go through the same code; `grid_from_sheet` / `grid_from_table`
are the two adapters. Nothing depends on where the table starts or on column order:
the header row is the one naming 年間目標 / 実績 / 評価, each column's fiscal year is
read from its own header text or the header cell above it.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from extractors.base import KindSpec, Parts, register, runner
from extractors.readers.grades import DEFAULT_SCALE, GradeScale, compute_grade, grade_mismatch, read_legend
from extractors.layout.model import PdfLayout, Table, visual_rows
from extractors.layout.workbook import Sheet, WorkbookLayout, is_percent_format
from pipeline.normalize.ditto import is_ditto, resolve_ditto
from pipeline.normalize.numbers import is_null_marker, parse_quantity
from pipeline.normalize.text import clean_label, compact_text, compiled, normalize_text
from pipeline.normalize.wareki import parse_fiscal_year
from schemas.records import Extraction, Finding, ProgressRow
from schemas.types import BBox

ROLES = ("target", "actual", "grade")
FIELDS = ("direction", "measure", "project", "metric", "unit", "page_ref", "implementer")
FILLED_DOWN = ("direction", "measure")


@dataclass(frozen=True)
class ProgressSettings:
    """Header vocabularies (regexes over normalised header text), in one place."""

    role_patterns: tuple[tuple[str, str], ...] = (
        ("target", r"年間目標値?|目標値?|計画値"),
        ("actual", r"実績値?|実績見込み?"),
        ("grade", r"評価|達成度"),
    )
    field_patterns: tuple[tuple[str, str], ...] = (
        ("direction", r"方向性|基本方針|方針"),
        ("measure", r"個別施策|施策"),
        ("implementer", r"実施主体|実施機関|担当|主体|所管"),
        ("metric", r"指標|目標項目"),
        ("unit", r"^単位"),
        ("page_ref", r"ページ|頁|掲載"),
        ("project", r"実施事業|事業名|取組|事業"),
    )
    # `事業承継セミナー(参加者数) P.33`: the last parenthesised group is the metric
    project_pattern: str = r"^(?P<project>.*?)\s*\((?P<metric>[^()]*)\)\s*(?P<page_ref>[PpＰｐ]\.?\s*\d+(?:\s*[-~～]\s*\d+)?)?\s*$"
    page_ref_pattern: str = r"^(?P<project>.*?)\s*(?P<page_ref>[Pp]\.?\s*\d+(?:\s*[-~～]\s*\d+)?)\s*$"
    max_header_rows: int = 3


DEFAULT_SETTINGS = ProgressSettings()


# --- the grid both layouts are turned into ------------------------------------------

@dataclass(frozen=True)
class GridCell:
    text: str
    anchor: tuple[int, int]  # top-left (row, col) of the merged cell: equal anchors = one cell
    value: float | None = None  # the number a spreadsheet stores, when it stores one
    sheet: str | None = None
    cell: str | None = None
    page: int | None = None
    bbox: BBox | None = None

    @property
    def location(self) -> str | None:
        if self.sheet is not None:
            return f"{self.sheet}!{self.cell}"
        return f"page {self.page}" if self.page is not None else None

    def provenance(self) -> dict:
        if self.sheet is not None:
            return {"sheet": self.sheet, "cell": self.cell, "source": "cell"}
        return {"page": self.page, "bbox": self.bbox, "source": "text"}


Grid = list[list[GridCell | None]]


def grid_from_sheet(sheet: Sheet) -> Grid:
    grid: Grid = []
    for row in sheet.grid():
        out: list[GridCell | None] = []
        for c in row:
            if c is None:
                out.append(None)
                continue
            number = c.value if isinstance(c.value, (int, float)) and not isinstance(c.value, bool) else None
            if number is not None and is_percent_format(c.number_format):
                number = number * 100  # a percent format stores 0.62 for 62 %
            out.append(GridCell(text=c.text, anchor=(c.row, c.col), value=number,
                                sheet=sheet.name, cell=c.ref))
        grid.append(out)
    return grid


def grid_from_table(table: Table) -> Grid:
    return [[GridCell(text=c.text, anchor=(c.row, c.col), page=table.page, bbox=c.bbox) if c else None
             for c in row] for row in table.grid()]


def named_grids(layout: object) -> Iterator[tuple[str, Grid]]:
    """(where, grid) of every sheet or PDF table: `sheet 進捗`, `page 3 table 1`."""
    if isinstance(layout, WorkbookLayout):
        for sheet in layout.sheets:
            yield f"sheet {sheet.name}", grid_from_sheet(sheet)
    elif isinstance(layout, PdfLayout):
        for page in layout.pages:
            for i, table in enumerate(page.tables, 1):
                yield f"page {page.number} table {i}", grid_from_table(table)


def layout_grids(layout: object) -> Iterator[Grid]:
    for _, grid in named_grids(layout):
        yield grid


def layout_lines(layout: object) -> Iterator[str]:
    """Row texts, for the legend: sheet rows, PDF text lines and PDF table rows."""
    if isinstance(layout, PdfLayout):
        for page in layout.pages:
            yield from (line.text for line in page.lines)
            yield from _visual_rows(page.lines)
    for grid in layout_grids(layout):
        yield from (row_text(row) for row in grid)


def _visual_rows(lines, tolerance: float = 2.0) -> Iterator[str]:
    """Lines sharing a baseline band joined left to right: a legend's grade letter and its
    description are separate text lines when they sit in separate (unruled) cells."""
    rows = visual_rows(lines, lambda ln: ln.bbox[1], tolerance, order=lambda ln: (ln.bbox[1], ln.bbox[0]))
    yield from (" ".join(ln.text for ln in row) for row in rows if len(row) > 1)


def _text(cell: GridCell | None) -> str:
    return clean_label(cell.text) if cell and cell.text else ""


def row_text(row: list[GridCell | None]) -> str:
    seen, texts = set(), []
    for cell in row:
        if cell and cell.text and cell.anchor not in seen:
            seen.add(cell.anchor)
            texts.append(_text(cell))
    return " ".join(texts)


def _blank(row: list[GridCell | None]) -> bool:
    return not any(cell and cell.text.strip() for cell in row)


# --- header --------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    index: int
    label: str
    role: str | None = None  # target / actual / grade
    fiscal_year: int | None = None
    field: str | None = None  # direction / measure / project / implementer


@dataclass(frozen=True)
class Header:
    top: int
    bottom: int  # the row naming 年間目標 / 実績 / 評価
    columns: tuple[Column, ...]

    def field_column(self, name: str) -> int | None:
        return next((c.index for c in self.columns if c.field == name), None)

    def year_groups(self) -> dict[int, dict[str, int]]:
        groups: dict[int, dict[str, int]] = {}
        for c in self.columns:
            if c.role and c.fiscal_year is not None:
                groups.setdefault(c.fiscal_year, {}).setdefault(c.role, c.index)
        return dict(sorted(groups.items()))


_KANA = re.compile(r"[\u3040-\u30ff]")
_SEPARATORS = " _-/・:()[]【】\n"


def header_role(text: str, settings: ProgressSettings = DEFAULT_SETTINGS) -> tuple[str | None, int | None]:
    """(role, fiscal year) of a header text such as `年間目標`, `令和5年度_年間目標`, `実績(R5)`.

    The role word must start or end the text and the rest must be only a fiscal year,
    so `目標とする姿(令和8年度)` is not a target column.
    """
    text = compact_text(text)
    for role, pattern in settings.role_patterns:
        for match in (compiled(f"(?:{pattern})").match(text), compiled(f"(?:{pattern})$").search(text)):
            if not match:
                continue
            rest = (text[:match.start()] + " " + text[match.end():]).strip(_SEPARATORS)
            if not rest:
                return role, None
            if _KANA.search(rest):  # 和暦 years never contain kana
                continue
            year = parse_fiscal_year(rest)
            if year is not None:
                return role, year
    return None, None


def may_name_roles(table: Table, roles: tuple[str, ...], settings: ProgressSettings = DEFAULT_SETTINGS) -> bool:
    """False when some role's pattern matches no cell of the table (each cell read as
    header_role reads it, one per line): then no row names that role, and find_header
    needs not build the grid and look (a cheap pre-check)."""
    text = "\n".join(normalize_text(clean_label(cell.text)).replace(" ", "") for cell in table.cells if cell.text)
    return all(compiled(pattern, re.MULTILINE).search(text)
               for role, pattern in settings.role_patterns if role in roles)


def _field_of(label: str, settings: ProgressSettings) -> str | None:
    for name, pattern in settings.field_patterns:
        if compiled(pattern).search(label):
            return name
    return None


def _year_of(text: str) -> int | None:
    return parse_fiscal_year(text) if text and not _KANA.search(text) else None


def _band_year(grid: Grid, rows: list[int], col: int, role_cols: set[int]) -> int | None:
    """The fiscal year the header rows `rows` (nearest the role row first) give column `col`.

    A blank header cell right of a year over other value columns takes that year: a
    horizontally merged year without merge info (ODS, CSV, some PDF grids).
    """
    for r in rows:
        text = _text(grid[r][col])
        if text:
            year = _year_of(text)
            if year is not None:
                return year
            continue
        for c in range(col - 1, -1, -1):
            left = _text(grid[r][c])
            if left:
                if c in role_cols and _year_of(left) is not None:
                    return _year_of(left)
                break
    return None


def _is_year_row(row: list[GridCell | None], role_cols: set[int]) -> tuple[bool, bool]:
    """(holds a year over a value column, a year cell also spans label columns)."""
    has_year, spans_labels = False, False
    for c in role_cols:
        cell = row[c] if c < len(row) else None
        if cell and _year_of(_text(cell)) is not None:
            has_year = True
            covered = {i for i, other in enumerate(row) if other is not None and other.anchor == cell.anchor}
            spans_labels = spans_labels or bool(covered - role_cols)
    return has_year, spans_labels


def _header_rows_above(grid: Grid, role_row: int, role_cols: set[int], settings: ProgressSettings) -> int:
    """The top row of the header band: rows right above the role row holding fiscal years
    over the value columns, no blank row between, and no title spanning the label columns."""
    top = role_row
    for r in range(role_row - 1, max(-1, role_row - settings.max_header_rows), -1):
        if _blank(grid[r]):
            break
        has_year, spans_labels = _is_year_row(grid[r], role_cols)
        if not has_year or spans_labels:
            break
        top = r
    return top


def _header_rows_below(grid: Grid, role_row: int, role_cols: set[int], settings: ProgressSettings) -> int:
    """The bottom row of the band when the years sit under the roles (年間目標 over R5 R6 R7):
    rows whose value-column cells are all fiscal years."""
    bottom = role_row
    for r in range(role_row + 1, min(len(grid), role_row + settings.max_header_rows)):
        texts = [_text(grid[r][c]) for c in role_cols if c < len(grid[r])]
        texts = [t for t in texts if t]
        if not texts or any(_year_of(t) is None for t in texts):
            break
        bottom = r
    return bottom


def _spread_roles(grid: Grid, roles: dict, role_row: int, year_rows: list[int]) -> dict:
    """A blank role-row cell right of a role, with its own year in the band, has that role:
    a role header merged over several years, written without merge info."""
    row = grid[role_row]
    spread = dict(roles)
    current = None
    for c, cell in enumerate(row):
        if _text(cell):
            current = roles.get(c)
            continue
        if current and any(_year_of(_text(grid[r][c])) is not None for r in year_rows):
            spread[c] = (current[0], None)
    return spread


def find_header(grid: Grid, settings: ProgressSettings = DEFAULT_SETTINGS) -> Header | None:
    """The header band of a progress table: the first row naming target and actual columns,
    with the rows of fiscal years above or below it."""
    for role_row, row in enumerate(grid):
        roles = {c: header_role(_text(cell), settings) for c, cell in enumerate(row) if cell}
        roles = {c: rv for c, rv in roles.items() if rv[0]}
        if not {"target", "actual"} <= {role for role, _ in roles.values()}:
            continue
        role_cols = set(roles)
        top = _header_rows_above(grid, role_row, role_cols, settings)
        bottom = _header_rows_below(grid, role_row, role_cols, settings)
        year_rows = sorted((r for r in range(top, bottom + 1) if r != role_row), key=lambda r: abs(r - role_row))
        roles = _spread_roles(grid, roles, role_row, year_rows)
        role_cols = set(roles)
        columns = []
        for c in range(len(row)):
            role, year = roles.get(c, (None, None))
            if role:
                year = year if year is not None else _band_year(grid, year_rows, c, role_cols)
                columns.append(Column(c, _text(row[c]), role=role, fiscal_year=year))
                continue
            label = "".join(dict.fromkeys(_text(grid[r][c]) for r in range(top, bottom + 1))).replace(" ", "")
            columns.append(Column(c, label, field=_field_of(label, settings) if label else None))
        columns = _first_field_only(columns)
        return Header(top=top, bottom=bottom, columns=tuple(columns))
    return None


def _first_field_only(columns: list[Column]) -> list[Column]:
    seen: set[str] = set()
    out = []
    for column in columns:
        if column.field in seen:
            column = replace(column, field=None)
        elif column.field:
            seen.add(column.field)
        out.append(column)
    return out


# --- body ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Value:
    number: float | None
    unit: str | None
    raw: str
    cell: GridCell | None


def read_value(cell: GridCell | None) -> Value:
    """A target/actual cell: the stored number when there is one, its unit from the text
    (`45人`, or the display text a `#,##0"人"` number format produced)."""
    if cell is None or not cell.text.strip():
        return Value(None, None, "", cell)
    quantity = parse_quantity(cell.text)
    number = cell.value if cell.value is not None else quantity.value
    return Value(number, quantity.unit, cell.text, cell)


def read_grade(cell: GridCell | None, grades: frozenset[str]) -> str | None:
    text = normalize_text(cell.text).upper() if cell and cell.text else ""
    if not text or is_null_marker(text):
        return None
    return text if not grades or text in grades else None


@dataclass(frozen=True)
class ProjectLabel:
    project: str
    metric: str | None = None
    page_ref: str | None = None


def split_project(text: str, settings: ProgressSettings = DEFAULT_SETTINGS) -> ProjectLabel:
    """`事業承継セミナー(参加者数) P.33` → (事業承継セミナー, 参加者数, P.33)."""
    label = clean_label(text)
    match = compiled(settings.project_pattern).match(label) or compiled(settings.page_ref_pattern).match(label)
    if not match:
        return ProjectLabel(label)
    groups = match.groupdict()
    return ProjectLabel(groups["project"].strip() or label, (groups.get("metric") or "").strip() or None,
                        _page_ref(groups.get("page_ref")))


def _page_ref(text: str | None) -> str | None:
    """`P.33`, `p33`, `33` → `P.33`."""
    text = compact_text(text)
    text = re.sub(r"^[Pp]\.?", "", text)
    return f"P.{text}" if text else None


@dataclass(frozen=True)
class ProgressEntry:
    """A ProgressRow with the grade cell's location, for findings."""

    row: ProgressRow
    grade_location: str | None = None


def _body_rows(grid: Grid, header: Header) -> Iterator[tuple[int, dict[str, str]]]:
    """(row index, label fields) of every data row; blank labels are filled down
    (vertically merged cells without merge info, or a sheet that writes a group once)."""
    project_col = header.field_column("project")
    if project_col is None:
        return
    labels = {name: header.field_column(name) for name in FIELDS}
    project_header = next(c.label for c in header.columns if c.index == project_col)
    current: dict[str, str] = {}
    started = False
    for r in range(header.bottom + 1, len(grid)):
        row = grid[r]
        if _blank(row):
            if started:
                return
            continue
        project_cell = row[project_col] if project_col < len(row) else None
        if not _text(project_cell) or _text(project_cell).replace(" ", "") == project_header:
            continue
        spans = {c for c, other in enumerate(row) if other is not None and other.anchor == project_cell.anchor}
        if any(labels[name] in spans for name in FIELDS if name != "project" and labels[name] is not None):
            return  # a note or legend row spanning the label columns ends the table
        started = True
        fields = {}
        for name, col in labels.items():
            text = _text(row[col]) if col is not None and col < len(row) else ""
            if text and is_ditto(text):  # 〃 / 同上: the row above's value
                text = clean_label(resolve_ditto(text, current.get(name, "")))
            if name in FILLED_DOWN and not text:
                text = current.get(name, "")
            fields[name] = text
        current = fields
        yield r, fields


def read_progress_grid(grid: Grid, header: Header, scale: GradeScale = DEFAULT_SCALE,
                       settings: ProgressSettings = DEFAULT_SETTINGS) -> list[ProgressEntry]:
    """Every 実施事業 × fiscal year of one table, in the order of the sheet."""
    groups = header.year_groups()
    entries = []
    for r, fields in _body_rows(grid, header):
        row = grid[r]
        label = split_project(fields["project"], settings)
        values = {year: {role: row[col] if col < len(row) else None for role, col in roles.items()}
                  for year, roles in groups.items()}
        units = [read_value(cells.get(role)).unit for cells in values.values() for role in ("target", "actual")]
        row_unit = next((u for u in units if u), None) or fields.get("unit") or None
        for year, cells in values.items():
            target, actual = read_value(cells.get("target")), read_value(cells.get("actual"))
            grade = read_grade(cells.get("grade"), scale.grades)
            computed = compute_grade(target.number, actual.number, scale)
            first = next((cells[role] for role in ROLES if cells.get(role) is not None), None)
            provenance = first.provenance() if first else {}
            progress = ProgressRow(
                direction=fields.get("direction") or None, measure=fields.get("measure") or None,
                project=label.project, metric=fields.get("metric") or label.metric,
                page_ref=_page_ref(fields.get("page_ref")) or label.page_ref,
                implementer=fields.get("implementer") or None,
                unit=target.unit or actual.unit or row_unit, fiscal_year=year,
                target=target.number, actual=actual.number, grade=grade, grade_computed=computed,
                **provenance)
            grade_cell = cells.get("grade")
            entries.append(ProgressEntry(progress, grade_cell.location if grade_cell else provenance and first.location))
    return entries


def read_progress(layout: object, settings: ProgressSettings = DEFAULT_SETTINGS,
                  parts: Parts | None = None) -> list[ProgressEntry]:
    """All progress tables of a layout; a headerless table right after one continues it
    (a PDF export repeats or drops the header on later pages). With `parts`, the legend
    and each table are isolated: a table that fails loses only its own rows."""
    run = runner(parts)
    scale = run("legend", lambda: read_legend(layout_lines(layout)), DEFAULT_SCALE)
    entries: list[ProgressEntry] = []
    previous: Header | None = None

    def read_table(grid: Grid, previous: Header | None) -> tuple[Header | None, list[ProgressEntry]]:
        header = find_header(grid, settings)
        if header is None and previous is not None and grid and len(grid[0]) == len(previous.columns):
            header = replace(previous, top=-1, bottom=-1)
        if header is None:
            return previous, []
        return header, read_progress_grid(grid, header, scale, settings)

    for where, grid in named_grids(layout):
        previous, rows = run(where, lambda: read_table(grid, previous), (None, []))
        entries.extend(rows)
    return entries


def grade_findings(entries: list[ProgressEntry]) -> list[Finding]:
    findings = []
    for entry in entries:
        row = entry.row
        finding = grade_mismatch(row.project or "", row.fiscal_year, row.target, row.actual,
                                 row.grade, row.grade_computed, entry.grade_location)
        if finding:
            findings.append(finding)
    return findings


# --- the extractor -------------------------------------------------------------------

class ProgressReportExtractor:
    def __init__(self, settings: ProgressSettings = DEFAULT_SETTINGS):
        self.settings = settings

    def detect(self, layout: object) -> float:
        """A table whose header names 年間目標, 実績 and 評価 columns; in a spreadsheet,
        target and actual columns alone will do (PDF plans print 目標 / 実績 tables too)."""
        if isinstance(layout, PdfLayout):
            # Only a grade column counts in a PDF: a table without all three role words
            # anywhere in its text cannot have that header, so its header is not searched.
            tables = [t for page in layout.pages for t in page.tables if may_name_roles(t, ROLES, self.settings)]
            grids = (grid_from_table(t) for t in tables)
        else:
            grids = layout_grids(layout)
        best = 0.0
        for grid in grids:
            header = find_header(grid, self.settings)
            if header is None or not header.year_groups():
                continue
            if "grade" in {c.role for c in header.columns}:
                return 0.95
            if isinstance(layout, WorkbookLayout):
                best = 0.6
        return best

    def extract(self, layout: object) -> Extraction:
        parts = Parts()
        entries = read_progress(layout, self.settings, parts)
        pages = len(layout.sheets) if isinstance(layout, WorkbookLayout) else len(getattr(layout, "pages", ()))
        grade_notes = parts.run("grade_findings", lambda: grade_findings(entries), [])
        parts.findings += grade_notes
        if not entries:
            parts.missing(Finding(severity="error", code="progress_table_not_found",
                                  message="no table with 年間目標 / 実績 columns was found"))
        return parts.extraction(SPEC.kind, pages=pages, progress=[e.row for e in entries])


# Recognised from a graded 年間目標 / 実績 / 評価 table, the most specific evidence: wins every tie.
SPEC = register(KindSpec(
    kind="progress_report", label="progress report", extractor=ProgressReportExtractor(),
    tables=("progress",), canonical_sections=False, views=("v_progress_status", "progress_vs_plan"),
    priority=30))
