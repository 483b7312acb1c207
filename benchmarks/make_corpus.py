#!/usr/bin/env python3
"""A national-scale corpus for `make bench`: distinct plans, progress sheets, promotion plans, gold.

    .venv/bin/python benchmarks/make_corpus.py OUT [--plans 2200] [--progress 300]
                                                    [--promotion 100] [--gold-sample 40] [--seed 1]

Deterministic (seeded): the same flags write the same bytes. Each 経営発達支援計画 is
its own document, drawn from the generator's data and written straight to PDF with
pymupdf (its built-in Japanese font, `fontname="japan"`, not embedded: no LibreOffice,
~20 ms a plan): a 商工会議所 or 商工会 (a few joint plans of two 商工会), a 法人番号
and 地方公共団体コード with valid check digits, a 3-, 4- or 5-year period in the
post-2019 form (sections 1–10, 令和 headers) or the pre-2019 form (parts Ⅰ/Ⅱ/Ⅲ,
平成 years), ruled 目標 tables and the 別表3 budget, and prose assembled from
phrase banks with the place names, so no two plans share their text. Progress sheets
come from tests/synthetic_progress (its xlsx layouts and the cp932 CSV, values seeded
per sheet); promotion plans are the dev fixture with distinct bytes (their text
repeats: say so when quoting figures).

Gold (format of tests/fixtures/gold) is written for the first --gold-sample plans and
sheets into OUT/gold, from the generator's data, never from the extractor.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from pipeline.normalize.identifiers import corporate_check_digit, local_gov_check_digit  # noqa: E402

FONT = "japan"
FW = str.maketrans("0123456789", "０１２３４５６７８９")
PAGE_W, PAGE_H = 595.0, 842.0
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 56.0, 60.0, 60.0
SIZE = 10.5
LEADING = 15.5


# --- data ---------------------------------------------------------------------------

@dataclass
class Row:
    label: str
    cells: list[str]
    parent: str | None = None


@dataclass
class Table:
    section_no: str
    headers: list[str]
    periods: list  # "baseline" or a western fiscal year, per header
    rows: list[Row]


@dataclass
class Section:
    printed: str
    no: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
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
class Plan:
    file: str
    chambers: list[tuple[str, str]]  # (name, 法人番号)
    municipalities: list[tuple[str, str]]  # (name, 地方公共団体コード)
    period_text: str
    period: tuple[str, str]
    goals: list[str]
    sections: list[Section]
    budget_headers: list[str]
    budget_years: list[int]
    budget_rows: list[tuple[str, bool, list[str]]]  # (item, is_total, cells in 千円)
    funding: list[str]
    contacts: list[Contact]


# --- names, numbers, prose ------------------------------------------------------------

PREFECTURES = [("北海道", "01"), ("青森県", "02"), ("岩手県", "03"), ("宮城県", "04"), ("秋田県", "05"),
               ("山形県", "06"), ("福島県", "07"), ("茨城県", "08"), ("栃木県", "09"), ("群馬県", "10"),
               ("埼玉県", "11"), ("千葉県", "12"), ("東京都", "13"), ("神奈川県", "14"), ("新潟県", "15"),
               ("富山県", "16"), ("石川県", "17"), ("福井県", "18"), ("山梨県", "19"), ("長野県", "20"),
               ("岐阜県", "21"), ("静岡県", "22"), ("愛知県", "23"), ("三重県", "24"), ("滋賀県", "25"),
               ("京都府", "26"), ("大阪府", "27"), ("兵庫県", "28"), ("奈良県", "29"), ("和歌山県", "30"),
               ("鳥取県", "31"), ("島根県", "32"), ("岡山県", "33"), ("広島県", "34"), ("山口県", "35"),
               ("徳島県", "36"), ("香川県", "37"), ("愛媛県", "38"), ("高知県", "39"), ("福岡県", "40"),
               ("佐賀県", "41"), ("長崎県", "42"), ("熊本県", "43"), ("大分県", "44"), ("宮崎県", "45"),
               ("鹿児島県", "46"), ("沖縄県", "47")]
HEADS = "青赤白黒金銀東西南北上下中大小高若松竹梅桜桃柳杉森林川沢池浜岡原野田山谷石岩"
TAILS = "川田野山原沢浜岡島崎瀬里宮坂井谷森木塚倉橋"

OPENERS = ["当地域の小規模事業者は", "{place}の商工業者は", "管内の事業者の多くは", "{place}の商店街は",
           "地域の製造業者は", "{place}の観光関連事業者は", "当会の会員事業所は", "{place}の飲食店や小売店は"]
SITUATIONS = ["人口減少と高齢化の進行により売上の減少が続いており", "後継者の不在による廃業が増えており",
              "原材料価格の高騰で収益が圧迫されており", "大型店やネット通販との競争が厳しさを増しており",
              "デジタル化への対応が遅れており", "観光客の回復に十分に対応できておらず",
              "人手不足が深刻化しており", "{crop}など地域資源の活用が進んでおらず"]
PROBLEMS = ["事業承継の課題も深刻である", "新たな販路の開拓が急務となっている", "経営計画を持たない事業者が多い",
            "価格転嫁が進まない状況にある", "創業者への支援体制の強化が求められている",
            "地域経済の縮小に歯止めがかかっていない"]
ACTIONS = ["当会は{partner}と連携し、伴走型の支援を継続して実施する", "巡回訪問と窓口相談により経営課題を把握する",
           "専門家派遣を活用して事業計画の策定を支援する", "セミナーと個別相談会を年{n}回開催する",
           "{crop}を活かした商品開発と販路開拓を支援する", "ＩＴ導入の相談窓口を設けて生産性の向上を図る",
           "景況調査の結果をホームページと会報で公表する", "展示会や商談会への出展を後押しする"]
CROPS = ["りんご", "茶", "米", "日本酒", "木材", "海産物", "牛乳", "みかん", "陶器", "和紙", "そば", "温泉"]
PARTNERS = ["{place}", "地域の金融機関", "よろず支援拠点", "県の産業支援機関", "近隣の商工会", "税理士会"]

POST2019 = [("1", "目標"), ("2", "経営発達支援事業の実施期間、目標の達成方針"),
            ("3", "地域の経済動向調査に関すること"), ("4", "需要動向調査に関すること"),
            ("5", "経営状況の分析に関すること"), ("6", "事業計画策定支援に関すること"),
            ("7", "事業計画策定後の実施支援に関すること"), ("8", "新たな需要の開拓に寄与する事業に関すること"),
            ("9", "事業の評価及び見直しをするための仕組みに関すること"),
            ("10", "経営指導員等の資質向上等に関すること")]
METRICS = {
    "3": [("景気動向調査の公表回数", "回", 4), ("地域経済動向分析の公表回数", "回", 1)],
    "4": [("需要動向調査対象事業者数", "者", 5), ("調査対象商品数", "品", 10)],
    "5": [("経営分析事業者数", "者", 30), ("セミナー開催回数", "回", 2)],
    "6": [("事業計画策定事業者数", "者", 20), ("事業計画策定セミナー参加者数", "人", 15), ("創業計画策定件数", "件", 3)],
    "7": [("フォローアップ対象事業者数", "者", 15), ("売上増加事業者数", "者", 5), ("利益率向上事業者数", "者", 3)],
    "8": [("商談会参加事業者数", "者", 6), ("ＥＣサイト利用事業者数", "者", 4), ("物産展売上額", "万円", 50)],
}
PRE2019_PART1 = [("地域の経済動向調査に関すること", "3"), ("経営状況の分析に関すること", "5"),
                 ("事業計画策定支援に関すること", "6"), ("事業計画策定後の実施支援に関すること", "7"),
                 ("需要動向調査に関すること", "4"), ("新たな需要の開拓に寄与する事業に関すること", "8")]
BUDGET_ITEMS = ["地域経済動向調査費", "経営分析費", "セミナー開催費", "専門家派遣費", "展示会出展支援費",
                "需要動向調査費", "広報費", "職員研修費"]
FUNDING = ["会費収入", "国補助金", "県補助金", "市補助金", "町補助金", "事業収入", "手数料収入"]


def place_name(rng: random.Random) -> str:
    return rng.choice(HEADS) + rng.choice(TAILS)


FIGURES = ["相談件数は{n}件", "会員数は{n}者", "巡回訪問は延べ{n}回", "創業相談は{n}件", "参加者は{n}人"]


def prose(rng: random.Random, ctx: dict, sentences: int) -> str:
    """Sentences from the phrase banks, each with the place and a figure of its own, so that
    no sentence recurs across plans (a worker's per-sentence caches must not flatter the bench)."""
    out = []
    for _ in range(sentences):
        figure = rng.choice(FIGURES).format(n=rng.randint(3, 999))
        text = (f"{rng.choice(OPENERS)}、{rng.choice(SITUATIONS)}、{rng.choice(PROBLEMS)}。"
                f"令和{rng.randint(2, 6)}年度の{figure}であり、{ctx['place']}では{rng.choice(ACTIONS)}。")
        out.append(text.format(place=ctx["place"], crop=rng.choice(CROPS), n=rng.randint(2, 12),
                               partner=rng.choice(PARTNERS).format(place=ctx["place"])))
    return "".join(out)


def corporate_number(rng: random.Random) -> str:
    base = f"{rng.randint(0, 10**12 - 1):012d}"
    return f"{corporate_check_digit(base)}{base}"


def local_gov_code(pref: str, rng: random.Random, used: set) -> str:
    while True:
        base = f"{pref}{rng.randint(201, 599):03d}"
        if base not in used:
            used.add(base)
            return f"{base}{local_gov_check_digit(base)}"


# --- the plan as data -----------------------------------------------------------------

def make_plan(index: int, rng: random.Random, used_codes: set) -> Plan:
    pref, pref_code = rng.choice(PREFECTURES)
    place = place_name(rng) + f"{index:04d}"[:0]  # names may repeat; file names and numbers never do
    is_cci = rng.random() < 0.24  # 515 会議所 : 1,667 商工会
    joint = not is_cci and rng.random() < 0.04
    municipality = place + ("市" if is_cci else rng.choice("町村"))
    ctx = {"place": municipality}
    chambers = [(f"{place}商工会議所" if is_cci else f"{municipality}商工会", corporate_number(rng))]
    municipalities = [(municipality, local_gov_code(pref_code, rng, used_codes))]
    if joint:
        other = place_name(rng) + rng.choice("町村")
        chambers.append((f"{other}商工会", corporate_number(rng)))
        municipalities.append((other, local_gov_code(pref_code, rng, used_codes)))
    pre2019 = rng.random() < 0.2
    years_n = rng.choice((3, 4, 5, 5, 5))
    first = rng.randint(2014, 2018) if pre2019 else rng.randint(2019, 2025)
    years = list(range(first, first + years_n))
    end = first + years_n
    if pre2019:
        period_text = f"平成{first - 1988}年4月1日～平成{end - 1988}年3月31日"
        headers = ["現状"] + [f"{y - 1988}年度" for y in years]
        budget_headers = [f"平成{y - 1988}年度" for y in years]
    else:
        era = lambda y: (f"令和{y - 2018 if y > 2019 else '元'}" if y >= 2019  # noqa: E731
                         else f"平成{y - 1988}")
        # 令和 began on 1 May 2019: a plan from April 2019 starts on 平成31年4月1日
        start_text = "平成31" if first == 2019 else era(first)
        period_text = f"{start_text}年4月1日～{era(end)}年3月31日"
        headers = ["現状"] + [f"R{y - 2018}" for y in years]
        budget_headers = [f"{era(y)}年度" for y in years]
    periods = ["baseline"] + years

    def table(no: str, key: str) -> Table:
        rows = []
        for k, (metric, unit, base) in enumerate(rng.sample(METRICS[key], rng.randint(1, len(METRICS[key])))):
            label = f"{'①②③④'[k]}{metric}"
            now = base + rng.randint(-base // 2, base // 2) if rng.random() < 0.85 else None
            cells = ["－" if now is None else f"{now}{unit}"]
            value = max(1, base + rng.randint(0, max(1, base // 3)))
            for _ in years:
                cells.append(f"{value}{unit}")
                value += rng.choice((0, 0, 1, max(1, base // 5)))
            rows.append(Row(label, cells))
        return Table(no, headers, periods, rows)

    sections: list[Section] = []
    if pre2019:
        sections.append(Section("Ⅰ．経営発達支援事業の内容", "Ⅰ", "経営発達支援事業の内容", is_part=True))
        for n, (title, key) in enumerate(PRE2019_PART1, start=1):
            sections.append(Section(f"{n}．{title}", f"Ⅰ-{n}", title,
                                    [prose(rng, ctx, rng.randint(2, 4)) for _ in range(rng.randint(9, 18))],
                                    [table(f"Ⅰ-{n}", key)]))
        for part, title, items in [("Ⅱ", "地域経済の活性化に資する取組", ["地域経済の活性化に資する取組に関すること"]),
                                   ("Ⅲ", "経営発達支援事業の円滑な実施に向けた支援力向上のための取組",
                                    ["他の支援機関との連携を通じた支援ノウハウ等の情報交換に関すること",
                                     "経営指導員等の資質向上等に関すること",
                                     "事業の評価及び見直しをするための仕組みに関すること"])]:
            sections.append(Section(f"{part}．{title}", part, title, is_part=True))
            for n, item in enumerate(items, start=1):
                sections.append(Section(f"{n}．{item}", f"{part}-{n}", item,
                                        [prose(rng, ctx, rng.randint(2, 4)) for _ in range(rng.randint(3, 6))]))
    else:
        for no, title in POST2019:
            tables = [table(no, no)] if no in METRICS else []
            sections.append(Section(f"{no}．{title}", no, title,
                                    [prose(rng, ctx, rng.randint(2, 4)) for _ in range(rng.randint(9, 18))], tables))
    items = rng.sample(BUDGET_ITEMS, rng.randint(3, 6))
    amounts = [[rng.randint(2, 40) * 100 for _ in years] for _ in items]
    totals = [sum(col) for col in zip(*amounts)]
    budget_rows = [("必要な資金の額", True, [f"{v:,}" for v in totals])]
    budget_rows += [(item, False, [f"{v:,}" for v in row]) for item, row in zip(items, amounts)]
    tel = f"0{rng.randint(10, 99)}-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"
    postal = f"{rng.randint(100, 999)}-{rng.randint(0, 9999):04d}"
    slug = f"c{index:04d}"
    contacts = [Contact(chambers[0][0], rng.choice(["中小企業相談所", "経営支援課", "事務局"]), postal,
                        f"{pref}{municipality}本町{rng.randint(1, 9)}丁目{rng.randint(1, 30)}番{rng.randint(1, 20)}号",
                        tel, tel[:-1] + str((int(tel[-1]) + 1) % 10), f"info@{slug}.example.jp"),
                Contact(municipality, rng.choice(["商工観光課", "産業振興課", "商工労働課"]),
                        f"{postal[:4]}{rng.randint(8500, 8699)}",
                        f"{pref}{municipality}中央{rng.randint(1, 5)}丁目{rng.randint(1, 20)}番{rng.randint(1, 9)}号",
                        tel[:-4] + "1111", tel[:-4] + "1112", f"shoko@city-{slug}.example.jp")]
    kind = "cci" if is_cci else ("joint" if joint else "shokokai")
    return Plan(
        file=f"plan_{index:04d}_{kind}_{'pre2019' if pre2019 else 'r'}{years_n}y.pdf",
        chambers=chambers, municipalities=municipalities, period_text=period_text,
        period=(f"{first}-04-01", f"{end}-03-31"),
        goals=[f"①{municipality}の小規模事業者の経営力の向上を図る。", f"②{rng.choice(CROPS)}など地域資源を活用した販路開拓を支援する。"],
        sections=sections, budget_headers=budget_headers, budget_years=years, budget_rows=budget_rows,
        funding=rng.sample(FUNDING, rng.randint(2, 4)), contacts=contacts)


# --- gold ------------------------------------------------------------------------------

def parse_cell(raw: str) -> tuple[float | None, str | None]:
    t = re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw)).replace(",", "")
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(.*)", t)
    return (float(m[1]), m[2] or None) if m else (None, None)


def gold(plan: Plan) -> dict:
    targets = [{"section_no": t.section_no, "metric": row.label, "parent_metric": row.parent, "period": period,
                "value": parse_cell(raw)[0], "unit": parse_cell(raw)[1], "raw": raw}
               for s in plan.sections for t in s.tables for row in t.rows
               for period, raw in zip(t.periods, row.cells)]
    budgets = [{"item": item, "is_total": is_total, "fiscal_year": year,
                "amount_thousand_yen": int(raw.replace(",", "")), "raw": raw}
               for item, is_total, cells in plan.budget_rows for year, raw in zip(plan.budget_years, cells)]
    out = {
        "document": plan.file, "kind": "business_development_plan",
        "plan": {"chamber": plan.chambers[0][0], "corporate_number": plan.chambers[0][1],
                 "municipalities": [{"name": n, "code": c} for n, c in plan.municipalities],
                 "period_start": plan.period[0], "period_end": plan.period[1]},
        "sections": [{"no": s.no, "title": s.title} for s in plan.sections],
        "targets": targets, "budgets": budgets, "funding_sources": plan.funding,
        "contacts": [vars(c) for c in plan.contacts],
    }
    if len(plan.chambers) > 1:
        out["plan"]["chambers"] = [{"chamber": n, "corporate_number": c} for n, c in plan.chambers]
    return out


# --- PDF rendering ------------------------------------------------------------------------

class Writer:
    """A flowing page writer: paragraphs wrap at the margin, ruled tables, page breaks.

    Writes each page's content stream itself (text in the built-in font's UTF-16
    encoding, rulings as `re` rectangles): pymupdf's insert_text costs ~1 ms a call,
    which would make the national corpus take most of an hour. Every glyph of the
    font is one em wide, so wrapping counts characters.
    """

    def __init__(self):
        self.doc = pymupdf.open()
        self.pages: list[list[str]] = []
        self.y = 0.0
        self.new_page()

    def new_page(self) -> None:
        self.pages.append([])
        self.y = MARGIN_TOP

    @staticmethod
    def wrap(text: str, width: float, size: float = SIZE) -> list[str]:
        per_line = max(1, int(width // size) - 1)  # an em short of the edge, as a word processor leaves
        lines = []
        for part in text.split("\n"):
            lines += [part[i:i + per_line] for i in range(0, len(part), per_line)] or [""]
        return lines

    def text(self, x: float, y: float, line: str, size: float = SIZE) -> None:
        if line:
            code = line.encode("utf-16-be").hex()
            self.pages[-1].append(f"BT /japan {size:g} Tf 1 0 0 1 {x:.2f} {PAGE_H - y:.2f} Tm <{code}> Tj ET")

    def para(self, text: str, indent: float = 0.0) -> None:
        for line in self.wrap(text, PAGE_W - 2 * MARGIN_X - indent):
            if self.y + LEADING > PAGE_H - MARGIN_BOTTOM:
                self.new_page()
            self.text(MARGIN_X + indent, self.y + SIZE, line)
            self.y += LEADING

    def table(self, rows: list[list[str]], widths: list[float], size: float = 9.5) -> None:
        pad, leading = 3.0, size + 3.5
        wrapped = [[self.wrap(cell, w - 2 * pad, size) for cell, w in zip(row, widths)] for row in rows]
        heights = [max(len(c) for c in row) * leading + 2 * pad for row in wrapped]
        if self.y + sum(heights) > PAGE_H - MARGIN_BOTTOM:  # tables stay on one page
            self.new_page()
        ops = self.pages[-1]
        ops.append("0.6 w 0 G")
        for row, height in zip(wrapped, heights):
            x = MARGIN_X
            for lines, w in zip(row, widths):
                ops.append(f"{x:.2f} {PAGE_H - self.y - height:.2f} {w:.2f} {height:.2f} re S")
                for k, line in enumerate(lines):
                    self.text(x + pad, self.y + pad + size + k * leading, line, size)
                x += w
            self.y += height
        self.y += LEADING / 2

    def tobytes(self) -> bytes:
        font = None
        for ops in self.pages:
            page = self.doc.new_page(width=PAGE_W, height=PAGE_H)
            if font is None:
                font = page.insert_font(fontname=FONT)
            else:  # the font object once per file, not once per page (18 ms each)
                self.doc.xref_set_key(page.xref, "Resources", f"<</Font <</{FONT} {font} 0 R>>>>")
            xref = self.doc.get_new_xref()
            self.doc.update_object(xref, "<<>>")
            self.doc.update_stream(xref, ("q\n" + "\n".join(ops) + "\nQ\n").encode())
            page.set_contents(xref)
        return self.doc.tobytes(garbage=1, deflate=True, no_new_id=True)


def render(plan: Plan) -> bytes:
    w = Writer()
    w.para("経営発達支援計画の概要")
    implementer = [f"{name}（法人番号 {number}）" for name, number in plan.chambers]
    implementer += [f"{name}（地方公共団体コード {code}）" for name, code in plan.municipalities]
    contact_lines = []
    for c in plan.contacts:
        contact_lines += [f"{c.organization} {c.department}", f"〒{c.postal_code} {c.address}",
                          f"TEL：{c.tel}　FAX：{c.fax}　E-mail：{c.email}"]
    content = "\n".join(s.printed for s in plan.sections if s.tables)
    w.table([["実施者名\n（法人番号）", "\n".join(implementer)], ["実施期間", plan.period_text],
             ["目標", "\n".join(plan.goals)], ["事業内容", content], ["連絡先", "\n".join(contact_lines)]],
            [85, PAGE_W - 2 * MARGIN_X - 85])
    w.new_page()
    w.para("(別表1)")
    w.para("経営発達支援計画")
    for section in plan.sections:
        w.para(section.printed)
        for paragraph in section.paragraphs:
            w.para(paragraph, indent=SIZE)
        for t in section.tables:
            w.para("（目標）")
            label_w = 120
            rest = (PAGE_W - 2 * MARGIN_X - label_w) / len(t.headers)
            w.table([["項目"] + t.headers] + [[r.label] + r.cells for r in t.rows],
                    [label_w] + [rest] * len(t.headers), size=8.5)
    w.new_page()
    w.para("(別表2)")
    w.para("経営発達支援事業の実施体制")
    w.para("（１）実施体制（商工会又は商工会議所の全体の体制）")
    w.para(plan.sections[0].paragraphs[0] if plan.sections[0].paragraphs else "")
    w.para("（２）連絡先")
    for c in plan.contacts:
        for line in (f"{c.organization} {c.department}", f"〒{c.postal_code} {c.address}",
                     f"TEL：{c.tel} ／ FAX：{c.fax}", f"E-mail：{c.email}"):
            w.para(line)
    w.new_page()
    w.para("(別表3)")
    w.para("経営発達支援事業の実施に必要な資金の額及びその調達方法")
    w.para("（単位 千円）")
    label_w = 100
    rest = (PAGE_W - 2 * MARGIN_X - label_w) / len(plan.budget_headers)
    w.table([[""] + plan.budget_headers] + [[item] + cells for item, _, cells in plan.budget_rows],
            [label_w] + [rest] * len(plan.budget_headers))
    w.para("(備考) 必要な資金の額については、見込み額を記載すること。")
    w.table([["調達方法"], ["、".join(plan.funding)]], [PAGE_W - 2 * MARGIN_X])
    w.para("(備考) 調達方法については、想定される調達方法を記載すること。")
    return w.tobytes()


# --- progress sheets and promotion plans -----------------------------------------------------

def progress_sheets(out: Path, n: int, seed: int, gold_dir: Path | None, gold_n: int) -> list[Path]:
    sys.path.insert(0, str(ROOT / "tests" / "synthetic_progress"))
    import make_progress as mp

    layouts = [("xlsx", mp.ditto_no_merges, lambda: mp.Doc("a", (2022, 2023, 2024, 2025), None, None, mp.TILDE)),
               ("xlsx", mp.combined_five_years, lambda: mp.Doc("b", (2023, 2024, 2025), 2022, 2026, mp.TILDE)),
               ("xlsx", mp.fullwidth_legend, lambda: mp.Doc("d", (2023, 2024, 2025), 2021, 2026, mp.IJOU)),
               ("csv", None, lambda: mp.Doc("c", (2023, 2024, 2025), None, 2026, mp.TILDE))]
    written = []
    for i in range(n):
        suffix, writer, blank = layouts[i % len(layouts)]
        doc = mp.make_values(blank(), seed * 100_003 + i)
        path = out / f"progress_{i:04d}.{suffix}"
        if writer is None:
            mp.cp932_csv(doc, path)
        else:
            workbook = writer(doc)
            workbook.properties.created = __import__("datetime").datetime(2025, 4, 1)  # same bytes each run
            workbook.properties.modified = workbook.properties.created
            workbook.save(path)
        written.append(path)
        if gold_dir is not None and i < gold_n:
            (gold_dir / f"{path.name}.json").write_text(
                json.dumps(mp.gold_of(doc, path.name), ensure_ascii=False, indent=1), encoding="utf-8")
    return written


def promotion_plans(out: Path, n: int) -> list[Path]:
    source = pymupdf.open(ROOT / "data" / "raw" / "akiruno_promotion_plan_ch3.pdf")
    written = []
    for i in range(n):
        source.set_metadata({**source.metadata, "subject": f"promotion plan {i}", "creationDate": "", "modDate": ""})
        path = out / f"promotion_{i:04d}.pdf"
        path.write_bytes(source.tobytes(no_new_id=True))
        written.append(path)
    return written


def build(out: Path, plans: int, progress: int = 0, promotion: int = 0, gold_sample: int = 0,
          seed: int = 1) -> dict:
    """Write the corpus under out/ (plans/, progress/, promotion/, gold/); returns counts and pages."""
    gold_dir = out / "gold"
    for folder in ("plans", "progress", "promotion", "gold"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    used: set = set()
    pages = 0
    for i in range(plans):
        plan = make_plan(i, rng, used)
        data = render(plan)
        (out / "plans" / plan.file).write_bytes(data)
        pages += pymupdf.open("pdf", data).page_count
        if i < gold_sample:
            (gold_dir / f"{plan.file}.json").write_text(json.dumps(gold(plan), ensure_ascii=False, indent=1),
                                                        encoding="utf-8")
    sheets = progress_sheets(out / "progress", progress, seed, gold_dir, gold_sample // 4)
    promos = promotion_plans(out / "promotion", promotion)
    return {"plans": plans, "plan_pages": pages, "progress": len(sheets), "promotion": len(promos)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--plans", type=int, default=2200)
    parser.add_argument("--progress", type=int, default=300)
    parser.add_argument("--promotion", type=int, default=100)
    parser.add_argument("--gold-sample", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(json.dumps(build(args.out, args.plans, args.progress, args.promotion, args.gold_sample, args.seed)))


if __name__ == "__main__":
    main()
