"""Target tables: fixture plans against gold, and hand-built tables for the header/row variants."""
from __future__ import annotations

import json
from collections import Counter

import pytest

from extractors.layout.pdf import read_pdf_layout
from extractors.readers.plan_sections import find_sections
from extractors.readers.target_tables import TargetSettings, find_targets, read_header, read_target_grid
from pipeline.normalize.text import normalize_text
from schemas.records import Section

import builders as b
from conftest import RAW, GOLD


@pytest.fixture(scope="module", params=["ome_cci_2023.pdf", "rumoi_cci_2025.pdf"])
def plan(request):
    layout = read_pdf_layout(RAW / request.param)
    targets, findings = find_targets(layout, find_sections(layout))
    gold = json.loads((GOLD / f"{request.param}.json").read_text(encoding="utf-8"))
    return targets, findings, gold["targets"]


def n(text: str | None) -> str | None:
    """Labels compare normalised (NFKC but ①) and without spaces (the extractor normalises them)."""
    return None if text is None else "".join(normalize_text(text).split())


def _key(section_no, metric, period, value, unit):
    return (section_no, n(metric), period, value, unit)


def test_targets_per_section_match_gold(plan):
    targets, findings, gold = plan
    assert findings == []
    assert Counter(t.section_no for t in targets) == Counter(g["section_no"] for g in gold)


def test_every_gold_target_is_extracted_with_its_parent(plan):
    targets, _, gold = plan
    got = {_key(t.section_no, t.metric, "baseline" if t.is_baseline else t.fiscal_year, t.value, t.unit):
           t.parent_metric for t in targets}
    for g in gold:
        k = _key(g["section_no"], g["metric"], g["period"], g["value"], g["unit"])
        assert k in got, g
        assert n(got[k]) == n(g["parent_metric"]), g


def test_ome_samples_with_provenance():
    layout = read_pdf_layout(RAW / "ome_cci_2023.pdf")
    targets, _ = find_targets(layout, find_sections(layout))
    row = [t for t in targets if t.metric.startswith("③全国の早期景気観測")]
    assert [(t.is_baseline, t.fiscal_year, t.value, t.unit) for t in row] == [
        (True, None, 12, "回"), (False, 2023, 12, "回"), (False, 2024, 12, "回"), (False, 2025, 12, "回")]
    assert row[0].raw.replace(" ", "") == "12回" and row[0].page == 6 and row[0].bbox is not None
    deal = next(t for t in targets if n(t.metric) == n("成約件数／者") and t.fiscal_year == 2024)
    assert n(deal.parent_metric) == n("①展示会・商談会（B to B）への出展者数") and deal.value == 1
    assert not any("公表" == t.raw for t in targets) and not any("HP" in (t.raw or "") for t in targets)
    assert all(t.section_no != "1" for t in targets)


def test_rumoi_baseline_year_from_the_note():
    layout = read_pdf_layout(RAW / "rumoi_cci_2025.pdf")
    targets, _ = find_targets(layout, find_sections(layout))
    base = {t.section_no: t.fiscal_year for t in targets if t.is_baseline}
    assert base["3"] == 2023 and base["5"] == 2023 and base["8"] is None   # 8 has no note
    sub = [t for t in targets if t.metric == "・北海道留萌振興局"]
    assert {t.parent_metric for t in sub} == {"公務員の動向調査 公表回数"}
    assert [t.value for t in sub] == [None, 1, None, None, 1, None]
    assert {t.fiscal_year for t in sub if not t.is_baseline} == {2025, 2026, 2027, 2028, 2029}


# ---------------------------------------------------------------- hand-built tables

def _cells(targets):
    return [(n(t.metric), n(t.parent_metric), "base" if t.is_baseline else t.fiscal_year, t.value, t.unit)
            for t in targets]


def test_header_spellings_and_full_width_digits():
    table = b.table([
        ["", "現状", "R5", "R6年度", "令和 7 年度", "令和８年度"],
        ["①経営分析件数", "４５件", "６０件", "60 件", "6 0件", "６０件"],
    ])
    header = read_header(table)
    assert [(p.fiscal_year, p.is_baseline) for p in header.periods] == [
        (None, True), (2023, False), (2024, False), (2025, False), (2026, False)]
    got = _cells(read_target_grid(table, section_no="5"))
    assert got == [("①経営分析件数", None, "base", 45, "件"), ("①経営分析件数", None, 2023, 60, "件"),
                   ("①経営分析件数", None, 2024, 60, "件"), ("①経営分析件数", None, 2025, 60, "件"),
                   ("①経営分析件数", None, 2026, 60, "件")]
    assert read_target_grid(table)[-1].raw == "６０件"      # raw as printed


