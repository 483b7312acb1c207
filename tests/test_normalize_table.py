"""Table-driven cases for every normaliser.

Inputs are cell texts, headers and lines as extracted from the fixture
documents (data/raw/*, tests/fixtures/gold/*.json raw values), plus the forms
other offices use (full-width digits, spaced years, abbreviations, dittos).
Each case asserts the exact output.
"""

from datetime import date

import pytest

from pipeline.normalize.contacts import (
    find_labelled_phones, normalize_address, parse_contact_block, parse_email, parse_phone,
    parse_postal_code, parse_url,
)
from pipeline.normalize.ditto import fill_down_dittos, is_ditto, resolve_ditto
from pipeline.normalize.identifiers import (
    find_corporate_number, find_local_gov_codes, valid_corporate_number, valid_local_gov_code,
)
from pipeline.normalize.numbers import Quantity, is_null_marker, parse_quantity, table_unit, to_yen
from pipeline.normalize.text import (
    circled_to_int, clean_label, collapse_spaced_digits, kanji_to_int, normalize_text, roman_to_int,
)
from pipeline.normalize.wareki import (
    check_date, fiscal_years_of_headers, parse_date, parse_fiscal_year, parse_period, parse_year, to_wareki,
)

# --- text -------------------------------------------------------------------

NORMALIZE_TEXT = [
    ("令和５年度", "令和5年度"),
    ("１２３，３３０", "123,330"),
    ("ＴＥＬ：０４２８", "TEL:0428"),
    ("①ＰＤＣＡ", "①PDCA"),
    ("⑳", "⑳"),
    ("Ⅳ　地域経済の活性化", "Ⅳ 地域経済の活性化"),
    ("㈱青梅", "(株)青梅"),
    ("3～5回", "3～5回"),
    ("3〜5回", "3〜5回"),
    ("△５", "△5"),
    ("▲１，０００", "▲1,000"),
    ("−5", "−5"),
    ("データー", "データー"),
    ("ｾﾐﾅｰ", "セミナー"),
    ("ｶﾞｲﾄﾞ", "ガイド"),
    ("  中小企業相談所（地域振興部）\n", "中小企業相談所(地域振興部)"),
    ("100㎡", "100㎡"),
    ("ＢｔｏＣ", "BtoC"),
    ("62％", "62%"),
    ("", ""),
]


@pytest.mark.parametrize("raw, expected", NORMALIZE_TEXT)
def test_normalize_text(raw, expected):
    assert normalize_text(raw) == expected


COLLAPSE = [
    ("1 2回", "12回"),
    ("R 1 0 年度", "R10年度"),
    ("3 7 3 番地の 1", "373番地の1"),
    ("P D C A", "PDCA"),
    ("20人 30人", "20人 30人"),
    ("令和 2 年 4 月 1 日", "令和2年4月1日"),
    ("令和5 年度", "令和5年度"),
    ("令和 7 年度", "令和7年度"),
    ("1 回", "1回"),
    ("5 万円", "5万円"),
    ("約6,000 人", "約6,000人"),
    ("約 100 社", "約100社"),
    ("1 丁目 1 1 番地の 1", "1丁目11番地の1"),
    ("氷川 2 1 5 番地 6", "氷川 215番地6"),  # a place name then a number: may be two cells
    ("2 0 2 3年", "2023年"),
    ("B to B", "B to B"),
    ("2023/04/01 ～ 2026/03/31", "2023/04/01 ～ 2026/03/31"),
    ("第 2 期", "第2期"),
    ("1 事業者あたり2 件／年", "1事業者あたり2件／年"),
    ("令和7 年4 月1 日", "令和7年4月1日"),
]


@pytest.mark.parametrize("raw, expected", COLLAPSE)
def test_collapse_spaced_digits(raw, expected):
    assert collapse_spaced_digits(raw) == expected


