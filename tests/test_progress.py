"""Progress sheets: the fixture xlsx, its .xls/.ods copies, CSV and rebuilt layouts."""
from __future__ import annotations

import json
import random
from pathlib import Path

import openpyxl
import pytest

from extractors.base import registered
from pipeline.views import PROGRESS_VS_PLAN_VIEW_SQL
from extractors.kinds.progress import (
    ProgressReportExtractor,
    header_role,
    read_progress,
    split_project,
)
from extractors.layout.workbook import (
    WorkbookTooLargeError,
    format_number,
    layout_from_openpyxl,
    read_workbook,
)

ROOT = Path(__file__).resolve().parents[1]
XLSX = ROOT / "data/raw/akiruno_progress_r7.xlsx"
GOLD = ROOT / "tests/fixtures/gold/akiruno_progress_r7.xlsx.json"
GOLD_KEYS = ("direction", "measure", "project", "metric", "page_ref", "implementer",
             "fiscal_year", "target", "actual", "grade", "unit")
PROVENANCE = {"sheet", "cell", "page", "bbox", "source"}


def content(rows) -> list[dict]:
    """Rows without provenance, for comparing one table read from different files."""
    return [r.model_dump(exclude=PROVENANCE) for r in rows]


@pytest.fixture(scope="module")
def xlsx_rows():
    return [e.row for e in read_progress(read_workbook(XLSX))]


def test_xlsx_matches_gold(xlsx_rows):
    gold = json.loads(GOLD.read_text(encoding="utf-8"))["progress"]
    got = [{k: getattr(r, k) for k in GOLD_KEYS} for r in xlsx_rows]
    assert got == [{k: g[k] for k in GOLD_KEYS} for g in gold]


def test_xlsx_provenance_and_units(xlsx_rows):
    first = {(r.project, r.fiscal_year): r for r in xlsx_rows}
    seminar = first[("事業承継セミナー", 2023)]
    # H5 holds 20 with the unit only in its number format #,##0"人"
    assert (seminar.sheet, seminar.cell, seminar.target, seminar.unit) == ("進捗状況", "H5", 20.0, "人")
    # N5 is the text 45人
    assert first[("事業承継セミナー", 2025)].cell == "N5"
    assert first[("事業承継セミナー", 2025)].target == 45.0
    assert first[("地域マップの作成", 2025)].actual == 23000.0
    # a project with '-' in 令和3年度 still has its 2021 row, all null, with the row's unit
    marche = first[("経営支援セミナー【新規事業】", 2021)]
    assert (marche.actual, marche.target, marche.unit) == (None, None, "人")
    assert all(r.sheet and r.cell for r in xlsx_rows)


@pytest.mark.parametrize("name", ["akiruno_progress_r7.xls", "akiruno_progress_r7.ods"])
def test_xls_and_ods_give_the_same_rows(name, xlsx_rows):
    rows = [e.row for e in read_progress(read_workbook(ROOT / "tests/data" / name))]
    assert content(rows) == content(xlsx_rows)
    assert rows[1].cell == "H5"


def _fixture_table() -> list[list[str]]:
    """The fixture's progress table as display texts (header rows and body), no merges."""
    sheet = read_workbook(XLSX).sheets[0]
    table = [[""] * sheet.n_cols for _ in range(sheet.n_rows)]
    for cell in sheet.cells:
        table[cell.row - 1][cell.col - 1] = cell.text
    header_top = next(i for i, row in enumerate(table) if "方向性" in row)
    end = next(i for i in range(header_top + 2, len(table)) if not any(table[i]))
    return table[header_top:end]


def _reordered(table: list[list[str]], order: list[int]) -> list[list[str]]:
    return [[row[c] for c in order] for row in table]


