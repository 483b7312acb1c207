"""Stream tables: target and budget tables drawn without rulings (columns aligned by position only).

The PDFs are generated here with pymupdf (`insert_text` at column positions, no
drawings), so nothing but word positions says where the cells are.
"""
from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from extractors.layout import stream as stages
from extractors.layout.pdf import LayoutSettings, Table, read_pdf_layout
from pipeline.extract import extract_file

import builders as b

YEARS = ["令和7年度", "令和8年度", "令和9年度", "令和10年度", "令和11年度"]
COLS = [60, 200, 255, 320, 385, 450, 515]          # x of each column's text: label, 現行, 5 years
METRICS = {                                           # metric → (現行, R7 … R11) as printed
    "セミナー開催回数": ["2回", "3回", "3回", "4回", "4回", "5回"],
    "巡回訪問件数": ["120", "150", "150", "160", "170", "180"],
    "新規創業者数": ["1者", "2者", "2者", "3者", "3者", "3者"],
}
BUDGET = {"必要な資金の額": ["1,000", "1,100", "1,200", "1,300", "1,400"]}


def _page(doc, lines) -> None:
    page = doc.new_page(width=595, height=842)
    for x, y, text, size in lines:
        page.insert_text((x, y), text, fontname="japan", fontsize=size)


def _table_lines(y: float, header: list[str], rows: dict[str, list[str]], step: float = 18) -> list[tuple]:
    lines = [(x, y, text, 9) for x, text in zip(COLS, header)]
    for label, cells in rows.items():
        y += step
        lines += [(x, y, text, 9) for x, text in zip(COLS, [label, *cells])]
    return lines


def write_plan(path: Path) -> Path:
    """An overview page, a 目標 table without rulings (with a note under it), an unruled 別表3 budget."""
    doc = pymupdf.open()
    _page(doc, [(60, 80, "経営発達支援計画の概要", 14), (60, 110, "実施者名 ○○商工会議所", 10.5),
                (60, 130, "実施期間 令和7年4月1日～令和12年3月31日", 10.5)])
    _page(doc, [(60, 80, "Ⅰ．経営発達支援事業の内容", 12), (60, 110, "３．経営状況の分析に関すること", 10.5),
                (60, 132, "（目標）", 10.5),
                *_table_lines(154, ["項目", "現行", *YEARS], METRICS),
                (60, 240, "※現状は令和5年度の実績", 9),
                (60, 270, "（事業内容）", 10.5),
                (60, 292, "地域の小規模事業者を巡回し、経営状況の分析を行う。", 10.5),
                (60, 330, "４．需要動向調査に関すること", 10.5),
                (60, 352, "地域の消費者の需要を調査し、小規模事業者に提供する。", 10.5)])
    _page(doc, [(60, 80, "（別表３）", 12), (60, 110, "経営発達支援事業の実施に必要な資金の額及びその調達方法", 10.5),
                (450, 132, "（単位：千円）", 9),
                *_table_lines(154, ["", *YEARS], BUDGET)])
    doc.save(path)
    return path


def write_prose(path: Path) -> Path:
    """Prose naming fiscal years (with spaces between words), a list, no table."""
    doc = pymupdf.open()
    _page(doc, [(60, 80, "計画期間は 令和7年度 から 令和11年度 までの5年間とする。", 10.5),
                (60, 100, "令和5年度 の実績は 120件、令和6年度 は 150件 であった。", 10.5),
                (60, 120, "・セミナー開催 令和7年度 3回", 10.5),
                (60, 140, "・巡回訪問 令和8年度 150件", 10.5),
                (60, 170, "当所はこれまで小規模事業者の経営状況の分析を行ってきたが、今後は令和7年度から", 10.5),
                (60, 190, "令和11年度にかけて支援の質を高める。", 10.5)])
    doc.save(path)
    return path


@pytest.fixture(scope="module")
def plan_pdf(tmp_path_factory) -> Path:
    return write_plan(tmp_path_factory.mktemp("stream") / "stream_plan.pdf")


def test_unruled_target_table_becomes_a_stream_table(plan_pdf):
    layout = read_pdf_layout(plan_pdf)
    (table,) = layout.pages[1].tables
    assert table.method == "stream" and table.report["method"] == "stream"
    assert (table.n_rows, table.n_cols) == (1 + len(METRICS), 7)
    assert table.rows_text()[0] == ["項目", "現行", *YEARS]
    assert table.rows_text()[1] == ["セミナー開催回数", *METRICS["セミナー開催回数"]]
    assert table.report["words_outside_cells"] == table.report["words_straddling_cells"] == 0
    # The heading above and the note below stay outside the grid.
    texts = {c.text for c in table.cells}
    assert "（目標）" not in texts and not any("現状は" in t for t in texts)