CLEAN_LABEL = [
    ("①経営分析\n事業者数", "①経営分析事業者数"),
    ("①展示会・商談会（B to B）への出展者数", "①展示会・商談会(B to B)への出展者数"),
    ("事業承継セミナー(参加者数) P.33", "事業承継セミナー(参加者数) P.33"),
    ("成約件数／者", "成約件数/者"),
    ("①頻度（延回数）", "①頻度(延回数)"),
    ("BIZミル\n利用料", "BIZミル利用料"),
    ("Business\nPlan", "Business Plan"),
    ("セミナー等\n開催費", "セミナー等開催費"),
]


@pytest.mark.parametrize("raw, expected", CLEAN_LABEL)
def test_clean_label(raw, expected):
    assert clean_label(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("①", 1), ("⑳", 20), ("⑴", 1), ("㉑", 21), ("1", None), ("①②", None),
])
def test_circled_to_int(raw, expected):
    assert circled_to_int(raw) == expected


@pytest.mark.parametrize("raw, expected", [("Ⅰ", 1), ("Ⅲ", 3), ("Ⅻ", 12), ("ⅳ", 4), ("I", None)])
def test_roman_to_int(raw, expected):
    assert roman_to_int(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("五", 5), ("十", 10), ("十二", 12), ("三十一", 31), ("百", 100), ("二〇二三", 2023),
    ("千五百", 1500), ("一般", None), ("十十", None),
])
def test_kanji_to_int(raw, expected):
    assert kanji_to_int(raw) == expected


# --- numbers ----------------------------------------------------------------

Q = Quantity
QUANTITIES = [
    # gold raw cells
    ("1 2回", Q(12.0, "回", "1 2回")),
    ("4回", Q(4.0, "回", "4回")),
    ("20者", Q(20.0, "者", "20者")),
    ("48社", Q(48.0, "社", "48社")),
    ("192回", Q(192.0, "回", "192回")),
    ("5万円", Q(5.0, "万円", "5万円")),
    ("5%", Q(5.0, "%", "5%")),
    ("1 回", Q(1.0, "回", "1 回")),
    ("0 回", Q(0.0, "回", "0 回")),
    ("45件", Q(45.0, "件", "45件")),
    ("12人", Q(12.0, "人", "12人")),
    ("40講座", Q(40.0, "講座", "40講座")),
    ("100店", Q(100.0, "店", "100店")),
    ("28,000部", Q(28000.0, "部", "28,000部")),
    ("21,510人", Q(21510.0, "人", "21,510人")),
    ("62％", Q(62.0, "%", "62％")),
    ("123,330", Q(123330.0, None, "123,330")),
    ("81,130", Q(81130.0, None, "81,130")),
    ("2,000", Q(2000.0, None, "2,000")),
    ("800", Q(800.0, None, "800")),
    ("15 万円", Q(15.0, "万円", "15 万円")),
    ("—", Q(None, None, "—")),
    ("-", Q(None, None, "-")),
    ("維持", Q(None, None, "維持", null_word="維持")),
    # other offices' forms
    ("１２３，３３０", Q(123330.0, None, "１２３，３３０")),
    ("1,000本", Q(1000.0, "本", "1,000本")),
    ("約6,000人", Q(6000.0, "人", "約6,000人", approximate=True)),
    ("約 6,000 人", Q(6000.0, "人", "約 6,000 人", approximate=True)),
    ("約750 名", Q(750.0, "名", "約750 名", approximate=True)),
    ("100件程度", Q(100.0, "件", "100件程度", approximate=True)),
    ("△5", Q(-5.0, None, "△5")),
    ("▲5", Q(-5.0, None, "▲5")),
    ("▲1,000千円", Q(-1000.0, "千円", "▲1,000千円")),
    ("−3", Q(-3.0, None, "−3")),
    ("3～5回", Q(3.0, "回", "3～5回", upper=5.0)),
    ("3〜5回", Q(3.0, "回", "3〜5回", upper=5.0)),
    ("五回", Q(5.0, "回", "五回")),
    ("十二人", Q(12.0, "人", "十二人")),
    ("年3回", Q(3.0, "回/年", "年3回")),
    ("1.5倍", Q(1.5, "倍", "1.5倍")),
    ("１０件以上", Q(10.0, "件", "１０件以上")),
    ("100㎡", Q(100.0, "㎡", "100㎡")),
    ("－", Q(None, None, "－")),
    ("―", Q(None, None, "―")),
    ("‐", Q(None, None, "‐")),
    ("", Q(None, None, "")),
    ("未定", Q(None, None, "未定", null_word="未定")),
    ("随時", Q(None, None, "随時", null_word="随時")),
    ("一般事業費", Q(None, None, "一般事業費", null_word="一般事業費")),
    ("1万5千円", Q(15000.0, "円", "1万5千円")),
    ("1億2,000万円", Q(120000000.0, "円", "1億2,000万円")),
    ("②", Q(2.0, None, "②")),
]