def _column_order(table: list[list[str]], seed: int) -> list[int]:
    """Descriptive columns reversed, year groups shuffled, roles inside a group shuffled."""
    years = table[0]
    groups: list[list[int]] = []
    for c in range(len(years)):
        if not table[1][c] or table[1][c] == table[0][c]:
            continue
        if years[c]:
            groups.append([c])
        else:
            groups[-1].append(c)
    value_cols = {c for g in groups for c in g}
    labels = [c for c in range(len(years)) if c not in value_cols]
    rng = random.Random(seed)
    rng.shuffle(groups)
    order = list(reversed(labels))
    for group in groups:
        head, rest = group[0], group[1:]
        rng.shuffle(rest)
        order += [head] + rest  # the year text stays on the group's first column
    return order


def _sheet_from(rows: list[list[str]], blank_rows: int = 2):
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "進捗"
    for r, row in enumerate(rows, start=blank_rows + 1):
        for c, text in enumerate(row, start=1):
            if text:
                ws.cell(row=r, column=c, value=text)
    return workbook


def test_other_column_order_no_merges_blank_rows_text_values(xlsx_rows):
    table = _fixture_table()
    # the label of a vertically merged group only on its first row, like the unmerged sheet
    for c in range(len(table[0])):
        if table[0][c] and table[0][c] == table[1][c]:
            table[1][c] = ""
    body = table[2:]
    for c in range(2):  # 方向性, 個別施策 written once per group
        for r in range(len(body) - 1, 0, -1):
            if body[r][c] == body[r - 1][c]:
                body[r][c] = ""
    workbook = _sheet_from(_reordered(table, _column_order(table, seed=7)))
    layout = layout_from_openpyxl(workbook)
    assert not layout.sheets[0].merged
    assert all(isinstance(c.value, str) for c in layout.sheets[0].cells)
    rows = [e.row for e in read_progress(layout)]
    key = lambda r: (r["project"], r["fiscal_year"])  # noqa: E731
    assert sorted(content(rows), key=key) == sorted(content(xlsx_rows), key=key)
    assert ProgressReportExtractor().detect(layout) > 0.5


def test_single_row_combined_headers(xlsx_rows):
    table = _fixture_table()
    year = ""
    combined = []
    for c in range(len(table[0])):
        year = table[0][c] or year if table[1][c] != table[0][c] else ""
        combined.append(f"{year}_{table[1][c]}" if year else table[0][c])
    rows_in = [combined] + table[2:]
    order = list(range(len(combined)))
    random.Random(3).shuffle(order)
    workbook = _sheet_from(_reordered(rows_in, order), blank_rows=0)
    workbook.active.insert_rows(1, 2)
    workbook.active["A1"] = "進捗状況まとめ 令和5年度～"
    rows = [e.row for e in read_progress(layout_from_openpyxl(workbook))]
    key = lambda r: (r["project"], r["fiscal_year"])  # noqa: E731
    assert sorted(content(rows), key=key) == sorted(content(xlsx_rows), key=key)


@pytest.mark.parametrize("encoding", ["cp932", "utf-8-sig"])
def test_csv_encodings(tmp_path, encoding, xlsx_rows):
    import csv

    table = _fixture_table()
    path = tmp_path / "progress.csv"
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["進捗状況まとめ"])
        writer.writerow([])
        writer.writerows(table)
    layout = read_workbook(path)
    assert layout.metadata["encoding"] == encoding
    rows = [e.row for e in read_progress(layout)]
    assert content(rows) == content(xlsx_rows)
    assert rows[0].cell == "G5"  # two title rows, then the header from row 3


def test_size_guard():
    from extractors.layout.workbook import WorkbookSettings

    with pytest.raises(WorkbookTooLargeError, match="cells"):
        read_workbook(XLSX, WorkbookSettings(max_cells=100))
    with pytest.raises(WorkbookTooLargeError, match="uncompressed"):
        read_workbook(XLSX, WorkbookSettings(max_uncompressed_bytes=1000))


def test_header_roles():
    assert header_role("年間目標") == ("target", None)
    assert header_role("令和5年度_年間目標") == ("target", 2023)
    assert header_role("実績（R6）") == ("actual", 2024)
    assert header_role("評価") == ("grade", None)
    assert header_role("目標とする姿(令和8年度)") == (None, None)
    assert header_role("実施状況・課題(令和7年度)") == (None, None)


