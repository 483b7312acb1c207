#!/usr/bin/env python3
"""Build 経営発達支援計画 PDFs in the layouts other producers print (HTML → headless Chromium), and their gold.

tests/synthetic_plans/make_plans.py prints every plan one way (python-docx → LibreOffice, fully
ruled tables). This generator describes plans with the same data classes (`PlanSpec`, so the
gold comes from the same `gold()` and never from the extractor) and prints them as HTML through
headless Chromium, whose PDFs differ from LibreOffice's: borders are filled rectangles, and the
layout options below reproduce what real plans of other chambers show:

* `tight`        no cell padding: text of neighbouring cells only a border apart, so the PDF
                 reader joins it into one word (`現行R7年度R8年度`, `実施者名（法人番号）長谷…`);
* `targets`      "grid" (every border), "hrules" (top, header and bottom rules only, no vertical
                 line), "framed" (a frame and a rule under every row, no column rule) or
                 "transposed" (fiscal years down the first column, one metric per column);
* `vertical_labels`  the 概要's label cells written vertically (縦書き);
* `lookalikes`   the text layer carries CJK Radicals Supplement / Kangxi code points (⻑ ⻘ ⽀ ⽬ ⽉)
                 and dashes as U+0336 overlays, as many real text layers do; the gold has the
                 characters they stand for;
* `joint`        a joint plan (共同申請) of two 商工会, each with its 法人番号;
* `separate`     HTML's default table borders (`border-collapse: separate`, 2px spacing): every
                 cell framed on its own, so each border is two rulings;
* `overview_only`  the 概要 page published on its own (sections from its 事業内容 list).

Three plans of tests/synthetic_plans are printed here too (the same data through a second
producer): split year headers with horizontal rules only, a wrapped 単位 header in framed
tables, and full-width digits with years as rows and look-alike code points.

A second producer rewrites two of them the way Word-style exports write text: one text object
per character (`word_*.pdf`, `per_character`, with pymupdf and its built-in CJK font), with the
same drawings and gold.

Generator-only dependencies: Debian `chromium` and `fonts-noto-cjk` (`make layout-deps`). The PDFs and gold are
committed, so the tests need neither; running this rewrites them byte-for-byte modulo the
PDF's creation date.

    .venv/bin/python tests/synthetic_layouts/make_layouts.py
"""
from __future__ import annotations

import dataclasses
import html
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "synthetic_plans"))
from make_plans import (BODY, FW, Contact, PlanSpec, Row, Section, TargetTable,  # noqa: E402
                        _post2019_titles, gold, plan_full_width, plan_pre2019_shokokai, plan_shokokai_4year)

sys.path.insert(0, str(HERE.parents[1]))
from pipeline.normalize.identifiers import corporate_check_digit  # noqa: E402

sys.path.insert(0, str(HERE.parent))
from html_pdf import print_html  # noqa: E402

# Look-alike code points of a text layer → the ideograph they print as (gold keeps the ideograph).
LOOKALIKES = {"長": "\u2ed1", "青": "\u2ed8", "西": "\u2ec4", "食": "\u2edd",   # CJK Radicals Supplement
              "支": "\u2f40", "目": "\u2f6c", "月": "\u2f49", "日": "\u2f47", "見": "\u2f92"}  # Kangxi
DASHES = "—－-"
OVERLAY_DASH = "\u0336"


@dataclass
class Layout:
    spec: PlanSpec
    tight: bool = False
    targets: str = "grid"             # grid | hrules | transposed
    vertical_labels: bool = False
    lookalikes: bool = False
    joint: list[tuple[str, str]] = field(default_factory=list)   # further chambers: (name, 12-digit base)
    overview_only: bool = False
    separate: bool = False


def joint_number(base: str) -> str:
    return f"{corporate_check_digit(base)}{base}"


# ---------------------------------------------------------------- gold

def layout_gold(lay: Layout) -> dict:
    g = gold(lay.spec)
    if lay.joint:
        g["plan"]["chambers"] = ([{"chamber": lay.spec.chamber, "corporate_number": lay.spec.corporate_number()}]
                                 + [{"chamber": n, "corporate_number": joint_number(b)} for n, b in lay.joint])
    if lay.overview_only:
        for key in ("targets", "budgets", "funding_sources"):
            g.pop(key, None)
    return g


# ---------------------------------------------------------------- HTML