@pytest.mark.parametrize("raw, expected", QUANTITIES)
def test_parse_quantity(raw, expected):
    assert parse_quantity(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("", True), ("-", True), ("—", True), ("－", True), ("―", True), ("‐", True), ("ー", True),
    ("維持", False), ("データー", False), ("-5", False), ("0", False),
])
def test_is_null_marker(raw, expected):
    assert is_null_marker(raw) is expected


@pytest.mark.parametrize("raw, expected", [
    ("15万円", 150000.0), ("5万円", 50000.0), ("81,130千円", 81130000.0), ("1億円", 1e8), ("5人", None), ("—", None),
])
def test_to_yen(raw, expected):
    assert to_yen(parse_quantity(raw)) == expected


@pytest.mark.parametrize("raw, expected", [
    ("（単位：千円）", "千円"), ("年間販売額単位：百万円", "百万円"), ("単位:万円", "万円"), ("令和5年度", None),
])
def test_table_unit(raw, expected):
    assert table_unit(raw) == expected


# --- wareki -----------------------------------------------------------------

YEARS = [
    ("令和5年", 2023), ("R5", 2023), ("R.5", 2023), ("Ｒ５", 2023), ("令和元年", 2019),
    ("平成31年", 2019), ("令和五年", 2023), ("2023年", 2023), ("平成 28 年", 2016), ("平成21", 2009),
    ("令和3", 2021), ("令和3 年では減少傾向", 2021), ("昭和64年", 1989), ("大正15年", 1926), ("明治45年", 1912),
    ("H31", 2019), ("S.50", 1975), ("平成32年", 2020), ("㍻30年", 2018), ("20人", None),
]


@pytest.mark.parametrize("raw, expected", YEARS)
def test_parse_year(raw, expected):
    assert parse_year(raw) == expected


FISCAL_YEARS = [
    ("令和5年度", 2023), ("令和５年度", 2023), ("令和 5 年度", 2023), ("令和5 年度", 2023), ("令和８年度", 2026),
    ("R7", 2025), ("R10", 2028), ("R11", 2029), ("R 1 0 年度", 2028), ("2025年度", 2025),
    ("（令和2 年度）", 2020), ("令和10 年度", 2028), ("※現状は令和5 年度の実績", 2023),
    ("目標とする姿(令和8年度)", 2026), ("令和3年度", 2021), ("平成31年度", 2019), ("令和元年度", 2019),
    ("令和6年3月31日", 2023), ("2024/04/01", 2024), ("現行", None), ("現状", None), ("公表方法", None),
]


@pytest.mark.parametrize("raw, expected", FISCAL_YEARS)
def test_parse_fiscal_year(raw, expected):
    assert parse_fiscal_year(raw) == expected