def test_split_project():
    label = split_project("事業承継セミナー(参加者数) P.33")
    assert (label.project, label.metric, label.page_ref) == ("事業承継セミナー", "参加者数", "P.33")
    label = split_project("経営支援セミナー【新規事業】（参加者数）\nＰ．３５")
    assert (label.project, label.metric, label.page_ref) == ("経営支援セミナー【新規事業】", "参加者数", "P.35")
    assert split_project("まちゼミ").project == "まちゼミ"


def test_number_formats():
    assert format_number(28000, '#,##0"部"') == "28,000部"
    assert format_number(1, '0"回"') == "1回"
    assert format_number(0.625, "0.0%") == "62.5%"
    # a quoted "%" is a unit written after the number, not a percent format: no scaling
    assert format_number(93, '0"%"') == "93%"
    assert format_number(5, "0\\%") == "5%"


def test_registered_and_extracts():
    extractor = registered()["progress_report"]
    layout = read_workbook(XLSX)
    assert extractor.detect(layout) > 0.5
    extraction = extractor.extract(layout)
    assert extraction.kind == "progress_report" and len(extraction.progress) == 70
    assert extraction.findings == []


def test_view_sql_is_a_view():
    assert "CREATE OR REPLACE VIEW progress_vs_plan" in PROGRESS_VS_PLAN_VIEW_SQL


def test_years_under_roles_separate_columns_dittos_full_width():
    """年間目標 / 実績 / 評価 over Ｒ５ Ｒ６, spaced headers, 指標 / 単位 / ページ columns, 〃."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append(["実施状況一覧"])
    ws.append([])
    ws.append(["方 向 性", "施 策", "事業名", "指標", "単位", "掲載ページ",
               "年間目標", None, "実 績", None, "評 価", None])
    ws.append([None] * 6 + ["Ｒ５", "Ｒ６", "Ｒ５", "Ｒ６", "Ｒ５", "Ｒ６"])
    ws.append(["方向A", "施策X", "セミナー", "参加者数", "人", "１２", "２０", "３０", "１０", "－", "Ｃ", None])
    ws.append(["〃", "〃", "相談会", "相談件数", "件", "13", 10, 10, 9, 12, "B", "A"])
    ws.append([])
    ws.append(["※評価は年度末に記入"])
    rows = [e.row for e in read_progress(layout_from_openpyxl(workbook))]
    got = [(r.direction, r.measure, r.project, r.metric, r.unit, r.page_ref, r.fiscal_year,
            r.target, r.actual, r.grade, r.grade_computed, r.cell) for r in rows]
    assert got == [
        ("方向A", "施策X", "セミナー", "参加者数", "人", "P.12", 2023, 20.0, 10.0, "C", "C", "G5"),
        ("方向A", "施策X", "セミナー", "参加者数", "人", "P.12", 2024, 30.0, None, None, None, "H5"),
        ("方向A", "施策X", "相談会", "相談件数", "件", "P.13", 2023, 10.0, 9.0, "B", "B", "G6"),
        ("方向A", "施策X", "相談会", "相談件数", "件", "P.13", 2024, 10.0, 12.0, "A", "A", "H6"),
    ]


def test_unreadable_files(tmp_path):
    from extractors.layout.workbook import WorkbookReadError

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(WorkbookReadError):
        read_workbook(broken)
    with pytest.raises(WorkbookReadError):
        read_workbook(tmp_path / "notes.docx")


def test_detect_without_grade_column_in_a_workbook():
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append(["実施事業", "令和5年度目標", "令和5年度実績"])
    ws.append(["セミナー(参加者数)", "20人", "18人"])
    layout = layout_from_openpyxl(workbook)
    assert 0.5 < ProgressReportExtractor().detect(layout) < 0.95
    rows = [e.row for e in read_progress(layout)]
    assert [(r.project, r.metric, r.fiscal_year, r.target, r.actual, r.grade_computed) for r in rows] == [
        ("セミナー", "参加者数", 2023, 20.0, 18.0, "B")]
