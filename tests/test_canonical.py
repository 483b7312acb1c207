"""Canonical section codes and target indicators (pipeline/canonical.py + its rule files)."""
from __future__ import annotations

import json
from collections import Counter

import pytest

from conftest import GOLD, OME_PLAN, RUMOI_PLAN
from pipeline import canonical
from pipeline.normalize import tokenizer
from pipeline.canonical import (canonical_sections, canonical_targets, enrich, indicator_for, indicator_rules,
                                section_code)
from schemas.records import Extraction, Section, Target

PLAN_GOLDS = ["ome_cci_2023.pdf.json", "rumoi_cci_2025.pdf.json"]
ALL_TARGET_GOLDS = PLAN_GOLDS + ["akiruno_promotion_plan_ch3.pdf.json"]
ACTIVITY_CODES = {"economic_trend_survey", "demand_trend_survey", "management_analysis",
                  "business_plan_support", "post_plan_support", "new_demand_development",
                  "evaluation", "staff_capacity"}

# Labels that may stay unmapped, with the reason (none of the fixture labels today).
EXPECTED_UNMAPPED: dict[str, str] = {}


def gold(name: str) -> dict:
    return json.loads((GOLD / name).read_text(encoding="utf-8"))


def gold_extraction(name: str) -> Extraction:
    g = gold(name)
    sections = [Section(section_no=s["no"], title=s["title"]) for s in g.get("sections", [])]
    targets = [Target(section_no=t["section_no"], metric=t["metric"], parent_metric=t["parent_metric"],
                      unit=t["unit"], value=t["value"], raw=t["raw"]) for t in g.get("targets", [])]
    return Extraction(kind=g["kind"], sections=sections, targets=targets)


# --- sections -------------------------------------------------------------------------

@pytest.mark.parametrize("name", PLAN_GOLDS)
def test_every_gold_section_of_the_plans_gets_a_code(name):
    sections = canonical_sections(gold_extraction(name).sections)
    assert all(s.canonical for s in sections), [s.title for s in sections if not s.canonical]
    # the ten items of the standard form: goals, period/policy and the eight activities, once each
    codes = [s.canonical for s in sections]
    assert Counter(codes) == Counter(["goals", "period_and_policy", *ACTIVITY_CODES])


@pytest.mark.parametrize("title, level, code", [
    ("地域の経済動向調査に関すること", 1, "economic_trend_survey"),
    ("地域経済動向調査に関すること", 1, "economic_trend_survey"),  # other chamber's wording
    ("需要動向調査に関すること", 1, "demand_trend_survey"),
    ("経営状況の分析に関すること", 1, "management_analysis"),
    ("事業計画策定支援に関すること", 1, "business_plan_support"),
    ("事業計画策定後の実施支援に関すること", 1, "post_plan_support"),
    ("新たな需要の開拓に寄与する事業に関すること", 1, "new_demand_development"),
    ("事業の評価及び見直しをするための仕組みに関すること", 1, "evaluation"),
    ("経営指導員等の資質向上等に関すること", 1, "staff_capacity"),
    ("目標", 1, "goals"),
    ("経営発達支援事業の実施期間、目標の達成方針", 1, "period_and_policy"),
    # full-width / 【指針】 suffixes of pre-2019 plans
    ("地域の経済動向調査に関すること【指針③】", 1, "economic_trend_survey"),
    ("経営状況の分析に関すること【指針①】", 1, "management_analysis"),
    ("地域経済の活性化に資する取組", 0, "regional_revitalisation"),
    ("経営発達支援事業の内容", 0, "activities"),
    # sub-section wording that is only a code at the top: inherits instead
    ("目標", 2, None),
    ("経営発達支援事業の目標と方針", 2, None),
    ("事業計画策定事業者に対するフォローアップ支援", 3, None),
    ("事業環境に対応したDX 推進支援により経営基盤構築と販路開拓支援を図る。", 3, None),
])
def test_section_titles_map_by_wording(title, level, code):
    assert section_code(title, level) == code


