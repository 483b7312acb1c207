"""経営発達支援計画 (business development plan): layout → Plan, budgets, contacts, partners, findings.

Stages, each reading only the PdfLayout and returning new records:

* `appendix_pages`: where each (別表N) starts and ends (page ranges);
* `read_overview`: the 概要 label/value table → implementer (chamber, its 法人番号,
  municipalities and their 地方公共団体コード), 実施期間, 目標, 連絡先 text;
* `read_budget`: the 別表3 grid → item × fiscal year in 千円 (header cells parsed
  as fiscal years, the table's declared unit converted, ditto marks resolved),
  and the 調達方法 text → funding sources;
* `read_contacts`: one Contact per organisation from the 概要 連絡先 and 別表2,
  merged by organisation;
* `read_partners`: 別表4 label/content rows → Partner records;
* `plan_findings`: budget sums, budget years vs 実施期間, check digits.

Structure is found from labels and grids (label cells, year headers, unit
captions), never from positions or a fixture's names. Each part is run on its
own (extractors.base.Parts): one failing part becomes an `extraction_error`
Finding and status `partial`, and the rest is kept.
"""
from __future__ import annotations

from extractors.base import KindSpec, Parts, register
from extractors.kinds.business_plan.budget import find_budget_table, read_budget, read_funding_sources
from extractors.kinds.business_plan.common import DEFAULT, PlanSettings, appendix_pages
from extractors.kinds.business_plan.contacts import read_contacts
from extractors.kinds.business_plan.findings import budget_findings, unread_year_tables
from extractors.kinds.business_plan.overview import Overview, read_overview, read_plan
from extractors.kinds.business_plan.partners import read_partners
from extractors.layout.model import PdfLayout
from extractors.readers.plan_sections import find_sections, section_findings, sections_from_list
from extractors.readers.target_tables import find_targets
from pipeline.normalize.text import compact_text
from pipeline.normalize.wareki import fiscal_year_of
from schemas.records import Extraction, Finding


# --- the extractor ---------------------------------------------------------------------------------------

class BusinessPlanExtractor:
    def __init__(self, settings: PlanSettings = DEFAULT):
        self.settings = settings

    def detect(self, layout: object) -> float:
        if not isinstance(layout, PdfLayout) or not layout.pages:
            return 0.0
        head = compact_text("\n".join(p.text for p in layout.pages[:2]))
        score = 0.0
        if "経営発達支援計画" in head:
            score += 0.6
        labels = (self.settings.period_labels, self.settings.implementer_labels, self.settings.contents_labels)
        found = sum(any(w in head for w in words) for words in labels)
        if found >= 2:
            score += 0.2
        if found == 3 and score < 0.6:
            # A 概要 page without its title line (a header image, or cut off): its three labels suffice.
            score += 0.4
        if 3 in appendix_pages(layout, self.settings):
            score += 0.15
        return min(score, 0.95)

    def extract(self, layout: object) -> Extraction:
        s = self.settings
        parts = Parts()
        part = parts.run
        result: dict = {}

        appendix = part("appendix", lambda: appendix_pages(layout, s)) or {}
        overview = part("overview", lambda: read_overview(layout, s)) or Overview()
        plan_parts = part("plan", lambda: read_plan(overview, s))
        plan, municipalities = (plan_parts[0], plan_parts[1]) if plan_parts else (None, [])
        chambers = plan_parts[3] if plan_parts else []
        if plan_parts:
            parts.findings += plan_parts[2]
            if plan.chamber is None and plan.period_start is None:
                parts.fail("plan", Finding(severity="error", code="overview_not_found",
                                           message="no 概要 table with 実施者 and 実施期間 labels"))
        period = (plan.period_start, plan.period_end) if plan and plan.period_start else None

        def budgets():
            table = find_budget_table(layout, appendix.get(3, []), period, s)
            if table is None:
                raise LookupError("no 別表3 table with fiscal-year columns")
            return read_budget(table, s)

        # The 概要 page published on its own: no 別表 at all, nothing more to read than the 概要.
        overview_only = bool(plan and (plan.chamber or plan.period_start)) and not appendix
        if overview_only:
            parts.findings.append(Finding(severity="info", code="overview_only",
                                          message="the document is the 概要 alone (no 別表1-3): sections from its "
                                                  "事業内容 list, no targets or budget", location="page 1"))
        result["budgets"] = [] if overview_only else part("budget", budgets) or []
        result["funding_sources"] = part("funding_sources",
                                         lambda: read_funding_sources(layout, appendix.get(3, []), s)) or []
        names = [c.chamber for c in chambers] + [m.name for m in municipalities]
        result["contacts"] = part("contacts", lambda: read_contacts(layout, overview, names,
                                                                     appendix.get(2, []), s)) or []
        result["partners"] = part("partners", lambda: read_partners(layout, appendix.get(4, []), s)) or []
        sections = part("sections", lambda: find_sections(layout)) or []
        contents = overview.get("contents")
        if overview_only and contents:   # the 概要's own list names the plan's sections
            sections = sections_from_list(contents.text, contents.page) or sections
        parts.findings += part("section_findings", lambda: section_findings(sections)) or []
        anchor = fiscal_year_of(period[0]) if period else None
        found_targets = part("targets", lambda: find_targets(layout, sections, anchor_year=anchor))
        targets = found_targets[0] if found_targets else []
        parts.findings += found_targets[1] if found_targets else []
        parts.findings += part("budget_findings", lambda: budget_findings(result["budgets"], plan)) or []
        parts.findings += part("unread_tables", lambda: unread_year_tables(
            layout, [*targets, *result["budgets"]], anchor)) or []
        if found_targets and not targets and not overview_only:
            # A plan always sets targets: none read means they were lost, not absent.
            parts.fail("targets", Finding(severity="error", code="targets_not_found",
                                          message="no 目標 table could be read in the plan body"))
        return parts.extraction(
            SPEC.kind, pages=len(layout.pages), plans=[plan] if plan else [], plan_chambers=chambers,
            plan_municipalities=municipalities, sections=sections, targets=targets, **result)


# Recognised from its opening words, so a kind recognised from a table only it prints wins a tie.
SPEC = register(KindSpec(
    kind="business_development_plan", label="business development plan", extractor=BusinessPlanExtractor(),
    tables=("plans", "plan_chambers", "plan_municipalities", "sections", "targets", "budgets", "funding_sources",
            "contacts", "partners"),
    canonical_sections=True, views=("v_plan_overview", "v_budget_by_year", "v_targets_by_indicator"),
    priority=10))