CSS = """
@page { size: A4; margin: 18mm 18mm; }
body { font-family: "Noto Serif CJK JP", "IPAMincho", serif; font-size: 10pt; line-height: 1.45; }
p { margin: 0 0 3pt 0; }
table { border-collapse: collapse; margin: 4pt 0 8pt 0; }
td { border: 0.75pt solid #000; padding: 2pt 5pt; vertical-align: top; }
table.separate { border-collapse: separate; border-spacing: 2px; }
table.tight td { padding: 0; white-space: nowrap; }
table.tight td.wrap { white-space: normal; }
table.hrules { border-top: 1.2pt solid #000; border-bottom: 1.2pt solid #000; }
table.hrules td { border: none; padding: 2pt 8pt; }
table.hrules tr.head td { border-bottom: 0.75pt solid #000; }
table.framed { border: 1.2pt solid #000; }
table.framed td { border: none; border-bottom: 0.5pt solid #000; padding: 2pt 8pt; }
td.vlabel { writing-mode: vertical-rl; text-orientation: upright; width: 18pt; padding: 4pt 2pt; }
td.label { width: 1%; white-space: nowrap; }
.pb { break-before: page; }
"""


class Printer:
    """Text as this layout's text layer carries it (full-width digits, look-alike code points)."""

    def __init__(self, lay: Layout):
        self.lay = lay

    def t(self, text: str, digits: bool = False) -> str:
        if digits:
            text = self.lay.spec.d(text)
        if self.lay.lookalikes:
            text = "".join(LOOKALIKES.get(ch, ch) for ch in text)
        return html.escape(text).replace("\n", "<br>")

    def cell(self, text: str, digits: bool = False) -> str:
        if self.lay.lookalikes and text in DASHES:
            return OVERLAY_DASH
        return self.t(text, digits)


def _table(rows: list[list[str]], cls: str = "", head_rows: int = 0, label_class: str = "") -> str:
    out = [f'<table class="{cls}">']
    for r, row in enumerate(rows):
        out.append('<tr class="head">' if r < head_rows else "<tr>")
        for c, text in enumerate(row):
            klass = label_class if c == 0 and label_class else ""
            out.append(f'<td class="{klass}">{text}</td>' if klass else f"<td>{text}</td>")
        out.append("</tr>")
    out.append("</table>")
    return "".join(out)


def render_overview(lay: Layout, p: Printer) -> str:
    spec = lay.spec
    lines = [f"{spec.chamber}（法人番号 {spec.d(spec.corporate_number())}）"]
    lines += [f"{name}（法人番号 {spec.d(joint_number(base))}）" for name, base in lay.joint]
    lines += [f"{name}（地方公共団体コード {spec.d(code)}）" for name, code in spec.municipality_codes()]
    contact_lines = []
    for c in spec.contacts:
        contact_lines += [f"{c.organization} {c.department}",
                          f"〒{spec.d(c.postal_code)} {spec.d(c.address)}",
                          f"TEL：{spec.d(c.tel)}　FAX：{spec.d(c.fax)}　E-mail：{c.email}"]
    listed = spec.sections if lay.overview_only else [s for s in spec.sections if s.tables]
    content = "\n".join(s.printed for s in listed)
    labels = ["実施者名\n（法人番号）", "実施期間", "目標", "事業内容", "連絡先"]
    if lay.vertical_labels:
        labels = ["実施者名", "実施期間", "目標", "事業内容", "連絡先"]
    values = ["\n".join(lines), spec.period_text,
              "①小規模事業者の経営力の向上を図る。\n②地域資源を活用した販路開拓を支援する。", content,
              "\n".join(contact_lines)]
    rows = [[p.t(label), p.t(value)] for label, value in zip(labels, values)]
    cls = "tight" if lay.tight else ""
    body = "".join(
        "<tr>" + (f'<td class="vlabel">{a}</td>' if lay.vertical_labels else f'<td class="label">{a}</td>')
        + f'<td class="wrap">{b}</td></tr>' for a, b in rows)
    return f"<p>{p.t(spec.intro)}</p><table class=\"{cls}\" style=\"width:100%\">{body}</table>"