def test_pre_2019_plan_maps_by_title_not_number():
    # Ⅰ/Ⅱ/Ⅲ parts, items numbered from 1 in each part and in the old order
    outline = [
        ("Ⅰ", 0, None, "経営発達支援事業の内容"),
        ("Ⅰ-1", 1, "Ⅰ", "地域の経済動向調査に関すること【指針③】"),
        ("Ⅰ-2", 1, "Ⅰ", "経営状況の分析に関すること【指針①】"),
        ("Ⅰ-3", 1, "Ⅰ", "事業計画策定支援に関すること【指針②】"),
        ("Ⅰ-4", 1, "Ⅰ", "事業計画策定後の実施支援に関すること【指針②】"),
        ("Ⅰ-5", 1, "Ⅰ", "需要動向調査に関すること【指針③】"),
        ("Ⅰ-6", 1, "Ⅰ", "新たな需要の開拓に寄与する事業に関すること【指針④】"),
        ("Ⅰ-6(1)", 2, "Ⅰ-6", "現状と課題"),
        ("Ⅰ-6(2)", 2, "Ⅰ-6", "目標"),
        ("Ⅱ", 0, None, "地域経済の活性化に資する取組"),
        ("Ⅲ", 0, None, "経営発達支援事業の円滑な実施に向けた支援力向上のための取組"),
        ("Ⅲ-1", 1, "Ⅲ", "他の支援機関との連携を通じた支援ノウハウ等の情報交換に関すること"),
        ("Ⅲ-2", 1, "Ⅲ", "経営指導員等の資質向上等に関すること"),
        ("Ⅲ-3", 1, "Ⅲ", "事業の評価及び見直しをするための仕組みに関すること"),
        ("Ⅲ-3(1)", 2, "Ⅲ-3", "外部有識者による評価"),
    ]
    sections = canonical_sections([Section(section_no=n, level=lv, parent_no=p, title=t)
                                   for n, lv, p, t in outline])
    got = {s.section_no: s.canonical for s in sections}
    assert got["Ⅰ-2"] == "management_analysis" and got["Ⅰ-5"] == "demand_trend_survey"
    assert got["Ⅰ-6(2)"] == "new_demand_development"  # 目標 inside an activity inherits it
    assert got["Ⅱ"] == "regional_revitalisation"
    assert got["Ⅲ-2"] == "staff_capacity" and got["Ⅲ-3"] == "evaluation"
    assert got["Ⅲ-3(1)"] == "evaluation"
    assert all(got.values())


def test_sub_sections_of_a_real_plan_inherit_their_item(ome_extraction):
    by_no = {s.section_no: s for s in ome_extraction.sections}
    assert by_no["3"].canonical == "economic_trend_survey"
    deeper = [s for s in ome_extraction.sections if s.level >= 2]
    assert deeper, "the plan has sub-sections"
    for s in deeper:
        item = s.section_no.split("(")[0]
        assert s.canonical == by_no[item].canonical, (s.section_no, s.title, s.canonical)


# --- indicators -----------------------------------------------------------------------

