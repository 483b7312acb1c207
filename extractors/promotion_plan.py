"""Promotion plans (商工業振興プラン): sections and every 年間目標 / 成果目標 cell as Targets.

PdfLayout → sections (extractors.plan_sections) → year tables → header band
→ value columns (baseline or fiscal year) → Target records, each in the 個別施策
section (`1-1`) whose heading precedes its table.

A year table is any ruled table whose header names fiscal years over its value
columns; the row label is the first column without a year (実施事業 / 項目). A
column whose header says 実績 / 現状 / 現行 is the baseline and keeps its year.
Tables outside a numbered sub-section (`1-1`) — the plan-wide 成果目標 — have no
section_no.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.base import register
from extractors.pdf_layout import Cell, PdfLayout, Table
from extractors.plan_sections import SectionSettings, find_sections, heading_positions
from pipeline.normalize.numbers import parse_quantity
from pipeline.normalize.text import clean_label, normalize_text
from pipeline.normalize.wareki import parse_fiscal_year
from schemas.records import Extraction, Finding, Section, Target


@dataclass(frozen=True)
class PromotionPlanSettings:
    sections: SectionSettings = SectionSettings(prefix_items_with_part=False)
    baseline_pattern: str = r"実績|現状|現行|基準"
    label_header_pattern: str = r"実施事業|事業名|項目|指標"
    sub_section_pattern: str = r"^\d+-\d+$"   # a 個別施策 such as 1-1, 8-1
    title_tag_pattern: str = r"\s*【[^】]*】\s*$"  # a trailing 【重点施策】 marks, not names, a measure
    max_header_rows: int = 3


DEFAULT_SETTINGS = PromotionPlanSettings()

_KANA = re.compile(r"[\u3040-\u30ff]")


def _year(text: str) -> int | None:
    """The fiscal year a header cell names; a cell with kana is prose around a year
    (`目標とする姿(令和8年度)`), not a year header (`実績値(令和2年度)`)."""
    text = clean_label(text)
    return parse_fiscal_year(text) if text and not _KANA.search(text) else None


@dataclass(frozen=True)
class ValueColumn:
    index: int
    fiscal_year: int | None
    is_baseline: bool


@dataclass(frozen=True)
class YearTable:
    table: Table
    header_rows: int
    label_col: int
    columns: tuple[ValueColumn, ...]


def read_year_table(table: Table, settings: PromotionPlanSettings = DEFAULT_SETTINGS) -> YearTable | None:
    """The header band and value columns of a table with fiscal-year columns, else None."""
    rows = table.grid()
    band = 0
    for r, row in enumerate(rows[:settings.max_header_rows]):
        if any(cell and _year(cell.text) is not None for cell in row):
            band = r + 1
    if not band or band >= len(rows):
        return None
    columns, label_col = [], None
    for c in range(table.n_cols):
        texts = list(dict.fromkeys(clean_label(rows[r][c].text) for r in range(band) if rows[r][c]))
        header = " ".join(texts)
        year = next((y for y in (_year(t) for t in reversed(texts)) if y is not None), None)
        if year is None:
            if label_col is None:
                label_col = c
            continue
        columns.append(ValueColumn(c, year, bool(re.search(settings.baseline_pattern, header))))
    if label_col is None or not columns:
        return None
    return YearTable(table, band, label_col, tuple(columns))


def _raw(cell: Cell) -> str:
    return re.sub(r"\s+", "", normalize_text(cell.text))


def table_targets(year_table: YearTable, section_no: str | None) -> list[Target]:
    rows = year_table.table.grid()
    targets = []
    for row in rows[year_table.header_rows:]:
        label_cell = row[year_table.label_col]
        metric = clean_label(label_cell.text) if label_cell else ""
        if not metric:
            continue
        for column in year_table.columns:
            cell = row[column.index]
            if cell is None or cell is label_cell:
                continue
            quantity = parse_quantity(cell.text)
            targets.append(Target(
                section_no=section_no, metric=metric, fiscal_year=column.fiscal_year,
                is_baseline=column.is_baseline, value=quantity.value,
                unit=quantity.unit if quantity.value is not None else None,
                raw=_raw(cell), page=year_table.table.page, bbox=cell.bbox, source="text"))
    return targets


def _part_of(sections: list[Section]) -> list[str | None]:
    part, out = None, []
    for section in sections:
        if section.level == 0:
            part = section.section_no
        out.append(part)
    return out


def section_of_table(table: Table, sections: list[Section], positions: list[tuple[int, float]],
                     settings: PromotionPlanSettings = DEFAULT_SETTINGS) -> str | None:
    """The 個別施策 (`1-1`) whose heading is the last one above the table, within its part."""
    parts = _part_of(sections)
    before = [i for i, pos in enumerate(positions) if pos <= (table.page, table.bbox[1])]
    if not before:
        return None
    last = before[-1]
    for i in reversed(before):
        if parts[i] != parts[last]:
            break
        if re.match(settings.sub_section_pattern, sections[i].section_no):
            return sections[i].section_no
    return None


def plan_sections(sections: list[Section], target_parts: set[str | None],
                  settings: PromotionPlanSettings = DEFAULT_SETTINGS) -> list[Section]:
    """Numbered items of the part holding the target tables keep their own number (`1-1`);
    other parts' sections get their part as prefix, so every section_no is unique."""
    out = []
    for section, part in zip(sections, _part_of(sections)):
        title = re.sub(settings.title_tag_pattern, "", section.title) or section.title
        if part in target_parts or section.level == 0:
            out.append(section.model_copy(update={"title": title}))
            continue
        prefix = f"{part}-"
        out.append(section.model_copy(update={
            "title": title, "section_no": prefix + section.section_no,
            "parent_no": (prefix + section.parent_no if section.parent_no and section.parent_no != part
                          else section.parent_no)}))
    return out


