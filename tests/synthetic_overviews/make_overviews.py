#!/usr/bin/env python3
"""Build synthetic 経営発達支援計画の概要 pages (written directly with PyMuPDF) and their gold JSON.

Each 概要 is described once, as data (`Spec`); the same data is drawn as a ruled
label/value table (MuPDF's reference CJK font, rulings drawn as lines) and written
as gold in the format of tests/fixtures/gold, so the gold comes from the generator's
data, never from the extractor. The variants are those other chambers print:

* pre-2019 forms (平成 periods, the chamber alone as 実施者, often no 法人番号,
  事業内容 in Ⅰ/Ⅱ/Ⅲ parts) and post-2019 ones (chamber and municipalities with
  `（法人番号 …）` / `（地方公共団体コード …）` on the same line, on the next line, in a
  column of their own or in rows of their own under one label cell; half-, full-width
  and spaced digits; 6-digit codes and 5-digit ones written without the check digit);
* label words 実施者名, 実施者名（法人番号）, 申請者名, 計画の実施者, 実施期間, 計画期間,
  labels with spaces between characters, narrow and wide label columns;
* 連絡先 of several organisations, 〒 / TEL / FAX / E-mail written many ways;
* 商工会議所, 〇〇町商工会, ひらがな names, a 村's 商工会, joint plans of two 商工会;
* a title line, a `－ 1 －` page number, a running header, a 概要 continued on page 2.

Generator-only dependency: PyMuPDF (a project dependency). The outputs are committed.

    .venv/bin/python tests/synthetic_overviews/make_overviews.py      # rewrites *.pdf and gold/*.json
"""
from __future__ import annotations

import dataclasses
import html
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
from pipeline.normalize.identifiers import corporate_check_digit, local_gov_check_digit  # noqa: E402

sys.path.insert(0, str(HERE.parent))
from html_pdf import print_html  # noqa: E402

FONT = "japan"  # MuPDF's built-in CJK font: nothing to install, text layer is plain Unicode
FW = str.maketrans("0123456789-", "０１２３４５６７８９－")
PAGE_W, PAGE_H = 595.0, 842.0
MARGIN = 48.0


# ---------------------------------------------------------------- data

def corporate(base12: str) -> str:
    return f"{corporate_check_digit(base12)}{base12}"


def local_code(base5: str) -> str:
    return f"{base5}{local_gov_check_digit(base5)}"


@dataclass
class Contact:
    organization: str
    department: str | None
    postal_code: str | None
    address: str | None
    tel: str | None
    fax: str | None
    email: str | None
    lines: list[str]          # as printed (the org line first)


@dataclass
class Spec:
    file: str
    chambers: list[tuple[str, str | None]]          # (name, 13-digit 法人番号 or None when not printed)
    municipalities: list[tuple[str, str]]           # (name, first five digits of the code)
    implementer_lines: list[str]                    # the 実施者 cell as printed
    period: tuple[str, str]                         # gold ISO dates
    period_text: str
    goals: list[str]
    contents: list[str]
    sections: list[tuple[str, str]]                 # gold (no, title)
    contacts: list[Contact]
    implementer_label: str = "実施者名"
    period_label: str = "実施期間"
    contact_label: str = "連絡先"
    spaced_labels: bool = False
    label_width: float = 90.0
    font_size: float = 9.5
    title: str | None = "経営発達支援計画の概要"
    header: str | None = None
    footer: str | None = "－ 1 －"
    id_column: list[str] | None = None              # a third column beside implementer_lines, row by row
    id_rows: bool = False                           # each implementer line a row of its own (label spans them)
    contact_on_page2: bool = False
    extra_rows: list[tuple[str, list[str]]] = field(default_factory=list)  # rows after the 実施者 one
    contact_columns: int = 1                        # 連絡先 blocks side by side in this many cells
    sub_labels: list[str] | None = None             # a sub-label cell before each implementer line (商工会 / 市)
    contact_table_apart: bool = False               # 連絡先 in a table of its own below the 概要's
    pad: float = 3.5                                # cell padding (mupdf): 0.8 puts text against the rulings
    contents_break: int | None = None               # 事業内容 broken after this many lines (page 2)
    producer: str = "mupdf"                         # "mupdf" (drawn here) or "chromium" (HTML printed)
    per_character: bool = False                     # mupdf: one text object per character, no spaces written
    stacked: bool = False                           # chromium: each label in a row of its own above its value
    rules: str = "full"                             # chromium: "full", "hrules" (horizontal only), "none"


# ---------------------------------------------------------------- text helpers

def width(text: str, size: float) -> float:
    # insert_text with the reference font advances every glyph by 1 em (no width table).
    return pymupdf.get_text_length(text, fontname=FONT, fontsize=size)


def wrap(text: str, size: float, max_w: float) -> list[str]:
    """Lines of `text` no wider than max_w (Japanese wraps anywhere; a Latin word is kept whole)."""
    out: list[str] = []
    line = ""
    tokens: list[str] = []
    for ch in text:
        if tokens and ch.isascii() and ch not in " " and tokens[-1][-1:].isascii() and tokens[-1][-1:] != " ":
            tokens[-1] += ch
        else:
            tokens.append(ch)
    for tok in tokens:
        if width(line + tok, size) > max_w and line:
            out.append(line.rstrip())
            line = tok.lstrip()
        else:
            line += tok
        while width(line, size) > max_w:
            # A Latin word longer than the cell (an e-mail address): broken after a `.` or `-`, as Word does.
            fit = max(i for i in range(1, len(line) + 1) if width(line[:i], size) <= max_w)
            cut = max((i + 1 for i in range(fit) if line[i] in ".-"), default=fit)
            out.append(line[:cut])
            line = line[cut:]
    if line.strip():
        out.append(line.rstrip())
    return out or [""]


def spaced(label: str) -> str:
    return " ".join(label)


def fw(text: str) -> str:
    return text.translate(FW)


# ---------------------------------------------------------------- rendering

@dataclass
class Row:
    label: str
    cells: list[list[str]]        # columns, each a list of paragraphs
    sub_rows: list[list[list[str]]] = field(default_factory=list)  # rows under one spanning label cell
    page_break: bool = False      # the row starts a new page (the row above broken there)