# (metric, parent_metric, section canonical, unit) → indicator; every label is a real fixture label
GOLD_LABELS = [
    ("①地域の経済動向調査の公表回数", None, "economic_trend_survey", "回", "surveys_published"),
    ("②都内の経営動向調査の公表回数", None, "economic_trend_survey", "回", "surveys_published"),
    ("③全国の早期景気観測の公表回数", None, "economic_trend_survey", "回", "surveys_published"),
    ("経営動向調査 公表回数", None, "economic_trend_survey", "回", "surveys_published"),
    ("地域経済動向分析 公表回数", None, "economic_trend_survey", "回", "surveys_published"),
    ("・北海道留萌振興局", "公務員の動向調査 公表回数", "economic_trend_survey", "回", "surveys_published"),
    ("①地域住民の需要調査 対象事業者数", None, "demand_trend_survey", "者", "demand_survey_companies"),
    ("物産展・商談会出展アンケート 対象事業者", None, "demand_trend_survey", "者", "demand_survey_companies"),
    ("②経営分析事業者数", None, "management_analysis", "者", "management_analyses"),
    ("経営分析件数", None, "management_analysis", "件", "management_analyses"),
    ("③セミナー開催", None, "management_analysis", "回", "seminars_held"),
    ("経営分析セミナー開催回数", None, "management_analysis", "回", "seminars_held"),
    ("セミナー参加者数", "経営分析セミナー開催回数", "management_analysis", "人", "seminar_participants"),
    ("①事業計画策定事業者数", None, "business_plan_support", "者", "business_plans"),
    ("事業計画策定事業者数", None, "business_plan_support", "者", "business_plans"),
    ("②創業計画(第2創業計画)策定事業者数", None, "business_plan_support", "者", "startup_plans"),
    ("創業計画策定事業者数", None, "business_plan_support", "者", "startup_plans"),
    ("事業承継計画策定事業者数", None, "business_plan_support", "者", "succession_plans"),
    ("③DX推進セミナー", None, "business_plan_support", "回", "seminars_held"),
    ("事業計画策定セミナー・個別相談会開催回数", None, "business_plan_support", "回", "seminars_held"),
    ("①フォローアップ対象事業者数", None, "post_plan_support", "社", "followup_companies"),
    ("②創業支援事業者数", None, "post_plan_support", "者", "followup_companies"),
    ("①頻度（延回数）", "①フォローアップ対象事業者数", "post_plan_support", "回", "followup_visits"),
    ("頻度(延べ回数)", "②創業支援事業者数", "post_plan_support", "回", "followup_visits"),
    ("①売上増加事業者数", "①フォローアップ対象事業者数", "post_plan_support", "社", "companies_with_sales_growth"),
    ("売上3パーセント増加事業者数", "①フォローアップ対象事業者数", "post_plan_support", "者",
     "companies_with_sales_growth"),
    ("①利益率3%以上増加の事業者数", "①フォローアップ対象事業者数", "post_plan_support", "社",
     "companies_with_profit_growth"),
    ("②チャレンジショップ入居者", None, "post_plan_support", "社", "incubation_tenants"),
    ("③情報交換会", None, "post_plan_support", "回", "events_held"),
    ("①展示会・商談会（B to B）への出展者数", None, "new_demand_development", "者", "exhibitors"),
    ("物産展への出店支援事業者数", None, "new_demand_development", "者", "exhibitors"),
    ("成約件数／者", "①展示会・商談会（B to B）への出展者数", "new_demand_development", "件", "deals_closed"),
    ("・成約件数/事業者", "商談会等への出店支援事業者数", "new_demand_development", "件", "deals_closed"),
    ("売上の増加額／者", "①展示会・商談会（B to C）への出展者数", "new_demand_development", "万円",
     "sales_increase_per_company"),
    ("・売上額/事業者", "物産展への出店支援事業者数", "new_demand_development", "万円", "sales_per_company"),
    ("売上増加率／者", "②DXによる販路開拓取り組み事業者数", "new_demand_development", "%", "sales_growth_rate"),
    ("②DXによる販路開拓取り組み事業者数", None, "new_demand_development", "者", "dx_companies"),
    ("D X活用事業者数 (HP・ECサイト含む)", None, "new_demand_development", "者", "dx_companies"),
    ("D X活用セミナー開催回数", None, "new_demand_development", "回", "seminars_held"),
    ("・売上3%以上増加事業者数", "D X活用事業者数 (HP・ECサイト含む)", "new_demand_development", "者",
     "companies_with_sales_growth"),
    # promotion plan (no standard-form sections)
    ("事業承継セミナー（参加者数）", None, None, "人", "seminar_participants"),
    ("創業塾（参加者数）", None, None, "人", "seminar_participants"),
    ("創業相談（新規相談者数）", None, None, "人", "consultations"),
    ("創業者交流会（参加者数）", None, None, "人", "event_participants"),
    ("まちゼミ（講座数）", None, None, "講座", "seminars_held"),
    ("るのかーど普及事業（取扱店舗数）", None, None, "店", "participating_shops"),
    ("地域マップの作成（発行部数）", None, None, "部", "publications_issued"),
    ("Bi@Sta 利用者の創業件数（開設以降の累計値）", None, None, "件", "startups"),
    ("商工会の加入率", None, None, "%", "membership_rate"),
]


@pytest.mark.parametrize("metric, parent, section, unit, expected", GOLD_LABELS)
def test_fixture_labels_map_to_their_indicator(metric, parent, section, unit, expected):
    assert indicator_for(metric, parent, section, unit) == expected


def test_the_label_list_is_drawn_from_the_gold():
    labels = {t["metric"] for name in ALL_TARGET_GOLDS for t in gold(name)["targets"]}
    assert len(GOLD_LABELS) >= 30
    assert {m for m, *_ in GOLD_LABELS} <= labels


