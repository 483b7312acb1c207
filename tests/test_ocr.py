"""Scanned pages: rulings from the raster, words from Tesseract, values with source = 'ocr'."""
from __future__ import annotations

import numpy as np
import pymupdf
import pytest
from hypothesis import given, settings, strategies as st

import difflib
import json
import socket
import sys
from pathlib import Path

from extractors.layout import ocr, pdf
from extractors.layout.ocr import OcrSettings, clean_ocr_word, fix_glyphs, join_cjk_spacing, raster_rulings
from pipeline.extract import extract_file

from conftest import OME_PLAN, RUMOI_PLAN

sys.path.insert(0, str(Path(__file__).parent / "scans"))
import make_scans  # noqa: E402


def scan_pages(source, target, pages: set[int], dpi: int = 200):
    """A copy of `source` whose given 0-based pages are replaced by their raster image."""
    src = pymupdf.open(source)
    out = pymupdf.open()
    for index, page in enumerate(src):
        if index in pages:
            new = out.new_page(width=page.rect.width, height=page.rect.height)
            new.insert_image(new.rect, pixmap=page.get_pixmap(dpi=dpi))
        else:
            out.insert_pdf(src, from_page=index, to_page=index)
    out.save(target)
    return target


def budget_page_index(path) -> int:
    doc = pymupdf.open(path)
    return next(i for i, page in enumerate(doc) if "調達方法" in page.get_text())


def test_tesseract_for_japanese_is_installed():
    # The Makefile installs tesseract-ocr and tesseract-ocr-jpn; OCR tests depend on it.
    assert ocr.ocr_available(), ocr.INSTALL_HINT


def test_a_scanned_budget_page_yields_its_budget_values(tmp_path):
    index = budget_page_index(OME_PLAN)
    born_digital = extract_file(OME_PLAN)
    scanned = extract_file(scan_pages(OME_PLAN, tmp_path / "scan.pdf", {index}))
    expected = {(b.item, b.fiscal_year, b.amount_thousand_yen) for b in born_digital.budgets}
    got = {(b.item, b.fiscal_year, b.amount_thousand_yen) for b in scanned.budgets}
    assert len(expected) == 16 and got == expected
    assert {b.source for b in scanned.budgets} == {"ocr"}
    assert all(b.page == index + 1 and b.bbox for b in scanned.budgets)
    finding = next(f for f in scanned.findings if f.code == "ocr_pages")
    assert str(index + 1) in finding.message
    # values on pages with a text layer keep their ordinary provenance
    assert all(t.source != "ocr" for t in scanned.targets)


def test_without_tesseract_a_scanned_pdf_needs_ocr(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "ocr_available", lambda: False)
    all_scanned = scan_pages(OME_PLAN, tmp_path / "all.pdf", {0, 1}, dpi=30)
    doc = pymupdf.open(all_scanned)
    doc.select([0, 1])
    doc.save(tmp_path / "two.pdf")
    result = extract_file(tmp_path / "two.pdf")
    assert result.status == "needs_ocr"
    assert "tesseract-ocr-jpn" in result.error


def test_without_tesseract_a_partly_scanned_plan_is_partial(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "ocr_available", lambda: False)
    index = budget_page_index(OME_PLAN)
    result = extract_file(scan_pages(OME_PLAN, tmp_path / "part.pdf", {index}, dpi=30))
    assert result.status == "partial"
    assert f"pages {index + 1}" in result.error
    assert any(f.code == "pages_need_ocr" for f in result.findings)
    assert result.targets  # the pages with text are still extracted


def test_raster_rulings_find_a_drawn_grid():
    image = np.full((400, 600), 255, dtype=np.uint8)
    for y in (50, 150, 250):
        image[y:y + 2, 50:550] = 0
    for x in (50, 300, 549):
        image[50:252, x:x + 2] = 0
    rulings, mask = raster_rulings(image, 0.5, OcrSettings())
    horizontal = {round(r.pos) for r in rulings if r.orientation == "h"}
    vertical = {round(r.pos) for r in rulings if r.orientation == "v"}
    assert {25, 75, 125} <= horizontal
    assert {25, 150, 274} <= vertical
    assert mask.sum() > 0