def _rows(spec: Spec) -> list[Row]:
    lab = (lambda s: spaced(s)) if spec.spaced_labels else (lambda s: s)
    rows = []
    if spec.id_rows:
        rows.append(Row(lab(spec.implementer_label), [], sub_rows=[[[line]] for line in spec.implementer_lines]))
    elif spec.sub_labels is not None:
        rows.append(Row(lab(spec.implementer_label), [],
                        sub_rows=[[[a], [b]] for a, b in zip(spec.sub_labels, spec.implementer_lines)]))
    elif spec.id_column is not None:
        rows.append(Row(lab(spec.implementer_label), [],
                        sub_rows=[[[a], [b]] for a, b in zip(spec.implementer_lines, spec.id_column)]))
    else:
        rows.append(Row(lab(spec.implementer_label), [spec.implementer_lines]))
    rows += [Row(lab(label), [lines]) for label, lines in spec.extra_rows]
    rows.append(Row(lab(spec.period_label), [[spec.period_text]]))
    rows.append(Row(lab("目標"), [spec.goals]))
    if spec.contents_break:
        # The 事業内容 row broken across the page: its rest under an empty label cell on page 2.
        rows.append(Row(lab("事業内容"), [spec.contents[:spec.contents_break]]))
        rows.append(Row("", [spec.contents[spec.contents_break:]], page_break=True))
    else:
        rows.append(Row(lab("事業内容"), [spec.contents]))
    n = spec.contact_columns
    per = -(-len(spec.contacts) // n)
    rows.append(Row(lab(spec.contact_label), [[line for c in spec.contacts[k * per:(k + 1) * per] for line in c.lines]
                                    for k in range(n)]))
    return rows


def render(spec: Spec, out: Path) -> None:
    doc = pymupdf.open()
    size = spec.font_size
    lead = size * 1.45
    pad = spec.pad
    x0, x1, x2 = MARGIN, MARGIN + spec.label_width, PAGE_W - MARGIN
    page = None
    page_no = 0

    def new_page() -> float:
        nonlocal page, page_no
        page = doc.new_page(width=PAGE_W, height=PAGE_H)
        page_no += 1
        y = MARGIN
        if spec.header:
            page.insert_text((x2 - width(spec.header, 8), 30), spec.header, fontname=FONT, fontsize=8)
        if spec.footer:
            text = spec.footer.replace("1", str(page_no)) if page_no > 1 else spec.footer
            page.insert_text(((PAGE_W - width(text, 9)) / 2, PAGE_H - 30), text, fontname=FONT, fontsize=9)
        if spec.title and page_no == 1:
            page.insert_text(((PAGE_W - width(spec.title, 13)) / 2, y + 13), spec.title, fontname=FONT, fontsize=13)
            y += 30
        return y

    def line(a, b):
        page.draw_line(a, b, color=(0, 0, 0), width=0.6)

    def text_block(paras: list[str], left: float, right: float, top: float, draw: bool) -> float:
        y = top + pad
        for para in paras:
            for piece in wrap(para, size, right - left - 2 * pad):
                if draw and spec.per_character:
                    # Word-style export: one text object per character, spaces not written at all.
                    x = left + pad
                    for ch in piece.replace(" ", "").replace("\u3000", ""):
                        page.insert_text((x, y + size), ch, fontname=FONT, fontsize=size)
                        x += width(ch, size)
                elif draw:
                    page.insert_text((left + pad, y + size), piece, fontname=FONT, fontsize=size)
                y += lead
        return y + pad - (lead - size) / 2

    y = new_page()
    top_of_table = y
    for row in _rows(spec):
        if row.page_break or (row.label.replace(" ", "") == spec.contact_label and (
                spec.contact_on_page2 or spec.contact_table_apart)):
            line((x0, top_of_table), (x0, y))
            line((x2, top_of_table), (x2, y))
            line((x1, top_of_table), (x1, y))
            y = new_page() if spec.contact_on_page2 or row.page_break else y + 14
            top_of_table = y
            line((x0, y), (x2, y))
        if y == top_of_table:
            line((x0, y), (x2, y))
        start = y
        if row.sub_rows:
            ncols = len(row.sub_rows[0])
            split = 0.2 if spec.sub_labels else 0.55
            xs = [x1, x1 + (x2 - x1) * split, x2] if ncols == 2 else [x1, x2]
            for k, sub in enumerate(row.sub_rows):
                h = max(text_block(c, xs[i], xs[i + 1], y, False) for i, c in enumerate(sub)) - y
                for i, c in enumerate(sub):
                    text_block(c, xs[i], xs[i + 1], y, True)
                for xm in xs[1:-1]:
                    line((xm, y), (xm, y + h))
                y += h
                if k < len(row.sub_rows) - 1:
                    line((x1, y), (x2, y))
        else:
            xs = [x1 + (x2 - x1) * k / len(row.cells) for k in range(len(row.cells) + 1)]
            end = max(text_block(c, xs[i], xs[i + 1], y, False) for i, c in enumerate(row.cells))
            for i, c in enumerate(row.cells):
                text_block(c, xs[i], xs[i + 1], y, True)
            for xm in xs[1:-1]:
                line((xm, y), (xm, end))
            y = end
        label_h = text_block([row.label], x0, x1, start, False) - start
        if label_h > y - start:  # a label taller than its values: the row grows
            y = start + label_h
        text_block([row.label], x0, x1, start + max((y - start - label_h) / 2, 0), True)
        line((x0, y), (x2, y))
    line((x0, top_of_table), (x0, y))
    line((x1, top_of_table), (x1, y))
    line((x2, top_of_table), (x2, y))
    doc.set_metadata({"producer": "make_overviews.py (PyMuPDF)", "creationDate": "D:20240101000000",
                      "modDate": "D:20240101000000"})
    doc.save(out, garbage=3, deflate=True, no_new_id=True)


CSS = """
@page { size: A4; margin: 16mm 17mm; }
body { font-family: "Noto Sans CJK JP", sans-serif; font-size: %(size)spt; line-height: 1.4; }
h1 { font-size: 13pt; text-align: center; font-weight: normal; margin: 0 0 8pt 0; }
.header { text-align: right; font-size: 8pt; margin-bottom: 6pt; }
.footer { text-align: center; font-size: 9pt; margin-top: 12pt; }
table { border-collapse: collapse; width: 100%%; }
td { padding: 3pt 5pt; vertical-align: top; }
table.full td { border: 0.75pt solid #000; }
table.hrules tr { border-top: 0.75pt solid #000; border-bottom: 0.75pt solid #000; }
td.label { width: %(label)spt; vertical-align: middle; }
"""


def render_html(spec: Spec) -> str:
    esc = lambda t: html.escape(t)  # noqa: E731
    rows = _rows(spec)
    width_cols = max([len(r.cells) for r in rows] + [len(r.sub_rows[0]) for r in rows if r.sub_rows])
    out = [f'<div class="header">{esc(spec.header)}</div>' if spec.header else "",
           f"<h1>{esc(spec.title)}</h1>" if spec.title else "", f'<table class="{spec.rules}">']

    def tds(cells: list[list[str]]) -> str:
        span = width_cols // len(cells) if len(cells) < width_cols else 1
        return "".join(f'<td colspan="{span}">{"<br>".join(esc(p) for p in c)}</td>' for c in cells)

    for row in rows:
        if spec.stacked:
            texts = [line for c in (row.cells or [c for sub in row.sub_rows for c in sub]) for line in c]
            if row.label:
                out.append(f'<tr><td colspan="{width_cols}"><b>【{esc(row.label)}】</b></td></tr>')
            out.append(f'<tr><td colspan="{width_cols}">{"<br>".join(esc(t) for t in texts)}</td></tr>')
            continue
        label = f'<td class="label" rowspan="{max(len(row.sub_rows), 1)}">{esc(row.label)}</td>'
        if row.page_break:
            out.append(f'<tr style="break-before: page">{label}{tds(row.cells)}</tr>')
        elif row.sub_rows:
            out.append(f"<tr>{label}{tds(row.sub_rows[0])}</tr>")
            out += [f"<tr>{tds(sub)}</tr>" for sub in row.sub_rows[1:]]
        else:
            out.append(f"<tr>{label}{tds(row.cells)}</tr>")
    out.append("</table>")
    if spec.footer:
        out.append(f'<div class="footer">{esc(spec.footer)}</div>')
    css = CSS % {"size": spec.font_size, "label": spec.label_width * 0.75}
    return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{esc(spec.file)}</title>'
            f"<style>{css}</style></head><body>{''.join(out)}</body></html>")


def render_chromium(spec: Spec, out: Path) -> None:
    print_html(render_html(spec), out)


def gold(spec: Spec) -> dict:
    chamber, number = spec.chambers[0]
    plan = {"chamber": chamber, "corporate_number": number,
            "municipalities": [{"name": n, "code": local_code(b)} for n, b in spec.municipalities],
            "period_start": spec.period[0], "period_end": spec.period[1]}
    if len(spec.chambers) > 1:
        plan["chambers"] = [{"chamber": c, "corporate_number": n} for c, n in spec.chambers]
    return {
        "document": spec.file, "kind": "business_development_plan", "plan": plan,
        "sections": [{"no": no, "title": title} for no, title in spec.sections],
        "contacts": [{k: getattr(c, k) for k in ("organization", "department", "postal_code", "address", "tel",
                                                  "fax", "email")} for c in spec.contacts],
    }


# ---------------------------------------------------------------- the variants

