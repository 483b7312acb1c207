"""Other chambers' 概要 pages (tests/synthetic_overviews, PyMuPDF-drawn and HTML → Chromium).

The PDFs and gold are built by tests/synthetic_overviews/make_overviews.py from one `Spec` per
page; each test names the variant it covers and asserts values the generator printed.
"""
from __future__ import annotations

import json
import importlib.util
import sys
from pathlib import Path

import pytest
import builders as b
from corpora import ingest_corpus, query_rows

from extractors.kinds.business_plan.overview import Entity, implementer_entities
from pipeline.normalize.contacts import parse_phone

ROOT = Path(__file__).resolve().parent
CORPUS = ROOT / "synthetic_overviews"
GOLD = CORPUS / "gold"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses need their module registered
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return ingest_corpus(tmp_path_factory, CORPUS, "overviews")


def _plan(db: Path, name: str):
    return query_rows(db, "select p.chamber, p.chamber_corporate_number, p.period_start::varchar, p.period_end::varchar "
                     "from plans p join documents d using (doc_id) where d.file_name = ?", [name])[0]


def _munis(db: Path, name: str):
    return query_rows(db, "select m.name, m.local_gov_code from plan_municipalities m join documents d using (doc_id) "
                     "where d.file_name = ? order by m.local_gov_code", [name])


def _chambers(db: Path, name: str):
    return query_rows(db, "select c.chamber, c.corporate_number from plan_chambers c join documents d using (doc_id) "
                     "where d.file_name = ?", [name])


def _contact_values(db: Path, name: str, column: str) -> set:
    return {r[0] for r in query_rows(db, f"select c.{column} from contacts c join documents d using (doc_id) "
                                    "where d.file_name = ?", [name])}


def test_committed_gold_is_the_generators_data():
    gen = _load("make_overviews", CORPUS / "make_overviews.py")
    specs = gen.specs()
    assert len(specs) >= 30 and {s.producer for s in specs} == {"mupdf", "chromium"}
    for spec in specs:
        for c in spec.contacts:
            c.department = c.department or None
        assert json.loads((GOLD / f"{spec.file}.json").read_text(encoding="utf-8")) == gen.gold(spec), spec.file
        assert (CORPUS / spec.file).exists()


def test_every_overview_is_ok_and_overview_only(db):
    rows = query_rows(db, "select d.file_name, d.status, d.kind from documents d")
    assert len(rows) == len(list(CORPUS.glob("*.pdf")))
    assert {(s, k) for _, s, k in rows} == {("ok", "business_development_plan")}
    flagged = query_rows(db, "select count(distinct doc_id) from findings where code = 'overview_only'")[0][0]
    assert flagged == len(rows)


def test_pre2019_chamber_alone(db):
    # 平成33年3月31日 (written before the era changed) is 2021-03-31; no municipality, no 法人番号.
    assert _plan(db, "ov_pre2019_cci_alone.pdf") == ("北浜商工会議所", None, "2016-04-01", "2021-03-31")
    assert _munis(db, "ov_pre2019_cci_alone.pdf") == []
    # 申請者名 label, `から … まで（5年間）`.
    assert _plan(db, "ov_pre2019_shokokai_number.pdf")[0] == "山辺町商工会"
    assert _plan(db, "ov_pre2019_shokokai_number.pdf")[2:] == ("2016-04-01", "2021-03-31")


def test_spaced_labels_and_planning_period(db):
    # `計 画 の 実 施 者` and `計 画 期 間`, in both producers.
    for name in ("ov_pre2019_spaced_labels.pdf", "ch_pre2019_spaced_labels.pdf"):
        assert _plan(db, name) == ("きたはら商工会", None, "2017-04-01", "2022-03-31")


def test_number_in_a_row_of_its_own(db):
    chamber, number, *_ = _plan(db, "ov_pre2019_number_row.pdf")
    assert (chamber, number) == ("石浜商工会議所", "4040005003131")
    assert _munis(db, "ov_pre2019_number_row.pdf") == []


