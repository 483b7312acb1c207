"""PDF layout layer: words, lines, ruled table grids, errors."""
from __future__ import annotations

from pathlib import Path

import pdfplumber
import pymupdf
import pytest

from extractors.layout import rulings as stages
from extractors.layout.pdf import (CorruptPdfError, EncryptedPdfError, LayoutSettings, PdfLayout,
                                   read_pdf_layout)

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"
PDFS = ["ome_cci_2023.pdf", "rumoi_cci_2025.pdf", "akiruno_promotion_plan_ch3.pdf", "akiruno_progress_r7.pdf"]


@pytest.fixture(scope="module")
def layouts() -> dict[str, PdfLayout]:
    return {name: read_pdf_layout(RAW / name) for name in PDFS}


def table_containing(layout: PdfLayout, text: str):
    return next(t for p in layout.pages for t in p.tables if any(text in c.text for c in t.cells))


def test_pages_words_and_lines(layouts):
    ome = layouts["ome_cci_2023.pdf"]
    assert len(ome.pages) == 16
    assert all(p.has_text_layer for p in ome.pages)
    first = ome.pages[0]
    assert first.number == 1 and first.width == pytest.approx(595.3, abs=0.1)
    assert first.lines[0].text == "経営発達支援計画の概要"
    assert all(w.page == 1 for w in first.words)
    assert "TEL:0428-23-0111 FAX:0428-23-1122 e-mail:soudan@omecci.jp" in first.text
    assert "(別表 3)" in ome.text


def test_overview_table_cells_wrap_over_lines(layouts):
    table = table_containing(layouts["ome_cci_2023.pdf"], "実施期間")
    assert (table.n_rows, table.n_cols, table.method) == (5, 2, "rulings")
    rows = table.rows_text()
    assert rows[0][0] == "実施者名 (法人番\n号)"
    assert rows[0][1].split("\n") == ["青梅商工会議所（法人番号 3013105001132）",
                                      "青梅市（地方公共団体コード 132055）",
                                      "奥多摩町（地方公共団体コード 133086）"]
    assert rows[1] == ["実施期間", "2023/04/01 ～ 2026/03/31"]
    assert table.report["words_outside_cells"] == 0 and table.report["n_cells"] == 10


def test_budget_table_grid(layouts):
    table = table_containing(layouts["rumoi_cci_2025.pdf"], "セミナー等開催費")
    assert table.rows_text() == [
        ["", "令和7 年度", "令和8 年度", "令和9 年度", "令和10 年度", "令和11 年度"],
        ["必要な資金の額"] + ["2,000"] * 5,
        ["セミナー等開催費"] + ["800"] * 5,
        ["新たな需要開拓"] + ["500"] * 5,
        ["BIZ ミル利用料"] + ["300"] * 5,
        ["専門家派遣"] + ["400"] * 5,
    ]
    cell = table.grid()[1][1]
    assert cell.bbox[0] < cell.bbox[2] and cell.bbox[1] < cell.bbox[3]


def test_merged_header_cells_in_promotion_plan(layouts):
    merged = [c for p in layouts["akiruno_promotion_plan_ch3.pdf"].pages for t in p.tables
              for c in t.cells if c.row_span > 1 or c.col_span > 1]
    assert merged, "the promotion plan's target tables have merged header cells"
    for page in layouts["akiruno_promotion_plan_ch3.pdf"].pages:
        for table in page.tables:
            grid = table.grid()
            for cell in table.cells:  # a merged cell stands in every slot it covers
                for r in range(cell.row, cell.row + cell.row_span):
                    for c in range(cell.col, cell.col + cell.col_span):
                        assert grid[r][c] is cell


def test_ruling_path_matches_pdfplumber(layouts):
    settings = LayoutSettings()
    compared = 0
    for name, layout in layouts.items():
        with pdfplumber.open(RAW / name) as pdf:
            for page in layout.pages:
                reference = stages.tables_from_pdfplumber(pdf.pages[page.number - 1], page.number, page.words,
                                                          settings)
                assert [t.rows_text() for t in page.tables] == [t.rows_text() for t in reference], (name, page.number)
                compared += len(reference)
    assert compared >= 30


