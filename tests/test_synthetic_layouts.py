"""Plans printed in other producers' layouts (tests/synthetic_layouts, HTML → headless Chromium).

The PDFs and gold are built by tests/synthetic_layouts/make_layouts.py from one description per
plan; each test names the layout it covers and asserts values the generator printed.
"""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from corpora import ingest_corpus, query_rows, scorer

from extractors.kinds.business_plan import BusinessPlanExtractor
from extractors.layout.pdf import read_pdf_layout

ROOT = Path(__file__).resolve().parent
CORPUS = ROOT / "synthetic_layouts"
GOLD = CORPUS / "gold"


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return ingest_corpus(tmp_path_factory, CORPUS, "layouts")


def _doc(db: Path, name: str) -> str:
    return query_rows(db, "select doc_id from documents where file_name = ?", [name])[0][0]


def _targets(db: Path, name: str, section: str):
    return {(m, None if b else y, v) for m, y, b, v in query_rows(
        db, "select metric, fiscal_year, is_baseline, value from targets where doc_id = ? and section_no = ?",
        [_doc(db, name), section])}


def test_every_new_layout_scores_with_plan_budgets_and_contacts_exact(db):
    _, totals, overall = scorer().score(db, GOLD, verbose=False)
    assert overall.prf()[2] >= 0.99
    for part in ("plan", "budgets", "contacts", "targets", "sections"):
        assert totals[part].prf()[2] == 1.0, part


def test_tight_cells_give_every_year_column_and_the_chamber_with_its_number(db):
    doc = _doc(db, "html_tight_cci.pdf")
    assert query_rows(db, "select chamber, chamber_corporate_number from plans where doc_id = ?", [doc]) == [
        ("長谷商工会議所", "6000005003141")]
    assert query_rows(db, "select name, local_gov_code from plan_municipalities where doc_id = ?", [doc]) == [
        ("長谷市", "271012")]
    got = _targets(db, "html_tight_cci.pdf", "5")
    assert ("①経営分析事業者数", None, 30.0) in got and ("①経営分析事業者数", 2029, 50.0) in got
    assert {y for _, y, _ in got} == {None, 2025, 2026, 2027, 2028, 2029}
    # The lone U+0336 dash of a tight cell is its own (empty-valued) cell, not part of the label.
    assert ("成約件数/者", None, None) in _targets(db, "html_tight_cci.pdf", "8")
    budget = query_rows(db, "select fiscal_year, amount_thousand_yen from budgets where doc_id = ? and is_total "
                       "order by fiscal_year", [doc])
    assert budget == [(2025, 6300), (2026, 6300), (2027, 6500), (2028, 6500), (2029, 6800)]


def test_look_alike_code_points_are_stored_as_the_ideographs_they_print(db):
    doc = _doc(db, "html_tight_cci.pdf")
    texts = [t for (t,) in query_rows(db, "select chamber from plans where doc_id = ? union all "
                                     "select address from contacts where doc_id = ? union all "
                                     "select metric from targets where doc_id = ? union all "
                                     "select title from sections where doc_id = ? union all "
                                     "select body from sections where doc_id = ?", [doc] * 5) if t]
    assert texts and not [t for t in texts if any("\u2e80" <= ch <= "\u2fdf" or ch == "\u0336" for ch in t)]
    assert ("大阪府長谷市青葉町2丁目3番4号",) in query_rows(db, "select address from contacts where doc_id = ?", [doc])
    assert query_rows(db, "select count(*) from sections where doc_id = ? and body like '%支援%'", [doc])[0][0] > 0
    assert ("②食の物産展売上額", 2029, 40.0) in _targets(db, "html_tight_cci.pdf", "8")


def test_transposed_target_tables_give_the_same_rows_continued_page_included(db):
    got = _targets(db, "html_transposed_cci.pdf", "5")
    assert len(got) == 18
    assert {("経営分析事業者数", None, 12.0), ("経営分析事業者数", 2029, 35.0),  # 令和11年度 on the next page
            ("個別相談会開催回数", 2029, 4.0), ("セミナー開催回数", 2025, 2.0)} <= got
    assert ("統計分析公表回数", None, None) in _targets(db, "html_transposed_cci.pdf", "3")


def test_horizontal_rules_only_tables_are_read_whole(db):
    got = _targets(db, "html_hrules_shokokai.pdf", "6")
    assert len(got) == 18
    assert ("①事業計画策定事業者数", None, 10.0) in got               # `10` / `者` wrapped in its cell
    assert ("③事業承継計画策定事業者数", 2028, 2.0) in got            # rows continued on the next page
    assert ("①地域経済動向調査の公表回数", 2024, 1.0) in _targets(db, "html_hrules_shokokai.pdf", "3")