def test_five_digit_codes_get_their_check_digit(db):
    for name in ("ov_post2019_code5.pdf", "ch_post2019_code5.pdf"):
        assert _munis(db, name) == [("白浜市", "172065"), ("大谷町", "173657")]
    assert _munis(db, "ov_id_column_code5.pdf") == [("那須原市", "092134"), ("大田町", "094072")]


def test_ids_in_a_column_and_rows_of_their_own(db):
    assert _munis(db, "ov_post2019_id_column.pdf") == [("東原市", "022071"), ("西野町", "023213"), ("北山村", "023671")]
    assert _plan(db, "ov_post2019_id_column.pdf")[1] == "9020005009753"
    for name in ("ov_three_munis_rows.pdf", "ch_three_munis_rows.pdf"):  # spaced digits, one row per entity
        assert _munis(db, name) == [("阿賀原町", "153851"), ("津川町", "153869"), ("鹿瀬村", "153877")]


def test_grouped_and_spaced_ids(db):
    assert _plan(db, "ov_heisei31_start.pdf")[:2] == ("西条商工会議所", "2330005006420")
    assert _munis(db, "ov_heisei31_start.pdf") == [("西条市", "332119")]
    assert _munis(db, "ov_village_oneline.pdf") == [("高森村", "204030")]


def test_joint_plans(db):
    assert _chambers(db, "ov_joint_shokokai.pdf") == [("みなみやま商工会", "1070005008642"),
                                                     ("東川町商工会", "1070005008650")]
    assert _chambers(db, "ov_joint_village.pdf") == [("上浦町商工会", "2380005001111"), ("下浦村商工会", "1380005001129")]
    assert _munis(db, "ov_joint_village.pdf") == [("上浦町", "383864"), ("下浦村", "384011")]
    # `A商工会（…）及びB商工会（…）`, 市町村コード, contacts in two cells side by side.
    names = [c for c, _ in _chambers(db, "ov_joint_side_by_side.pdf")]
    assert names == ["いなべ原商工会", "東員原町商工会"]
    assert [m for m, _ in _munis(db, "ov_joint_side_by_side.pdf")] == ["いなべ原市", "東員原町"]
    assert "0594-86-2823" in _contact_values(db, "ov_joint_side_by_side.pdf", "tel")


def test_periods(db):
    assert _plan(db, "ov_village_oneline.pdf")[2:] == ("2019-10-01", "2024-09-30")  # 令和元年
    assert _plan(db, "ov_hrules.pdf")[2:] == ("2021-04-01", "2026-03-31")           # 令和３年度～令和７年度
    assert _plan(db, "ov_months_period.pdf")[2:] == ("2023-04-01", "2028-03-31")    # months only
    assert _plan(db, "ov_western_period.pdf")[2:] == ("2022-04-01", "2027-03-31")


def test_overview_without_title_or_rulings(db):
    assert _plan(db, "ov_no_title.pdf")[0] == "志布原商工会議所"
    assert _plan(db, "ov_unruled.pdf")[:2] == ("越前原商工会議所", "4180005005353")
    sections = query_rows(db, "select s.section_no from sections s join documents d using (doc_id) "
                         "where d.file_name = 'ov_unruled.pdf'")
    assert {s for (s,) in sections} == {str(n) for n in range(3, 12)}


def test_contacts(db):
    # 連絡先 on the 概要's second page.
    assert _contact_values(db, "ov_two_pages.pdf", "email") >= {"furusato@town.tsunagi.example.jp",
                                                                "soudan@yatsushirohara-cci.example.jp"}
    # 電話 0865(63)1111 / ファクス; 01466(2)2264.
    assert "0865-63-1111" in _contact_values(db, "ov_heisei31_start.pdf", "tel")
    assert _contact_values(db, "ov_hiragana_wrapped.pdf", "fax") == {"01466-2-2265", "01466-2-4627"}
    # an e-mail address wrapped after its `.`
    assert "erimohara@hokkaido-shokokai.example.jp" in _contact_values(db, "ov_hiragana_wrapped.pdf", "email")
    # 〒 line before the organisation line
    assert _contact_values(db, "ov_post2019_id_rows.pdf", "postal_code") == {"377-0801", "377-0892"}


