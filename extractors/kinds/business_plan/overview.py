"""The 概要 table → Overview fields → Plan and its municipalities (implementer, 実施期間, ids)."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from extractors.kinds.business_plan.common import DEFAULT, PlanSettings, digit_runs
from extractors.layout.model import Line, PdfLayout
from pipeline.normalize.identifiers import (find_corporate_number, find_local_gov_codes, valid_corporate_number,
                                            valid_local_gov_code)
from pipeline.normalize.text import clean_label, collapse_spaced_digits, compact_text, compiled, normalize_text
from pipeline.normalize.wareki import parse_period
from schemas.records import Finding, Plan, PlanChamber, PlanMunicipality



# --- stage: overview -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class OverviewField:
    label: str
    text: str
    page: int
    bbox: tuple[float, float, float, float] | None


@dataclass(frozen=True)
class Overview:
    fields: dict[str, OverviewField] = field(default_factory=dict)

    def get(self, key: str) -> OverviewField | None:
        return self.fields.get(key)


def _label_key(label: str, settings: PlanSettings) -> str | None:
    text = compact_text(label)
    pairs = [("implementer", settings.implementer_label), ("period", settings.period_label),
             ("contact", settings.contact_label), ("goals", settings.goals_label)]
    for key, word in pairs + [("contents", w) for w in settings.contents_labels]:
        if text.startswith(word) or (word in text and len(text) <= len(word) + 8):
            return key
    return None


def read_overview(layout: PdfLayout, settings: PlanSettings = DEFAULT) -> Overview:
    """Label/value rows of the first table that has an 実施期間 and an 実施者 label."""
    for page in layout.pages:
        for table in page.tables:
            fields: dict[str, OverviewField] = {}
            for row in table.grid():
                cells = [c for i, c in enumerate(row) if c and (i == 0 or c is not row[i - 1])]
                if len(cells) < 2:
                    continue
                key = _label_key(cells[0].text, settings)
                if key and key not in fields:
                    value = "\n".join(c.text for c in cells[1:] if c.text)
                    fields[key] = OverviewField(cells[0].text, value, page.number, cells[1].bbox)
            if "period" in fields and "implementer" in fields:
                return Overview(fields)
    return _overview_from_lines(layout, settings)


def _after_label(word: str, settings: PlanSettings) -> str:
    """What follows the label in a word that starts with one (its value, joined by tight text)."""
    labels = [re.escape(settings.implementer_label) + "名?", re.escape(settings.period_label),
              re.escape(settings.goals_label), re.escape(settings.contact_label),
              *map(re.escape, settings.contents_labels)]
    m = re.match(rf"^(?:{'|'.join(labels)})(?:\s*[(（][^)）]{{0,8}}[)）])?(?P<tail>.*)$", normalize_text(word))
    return m["tail"].strip() if m else ""


def _overview_from_lines(layout: PdfLayout, settings: PlanSettings) -> Overview:
    """Fallback for an overview without rulings: a label line starts a field that runs to the next label."""
    for page in layout.pages:
        if settings.overview_title not in compact_text(page.text):
            continue
        fields: dict[str, list[Line]] = {}
        current = None
        for line in page.lines:
            key = _label_key(line.words[0].text if line.words else line.text, settings)
            if key and key not in fields:
                current = key
                fields[key] = []
                # Tight text joins the label to its value (`実施者名（法人番号）川口商工会議所（法人番号`).
                tail = _after_label(line.words[0].text, settings) if line.words else ""
                rest = " ".join([tail] * bool(tail) + [w.text for w in line.words[1:]])
                if rest:
                    fields[key].append(Line(rest, line.bbox, line.page))
            elif current:
                fields[current].append(line)
        if "period" in fields and "implementer" in fields:
            return Overview({k: OverviewField(k, "\n".join(l.text for l in v), page.number,
                                              v[0].bbox if v else None) for k, v in fields.items()})
    return Overview()


@dataclass(frozen=True)
class Entity:
    name: str
    number: str | None  # the 13- or 6-digit id as written (checked later)


def implementer_entities(text: str, settings: PlanSettings = DEFAULT) -> list[Entity]:
    """Chamber and municipalities of the 実施者名 cell, each with the id written after it.

    The cell wraps freely, so lines are joined and split again after each id; an id
    wrapped in the middle (`３０００００５００` / `９８７６）`) is joined back first.
    """
    joined = clean_label(re.sub(r"(?<=\d)[ \t]*\n\s*(?=\d)", "", unicodedata.normalize("NFKC", text)))
    entities: list[Entity] = []
    pos = 0
    for m in re.finditer(r"\d{6,13}\s*[)）]?", collapse_spaced_digits(joined)):
        chunk = collapse_spaced_digits(joined)[pos:m.end()]
        pos = m.end()
        name = compiled(settings.name_end).split(chunk, maxsplit=1)[0].strip(" 、,")
        if name:
            entities.append(Entity(name, digit_runs(m.group())[0]))
    rest = collapse_spaced_digits(joined)[pos:].strip()
    for piece in re.split(r"[\s、,・･]+|(?<=[)）])", rest):   # `A商工会・B商工会（共同申請）C町`: one each
        name = compiled(settings.name_end).split(piece, maxsplit=1)[0].strip(" 、,")
        if name:
            entities.append(Entity(name, None))
    return entities


def read_plan(overview: Overview, settings: PlanSettings = DEFAULT
              ) -> tuple[Plan, list[PlanMunicipality], list[Finding], list[PlanChamber]]:
    findings: list[Finding] = []
    implementer = overview.get("implementer")
    entities = implementer_entities(implementer.text, settings) if implementer else []
    # Every implementing chamber, in printed order (a joint plan, 共同申請, names several).
    # An implementer with a 13-digit 法人番号 is a corporation (a chamber), never a municipality,
    # even when its name lacks the chamber word (a name cut or spelt otherwise).
    chamber_entities = [e for e in entities if any(w in e.name for w in settings.chamber_words)
                        or (e.number is not None and len(e.number) == 13 and valid_corporate_number(e.number))]
    page = implementer.page if implementer else None
    location = f"page {page}" if page else None
    chambers: list[PlanChamber] = []
    for entity in chamber_entities:
        corporate = None
        if entity.number:
            corporate = find_corporate_number(entity.number) or entity.number
            if not valid_corporate_number(corporate):
                findings.append(Finding(severity="error", code="invalid_corporate_number",
                                        message=f"法人番号 {corporate} of {entity.name} fails its check digit",
                                        location=location))
        chambers.append(PlanChamber(chamber=entity.name, corporate_number=corporate, page=page))
    chamber = chamber_entities[0] if chamber_entities else None
    corporate = chambers[0].corporate_number if chambers else None
    municipalities = []
    for entity in entities:
        if entity in chamber_entities:
            continue
        code = entity.number
        if code is not None:
            code = (find_local_gov_codes(f"地方公共団体コード {code}") or [code])[0]
            if not valid_local_gov_code(code):
                findings.append(Finding(severity="error", code="invalid_local_gov_code",
                                        message=f"地方公共団体コード {code} of {entity.name} fails its check digit",
                                        location=location))
        municipalities.append(PlanMunicipality(name=entity.name, local_gov_code=code, page=page))
    period = overview.get("period")
    start_end = parse_period(period.text) if period else None
    goals = overview.get("goals")
    plan = Plan(
        chamber=chamber.name if chamber else None,
        chamber_corporate_number=corporate,
        period_start=start_end[0] if start_end else None,
        period_end=start_end[1] if start_end else None,
        goals="\n".join(normalize_text(l) for l in goals.text.splitlines() if l.strip()) if goals else None,
        page=page,
    )
    if period and not start_end:
        findings.append(Finding(severity="warning", code="period_unreadable",
                                message=f"実施期間 not understood: {normalize_text(period.text)!r}",
                                location=f"page {period.page}"))
    return plan, municipalities, findings, chambers