@pytest.mark.parametrize("raw, cleaned", [
    ("123.330", "123,330"),
    ("81,.130", "81,130"),
    ("28,180", "28,180"),
    ("|", ""),
    ("｜81,130", "81,130"),
    ("1.5", "1.5"),
    ("令和5年度|", "令和5年度"),
    ("]回", "1回"),
    ("1]回", "1回"),
    (". 12回", "12回"),
    ("2023704701 ~ 2026703731", "2023/04/01 ~ 2026/03/31"),
    ("経 営 発 達 支 援", "経営発達支援"),
    ("令和 5 年度", "令和5年度"),
    ("HP 掲載", "HP掲載"),
    ("RS", "R8"),
    ("RS8", "R8"),
    ("RI7", "R7"),
    ("R1 1", "R11"),
    ("R17", "R17"),
    ("RSVP", "RSVP"),
    ("e-mail:div2050@city.ome.lgjp", "e-mail:div2050@city.ome.lg.jp"),
    ("kankou@town.okutama.tokyo.ip", "kankou@town.okutama.tokyo.jp"),
    ("rcci@rumoi.or.jp", "rcci@rumoi.or.jp"),
    ("Web page", "Web page"),
])
def test_clean_ocr_word(raw, cleaned):
    assert clean_ocr_word(raw) == cleaned


@settings(max_examples=300, derandomize=True)
@given(st.text())
def test_clean_ocr_word_never_raises_and_is_idempotent(text):
    once = clean_ocr_word(text)
    assert clean_ocr_word(once) == once


def test_glyph_variants_are_corrected():
    assert fix_glyphs("目标值の增加") == "目标値の増加"
    assert fix_glyphs("セミナ一") == "セミナー"
    assert fix_glyphs("一回") == "一回"  # the kanji one outside katakana stays


@settings(max_examples=200, derandomize=True)
@given(st.text())
def test_join_cjk_spacing_is_idempotent(text):
    once = join_cjk_spacing(text)
    assert join_cjk_spacing(once) == once


# --- the page classifier --------------------------------------------------------------------

def _classes(path) -> list[str]:
    doc = pymupdf.open(path)
    return [pdf.classify_page(page, page.get_text("words"))[0] for page in doc]


def test_born_digital_plans_are_born_digital():
    assert set(_classes(OME_PLAN)) == {"born_digital"}
    layout = pdf.read_pdf_layout(RUMOI_PLAN)
    assert {(p.page_class, p.read_as, p.ocr) for p in layout.pages} == {("born_digital", "text", False)}


def _scan_page(source, index: int) -> pymupdf.Document:
    rng = np.random.default_rng(7)
    doc, _ = make_scans.image_pdf(source, [index], rng)
    return doc


def test_classifier_tells_scans_invisible_layers_garbled_text_and_pictures(tmp_path):
    scan = _scan_page(OME_PLAN, 0)
    assert pdf.classify_page(scan[0], scan[0].get_text("words"))[0] == "image_only"
    # an invisible layer (render mode 3, as Acrobat / ocrmypdf lay it) over the image
    scan[0].insert_text((72, 100), "経営発達支援計画の概要", fontname="japan", fontsize=12, render_mode=3)
    assert pdf.classify_page(scan[0], scan[0].get_text("words"))[0] == "image_with_invisible_text"
    page = pymupdf.open().new_page()
    # what a font without a Unicode map leaves: U+FFFD, private-use code points, (cid:NN)
    broken = [(72, 90, 200, 102, "\ufffd\ufffd\ue001\ue002の\ufffd", 0, 0, 0),
              (72, 110, 200, 122, "(cid:12)(cid:34)", 0, 1, 0), (72, 130, 200, 142, "令和5年度", 0, 2, 0)]
    assert pdf.classify_page(page, broken)[0] == "garbled_text"
    assert pdf.classify_page(page, broken[2:])[0] == "born_digital"
    assert pdf.garbled_share(["経営発達支援計画"]) == 0.0
    make_scans.pictures_pdf(OME_PLAN, tmp_path / "pictures.pdf")
    classes = _classes(tmp_path / "pictures.pdf")
    assert classes.count("born_digital_with_pictures") == 2
    assert set(classes) == {"born_digital", "born_digital_with_pictures"}