def test_targets_come_out_of_the_unruled_table(plan_pdf):
    extraction = extract_file(plan_pdf)
    got = {(t.metric, t.fiscal_year, t.is_baseline, t.value) for t in extraction.targets}
    periods = [(2023, True)] + [(year, False) for year in range(2025, 2030)]  # 現行 dated by the note
    want = {(metric, year, baseline, float("".join(ch for ch in cell if ch.isdigit())))
            for metric, cells in METRICS.items() for (year, baseline), cell in zip(periods, cells)}
    assert got == want
    assert {t.section_no for t in extraction.targets} == {"3"}
    assert all(t.page == 2 and t.bbox is not None for t in extraction.targets)


def test_budget_comes_out_of_the_unruled_table(plan_pdf):
    extraction = extract_file(plan_pdf)
    got = {(b.fiscal_year, b.amount_thousand_yen) for b in extraction.budgets if b.item == "必要な資金の額"}
    assert got == {(year, int(cell.replace(",", "")))
                   for year, cell in zip(range(2025, 2030), BUDGET["必要な資金の額"])}


def test_prose_with_years_has_no_stream_table(tmp_path):
    layout = read_pdf_layout(write_prose(tmp_path / "prose.pdf"))
    assert layout.pages[0].tables == ()


def test_header_without_label_cell_and_spaced_years():
    # `令 和 7 年 度` printed with spaces, no 項目 over the labels: the label column is left of 現行.
    header = [(200, "現行")] + [(x + 13 * k, ch) for x, year in ((260, "7"), (360, "8"))
                                for k, ch in enumerate(["令", "和", year, "年", "度"])]
    words = b.words([(100, header), (120, [(60, "相談件数"), (200, "10"), (270, "12"), (370, "14")]),
                    (140, [(60, "成約件数"), (200, "2"), (270, "3"), (370, "4")])])
    (table,) = stages.stream_tables(1, words, [], LayoutSettings())
    assert table.rows_text() == [["", "現行", "令 和 7 年 度", "令 和 8 年 度"],
                                 ["相談件数", "10", "12", "14"], ["成約件数", "2", "3", "4"]]


def test_rows_inside_a_ruled_table_are_left_to_it():
    words = b.words([(100, [(60, "項目"), (200, "令和7年度"), (300, "令和8年度")]),
                    (120, [(60, "相談件数"), (200, "12"), (300, "14")])])
    ruled = Table(page=1, bbox=(50, 95, 400, 135), cells=(), n_rows=2, n_cols=3)
    assert stages.stream_tables(1, words, [ruled], LayoutSettings()) == []
    assert len(stages.stream_tables(1, words, [], LayoutSettings())) == 1


def test_a_row_that_does_not_line_up_ends_the_table():
    words = b.words([(100, [(60, "項目"), (200, "令和7年度"), (300, "令和8年度")]),
                    (120, [(60, "相談件数"), (200, "12"), (300, "14")]),
                    (140, [(60, "この表は令和7年度から令和8年度までの目標を示す")])])
    (table,) = stages.stream_tables(1, words, [], LayoutSettings())
    assert table.n_rows == 2 and table.bbox[3] == 130


def test_stream_tables_can_be_switched_off(plan_pdf):
    layout = read_pdf_layout(plan_pdf, LayoutSettings(stream_tables=False))
    assert layout.pages[1].tables == ()


def test_a_label_with_a_gap_inside_is_one_cell():
    words = b.words([(100, [(60, "項目"), (200, "令和7年度"), (300, "令和8年度")]),
                    (120, [(60, "①"), (90, "相談件数"), (200, "12"), (300, "14")])])
    (table,) = stages.stream_tables(1, words, [], LayoutSettings())
    assert table.rows_text()[1] == ["① 相談件数", "12", "14"]


def test_a_ruled_table_under_the_header_ends_the_stream_table():
    words = b.words([(100, [(60, "項目"), (200, "令和7年度"), (300, "令和8年度")]),
                    (120, [(60, "相談件数"), (200, "12"), (300, "14")]),
                    (140, [(60, "成約件数"), (200, "2"), (300, "3")])])
    ruled = Table(page=1, bbox=(50, 137, 400, 155), cells=(), n_rows=1, n_cols=3)
    (table,) = stages.stream_tables(1, words, [ruled], LayoutSettings())
    assert table.n_rows == 2 and table.bbox[3] < ruled.bbox[1]