def render_target_table(lay: Layout, p: Printer, t: TargetTable) -> str:
    spec = lay.spec
    out = "".join(f"<p>{p.t(BODY)}</p>" for _ in range(t.filler_before)) + f"<p>{p.t('（目標）')}</p>"
    if lay.targets == "transposed":
        rows = [[p.t("年度")] + [p.t(r.label) for r in t.rows]]
        for h, col in zip(t.headers, range(len(t.headers))):
            rows.append([p.t(h)] + [p.cell(r.cells[col], True) for r in t.rows])
        return out + _table(rows, "tight" if lay.tight else "", 1)
    unit = ["単位"] if t.unit_column else []
    cls = lay.targets if lay.targets in ("hrules", "framed") else ("tight" if lay.tight else "")
    body = [[p.t(r.label)] + ([p.t(r.unit or "")] if t.unit_column else []) + [p.cell(x, True) for x in r.cells]
            + [p.t(x) for x in r.extra] for r in t.rows]
    if not (t.split_headers or t.group_header):
        return out + _table([[p.t(h) for h in [t.label_header] + unit + t.headers + t.extra_headers]] + body, cls, 1)
    # Two header rows: a year split in two (`令和6` / `年度`) or a merged 目標値 over the years.
    td = lambda text, rs=1, cs=1: f'<td rowspan="{rs}" colspan="{cs}">{p.t(text)}</td>'  # noqa: E731
    top = [td(t.label_header, 2)] + [td(u, 2) for u in unit]
    low = []
    if t.group_header:
        top += [td(t.headers[0], 2), td(t.group_header, 1, len(t.headers) - 1)]
        low += [td(h) for h in t.headers[1:]]
    else:
        for h, part in zip(t.headers, t.split_headers):
            top.append(td(h, 1 if part else 2))
            low += [td(part)] if part else []
    top += [td(x, 2) for x in t.extra_headers]
    rows = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in body)
    return (out + f'<table class="{cls}"><tr class="head">{"".join(top)}</tr><tr class="head">{"".join(low)}</tr>'
            f"{rows}</table>")


def render_body(lay: Layout, p: Printer) -> str:
    spec = lay.spec
    out = ['<div class="pb"></div>', f"<p>{p.t('(別表1)')}</p>", f"<p>{p.t('経営発達支援計画')}</p>"]
    for section in spec.sections:
        out.append(f"<p>{p.t(section.printed)}</p>")
        if section.is_part:
            continue
        out += [f"<p>{p.t(BODY)}</p>", f"<p>{p.t(BODY)}</p>"]
        out += [render_target_table(lay, p, t) for t in section.tables]
    return "".join(out)


def render_appendices(lay: Layout, p: Printer) -> str:
    spec = lay.spec
    out = ['<div class="pb"></div>', f"<p>{p.t('(別表2)', True)}</p>", f"<p>{p.t('経営発達支援事業の実施体制')}</p>",
           f"<p>{p.t('（１）実施体制（商工会又は商工会議所の全体の体制）')}</p>", f"<p>{p.t(BODY)}</p>",
           f"<p>{p.t('（２）連絡先')}</p>"]
    for c in spec.contacts:
        out += [f"<p>{p.t(f'{c.organization} {c.department}')}</p>",
                f"<p>{p.t(f'〒{c.postal_code} {c.address}', True)}</p>",
                f"<p>{p.t(f'TEL：{c.tel} ／ FAX：{c.fax}', True)}</p>", f"<p>{p.t(f'E-mail：{c.email}')}</p>"]
    out += ['<div class="pb"></div>', f"<p>{p.t('(別表3)', True)}</p>",
            f"<p>{p.t('経営発達支援事業の実施に必要な資金の額及びその調達方法')}</p>",
            f"<p>{p.t(spec.budget_unit_caption)}</p>"]
    rows = [[""] + [p.t(h) for h in spec.budget_headers]]
    rows += [[p.t(printed)] + [p.t(x, True) for x in cells] for printed, _, _, cells in spec.budget_rows]
    out.append(_table(rows, "tight" if lay.tight else ""))
    out.append(f"<p>{p.t('(備考) 必要な資金の額については、見込み額を記載すること。')}</p>")
    out.append(_table([[p.t("調達方法")], [p.t("、".join(spec.funding))]], "", 0))
    out.append(f"<p>{p.t('(備考) 調達方法については、想定される調達方法を記載すること。')}</p>")
    return "".join(out)


