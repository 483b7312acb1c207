"""Ditto marks, identifiers and contact fields, on values from the fixture documents."""

import pytest

from pipeline.normalize.contacts import find_labelled_phones, parse_contact_block, parse_postal_code
from pipeline.normalize.ditto import fill_down_dittos, is_ditto, resolve_ditto
from pipeline.normalize.identifiers import (
    find_corporate_number, find_local_gov_codes, valid_corporate_number, valid_local_gov_code,
)


@pytest.mark.parametrize("cell, above, expected", [
    ("〃 (BtoC)", "需要開拓支援(BtoB)", "需要開拓支援(BtoC)"),
    ("〃", "専門家派遣", "専門家派遣"),
    ("同上", "管理費", "管理費"),
    ("″", "一般事業費", "一般事業費"),
    ('"', "一般事業費", "一般事業費"),
    ("管理費", "一般事業費", "管理費"),
])
def test_resolve_ditto(cell, above, expected):
    assert resolve_ditto(cell, above) == expected


def test_fill_down_dittos():
    assert fill_down_dittos(["需要開拓支援(BtoB)", "〃 (BtoC)", "〃"]) == [
        "需要開拓支援(BtoB)", "需要開拓支援(BtoC)", "需要開拓支援(BtoC)"]
    assert not is_ditto('"ABC"')


@pytest.mark.parametrize("number", ["3013105001132", "4450005003156"])
def test_valid_corporate_number(number):
    assert valid_corporate_number(number)


@pytest.mark.parametrize("code", ["132055", "133086", "012122"])
def test_valid_local_gov_code(code):
    assert valid_local_gov_code(code)


def test_find_identifiers():
    assert find_corporate_number("青梅商工会議所（法人番号 3013105001132）") == "3013105001132"
    assert find_local_gov_codes("留萌市（地方公共団体コード）012122") == ["012122"]


def test_contact_block_from_plan_summary():
    block = ("青梅商工会議所 中小企業相談所（地域振興部）\n"
             "〒198-8585 東京都 青梅市 上町 3 7 3 番地の 1\n"
             "TEL:0428-23-0111 FAX:0428-23-1122 e-mail:soudan@omecci.jp")
    assert parse_contact_block(block) == {
        "organization": "青梅商工会議所", "department": "中小企業相談所(地域振興部)",
        "postal_code": "198-8585", "address": "東京都青梅市上町373番地の1",
        "tel": "0428-23-0111", "fax": "0428-23-1122", "email": "soudan@omecci.jp", "url": None,
    }


def test_phones_and_postal():
    assert find_labelled_phones("TEL：0428-83-2295 / FAX：0428-83-2344") == {
        "tel": "0428-83-2295", "fax": "0428-83-2344"}
    assert parse_postal_code("〒1988585") == "198-8585"