@pytest.mark.parametrize("a, b, indicator", [
    (("②経営分析事業者数",), ("経営分析件数",), "management_analyses"),
    (("①頻度（延回数）", "①フォローアップ対象事業者数"), ("頻度(延べ回数)", "③事業承継支援事業者数"), "followup_visits"),
    (("成約件数／者",), ("・成約件数/事業者",), "deals_closed"),
    (("③DX推進セミナー", None, None, "回"), ("D X活用セミナー開催回数",), "seminars_held"),
    (("②DXによる販路開拓取り組み事業者数",), ("ＤＸ活用事業者数（ＨＰ・ＥＣサイト含む）",), "dx_companies"),
    (("①売上増加事業者数",), ("売上3パーセント増加事業者数",), "companies_with_sales_growth"),
    (("②創業計画(第2創業計画)策定事業者数",), ("創業計画策定事業者数",), "startup_plans"),
    (("①事業計画策定事業者数",), ("事業計画の策定事業者数",), "business_plans"),
])
def test_different_wordings_map_to_the_same_indicator(a, b, indicator):
    assert indicator_for(*a) == indicator_for(*b) == indicator


def test_a_sub_row_label_is_read_with_its_parent_and_unit():
    # `頻度` alone says nothing; under a follow-up row it is the number of visits
    assert indicator_for("・北海道留萌振興局") is None
    assert indicator_for("・北海道留萌振興局", "公務員の動向調査 公表回数", "economic_trend_survey", "回") \
        == "surveys_published"
    assert indicator_for("参加者数") is None
    assert indicator_for("参加者数", "経営分析セミナー開催回数") == "seminar_participants"


def test_a_compound_is_matched_as_whole_words():
    # 事業計画 is not inside 事業承継計画: succession plans are not business plans
    assert indicator_for("事業承継計画策定事業者数") == "succession_plans"


@pytest.mark.parametrize("name", ALL_TARGET_GOLDS)
def test_every_fixture_target_gets_an_indicator_or_a_reason(name):
    extraction = gold_extraction(name)
    enriched = enrich(extraction)
    unmapped = {t.metric for t in enriched.targets if t.indicator is None}
    assert unmapped == set(EXPECTED_UNMAPPED) & unmapped
    assert not unmapped - set(EXPECTED_UNMAPPED), unmapped


def test_one_row_gets_one_indicator_even_where_a_cell_has_no_unit():
    # `—` cells have no unit; the row's other cells decide
    targets = [Target(section_no="6", metric="③DX推進セミナー", unit=None, raw="—"),
               Target(section_no="6", metric="③DX推進セミナー", unit="回", raw="2回", value=2)]
    out = canonical_targets(targets, {"6": "business_plan_support"})
    assert [t.indicator for t in out] == ["seminars_held", "seminars_held"]


# --- enrich ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ome_extraction():
    from pipeline.extract import extract_file

    return extract_file(OME_PLAN)


def test_enrich_returns_a_new_extraction():
    extraction = gold_extraction("rumoi_cci_2025.pdf.json")
    enriched = enrich(extraction)
    assert enriched is not extraction
    assert all(s.canonical is None for s in extraction.sections)
    assert all(t.indicator is None for t in extraction.targets)
    assert all(s.canonical for s in enriched.sections)


def test_extract_file_fills_codes_from_the_real_pdf(ome_extraction):
    assert ome_extraction.kind == "business_development_plan"
    assert ome_extraction.sections and ome_extraction.targets
    assert all(s.canonical for s in ome_extraction.sections)
    assert all(t.indicator for t in ome_extraction.targets), \
        {t.metric for t in ome_extraction.targets if not t.indicator}
    by_metric = {t.metric: t.indicator for t in ome_extraction.targets}
    assert by_metric["②経営分析事業者数"] == "management_analyses"


def test_promotion_plan_chapters_are_not_forced_into_the_standard_form():
    enriched = enrich(gold_extraction("akiruno_promotion_plan_ch3.pdf.json"))
    assert all(s.canonical is None for s in enriched.sections)
    assert all(t.indicator for t in enriched.targets)


# --- rules are data -------------------------------------------------------------------

def test_an_analyst_can_add_a_rule_without_code(tmp_path):
    # first match wins: a new, more specific rule goes above the general one it refines
    header, rest = canonical.INDICATOR_RULES_PATH.read_text(encoding="utf-8").split("\n", 1)
    rules = tmp_path / "indicators.csv"
    rules.write_text(f"{header}\nlectures_given,出前講座 回数,,,,,lectures given at schools\n{rest}",
                     encoding="utf-8")
    assert indicator_for("出前講座の実施回数") == "seminars_held"
    assert indicator_for("出前講座の実施回数", rules=indicator_rules(rules)) == "lectures_given"
    assert indicator_for("経営分析件数", rules=indicator_rules(rules)) == "management_analyses"