@pytest.mark.parametrize("headers, expected", [
    (["現行", "令和 5 年度", "令和 6 年度", "令和 7 年度", "令和 8 年度"], [None, 2023, 2024, 2025, 2026]),
    (["現状", "R7", "R8", "R9", "R10", "R11"], [None, 2025, 2026, 2027, 2028, 2029]),
    (["現状", "令和5年度", "6年度", "7年度", "公表方法"], [None, 2023, 2024, 2025, None]),
    (["平成30年度", "31年度", "令和2年度"], [2018, 2019, 2020]),
    (["6年度", "7年度"], [None, None]),
])
def test_fiscal_years_of_headers(headers, expected):
    assert fiscal_years_of_headers(headers) == expected


DATES = [
    ("令和7年4月1日", date(2025, 4, 1)),
    ("2023/04/01", date(2023, 4, 1)),
    ("令和 2 年 4 月 1 日", date(2020, 4, 1)),
    ("令和7 年4 月1 日", date(2025, 4, 1)),
    ("令和元年5月1日", date(2019, 5, 1)),
    ("R5.4.1", date(2023, 4, 1)),
    ("2023-04-01", date(2023, 4, 1)),
    ("2023年4月1日", date(2023, 4, 1)),
    ("令和五年四月一日", date(2023, 4, 1)),
    ("平成31年4月30日", date(2019, 4, 30)),
    ("平成33年3月31日", date(2021, 3, 31)),
    ("平成31年5月1日", None),
    ("令和元年4月30日", None),
    ("昭和64年1月8日", None),
    ("令和5年2月30日", None),
    ("4/1", None),
]


@pytest.mark.parametrize("raw, expected", DATES)
def test_parse_date(raw, expected):
    assert parse_date(raw) == expected


PERIODS = [
    ("令和5年4月1日～令和8年3月31日", (date(2023, 4, 1), date(2026, 3, 31))),
    ("2023/04/01 ～ 2026/03/31", (date(2023, 4, 1), date(2026, 3, 31))),
    ("令和 2 年 4 月 1 日 ～ 令和 7 年 3 月 31 日", (date(2020, 4, 1), date(2025, 3, 31))),
    ("令和7 年4 月1 日 ～ 令和12 年3 月31 日", (date(2025, 4, 1), date(2030, 3, 31))),
    ("令和5年4月1日～8年3月31日", (date(2023, 4, 1), date(2026, 3, 31))),
    ("平成30年4月1日～平成33年3月31日", (date(2018, 4, 1), date(2021, 3, 31))),
    ("令和7年度～令和11年度", (date(2025, 4, 1), date(2030, 3, 31))),
    ("令和7年度～11年度", (date(2025, 4, 1), date(2030, 3, 31))),
    ("2023年4月～2026年3月", (date(2023, 4, 1), date(2026, 3, 31))),
    ("後期計画期間（令和4 年～令和8 年）", (date(2022, 1, 1), date(2026, 12, 31))),
    ("平成31年5月1日～令和2年3月31日", None),
    ("令和8年3月31日～令和5年4月1日", None),
    ("令和5年度～進捗状況まとめ", None),
]


@pytest.mark.parametrize("raw, expected", PERIODS)
def test_parse_period(raw, expected):
    assert parse_period(raw) == expected


CHECKS = [
    ("令和5年4月1日", []),
    ("平成31年4月30日", []),
    ("平成31年5月1日", ["平成31年 date 2019-05-01 is after 平成 ended (2019-04-30)"]),
    ("令和元年4月1日", ["令和1年 date 2019-04-01 is before 令和 began (2019-05-01)"]),
    ("平成32年", ["平成32年 does not exist: 平成 ended in 2019 (read as 2020)"]),
    ("令和5年2月30日", ["令和5年2月30日 is not a calendar date"]),
    ("現行", ["no year or date found in '現行'"]),
]


@pytest.mark.parametrize("raw, expected", CHECKS)
def test_check_date(raw, expected):
    assert check_date(raw) == expected


