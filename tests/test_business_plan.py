"""経営発達支援計画 extractor: plan, municipalities, budgets, funding, contacts, partners, findings."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re

import pytest

from extractors.kinds import business_plan as bp
from extractors.kinds.business_plan import budget as bp_budget, common as bp_common, contacts as bp_contacts
from extractors.kinds.business_plan import findings as bp_findings, overview as bp_overview, partners as bp_partners
from extractors.layout.pdf import PdfLayout, Table, read_pdf_layout
from schemas.records import Plan

import builders as b
from conftest import RAW, GOLD

MY_CODES = {"budget_sum_mismatch", "period_budget_years_mismatch", "invalid_corporate_number",
            "invalid_local_gov_code", "extraction_error", "overview_not_found"}


@pytest.fixture(scope="module")
def layouts() -> dict[str, PdfLayout]:
    return {name: read_pdf_layout(RAW / name) for name in ("ome_cci_2023.pdf", "rumoi_cci_2025.pdf")}


@pytest.fixture(scope="module")
def extractions(layouts):
    return {name: bp.BusinessPlanExtractor().extract(layout) for name, layout in layouts.items()}


def budget_rows(extraction):
    return sorted((b.item, b.is_total, b.fiscal_year, b.amount_thousand_yen) for b in extraction.budgets)


def gold_budget_rows(name):
    gold = json.loads((GOLD / f"{name}.json").read_text(encoding="utf-8"))
    return sorted((b["item"], b["is_total"], b["fiscal_year"], b["amount_thousand_yen"]) for b in gold["budgets"])


def contact_rows(extraction):
    return [(c.organization, c.department, c.postal_code, c.address, c.tel, c.fax, c.email)
            for c in extraction.contacts]


OME_CONTACTS = [
    ("青梅商工会議所", "中小企業相談所(地域振興部)", "198-8585", "東京都青梅市上町373番地の1",
     "0428-23-0111", "0428-23-1122", "soudan@omecci.jp"),
    ("青梅市", "経済スポーツ部 商工観光課", "198-8701", "東京都青梅市東青梅1丁目11番地の1",
     "0428-22-1111", "0428-21-0542", "div2050@city.ome.lg.jp"),
    ("奥多摩町", "観光産業課", "198-0212", "東京都西多摩郡奥多摩町氷川215番地6",
     "0428-83-2295", "0428-83-2344", "kankou@town.okutama.tokyo.jp"),
]
RUMOI_CONTACTS = [
    ("留萌商工会議所", "中小企業相談所 指導課", "077-0044", "北海道留萌市錦町1丁目1-15",
     "0164-42-2058", "0164-43-8322", "rcci@rumoi.or.jp"),
    ("留萌市", "経済観光課", "077-8601", "北海道留萌市幸町1丁目11番地",
     "0164-42-1840", "0164-42-4273", "keizai@e-rumoi.jp"),
]


def test_detect(layouts):
    for layout in layouts.values():
        assert bp.BusinessPlanExtractor().detect(layout) >= 0.8
    assert bp.BusinessPlanExtractor().detect(read_pdf_layout(RAW / "akiruno_promotion_plan_ch3.pdf")) < 0.5
    assert bp.BusinessPlanExtractor().detect("not a layout") == 0.0


def test_ome_plan(extractions):
    ex = extractions["ome_cci_2023.pdf"]
    assert ex.status == "ok" and ex.kind == "business_development_plan" and ex.pages == 16
    (plan,) = ex.plans
    assert plan.chamber == "青梅商工会議所"
    assert plan.chamber_corporate_number == "3013105001132"
    assert (plan.period_start, plan.period_end) == (dt.date(2023, 4, 1), dt.date(2026, 3, 31))
    assert plan.goals.startswith("経営発達支援事業の目標 需要を見据えた経営の促進")
    assert plan.page == 1
    assert [(m.name, m.local_gov_code) for m in ex.plan_municipalities] == [("青梅市", "132055"),
                                                                           ("奥多摩町", "133086")]


def test_rumoi_plan(extractions):
    ex = extractions["rumoi_cci_2025.pdf"]
    assert ex.status == "ok"
    (plan,) = ex.plans
    assert (plan.chamber, plan.chamber_corporate_number) == ("留萌商工会議所", "4450005003156")
    assert (plan.period_start, plan.period_end) == (dt.date(2025, 4, 1), dt.date(2030, 3, 31))
    assert "地域への裨益目標" in plan.goals
    assert [(m.name, m.local_gov_code) for m in ex.plan_municipalities] == [("留萌市", "012122")]


@pytest.mark.parametrize("name", ["ome_cci_2023.pdf", "rumoi_cci_2025.pdf"])
def test_budgets_match_the_pdf(extractions, name):
    ex = extractions[name]
    assert budget_rows(ex) == gold_budget_rows(name)
    for b in ex.budgets:  # provenance: the value cell on the 別表3 page
        assert b.page == ex.budgets[0].page and b.bbox[0] < b.bbox[2] and b.raw


def test_budget_details(extractions):
    ome = extractions["ome_cci_2023.pdf"]
    total_2026 = next(b for b in ome.budgets if b.is_total and b.fiscal_year == 2026)
    assert (total_2026.item, total_2026.amount_thousand_yen, total_2026.raw, total_2026.page) == (
        "必要な資金の額", 123330, "123,330", 15)
    assert {b.item for b in extractions["rumoi_cci_2025.pdf"].budgets} == {
        "必要な資金の額", "セミナー等開催費", "新たな需要開拓", "BIZミル利用料", "専門家派遣"}


def test_funding_sources(extractions):
    assert [f.source for f in extractions["ome_cci_2023.pdf"].funding_sources] == [
        "補助金(国・東京都・青梅市・奥多摩町)", "事業受託費(国・都・市・町等からの受託金)", "一般会計(会費等から充当)"]
    assert [f.source for f in extractions["rumoi_cci_2025.pdf"].funding_sources] == [
        "会費収入", "各種事業収入", "補助金収入(国・道・市)"]


def test_contacts(extractions):
    assert contact_rows(extractions["ome_cci_2023.pdf"]) == OME_CONTACTS
    # rumoi's 別表2 is a picture: the 概要 alone gives the contacts, without an error.
    assert contact_rows(extractions["rumoi_cci_2025.pdf"]) == RUMOI_CONTACTS


def test_appendix2_alone_gives_the_same_contacts(layouts):
    layout = layouts["ome_cci_2023.pdf"]
    appendix = bp_common.appendix_pages(layout)
    assert appendix[2] == [14] and appendix[3] == [15] and appendix[4] == [16]
    contacts = bp_contacts.read_contacts(layout, bp_overview.Overview(), ["青梅商工会議所", "青梅市", "奥多摩町"], appendix[2])
    assert [(c.organization, c.postal_code, c.address, c.tel, c.fax, c.email) for c in contacts] == [
        (o, p, a, t, f, e) for o, _, p, a, t, f, e in OME_CONTACTS]
    assert contacts[1].department == "経済スポーツ部商工観光課" and contacts[0].page == 14


def test_partners(extractions):
    (partner,) = extractions["ome_cci_2023.pdf"].partners
    assert (partner.name, partner.address, partner.representative) == (
        "青梅信用金庫", "東京都青梅市勝沼3丁目65番地", "理事長 平岡治房")
    assert "創業塾" in partner.content and "取引先" in partner.role and partner.page == 16
    assert extractions["rumoi_cci_2025.pdf"].partners == []


def test_findings(extractions):
    ome = [f for f in extractions["ome_cci_2023.pdf"].findings if f.code in MY_CODES]
    assert [f.code for f in ome] == ["period_budget_years_mismatch"]
    assert "extra [2026]" in ome[0].message and ome[0].location == "page 15"
    assert [f for f in extractions["rumoi_cci_2025.pdf"].findings if f.code in MY_CODES] == []


def test_sections_and_targets_are_included(extractions):
    ex = extractions["ome_cci_2023.pdf"]
    assert any(s.section_no == "3" for s in ex.sections)
    assert any(t.metric.endswith("公表回数") and t.fiscal_year == 2023 for t in ex.targets)


# --- robustness: the same records from other ways of writing digits and years -------------------------

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
YEAR_HEADER = re.compile(r"令和\s*(\d+)\s*年度")
FORMS = ["R{n}", "R{n}年度", "令和 {n} 年度", "{n}年度"]


def rewrite(text: str, form: str) -> str:
    return YEAR_HEADER.sub(lambda m: form.format(n=m[1]), text).translate(FULL_WIDTH)


def transform(layout: PdfLayout, fn) -> PdfLayout:
    def page(p: Page) -> Page:
        return dataclasses.replace(
            p,
            words=tuple(dataclasses.replace(w, text=fn(w.text)) for w in p.words),
            lines=tuple(dataclasses.replace(l, text=fn(l.text),
                                            words=tuple(dataclasses.replace(w, text=fn(w.text)) for w in l.words))
                        for l in p.lines),
            tables=tuple(dataclasses.replace(t, cells=tuple(dataclasses.replace(c, text=fn(c.text))
                                                            for c in t.cells)) for t in p.tables))
    return dataclasses.replace(layout, pages=tuple(page(p) for p in layout.pages))


def my_records(ex):
    return (ex.plans, ex.plan_municipalities, budget_rows(ex), [f.source for f in ex.funding_sources],
            contact_rows(ex), [(p.name, p.address, p.representative) for p in ex.partners],
            sorted(f.code for f in ex.findings if f.code in MY_CODES))


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("name", ["ome_cci_2023.pdf", "rumoi_cci_2025.pdf"])
def test_full_width_digits_and_year_forms_give_the_same_records(layouts, extractions, name, form):
    variant = transform(layouts[name], lambda t: rewrite(t, form))
    budget_page = layouts[name].pages[extractions[name].budgets[0].page - 1]
    assert any("０" in c.text for c in variant.pages[budget_page.number - 1].tables[0].cells)
    assert my_records(bp.BusinessPlanExtractor().extract(variant)) == my_records(extractions[name])


@pytest.mark.parametrize("unit, factor", [("万円", 10.0), ("円", 0.001)])
def test_budget_unit_is_converted_to_thousand_yen(layouts, extractions, unit, factor):
    name = "rumoi_cci_2025.pdf"
    variant = transform(layouts[name], lambda t: t.replace("単位 千円", f"単位：{unit}"))
    got = bp.BusinessPlanExtractor().extract(variant)
    assert [(b.item, b.fiscal_year, b.amount_thousand_yen) for b in got.budgets] == [
        (b.item, b.fiscal_year, round(b.amount_thousand_yen * factor)) for b in extractions[name].budgets]


def test_failure_in_one_part_keeps_the_rest(layouts, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(bp, "read_budget", broken)
    ex = bp.BusinessPlanExtractor().extract(layouts["ome_cci_2023.pdf"])
    assert ex.status == "partial" and "budget" in ex.error
    assert ex.budgets == [] and ex.plans[0].chamber == "青梅商工会議所" and len(ex.contacts) == 3
    assert any(f.code == "extraction_error" and "boom" in f.message for f in ex.findings)


# --- synthetic grids: spaced labels, ditto marks, sums, check digits ------------------------------------

def make_table(rows: list[list[str]], page: int = 1) -> Table:
    return b.table(rows, page=page, left=0.0, top=0.0, col_width=100.0, row_height=20.0)


def make_layout(*tables: Table) -> PdfLayout:
    return b.layout(b.page(1, tables=tables, size=(600, 800)), path="synthetic.pdf")


def test_spaced_labels_and_check_digit_findings():
    overview = make_table([
        ["実 施 者 名\n(法人番号)", "○○商工会（法人番号 ３０１３１０５００１１３３）\n△△町（地方公共団体コー\nド 132056）"],
        ["実 施 期 間", "令和 6 年 4 月 1 日 ～ 令和 11 年 3 月 31 日"],
        ["目 標", "目標の文"],
    ])
    plan, municipalities, findings, _ = bp_overview.read_plan(bp_overview.read_overview(make_layout(overview)))
    assert (plan.chamber, plan.chamber_corporate_number) == ("○○商工会", "3013105001133")
    assert (plan.period_start, plan.period_end) == (dt.date(2024, 4, 1), dt.date(2029, 3, 31))
    assert [(m.name, m.local_gov_code) for m in municipalities] == [("△△町", "132056")]
    assert sorted(f.code for f in findings) == ["invalid_corporate_number", "invalid_local_gov_code"]


def test_ditto_marks_and_sum_mismatch():
    table = make_table([
        ["", "令和6年度", "令和7年度"],
        ["必要な資金の額", "1,000", "1,100"],
        ["需要開拓支援(BtoB)", "400", "400"],
        ["〃 (BtoC)", "600", "600"],
    ])
    budget = bp_budget.find_budget_table(make_layout(table), [1])
    rows = bp_budget.read_budget(budget)
    assert [(b.item, b.fiscal_year, b.amount_thousand_yen) for b in rows if b.fiscal_year == 2024] == [
        ("必要な資金の額", 2024, 1000), ("需要開拓支援(BtoB)", 2024, 400), ("需要開拓支援(BtoC)", 2024, 600)]
    plan = Plan(period_start=dt.date(2024, 4, 1), period_end=dt.date(2027, 3, 31))
    findings = bp_findings.budget_findings(rows, plan)
    assert [f.code for f in findings] == ["budget_sum_mismatch", "period_budget_years_mismatch"]
    assert "2025" in findings[0].message and "missing [2026]" in findings[1].message


def test_bare_year_headers_take_the_era_from_the_period():
    period = (dt.date(2023, 4, 1), dt.date(2026, 3, 31))
    assert bp_budget.header_years(["", "５年度", "６年度", "7年度"], period) == {1: 2023, 2: 2024, 3: 2025}
    assert bp_budget.header_years(["", "R5", "令和 6 年度", "2025年度"]) == {1: 2023, 2: 2024, 3: 2025}


def test_empty_partner_table_gives_no_rows():
    table = make_table([["連携して事業を実施する者の氏名又は名称及び住所"], [""], ["連携して実施する事業の内容"], [""]])
    layout = make_layout(table)
    assert bp_partners.read_partners(layout, [1]) == []


def test_subtotals_and_amount_dittos():
    table = make_table([
        ["", "R6", "R7"],
        ["必要な資金の額", "1,000", "1,000"],
        ["経営発達支援事業費", "600", "同左"],
        ["・セミナー開催費", "200", "200"],
        ["・専門家派遣費", "400", "400"],
        ["管理費", "400", "〃"],
    ])
    rows = bp_budget.read_budget(bp_budget.find_budget_table(make_layout(table), [1]))
    assert [(b.item, b.fiscal_year, b.amount_thousand_yen) for b in rows if b.fiscal_year == 2025] == [
        ("必要な資金の額", 2025, 1000), ("経営発達支援事業費", 2025, 600), ("・セミナー開催費", 2025, 200),
        ("・専門家派遣費", 2025, 400), ("管理費", 2025, 400)]
    assert bp_findings.budget_findings(rows, None) == []  # the subtotal row is not counted twice


def test_budget_continued_on_next_page_and_funding_without_box():
    head = make_table([["", "R6", "R7"], ["必要な資金の額", "1,000", "1,000"], ["管理費", "400", "400"]])
    tail = make_table([["事業費", "600", "600"]], page=2)
    lines = [b.line(t, 300 + 20 * i, x0=0, page=2, x1=100, height=10)
             for i, t in enumerate(["調 達 方 法", "・会費収入", "・補助金(国・道・市)", "(備考) 想定される調達方法"])]
    layout = b.layout(b.page(1, tables=(head,), size=(600, 800)),
                      b.page(2, lines=lines, tables=(tail,), size=(600, 800)), path="synthetic.pdf")
    rows = bp_budget.read_budget(bp_budget.find_budget_table(layout, [1, 2]))
    assert [(b.item, b.amount_thousand_yen, b.page) for b in rows if b.fiscal_year == 2024] == [
        ("必要な資金の額", 1000, 1), ("管理費", 400, 1), ("事業費", 600, 2)]
    assert bp_findings.budget_findings(rows, None) == []
    assert [f.source for f in bp_budget.read_funding_sources(layout, [1, 2])] == ["会費収入", "補助金(国・道・市)"]


def test_contacts_without_known_names(layouts):
    """Organisations not named in the 概要 are still read, from the entry's own lines."""
    layout = layouts["ome_cci_2023.pdf"]
    for pages in ([], bp_common.appendix_pages(layout)[2]):
        overview = bp_overview.read_overview(layout) if not pages else bp_overview.Overview()
        contacts = bp_contacts.read_contacts(layout, overview, [], pages)
        assert [(c.organization, c.postal_code, c.tel, c.fax, c.email) for c in contacts] == [
            (o, p, t, f, e) for o, _, p, _, t, f, e in OME_CONTACTS]