POST2019_CONTENTS = [
    ("3", "地域の経済動向調査に関すること"), ("4", "需要動向調査に関すること"),
    ("5", "経営状況の分析に関すること"), ("6", "事業計画策定支援に関すること"),
    ("7", "事業計画策定後の実施支援に関すること"), ("8", "新たな需要の開拓に寄与する事業に関すること"),
    ("9", "事業の評価及び見直しをするための仕組みに関すること"), ("10", "経営指導員等の資質向上等に関すること"),
    ("11", "他の支援機関との連携を通じた支援ノウハウ等の情報交換に関すること"),
]
PRE2019_I = [
    ("1", "地域の経済動向調査に関すること"), ("2", "経営状況の分析に関すること"),
    ("3", "事業計画策定支援に関すること"), ("4", "事業計画策定後の実施支援に関すること"),
    ("5", "需要動向調査に関すること"), ("6", "新たな需要の開拓に寄与する事業に関すること"),
]
PRE2019_III = [
    ("1", "他の支援機関との連携を通じた支援ノウハウ等の情報交換に関すること"),
    ("2", "経営指導員等の資質向上等に関すること"),
    ("3", "事業の評価及び見直しをするための仕組みに関すること"),
]
DESCRIPTIONS = ["景況調査を年4回実施し、結果を公表する。", "アンケート調査により需要を把握する。",
                "財務・非財務の両面から分析を行う。", "セミナーと個別相談により策定を支援する。",
                "四半期ごとに巡回し進捗を確認する。", "商談会への出展を支援する。"]


def post2019_contents(style: str, items=POST2019_CONTENTS) -> tuple[list[str], list[tuple[str, str]]]:
    """事業内容 lines and gold sections: `3．title`, with a description, full-width numbers, 【指針】 tags."""
    lines = ["経営発達支援事業の内容"] if style != "bare" else []
    for k, (no, title) in enumerate(items):
        if style == "described":
            lines.append(f"{no}．{title}　{DESCRIPTIONS[k % len(DESCRIPTIONS)]}")
        elif style == "fullwidth":
            lines.append(f"{fw(no)}．{title}")
        elif style == "tagged":
            lines.append(f"{no}. {title}【指針{'①②③④'[k % 4]}】")
        else:
            lines.append(f"{no}.{title}")
            lines.append(f"（１）{DESCRIPTIONS[k % len(DESCRIPTIONS)]}")
    return lines, list(items)


def spaced_contents(items=POST2019_CONTENTS) -> tuple[list[str], list[tuple[str, str]]]:
    """`３　地域の…に関すること`: the number apart from the title by a space, no full stop."""
    return ["経営発達支援事業の内容"] + [f"{fw(no)}　{title}" for no, title in items], list(items)


def pre2019_contents(style: str) -> tuple[list[str], list[tuple[str, str]]]:
    lines = ["Ⅰ．経営発達支援事業の内容"]
    sections = [("Ⅰ", "経営発達支援事業の内容")]
    for no, title in PRE2019_I:
        lines.append(f"{fw(no) if style == 'fullwidth' else no}．{title}")
        sections.append((f"Ⅰ-{no}", title))
    lines.append("Ⅱ．地域経済の活性化に資する取組")
    sections.append(("Ⅱ", "地域経済の活性化に資する取組"))
    if style == "described":
        lines.append("関係機関と連携し、地域資源を活用した賑わいの創出に取り組む。")
    lines.append("Ⅲ．経営発達支援事業の円滑な実施に向けた支援力向上のための取組")
    sections.append(("Ⅲ", "経営発達支援事業の円滑な実施に向けた支援力向上のための取組"))
    for no, title in PRE2019_III:
        lines.append(f"{no}．{title}")
        sections.append((f"Ⅲ-{no}", title))
    return lines, sections


def contact(org, dept, postal, address, tel, fax, email, style="lines") -> Contact:
    """One organisation's entry printed in one of the forms real 概要 pages use."""
    t = {
        "lines": [f"{org}　{dept}", f"〒{postal}　{address}", f"TEL：{tel}　FAX：{fax}", f"E-mail：{email}"],
        "oneline": [f"{org} {dept} 〒{postal} {address} TEL {tel} FAX {fax} E-mail {email}"],
        "fullwidth": [f"{org}　{dept}", f"〒{fw(postal)}　{address}", f"ＴＥＬ：{fw(tel)}　ＦＡＸ：{fw(fax)}",
                      f"ﾒｰﾙ：{email}"],
        "postal_first": [f"〒{postal}", f"{address}", f"{org}　{dept}", f"TEL.{tel} / FAX.{fax}",
                         f"Mail: {email}"],
        "phone_words": [f"{org}　{dept}", f"〒{postal} {address}",
                        f"電話 {_bracketed(tel)}　ファクス {_bracketed(fax)}", f"メール {email}"],
        "circled": [f"{org} {dept}", f"　〒{postal} {address}", f"　☎ {tel} ／ FAX {fax}", f"　e-mail: {email}"],
        "bracketed": [f"【{org}】{dept}", f"〒{postal}　{address}", f"TEL {tel}／FAX {fax}", f"E-mail {email}"],
        "bulleted": [f"■{org}役所　{dept}" if org.endswith(("市", "町", "村")) else f"■{org}　{dept}",
                     f"　〒{postal}　{address}", f"　電話：{tel}　ＦＡＸ：{fax}", f"　ﾒｰﾙ：{email}"],
        "spaced_phone": [f"{org}　{dept}", f"〒{postal}　{address}",
                         f"TEL {tel.replace('-', ' ')}　FAX {fax.replace('-', ' ')}", f"E-mail：{email}"],
        "telfax": [f"{org}　{dept}", f"〒{postal}　{address}", f"TEL/FAX {tel}", f"E-mail：{email}"],
    }[style]
    return Contact(org, dept, postal, address, tel, fax if style != "telfax" else tel, email, t)


def _bracketed(phone: str) -> str:
    a, b, c = phone.split("-")
    return f"{a}({b}){c}"


def implementer(chambers, munis, style: str, digits: str = "half", code5: bool = False) -> list[str]:
    """The 実施者 cell: each entity with its id in one of the printed forms."""
    def d(number: str) -> str:
        if digits == "full":
            return fw(number)
        if digits == "spaced":
            return " ".join(number)
        if digits == "grouped":
            return f"{number[:1]} {number[1:5]} {number[5:9]} {number[9:]}" if len(number) == 13 else number
        return number

    entries = [(n, "法人番号", num) for n, num in chambers] + \
              [(n, "地方公共団体コード", b if code5 else local_code(b)) for n, b in munis]
    out = []
    for name, label, num in entries:
        if num is None:
            out.append(name)
        elif style == "inline":
            out.append(f"{name}（{label} {d(num)}）")
        elif style == "colon":
            out.append(f"{name}（{label}：{d(num)}）")
        elif style == "label_paren":
            out.append(f"{name}（{label}）{d(num)}")
        elif style == "nextline":
            out += [name, f"（{label}：{d(num)}）"]
        elif style == "oneline":
            out.append(f"{name}（{label} {d(num)}）")
    if style == "oneline":
        return ["、".join(out)]
    return out