def test_a_scanned_target_table_is_read_cell_by_cell(tmp_path):
    index = next(i for i, p in enumerate(pymupdf.open(OME_PLAN)) if "公表回数" in p.get_text())
    scan = _scan_page(OME_PLAN, index)
    page = pdf.read_pdf_layout(_save(scan, tmp_path)).pages[0]
    assert (page.page_class, page.read_as, page.ocr) == ("image_only", "ocr", True)
    assert page.engine.startswith("tesseract") and 0 < page.ocr_confidence <= 1
    rows = [row for t in page.tables for row in t.rows_text()]
    header = next(r for r in rows if "令和5年度" in r)
    assert header[-3:] == ["令和5年度", "令和6年度", "令和7年度"]
    published = next(r for r in rows if r[0].startswith("①地域の経済動向調査"))
    assert published[-3:] == ["4回", "4回", "4回"]  # each cell alone: no text of a neighbour


def _save(doc, folder) -> Path:
    path = folder / "page.pdf"
    doc.save(path)
    return path


def test_scanned_overview_gives_the_plan_fields_with_ocr_provenance(tmp_path):
    doc, _ = make_scans.image_pdf(OME_PLAN, [0], np.random.default_rng(make_scans.seed_of("ome_cci_2023overview")))
    result = extract_file(_save(doc, tmp_path))
    plan = result.plans[0]
    assert (plan.chamber, plan.chamber_corporate_number) == ("青梅商工会議所", "3013105001132")
    assert (str(plan.period_start), str(plan.period_end)) == ("2023-04-01", "2026-03-31")
    assert {(m.name, m.local_gov_code) for m in result.plan_municipalities} == {("青梅市", "132055"),
                                                                              ("奥多摩町", "133086")}
    assert [(p.page, p.page_class, p.read_as) for p in result.document_pages] == [(1, "image_only", "ocr")]
    finding = next(f for f in result.findings if f.code == "ocr_pages")
    assert "mean confidence" in finding.message


@pytest.mark.parametrize("plan", [OME_PLAN, RUMOI_PLAN], ids=["ome", "rumoi"])
def test_a_budget_pasted_as_a_picture_is_read_in_place(tmp_path, plan):
    make_scans.pictures_pdf(plan, tmp_path / "pictures.pdf")
    doc = pymupdf.open(tmp_path / "pictures.pdf")
    index = next(i for i, p in enumerate(doc) if p.get_images() and "調達方法" in p.get_text())
    doc.select([0, index])
    result = extract_file(_save(doc, tmp_path))
    expected = sorted((b.fiscal_year, b.amount_thousand_yen, b.item) for b in extract_file(plan).budgets)
    got = sorted((b.fiscal_year, b.amount_thousand_yen, b.item) for b in result.budgets)
    assert [g[:2] for g in got] == [e[:2] for e in expected]  # every amount and year exact
    # item labels: OCR may miss a glyph (額 → 客); the scorer's leniency for labels
    assert all(difflib.SequenceMatcher(None, g[2], e[2]).ratio() >= 0.8 for g, e in zip(got, expected))
    assert {b.source for b in result.budgets} == {"ocr"}
    assert all(b.confidence is not None and 0 < b.confidence <= 1 for b in result.budgets)
    pages = {p.page: (p.page_class, p.read_as) for p in result.document_pages}
    assert pages[2] == ("born_digital_with_pictures", "text+ocr_pictures")
    assert pages[1] == ("born_digital", "text")


