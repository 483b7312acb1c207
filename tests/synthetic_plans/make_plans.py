#!/usr/bin/env python3
"""Build synthetic 経営発達支援計画 PDFs (Word → LibreOffice PDF) and their gold JSON.

Each plan is described once, as data (`PlanSpec`); the same data is rendered to
a .docx with ruled tables (python-docx), converted by `soffice --headless`, and
written as gold in the format of tests/fixtures/gold (so the gold comes from
the generator's data, never from the extractor). The layouts vary the quirks
other chambers' plans show: full-width digits, 和暦 written with spaces, spaced
and two-row header cells, ditto marks in budgets, 4- and 5-year plans, budget
units 円 / 千円 / 万円, pre-2019 Ⅰ/Ⅱ/Ⅲ parts with 平成 years, sections `8-1`,
several municipalities, 公表方法 columns, sub-rows and a table continued on the
next page.

Generator-only dependencies: python-docx and LibreOffice (`soffice`). The
outputs are committed, so the tests need neither.

    .venv/bin/python tests/synthetic_plans/make_plans.py      # rewrites *.pdf and gold/*.json
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

try:  # the renderer's dependency only: the plan data and gold() import without it (make_layouts.py)
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_BREAK
    from docx.oxml import OxmlElement  # noqa: F401
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt
except ImportError:  # pragma: no cover
    Document = None

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
from pipeline.normalize.identifiers import corporate_check_digit, local_gov_check_digit  # noqa: E402

FONT = "Noto Serif CJK JP"
FW = str.maketrans("0123456789", "０１２３４５６７８９")


# ---------------------------------------------------------------- data

@dataclass
class Row:
    label: str
    cells: list[str]                 # one raw cell per period column, as printed
    parent: str | None = None        # gold parent_metric (sub-rows)
    extra: list[str] = field(default_factory=list)  # non-period columns (公表方法 …)
    unit: str | None = None          # the row's 単位 cell, when the table has a 単位 column


@dataclass
class TargetTable:
    section_no: str                  # gold section_no
    headers: list[str]               # printed period headers (top row when split)
    periods: list                    # "baseline" or western fiscal year, per header
    rows: list[Row]
    label_header: str = "項目"
    extra_headers: list[str] = field(default_factory=list)
    split_headers: list[str] | None = None   # second header row under `headers` (a year split in two)
    group_header: str | None = None          # a merged 目標値 cell above the year columns
    filler_before: int = 0                   # paragraphs pushing the table over a page break
    unit_column: bool = False                # a 単位 column right of the labels


@dataclass
class Section:
    printed: str                     # heading as printed
    no: str                          # gold section_no
    title: str
    tables: list[TargetTable] = field(default_factory=list)
    is_part: bool = False


@dataclass
class Contact:
    organization: str
    department: str
    postal_code: str
    address: str
    tel: str
    fax: str
    email: str


@dataclass
class PlanSpec:
    file: str
    chamber: str
    corporate_base: str              # 12 digits; the check digit is prepended
    municipalities: list[tuple[str, str]]   # (name, first five digits of the code)
    period_text: str
    period: tuple[str, str]
    sections: list[Section]
    budget_headers: list[str]
    budget_years: list[int]
    budget_unit_caption: str
    budget_factor: float             # printed amount × factor = 千円
    budget_rows: list[tuple[str, str, bool, list[str]]]   # (printed item, resolved item, is_total, cells)
    funding: list[str]
    contacts: list[Contact]
    full_width: bool = False
    intro: str = "経営発達支援計画の概要"

    def corporate_number(self) -> str:
        return f"{corporate_check_digit(self.corporate_base)}{self.corporate_base}"

    def municipality_codes(self) -> list[tuple[str, str]]:
        return [(name, f"{base}{local_gov_check_digit(base)}") for name, base in self.municipalities]

    def d(self, text: str) -> str:
        """Digits as this document prints them."""
        return text.translate(FW) if self.full_width else text


# ---------------------------------------------------------------- gold

def parse_cell(raw: str) -> tuple[float | None, str | None]:
    t = re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw)).replace(",", "")
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(.*)", t)
    if not m:
        return None, None
    unit = m[2].replace("%", "%") or None
    return float(m[1]), unit


def gold(spec: PlanSpec) -> dict:
    targets = []
    for section in spec.sections:
        for table in section.tables:
            for row in table.rows:
                for period, raw in zip(table.periods, row.cells):
                    value, unit = parse_cell(raw)
                    if value is not None and unit is None:
                        unit = row.unit
                    targets.append({"section_no": table.section_no, "metric": row.label,
                                    "parent_metric": row.parent, "period": period,
                                    "value": value, "unit": unit, "raw": raw})
    budgets = []
    above: dict[int, int] = {}
    for _, item, is_total, cells in spec.budget_rows:
        left = None
        for col, (year, raw) in enumerate(zip(spec.budget_years, cells)):
            if unicodedata.normalize("NFKC", raw).strip() == "同左":
                amount = left
            elif raw.strip() == "〃":
                amount = above[col]
            else:
                amount = round(float(unicodedata.normalize("NFKC", raw).replace(",", "")) * spec.budget_factor)
            left = above[col] = amount
            budgets.append({"item": item, "is_total": is_total, "fiscal_year": year,
                            "amount_thousand_yen": amount, "raw": raw})
    return {
        "document": spec.file,
        "kind": "business_development_plan",
        "plan": {"chamber": spec.chamber, "corporate_number": spec.corporate_number(),
                 "municipalities": [{"name": n, "code": c} for n, c in spec.municipality_codes()],
                 "period_start": spec.period[0], "period_end": spec.period[1]},
        "sections": [{"no": s.no, "title": s.title} for s in spec.sections],
        "targets": targets,
        "budgets": budgets,
        "funding_sources": spec.funding,
        "contacts": [{"organization": c.organization, "department": c.department,
                      "postal_code": c.postal_code, "address": c.address, "tel": c.tel,
                      "fax": c.fax, "email": c.email} for c in spec.contacts],
    }


# ---------------------------------------------------------------- docx rendering

BODY = ("当地域の小規模事業者は、人口減少と高齢化の進行により売上の減少が続いており、経営者の高齢化に伴う"
        "事業承継の課題も深刻である。このため、当会は関係機関と連携し、伴走型の支援を継続して実施する。")


def _fonts(doc: Document) -> None:
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    section = doc.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(20)


def _para(doc, text: str, bold: bool = False):
    p = doc.add_paragraph()
    run = p.add_run(text)
    run.bold = bold
    p.paragraph_format.space_after = Pt(2)
    return p


def _page_break(doc) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _no_split_header(table) -> None:
    """Word's default: rows may break across pages; the header is not repeated (as in real plans)."""
    table.alignment = WD_TABLE_ALIGNMENT.CENTER