def test_implementer_entities_drop_what_names_nothing():
    assert implementer_entities("石浜商工会議所（法人番号　）") == [Entity("石浜商工会議所", None)]
    got = implementer_entities("Ａ商工会（法人番号 1234567890123）及びＢ商工会（法人番号 ２-３３００-０５００-６４２０）")
    assert [(e.name, e.number) for e in got] == [("A商工会", "1234567890123"), ("B商工会", "2330005006420")]
    assert [(e.name, e.number) for e in implementer_entities("・北浜商工会議所　北浜市（団体コード 12345）")] == [
        ("北浜商工会議所", None), ("北浜市", "12345")]


def test_bracketed_exchange_phone():
    assert parse_phone("ＴＥＬ ０２４１（２２）１１１１") == "0241-22-1111"
    assert parse_phone("(0241)22-1111") == "0241-22-1111"


def test_score_is_perfect(db, capsys):
    scorer = _load("score_gold", ROOT / "fixtures" / "score_gold.py")
    _, totals, overall = scorer.score(db, GOLD, verbose=False)
    for part in ("plan", "sections", "contacts"):
        assert totals[part].prf()[2] == 1.0, part
    assert overall.prf()[2] == 1.0


def test_sub_label_cells_and_contact_table_apart(db):
    # `商工会議所` / `市町村` sub-label cells are not entities; 連絡先 in a table of its own below.
    assert _chambers(db, "ov_sub_labels.pdf") == [("常総原商工会議所", "5080005004141")]
    assert _munis(db, "ov_sub_labels.pdf") == [("常総原市", "082244")]
    assert _contact_values(db, "ov_sub_labels.pdf", "tel") == {"0297-22-2151", "0297-23-2111"}
    # `３　地域の…に関すること`: number and title apart, no full stop.
    sections = query_rows(db, "select s.section_no, s.title from sections s join documents d using (doc_id) "
                         "where d.file_name = 'ov_sub_labels.pdf' and s.section_no = '3'")
    assert sections == [("3", "地域の経済動向調査に関すること")]


def test_period_as_start_and_length(db):
    assert _plan(db, "ov_pre2019_years.pdf") == ("東和原町商工会", None, "2016-04-01", "2021-03-31")


def test_contents_row_broken_across_pages(db):
    # The rest of the 事業内容 list under an empty label cell at the top of page 2.
    for name in ("ov_contents_broken.pdf", "ch_contents_broken.pdf"):
        sections = query_rows(db, "select s.section_no from sections s join documents d using (doc_id) "
                             "where d.file_name = ?", [name])
        assert {s for (s,) in sections} == {str(n) for n in range(3, 12)}, name


def test_tight_cells_and_narrow_contact_cells(db):
    # Text against the rulings; three contact cells side by side where lines wrap after labels,
    # inside an e-mail's domain, and addresses go on with a line starting with the town's name.
    name = "ov_tight_narrow_contacts.pdf"
    assert _plan(db, name)[:2] == ("最上原町商工会", "2060005007272")
    assert _contact_values(db, name, "email") == {"mogamihara@yamagata-shokokai.example.jp",
                                                  "shokan@town.mogamihara.example.jp",
                                                  "sangyo@town.funagatahara.example.jp"}
    assert _contact_values(db, name, "fax") == {"0233-43-2212", "0233-43-2112", "0233-32-2112"}
    tels = {o: t for o, t in query_rows(db, "select c.organization, c.tel from contacts c join documents d using (doc_id) "
                                       "where d.file_name = ?", [name])}
    assert tels == {"最上原町商工会": "0233-43-2211", "最上原町": "0233-43-2111", "舟形原町": "0233-32-2111"}


