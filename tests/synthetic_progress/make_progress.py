#!/usr/bin/env python3
"""Build the synthetic progress corpus: workbooks, a cp932 CSV, PDF exports and their gold.

    .venv/bin/python tests/synthetic_progress/make_progress.py   # needs LibreOffice for the PDFs

The documents imitate other municipalities' 進捗状況 sheets with the quirks the
fixture does not have (see README in this folder). Gold JSON is written from the
generator's own data — never from the extractor — in the format of
tests/fixtures/gold/*.json. The generated files are committed, so the tests need
neither this script nor LibreOffice.
"""
from __future__ import annotations

import csv
import json
import random
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Border, Side

HERE = Path(__file__).resolve().parent
GOLD = HERE / "gold"
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
WAREKI_FULL = {"S": "Ｓ", "A": "Ａ", "B": "Ｂ", "C": "Ｃ"}


# --- the data -------------------------------------------------------------------------

@dataclass(frozen=True)
class Project:
    direction: str
    measure: str
    project: str
    metric: str
    unit: str
    implementer: str
    page: int
    base: int  # a typical target


PROJECTS = (
    Project("創業と事業承継の支援", "創業支援の充実", "創業セミナー", "受講者数", "人", "商工会", 21, 30),
    Project("創業と事業承継の支援", "創業支援の充実", "創業個別相談", "相談件数", "件", "市", 21, 120),
    Project("創業と事業承継の支援", "事業承継の促進", "事業承継相談会", "開催回数", "回", "商工会", 22, 6),
    Project("商店街のにぎわい創出", "空き店舗の活用", "空き店舗活用補助", "補助件数", "件", "市", 24, 5),
    Project("商店街のにぎわい創出", "空き店舗の活用", "チャレンジショップ", "出店者数", "者", "商店会", 24, 8),
    Project("商店街のにぎわい創出", "商店街イベントの支援", "商店街まつり", "来場者数", "人", "実行委員会", 25, 1200),
    Project("地域産業の販路拡大", "販路開拓の支援", "商談会出展支援", "出展事業者数", "社", "市・商工会", 27, 12),
    Project("地域産業の販路拡大", "販路開拓の支援", "地域商品券", "換金率", "%", "商工会", 28, 90),
)


@dataclass(frozen=True)
class Legend:
    """Bands as (grade, lower, lower_inclusive); the next band's lower is the upper."""

    bands: tuple[tuple[str, float, bool], ...]

    def grade(self, percent: float) -> str:
        for grade, lower, inclusive in self.bands:
            if percent > lower or (inclusive and percent == lower):
                return grade
        return self.bands[-1][0]


# (lower, upper] like the fixture's `90~120%`; [lower, upper) for `120%以上` / `50%未満`
TILDE = Legend((("S", 120, False), ("A", 90, False), ("B", 50, False), ("C", float("-inf"), False)))
IJOU = Legend((("S", 120, True), ("A", 90, True), ("B", 50, True), ("C", float("-inf"), True)))


@dataclass
class Cell:
    """One project × year as the generator decided it: numbers or None, the written grade."""

    target: float | None
    actual: float | None
    grade: str | None


@dataclass
class Doc:
    name: str
    years: tuple[int, ...]  # fiscal years with target/actual/grade
    baseline_year: int | None  # a year with 実績 only
    final_year: int | None  # a year with 目標 only
    legend: Legend
    values: dict = field(default_factory=dict)  # (project index, year) → Cell

    def all_years(self) -> list[int]:
        return sorted({*self.years, *(y for y in (self.baseline_year, self.final_year) if y)})