def test_no_false_table_in_body_text_on_any_page():
    raw = ROOT.parent / "data" / "raw"
    pdfs = sorted(CORPUS.glob("*.pdf")) + sorted((ROOT / "synthetic_plans").glob("*.pdf")) + sorted(raw.glob("*.pdf"))
    streams = 0
    for pdf in pdfs:
        for page in read_pdf_layout(pdf).pages:
            for table in page.tables:
                text = "".join(c.text for c in table.cells)
                assert "当地域の小規模事業者は" not in text, (pdf.name, page.number, table.method)
                if table.method == "stream":   # tables read from word positions hold no prose
                    streams += 1
                    assert not [c for c in table.cells if len(c.text) > 30 and c.text.rstrip().endswith("。")]
    assert streams >= 8   # the horizontal-rules and framed plans' 目標 tables


def test_vertical_overview_labels_still_give_the_plan_fields(db):
    doc = _doc(db, "html_hrules_shokokai.pdf")
    assert query_rows(db, "select chamber, chamber_corporate_number, period_start::varchar, period_end::varchar "
                     "from plans where doc_id = ?", [doc]) == [("北野商工会", "1000005002718", "2024-04-01",
                                                                "2029-03-31")]


def test_a_joint_plan_lists_both_chambers_and_no_chamber_as_a_municipality(db):
    doc = _doc(db, "html_joint_shokokai.pdf")
    printed = json.loads((GOLD / "html_joint_shokokai.pdf.json").read_text(encoding="utf-8"))["plan"]["chambers"]
    assert [c["chamber"] for c in printed] == ["南森商工会", "西川町商工会"]
    assert query_rows(db, "select chamber, corporate_number from plan_chambers where doc_id = ?", [doc]) == [
        (c["chamber"], c["corporate_number"]) for c in printed]
    assert query_rows(db, "select chamber from plans where doc_id = ?", [doc]) == [("南森商工会",)]
    assert [n for (n,) in query_rows(db, "select name from plan_municipalities where doc_id = ?", [doc])] == [
        "南森町", "西川町"]
    assert ("西川町商工会", "info@nishikawa-sci.example.jp") in query_rows(
        db, "select organization, email from contacts where doc_id = ?", [doc])


def test_a_single_chamber_plan_has_one_plan_chambers_row(db):
    doc = _doc(db, "html_transposed_cci.pdf")
    assert query_rows(db, "select chamber, corporate_number from plan_chambers where doc_id = ?", [doc]) == [
        ("東浜商工会議所", "5000005006021")]


def test_an_overview_only_document_is_ok_with_its_finding_and_listed_sections(db):
    doc = _doc(db, "html_overview_only_cci.pdf")
    assert query_rows(db, "select status from documents where doc_id = ?", [doc]) == [("ok",)]
    assert query_rows(db, "select code, severity from findings where doc_id = ? and severity <> 'warning'", [doc]) == [
        ("overview_only", "info")]
    assert [n for (n,) in query_rows(db, "select section_no from sections where doc_id = ?", [doc])] == [
        str(n) for n in range(3, 11)]
    assert ("soudan@nishioka-cci.example.jp",) in query_rows(   # wrapped at its `-` in the cell
        db, "select email from contacts where doc_id = ?", [doc])


def test_a_plan_whose_targets_cannot_be_read_is_partial_with_a_finding():
    layout = read_pdf_layout(CORPUS / "html_transposed_cci.pdf")
    # The same plan with its 目標 tables gone (as when a producer's tables are unreadable).
    pages = tuple(dataclasses.replace(p, tables=tuple(t for t in p.tables if "年度" not in t.rows_text()[0][0]))
                  for p in layout.pages)
    ex = BusinessPlanExtractor().extract(dataclasses.replace(layout, pages=pages))
    assert ex.status == "partial" and "targets" in ex.error
    assert [f.code for f in ex.findings if f.severity == "error"] == ["targets_not_found"]
    assert ex.budgets and ex.plans[0].chamber == "東浜商工会議所"


def _without(layout, keep):
    pages = tuple(dataclasses.replace(p, tables=tuple(keep(t) for t in p.tables if keep(t) is not None))
                  for p in layout.pages)
    return dataclasses.replace(layout, pages=pages)