def test_contact_lines_wrapped_in_the_cell():
    from extractors.kinds.business_plan.contacts import contacts_from_lines
    lines = ["北浜町商工会 経営支援課", "〒100-0001 北海道北浜郡", "北浜町大字本町1番地", "TEL", "0123-45-6789",
             "E-mail：kitahama@sho", "kokai.example.jp", "北浜町 産業課", "〒100-0002 北海道北浜郡北浜町本町2番地",
             "ファクス：", "0123-45-0000"]
    got = {(c.organization, c.tel, c.fax, c.email) for c in contacts_from_lines(lines, ["北浜町商工会", "北浜町"], 1)}
    assert got == {("北浜町商工会", "0123-45-6789", None, "kitahama@shokokai.example.jp"),
                   ("北浜町", None, "0123-45-0000", None)}


def test_contact_headings_with_marks_and_wrapped_addresses(db):
    # 【name】 and ■name役所 headings: the organisation without its marks or office word.
    got = set(query_rows(db, "select c.organization, c.department from contacts c join documents d using (doc_id) "
                        "where d.file_name = 'ov_bulleted_contacts.pdf'"))
    assert got == {("安芸原商工会議所", "中小企業相談所"), ("安芸原市", "産業振興課")}
    orgs = _contact_values(db, "ov_pre2019_bracketed_contacts.pdf", "organization")
    assert "安芸原商工会議所" in orgs
    # An address wrapped in a narrow cell, and one printed on the line after a lone 〒.
    assert _contact_values(db, "ov_tight_narrow_contacts.pdf", "address") == {
        "山形県最上郡最上原町大字向町644番地", "山形県最上郡舟形原町舟形263番地"}
    assert "栃木県那須原市本町3番16号" in _contact_values(db, "ov_id_column_code5.pdf", "address")


def test_join_addresses_keeps_organisation_lines():
    from extractors.kinds.business_plan.contacts import join_addresses
    lines = ["〒100-0001 北海道北浜郡", "北浜町大字本町1番地", "〒100-0002", "北浜町役場 産業課", "〒100-0003 北浜町本町1 番",
             "地", "TEL 0123-45-6789"]
    assert join_addresses(lines, ["北浜町"]) == [
        "〒100-0001 北海道北浜郡北浜町大字本町1番地", "〒100-0002", "北浜町役場 産業課", "〒100-0003 北浜町本町1 番地",
        "TEL 0123-45-6789"]


def test_names_spaced_out_in_the_implementer_cell(db):
    assert _chambers(db, "ov_spaced_names.pdf") == [("南浦原商工会議所", "1270005003838")]
    assert [m for m, _ in _munis(db, "ov_spaced_names.pdf")] == ["南浦原市", "北野原町"]
    assert [(e.name, e.number) for e in implementer_entities("北 浜 商 工 会 議 所")] == [("北浜商工会議所", None)]
    assert [(e.name, e.number) for e in implementer_entities("北浜 商工会（法人番号 1270005003838）\n北浜 町")] == [
        ("北浜商工会", "1270005003838"), ("北浜町", None)]


def test_labels_in_rows_of_their_own(db):
    # 【実施者名】 above its value in a one-column table: read from the page's lines.
    assert _plan(db, "ov_stacked_labels.pdf") == ("豊後原商工会議所", "3440005006565", "2022-04-01", "2027-03-31")
    assert _munis(db, "ov_stacked_labels.pdf") == [("豊後原市", "442135")]