def make_values(doc: Doc, seed: int, edge: bool = False) -> Doc:
    """Targets and actuals; some `-` and blank cells; `edge` puts ratios exactly on 120 % and 90 %."""
    rng = random.Random(seed)
    for p, project in enumerate(PROJECTS):
        for year in doc.all_years():
            target = float(project.base + rng.randint(0, 3) * max(1, project.base // 10))
            if project.unit == "%":
                target = float(min(95, project.base + rng.randint(0, 5)))
            ratio = rng.choice((0.4, 0.5, 0.7, 0.9, 1.0, 1.1, 1.3))
            actual = float(round(target * ratio))
            if edge and p == 0 and year == doc.years[0]:
                target, actual = 10.0, 12.0  # exactly 120 %
            if edge and p == 1 and year == doc.years[0]:
                target, actual = 100.0, 90.0  # exactly 90 %
            if year == doc.baseline_year:
                target = None
            if year == doc.final_year:
                actual = None
            if rng.random() < 0.08 and year in doc.years:
                actual = None  # `-` or blank: not done yet
            if rng.random() < 0.05 and year in doc.years:
                target = None
            grade = None
            if target and actual is not None and year in doc.years:
                grade = doc.legend.grade(actual / target * 100)
            doc.values[p, year] = Cell(target, actual, grade)
    return doc


def gold_of(doc: Doc, document: str) -> dict:
    rows = []
    for p, project in enumerate(PROJECTS):
        for year in doc.all_years():
            cell = doc.values[p, year]
            rows.append({"direction": project.direction, "measure": project.measure,
                         "project": project.project, "metric": project.metric,
                         "page_ref": f"P.{project.page}", "implementer": project.implementer,
                         "fiscal_year": year, "target": cell.target, "actual": cell.actual,
                         "grade": cell.grade, "unit": project.unit})
    return {"document": document, "kind": "progress_report", "progress": rows}


def reiwa(year: int) -> int:
    return year - 2018


# --- writers --------------------------------------------------------------------------

def _box(ws, top: int, bottom: int, width: int) -> None:
    """Ruled cells (the PDF table finder reads the rulings) wide enough not to wrap:
    LibreOffice does not grow row heights for wrapped text written by openpyxl."""
    widths: dict[int, float] = {}
    for row in ws.iter_rows(min_row=top, max_row=bottom, max_col=width):
        for cell in row:
            cell.border = BOX
            cell.alignment = Alignment(vertical="center")
            text = str(cell.value) if cell.value is not None else ""
            widths[cell.column] = max(widths.get(cell.column, 6.0), 2.1 * len(text) + 2)
    for col, w in widths.items():
        ws.column_dimensions[openpyxl.utils.get_column_letter(col)].width = min(w, 48)


def _fit_page(ws) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0


def _number(ws, row: int, col: int, value: float | None, blank: str = "-", fmt: str | None = None) -> None:
    if value is None:
        ws.cell(row, col, blank or None)
        return
    cell = ws.cell(row, col, int(value) if float(value).is_integer() else value)
    if fmt:
        cell.number_format = fmt


def ditto_no_merges(doc: Doc) -> openpyxl.Workbook:
    """No merged cells; 〃 / 同上 for repeated 方向性 and 個別施策; header band from row 5 with the
    year written once over its first column (`令和 4 年度`); other column order; a 単位 column;
    plain numbers; 所管課 for the implementer; 4 fiscal years."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "進捗管理"
    ws["A1"] = "産業振興計画 事業進捗管理表"
    ws["A2"] = f"令和{reiwa(doc.years[-1]) + 1}年5月 作成"
    ws["A3"] = "※数値は年度末時点"
    labels = ["No.", "実施事業", "指標", "単位", "掲載頁", "方向性", "個別施策", "所管課"]
    width = len(labels) + 3 * len(doc.years)
    for c, text in enumerate(labels, start=1):
        ws.cell(5, c, text)
        ws.cell(6, c, None)
    for i, year in enumerate(doc.years):
        col = len(labels) + 1 + 3 * i
        ws.cell(5, col, f"令和 {reiwa(year)} 年度")
        for k, role in enumerate(("目標", "実績", "評価")):
            ws.cell(6, col + k, role)
    previous: Project | None = None
    for p, project in enumerate(PROJECTS):
        r = 7 + p
        direction = project.direction if not previous or previous.direction != project.direction else "〃"
        measure = project.measure if not previous or previous.measure != project.measure else (
            "同上" if p % 2 else "〃")
        for c, text in enumerate([p + 1, project.project, project.metric, project.unit,
                                  f"p.{project.page}", direction, measure, project.implementer], start=1):
            ws.cell(r, c, text)
        for i, year in enumerate(doc.years):
            col = len(labels) + 1 + 3 * i
            cell = doc.values[p, year]
            _number(ws, r, col, cell.target, blank="-" if p % 3 else "")
            _number(ws, r, col + 1, cell.actual, blank="-" if p % 2 else "")
            ws.cell(r, col + 2, cell.grade)
        previous = project
    last = 6 + len(PROJECTS)
    _box(ws, 5, last, width)
    legend = last + 2
    ws.cell(legend, 1, "【評価基準】")
    for k, text in enumerate(("S：目標を大きく上回る（120%～）", "A：概ね目標どおり（90～120%）",
                              "B：目標を下回る（50～90%）", "C：目標を大きく下回る（～50%）")):
        ws.cell(legend + 1 + k, 2, text)
    _fit_page(ws)
    return wb


def combined_five_years(doc: Doc) -> openpyxl.Workbook:
    """One header row combining year and role (`令和4年度_実績`, `R5目標`, `R5実績`, `R5評価`),
    5 fiscal years, units only in number formats (`#,##0"件"`, `0%`), header in row 3."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "R7進捗"
    ws["A1"] = "地域産業振興ビジョン 取組状況"
    headers = ["方向性", "個別施策", "実施事業", "実施主体"]
    columns: list[tuple[int, str]] = []
    if doc.baseline_year:
        headers.append(f"令和{reiwa(doc.baseline_year)}年度_実績")
        columns.append((doc.baseline_year, "actual"))
    for i, year in enumerate(doc.years):
        if i == 0:
            names = (f"令和{reiwa(year)}年度_年間目標", f"令和{reiwa(year)}年度_実績", f"令和{reiwa(year)}年度_評価")
        else:
            names = (f"R{reiwa(year)}目標", f"R{reiwa(year)}実績", f"R{reiwa(year)}評価")
        headers += names
        columns += [(year, "target"), (year, "actual"), (year, "grade")]
    if doc.final_year:
        headers.append(f"R{reiwa(doc.final_year)}目標")
        columns.append((doc.final_year, "target"))
    for c, text in enumerate(headers, start=1):
        ws.cell(3, c, text)
    for p, project in enumerate(PROJECTS):
        r = 4 + p
        for c, text in enumerate([project.direction, project.measure,
                                  f"{project.project}（{project.metric}）P.{project.page}",
                                  project.implementer], start=1):
            ws.cell(r, c, text)
        fmt = "0%" if project.unit == "%" else f'#,##0"{project.unit}"'
        for k, (year, role) in enumerate(columns):
            col = 5 + k
            cell = doc.values[p, year]
            if role == "grade":
                ws.cell(r, col, cell.grade)
                continue
            value = getattr(cell, role)
            if project.unit == "%" and value is not None:
                value = value / 100
            _number(ws, r, col, value, blank="" if (p + k) % 2 else "-", fmt=fmt)
    # 方向性 and 個別施策 merged down over their groups, as the fixture does
    for col, attr in ((1, "direction"), (2, "measure")):
        start = 0
        for p in range(1, len(PROJECTS) + 1):
            if p == len(PROJECTS) or getattr(PROJECTS[p], attr) != getattr(PROJECTS[start], attr):
                if p - 1 > start:
                    ws.merge_cells(start_row=4 + start, start_column=col, end_row=3 + p, end_column=col)
                start = p
    _box(ws, 3, 3 + len(PROJECTS), len(headers))
    legend = 5 + len(PROJECTS)
    ws.cell(legend, 1, "評価")
    for k, text in enumerate(("S (120%~)", "A (90~120%)", "B (50~90%)", "C (~50%)")):
        ws.cell(legend + 1 + k, 1, text[0])
        ws.cell(legend + 1 + k, 2, text[2:])
    return wb


def fullwidth_legend(doc: Doc) -> openpyxl.Workbook:
    """Full-width years (`令和５年度`), grades (`Ｓ`), some full-width text values (`１２人`);
    the legend written `１２０%以上` / `５０%以上９０%未満` / `５０%未満`; header rows 4-5 with the
    years merged over their roles; a page-reference column."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "進捗状況"
    ws["A1"] = "商工業振興計画 進捗状況（令和７年度末）".translate(FULL_WIDTH)
    labels = ["方向性", "個別施策", "実施事業", "指標", "ページ", "実施主体"]
    for c, text in enumerate(labels, start=1):
        ws.cell(4, c, text)
        ws.merge_cells(start_row=4, start_column=c, end_row=5, end_column=c)
    col = len(labels) + 1
    spans: list[tuple[int, str, int]] = []
    for year in doc.all_years():
        roles = ["年間目標", "実績", "評価"] if year in doc.years else (
            ["実績値"] if year == doc.baseline_year else ["年間目標"])
        ws.cell(4, col, f"令和{reiwa(year)}年度".translate(FULL_WIDTH))
        if len(roles) > 1:
            ws.merge_cells(start_row=4, start_column=col, end_row=4, end_column=col + len(roles) - 1)
        for k, role in enumerate(roles):
            ws.cell(5, col + k, role)
            spans.append((year, role, col + k))
        col += len(roles)
    width = col - 1
    for p, project in enumerate(PROJECTS):
        r = 6 + p
        for c, text in enumerate([project.direction, project.measure, project.project, project.metric,
                                  f"P.{project.page}".translate(FULL_WIDTH), project.implementer], start=1):
            ws.cell(r, c, text)
        for year, role, c in spans:
            cell = doc.values[p, year]
            if role == "評価":
                ws.cell(r, c, WAREKI_FULL.get(cell.grade) if cell.grade else "－")
                continue
            value = cell.target if role == "年間目標" else cell.actual
            if value is None:
                ws.cell(r, c, "－" if (p + c) % 2 else None)
            elif (p + c) % 2:
                text = f"{int(value):,}" if value >= 1000 else str(int(value))
                ws.cell(r, c, f"{text}{project.unit}".translate(FULL_WIDTH).replace(",", "，"))
            else:
                _number(ws, r, c, value, fmt=f'#,##0"{project.unit}"' if project.unit != "%" else '0"%"')
    for col_index, attr in ((1, "direction"), (2, "measure")):
        start = 0
        for p in range(1, len(PROJECTS) + 1):
            if p == len(PROJECTS) or getattr(PROJECTS[p], attr) != getattr(PROJECTS[start], attr):
                if p - 1 > start:
                    ws.merge_cells(start_row=6 + start, start_column=col_index, end_row=5 + p,
                                   end_column=col_index)
                start = p
    last = 5 + len(PROJECTS)
    _box(ws, 4, last, width)
    legend = last + 2
    ws.cell(legend, 1, "評価の目安")
    for k, (grade, text) in enumerate((("Ｓ", "達成率１２０%以上"), ("Ａ", "達成率９０%以上１２０%未満"),
                                       ("Ｂ", "達成率５０%以上９０%未満"), ("Ｃ", "達成率５０%未満"))):
        ws.cell(legend + 1 + k, 1, grade)
        ws.cell(legend + 1 + k, 2, text)
    _fit_page(ws)
    return wb


def cp932_csv(doc: Doc, path: Path) -> None:
    """A CSV in cp932: title lines, years over roles in two rows (the year written once per
    group), values as text with units (`12件`), blanks and `-`, 方向性 / 個別施策 written once
    per group, columns 実施事業, 実施主体, 方向性, 個別施策, then the years."""
    rows: list[list[str]] = [["令和7年度 商工施策 進捗一覧"], ["担当：産業振興課"], []]
    head1 = ["実施事業", "担当", "方向性", "個別施策"]
    head2 = [""] * len(head1)
    spans: list[tuple[int, str]] = []
    for year in doc.all_years():
        roles = ["目標値", "実績値", "評価"] if year in doc.years else (
            ["実績値"] if year == doc.baseline_year else ["目標値"])
        head1 += [f"R{reiwa(year)}年度"] + [""] * (len(roles) - 1)
        head2 += roles
        spans += [(year, role) for role in roles]
    rows += [head1, head2]
    previous: Project | None = None
    for p, project in enumerate(PROJECTS):
        same = previous is not None and previous.direction == project.direction
        same_measure = same and previous.measure == project.measure
        row = [f"{project.project}({project.metric}) P{project.page}", project.implementer,
               "" if same else project.direction, "" if same_measure else project.measure]
        for year, role in spans:
            cell = doc.values[p, year]
            if role == "評価":
                row.append(cell.grade or "")
                continue
            value = cell.target if role == "目標値" else cell.actual
            row.append("-" if value is None and p % 2 else "" if value is None else f"{int(value)}{project.unit}")
        rows.append(row)
        previous = project
    rows += [[], ["評価基準"], ["S", "120%~"], ["A", "90~120%"], ["B", "50~90%"], ["C", "~50%"]]
    with path.open("w", encoding="cp932", newline="") as handle:
        csv.writer(handle).writerows(rows)


def to_pdf(xlsx: Path, out_dir: Path) -> Path:
    """The workbook exported by LibreOffice, as a municipality would publish it."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(out_dir), str(xlsx)],
                       check=True, capture_output=True, timeout=180)
    return out_dir / (xlsx.stem + ".pdf")


# --- the corpus -----------------------------------------------------------------------

def build(out: Path = HERE, pdf: bool = True) -> list[Path]:
    (out / "gold").mkdir(parents=True, exist_ok=True)
    docs = {
        "synth_ditto_nomerge.xlsx": (make_values(Doc("a", (2022, 2023, 2024, 2025), None, None, TILDE), 11),
                                     ditto_no_merges),
        "synth_combined_5y.xlsx": (make_values(Doc("b", (2023, 2024, 2025), 2022, 2026, TILDE), 12),
                                   combined_five_years),
        "synth_fullwidth_legend.xlsx": (make_values(Doc("d", (2023, 2024, 2025), 2021, 2026, IJOU), 14,
                                                    edge=True), fullwidth_legend),
    }
    written = []
    for name, (doc, writer) in docs.items():
        path = out / name
        writer(doc).save(path)
        written.append(path)
        (out / "gold" / f"{name}.json").write_text(
            json.dumps(gold_of(doc, name), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    csv_doc = make_values(Doc("c", (2023, 2024, 2025), None, 2026, TILDE), 13)
    csv_path = out / "synth_cp932.csv"
    cp932_csv(csv_doc, csv_path)
    written.append(csv_path)
    (out / "gold" / "synth_cp932.csv.json").write_text(
        json.dumps(gold_of(csv_doc, csv_path.name), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if pdf and shutil.which("soffice"):
        for name in ("synth_ditto_nomerge.xlsx", "synth_fullwidth_legend.xlsx"):
            exported = to_pdf(out / name, out)
            written.append(exported)
            gold = json.loads((out / "gold" / f"{name}.json").read_text(encoding="utf-8"))
            gold["document"] = exported.name
            (out / "gold" / f"{exported.name}.json").write_text(
                json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return written


if __name__ == "__main__":
    for path in build():
        print(path.relative_to(HERE.parents[1]))