def test_five_year_plan_with_non_target_column_and_baseline_header_year():
    table = b.table([
        ["支援内容", "公表方法", "※現状", "R7", "R8", "R9", "R10", "R11"],
        ["経営動向調査 公表回数", "HP 掲載", "1 回", "1 回", "1 回", "1 回", "1 回", "1 回"],
    ])
    targets = read_target_grid(table, baseline_year=2023)
    assert len(targets) == 6
    assert [t.fiscal_year for t in targets] == [2023, 2025, 2026, 2027, 2028, 2029]
    assert targets[0].is_baseline and not any(t.raw == "HP 掲載" for t in targets)
    table = b.table([["項目", "実績値\n（令和2年度）", "目標値\n（令和8年度）"], ["商工会の加入率", "62％", "維持"]])
    targets = read_target_grid(table)
    assert _cells(targets) == [("商工会の加入率", None, "base", 62, "%"), ("商工会の加入率", None, 2026, None, None)]
    assert targets[0].fiscal_year == 2020


def test_split_header_cells_and_merged_group_header():
    # `令和5` / `年度` split over two rows; `年 間 目 標` spans the year columns; the label spans both rows.
    table = b.table([
        ["実 施 事 業", "年 間 目 標", None, None, None],
        [None, "令和5", "令和6", "令和7", "令和8"],
        [None, "年度", "年度", "年度", "年度"],
        ["事業承継セミナー\n（参加者数）", "20人", "30人", "45人", "65人"],
    ], merges={(0, 0): (3, 1), (0, 1): (1, 4)})
    header = read_header(table)
    assert header.n_rows == 3 and header.label_col == 0
    assert [p.fiscal_year for p in header.periods] == [2023, 2024, 2025, 2026]
    got = _cells(read_target_grid(table, TargetSettings(detect_sub_rows=False)))
    assert got[0] == (n("事業承継セミナー（参加者数）"), None, 2023, 20, "人") and len(got) == 4


def test_ditto_marks_in_labels_and_values():
    table = b.table([
        ["", "R5", "R6", "R7", "R8"],
        ["展示会出展者数(BtoB)", "5者", "〃", "〃", "6者"],
        ["〃 (BtoC)", "3者", "3者", "〃", "〃"],
    ])
    got = _cells(read_target_grid(table))
    assert got[:4] == [("展示会出展者数(BtoB)", None, y, v, "者") for y, v in
                       [(2023, 5), (2024, 5), (2025, 5), (2026, 6)]]
    assert got[4:] == [("展示会出展者数(BtoC)", None, y, 3, "者") for y in (2023, 2024, 2025, 2026)]


def test_sub_rows_by_bullet_suffix_marker_and_merged_marker_cell():
    table = b.table([
        ["", "現行", "令和5年度", "令和6年度", "令和7年度"],
        ["①フォローアップ対象事業者数", "48社", "48社", "48社", "48社"],
        ["①頻度（延回数）", "192回", "144回", "144回", "144回"],
        ["①展示会（B to C）出展者数", "-", "15者", "15者", "15者"],
        ["売上の増加額／者", "-", "5万円", "5万円", "5万円"],
        ["②チャレンジショップ入居者", "-", "3社", "3社", "3社"],
        ["・入居後の創業者数", "-", "1社", "1社", "1社"],
    ])
    parents = {n(t.metric): n(t.parent_metric) for t in read_target_grid(table)}
    assert parents == {n(k): n(v) for k, v in {
        "①フォローアップ対象事業者数": None, "①頻度（延回数）": "①フォローアップ対象事業者数",
        "①展示会（B to C）出展者数": None, "売上の増加額／者": "①展示会（B to C）出展者数",
        "②チャレンジショップ入居者": None, "・入居後の創業者数": "②チャレンジショップ入居者"}.items()}
    # A separate marker column merged over a group: merged into the metric, later rows are sub-rows.
    table = b.table([
        ["", "", "R7", "R8", "R9", "R10"],
        ["①", "展示会出展者数", "3者", "3者", "3者", "3者"],
        [None, "新規取引先数", "1件", "1件", "1件", "1件"],
        ["②", "ＤＸセミナー開催回数", "1回", "1回", "1回", "1回"],
    ], merges={(1, 0): (2, 1)})
    targets = read_target_grid(table)
    assert {(n(t.metric), n(t.parent_metric)) for t in targets} == {
        ("①展示会出展者数", None), ("①新規取引先数", "①展示会出展者数"), ("②DXセミナー開催回数", None)}
    assert {t.fiscal_year for t in targets} == {2025, 2026, 2027, 2028}