def render(lay: Layout) -> str:
    p = Printer(lay)
    parts = [render_overview(lay, p)]
    if not lay.overview_only:
        parts += [render_body(lay, p), render_appendices(lay, p)]
    if lay.separate:
        parts = [part.replace('<table class="', '<table class="separate ') for part in parts]
    return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{html.escape(lay.spec.file)}'
            f"</title><style>{CSS}</style></head><body>{''.join(parts)}</body></html>")


def build(lay: Layout, out_dir: Path) -> Path:
    return print_html(render(lay), out_dir / lay.spec.file)


# ---------------------------------------------------------------- the plans

def _contacts(org: str, slug: str, town: str, pref: str, tel: str) -> list[Contact]:
    return [Contact(org, "経営支援課", "123-0001", f"{pref}{town}本町1丁目2番3号", f"{tel}-11-2233", f"{tel}-11-2234",
                    f"info@{slug}.example.jp")]


def _years_table(no: str, headers: list[str], periods: list, rows: list[Row], **kw) -> TargetTable:
    return TargetTable(no, headers, periods, rows, **kw)


def plan_tight() -> Layout:
    """Tight cells everywhere, and a text layer with radical / Kangxi code points and U+0336 dashes."""
    years = [2025, 2026, 2027, 2028, 2029]
    headers = ["現行"] + [f"R{y - 2018}年度" for y in years]
    periods = ["baseline"] + years
    tables = {
        "3": _years_table("3", headers, periods, [
            Row("①景況調査の公表回数", ["2回", "4回", "4回", "4回", "4回", "4回"])]),
        "5": _years_table("5", headers, periods, [
            Row("①経営分析事業者数", ["30者", "40者", "40者", "45者", "45者", "50者"]),
            Row("②支援セミナー開催回数", ["1回", "2回", "2回", "2回", "2回", "2回"])]),
        "8": _years_table("8", headers, periods, [
            Row("①商談会出展事業者数", ["3者", "5者", "5者", "5者", "6者", "6者"]),
            Row("成約件数／者", ["—", "1件", "1件", "1件", "2件", "2件"], parent="①商談会出展事業者数"),
            Row("②食の物産展売上額", ["20万円", "30万円", "30万円", "35万円", "35万円", "40万円"])]),
    }
    sections = [Section(f"{no}．{title}", no, title, [tables[no]] if no in tables else [])
                for no, title in _post2019_titles()]
    spec = PlanSpec(
        file="html_tight_cci.pdf", chamber="長谷商工会議所", corporate_base="000005003141",
        municipalities=[("長谷市", "27101")],
        period_text="令和7年4月1日～令和12年3月31日", period=("2025-04-01", "2030-03-31"),
        sections=sections,
        budget_headers=[f"R{y - 2018}年度" for y in years], budget_years=years,
        budget_unit_caption="（単位 千円）", budget_factor=1.0,
        budget_rows=[("必要な資金の額", "必要な資金の額", True, ["6,300", "6,300", "6,500", "6,500", "6,800"]),
                     ("経営支援事業費", "経営支援事業費", False, ["3,300", "3,300", "3,400", "3,400", "3,500"]),
                     ("販路開拓支援費", "販路開拓支援費", False, ["3,000", "3,000", "3,100", "3,100", "3,300"])],
        funding=["会費収入", "県補助金", "市補助金"],
        contacts=[Contact("長谷商工会議所", "中小企業相談所", "530-0001", "大阪府長谷市青葉町2丁目3番4号",
                          "06-6201-3344", "06-6201-3345", "soudan@hase-cci.example.jp"),
                  Contact("長谷市", "商工振興課", "530-8201", "大阪府長谷市西本町1番1号",
                          "06-6208-1000", "06-6208-1001", "shoko@city.hase.example.jp")])
    return Layout(spec, tight=True, lookalikes=True)