def _grid_pdf(path: Path, merge_right_of_first: bool) -> None:
    """3×3 grid; optionally the vertical ruling inside the first row's first two cells is missing."""
    doc = pymupdf.open()
    page = doc.new_page(width=300, height=300)
    xs, ys = [50, 120, 190, 260], [50, 80, 110, 140]
    for y in ys:
        page.draw_line((xs[0], y), (xs[-1], y), width=0.5)
    for i, x in enumerate(xs):
        if merge_right_of_first and i == 1:
            page.draw_line((x, ys[1]), (x, ys[-1]), width=0.5)
        else:
            page.draw_line((x, ys[0]), (x, ys[-1]), width=0.5)
    for r in range(3):
        for c in range(3):
            if merge_right_of_first and r == 0 and c == 1:
                continue
            page.insert_text((xs[c] + 5, ys[r] + 18), f"r{r}c{c}", fontsize=9)
    page.insert_text((xs[0] + 5, ys[0] + 27), "more", fontsize=7)
    doc.save(path)


def test_merged_cell_from_missing_ruling(tmp_path):
    path = tmp_path / "grid.pdf"
    _grid_pdf(path, merge_right_of_first=True)
    (table,) = read_pdf_layout(path).pages[0].tables
    assert (table.n_rows, table.n_cols) == (3, 3)
    first = table.grid()[0][0]
    assert (first.row_span, first.col_span) == (1, 2) and first.text == "r0c0\nmore"
    assert table.rows_text()[0] == ["r0c0\nmore", "r0c0\nmore", "r0c2"]
    assert table.rows_text()[2] == ["r2c0", "r2c1", "r2c2"]
    assert table.report["merged_cells"] == 1 and table.report["words_outside_cells"] == 0


def test_encrypted_pdf_raises(tmp_path):
    path = tmp_path / "locked.pdf"
    doc = pymupdf.open()
    doc.new_page().insert_text((50, 50), "secret")
    doc.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="u", owner_pw="o")
    with pytest.raises(EncryptedPdfError):
        read_pdf_layout(path)


def test_not_a_pdf_raises(tmp_path):
    path = tmp_path / "fake.pdf"
    path.write_bytes(b"this is not a pdf at all")
    with pytest.raises(CorruptPdfError):
        read_pdf_layout(path)
    with pytest.raises(CorruptPdfError):
        read_pdf_layout(tmp_path / "missing.pdf")


def test_scanned_page_has_no_text_layer(tmp_path):
    path = tmp_path / "scan.pdf"
    doc = pymupdf.open()
    page = doc.new_page(width=200, height=200)
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 20, 20), False)
    pix.clear_with(200)
    page.insert_image(pymupdf.Rect(10, 10, 190, 190), pixmap=pix)
    doc.new_page().insert_text((50, 50), "text page")
    doc.save(path)
    layout = read_pdf_layout(path)
    assert [p.has_text_layer for p in layout.pages] == [False, True]
    assert layout.pages[0].words == () and layout.pages[0].tables == ()