def test_ids_wrapped_over_lines_are_joined():
    entities = bp_overview.implementer_entities("南山商工会議所（法人番号 ３０００００５００\n９８７６）\n"
                                       "南山市（地方公共団体コード ２２３\n４５０）")
    assert [(e.name, e.number) for e in entities] == [("南山商工会議所", "3000005009876"), ("南山市", "223450")]


def test_spaced_budget_year_headers():
    period = (dt.date(2024, 4, 1), dt.date(2029, 3, 31))
    assert bp_budget.header_years(["", "令 和 ６ 年 度", "令 和 ７ 年 度"], period) == {1: 2024, 2: 2025}


def test_joint_plan_chambers_in_printed_order_each_checked_and_none_a_municipality():
    overview = make_table([
        ["実施者名\n(法人番号)", "南森商工会（法人番号 4000005001618）、西川振興会（法人番号 3000005001619）\n"
                             "北山商工会（法人番号 1000005001618）\n南森町（地方公共団体コード 074217）"],
        ["実施期間", "令和6年4月1日～令和11年3月31日"],
    ])
    plan, municipalities, findings, chambers = bp_overview.read_plan(bp_overview.read_overview(make_layout(overview)))
    # 西川振興会 has no chamber word but a valid 13-digit 法人番号: an implementer, not a municipality.
    assert [(c.chamber, c.corporate_number) for c in chambers] == [
        ("南森商工会", "4000005001618"), ("西川振興会", "3000005001619"), ("北山商工会", "1000005001618")]
    assert plan.chamber == "南森商工会" and plan.chamber_corporate_number == "4000005001618"
    assert [m.name for m in municipalities] == ["南森町"]
    assert [(f.code, "北山商工会" in f.message) for f in findings] == [("invalid_corporate_number", True)]