def _set_cell(cell, text: str) -> None:
    cell.text = ""
    lines = text.split("\n")
    p = cell.paragraphs[0]
    p.add_run(lines[0])
    for line in lines[1:]:
        cell.add_paragraph(line)


def _table(doc, rows: list[list[str]], merges: list[tuple[int, int, int, int]] = (), widths_mm=None):
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    _no_split_header(table)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            _set_cell(table.cell(r, c), text)
            if widths_mm:
                table.cell(r, c).width = Mm(widths_mm[c])
    for r0, c0, r1, c1 in merges:
        keep = rows[r0][c0]
        merged = table.cell(r0, c0).merge(table.cell(r1, c1))
        _set_cell(merged, keep)
    return table


def render_overview(doc, spec: PlanSpec) -> None:
    _para(doc, spec.intro, bold=True)
    lines = [f"{spec.chamber}（法人番号 {spec.d(spec.corporate_number())}）"]
    lines += [f"{name}（地方公共団体コード {spec.d(code)}）" for name, code in spec.municipality_codes()]
    contact_lines = []
    for c in spec.contacts:
        contact_lines += [f"{c.organization} {c.department}",
                          f"〒{spec.d(c.postal_code)} {spec.d(c.address)}",
                          f"TEL：{spec.d(c.tel)}　FAX：{spec.d(c.fax)}　E-mail：{c.email}"]
    content = "\n".join(s.printed for s in spec.sections if s.tables)
    _table(doc, [["実施者名\n（法人番号）", "\n".join(lines)],
                 ["実施期間", spec.period_text],
                 ["目標", "①小規模事業者の経営力の向上を図る。\n②地域資源を活用した販路開拓を支援する。"],
                 ["事業内容", content],
                 ["連絡先", "\n".join(contact_lines)]], widths_mm=(30, 140))