def test_text_layer_without_spaces(db):
    # One text object per character and no spaces: labels glued to their values.
    assert _plan(db, "pc_village_oneline.pdf")[:2] == ("高森村商工会", "2200005003579")
    assert _munis(db, "pc_post2019_id_column.pdf") == _munis(db, "ov_post2019_id_column.pdf")
    assert _chambers(db, "pc_joint_village.pdf") == _chambers(db, "ov_joint_village.pdf")
    from pipeline.normalize.contacts import parse_email
    assert parse_email("FAX0268-82-2002E-mailinfo@kitahara.example.jp") == "info@kitahara.example.jp"
    assert parse_email("gmailuser@x.example.jp") == "gmailuser@x.example.jp"


def test_phone_groups_apart_by_spaces_after_their_label(db):
    for name in ("ov_three_munis_rows.pdf", "ch_three_munis_rows.pdf"):
        assert {"0254-92-2111"} <= _contact_values(db, name, "tel")
        assert {"0254-92-2112"} <= _contact_values(db, name, "fax")


def test_rarer_label_words(db):
    # 実施主体, 事業期間, 問合せ先.
    assert _plan(db, "ov_rare_labels.pdf")[0] == "大和原商工会"
    assert _plan(db, "ov_rare_labels.pdf")[2:] == ("2023-04-01", "2028-03-31")
    assert _contact_values(db, "ov_rare_labels.pdf", "tel") == {"0744-42-5121", "0744-42-9111"}


def test_unruled_overview_labels_joined_to_values():
    # Tight text without rulings: `計画期間令和3年…` and `申請者名北浜商工会（…` are one word each.
    from extractors.kinds.business_plan.overview import read_overview, read_plan
    from extractors.layout.model import Page, PdfLayout

    line = b.worded_line

    layout = PdfLayout(Path("x.pdf"), (Page(1, 595, 842, (
        line(50, "経営発達支援計画の概要"), line(80, "申請者名北浜町商工会（法人番号", "1270005003838）"),
        line(95, "北浜町（地方公共団体コード 123455）"), line(120, "計画期間令和3年4月1日～令和8年3月31日"))),))
    plan, municipalities, _, _ = read_plan(read_overview(layout))
    assert (plan.chamber, plan.chamber_corporate_number) == ("北浜町商工会", "1270005003838")
    assert [m.name for m in municipalities] == ["北浜町"]
    assert str(plan.period_end) == "2026-03-31"


def test_a_label_centred_on_its_rows_lines_takes_all_of_them():
    """Lines top to bottom (as a scan gives them): 連絡先 sits in the middle of its block, and
    実施期間 in a row set close below the implementer's; each label takes its whole row."""
    from extractors.kinds.business_plan.common import DEFAULT
    from extractors.kinds.business_plan.overview import labels_before_their_rows
    from extractors.layout.model import Line, Word

    def line(text, x0, y0, x1=None):
        box = (x0, y0, x1 or x0 + 12 * len(text), y0 + 12)
        return Line(text, box, 1, (Word(text, box, 1),))

    lines = [line("北浜商工会議所（法人番号 1234567890123）", 136, 82), line("計画の実施者", 59, 89, 117),
             line("北浜市（地方公共団体コード 012345）", 136, 96), line("実施期間", 59, 114, 97),
             line("令和3年度～令和7年度", 136, 114), line("〒649-6226", 136, 324),
             line("北浜商工会議所 中小企業相談所", 136, 337), line("連絡先", 59, 350, 89),
             line("TEL.0736-73-3311", 136, 350), line("Mail: soudan@kitahama.example.jp", 136, 363)]
    order = [l.text for l in labels_before_their_rows(lines, DEFAULT)]
    assert order == ["計画の実施者", "北浜商工会議所（法人番号 1234567890123）", "北浜市（地方公共団体コード 012345）",
                     "実施期間", "令和3年度～令和7年度", "連絡先", "〒649-6226", "北浜商工会議所 中小企業相談所",
                     "TEL.0736-73-3311", "Mail: soudan@kitahama.example.jp"]
    assert labels_before_their_rows(lines[5:7], DEFAULT) == lines[5:7]  # no label: as it was