def test_drawings_are_read_only_where_paths_are_painted(tmp_path, monkeypatch):
    """A page without vector paths is read for text only; a grid drawn in a form XObject or
    by annotations is still found, and words and lines are those of a plain text read."""
    grid = tmp_path / "grid.pdf"
    _grid_pdf(grid, merge_right_of_first=False)
    doc = pymupdf.open()
    doc.new_page(width=300, height=300).insert_text((50, 50), "text only")
    doc.new_page(width=300, height=300).show_pdf_page(pymupdf.Rect(0, 0, 300, 300), pymupdf.open(grid), 0)
    page = doc.new_page(width=300, height=300)
    for y in (50, 80, 110):
        page.add_line_annot((50, y), (190, y))
    for x in (50, 120, 190):
        page.add_line_annot((x, 50), (x, 110))
    page.insert_text((55, 68), "a1", fontsize=9)
    page.insert_text((125, 98), "b2", fontsize=9)
    path = tmp_path / "mixed.pdf"
    doc.save(path)

    read = []
    original = pymupdf.Page.get_cdrawings
    monkeypatch.setattr(pymupdf.Page, "get_cdrawings", lambda page, *a, **k: read.append(page.number) or original(page, *a, **k))
    layout = read_pdf_layout(path)
    assert read == [1, 2]
    assert layout.pages[0].tables == () and layout.pages[0].lines[0].text == "text only"
    assert layout.pages[1].tables[0].rows_text()[0] == ["r0c0\nmore", "r0c1", "r0c2"]
    assert layout.pages[2].tables[0].rows_text() == [["a1", ""], ["", "b2"]]
    for p, pdf_page in zip(layout.pages, pymupdf.open(path)):
        assert [(w.text, w.bbox) for w in p.words] == [tuple(w[4:5]) + (tuple(w[:4]),) for w in pdf_page.get_text("words")]


@pytest.mark.parametrize("name", PDFS)
def test_vector_path_check_never_skips_a_page_with_drawings(name, layouts):
    """The text read that also collects vector paths gives the lines of a plain word read."""
    from extractors.layout.pdf import _text_flags, has_vector_paths

    for page, read in zip(pymupdf.open(RAW / name), layouts[name].pages):
        if page.get_cdrawings():
            assert has_vector_paths(page.get_textpage(flags=_text_flags())), (name, page.number)
        plain: dict[tuple[int, int], list[str]] = {}
        for w in page.get_text("words", sort=False):
            plain.setdefault((w[5], w[6]), []).append(w[4])
        assert [line.text for line in read.lines] == [" ".join(texts) for texts in plain.values()]


def test_per_layout_memo_answers_once_and_keeps_no_document_alive():
    import gc
    import weakref

    from extractors.layout.pdf import per_layout

    calls = []

    @per_layout
    def pages_of(layout, offset):
        calls.append(offset)
        return [p.number + offset for p in layout.pages]

    layout = read_pdf_layout(RAW / "akiruno_progress_r7.pdf")
    assert pages_of(layout, 1) == pages_of(layout, 1) == [2] and calls == [1]
    assert pages_of(layout, 2) == [3] and calls == [1, 2]
    other = read_pdf_layout(RAW / "akiruno_progress_r7.pdf")
    assert pages_of(other, 1) == [2] and calls == [1, 2, 1]  # equal but another document: asked again
    gone = weakref.ref(other)
    del other
    gc.collect()
    assert gone() is None


# --- geometry helpers of the layout model -------------------------------------------------

def test_visual_rows_group_by_y_within_tolerance_and_order_left_to_right():
    from extractors.layout.model import Word, visual_rows

    words = [Word("b", (50, 10, 60, 20), 1), Word("a", (10, 11, 20, 21), 1), Word("c", (10, 30, 20, 40), 1),
             Word("d", (30, 33.5, 40, 43.5), 1)]
    top = lambda w: w.bbox[1]  # noqa: E731
    assert [[w.text for w in row] for row in visual_rows(words, top, 2.0)] == [["a", "b"], ["c"], ["d"]]
    assert [[w.text for w in row] for row in visual_rows(words, top, lambda w: 4.0)] == [["a", "b"], ["c", "d"]]


def test_centre_in_and_box_within():
    from extractors.layout.model import box_within, centre_in

    cell = (0, 0, 100, 20)
    assert centre_in((80, 5, 115, 15), cell)          # sticks out, centre (97.5) inside
    assert not centre_in((95, 5, 130, 15), cell)      # centre at 112.5
    assert not box_within((90, 5, 130, 15), cell)
    assert box_within((-0.5, 0, 100.5, 20), cell, slack=1.0) and not box_within((-0.5, 0, 100, 20), cell)