def render_target_table(doc, spec: PlanSpec, t: TargetTable) -> None:
    for _ in range(t.filler_before):
        _para(doc, BODY)
    _para(doc, "（目標）")
    unit_head = ["単位"] if t.unit_column else []
    header = [t.label_header] + unit_head + t.headers + t.extra_headers
    rows = [header]
    merges = []
    n_cols = len(header)
    label_mm = 50
    widths = [label_mm] + [(170 - label_mm) / (n_cols - 1)] * (n_cols - 1)
    if t.group_header:
        top = [t.label_header] + [t.headers[0]] + [t.group_header] * (len(t.headers) - 1) + t.extra_headers
        rows = [top, header]
        n = len(header)
        merges.append((0, 0, 1, 0))
        merges.append((0, 1, 1, 1))
        merges.append((0, 2, 0, len(t.headers)))
        for k in range(len(t.extra_headers)):
            merges.append((0, n - 1 - k, 1, n - 1 - k))
    elif t.split_headers:
        rows = [header, [t.label_header] + t.split_headers + t.extra_headers]
        n = len(header)
        merges.append((0, 0, 1, 0))
        for k in range(len(t.extra_headers)):
            merges.append((0, n - 1 - k, 1, n - 1 - k))
        for c, low in enumerate(t.split_headers):
            if not low:
                merges.append((0, 1 + c, 1, 1 + c))
    for row in t.rows:
        rows.append([row.label] + ([row.unit or ""] if t.unit_column else []) + [spec.d(x) for x in row.cells]
                    + row.extra)
    _table(doc, rows, merges, widths)
    _para(doc, "")


def render_body(doc, spec: PlanSpec) -> None:
    _page_break(doc)
    _para(doc, "（別表１）" if spec.full_width else "(別表1)")
    _para(doc, "経営発達支援計画")
    for section in spec.sections:
        _para(doc, section.printed)
        if section.is_part:
            continue
        _para(doc, BODY)
        _para(doc, BODY)
        for table in section.tables:
            render_target_table(doc, spec, table)


def render_appendices(doc, spec: PlanSpec) -> None:
    _page_break(doc)
    _para(doc, spec.d("(別表2)"))
    _para(doc, "経営発達支援事業の実施体制")
    _para(doc, "（１）実施体制（商工会又は商工会議所の全体の体制）")
    _para(doc, BODY)
    _para(doc, "（２）連絡先")
    for c in spec.contacts:
        _para(doc, f"{c.organization} {c.department}")
        _para(doc, f"〒{spec.d(c.postal_code)} {spec.d(c.address)}")
        _para(doc, f"TEL：{spec.d(c.tel)} ／ FAX：{spec.d(c.fax)}")
        _para(doc, f"E-mail：{c.email}")
    _page_break(doc)
    _para(doc, spec.d("(別表3)"))
    _para(doc, "経営発達支援事業の実施に必要な資金の額及びその調達方法")
    _para(doc, spec.budget_unit_caption)
    rows = [[""] + spec.budget_headers]
    for printed, _, _, cells in spec.budget_rows:
        rows.append([printed] + [spec.d(x) for x in cells])
    _table(doc, rows)
    _para(doc, "(備考) 必要な資金の額については、見込み額を記載すること。")
    _table(doc, [["調達方法"], ["、".join(spec.funding)]])
    _para(doc, "(備考) 調達方法については、想定される調達方法を記載すること。")


def build(spec: PlanSpec, out_dir: Path) -> Path:
    doc = Document()
    _fonts(doc)
    render_overview(doc, spec)
    render_body(doc, spec)
    render_appendices(doc, spec)
    with tempfile.TemporaryDirectory() as tmp:
        docx = Path(tmp) / (Path(spec.file).stem + ".docx")
        doc.save(docx)
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", tmp, str(docx)],
                       check=True, capture_output=True, timeout=180)
        pdf = out_dir / spec.file
        shutil.copy(Path(tmp) / (docx.stem + ".pdf"), pdf)
    return pdf


# ---------------------------------------------------------------- the plans

def _post2019_titles() -> list[tuple[str, str]]:
    return [("1", "目標"), ("2", "経営発達支援事業の実施期間、目標の達成方針"),
            ("3", "地域の経済動向調査に関すること"), ("4", "需要動向調査に関すること"),
            ("5", "経営状況の分析に関すること"), ("6", "事業計画策定支援に関すること"),
            ("7", "事業計画策定後の実施支援に関すること"), ("8", "新たな需要の開拓に寄与する事業に関すること"),
            ("9", "事業の評価及び見直しをするための仕組みに関すること"),
            ("10", "経営指導員等の資質向上等に関すること")]