@pytest.mark.parametrize("day, expected", [
    (date(2023, 4, 1), "令和5年4月1日"), (date(2019, 5, 1), "令和元年5月1日"), (date(2019, 4, 30), "平成31年4月30日"),
    (date(1989, 1, 7), "昭和64年1月7日"), (date(1868, 10, 23), "明治元年10月23日"),
])
def test_to_wareki(day, expected):
    assert to_wareki(day) == expected


# --- ditto ------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("〃", True), ("″", True), ('"', True), ("同上", True), ("〃 (BtoC)", True), ("〃（ＢｔｏＣ）", True),
    ('"ABC"', False), ("管理費", False), ("", False),
])
def test_is_ditto(raw, expected):
    assert is_ditto(raw) is expected


@pytest.mark.parametrize("cell, above, expected", [
    ("〃 (BtoC)", "需要開拓支援(BtoB)", "需要開拓支援(BtoC)"),
    ("〃（ＢｔｏＣ）", "需要開拓支援（BtoB）", "需要開拓支援(BtoC)"),
    ("〃", "専門家派遣", "専門家派遣"),
    ("同上", "BIZミル利用料", "BIZミル利用料"),
    ("〃 2回目", "セミナー", "セミナー 2回目"),
    ("新たな需要開拓", "セミナー等開催費", "新たな需要開拓"),
])
def test_resolve_ditto(cell, above, expected):
    assert resolve_ditto(cell, above) == expected


def test_fill_down_dittos_chain():
    assert fill_down_dittos(["需要開拓支援(BtoB)", "〃 (BtoC)", "〃", "管理費", "同上"]) == [
        "需要開拓支援(BtoB)", "需要開拓支援(BtoC)", "需要開拓支援(BtoC)", "管理費", "管理費"]


# --- contacts ---------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("〒198-8585", "198-8585"), ("〒1988585", "198-8585"), ("〒０７７－００４４", "077-0044"),
    ("〒198-0212 東京都西多摩郡奥多摩町氷川 215 番地 6", "198-0212"), ("077-8601", "077-8601"), ("住所", None),
    ("〒１９８ー８５８５", "198-8585"), ("〒　１９８８５８５", "198-8585"), ("〒198 - 8585", "198-8585"),
])
def test_parse_postal_code(raw, expected):
    assert parse_postal_code(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("TEL:0428-23-0111", "0428-23-0111"), ("0164-42-2058", "0164-42-2058"),
    ("ＴＥＬ：０４２８－２２－１１１１", "0428-22-1111"), ("(0428)83-2295", "0428-83-2295"),
    ("0428ー23ー0111", "0428-23-0111"), ("0428230111", "0428-23-0111"), ("なし", None),
    ("TEL 0428(22)1141", "0428-22-1141"), ("0428221141", "0428-22-1141"), ("0312345678", "03-1234-5678"),
    ("ＴＥＬ　０４２８（２２）１１４１", "0428-22-1141"), ("０４２８２２１１４１", "0428-22-1141"),
    ("0428(22)11411", None),
])
def test_parse_phone(raw, expected):
    assert parse_phone(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("TEL:0428-23-0111 FAX:0428-23-1122 e-mail:soudan@omecci.jp", ("0428-23-0111", "0428-23-1122")),
    ("TEL：0428-22-1111 / FAX：0428-21-0542", ("0428-22-1111", "0428-21-0542")),
    ("TEL:0428-83-2295 FAX: 0428-83-2344", ("0428-83-2295", "0428-83-2344")),
    ("TEL 0164-42-2058 FAX 0164-43-8322 E-mail:rcci@rumoi.or.jp", ("0164-42-2058", "0164-43-8322")),
    ("電話 0164-42-1840 ファックス 0164-42-4273", ("0164-42-1840", "0164-42-4273")),
    ("ＴＥＬ：0428-23-0111", ("0428-23-0111", None)),
    ("TEL 0428(22)1141 FAX 0428 22 1145", ("0428-22-1141", "0428-22-1145")),
    ("TEL 0428221141", ("0428-22-1141", None)),
    ("ＴＥＬ ０４２８ ２２ １１４１ ＦＡＸ ０４２８（２２）１１４５", ("0428-22-1141", "0428-22-1145")),
])
def test_find_labelled_phones(raw, expected):
    found = find_labelled_phones(raw)
    assert (found["tel"], found["fax"]) == expected


