"""Promotion plans (商工業振興プラン): sections and every 年間目標 / 成果目標 cell as Targets.

PdfLayout → sections (extractors.readers.plan_sections) → target tables
(extractors.readers.target_tables: header detection, long format) → section_no per
table → Section and Target records.

The per-measure 年間目標 tables sit under numbered 個別施策 (`1-1`) in one part
(chapter) of the plan; they keep that number. A target table in another part —
the plan-wide 成果目標 — belongs to no 個別施策, so its section_no is NULL.
Sections of the other parts get their part as a prefix (`第3章-3`), so the
`1-1` … numbers stay unique.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from extractors.base import KindSpec, Parts, register, runner
from extractors.layout.model import PdfLayout
from extractors.readers.plan_sections import SectionSettings, find_sections, heading_positions
from extractors.readers.target_tables import TargetSettings, find_targets, read_header
from pipeline.normalize.text import clean_label, compact_text, compiled
from schemas.records import Extraction, Finding, Section, Target


@dataclass(frozen=True)
class PromotionPlanSettings:
    # item numbers restart in every chapter; the part prefix is added below, per part
    sections: SectionSettings = SectionSettings(prefix_items_with_part=False)
    targets: TargetSettings = field(default_factory=TargetSettings)
    title_tag_pattern: str = r"\s*【[^】]*】\s*$"  # a trailing 【重点施策】 marks, not names, a measure
    project_header_pattern: str = r"実施事業|事業名"


DEFAULT_SETTINGS = PromotionPlanSettings()


def _label(text: str) -> str:
    return clean_label(text).replace(" ", "")


def _part_of(sections: list[Section]) -> list[str | None]:
    part, out = None, []
    for section in sections:
        if section.level == 0:
            part = section.section_no
        out.append(part)
    return out


def part_at(sections: list[Section], positions: list[tuple[int, float]],
            where: tuple[int, float]) -> str | None:
    """The part (level-0 section) whose heading is the last one at or above `where`."""
    part = None
    for section, pos in zip(sections, positions):
        if pos > where:
            break
        if section.level == 0:
            part = section.section_no
    return part


def plan_sections(sections: list[Section], target_parts: set[str | None],
                  settings: PromotionPlanSettings = DEFAULT_SETTINGS) -> list[Section]:
    """Numbered items of the part holding the target tables keep their own number (`1-1`);
    other parts' sections get their part as prefix, so every section_no is unique."""
    out = []
    for section, part in zip(sections, _part_of(sections)):
        title = compiled(settings.title_tag_pattern).sub("", section.title) or section.title
        if part in target_parts or section.level == 0:
            out.append(section.model_copy(update={"title": title}))
            continue
        prefix = f"{part}-"
        out.append(section.model_copy(update={
            "title": title, "section_no": prefix + section.section_no,
            "parent_no": (prefix + section.parent_no if section.parent_no and section.parent_no != part
                          else section.parent_no)}))
    return out


def _sections(layout: PdfLayout, settings: PromotionPlanSettings) -> tuple[list[Section], list]:
    sections = find_sections(layout, settings.sections)
    return sections, heading_positions(layout, sections, settings.sections)


def _numbered(sections: list[Section], positions: list, targets: list[Target],
              settings: PromotionPlanSettings) -> tuple[list[Section], list[Target]]:
    """Targets outside the 個別施策 part lose their section_no; sections get unique numbers."""
    parts = [part_at(sections, positions, (t.page or 0, t.bbox[1] if t.bbox else 0.0)) for t in targets]
    measure_part = Counter(p for p, t in zip(parts, targets) if not t.is_baseline).most_common(1)
    measure_part = measure_part[0][0] if measure_part else None
    targets = [t if part == measure_part else t.model_copy(update={"section_no": None})
               for t, part in zip(targets, parts)]
    return plan_sections(sections, {measure_part}, settings), targets


def read_promotion_plan(layout: PdfLayout, settings: PromotionPlanSettings = DEFAULT_SETTINGS,
                        parts: Parts | None = None) -> tuple[list[Section], list[Target], list[Finding]]:
    """Sections, targets and the target tables' findings; with `parts`, each stage is isolated."""
    run = runner(parts)
    sections, positions = run("sections", lambda: _sections(layout, settings), ([], []))
    targets, findings = run("targets", lambda: find_targets(layout, sections, settings.targets,
                                                             settings.sections), ([], []))
    sections, targets = run("section_numbers", lambda: _numbered(sections, positions, targets, settings),
                            (sections, targets))
    return sections, targets, findings


class PromotionPlanExtractor:
    def __init__(self, settings: PromotionPlanSettings = DEFAULT_SETTINGS):
        self.settings = settings

    def detect(self, layout: object) -> float:
        """Year tables labelled 実施事業 under numbered 個別施策, in a PDF that is not a
        経営発達支援計画 (whose 目標 tables look alike)."""
        if not isinstance(layout, PdfLayout):
            return 0.0
        hits = 0
        project_header = compiled(self.settings.project_header_pattern)
        for page in layout.pages:
            for table in page.tables:
                # The label column's top cell must name the projects: without such a cell
                # in the top row, the table's header needs no reading.
                if not any(project_header.search(_label(c.text)) for c in table.cells if c.row == 0):
                    continue
                header = read_header(table, self.settings.targets)
                if not header.periods or header.label_col is None:
                    continue
                top = table.grid()[0][header.label_col]
                hits += bool(project_header.search(_label(top.text if top else "")))
        if not hits:
            return 0.0
        opening = compact_text(" ".join(page.text for page in layout.pages[:2]))
        return 0.3 if "経営発達支援計画" in opening else 0.85

    def extract(self, layout: object) -> Extraction:
        parts = Parts()
        sections, targets, findings = read_promotion_plan(layout, self.settings, parts)
        parts.findings += findings
        if not targets:
            parts.missing(Finding(severity="error", code="targets_not_found",
                                  message="no table with fiscal-year columns was found"))
        return parts.extraction(SPEC.kind, pages=len(layout.pages), sections=sections, targets=targets)


# Recognised from a table only it prints (実施事業 × fiscal years): outranks a plan's opening words.
SPEC = register(KindSpec(
    kind="promotion_plan", label="promotion plan", extractor=PromotionPlanExtractor(),
    tables=("sections", "targets"), canonical_sections=False,  # its own chapters, not the standard form
    views=("v_targets_by_indicator", "progress_vs_plan"), priority=20))