def plan_hrules() -> Layout:
    """目標 tables ruled with horizontal lines only; the 概要's labels written vertically."""
    years = [2024, 2025, 2026, 2027, 2028]
    headers = ["現状"] + [f"令和{y - 2018}年度" for y in years]
    periods = ["baseline"] + years
    tables = {
        "3": _years_table("3", headers, periods, [
            Row("①地域経済動向調査の公表回数", ["1回", "1回", "1回", "1回", "1回", "1回"]),
            Row("②需要動向調査の対象事業者数", ["—", "5者", "5者", "5者", "5者", "5者"])]),
        "6": _years_table("6", headers, periods, [
            Row("①事業計画策定事業者数", ["10者", "12者", "12者", "14者", "14者", "15者"]),
            Row("②創業計画策定事業者数", ["1者", "2者", "2者", "2者", "3者", "3者"]),
            Row("③事業承継計画策定事業者数", ["—", "1者", "1者", "2者", "2者", "2者"])]),
        "8": _years_table("8", headers, periods, [
            Row("①展示会出展事業者数", ["2者", "4者", "4者", "4者", "5者", "5者"]),
            Row("売上額／者", ["—", "10万円", "10万円", "12万円", "12万円", "15万円"], parent="①展示会出展事業者数")]),
    }
    sections = [Section(f"{no}．{title}", no, title, [tables[no]] if no in tables else [])
                for no, title in _post2019_titles()]
    spec = PlanSpec(
        file="html_hrules_shokokai.pdf", chamber="北野商工会", corporate_base="000005002718",
        municipalities=[("北野町", "03301")],
        period_text="令和6年4月1日～令和11年3月31日", period=("2024-04-01", "2029-03-31"),
        sections=sections,
        budget_headers=[f"令和{y - 2018}年度" for y in years], budget_years=years,
        budget_unit_caption="（単位：千円）", budget_factor=1.0,
        budget_rows=[("必要な資金の額", "必要な資金の額", True, ["2,400", "2,400", "2,500", "2,500", "2,600"]),
                     ("調査事業費", "調査事業費", False, ["400", "400", "400", "400", "400"]),
                     ("計画策定支援費", "計画策定支援費", False, ["1,000", "1,000", "1,100", "1,100", "1,200"]),
                     ("展示会出展支援費", "展示会出展支援費", False, ["1,000", "1,000", "1,000", "1,000", "1,000"])],
        funding=["会費収入", "町補助金", "県補助金"],
        contacts=[Contact("北野商工会", "経営支援課", "028-1101", "岩手県北野郡北野町中央5番地",
                          "0193-11-2233", "0193-11-2234", "info@kitano-sci.example.jp"),
                  Contact("北野町", "産業振興課", "028-1192", "岩手県北野郡北野町中央1番地",
                          "0193-11-1111", "0193-11-1112", "sangyo@town.kitano.example.jp")])
    return Layout(spec, targets="hrules", vertical_labels=True)


def plan_framed() -> Layout:
    """The horizontal-rules plan's data with its 目標 tables framed, a rule under every row, no column rule."""
    lay = plan_hrules()
    spec = dataclasses.replace(lay.spec, file="html_framed_shokokai.pdf")
    return Layout(spec, targets="framed")


def plan_transposed() -> Layout:
    """目標 tables with fiscal years down the first column and one metric per column."""
    years = [2025, 2026, 2027, 2028, 2029]
    headers = ["現行"] + [f"令和{y - 2018}年度" for y in years]
    periods = ["baseline"] + years
    tables = {
        "3": _years_table("3", headers, periods, [
            Row("景況調査公表回数", ["2回", "4回", "4回", "4回", "4回", "4回"]),
            Row("統計分析公表回数", ["—", "1回", "1回", "1回", "1回", "1回"])]),
        "5": _years_table("5", headers, periods, [
            Row("セミナー開催回数", ["1回", "2回", "2回", "2回", "2回", "2回"]),
            Row("経営分析事業者数", ["12者", "30者", "30者", "32者", "32者", "35者"]),
            Row("個別相談会開催回数", ["2回", "4回", "4回", "4回", "4回", "4回"])]),
        "7": _years_table("7", headers, periods, [
            Row("フォローアップ対象事業者数", ["10者", "15者", "15者", "15者", "15者", "15者"]),
            Row("延べ巡回回数", ["40回", "60回", "60回", "60回", "60回", "60回"])]),
    }
    sections = [Section(f"{no}．{title}", no, title, [tables[no]] if no in tables else [])
                for no, title in _post2019_titles()]
    spec = PlanSpec(
        file="html_transposed_cci.pdf", chamber="東浜商工会議所", corporate_base="000005006021",
        municipalities=[("東浜市", "14131")],
        period_text="令和7年4月1日～令和12年3月31日", period=("2025-04-01", "2030-03-31"),
        sections=sections,
        budget_headers=[f"令和{y - 2018}年度" for y in years], budget_years=years,
        budget_unit_caption="（単位 千円）", budget_factor=1.0,
        budget_rows=[("必要な資金の額", "必要な資金の額", True, ["9,000", "9,000", "9,200", "9,200", "9,500"]),
                     ("地域経済動向調査費", "地域経済動向調査費", False, ["1,000", "1,000", "1,000", "1,000", "1,000"]),
                     ("経営分析支援費", "経営分析支援費", False, ["3,000", "3,000", "3,200", "3,200", "3,500"]),
                     ("フォローアップ支援費", "フォローアップ支援費", False, ["5,000", "5,000", "5,000", "5,000", "5,000"])],
        funding=["会費収入", "国補助金", "市補助金"],
        contacts=[Contact("東浜商工会議所", "経営支援課", "210-0001", "神奈川県東浜市港町4番1号",
                          "044-211-3344", "044-211-3345", "keiei@higashihama-cci.example.jp"),
                  Contact("東浜市", "経済振興課", "210-8577", "神奈川県東浜市宮本町1番地",
                          "044-200-2000", "044-200-2001", "keizai@city.higashihama.example.jp")])
    return Layout(spec, targets="transposed")


