"""Section tree of 別表1: fixture plans against gold, and hand-built layouts for the variants."""
from __future__ import annotations

import json

import pytest

from extractors.layout.pdf import Line, PdfLayout, Table, read_pdf_layout
from extractors.readers.plan_sections import SectionSettings, find_sections, section_findings
from schemas.records import Section

import builders as b
from conftest import RAW, GOLD


@pytest.fixture(scope="module", params=["ome_cci_2023.pdf", "rumoi_cci_2025.pdf"])
def plan(request):
    layout = read_pdf_layout(RAW / request.param)
    gold = json.loads((GOLD / f"{request.param}.json").read_text(encoding="utf-8"))
    return layout, find_sections(layout), gold


def test_top_level_sections_match_gold(plan):
    _, sections, gold = plan
    top = [(s.section_no, s.title) for s in sections if s.level == 1]
    assert top == [(g["no"], g["title"]) for g in gold["sections"]]
    assert section_findings(sections) == []


def test_sub_headings_hang_under_their_section(plan):
    _, sections, _ = plan
    by_no = {s.section_no: s for s in sections}
    goal = by_no["3(2)"]
    assert goal.title == "目標" and goal.level == 2 and goal.parent_no == "3"
    assert by_no["1(1)"].title == "地域の現状及び課題"
    # A circled heading under (3): level 3, parent 3(3).
    assert by_no["3(3)①"].parent_no == "3(3)" and by_no["3(3)①"].level == 3
    # Bodies run to the next heading of the same or higher level.
    assert "公表回数" in goal.body and "事業内容" not in goal.body
    sec3 = by_no["3"]
    assert "(2) 目標" in sec3.body and "需要動向調査に関すること" not in sec3.body
    assert sec3.page_start <= goal.page_start <= sec3.page_end


def test_numbered_list_inside_a_section_is_not_a_section():
    # ome lists its specialities as `1. …` `2. …` inside section 1 (between (1) and (2)).
    layout = read_pdf_layout(RAW / "ome_cci_2023.pdf")
    sections = find_sections(layout)
    titles = [s.title for s in sections if s.level == 1]
    assert not any("わさび" in t for t in titles)
    assert next(s for s in sections if s.section_no == "1").page_end >= 5


def test_parts_of_the_plan_are_level_zero_without_prefix_when_numbers_run_through():
    layout = read_pdf_layout(RAW / "rumoi_cci_2025.pdf")
    sections = find_sections(layout)
    parts = [s for s in sections if s.level == 0]
    assert [p.section_no for p in parts] == ["Ⅰ", "Ⅱ"]
    by_no = {s.section_no: s for s in sections}
    assert by_no["3"].parent_no == "Ⅰ" and by_no["9"].parent_no == "Ⅱ"
    assert by_no["2"].parent_no is None


# ---------------------------------------------------------------- hand-built layouts

def _layout(rows: list[tuple[float, str]], tables: tuple[Table, ...] = (), page_height: float = 842) -> PdfLayout:
    """One page per 60 lines; each row is (x0, text); long texts run to the right margin."""
    pages = []
    lines: list[Line] = []
    y = 50.0
    number = 1
    for x0, text in rows:
        lines.append(b.line(text, y, x0, number, x1=530.0 if len(text) >= 40 else None))
        y += 14.0
        if y > page_height - 60:
            pages.append(b.page(number, lines, tables if number == 1 else (), size=(595, page_height)))
            lines, y, number = [], 50.0, number + 1
    pages.append(b.page(number, lines, tables if number == 1 else (), size=(595, page_height)))
    return b.layout(*pages)


BODY = "本文の段落はこのように右余白まで続く長い行であり見出しではないので注意しておくこと、さらに続く。"


def test_full_width_numbers_split_items_and_starting_at_three():
    layout = _layout([
        (56.8, "(別表1)"),
        (56.8, "３．地域の経済動向調査に関すること"),
        (56.8, "（１）現状と課題"), (56.8, BODY),
        (56.8, "（２）目標"), (56.8, BODY),
        (56.8, "４．需要動向調査に関すること"), (56.8, BODY),
        (56.8, "8-1 製造業者を対象とした販路開拓支援 (BtoB)"), (56.8, BODY),
        (56.8, "8-2 小売業者を対象とした販路開拓支援 (BtoC)"), (56.8, BODY),
        (56.8, "(別表2)"), (56.8, "１．これは別表2なので対象外"),
    ])
    sections = find_sections(layout)
    assert [s.section_no for s in sections if s.level == 1] == ["3", "4", "8-1", "8-2"]
    by_no = {s.section_no: s for s in sections}
    assert by_no["3(2)"].title == "目標" and by_no["3(2)"].parent_no == "3"
    assert by_no["8-1"].title == "製造業者を対象とした販路開拓支援 (BtoB)"
    findings = section_findings(sections)
    assert [f.code for f in findings] == ["section_number_skipped"]   # 4 → 8-1
    assert "8" in findings[0].message and "4" in findings[0].message