def test_ocr_never_touches_the_network(monkeypatch):
    ocr._APIS.clear()  # load the model again, under the guard

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted during OCR: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    scan = pymupdf.open()
    page = scan.new_page(width=300, height=60)
    page.insert_text((20, 40), "令和5年度 12回", fontname="japan", fontsize=20)
    gray = ocr.render_gray(page, 200)
    result = ocr.read_image(gray, 72 / 200)
    text = "".join(w[4] for w in result.words)
    assert "12回" in text and "年度" in text


def test_an_invisible_tesseract_layer_that_agrees_with_our_reading_gives_the_text_outside_grids(tmp_path):
    # the 概要 and a prose page scanned, with the invisible layer Tesseract's PDF renderer lays over them
    prose = next(i for i, p in enumerate(pymupdf.open(OME_PLAN)) if "観光入込客数" in p.get_text())
    _, jpegs = make_scans.image_pdf(OME_PLAN, [0, prose], np.random.default_rng(make_scans.seed_of("ome_cci_2023")))
    make_scans.with_tesseract_layer(jpegs, tmp_path / "layer.pdf")
    layer = pymupdf.open(tmp_path / "layer.pdf")[1].get_text()
    assert "観 光" in layer  # the layer is there, with Tesseract's spacing
    result = extract_file(tmp_path / "layer.pdf")
    assert [(p.page_class, p.read_as) for p in result.document_pages] == [
        ("image_with_invisible_text", "ocr+text_layer")] * 2
    plan = result.plans[0]  # the grid is still read cell by cell from the image
    assert (plan.chamber, plan.chamber_corporate_number) == ("青梅商工会議所", "3013105001132")
    assert (str(plan.period_start), str(plan.period_end)) == ("2023-04-01", "2026-03-31")
    page = pdf.read_pdf_layout(tmp_path / "layer.pdf").pages[1]
    assert "観光入込客数" in page.text  # the layer's words, spacing undone
    # their confidence: the layer's agreement with our reading, at least the threshold
    assert all(0.85 <= w.confidence <= 1 for w in page.words if "観光入込客数" in w.text)


def test_an_invisible_layer_that_disagrees_with_our_reading_is_ignored(tmp_path):
    prose = next(i for i, p in enumerate(pymupdf.open(OME_PLAN)) if "観光入込客数" in p.get_text())
    doc, _ = make_scans.image_pdf(OME_PLAN, [prose], np.random.default_rng(5))
    truth = pdf.read_pdf_layout(OME_PLAN).pages[prose]
    for line in truth.lines:  # a layer of another text at the lines' places (a wrong-language OCR)
        doc[0].insert_text((line.bbox[0], line.bbox[3]), "ｏｒＪｊｐ１］回" * 3, fontname="japan",
                           fontsize=9, render_mode=3)
    path = _save(doc, tmp_path)
    page = pdf.read_pdf_layout(path).pages[0]
    assert (page.page_class, page.read_as) == ("image_with_invisible_text", "ocr")
    assert "観光入込客数" in page.text and "ｏｒＪｊｐ" not in page.text and "orJjp" not in page.text


def test_pages_are_reported_as_they_are_read_and_stored(tmp_path):
    heard = []
    result = extract_file(RUMOI_PLAN, on_page=lambda page, total: heard.append((page.number, total)))
    assert heard == [(n, 17) for n in range(1, 18)]
    assert [(p.page, p.page_class, p.read_as, p.engine) for p in result.document_pages] == \
        [(n, "born_digital", "text", None) for n in range(1, 18)]
    assert all(t.source != "ocr" for t in result.targets)
    assert not [f for f in result.findings if f.code in ("ocr_pages", "ocr_low_confidence")]
    from pipeline import store

    con = store.connect(tmp_path / "db.duckdb")
    store.load_documents(con, [(_document(result), result, [])])
    assert con.execute("select count(*), min(page_class), max(read_as) from document_pages").fetchone() == \
        (17, "born_digital", "text")