def test_a_target_heading_without_a_readable_table_gives_a_finding_naming_its_page():
    layout = read_pdf_layout(CORPUS / "html_tight_cci.pdf")
    gone = _without(layout, lambda t: None if "①経営分析事業者数" in "".join(c.text for c in t.cells) else t)
    ex = BusinessPlanExtractor().extract(gone)
    found = [f for f in ex.findings if f.code == "target_table_unreadable"]
    assert [(f.location, "section 5" in f.message) for f in found] == [("page 2", True)]
    assert {t.section_no for t in ex.targets} == {"3", "8"} and ex.status == "ok"


def test_a_table_whose_years_cannot_be_found_stores_noquery_rows():
    layout = read_pdf_layout(CORPUS / "html_tight_cci.pdf")

    def no_years(table):   # the same table with its year headers unreadable (`第1期` …)
        if "①経営分析事業者数" not in "".join(c.text for c in table.cells):
            return table
        cells = tuple(dataclasses.replace(c, text=f"第{c.col}期") if c.row == 0 and c.col > 1 else c
                      for c in table.cells)
        return dataclasses.replace(table, cells=cells)

    ex = BusinessPlanExtractor().extract(_without(layout, no_years))
    assert not [t for t in ex.targets if t.section_no == "5"]
    assert {f.code for f in ex.findings} >= {"target_table_without_years", "target_table_unreadable"}


def test_a_table_with_year_headers_that_no_reader_used_gives_a_finding():
    from extractors.kinds.business_plan.findings import unread_year_tables

    layout = read_pdf_layout(CORPUS / "html_transposed_cci.pdf")
    ex = BusinessPlanExtractor().extract(layout)
    assert not [f for f in ex.findings if f.code == "year_table_unread"]
    # Nothing stored: every table naming fiscal years (three 目標 tables, turned, and the budget) is reported.
    found = unread_year_tables(layout, [], 2025)
    assert [f.location for f in found] == ["page 2", "page 2", "page 3", "page 5"]
    assert "2025–2029" in found[0].message
    # Only the budget's cells stored: the target tables are the ones reported.
    assert [f.location for f in unread_year_tables(layout, ex.budgets, 2025)] == ["page 2", "page 2", "page 3"]


def test_word_style_per_character_text_reads_like_its_source(db):
    import pymupdf

    doc = pymupdf.open(CORPUS / "word_html_transposed_cci.pdf")
    content = doc[1].read_contents()
    assert content.count(b"BT") > 0.9 * len("".join(w[4] for w in doc[1].get_text("words")))  # one per char
    for name in ("html_transposed_cci.pdf", "html_joint_shokokai.pdf"):
        rows = lambda n: set(query_rows(db, "select section_no, metric, fiscal_year, is_baseline, value from targets "  # noqa: E731
                                       "where doc_id = ?", [_doc(db, n)]))
        assert rows(f"word_{name}") == rows(name) and len(rows(name)) > 10
        chambers = lambda n: query_rows(db, "select chamber, corporate_number from plan_chambers where doc_id = ?",  # noqa: E731
                                   [_doc(db, n)])
        assert chambers(f"word_{name}") == chambers(name)


def test_a_framed_table_with_row_rules_and_no_column_rule_is_read_by_columns(db):
    layout = read_pdf_layout(CORPUS / "html_framed_shokokai.pdf")
    assert "stream" in [t.method for t in layout.pages[1].tables]
    assert not [t for p in layout.pages for t in p.tables if t.n_cols == 1 and "令和6年" in t.rows_text()[0][0]]
    got = _targets(db, "html_framed_shokokai.pdf", "6")
    assert len(got) == 18 and ("③事業承継計画策定事業者数", 2028, 2.0) in got


def test_split_year_headers_without_rulings_sub_rows_and_a_continued_page(db):
    doc = _doc(db, "html_4year_shokokai.pdf")
    rows = query_rows(db, "select metric, parent_metric, fiscal_year, value from targets where doc_id = ? "
                     "and section_no = '6'", [doc])
    assert len(rows) == 60                                          # 12 rows × 5 periods, over two pages
    assert ("・うち創業計画", "③事業計画策定事業者数", 2025, 2.0) in rows
    assert ("⑩個別相談会開催回数", None, 2027, 4.0) in rows


def test_a_unit_header_wrapped_over_two_lines_gives_the_units(db):
    doc = _doc(db, "html_pre2019_shokokai.pdf")
    assert ("調査結果の公表", 2019, 2.0, "回") in query_rows(
        db, "select metric, fiscal_year, value, unit from targets where doc_id = ?", [doc])


def test_full_width_years_as_rows_with_overlay_dashes(db):
    got = _targets(db, "html_fullwidth_cci.pdf", "8")
    assert ("②ECサイト利用事業者数", None, None) in got and ("売上増加率/者", None, None) in got  # two `－` side by side
    assert ("売上増加率/者", 2028, 5.0) in got