def plan_joint() -> Layout:
    """A joint plan (共同申請) of two 商工会, each with its 法人番号, and their two towns."""
    years = [2024, 2025, 2026, 2027, 2028]
    headers = ["現行"] + [f"R{y - 2018}" for y in years]
    periods = ["baseline"] + years
    tables = {
        "4": _years_table("4", headers, periods, [
            Row("①需要動向調査対象事業者数", ["—", "6者", "6者", "6者", "6者", "6者"])]),
        "6": _years_table("6", headers, periods, [
            Row("①事業計画策定事業者数", ["14者", "20者", "20者", "22者", "22者", "24者"]),
            Row("②フォローアップ延べ回数", ["40回", "60回", "60回", "66回", "66回", "72回"])]),
    }
    sections = [Section(f"{no}．{title}", no, title, [tables[no]] if no in tables else [])
                for no, title in _post2019_titles()]
    spec = PlanSpec(
        file="html_joint_shokokai.pdf", chamber="南森商工会", corporate_base="000005001618",
        municipalities=[("南森町", "07421"), ("西川町", "07422")],
        period_text="令和6年4月1日～令和11年3月31日", period=("2024-04-01", "2029-03-31"),
        sections=sections,
        budget_headers=[f"R{y - 2018}年度" for y in years], budget_years=years,
        budget_unit_caption="（単位 千円）", budget_factor=1.0,
        budget_rows=[("必要な資金の額", "必要な資金の額", True, ["4,000", "4,000", "4,200", "4,200", "4,400"]),
                     ("需要動向調査費", "需要動向調査費", False, ["1,000", "1,000", "1,000", "1,000", "1,000"]),
                     ("事業計画策定支援費", "事業計画策定支援費", False, ["3,000", "3,000", "3,200", "3,200", "3,400"])],
        funding=["会費収入", "町補助金", "県補助金"],
        contacts=[Contact("南森商工会", "経営支援課", "969-3511", "福島県耶麻郡南森町中央1番地",
                          "0241-11-2233", "0241-11-2234", "info@minamimori-sci.example.jp"),
                  Contact("西川町商工会", "経営支援課", "969-4401", "福島県耶麻郡西川町野沢2番地",
                          "0241-45-2233", "0241-45-2234", "info@nishikawa-sci.example.jp"),
                  Contact("南森町", "商工観光課", "969-3592", "福島県耶麻郡南森町中央3番地",
                          "0241-11-1111", "0241-11-1112", "shoko@town.minamimori.example.jp")])
    return Layout(spec, joint=[("西川町商工会", "000005001619")], separate=True)


def plan_overview_only() -> Layout:
    """The 概要 page on its own: no 別表1-3; sections listed in its 事業内容 cell."""
    titles = _post2019_titles()[2:]
    sections = [Section(f"{no}．{title}", no, title) for no, title in titles]
    spec = PlanSpec(
        file="html_overview_only_cci.pdf", chamber="西岡商工会議所", corporate_base="000005004040",
        municipalities=[("西岡市", "38205")],
        period_text="令和7年4月1日～令和12年3月31日", period=("2025-04-01", "2030-03-31"),
        sections=sections, budget_headers=[], budget_years=[], budget_unit_caption="", budget_factor=1.0,
        budget_rows=[], funding=[],
        contacts=[Contact("西岡商工会議所", "中小企業相談所", "790-0001", "愛媛県西岡市一番町3番地",
                          "089-941-1111", "089-941-1112", "soudan@nishioka-cci.example.jp"),
                  Contact("西岡市", "産業政策課", "790-8571", "愛媛県西岡市二番町4番地",
                          "089-948-6000", "089-948-6001", "sangyo@city.nishioka.example.jp")])
    return Layout(spec, overview_only=True)