def _document(result):
    from schemas.records import Document

    return Document(doc_id="x" * 64, source_path=str(RUMOI_PLAN), file_name=RUMOI_PLAN.name, kind=result.kind,
                    pages=result.pages)


def test_ingest_summary_and_inspect_show_what_ocr_read(tmp_path, capsys):
    from pipeline.cli import main

    doc, _ = make_scans.image_pdf(OME_PLAN, [14], np.random.default_rng(3))  # the budget page, scanned
    path = _save(doc, tmp_path)
    main(["ingest", str(path), "--db", str(tmp_path / "db.duckdb"), "--workers", "0"])
    out = capsys.readouterr()
    assert "OCR: 1 pages read by OCR" in out.out + out.err
    main(["inspect", str(path), "--pretty"])
    shown = capsys.readouterr().out
    assert "document_pages" in shown and "image_only" in shown and "confidence" in shown


@pytest.mark.parametrize("workers", [0, 1])
def test_the_ingest_hears_each_page_of_a_scan_as_it_is_read(tmp_path, workers):
    from pipeline import ingest

    folder = tmp_path / "in"
    folder.mkdir()
    scan = scan_pages(OME_PLAN, folder / "scan.pdf", {0, 1})  # the first two pages scanned
    heard = []
    ingest.ingest([folder], ingest.IngestOptions(db=tmp_path / "db.duckdb", workers=workers),
                  lambda event, payload: heard.append((event, payload)))
    pages = [p for e, p in heard if e == "page"]
    total = pymupdf.open(scan).page_count
    # only the OCR'd pages are announced (a born-digital page takes milliseconds), in order,
    # before the file's own line
    assert pages == [{"path": str(scan), "page": n, "pages": total} for n in (1, 2)]
    events = [e for e, _ in heard]
    assert events.index("page") < events.index("file")


def _spy_recogniser(monkeypatch) -> list[tuple[int, np.ndarray]]:
    """Every image handed to Tesseract, with its segmentation mode."""
    calls: list[tuple[int, np.ndarray]] = []
    real = ocr._recognise_lines

    def spy(image, psm, dpi, lang="jpn"):
        calls.append((psm, image.copy()))
        return real(image, psm, dpi, lang)

    monkeypatch.setattr(ocr, "_recognise_lines", spy)
    return calls


def test_blank_cells_and_a_page_of_only_grid_are_not_sent_to_the_recogniser(monkeypatch):
    sheet = pymupdf.open()
    page = sheet.new_page(width=420, height=200)
    xs, ys = (20, 150, 280, 400), (40, 90, 140)
    for y in ys:
        page.draw_line((xs[0], y), (xs[-1], y), width=1)
    for x in xs:
        page.draw_line((x, ys[0]), (x, ys[-1]), width=1)
    # three cells hold a value, three are left blank
    for (col, row), text in {(0, 0): "合計", (1, 0): "12,000", (2, 1): "4回"}.items():
        page.insert_text((xs[col] + 12, ys[row] + 30), text, fontname="japan", fontsize=11)
    calls = _spy_recogniser(monkeypatch)
    result = ocr.read_image(ocr.render_gray(page, 200), 72 / 200)
    texts = {w[4] for w in result.words}
    assert {"合計", "12,000", "4回"} <= texts
    assert calls and all((image < 128).any() for _, image in calls)  # ink in every image sent
    assert all(psm != 3 for psm, _ in calls)  # nothing outside the grid: no page pass
    assert len(calls) <= 3 * 3  # the three inked cells (each at most three readings), no blank one


def test_text_line_height_and_prose_factor():
    image = np.zeros((400, 300), dtype=bool)
    for top in (20, 80, 140):
        image[top:top + 30, 10:290] = True
    image[300, 50] = image[350, 120:122] = True  # dust is not a line
    assert ocr.text_line_height(image) == 30
    assert ocr.text_line_height(np.zeros((50, 50), dtype=bool)) == 0
    assert ocr.prose_factor(30, 24) == 0.8
    assert ocr.prose_factor(20, 24) == ocr.prose_factor(30, None) == 1.0  # never enlarged; off
    assert ocr.prose_factor(120, 24) == 0.6  # two columns' lines overlapping are not one huge line