def plan_pre2019() -> PlanSpec:
    """Pre-2019 form: Ⅰ/Ⅱ/Ⅲ parts, items restarting per part, 平成 years (平成34年 as printed), 5 years,
    bare `29年度` headers, 現状 baseline, 千円 budget."""
    years = ["29年度", "30年度", "31年度", "32年度", "33年度"]
    periods = ["baseline", 2017, 2018, 2019, 2020, 2021]
    t = lambda no, rows: TargetTable(no, ["現状"] + years, periods, rows)  # noqa: E731
    part1 = [("1", "地域の経済動向調査に関すること【指針③】", t("Ⅰ-1", [
                 Row("経済動向調査報告回数", ["1回", "2回", "2回", "2回", "2回", "2回"])])),
             ("2", "経営状況の分析に関すること【指針①】", t("Ⅰ-2", [
                 Row("巡回訪問件数", ["300件", "400件", "400件", "450件", "450件", "500件"]),
                 Row("経営分析件数", ["20件", "30件", "30件", "35件", "35件", "40件"])])),
             ("3", "事業計画策定支援に関すること【指針②】", t("Ⅰ-3", [
                 Row("事業計画策定セミナー開催回数", ["1回", "2回", "2回", "2回", "2回", "2回"]),
                 Row("事業計画策定事業者数", ["10社", "15社", "15社", "20社", "20社", "20社"]),
                 Row("創業計画策定件数", ["—", "3件", "3件", "3件", "4件", "4件"])])),
             ("4", "事業計画策定後の実施支援に関すること【指針②】", t("Ⅰ-4", [
                 Row("フォローアップ延べ回数", ["40回", "60回", "60回", "80回", "80回", "80回"])])),
             ("5", "需要動向調査に関すること【指針③】", t("Ⅰ-5", [
                 Row("調査対象事業者数", ["—", "5者", "5者", "5者", "5者", "5者"])])),
             ("6", "新たな需要の開拓に寄与する事業に関すること【指針④】", t("Ⅰ-6", [
                 Row("商談会出展事業者数", ["2者", "4者", "4者", "5者", "5者", "5者"]),
                 Row("成約件数／者", ["—", "1件", "1件", "1件", "2件", "2件"], parent="商談会出展事業者数")]))]
    sections = [Section("Ⅰ．経営発達支援事業の内容", "Ⅰ", "経営発達支援事業の内容", is_part=True)]
    sections += [Section(f"{n}．{title}", f"Ⅰ-{n}", title, [table]) for n, title, table in part1]
    sections += [Section("Ⅱ．地域経済の活性化に資する取組", "Ⅱ", "地域経済の活性化に資する取組", is_part=True),
                 Section("1．地域経済の活性化に資する取組に関すること", "Ⅱ-1", "地域経済の活性化に資する取組に関すること"),
                 Section("Ⅲ．経営発達支援事業の円滑な実施に向けた支援力向上のための取組", "Ⅲ",
                         "経営発達支援事業の円滑な実施に向けた支援力向上のための取組", is_part=True),
                 Section("1．他の支援機関との連携を通じた支援ノウハウ等の情報交換に関すること", "Ⅲ-1",
                         "他の支援機関との連携を通じた支援ノウハウ等の情報交換に関すること"),
                 Section("2．経営指導員等の資質向上等に関すること", "Ⅲ-2", "経営指導員等の資質向上等に関すること"),
                 Section("3．事業の評価及び見直しをするための仕組みに関すること", "Ⅲ-3",
                         "事業の評価及び見直しをするための仕組みに関すること")]
    return PlanSpec(
        file="synthetic_pre2019_cci.pdf", chamber="北浜商工会議所", corporate_base="000005001234",
        municipalities=[("北浜市", "01234")],
        period_text="平成29年4月1日～平成34年3月31日", period=("2017-04-01", "2022-03-31"),
        sections=sections,
        budget_headers=[f"平成{y}" for y in years], budget_years=[2017, 2018, 2019, 2020, 2021],
        budget_unit_caption="（単位 千円）", budget_factor=1.0,
        budget_rows=[("必要な資金の額", "必要な資金の額", True, ["5,200", "5,200", "5,400", "5,400", "5,600"]),
                     ("経済動向調査費", "経済動向調査費", False, ["400", "400", "400", "400", "400"]),
                     ("セミナー開催費", "セミナー開催費", False, ["1,800", "1,800", "2,000", "2,000", "2,200"]),
                     ("専門家派遣費", "専門家派遣費", False, ["3,000", "3,000", "3,000", "3,000", "3,000"])],
        funding=["会費収入", "県補助金", "市補助金"],
        contacts=[Contact("北浜商工会議所", "中小企業相談所", "012-3456", "北海道北浜市本町2丁目3番4号",
                          "0123-45-6789", "0123-45-6790", "info@kitahama-cci.example.jp"),
                  Contact("北浜市", "産業振興課", "012-3401", "北海道北浜市中央1丁目1番1号",
                          "0123-45-1111", "0123-45-1112", "sangyo@city.kitahama.example.jp")])


