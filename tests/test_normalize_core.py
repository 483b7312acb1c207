"""Core cases for text, numbers and wareki normalisers (full table: test_normalize_table.py)."""

from datetime import date

import pytest

from pipeline.normalize.numbers import parse_quantity, to_yen
from pipeline.normalize.text import collapse_spaced_digits, normalize_text
from pipeline.normalize.wareki import check_date, parse_date, parse_fiscal_year, parse_period, parse_year


@pytest.mark.parametrize("raw, expected", [
    ("1 2回", "12回"),
    ("R 1 0 年度", "R10年度"),
    ("3 7 3 番地の 1", "373番地の1"),
    ("P D C A", "PDCA"),
    ("20人 30人", "20人 30人"),
    ("令和 2 年 4 月 1 日", "令和2年4月1日"),
])
def test_collapse_spaced_digits(raw, expected):
    assert collapse_spaced_digits(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("令和５年度", "令和5年度"),
    ("①ＰＤＣＡ", "①PDCA"),
    ("Ⅳ 計画", "Ⅳ 計画"),
    ("3～5回", "3～5回"),
    ("△５", "△5"),
])
def test_normalize_text(raw, expected):
    assert normalize_text(raw) == expected


@pytest.mark.parametrize("raw, value, unit", [
    ("1 2回", 12, "回"), ("123,330", 123330, None), ("１２３，３３０", 123330, None),
    ("5万円", 5, "万円"), ("62％", 62, "%"), ("△5", -5, None), ("—", None, None), ("維持", None, None),
])
def test_parse_quantity(raw, value, unit):
    q = parse_quantity(raw)
    assert (q.value, q.unit) == (value, unit)


def test_to_yen():
    assert to_yen(parse_quantity("15万円")) == 150000


@pytest.mark.parametrize("raw, year", [
    ("令和5年", 2023), ("R5", 2023), ("R.5", 2023), ("Ｒ５", 2023), ("令和元年", 2019),
    ("平成31年", 2019), ("令和五年", 2023), ("2023年", 2023),
])
def test_parse_year(raw, year):
    assert parse_year(raw) == year


@pytest.mark.parametrize("raw, year", [
    ("令和5年度", 2023), ("R7", 2025), ("令和 5 年度", 2023), ("令和８年度", 2026), ("R 1 0 年度", 2028),
])
def test_parse_fiscal_year(raw, year):
    assert parse_fiscal_year(raw) == year


def test_dates_and_periods():
    assert parse_date("令和7年4月1日") == date(2025, 4, 1)
    assert parse_date("平成31年5月1日") is None
    assert check_date("平成31年5月1日")
    assert parse_period("令和 2 年 4 月 1 日 ～ 令和 7 年 3 月 31 日") == (date(2020, 4, 1), date(2025, 3, 31))