def read_promotion_plan(layout: PdfLayout, settings: PromotionPlanSettings = DEFAULT_SETTINGS
                        ) -> tuple[list[Section], list[Target]]:
    sections = find_sections(layout, settings.sections)
    positions = heading_positions(layout, sections, settings.sections)
    parts = _part_of(sections)
    targets, target_parts = [], set()
    for page in layout.pages:
        for table in page.tables:
            year_table = read_year_table(table, settings)
            if year_table is None:
                continue
            section_no = section_of_table(table, sections, positions, settings)
            if section_no is not None:
                target_parts.add(next(p for s, p in zip(sections, parts) if s.section_no == section_no))
            targets.extend(table_targets(year_table, section_no))
    return plan_sections(sections, target_parts, settings), targets


class PromotionPlanExtractor:
    kind = "promotion_plan"

    def __init__(self, settings: PromotionPlanSettings = DEFAULT_SETTINGS):
        self.settings = settings

    def detect(self, layout: object) -> float:
        """Year tables labelled 実施事業 under numbered 個別施策, in a PDF that is not a
        経営発達支援計画 (whose 目標 tables look alike)."""
        if not isinstance(layout, PdfLayout):
            return 0.0
        hits = 0
        for page in layout.pages:
            for table in page.tables:
                year_table = read_year_table(table, self.settings)
                if year_table is None:
                    continue
                label = clean_label(" ".join(c.text for c in table.grid()[0][:1] if c))
                hits += bool(re.search(r"実施事業", label.replace(" ", "")))
        if not hits:
            return 0.0
        text = normalize_text(layout.text[:20000]).replace(" ", "")
        return 0.3 if "経営発達支援" in text else 0.85

    def extract(self, layout: object) -> Extraction:
        sections, targets = read_promotion_plan(layout, self.settings)
        findings = []
        if not targets:
            findings.append(Finding(severity="error", code="targets_not_found",
                                    message="no table with fiscal-year columns was found"))
        return Extraction(kind=self.kind, status="ok" if targets else "partial",
                          pages=len(layout.pages), sections=sections, targets=targets, findings=findings)


register(PromotionPlanExtractor())