def plan_full_width() -> PlanSpec:
    """Full-width digits everywhere, spaced 和暦 (`令和 ６ 年 ４ 月 １ 日`), spaced headers
    (`令 和 ６ 年 度`, `現　行`), 公表方法 column, budget in 万円, sections `３．`."""
    years = [2024, 2025, 2026, 2027, 2028]
    headers = ["現　行"] + [f"令 和 {str(y - 2018).translate(FW)} 年 度" for y in years]
    periods = ["baseline"] + years
    tables = {
        "3": TargetTable("3", headers, periods, [
            Row("①景況調査公表回数", ["２回", "４回", "４回", "４回", "４回", "４回"], extra=["ＨＰ掲載"]),
            Row("②統計分析公表回数", ["－", "１回", "１回", "１回", "１回", "１回"], extra=["会報掲載"])],
            extra_headers=["公表方法"]),
        "5": TargetTable("5", headers, periods, [
            Row("①セミナー開催回数", ["１回", "２回", "２回", "２回", "２回", "２回"]),
            Row("②経営分析事業者数", ["１２者", "３０者", "３０者", "３２者", "３２者", "３５者"])]),
        "7": TargetTable("7", headers, periods, [
            Row("①フォローアップ対象事業者数", ["１０者", "１５者", "１５者", "１５者", "１５者", "１５者"]),
            Row("②頻度（延回数）", ["４０回", "６０回", "６０回", "６０回", "６０回", "６０回"],
                parent="①フォローアップ対象事業者数"),
            # Sales/profit counts of the followed-up businesses qualify the follow-up row (gold convention).
            Row("③売上増加事業者数", ["－", "５者", "５者", "５者", "６者", "６者"], parent="①フォローアップ対象事業者数"),
            Row("④利益率３％以上増加の事業者数", ["－", "３者", "３者", "３者", "４者", "４者"],
                parent="①フォローアップ対象事業者数")]),
        "8": TargetTable("8", headers, periods, [
            Row("①展示会出展事業者数", ["３者", "５者", "５者", "５者", "５者", "５者"]),
            Row("成約件数／者", ["－", "１件", "１件", "１件", "１件", "１件"], parent="①展示会出展事業者数"),
            Row("②ＥＣサイト利用事業者数", ["－", "４者", "４者", "４者", "４者", "４者"]),
            Row("売上増加率／者", ["－", "５％", "５％", "５％", "５％", "５％"], parent="②ＥＣサイト利用事業者数")]),
    }
    sections = [Section(f"{no.translate(FW)}．{title}", no, title, [tables[no]] if no in tables else [])
                for no, title in _post2019_titles()]
    return PlanSpec(
        file="synthetic_fullwidth_cci.pdf", chamber="南山商工会議所", corporate_base="000005009876",
        municipalities=[("南山市", "22345")],
        period_text="令和 ６ 年 ４ 月 １ 日 ～ 令和 １１ 年 ３ 月 ３１ 日", period=("2024-04-01", "2029-03-31"),
        sections=sections,
        budget_headers=[f"令 和 {str(y - 2018).translate(FW)} 年 度" for y in years], budget_years=years,
        budget_unit_caption="（単位：万円）", budget_factor=10.0,
        budget_rows=[("必要な資金の額", "必要な資金の額", True, ["８５０", "８５０", "８７０", "８７０", "９００"]),
                     ("地域経済動向調査費", "地域経済動向調査費", False, ["５０", "５０", "５０", "５０", "５０"]),
                     ("セミナー開催費", "セミナー開催費", False, ["２００", "２００", "２２０", "２２０", "２５０"]),
                     ("展示会出展支援費", "展示会出展支援費", False, ["６００", "６００", "６００", "６００", "６００"])],
        funding=["会費収入", "県補助金", "市補助金", "事業収入"],
        contacts=[Contact("南山商工会議所", "経営支援課", "420-0011", "静岡県南山市栄町3番5号",
                          "054-201-3344", "054-201-3345", "keiei@minamiyama-cci.example.jp"),
                  Contact("南山市", "商工労働課", "420-8601", "静岡県南山市追手町5番1号",
                          "054-221-1000", "054-221-1001", "shoko@city.minamiyama.example.jp")],
        full_width=True)