def test_large_prose_is_read_on_a_shrunk_copy_with_boxes_in_page_points(monkeypatch):
    sheet = pymupdf.open()
    page = sheet.new_page(width=420, height=120)
    page.insert_text((20, 60), "経営発達支援計画の目標", fontname="japan", fontsize=14)
    truth = page.search_for("経営発達支援計画の目標")[0]
    gray = ocr.render_gray(page, 200)
    calls = _spy_recogniser(monkeypatch)
    result = ocr.read_image(gray, 72 / 200, OcrSettings(prose_text_height_px=24))
    prose = [image for psm, image in calls if psm == 3]
    assert len(prose) == 1 and prose[0].shape[0] < gray.shape[0]  # 14 pt at 200 dpi is > 24 px: shrunk
    word = next(w for w in result.words if "経営発達" in w[4])
    assert word[4] == "経営発達支援計画の目標"
    # boxes mapped back to the page: where the born-digital text is (Tesseract's line box
    # reaches a little below the glyphs, as it does without shrinking)
    assert abs(word[0] - truth.x0) < 4 and abs(word[2] - truth.x1) < 4 and abs(word[1] - truth.y0) < 4
    assert truth.y1 - 2 < word[3] < truth.y1 + 7


def _glyphs(*strokes: tuple[int, int, int, int], width: int = 120, height: int = 30) -> np.ndarray:
    """A line's ink drawn from (x0, y0, x1, y1) rectangles."""
    ink = np.zeros((height, width), dtype=bool)
    for x0, y0, x1, y1 in strokes:
        ink[y0:y1, x0:x1] = True
    return ink


DOT = (40, 24, 43, 27)


@pytest.mark.parametrize("strokes, expected", [
    ([(10, 3, 13, 27)], ("Ⅰ", False)),                                     # a plain bar
    ([(10, 3, 13, 27), DOT], ("Ⅰ", True)),                                 # and its period
    ([(6, 3, 17, 5), (10, 3, 13, 27), (6, 25, 17, 27)], ("Ⅰ", False)),    # serifs alike
    ([(10, 3, 13, 27), (18, 3, 21, 27), DOT], ("Ⅱ", True)),               # two bars, Gothic
    ([(4, 3, 30, 5), (8, 3, 11, 27), (15, 3, 18, 27), (22, 3, 25, 27), (4, 25, 30, 27)], ("Ⅲ", False)),
    ([(6, 3, 13, 6), (10, 3, 13, 27), (6, 25, 17, 27)], (None, False)),   # 1: a flag, a wider foot
    ([(10, 3, 13, 27), (16, 9, 19, 22), (22, 3, 25, 27)], (None, False)),  # 川: strokes unlike
    ([(4, 3, 30, 5), (4, 3, 7, 27), (12, 5, 15, 20), (18, 5, 21, 20), (27, 3, 30, 27), (4, 25, 30, 27)],
     (None, False)),                                                        # 四: four strokes
    ([(10, 12, 20, 14)], (None, False)),                                    # too short for a numeral
])
def test_leading_roman_numeral_is_read_from_the_strokes(strokes, expected):
    assert ocr.leading_numeral(_glyphs(*strokes)) == expected


def test_heading_numbers_are_restored_only_where_the_ink_shows_them():
    bar_and_dot = _glyphs((10, 3, 13, 27), DOT)
    assert ocr.restore_heading_number("1.経営発達支援事業の内容", bar_and_dot) == "Ⅰ.経営発達支援事業の内容"
    assert ocr.restore_heading_number("経営発達支援事業の内容", bar_and_dot) == "Ⅰ．経営発達支援事業の内容"
    assert ocr.restore_heading_number("1件", bar_and_dot) == "1件"            # a value, not a heading
    flagged_one = _glyphs((6, 3, 13, 6), (10, 3, 13, 27), (6, 25, 17, 27), DOT)
    assert ocr.restore_heading_number("1.地域の経済動向調査", flagged_one) == "1.地域の経済動向調査"
    assert ocr.restore_heading_number("1地域の経済動向調査", flagged_one) == "1．地域の経済動向調査"
    no_dot = _glyphs((6, 3, 13, 6), (10, 3, 13, 27), (6, 25, 17, 27), (30, 3, 50, 27))
    assert ocr.restore_heading_number("1地域の経済動向調査", no_dot) == "1地域の経済動向調査"


