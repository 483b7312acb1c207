"""Synthetic 経営発達支援計画 corpus (tests/synthetic_plans): other layouts than the two fixtures.

The PDFs and their gold are built by tests/synthetic_plans/make_plans.py from one
description per plan (gold by construction, not from the extractor); they are
committed, so this test needs no LibreOffice. Each document is ingested through
the product and scored with the fixtures' scorer.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from corpora import ingest_corpus, query_rows, scorer


ROOT = Path(__file__).resolve().parent
CORPUS = ROOT / "synthetic_plans"
GOLD = CORPUS / "gold"


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return ingest_corpus(tmp_path_factory, CORPUS, "synthetic")


@pytest.fixture(scope="module")
def scores(db):
    report, totals, overall = scorer().score(db, GOLD, verbose=False)
    return {line["document"]: line for line in report}, totals, overall


def _doc_id(db: Path, name: str) -> str:
    return query_rows(db, "select doc_id from documents where file_name = ?", [name])[0][0]


def test_corpus_is_complete_and_small():
    pdfs = sorted(CORPUS.glob("*.pdf"))
    assert len(pdfs) >= 4
    assert {p.name + ".json" for p in pdfs} == {g.name for g in GOLD.glob("*.json")}
    assert all(p.stat().st_size < 300_000 for p in pdfs)


def test_every_document_ok(scores):
    lines, _, _ = scores
    assert len(lines) >= 4
    assert {line["status"] for line in lines.values()} == {"ok"}


def test_entity_scores(scores):
    _, totals, overall = scores
    f1 = {k: t.prf()[2] for k, t in totals.items() if t.gold or t.pred}
    assert f1["plan"] == 1.0
    assert f1["budgets"] == 1.0
    assert f1["contacts"] == 1.0
    assert f1["targets"] >= 0.95
    assert overall.prf()[2] >= 0.97


@pytest.mark.parametrize("gold_file", sorted(GOLD.glob("*.json")), ids=lambda p: p.name.split(".")[0])
def test_each_document_plan_fields(scores, gold_file):
    name = json.loads(gold_file.read_text(encoding="utf-8"))["document"]
    line = scores[0][name]
    assert all(line["plan"].values()), line["plan"]


def test_pre2019_sections_keep_their_part(db):
    doc = _doc_id(db, "synthetic_pre2019_cci.pdf")
    sections = dict(query_rows(db, "select section_no, title from sections where doc_id = ?", [doc]))
    assert sections["Ⅰ-3"].startswith("事業計画策定支援に関すること")
    assert {"Ⅰ", "Ⅱ", "Ⅲ", "Ⅰ-1", "Ⅰ-6", "Ⅲ-3"} <= set(sections)
    # 目標 tables under the part's items, their 平成 years read from era-less `29年度` headers.
    years = query_rows(db, "select distinct fiscal_year from targets where doc_id = ? and section_no = 'Ⅰ-3' "
                      "and not is_baseline order by 1", [doc])
    assert [y for (y,) in years] == [2017, 2018, 2019, 2020, 2021]


def test_periods(db):
    got = {name: (start, end) for name, start, end in query_rows(
        db, "select d.file_name, p.period_start, p.period_end from plans p join documents d using (doc_id)")}
    assert got["synthetic_pre2019_cci.pdf"] == (dt.date(2017, 4, 1), dt.date(2022, 3, 31))     # 平成34年3月31日
    assert got["synthetic_fullwidth_cci.pdf"] == (dt.date(2024, 4, 1), dt.date(2029, 3, 31))   # 令和 ６ 年 …
    assert got["synthetic_shokokai_4year.pdf"] == (dt.date(2024, 4, 1), dt.date(2028, 3, 31))
    assert got["synthetic_pre2019_shokokai.pdf"] == (dt.date(2018, 4, 1), dt.date(2023, 3, 31))


def test_budget_in_yen_converted_and_dittos_resolved(db):
    doc = _doc_id(db, "synthetic_shokokai_4year.pdf")
    rows = query_rows(db, "select item, fiscal_year, amount_thousand_yen, raw from budgets where doc_id = ? "
                     "order by item, fiscal_year", [doc])
    by_key = {(item, year): (amount, raw) for item, year, amount, raw in rows}
    assert by_key[("必要な資金の額", 2024)] == (3200, "3,200,000")        # 円 → 千円
    assert by_key[("需要開拓支援(BtoC)", 2027)][0] == 800                  # `〃 (BtoC)` resolved
    assert {year for (_, year) in by_key} == {2024, 2025, 2026, 2027}      # a 4-year plan


def test_full_width_spaced_headers_and_manen(db):
    doc = _doc_id(db, "synthetic_fullwidth_cci.pdf")
    total = query_rows(db, "select fiscal_year, amount_thousand_yen from budgets where doc_id = ? and is_total "
                      "order by 1", [doc])
    assert total == [(2024, 8500), (2025, 8500), (2026, 8700), (2027, 8700), (2028, 9000)]  # 万円 → 千円
    baseline = query_rows(db, "select value, unit from targets where doc_id = ? and is_baseline "
                         "and metric like '%景況調査%'", [doc])
    assert baseline == [(2.0, "回")]                                         # `現　行` column
    publish = query_rows(db, "select count(*) from targets where doc_id = ? and raw like '%掲載%'", [doc])
    assert publish == [(0,)]                                                 # 公表方法 is not a period


def test_split_header_continued_table_and_subquery_rows(db):
    doc = _doc_id(db, "synthetic_shokokai_4year.pdf")
    sections = {s for (s,) in query_rows(db, "select distinct section_no from targets where doc_id = ?", [doc])}
    assert {"3", "6", "8-1", "8-2"} <= sections
    pages = {p for (p,) in query_rows(db, "select distinct page from targets where doc_id = ? and section_no = '6'",
                                     [doc])}
    assert len(pages) == 2                                                  # continued on the next page
    sub = query_rows(db, "select distinct parent_metric from targets where doc_id = ? and metric like '%うち創業%'",
                [doc])
    assert sub == [("③事業計画策定事業者数",)]
    per_unit = query_rows(db, "select value, unit from targets where doc_id = ? and section_no = '8-1' "
                         "and parent_metric is not null and fiscal_year = 2027", [doc])
    assert per_unit == [(12.0, "万円")]


def test_row_broken_across_pages_keeps_its_whole_label(db):
    doc = _doc_id(db, "synthetic_pre2019_shokokai.pdf")
    metrics = {m for (m,) in query_rows(db, "select distinct metric from targets where doc_id = ? "
                                       "and section_no = 'Ⅰ-6'", [doc])}
    assert metrics == {"商談会出展事業者数"}
    units = query_rows(db, "select distinct unit from targets where doc_id = ? and section_no = 'Ⅰ-2'", [doc])
    assert units == [("件",)]                                                # from the 単位 column