def plan_shokokai_4year() -> PlanSpec:
    """4-year 商工会 with two municipalities; budget in 円 with 〃 items; years split over two header
    rows; sections 8-1 / 8-2; a 目標 table continued onto the next page; sub-rows."""
    years = [2024, 2025, 2026, 2027]
    top = ["現状"] + [f"令和{y - 2018}" for y in years]
    low = [""] + ["年度"] * 4
    periods = ["baseline"] + years
    long_rows = [Row("①巡回訪問による掘り起こし件数", ["100件", "120件", "120件", "130件", "130件"]),
                 Row("②経営分析事業者数", ["15者", "20者", "20者", "22者", "22者"]),
                 Row("③事業計画策定事業者数", ["8者", "10者", "10者", "12者", "12者"]),
                 Row("・うち創業計画", ["1者", "2者", "2者", "2者", "2者"], parent="③事業計画策定事業者数"),
                 Row("・うち事業承継計画", ["—", "1者", "1者", "1者", "1者"], parent="③事業計画策定事業者数"),
                 Row("④フォローアップ対象事業者数", ["8者", "10者", "10者", "12者", "12者"]),
                 Row("⑤フォローアップ延べ回数", ["32回", "40回", "40回", "48回", "48回"]),
                 Row("⑥売上増加事業者数", ["—", "3者", "3者", "4者", "4者"], parent="⑤フォローアップ延べ回数"),
                 Row("⑦経常利益率1%以上増加事業者数", ["—", "2者", "2者", "3者", "3者"], parent="⑤フォローアップ延べ回数"),
                 Row("⑧事業計画策定セミナー開催回数", ["1回", "2回", "2回", "2回", "2回"]),
                 Row("⑨DXセミナー開催回数", ["—", "1回", "1回", "1回", "1回"]),
                 Row("⑩個別相談会開催回数", ["2回", "4回", "4回", "4回", "4回"])]
    sections = []
    for no, title in _post2019_titles():
        if no == "8":
            sections.append(Section("8．新たな需要の開拓に寄与する事業に関すること", "8",
                                    "新たな需要の開拓に寄与する事業に関すること"))
            sections.append(Section("8-1 物産展への出展支援", "8-1", "物産展への出展支援", [
                TargetTable("8-1", top, periods, [
                    Row("物産展出展事業者数", ["2者", "3者", "3者", "4者", "4者"]),
                    Row("売上額／者", ["—", "10万円", "10万円", "12万円", "12万円"], parent="物産展出展事業者数")],
                    split_headers=low)]))
            sections.append(Section("8-2 ECサイト活用支援", "8-2", "ECサイト活用支援", [
                TargetTable("8-2", top, periods, [
                    Row("ECサイト新規出店事業者数", ["—", "2者", "2者", "3者", "3者"]),
                    Row("売上増加率／者", ["—", "3%", "3%", "5%", "5%"], parent="ECサイト新規出店事業者数")],
                    split_headers=low)]))
            continue
        tables = []
        if no == "6":
            tables = [TargetTable("6", top, periods, long_rows, split_headers=low, filler_before=20,
                                  extra_headers=["支援内容"])]
            for r in long_rows:
                r.extra = ["個別相談"]
        if no == "3":
            tables = [TargetTable("3", top, periods, [
                Row("地域経済動向調査公表回数", ["1回", "1回", "1回", "1回", "1回"])], split_headers=low)]
        sections.append(Section(f"{no}．{title}", no, title, tables))
    return PlanSpec(
        file="synthetic_shokokai_4year.pdf", chamber="東谷商工会", corporate_base="000005004321",
        municipalities=[("東谷町", "09365"), ("西原村", "09366")],
        period_text="令和6年4月1日～令和10年3月31日", period=("2024-04-01", "2028-03-31"),
        sections=sections,
        budget_headers=[f"令和{y - 2018}年度" for y in years], budget_years=years,
        budget_unit_caption="（単位：円）", budget_factor=0.001,
        budget_rows=[("必要な資金の額", "必要な資金の額", True, ["3,200,000", "3,200,000", "3,400,000", "3,400,000"]),
                     ("需要開拓支援（BtoB）", "需要開拓支援(BtoB)", False, ["1,000,000", "1,000,000", "1,100,000", "1,100,000"]),
                     ("〃 （BtoC）", "需要開拓支援(BtoC)", False, ["700,000", "700,000", "800,000", "800,000"]),
                     ("専門家派遣費", "専門家派遣費", False, ["1,000,000", "1,000,000", "1,000,000", "1,000,000"]),
                     ("〃 （IT専門家）", "専門家派遣費 (IT専門家)", False, ["500,000", "500,000", "500,000", "500,000"])],
        funding=["会費収入", "町補助金", "村補助金", "県補助金"],
        contacts=[Contact("東谷商工会", "経営支援課", "321-1234", "栃木県東谷郡東谷町大字本郷123番地",
                          "0288-11-2233", "0288-11-2234", "info@higashitani-sci.example.jp"),
                  Contact("東谷町", "商工観光課", "321-1292", "栃木県東谷郡東谷町大字本郷1番地",
                          "0288-11-1111", "0288-11-1112", "shoko@town.higashitani.example.jp"),
                  Contact("西原村", "産業振興課", "321-1392", "栃木県東谷郡西原村大字中里5番地",
                          "0288-22-1111", "0288-22-1112", "sangyo@vill.nishihara.example.jp")])