def test_implementers_listed_without_numbers_are_one_entity_each():
    got = bp_overview.implementer_entities("きたかた商工会・西会津町商工会（共同申請）\n喜多方市・西会津町")
    assert [(e.name, e.number) for e in got] == [("きたかた商工会", None), ("西会津町商工会", None),
                                                 ("喜多方市", None), ("西会津町", None)]


def test_an_unruled_overview_whose_labels_are_joined_to_their_values():
    from pathlib import Path

    from extractors.layout.model import Page
    from pipeline.normalize.identifiers import corporate_check_digit, local_gov_check_digit

    number = f"{corporate_check_digit('030005001234')}030005001234"
    code = f"11203{local_gov_check_digit('11203')}"

    line = b.worded_line

    lines = (line(50, "経営発達支援計画の概要"),
             line(80, "実施者名（法人番号）川口商工会議所（法人番号", f"{number}）"),
             line(95, f"川口市（地方公共団体コード {code}）"),
             line(120, "実施期間令和7年4月1日～令和12年3月31日"))
    layout = PdfLayout(Path("x.pdf"), (Page(1, 595, 842, lines),))
    plan, municipalities, findings, chambers = bp_overview.read_plan(bp_overview.read_overview(layout))
    assert (plan.chamber, plan.chamber_corporate_number) == ("川口商工会議所", number)
    assert [(m.name, m.local_gov_code) for m in municipalities] == [("川口市", code)]
    assert plan.period_start == dt.date(2025, 4, 1) and findings == []