def test_a_broken_rules_file_says_which_row(tmp_path):
    rules = tmp_path / "indicators.csv"
    rules.write_text("indicator,label,not_label,parent,section,unit,description\n"
                     "x,売上,,,,,a description, with a comma\n", encoding="utf-8")
    with pytest.raises(ValueError, match="rule 2"):
        indicator_rules(rules)


def test_every_indicator_and_section_code_is_documented_in_the_readme():
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [c for c in canonical.indicator_codes() + canonical.section_codes() if f"`{c}`" not in readme]
    assert not missing, missing


def test_tokenizer_is_created_once():
    assert tokenizer.tokenizer() is tokenizer.tokenizer()


# --- sudachi words: the cached fast path equals the straightforward one ----------------

# Text that has tripped tokenisers or normalisers: spaced letters, full-width forms, line
# breaks next to combining marks, invisible characters, half-width kana, protected markers,
# variation selectors, and pieces longer than one sudachi chunk.
TRICKY_TEXTS = [
    "", " ", "\n", "D X I推進", "ＤＸ　推進", "a b c d", "A B CD e", "事業承継\n計画", "か\n\u3099が",
    "e \u0301x", "e\u0301", "経営\u200b分析\u00ad", "令和５年度　１２３，３３０", "①ＰＤＣＡ～Ⅲ", "ｶﾞｲﾄﾞﾌﾞｯｸ",
    "\t売り上げ\r\n取組み ", "ＩｏＴ・ＡＩ活用", "1,234.5万円 △５ ▲３", "葛\U000E0100城市", "ーーー！？",
    "延べ回数/延回数", "㈱ＡＢＣ\n  ＴＥＬ：", "x" * 9000, "事業計画。" * 1500, "商工会議所\n" * 900,
]


def reference_prepare(text: str) -> str:
    """prepare() written the plain way: the whole text normalised at once, every regex pass."""
    import re

    from pipeline.normalize.text import normalize_text

    text = normalize_text(text or "")
    previous = None
    while previous != text:
        previous, text = text, re.sub(r"(?<![A-Za-z])([A-Za-z])\s(?=[A-Za-z](?![A-Za-z]))", r"\1", text)
    return re.sub(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])", "", text)


def reference_words(text: str) -> list[tuple]:
    """words() written the plain way: every morpheme asked for its forms, split and offsets."""
    from sudachipy import SplitMode

    out = []
    for offset, piece in tokenizer._chunks(text):
        for m in tokenizer.tokenizer().tokenize(piece, SplitMode.C):
            surface = m.surface()
            if not surface.strip():
                continue
            form = m.normalized_form().casefold()
            parts = (tuple(p.normalized_form().casefold() for p in m.split(SplitMode.A))
                     if len(surface) > 1 else ())
            out.append((form, parts or (form,), m.part_of_speech()[0], offset + m.begin(), offset + m.end()))
    return out


def _sample_texts(extraction: Extraction) -> list[str]:
    import random

    texts = [f"{s.title}\n{s.body or ''}" for s in extraction.sections]
    texts += [t for t in extraction.targets for t in (t.metric, t.parent_metric or "")]
    alphabet = "".join(sorted(set("".join(texts)))) + "abcXYZ ＤＸ\n\t　ｶﾞ\u3099\u200b①Ⅲ～"
    rnd = random.Random(7)
    return texts + TRICKY_TEXTS + ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 40)))
                                   for _ in range(300)]


def test_fast_words_equal_the_straightforward_reference(ome_extraction):
    tokenizer._ENTRIES.clear()
    for _ in range(2):  # the second round is served from the entry cache
        for text in _sample_texts(ome_extraction):
            prepared = tokenizer.prepare(text)
            assert prepared == reference_prepare(text), repr(text)
            expected = reference_words(prepared)
            assert [tuple(w) for w in tokenizer.words(prepared)] == expected, repr(text)
            assert canonical.short_forms(text) == tuple(p for w in expected for p in w[1])
            # words() of text nobody prepared (sudachi normalises it itself): offsets still right
            assert [tuple(w) for w in tokenizer.words(text)] == reference_words(text), repr(text)


def test_a_section_copy_gains_its_code_and_search_terms_at_once(ome_extraction):
    from pipeline.terms import section_terms

    plain = ome_extraction.model_copy(update={"sections": [s.model_copy(update={"canonical": None, "search_terms": None})
                                                           for s in ome_extraction.sections]})
    again = enrich(plain)
    assert [s.canonical for s in again.sections] == [s.canonical for s in canonical_sections(plain.sections)]
    assert [s.search_terms for s in again.sections] == [section_terms(s.title, s.body) for s in plain.sections]