SYNTHETIC_PLANS = Path(__file__).parent / "synthetic_plans"
SYNTHETIC_OVERVIEWS = Path(__file__).parent / "synthetic_overviews"


def test_scanned_part_headings_keep_their_roman_numerals(tmp_path):
    """Tesseract's jpn model has no Ⅰ–Ⅲ: read as 1, T, 中, 四, 川 or dropped, they come back
    from the glyphs' strokes, in prose (a Mincho plan body) and in a cell (a Gothic 概要)."""
    plan = SYNTHETIC_PLANS / "synthetic_pre2019_cci.pdf"
    last = max(i for i, p in enumerate(pymupdf.open(plan)) if "Ⅲ．" in p.get_text())
    doc, _ = make_scans.image_pdf(plan, list(range(last + 1)), np.random.default_rng(make_scans.seed_of(plan.stem)))
    sections = {s.section_no: s.title for s in extract_file(_save(doc, tmp_path)).sections}
    assert list(sections) == ["Ⅰ", *(f"Ⅰ-{n}" for n in range(1, 7)), "Ⅱ", "Ⅱ-1", "Ⅲ", "Ⅲ-1", "Ⅲ-2", "Ⅲ-3"]
    assert sections["Ⅰ"] == "経営発達支援事業の内容"
    assert sections["Ⅲ"].startswith("経営発達支援事業の円滑な実施")
    overview = SYNTHETIC_OVERVIEWS / "ov_pre2019_years.pdf"
    doc, _ = make_scans.image_pdf(overview, [0], np.random.default_rng(make_scans.seed_of(overview.stem)))
    (tmp_path / "ov").mkdir()
    result = extract_file(_save(doc, tmp_path / "ov"))
    numbers = [s.section_no for s in result.sections]
    assert numbers[:2] == ["Ⅰ", "Ⅰ-1"] and {"Ⅰ-6", "Ⅱ", "Ⅲ", "Ⅲ-3"} <= set(numbers)


def test_a_lookalike_becomes_a_numeral_only_when_the_strokes_are_that_numeral():
    # 川 whose strokes look like one bar then a gap: not Ⅲ, so it stays 川
    one_bar = _glyphs((10, 3, 13, 27), (40, 3, 60, 27))
    assert ocr.restore_heading_number("川崎市の商工業振興について", one_bar) == "川崎市の商工業振興について"
    three_bars = _glyphs((10, 3, 13, 27), (18, 3, 21, 27), (26, 3, 29, 27), (40, 3, 60, 27))
    assert ocr.restore_heading_number("川 経営発達支援事業の円滑な実施", three_bars) == "Ⅲ 経営発達支援事業の円滑な実施"


def test_scans_of_other_producers_carry_their_generators_gold(tmp_path):
    made = make_scans.make_other_producers(tmp_path)
    assert len(made) == len(make_scans.OTHER_PRODUCERS) >= 10
    for path in made:
        gold = json.loads((tmp_path / "gold" / f"{path.name}.json").read_text(encoding="utf-8"))
        assert gold["document"] == path.name and gold["plan"]["chamber"]
    first = pymupdf.open(made[0])[0]
    assert pdf.classify_page(first, first.get_text("words"))[0] == "image_only"