@pytest.mark.parametrize("raw, expected", [
    ("e-mail:soudan@omecci.jp", "soudan@omecci.jp"), ("mail：div2050@city.ome.lg.jp", "div2050@city.ome.lg.jp"),
    ("E-mail:keizai@e-rumoi.jp", "keizai@e-rumoi.jp"), ("ｋａｎｋｏｕ＠ｔｏｗｎ．ｏｋｕｔａｍａ．ｔｏｋｙｏ．ｊｐ",
                                                        "kankou@town.okutama.tokyo.jp"), ("メール", None),
])
def test_parse_email(raw, expected):
    assert parse_email(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("https://www.city.ome.tokyo.lg.jp/", "https://www.city.ome.tokyo.lg.jp/"), ("URL：www.omecci.jp", "www.omecci.jp"),
    ("ホームページなし", None),
])
def test_parse_url(raw, expected):
    assert parse_url(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("東京都 青梅市 上町 3 7 3 番地の 1", "東京都青梅市上町373番地の1"),
    ("東京都青梅市東青梅 1 丁目 11 番地の 1", "東京都青梅市東青梅1丁目11番地の1"),
    ("東京都 西多摩郡奥多摩町 氷川 2 1 5 番地 6", "東京都西多摩郡奥多摩町氷川215番地6"),
    ("北海道留萌市錦町1 丁目1-15", "北海道留萌市錦町1丁目1-15"),
    ("北海道留萌市幸町１丁目１１番地", "北海道留萌市幸町1丁目11番地"),
])
def test_normalize_address(raw, expected):
    assert normalize_address(raw) == expected


CONTACT_BLOCKS = [
    ("青梅市 経済スポーツ部 商工観光課\n〒198-8701 東京都 青梅市東青梅 1 丁目 1 1 番地の 1\n"
     "TEL:0428-22-1111 FAX:0428-21-0542\ne-mail:div2050@city.ome.lg.jp",
     ("青梅市", "経済スポーツ部 商工観光課", "198-8701", "東京都青梅市東青梅1丁目11番地の1",
      "0428-22-1111", "0428-21-0542", "div2050@city.ome.lg.jp")),
    ("〒198-0212 東京都西多摩郡奥多摩町氷川 215 番地 6\n奥多摩町 観光産業課\n"
     "TEL：0428-83-2295 / FAX：0428-83-2344\nmail：kankou@town.okutama.tokyo.jp",
     ("奥多摩町", "観光産業課", "198-0212", "東京都西多摩郡奥多摩町氷川215番地6",
      "0428-83-2295", "0428-83-2344", "kankou@town.okutama.tokyo.jp")),
    ("留萌商工会議所 中小企業相談所 指導課\n〒077-0044 北海道留萌市錦町1 丁目1-15\n"
     "TEL 0164-42-2058 FAX 0164-43-8322 E-mail:rcci@rumoi.or.jp",
     ("留萌商工会議所", "中小企業相談所 指導課", "077-0044", "北海道留萌市錦町1丁目1-15",
      "0164-42-2058", "0164-43-8322", "rcci@rumoi.or.jp")),
    ("①商工会議所\n〒198-8585 東京都青梅市上町 373 番地の 1\n青梅商工会議所 中小企業相談所（地域振興部）\n"
     "TEL：0428-23-0111 / FAX：0428-23-1122\nmail：soudan@omecci.jp",
     ("青梅商工会議所", "中小企業相談所(地域振興部)", "198-8585", "東京都青梅市上町373番地の1",
      "0428-23-0111", "0428-23-1122", "soudan@omecci.jp")),
    ("町田市経済観光部産業政策課\n〒194-8520\n東京都町田市森野2-2-22\n電話 042-724-2129",
     ("町田市", "経済観光部産業政策課", "194-8520", "東京都町田市森野2-2-22", "042-724-2129", None, None)),
]