def plan_mixed() -> PlanSpec:
    """商工会議所 with three municipalities; a merged 目標値 header over the years (two header rows);
    `R7` headers; `維持` cells; budget in 千円 with 同左 amounts."""
    years = [2025, 2026, 2027, 2028, 2029]
    headers = ["現状"] + [f"R{y - 2018}" for y in years]
    periods = ["baseline"] + years
    t3 = TargetTable("3", headers, periods, [
        Row("①景気動向調査の公表回数", ["4回", "4回", "4回", "4回", "4回", "4回"])], group_header="目標値")
    t6 = TargetTable("6", headers, periods, [
        Row("①事業計画策定セミナー参加者数", ["10人", "15人", "15人", "15人", "20人", "20人"]),
        Row("②事業計画策定事業者数", ["12者", "18者", "18者", "20者", "20者", "22者"])], group_header="目標値")
    t8 = TargetTable("8", headers, periods, [
        Row("①商談会参加事業者数", ["4者", "6者", "6者", "6者", "8者", "8者"]),
        Row("成約件数／者", ["—", "2件", "2件", "2件", "2件", "2件"], parent="①商談会参加事業者数"),
        Row("②物産展売上額", ["30万円", "50万円", "50万円", "50万円", "60万円", "60万円"]),
        Row("③SNS活用事業者数", ["維持", "5者", "5者", "5者", "5者", "5者"])], group_header="目標値")
    tables = {"3": t3, "6": t6, "8": t8}
    sections = [Section(f"{no}．{title}", no, title, [tables[no]] if no in tables else [])
                for no, title in _post2019_titles()]
    return PlanSpec(
        file="synthetic_mixed_cci.pdf", chamber="中川商工会議所", corporate_base="000005007777",
        municipalities=[("中川市", "43201"), ("上野町", "43202"), ("下野町", "43203")],
        period_text="令和7年4月1日〜令和12年3月31日", period=("2025-04-01", "2030-03-31"),
        sections=sections,
        budget_headers=[f"R{y - 2018}年度" for y in years], budget_years=years,
        budget_unit_caption="（単位 千円）", budget_factor=1.0,
        budget_rows=[("必要な資金の額", "必要な資金の額", True, ["12,500", "同左", "同左", "13,000", "同左"]),
                     ("地域経済動向調査費", "地域経済動向調査費", False, ["500", "同左", "同左", "500", "同左"]),
                     ("事業計画策定支援費", "事業計画策定支援費", False, ["4,000", "同左", "同左", "4,200", "同左"]),
                     ("需要開拓支援費", "需要開拓支援費", False, ["8,000", "同左", "同左", "8,300", "同左"])],
        funding=["会費収入", "県補助金", "市補助金(中川市・上野町・下野町)"],
        contacts=[Contact("中川商工会議所", "中小企業相談所", "860-0001", "熊本県中川市本町10番1号",
                          "096-300-1234", "096-300-1235", "soudan@nakagawa-cci.example.jp"),
                  Contact("中川市", "商工振興課", "860-8601", "熊本県中川市手取本町1番1号",
                          "096-328-2000", "096-328-2001", "shinko@city.nakagawa.example.jp")])


