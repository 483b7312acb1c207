"""Documents carrying spreadsheet-formula payloads, made deterministically (issue #17).

Text from a document that starts with `=`, `+`, `-` or `@` must reach every export as the
same text, never as a live formula: a plan whose 目標 table labels are payloads, saved
under the file name `=1+1.pdf`, and a progress workbook whose 実施事業 cells are payloads.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import pymupdf

ROOT = Path(__file__).resolve().parent.parent
PROGRESS_FIXTURE = ROOT / "data" / "raw" / "akiruno_progress_r7.xlsx"

PLAN_FILE_NAME = "=1+1.pdf"
PLAN_PAYLOADS = ['=HYPERLINK("http://x","click")', "+SUM(1,2)件数", "@SUM(3)回数"]
PROGRESS_PAYLOADS = ["=cmd|' /C calc'!A0", "-2+3事業", "=1+1"]
YEARS = ["令和7年度", "令和8年度", "令和9年度", "令和10年度"]
COLS = [40, 250, 305, 365, 425, 485]


def _page(doc, lines) -> None:
    page = doc.new_page(width=595, height=842)
    for x, y, text, size in lines:
        # Latin in Helvetica, Japanese in the CJK font (which draws Latin full-width)
        for run in re.findall(r"[\x20-\x7e]+|[^\x20-\x7e]+", text):
            latin = run[0] <= "~"
            font = "helv" if latin else "japan"
            page.insert_text((x, y), run, fontname=font, fontsize=size)
            x += pymupdf.get_text_length(run, fontname=font, fontsize=size) if latin else size * len(run)


def write_plan(folder: Path) -> Path:
    """A short 経営発達支援計画 whose 目標 table rows are labelled with payloads."""
    doc = pymupdf.open()
    _page(doc, [(60, 80, "経営発達支援計画の概要", 14), (60, 110, "実施者名 ○○商工会議所", 10.5),
                (60, 130, "実施期間 令和7年4月1日～令和12年3月31日", 10.5)])
    lines = [(60, 80, "Ⅰ．経営発達支援事業の内容", 12), (60, 110, "３．経営状況の分析に関すること", 10.5),
             (60, 132, "（目標）", 10.5)]
    y = 154
    lines += [(x, y, text, 8) for x, text in zip(COLS, ["項目", "現行", *YEARS])]
    for i, label in enumerate(PLAN_PAYLOADS):
        y += 18
        lines += [(x, y, text, 8) for x, text in zip(COLS, [label, *[str(10 * (i + 1) + k) for k in range(5)]])]
    lines += [(60, y + 40, "（事業内容）", 10.5), (60, y + 62, "地域の小規模事業者の経営状況の分析を行う。", 10.5)]
    _page(doc, lines)
    target = folder / PLAN_FILE_NAME
    doc.save(target)
    return target


def write_progress(folder: Path) -> Path:
    """The fixture progress workbook with its first 実施事業 cells replaced by payloads."""
    target = folder / "payload_progress.xlsx"
    shutil.copyfile(PROGRESS_FIXTURE, target)
    workbook = openpyxl.load_workbook(target)
    sheet = workbook.worksheets[0]
    header = next(c for row in sheet.iter_rows() for c in row if c.value == "実施事業")
    replaced = 0
    for row in range(header.row + 1, sheet.max_row + 1):
        cell = sheet.cell(row=row, column=header.column)
        if isinstance(cell.value, str) and cell.value.strip() and replaced < len(PROGRESS_PAYLOADS):
            cell.value = PROGRESS_PAYLOADS[replaced]
            cell.data_type = "s"  # openpyxl would store text starting with "=" as a formula
            replaced += 1
    assert replaced == len(PROGRESS_PAYLOADS)
    workbook.save(target)
    return target


def write_all(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [write_plan(folder), write_progress(folder)]