@pytest.mark.parametrize("block, expected", CONTACT_BLOCKS)
def test_parse_contact_block(block, expected):
    r = parse_contact_block(block)
    keys = ("organization", "department", "postal_code", "address", "tel", "fax", "email")
    assert tuple(r[k] for k in keys) == expected


# --- identifiers ------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("3013105001132", True), ("4450005003156", True), ("３０１３１０５００１１３２", True),
    ("3013105001133", False), ("1013105001132", False), ("301310500113", False), ("301310500113a", False),
])
def test_valid_corporate_number(raw, expected):
    assert valid_corporate_number(raw) is expected


@pytest.mark.parametrize("raw, expected", [
    ("132055", True), ("133086", True), ("012122", True), ("130001", True), ("011011", True),
    ("132056", False), ("13205", False), ("01212２", True),
])
def test_valid_local_gov_code(raw, expected):
    assert valid_local_gov_code(raw) is expected


@pytest.mark.parametrize("raw, expected", [
    ("青梅商工会議所（法人番号 3013105001132）", "3013105001132"),
    ("留萌商工会議所（法人番号）4450005003156", "4450005003156"),
    ("法人番号 3013105001133", None),
])
def test_find_corporate_number(raw, expected):
    assert find_corporate_number(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("青梅市（地方公共団体コード 132055）\n奥多摩町（地方公共団体コード 133086）", ["132055", "133086"]),
    ("留萌市（地方公共団体コード）012122", ["012122"]),
    ("地方公共団体コード 132056", []),
])
def test_find_local_gov_codes(raw, expected):
    assert find_local_gov_codes(raw) == expected


# --- every raw value in the gold files --------------------------------------

import json  # noqa: E402
import re  # noqa: E402
from pathlib import Path  # noqa: E402

_GOLD = Path(__file__).parent / "fixtures" / "gold"
_RAW = Path(__file__).parent.parent / "data" / "raw"


def _gold(key):
    for path in sorted(_GOLD.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for row in doc.get(key, []):
            yield pytest.param(row, id=f"{doc['document']}:{row.get('raw')}")


@pytest.mark.parametrize("row", list(_gold("targets")))
def test_gold_target_cells(row):
    q = parse_quantity(row["raw"])
    assert (q.value, q.unit) == (row["value"], row["unit"])


@pytest.mark.parametrize("row", list(_gold("budgets")))
def test_gold_budget_cells(row):
    q = parse_quantity(row["raw"])
    assert (q.value, q.unit) == (row["amount_thousand_yen"], None)


def _first_page_text(name: str) -> str:
    import pymupdf

    with pymupdf.open(_RAW / name) as doc:
        return doc[0].get_text()


@pytest.mark.parametrize("name", ["ome_cci_2023.pdf", "rumoi_cci_2025.pdf"])
def test_plan_summary_page_against_gold(name):
    plan = json.loads((_GOLD / f"{name}.json").read_text(encoding="utf-8"))["plan"]
    page = _first_page_text(name)
    period_line = next(line for line in page.splitlines() if re.search(r"～|〜", line) and parse_period(line))
    assert parse_period(period_line) == (date.fromisoformat(plan["period_start"]), date.fromisoformat(plan["period_end"]))
    assert find_corporate_number(page) == plan["corporate_number"]
    assert find_local_gov_codes(page) == [m["code"] for m in plan["municipalities"]]