def test_a_ditto_mark_is_read_from_its_two_strokes():
    ditto_then_text = _glyphs((10, 10, 14, 22), (18, 10, 22, 22), (40, 2, 44, 30), (50, 4, 70, 28))
    assert ocr.restore_from_ink("7 (BtoC)", ditto_then_text) == "〃 (BtoC)"
    assert ocr.restore_from_ink("/ (IT専門家)", ditto_then_text) == "〃 (IT専門家)"
    seven_then_text = _glyphs((10, 6, 22, 9), (18, 6, 22, 27), (40, 2, 44, 30), (50, 4, 70, 28))
    assert ocr.restore_from_ink("7 (BtoC)", seven_then_text) == "7 (BtoC)"
    assert ocr.restore_from_ink("7件", ditto_then_text) == "7件"  # not followed by a label


def test_text_bands_split_a_cell_into_its_lines():
    two_lines = _glyphs((5, 2, 60, 12), (5, 16, 20, 27), (25, 24, 27, 26), height=30)
    assert ocr.text_bands(two_lines) == [(2, 11), (16, 26)]
    with_a_stray_mark = _glyphs((5, 2, 60, 12), (5, 14, 7, 15), (5, 18, 20, 28), height=30)
    assert ocr.text_bands(with_a_stray_mark) == [(2, 14), (18, 27)]


def test_a_scanned_budget_keeps_ditto_marks_and_two_line_labels(tmp_path):
    """〃 (not in Tesseract's jpn model) from its strokes, and a two-line label (`経済動向調査／費`)
    whose first line the block mode lost, each line read alone."""
    for plan, labels in (("synthetic_shokokai_4year", {"〃 (BtoC)", "〃 (IT専門家)"}),
                         ("synthetic_pre2019_cci", {"経済動向調査\n費", "セミナー開催\n費"})):
        source = SYNTHETIC_PLANS / f"{plan}.pdf"
        doc, _ = make_scans.image_pdf(source, [budget_page_index(source)], np.random.default_rng(3))
        folder = tmp_path / plan
        folder.mkdir()
        page = pdf.read_pdf_layout(_save(doc, folder)).pages[0]
        first_column = {row[0] for table in page.tables for row in table.rows_text()}
        assert labels <= first_column, plan


def test_a_scanned_overview_ruled_by_horizontal_lines_keeps_each_label_with_its_rows(tmp_path):
    """No grid (horizontal rules only): lines come top to bottom, and the labels stand in the
    middle of their rows; the implementer's and the contact's first lines are theirs."""
    source = SYNTHETIC_OVERVIEWS / "ov_hrules.pdf"
    doc, _ = make_scans.image_pdf(source, [0], np.random.default_rng(make_scans.seed_of(source.stem)))
    result = extract_file(_save(doc, tmp_path))
    gold = json.loads((SYNTHETIC_OVERVIEWS / "gold" / "ov_hrules.pdf.json").read_text(encoding="utf-8"))
    plan = result.plans[0]
    assert (plan.chamber, plan.chamber_corporate_number) == (gold["plan"]["chamber"], gold["plan"]["corporate_number"])
    emails = {c.email for c in result.contacts}
    assert {c["email"] for c in gold["contacts"] if c.get("email")} <= emails


def test_a_cell_whose_reading_leaves_most_of_its_ink_unread_is_read_again(tmp_path):
    """Wide full-width digits (`３０者`) that the single-line mode drops, leaving `者`."""
    source = SYNTHETIC_PLANS / "synthetic_fullwidth_cci.pdf"
    index = next(i for i, p in enumerate(pymupdf.open(source)) if "経営分析" in p.get_text() and "頻度" in p.get_text())
    doc, _ = make_scans.image_pdf(source, [index], np.random.default_rng(make_scans.seed_of(source.stem)))
    page = pdf.read_pdf_layout(_save(doc, tmp_path)).pages[0]
    rows = {row[0]: row[1:] for table in page.tables for row in table.rows_text()}
    analysed = next(values for label, values in rows.items() if "経営分析" in label)
    visits = next(values for label, values in rows.items() if "頻度" in label)
    assert analysed[1:3] == ["30者", "30者"] and visits[0] == "40回"