def _libreoffice_plan(make, file: str, **layout) -> Layout:
    """A plan of tests/synthetic_plans (printed there by LibreOffice) printed here by Chromium."""
    return Layout(dataclasses.replace(make(), file=file), **layout)


def plan_4year_hrules() -> Layout:
    """The 4-year 商工会: years split over two header rows (`令和6` / `年度`), a 支援内容 column,
    sub-rows and a table continued over a page, with horizontal rules only."""
    return _libreoffice_plan(plan_shokokai_4year, "html_4year_shokokai.pdf", targets="hrules")


def plan_pre2019_framed() -> Layout:
    """The pre-2019 商工会 (平成→令和元年度, a 単位 column wrapped as `単` / `位`), framed tables."""
    return _libreoffice_plan(plan_pre2019_shokokai, "html_pre2019_shokokai.pdf", targets="framed")


def plan_fullwidth_transposed() -> Layout:
    """Full-width digits and spaced 和暦, years as rows, look-alike code points (dashes as U+0336)."""
    return _libreoffice_plan(plan_full_width, "html_fullwidth_cci.pdf", targets="transposed", lookalikes=True)


LAYOUTS = [plan_tight, plan_hrules, plan_framed, plan_transposed, plan_joint, plan_overview_only,
           plan_4year_hrules, plan_pre2019_framed, plan_fullwidth_transposed]
PER_CHARACTER = ["html_transposed_cci.pdf", "html_joint_shokokai.pdf"]


def per_character(src: Path, out: Path) -> Path:
    """The PDF with the same drawings and every character drawn by a text object of its own.

    Each text line is set again from its first character's origin with the built-in font's
    advances (so no gap opens between characters), one BT … ET per character.
    """
    import pymupdf

    font = pymupdf.Font("japan")
    source, target = pymupdf.open(src), pymupdf.open()
    for page in source:
        new = target.new_page(width=page.rect.width, height=page.rect.height)
        shape = new.new_shape()
        for drawing in page.get_drawings():
            for item in drawing["items"]:
                if item[0] == "l":
                    shape.draw_line(item[1], item[2])
                elif item[0] == "re":
                    shape.draw_rect(item[1])
                elif item[0] == "qu":
                    shape.draw_quad(item[1])
            shape.finish(color=drawing.get("color"), fill=drawing.get("fill"), width=drawing.get("width") or 0)
        shape.commit()
        for block in page.get_text("rawdict")["blocks"]:
            for line in block.get("lines", ()):
                for span in line["spans"]:
                    if not span["chars"]:
                        continue
                    x, y = span["chars"][0]["origin"]
                    for ch in span["chars"]:
                        if ch["c"].strip():
                            new.insert_text((x, y), ch["c"], fontsize=span["size"], fontname="japan")
                        x += font.text_length(ch["c"], span["size"])
    target.set_metadata({"producer": "per-character rewrite of a Chromium PDF"})
    target.save(out, garbage=3, deflate=True)
    return out


def main(names: list[str]) -> None:
    gold_dir = HERE / "gold"
    gold_dir.mkdir(exist_ok=True)
    for make in LAYOUTS:
        lay = make()
        if names and lay.spec.file not in names:
            continue
        pdf = build(lay, HERE)
        g = layout_gold(lay)
        (gold_dir / f"{lay.spec.file}.json").write_text(json.dumps(g, ensure_ascii=False, indent=1) + "\n",
                                                        encoding="utf-8")
        print(f"{pdf.name}: {pdf.stat().st_size // 1024} KB")
        if lay.spec.file in PER_CHARACTER:
            word = per_character(pdf, HERE / f"word_{lay.spec.file}")
            (gold_dir / f"{word.name}.json").write_text(
                json.dumps({**g, "document": word.name}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            print(f"{word.name}: {word.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main(sys.argv[1:])