def specs() -> list[Spec]:
    out: list[Spec] = []

    # 1. Pre-2019 商工会議所: the chamber alone, no 法人番号, 平成 period to 平成33, Ⅰ/Ⅱ/Ⅲ.
    lines, secs = pre2019_contents("plain")
    out.append(Spec(
        "ov_pre2019_cci_alone.pdf", [("北浜商工会議所", None)], [], ["北浜商工会議所"],
        ("2016-04-01", "2021-03-31"), "平成２８年４月１日～平成３３年３月３１日",
        ["小規模事業者の経営力向上と地域経済の活性化を図る。"], lines, secs,
        [contact("北浜商工会議所", "中小企業相談所", "771-0201", "徳島県北浜市中央町二丁目5番地", "088-612-3456",
                 "088-612-3457", "soudan@kitahama-cci.example.jp")],
        header="北浜商工会議所"))

    # 2. Pre-2019 商工会 with its 法人番号, 'から … まで（5年間）', town contact too.
    n = corporate("077005001234")
    lines, secs = pre2019_contents("fullwidth")
    out.append(Spec(
        "ov_pre2019_shokokai_number.pdf", [("山辺町商工会", n)], [], [f"山辺町商工会（法人番号 {n}）"],
        ("2016-04-01", "2021-03-31"), "平成28年4月1日から平成33年3月31日まで（5年間）",
        ["①経営分析による課題の明確化", "②事業計画策定の支援", "③販路開拓による売上増加"], lines, secs,
        [contact("山辺町商工会", "経営支援課", "969-1701", "福島県伊達郡山辺町字本町12番地", "024-587-2211",
                 "024-587-2212", "yamabe@shokokai.example.jp", "fullwidth"),
         contact("山辺町", "商工観光課", "969-1792", "福島県伊達郡山辺町字本町1番地", "024-587-1111",
                 "024-587-1119", "shoko@town.yamabe.example.jp", "fullwidth")],
        implementer_label="申請者名", footer="- 1 -"))

    # 3. Pre-2019, spaced labels, 計画期間, period with ideographic spaces, described contents.
    lines, secs = pre2019_contents("described")
    out.append(Spec(
        "ov_pre2019_spaced_labels.pdf", [("きたはら商工会", None)], [], ["きたはら商工会"],
        ("2017-04-01", "2022-03-31"), "平成２９年　４月　１日　～　平成３４年　３月３１日",
        ["地域の小規模事業者の持続的発展を支援する。"], lines, secs,
        [contact("きたはら商工会", "", "389-0601", "長野県埴科郡北原町大字坂城6321番地1", "0268-82-2001",
                 "0268-82-2002", "info@kitahara-shokokai.example.jp", "oneline")],
        implementer_label="計画の実施者", period_label="計画期間", spaced_labels=True, label_width=70))

    # 4. Post-2019 商工会議所 + 2 municipalities, inline ids, post-2019 contents with descriptions.
    n = corporate("040005007788")
    munis = [("南浦市", "04215"), ("川合町", "04341")]
    lines, secs = post2019_contents("described")
    out.append(Spec(
        "ov_post2019_cci_two_munis.pdf", [("南浦商工会議所", n)], munis,
        implementer([("南浦商工会議所", n)], munis, "inline"),
        ("2020-04-01", "2025-03-31"), "令和２年４月１日～令和７年３月３１日",
        ["事業者の稼ぐ力の向上", "地域経済の好循環の実現"], lines, secs,
        [contact("南浦商工会議所", "中小企業相談所", "985-0021", "宮城県南浦市中央一丁目6番13号", "022-362-1101",
                 "022-362-1102", "soudan@minamiura-cci.example.jp"),
         contact("南浦市", "産業部商工観光課", "985-8601", "宮城県南浦市旭町1番1号", "022-364-1111",
                 "022-364-1120", "shoko@city.minamiura.example.jp"),
         contact("川合町", "産業振興課", "981-0292", "宮城県宮城郡川合町利府字新並松4番地", "022-767-2111",
                 "022-767-2100", "sangyo@town.kawai.example.jp")],
        implementer_label="実施者名（法人番号）"))

    # 5. Post-2019 商工会, ids on the next line, full-width digits.
    n = corporate("050005002468")
    munis = [("大沢町", "05348")]
    lines, secs = post2019_contents("fullwidth")
    out.append(Spec(
        "ov_post2019_nextline_fullwidth.pdf", [("大沢町商工会", n)], munis,
        implementer([("大沢町商工会", n)], munis, "nextline", "full"),
        ("2021-04-01", "2026-03-31"), "令和３年４月１日～令和８年３月３１日",
        ["経営分析件数の増加と事業計画の実行"], lines, secs,
        [contact("大沢町商工会", "経営支援課", "018-3301", "秋田県北秋田郡大沢町米内沢字寅66番地", "0186-72-3100",
                 "0186-72-3101", "osawa@akita-shokokai.example.jp", "phone_words"),
         contact("大沢町", "商工観光課", "018-3392", "秋田県北秋田郡大沢町米内沢字寅50番地", "0186-72-2111",
                 "0186-72-2112", "kanko@town.osawa.example.jp", "phone_words")]))

    # 6. Post-2019, ids in a column of their own (one row per entity under the label).
    n = corporate("020005009753")
    munis = [("東原市", "02207"), ("西野町", "02321"), ("北山村", "02367")]
    lines, secs = post2019_contents("tagged")
    out.append(Spec(
        "ov_post2019_id_column.pdf", [("東原商工会議所", n)], munis,
        ["東原商工会議所"] + [m for m, _ in munis],
        ("2022-04-01", "2027-03-31"), "令和4年4月1日～令和9年3月31日",
        ["創業・事業承継の促進", "販路開拓による売上の増加"], lines, secs,
        [contact("東原商工会議所", "経営支援課", "033-0031", "青森県東原市西一番町16番地", "0176-23-2131",
                 "0176-23-2132", "keiei@higashihara-cci.example.jp"),
         contact("東原市", "経済部商工課", "033-8666", "青森県東原市中央一丁目1番1号", "0176-23-5111",
                 "0176-23-5120", "shoko@city.higashihara.example.jp"),
         contact("西野町", "産業課", "039-2392", "青森県上北郡西野町字北向1番地", "0176-56-3111",
                 "0176-56-3112", "sangyo@town.nishino.example.jp"),
         contact("北山村", "総務課", "039-3192", "青森県上北郡北山村大字中央3番地", "0176-27-2111",
                 "0176-27-2112", "somu@vill.kitayama.example.jp")],
        implementer_label="実施者名（法人番号）",
        id_column=[f"法人番号 {n}"] + [f"地方公共団体コード {local_code(b)}" for _, b in munis]))

    # 7. Post-2019, each entity a row of its own under one spanning label cell, colon ids.
    n = corporate("100005001357")
    munis = [("緑川町", "10425")]
    lines, secs = post2019_contents("plain")
    out.append(Spec(
        "ov_post2019_id_rows.pdf", [("緑川町商工会", n)], munis,
        implementer([("緑川町商工会", n)], munis, "colon"),
        ("2023-04-01", "2028-03-31"), "令和5年4月1日　～　令和10年3月31日",
        ["小規模事業者の売上と利益の向上"], lines, secs,
        [contact("緑川町商工会", "", "377-0801", "群馬県吾妻郡緑川町大字原町1001番地", "0279-68-2121",
                 "0279-68-2122", "midorikawa@gunma-shokokai.example.jp", "postal_first"),
         contact("緑川町", "商工観光課", "377-0892", "群馬県吾妻郡緑川町大字原町100番地", "0279-68-2111",
                 "0279-68-2119", "shokan@town.midorikawa.example.jp", "postal_first")],
        id_rows=True, label_width=120))

    # 8. Post-2019, rumoi-like `（法人番号）number`, 5-digit codes without check digit.
    n = corporate("170005004321")
    munis = [("白浜市", "17206"), ("大谷町", "17365")]
    lines, secs = post2019_contents("plain")
    out.append(Spec(
        "ov_post2019_code5.pdf", [("白浜商工会議所", n)], munis,
        implementer([("白浜商工会議所", n)], munis, "label_paren", code5=True),
        ("2024-04-01", "2029-03-31"), "令和６年４月１日～令和１１年３月３１日（５年間）",
        ["地域資源を活かした付加価値の向上"], lines, secs,
        [contact("白浜商工会議所", "中小企業相談所", "924-0871", "石川県白浜市西新町5番地1", "076-276-3811",
                 "076-276-3812", "soudan@shirahama-cci.example.jp", "circled"),
         contact("白浜市", "産業振興部商工課", "924-8688", "石川県白浜市東町1番地", "076-274-9544",
                 "076-274-9545", "shoko@city.shirahama.example.jp", "circled"),
         contact("大谷町", "産業振興課", "929-0292", "石川県能美郡大谷町中町子1番地", "0761-58-2211",
                 "0761-58-2212", "sangyo@town.otani.example.jp", "circled")],
        implementer_label="実施者名（法人番号）"))

    # 9. Joint plan of two 商工会 and their two towns; one wrapped line; 共同申請.
    n1, n2 = corporate("070005008642"), corporate("070005008650")
    chambers = [("みなみやま商工会", n1), ("東川町商工会", n2)]
    munis = [("南山市", "07208"), ("東川町", "07405")]
    lines, secs = post2019_contents("fullwidth")
    out.append(Spec(
        "ov_joint_shokokai.pdf", chambers, munis, implementer(chambers, munis, "inline", "full"),
        ("2021-04-01", "2026-03-31"), "令和3年4月1日～令和8年3月31日",
        ["広域連携による小規模事業者の持続的発展"], lines, secs,
        [contact("みなみやま商工会", "本所", "966-0000", "福島県南山市字町田8200番地", "0241-22-1111",
                 "0241-22-1112", "minamiyama@fukushima-shokokai.example.jp"),
         contact("東川町商工会", "経営支援課", "969-4406", "福島県耶麻郡東川町大字野沢字下小屋乙1125", "0241-45-2222",
                 "0241-45-2223", "higashikawa@fukushima-shokokai.example.jp"),
         contact("南山市", "商工課", "966-8601", "福島県南山市字御清水東7244番地2", "0241-24-5211",
                 "0241-24-5212", "shoko@city.minamiyama.example.jp"),
         contact("東川町", "商工観光課", "969-4495", "福島県耶麻郡東川町大字野沢字原町甲1902", "0241-45-2211",
                 "0241-45-2213", "kanko@town.higashikawa.example.jp")],
        label_width=64, font_size=8.5))

    # 10. Joint plan, ids on the next line, 実施者名（法人番号）, narrow label column.
    n1, n2 = corporate("380005001111"), corporate("380005001129")
    chambers = [("上浦町商工会", n1), ("下浦村商工会", n2)]
    munis = [("上浦町", "38386"), ("下浦村", "38401")]
    lines, secs = post2019_contents("tagged")
    out.append(Spec(
        "ov_joint_village.pdf", chambers, munis, implementer(chambers, munis, "nextline"),
        ("2020-04-01", "2025-03-31"), "令和2年4月1日～令和7年3月31日",
        ["中山間地域の事業継続を支える"], lines, secs,
        [contact("上浦町商工会", "", "791-3301", "愛媛県喜多郡上浦町大字内子1515番地", "0893-44-2111",
                 "0893-44-2112", "kamiura@ehime-shokokai.example.jp", "telfax"),
         contact("下浦村商工会", "", "791-3501", "愛媛県喜多郡下浦村大字小田75番地", "0892-52-2222",
                 "0892-52-2223", "shimoura@ehime-shokokai.example.jp", "telfax"),
         contact("上浦町", "町並・地域振興課", "791-3392", "愛媛県喜多郡上浦町平岡甲168番地", "0893-44-6155",
                 "0893-44-6156", "machinami@town.kamiura.example.jp"),
         contact("下浦村", "産業建設課", "791-3592", "愛媛県喜多郡下浦村大字寺村100番地", "0892-52-2111",
                 "0892-52-2112", "sangyo@vill.shimoura.example.jp")],
        implementer_label="実施者名（法人番号）", label_width=56))

    # 11. 商工会 covering a 村, one line all ids, spaced digits, period to 2029 with 令和元年 start? no: 令和元年10月.
    n = corporate("200005003579")
    munis = [("高森村", "20403")]
    lines, secs = post2019_contents("plain")
    out.append(Spec(
        "ov_village_oneline.pdf", [("高森村商工会", n)], munis,
        implementer([("高森村商工会", n)], munis, "oneline", "spaced"),
        ("2019-10-01", "2024-09-30"), "令和元年１０月１日～令和６年９月３０日",
        ["観光客の消費を地域の事業者の売上に結び付ける"], lines, secs,
        [contact("高森村商工会", "", "399-3102", "長野県下伊那郡高森村大字下市田1000番地", "0265-35-2244",
                 "0265-35-2245", "takamori@nagano-shokokai.example.jp", "oneline"),
         contact("高森村", "産業経済課", "399-3193", "長野県下伊那郡高森村大字下市田2183番地1", "0265-35-3111",
                 "0265-35-3112", "sangyo@vill.takamori.example.jp", "oneline")],
        header="長野県 高森村商工会 経営発達支援計画"))

    # 12. Post-2019 from 2019: 平成31年4月1日 start (written before the era changed), wide label column.
    n = corporate("330005006420")
    munis = [("西条市", "33211")]
    lines, secs = post2019_contents("described")
    out.append(Spec(
        "ov_heisei31_start.pdf", [("西条商工会議所", n)], munis,
        implementer([("西条商工会議所", n)], munis, "inline", "grouped"),
        ("2019-04-01", "2024-03-31"), "平成31年4月1日～平成36年3月31日",
        ["まちなかの賑わい創出と事業承継の推進"], lines, secs,
        [contact("西条商工会議所", "中小企業相談所", "719-0100", "岡山県西条市中央1丁目8番16号", "0865-63-1111",
                 "0865-63-1112", "soudan@saijo-cci.example.jp", "phone_words"),
         contact("西条市", "産業観光部商工観光課", "719-0192", "岡山県西条市鴨方町六条院中3200番地", "0865-69-2111",
                 "0865-69-2112", "shokan@city.saijo.example.jp")],
        label_width=130))

    # 13. Western-date period, wrapped over two lines in a narrow cell; label 計画の実施者.
    n = corporate("220005002222")
    munis = [("浜岡市", "22213"), ("相川町", "22461")]
    lines, secs = post2019_contents("plain")
    out.append(Spec(
        "ov_western_period.pdf", [("浜岡商工会議所", n)], munis,
        implementer([("浜岡商工会議所", n)], munis, "colon"),
        ("2022-04-01", "2027-03-31"), "2022年4月1日～2027年3月31日",
        ["DXによる生産性の向上"], lines, secs,
        [contact("浜岡商工会議所", "経営支援課", "437-0061", "静岡県浜岡市久能2710番地1", "0538-42-2121",
                 "0538-42-2122", "keiei@hamaoka-cci.example.jp", "fullwidth"),
         contact("浜岡市", "経済環境部商工労政課", "437-8666", "静岡県浜岡市国府台325番地", "0538-37-4822",
                 "0538-37-2424", "rosei@city.hamaoka.example.jp", "fullwidth"),
         contact("相川町", "産業課", "437-1692", "静岡県周智郡相川町森2101番地1", "0538-85-6319",
                 "0538-85-1113", "sangyo@town.aikawa.example.jp", "fullwidth")],
        implementer_label="計画の実施者"))

    # 14. A 概要 continued on page 2 (連絡先 on the next page), running header, 4 municipalities.
    n = corporate("430005005550")
    munis = [("八代原市", "43202"), ("氷川町", "43468"), ("芦原町", "43482"), ("津奈木町", "43484")]
    lines, secs = post2019_contents("described")
    out.append(Spec(
        "ov_two_pages.pdf", [("八代原商工会議所", n)], munis,
        implementer([("八代原商工会議所", n)], munis, "inline"),
        ("2025-04-01", "2030-03-31"), "令和7年4月1日～令和12年3月31日",
        ["広域での事業者支援体制の構築", "事業承継・創業の促進", "販路開拓による売上の増加"] * 2, lines, secs,
        [contact("八代原商工会議所", "中小企業相談所", "866-0862", "熊本県八代原市松江城町6番6号", "0965-32-6191",
                 "0965-32-6192", "soudan@yatsushirohara-cci.example.jp"),
         contact("八代原市", "経済文化交流部商工振興課", "866-8601", "熊本県八代原市松江城町1番25号", "0965-33-4110",
                 "0965-33-4111", "shoko@city.yatsushirohara.example.jp"),
         contact("氷川町", "商工観光課", "869-4814", "熊本県八代郡氷川町島地642番地", "0965-52-5852",
                 "0965-52-5853", "shoko@town.hikawa.example.jp"),
         contact("芦原町", "企画防災課", "869-5602", "熊本県葦北郡芦原町大字田浦町47番地1", "0966-82-2511",
                 "0966-82-2512", "kikaku@town.ashihara.example.jp"),
         contact("津奈木町", "ふるさと創生課", "869-5692", "熊本県葦北郡津奈木町大字小津奈木2123番地", "0966-78-3111",
                 "0966-78-3112", "furusato@town.tsunagi.example.jp")],
        header="八代原商工会議所", contact_on_page2=True))

    # 15. Pre-2019 平成30 start with 法人番号 on next line, 計画期間, 年間 notation.
    n = corporate("260005004444")
    lines, secs = pre2019_contents("plain")
    out.append(Spec(
        "ov_pre2019_nextline.pdf", [("京北町商工会", n)], [], implementer([("京北町商工会", n)], [], "nextline"),
        ("2018-04-01", "2023-03-31"), "平成３０年４月１日～平成３５年３月３１日（５年間）",
        ["事業者の経営基盤の強化"], lines, secs,
        [contact("京北町商工会", "", "601-0251", "京都府京北市京北周山町上寺田1番地1", "075-852-0231",
                 "075-852-0232", "keihoku@kyoto-shokokai.example.jp", "circled")],
        period_label="計画期間", spaced_labels=True, label_width=60))

    # 16. Post-2019, ids in a column of their own with 5-digit codes in full width.
    n = corporate("090005007777")
    munis = [("那須原市", "09213"), ("大田町", "09407")]
    lines, secs = post2019_contents("fullwidth")
    out.append(Spec(
        "ov_id_column_code5.pdf", [("那須原商工会議所", n)], munis, ["那須原商工会議所"] + [m for m, _ in munis],
        ("2020-04-01", "2025-03-31"), "令和２年４月１日～令和７年３月３１日",
        ["観光と商業の連携による地域の活性化"], lines, secs,
        [contact("那須原商工会議所", "中小企業相談所", "325-0056", "栃木県那須原市本町3番16号", "0287-62-1161",
                 "0287-62-1162", "soudan@nasuhara-cci.example.jp", "postal_first"),
         contact("那須原市", "産業観光部商工観光課", "325-8501", "栃木県那須原市共墾社119番地1", "0287-62-7111",
                 "0287-62-7112", "shokan@city.nasuhara.example.jp", "postal_first"),
         contact("大田町", "産業振興課", "324-0692", "栃木県那須郡大田町小川2667番地1", "0287-96-2111",
                 "0287-96-2112", "sangyo@town.ota.example.jp", "postal_first")],
        implementer_label="実施者名", id_column=[f"（法人番号）{fw(n)}"] + [
            f"（地方公共団体コード）{fw(b)}" for _, b in munis]))

    # 17. Pre-2019 商工会議所 with 法人番号 and ID in the colon style, 平成27 start (the first plans).
    n = corporate("280005002020")
    lines, secs = pre2019_contents("described")
    out.append(Spec(
        "ov_pre2019_h27.pdf", [("播磨原商工会議所", n)], [], implementer([("播磨原商工会議所", n)], [], "colon"),
        ("2015-04-01", "2020-03-31"), "平成２７年４月１日～平成３２年３月３１日",
        ["小規模事業者の経営の持続的発展", "地域ブランドの確立"], lines, secs,
        [contact("播磨原商工会議所", "中小企業相談所", "675-0064", "兵庫県播磨原市加古川町溝之口800番地",
                 "079-424-3355", "079-424-3356", "soudan@harimahara-cci.example.jp", "telfax")],
        title="（別紙）経営発達支援計画の概要", footer="－１－"))

    # 18. Post-2019 ひらがな 商工会 + town, oneline ids wrap inside a narrow value column.
    n = corporate("010005006006")
    munis = [("えりも原町", "01608")]
    lines, secs = post2019_contents("tagged")
    out.append(Spec(
        "ov_hiragana_wrapped.pdf", [("えりもはら商工会", n)], munis,
        implementer([("えりもはら商工会", n)], munis, "oneline", "full"),
        ("2024-04-01", "2029-03-31"), "令和６年４月１日～令和１１年３月３１日",
        ["漁業と観光の連携による付加価値の創出"], lines, secs,
        [contact("えりもはら商工会", "経営支援課", "058-0203", "北海道幌泉郡えりも原町字本町206番地", "01466-2-2264",
                 "01466-2-2265", "erimohara@hokkaido-shokokai.example.jp", "phone_words"),
         contact("えりも原町", "産業振興課", "058-0292", "北海道幌泉郡えりも原町字本町206番地", "01466-2-4626",
                 "01466-2-4627", "sangyo@town.erimohara.example.jp", "phone_words")],
        label_width=150, font_size=10))

    # 19. Post-2019, no title, plain `3.` items with sub-items, label with spaces.
    n = corporate("460005001818")
    munis = [("志布原市", "46221")]
    lines, secs = post2019_contents("plain", POST2019_CONTENTS[:8])
    out.append(Spec(
        "ov_no_title.pdf", [("志布原商工会議所", n)], munis,
        implementer([("志布原商工会議所", n)], munis, "label_paren", "full"),
        ("2023-04-01", "2028-03-31"), "令和５年４月１日～令和１０年３月３１日",
        ["港を活かした地域経済の活性化"], lines, secs,
        [contact("志布原商工会議所", "中小企業相談所", "899-7103", "鹿児島県志布原市志布志町志布志2丁目1番1号",
                 "099-472-2111", "099-472-2112", "soudan@shibuhara-cci.example.jp", "fullwidth"),
         contact("志布原市", "経済振興課", "899-7492", "鹿児島県志布原市有明町野井倉1756番地", "099-474-1111",
                 "099-474-1112", "keizai@city.shibuhara.example.jp", "fullwidth")],
        implementer_label="実施者名（法人番号）", spaced_labels=True, title=None))

    # 20. Post-2019 商工会 with 2 towns and a village, rows of their own, spaced digit ids.
    n = corporate("150005009090")
    munis = [("阿賀原町", "15385"), ("津川町", "15386"), ("鹿瀬村", "15387")]
    lines, secs = post2019_contents("described")
    out.append(Spec(
        "ov_three_munis_rows.pdf", [("阿賀原商工会", n)], munis,
        implementer([("阿賀原商工会", n)], munis, "inline", "spaced"),
        ("2021-04-01", "2026-03-31"), "令和3年4月1日～令和8年3月31日",
        ["合併後の広域で一体となった支援"], lines, secs,
        [contact("阿賀原商工会", "", "959-4402", "新潟県東蒲原郡阿賀原町津川3613番地", "0254-92-3100",
                 "0254-92-3101", "agahara@niigata-shokokai.example.jp", "lines"),
         contact("阿賀原町", "商工観光課", "959-4495", "新潟県東蒲原郡阿賀原町豊川甲1番地", "0254-92-3111",
                 "0254-92-3112", "shokan@town.agahara.example.jp", "lines"),
         contact("津川町", "産業課", "959-4493", "新潟県東蒲原郡津川町津川1番地", "0254-92-2111",
                 "0254-92-2112", "sangyo@town.tsugawa.example.jp", "spaced_phone"),
         contact("鹿瀬村", "総務課", "959-4592", "新潟県東蒲原郡鹿瀬村向鹿瀬1番地", "0254-93-2111",
                 "0254-93-2112", "somu@vill.kanose.example.jp", "lines")],
        id_rows=True))

    # 21. Pre-2019, the 法人番号 in a row of its own, an empty （法人番号 ） in the name cell.
    n = corporate("040005003131")
    lines, secs = pre2019_contents("plain")
    out.append(Spec(
        "ov_pre2019_number_row.pdf", [("石浜商工会議所", n)], [], ["石浜商工会議所（法人番号　）"],
        ("2015-04-01", "2020-03-31"), "平成27年4月1日～平成32年3月31日",
        ["小規模事業者の経営の安定と発展"], lines, secs,
        [contact("石浜商工会議所", "中小企業相談所", "986-0824", "宮城県石浜市立町二丁目5番5号", "0225-22-0145",
                 "0225-22-0150", "soudan@ishihama-cci.example.jp")],
        extra_rows=[("法人番号", [fw(n)])], producer="chromium"))

    # 22. Joint plan with 及び, contacts side by side (chambers | municipalities), 市町村コード label.
    n1, n2 = corporate("240005006161"), corporate("240005006179")
    chambers = [("いなべ原商工会", n1), ("東員原町商工会", n2)]
    munis = [("いなべ原市", "24214"), ("東員原町", "24324")]
    lines, secs = post2019_contents("plain")
    out.append(Spec(
        "ov_joint_side_by_side.pdf", chambers, munis,
        [f"いなべ原商工会（法人番号 {n1}）及び東員原町商工会（法人番号 {n2}）",
         f"いなべ原市（市町村コード {local_code('24214')}）、東員原町（市町村コード {local_code('24324')}）"],
        ("2022-04-01", "2027-03-31"), "令和4年4月1日～令和9年3月31日（5年間）",
        ["両地域の小規模事業者の持続的発展"], lines, secs,
        [contact("いなべ原商工会", "経営支援課", "511-0428", "三重県いなべ原市北勢町阿下喜1963番地", "0594-72-2400",
                 "0594-72-2401", "inabehara@mie-shokokai.example.jp"),
         contact("東員原町商工会", "", "511-0251", "三重県員弁郡東員原町山田1600番地", "0594-76-2211",
                 "0594-76-2212", "toinhara@mie-shokokai.example.jp"),
         contact("いなべ原市", "農林商工部商工観光課", "511-0498", "三重県いなべ原市北勢町阿下喜31番地",
                 "0594-86-7833", "0594-86-7860", "shoko@city.inabehara.example.jp"),
         contact("東員原町", "産業課", "511-0295", "三重県員弁郡東員原町山田1600番地", "0594-86-2823",
                 "0594-86-2851", "sangyo@town.toinhara.example.jp")],
        implementer_label="実施者名（法人番号）", contact_columns=2, producer="chromium"))

    # 23. A 概要 ruled with horizontal lines only (Chromium), 計画の実施者, 年度 period.
    n = corporate("300005004747")
    munis = [("紀の浜市", "30207")]
    lines, secs = post2019_contents("described")
    out.append(Spec(
        "ov_hrules.pdf", [("紀の浜商工会議所", n)], munis,
        implementer([("紀の浜商工会議所", n)], munis, "inline"),
        ("2021-04-01", "2026-03-31"), "令和３年度～令和７年度",
        ["地域の稼ぐ力の強化"], lines, secs,
        [contact("紀の浜商工会議所", "中小企業相談所", "649-6226", "和歌山県紀の浜市粉河2294番地の1", "0736-73-3311",
                 "0736-73-3312", "soudan@kinohama-cci.example.jp", "postal_first"),
         contact("紀の浜市", "産業部商工観光課", "649-6492", "和歌山県紀の浜市打田1001番地", "0736-77-0951",
                 "0736-77-4321", "shokan@city.kinohama.example.jp", "postal_first")],
        implementer_label="計画の実施者", rules="hrules", producer="chromium"))

    # 24. A 概要 with no rulings at all (Chromium): the fields are found from the label lines.
    n = corporate("180005005353")
    munis = [("越前原市", "18207")]
    lines, secs = post2019_contents("plain")
    out.append(Spec(
        "ov_unruled.pdf", [("越前原商工会議所", n)], munis,
        implementer([("越前原商工会議所", n)], munis, "colon"),
        ("2020-04-01", "2025-03-31"), "令和2年4月1日～令和7年3月31日",
        ["伝統産業と観光の連携"], lines, secs,
        [contact("越前原商工会議所", "経営支援課", "915-0071", "福井県越前原市府中1丁目11番2号", "0778-23-2000",
                 "0778-23-2001", "keiei@echizenhara-cci.example.jp"),
         contact("越前原市", "産業経済部商工観光課", "915-8530", "福井県越前原市府中一丁目13番7号", "0778-22-3000",
                 "0778-22-3001", "shokan@city.echizenhara.example.jp")],
        rules="none", producer="chromium", label_width=80))

    # 25. Months-only period, contact lines with 担当 / URL / （代表）, Chromium, id column.
    n = corporate("120005002929")
    munis = [("房総原市", "12238"), ("御宿原町", "12443")]
    lines, secs = post2019_contents("tagged")
    out.append(Spec(
        "ov_months_period.pdf", [("房総原商工会", n)], munis, ["房総原商工会"] + [m for m, _ in munis],
        ("2023-04-01", "2028-03-31"), "令和5年4月～令和10年3月",
        ["観光関連事業者の売上増加"], lines, secs,
        [Contact("房総原商工会", "経営支援課", "299-4503", "千葉県房総原市岬町長者1番地", "0470-87-2121",
                 "0470-87-2122", "bosohara@chiba-shokokai.example.jp",
                 ["房総原商工会　経営支援課（担当：経営指導員）", "〒299-4503　千葉県房総原市岬町長者1番地",
                  "TEL：0470-87-2121（代表）　FAX：0470-87-2122", "E-mail：bosohara@chiba-shokokai.example.jp",
                  "URL：https://www.bosohara.example.jp/"]),
         contact("房総原市", "商工観光課", "299-4592", "千葉県房総原市大原7400番地1", "0470-62-1111",
                 "0470-62-1112", "shokan@city.bosohara.example.jp"),
         contact("御宿原町", "産業観光課", "299-5192", "千葉県夷隅郡御宿原町須賀1522番地", "0470-68-2511",
                 "0470-68-2512", "sangyo@town.onjukuhara.example.jp")],
        id_column=[f"（法人番号 {n}）"] + [f"（地方公共団体コード {local_code(b)}）" for _, b in munis],
        producer="chromium"))

    # 26. Sub-label cells (商工会議所 / 市) before each implementer, 連絡先 in a table of its own.
    n = corporate("080005004141")
    munis = [("常総原市", "08224")]
    lines, secs = spaced_contents()
    out.append(Spec(
        "ov_sub_labels.pdf", [("常総原商工会議所", n)], munis,
        implementer([("常総原商工会議所", n)], munis, "inline"),
        ("2024-04-01", "2029-03-31"), "令和6年4月1日～令和11年3月31日",
        ["地域産業の付加価値の向上"], lines, secs,
        [contact("常総原商工会議所", "中小企業相談所", "303-0022", "茨城県常総原市水海道渕頭町3114番地4", "0297-22-2151",
                 "0297-22-2152", "soudan@joso-cci.example.jp"),
         contact("常総原市", "産業振興部商工観光課", "303-8501", "茨城県常総原市水海道諏訪町3222番地3", "0297-23-2111",
                 "0297-23-2112", "shokan@city.josohara.example.jp")],
        sub_labels=["商工会議所", "市町村"], contact_table_apart=True, label_width=80))

    # 27. Pre-2019, a start date and a length (`から５年間`), the 商工会 alone, numbers apart from titles.
    lines, secs = pre2019_contents("fullwidth")
    out.append(Spec(
        "ov_pre2019_years.pdf", [("東和原町商工会", None)], [], ["東和原町商工会"],
        ("2016-04-01", "2021-03-31"), "平成２８年４月１日から５年間",
        ["地域に根差した小規模事業者の持続的発展"], lines, secs,
        [contact("東和原町商工会", "", "979-3901", "福島県二本松原市針道字町62番地", "0243-46-2121",
                 "0243-46-2122", "towahara@fukushima-shokokai.example.jp", "oneline")],
        producer="chromium", sub_labels=None))

    # 28. A long 事業内容 broken across the page (its rest under an empty label cell on page 2).
    n = corporate("390005008080")
    munis = [("土佐原市", "39206"), ("仁淀原町", "39387")]
    lines, secs = post2019_contents("plain")
    for file, producer in (("ov_contents_broken.pdf", "mupdf"), ("ch_contents_broken.pdf", "chromium")):
        out.append(Spec(
            file, [("土佐原商工会議所", n)], munis, implementer([("土佐原商工会議所", n)], munis, "inline"),
            ("2020-04-01", "2025-03-31"), "令和２年４月１日～令和７年３月３１日",
            ["中山間地域の事業者の経営の持続化", "観光と一次産業の連携"], lines, secs,
            [contact("土佐原商工会議所", "中小企業相談所", "781-1101", "高知県土佐原市高岡町甲2017番地", "088-852-1111",
                     "088-852-1112", "soudan@tosahara-cci.example.jp"),
             contact("土佐原市", "産業振興課", "781-1192", "高知県土佐原市高岡町甲2017番地1", "088-852-7681",
                     "088-852-1160", "sangyo@city.tosahara.example.jp"),
             contact("仁淀原町", "産業振興課", "781-2192", "高知県吾川郡仁淀原町大崎200番地", "0889-35-1111",
                     "0889-35-1112", "sangyo@town.niyodohara.example.jp")],
            contents_break=9, producer=producer, header="土佐原商工会議所 経営発達支援計画"))

    # 29. Tight cells (text against the rulings), contacts in three narrow cells (lines wrap after labels).
    n = corporate("060005007272")
    munis = [("最上原町", "06365"), ("舟形原町", "06366")]
    lines, secs = post2019_contents("tagged")
    out.append(Spec(
        "ov_tight_narrow_contacts.pdf", [("最上原町商工会", n)], munis,
        implementer([("最上原町商工会", n)], munis, "inline"),
        ("2025-04-01", "2030-03-31"), "令和7年4月1日～令和12年3月31日",
        ["若手経営者の育成と事業承継の推進"], lines, secs,
        [contact("最上原町商工会", "経営支援課", "999-6101", "山形県最上郡最上原町大字向町644番地", "0233-43-2211",
                 "0233-43-2212", "mogamihara@yamagata-shokokai.example.jp"),
         contact("最上原町", "商工観光課", "999-6192", "山形県最上郡最上原町大字向町644番地", "0233-43-2111",
                 "0233-43-2112", "shokan@town.mogamihara.example.jp", "phone_words"),
         contact("舟形原町", "産業振興課", "999-4692", "山形県最上郡舟形原町舟形263番地", "0233-32-2111",
                 "0233-32-2112", "sangyo@town.funagatahara.example.jp", "fullwidth")],
        implementer_label="実施者名（法人番号）", contact_columns=3, pad=0.8, label_width=70, font_size=8.5))

    # 30. Contacts headed 【name】 / ■name役所, pre-2019 chamber alone with its town's contact (Chromium).
    n = corporate("340005001515")
    lines, secs = pre2019_contents("described")
    out.append(Spec(
        "ov_pre2019_bracketed_contacts.pdf", [("安芸原商工会議所", n)], [], implementer([("安芸原商工会議所", n)], [], "inline"),
        ("2017-04-01", "2022-03-31"), "平成29年4月1日～平成34年3月31日（5年間）",
        ["地域の小規模事業者の売上の確保"], lines, secs,
        [contact("安芸原商工会議所", "中小企業相談所", "739-0614", "広島県安芸原市本町1丁目2番6号", "0827-57-7171",
                 "0827-57-7172", "soudan@akihara-cci.example.jp", "bracketed"),
         contact("安芸原市", "産業振興課", "739-0692", "広島県安芸原市大竹1丁目1番1号", "0827-59-2131",
                 "0827-57-7130", "sangyo@city.akihara.example.jp", "bulleted")],
        producer="chromium"))
    out.append(Spec(
        "ov_bulleted_contacts.pdf", [("安芸原商工会議所", n)], [("安芸原市", "34211")],
        implementer([("安芸原商工会議所", n)], [("安芸原市", "34211")], "inline"),
        ("2020-04-01", "2025-03-31"), "令和2年4月1日～令和7年3月31日",
        ["地域の小規模事業者の売上の確保"], *post2019_contents("plain"),
        [contact("安芸原商工会議所", "中小企業相談所", "739-0614", "広島県安芸原市本町1丁目2番6号", "0827-57-7171",
                 "0827-57-7172", "soudan@akihara-cci.example.jp", "bulleted"),
         contact("安芸原市", "産業振興課", "739-0692", "広島県安芸原市大竹1丁目1番1号", "0827-59-2131",
                 "0827-57-7130", "sangyo@city.akihara.example.jp", "bulleted")]))

    # 31. Names spaced out (a justified cell: `南 浦 原 商 工 会 議 所`) or the kind word apart (`南浦原 市`).
    n = corporate("270005003838")
    lines, secs = post2019_contents("fullwidth")
    out.append(Spec(
        "ov_spaced_names.pdf", [("南浦原商工会議所", n)], [("南浦原市", "27229"), ("北野原町", "27341")],
        [f"南 浦 原 商 工 会 議 所（法人番号 {n}）", f"南浦原 市（地方公共団体コード {local_code('27229')}）",
         f"北野原 町（地方公共団体コード {local_code('27341')}）"],
        ("2021-04-01", "2026-03-31"), "令和３年４月１日～令和８年３月３１日",
        ["商店街の賑わいの回復"], lines, secs,
        [contact("南浦原商工会議所", "中小企業相談所", "583-0001", "大阪府南浦原市川北3丁目1番20号", "072-955-1515",
                 "072-955-1516", "soudan@minamiurahara-cci.example.jp"),
         contact("南浦原市", "市民生活部産業振興課", "583-8585", "大阪府南浦原市川南1丁目1番1号", "072-958-1111",
                 "072-958-1112", "sangyo@city.minamiurahara.example.jp"),
         contact("北野原町", "まちづくり課", "583-0992", "大阪府南河内郡北野原町大字山城1番地", "0721-98-5501",
                 "0721-98-5502", "machi@town.kitanohara.example.jp")],
        spaced_labels=True))

    # 32. Each label in a row of its own above its value (【実施者名】), a one-column table.
    n = corporate("440005006565")
    munis = [("豊後原市", "44213")]
    lines, secs = post2019_contents("described")
    out.append(Spec(
        "ov_stacked_labels.pdf", [("豊後原商工会議所", n)], munis,
        implementer([("豊後原商工会議所", n)], munis, "inline"),
        ("2022-04-01", "2027-03-31"), "令和4年4月1日～令和9年3月31日",
        ["温泉観光と地場産業の連携による売上の増加"], lines, secs,
        [contact("豊後原商工会議所", "中小企業相談所", "879-7131", "大分県豊後原市三重町市場934番地2", "0974-22-0385",
                 "0974-22-0386", "soudan@bungohara-cci.example.jp"),
         contact("豊後原市", "商工観光課", "879-7198", "大分県豊後原市三重町市場1200番地", "0974-22-1001",
                 "0974-22-1002", "shokan@city.bungohara.example.jp")],
        stacked=True, producer="chromium"))

    # 33. Rarer label words: 実施主体, 事業期間, 問合せ先 (Chromium).
    n = corporate("290005002727")
    munis = [("大和原市", "29210")]
    lines, secs = post2019_contents("fullwidth")
    out.append(Spec(
        "ov_rare_labels.pdf", [("大和原商工会", n)], munis, implementer([("大和原商工会", n)], munis, "colon"),
        ("2023-04-01", "2028-03-31"), "令和５年４月１日～令和１０年３月３１日",
        ["創業者の定着と既存事業者の販路拡大"], lines, secs,
        [contact("大和原商工会", "経営支援課", "633-0091", "奈良県大和原市桜井193番地の1", "0744-42-5121",
                 "0744-42-5122", "yamatohara@nara-shokokai.example.jp"),
         contact("大和原市", "観光まちづくり課", "633-8585", "奈良県大和原市粟殿432番地の1", "0744-42-9111",
                 "0744-42-9112", "kanko@city.yamatohara.example.jp", "postal_first")],
        implementer_label="実施主体", period_label="事業期間", contact_label="問合せ先", producer="chromium"))

    # A text layer without spaces, one text object per character (labels glued to their values).
    for name in ("ov_pre2019_spaced_labels.pdf", "ov_village_oneline.pdf", "ov_post2019_id_column.pdf",
                 "ov_joint_village.pdf"):
        base = next(x for x in out if x.file == name)
        out.append(dataclasses.replace(base, file=name.replace("ov_", "pc_"), per_character=True))

    # The same 概要 printed by the other producer (proportional font, borders as filled rectangles).
    for name in ("ov_post2019_cci_two_munis.pdf", "ov_joint_shokokai.pdf", "ov_pre2019_spaced_labels.pdf",
                 "ov_post2019_code5.pdf", "ov_village_oneline.pdf", "ov_three_munis_rows.pdf"):
        base = next(x for x in out if x.file == name)
        out.append(dataclasses.replace(base, file=name.replace("ov_", "ch_"), producer="chromium"))
    return out


def main(names: list[str]) -> None:
    (HERE / "gold").mkdir(exist_ok=True)
    for spec in specs():
        if names and spec.file not in names:
            continue
        for c in spec.contacts:
            c.department = c.department or None
        (render_chromium if spec.producer == "chromium" else render)(spec, HERE / spec.file)
        (HERE / "gold" / f"{spec.file}.json").write_text(
            json.dumps(gold(spec), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(spec.file)


if __name__ == "__main__":
    main(sys.argv[1:])