def test_find_targets_joins_a_table_continued_on_the_next_page_and_reads_the_note():
    first = b.table([
        ["", "現状", "R7", "R8", "R9", "R10"],
        ["①フォローアップ対象事業者数", "9者", "15者", "15者", "15者", "15者"],
    ], page=1, top=700)
    rest = b.table([
        ["頻度(延べ回数)", "36回", "60回", "60回", "60回", "60回"],
        ["②創業支援事業者数", "2者", "3者", "3者", "3者", "3者"],
    ], page=2, top=60)
    other = b.table([["", "開催日数", "来場者数"], ["産業祭", "2日間", "約45,000人"]], page=2, top=300)
    layout = b.layout_of({1: [first], 2: [rest, other]}, {
        1: [(600, "7. 事業計画策定後の実施支援に関すること"), (640, "(3) 目標")],
        2: [(90, "※現状は令和 5 年度の実績"), (200, "(4) 事業内容")],
    })
    sections = [
        Section(section_no="7", title="事業計画策定後の実施支援に関すること", level=1, page_start=1, page_end=2),
        Section(section_no="7(3)", title="目標", level=2, parent_no="7", page_start=1, page_end=2),
        Section(section_no="7(4)", title="事業内容", level=2, parent_no="7", page_start=2, page_end=2),
    ]
    targets, findings = find_targets(layout, sections)
    assert findings == []
    assert len(targets) == 15 and {t.section_no for t in targets} == {"7"}
    freq = [t for t in targets if n(t.metric) == "頻度(延べ回数)"]
    assert {t.parent_metric for t in freq} == {"①フォローアップ対象事業者数"} and freq[0].page == 2
    assert all(t.parent_metric is None for t in targets if t.metric.startswith("②"))


def test_target_table_without_years_is_a_finding():
    table = b.table([["", "目標値"], ["経営分析件数", "60件"]], page=1, top=200)
    layout = b.layout_of({1: [table]}, {1: [(150, "5. 経営状況の分析に関すること"), (180, "(2) 目標")]})
    sections = [Section(section_no="5", title="経営状況の分析に関すること", level=1, page_start=1, page_end=1),
                Section(section_no="5(2)", title="目標", level=2, parent_no="5", page_start=1, page_end=1)]
    targets, findings = find_targets(layout, sections)
    assert targets == [] and [f.code for f in findings] == ["target_table_without_years"]
    assert findings[0].location == "page 1"


@pytest.mark.parametrize("text, anchor, expected", [
    ("令 和 ６ 年 度", None, (2024, False)),     # spaced header cell
    ("現　行", None, (None, True)),               # spaced baseline header
    ("29年度", None, None),                      # no era and nothing to date it by
    ("29年度", 2017, (2017, False)),             # pre-2019 plan: the plan's period picks 平成
    ("5年度目標", 2023, (2023, False)),
])
def test_period_of_spaced_and_era_less_headers(text, anchor, expected):
    from extractors.readers.target_tables import period_of
    assert period_of(text, anchor_year=anchor) == expected


def test_years_as_rows_win_over_a_header_naming_one_year_and_store_no_header_values():
    # Fiscal years down the first column; one column header also names a year (`R11目標`).
    table = b.table([
        ["年度", "巡回訪問件数", "経営分析件数（R11目標）"],
        ["現状", "100者", "20件"],
        ["R7年度", "130者", "25件"],
        ["R8年度", "130者", "25件"],
        ["R9年度", "140者", "30件"],
    ], page=1, top=200)
    layout = b.layout_of({1: [table]}, {1: [(100, "5. 経営状況の分析に関すること"), (180, "（目標）")]})
    sections = [Section(section_no="5", title="経営状況の分析に関すること", level=1, page_start=1, page_end=1)]
    targets, findings = find_targets(layout, sections)
    got = {(t.metric, "base" if t.is_baseline else t.fiscal_year, t.value) for t in targets}
    assert len(targets) == 8 and ("巡回訪問件数", 2027, 140) in got and ("巡回訪問件数", "base", 100) in got
    assert ("経営分析件数(R11目標)", 2025, 25) in got
    assert not [t for t in targets if t.metric in ("130者", "100者")] and not findings