def plan_pre2019_shokokai() -> PlanSpec:
    """Pre-2019 商工会 whose period crosses the era change (平成30年度 … 令和元年度 … 令和4年度), a
    `実施期間` written with spaces and full-width digits, a 単位 column with bare numbers, no budget
    unit caption (千円 by default) and 〃 amounts repeating the row above."""
    headers = ["現状", "平成30年度", "令和元年度", "令和2年度", "令和3年度", "令和4年度"]
    periods = ["baseline", 2018, 2019, 2020, 2021, 2022]
    t = lambda no, rows: TargetTable(no, headers, periods, rows, unit_column=True)  # noqa: E731
    part1 = [("1", "地域の経済動向調査に関すること", t("Ⅰ-1", [
                 Row("調査結果の公表", ["1", "2", "2", "2", "2", "2"], unit="回")])),
             ("2", "経営状況の分析に関すること", t("Ⅰ-2", [
                 Row("経営分析件数", ["8", "12", "12", "15", "15", "15"], unit="件")])),
             ("3", "事業計画策定支援に関すること", t("Ⅰ-3", [
                 Row("事業計画策定件数", ["5", "8", "8", "10", "10", "10"], unit="件"),
                 Row("・うち創業", ["0", "1", "1", "1", "1", "1"], unit="件", parent="事業計画策定件数")])),
             ("4", "事業計画策定後の実施支援に関すること", t("Ⅰ-4", [
                 Row("フォローアップ回数", ["20", "32", "32", "40", "40", "40"], unit="回")])),
             ("5", "需要動向調査に関すること", t("Ⅰ-5", [
                 Row("需要動向調査件数", ["-", "3", "3", "3", "3", "3"], unit="件")])),
             ("6", "新たな需要の開拓に寄与する事業に関すること", t("Ⅰ-6", [
                 Row("商談会出展事業者数", ["1", "2", "2", "3", "3", "3"], unit="者")]))]
    sections = [Section("Ⅰ．経営発達支援事業の内容", "Ⅰ", "経営発達支援事業の内容", is_part=True)]
    sections += [Section(f"{n}．{title}", f"Ⅰ-{n}", title, [table]) for n, title, table in part1]
    sections += [Section("Ⅱ．地域経済の活性化に資する取組", "Ⅱ", "地域経済の活性化に資する取組", is_part=True),
                 Section("1．地域経済の活性化に資する取組に関すること", "Ⅱ-1", "地域経済の活性化に資する取組に関すること"),
                 Section("Ⅲ．経営発達支援事業の円滑な実施に向けた支援力向上のための取組", "Ⅲ",
                         "経営発達支援事業の円滑な実施に向けた支援力向上のための取組", is_part=True),
                 Section("1．他の支援機関との連携を通じた支援ノウハウ等の情報交換に関すること", "Ⅲ-1",
                         "他の支援機関との連携を通じた支援ノウハウ等の情報交換に関すること"),
                 Section("2．経営指導員等の資質向上等に関すること", "Ⅲ-2", "経営指導員等の資質向上等に関すること"),
                 Section("3．事業の評価及び見直しをするための仕組みに関すること", "Ⅲ-3",
                         "事業の評価及び見直しをするための仕組みに関すること")]
    return PlanSpec(
        file="synthetic_pre2019_shokokai.pdf", chamber="西浦商工会", corporate_base="000005005555",
        municipalities=[("西浦町", "34567")],
        period_text="平成 ３０ 年 ４ 月 １ 日 ～ 令和 ５ 年 ３ 月 ３１ 日", period=("2018-04-01", "2023-03-31"),
        sections=sections,
        budget_headers=["平成30年度", "令和元年度", "令和2年度", "令和3年度", "令和4年度"],
        budget_years=[2018, 2019, 2020, 2021, 2022],
        budget_unit_caption="", budget_factor=1.0,
        budget_rows=[("必要な資金の額", "必要な資金の額", True, ["3,000", "3,000", "3,000", "3,200", "3,200"]),
                     ("調査研究費", "調査研究費", False, ["500", "500", "500", "500", "500"]),
                     ("専門家謝金", "専門家謝金", False, ["500", "500", "500", "500", "500"]),
                     ("セミナー開催費", "セミナー開催費", False, ["〃", "〃", "〃", "〃", "〃"]),
                     ("販路開拓支援費", "販路開拓支援費", False, ["1,500", "1,500", "1,500", "1,700", "1,700"])],
        funding=["会費", "国補助金", "県補助金", "町補助金"],
        contacts=[Contact("西浦商工会", "経営支援課", "700-1234", "岡山県西浦郡西浦町西浦100番地",
                          "0866-11-1234", "0866-11-1235", "nishiura@shokokai.example.jp"),
                  Contact("西浦町", "産業観光課", "700-1292", "岡山県西浦郡西浦町西浦1番地",
                          "0866-11-0001", "0866-11-0002", "sangyo@town.nishiura.example.jp")])


PLANS = [plan_pre2019, plan_full_width, plan_shokokai_4year, plan_mixed, plan_pre2019_shokokai]


def main() -> None:
    gold_dir = HERE / "gold"
    gold_dir.mkdir(exist_ok=True)
    for make in PLANS:
        spec = make()
        pdf = build(spec, HERE)
        (gold_dir / f"{spec.file}.json").write_text(
            json.dumps(gold(spec), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"{pdf.name}: {pdf.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