def test_pre_2019_parts_restart_numbering_and_prefix_items():
    layout = _layout([
        (56.8, "(別表1)"),
        (56.8, "Ⅰ．経営発達支援事業の内容"),
        (56.8, "1．地域の経済動向調査に関すること"), (56.8, BODY),
        (56.8, "2．需要動向調査に関すること"), (56.8, BODY),
        (56.8, "Ⅱ．地域経済の活性化に資する取組"),
        (56.8, "1．地域活性化事業"), (56.8, BODY),
        (56.8, "Ⅲ．経営発達支援事業の円滑な実施に向けた支援力向上のための取組"),
        (56.8, "1．他の支援機関との連携を通じた支援ノウハウ等の情報交換に関すること"), (56.8, BODY),
        (56.8, "2．経営指導員等の資質向上等に関すること"), (56.8, BODY),
    ])
    sections = find_sections(layout)
    assert [s.section_no for s in sections] == ["Ⅰ", "Ⅰ-1", "Ⅰ-2", "Ⅱ", "Ⅱ-1", "Ⅲ", "Ⅲ-1", "Ⅲ-2"]
    assert {s.section_no: s.parent_no for s in sections}["Ⅲ-2"] == "Ⅲ"
    assert section_findings(sections) == []


def test_wrapped_lines_indented_lines_and_table_cells_are_not_headings():
    table = b.table([["2. 表の中の番号"]], left=50, top=300, col_width=490, row_height=100)
    rows = [(56.8, "1. 目標"), (56.8, BODY + "12.")]
    rows += [(56.8, "1 の面積を有し")]                      # a wrapped line starting with a digit
    rows += [(67.3, "2. 字下げされた行")]                   # indented by more than a character
    layout = _layout(rows + [(56.8, "3. 三番目")], tables=(table,))
    # Put a line inside the table's bbox as well.
    page = layout.pages[0]
    inside = b.line("2. 表の中の番号", 310, x1=150, height=10)
    layout = b.layout(b.page(1, page.lines + (inside,), page.tables))
    sections = find_sections(layout)
    assert [s.section_no for s in sections] == ["1", "3"]
    assert [f.code for f in section_findings(sections)] == ["section_number_skipped"]


def test_settings_make_patterns_reusable_for_promotion_plans():
    layout = _layout([
        (56.8, "第４章 施策の展開"),
        (56.8, "１．地域経済循環の担い手となる事業者の育成"),
        (56.8, "1-1 事業承継の促進【重点施策】"), (56.8, "（１）方向性を踏まえた今後の展望"), (56.8, BODY),
        (56.8, "1-2 充実した創業支援"), (56.8, BODY),
        (56.8, "２．市内での消費の促進"),
        (56.8, "2-1 魅力ある買物環境づくりの支援"), (56.8, BODY),
    ])
    sections = find_sections(layout, SectionSettings(prefix_items_with_part=False))
    by_no = {s.section_no: s for s in sections}
    assert by_no["1-1"].parent_no == "1" and by_no["1-1"].level == 2
    assert by_no["1-1(1)"].parent_no == "1-1"
    assert by_no["2-1"].title == "魅力ある買物環境づくりの支援"


def test_section_findings_on_records():
    secs = [Section(section_no=n, title="t", level=1) for n in ["2", "3", "5", "6"]]
    findings = section_findings(secs)
    assert len(findings) == 1 and findings[0].code == "section_number_skipped"
    secs = [Section(section_no=n, title="t", level=1) for n in ["7", "8-1", "8-3", "9"]]
    assert [f.message for f in section_findings(secs)] == ["section 8-3 follows section 8-1: numbering skips"]


def test_sections_from_the_overview_list_parts_items_and_wrapped_titles():
    from extractors.readers.plan_sections import sections_from_list

    listed = ("Ⅰ．経営発達支援事業の内容\n１．地域の経済動向調査に関すること【指針③】\n"
              "２．新たな需要の開拓に寄与する事業に関す\nること\n地域の事業者の売上を伸ばす。\n"
              "Ⅱ．地域経済の活性化に資する取組\n１．地域経済の活性化に資する取組に関すること")
    got = [(s.section_no, s.title, s.parent_no) for s in sections_from_list(listed, page=1)]
    assert got == [("Ⅰ", "経営発達支援事業の内容", None),
                   ("Ⅰ-1", "地域の経済動向調査に関すること【指針③】", "Ⅰ"),
                   ("Ⅰ-2", "新たな需要の開拓に寄与する事業に関すること", "Ⅰ"),
                   ("Ⅱ", "地域経済の活性化に資する取組", None),
                   ("Ⅱ-1", "地域経済の活性化に資する取組に関すること", "Ⅱ")]
    post2019 = sections_from_list("３．地域の経済動向調査に関すること\n４．需要動向調査に関すること")
    assert [(s.section_no, s.level) for s in post2019] == [("3", 1), ("4", 1)]


def test_sections_from_a_list_numbered_with_parentheses_or_circles():
    from extractors.readers.plan_sections import sections_from_list

    paren = sections_from_list("Ⅰ．経営発達支援事業の内容\n(1)地域の経済動向調査に関すること\n(2)経営状況の分析に関すること")
    assert [(s.section_no, s.title) for s in paren] == [
        ("Ⅰ", "経営発達支援事業の内容"), ("Ⅰ-1", "地域の経済動向調査に関すること"), ("Ⅰ-2", "経営状況の分析に関すること")]
    circled = sections_from_list("①地域の経済動向調査に関すること\n②需要動向調査に関すること")
    assert [s.section_no for s in circled] == ["1", "2"]
