"""Look-alike code points, overlay dashes and words cut at cell sides (unit level)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.kinds.business_plan.contacts import unwrap_emails
from extractors.layout.model import LayoutSettings, Word
from extractors.layout.rulings import build_table, estimated_chars, split_at_sides, split_word
from pipeline.normalize.lookalikes import EQUIVALENT_UNIFIED_IDEOGRAPH
from pipeline.normalize.text import normalize_text

ROOT = Path(__file__).resolve().parents[1]
UCD = Path("/usr/share/unicode/EquivalentUnifiedIdeograph.txt")

lookalike_text = st.text(alphabet=st.sampled_from(
    [chr(k) for k in EQUIVALENT_UNIFIED_IDEOGRAPH] + list("長支援目標月日 ー—-\u0336\u0334\u0338=①Ⅲ０１２ＡＢ\u2010\u2011\u00ad\u200b")), max_size=40)


@given(lookalike_text)
def test_normalize_text_is_idempotent_and_leaves_no_lookalike_or_overlay(s):
    once = normalize_text(s)
    assert normalize_text(once) == once
    assert not any(ord(ch) in EQUIVALENT_UNIFIED_IDEOGRAPH or "\u0334" <= ch <= "\u0338" for ch in once)


@given(st.text(max_size=60))
def test_normalize_text_never_raises(s):
    assert isinstance(normalize_text(s), str)


def test_every_lookalike_reads_as_its_unified_ideograph():
    for k, v in EQUIVALENT_UNIFIED_IDEOGRAPH.items():
        assert normalize_text(chr(k)) == chr(v)
        assert 0x3400 <= v <= 0x9FFF or 0x20000 <= v <= 0x3FFFF, hex(k)   # a unified ideograph
    assert normalize_text("⻑門商工会議所 ⻘木 市⻑ ⽀援 令和7年4⽉1⽇") == "長門商工会議所 青木 市長 支援 令和7年4月1日"


@pytest.mark.skipif(not UCD.is_file(), reason="the UCD file comes from Debian's unicode-data (make layout-deps)")
def test_the_lookalike_table_round_trips_the_unicode_data():
    spec = importlib.util.spec_from_file_location("make_lookalikes", ROOT / "scripts" / "make_lookalikes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.parse(UCD.read_text(encoding="utf-8")) == EQUIVALENT_UNIFIED_IDEOGRAPH


def test_hyphen_lookalikes_in_numbers_and_addresses_read_as_the_ascii_hyphen():
    assert normalize_text("0241\u201111\u20112233 info@a\u2011b.jp") == "0241-11-2233 info@a-b.jp"
    assert normalize_text("0241\u00ad11") == "0241-11" and normalize_text("infor\u00admation") == "information"


def test_overlays_read_as_a_dash_and_a_composed_sign_stays():
    assert normalize_text("\u0336") == "—"
    assert normalize_text("=\u0338") == "≠"


def _w(text, x0, x1, y=10.0):
    return Word(text, (x0, y, x1, y + 10), 1)


def test_a_word_is_cut_at_the_cell_sides_it_lies_across():
    # `現行R7年度` over two cells meeting at x=20: 現行 (2 wide) | R7年度 (1 + 2 wide).
    word = _w("現行R7年度", 0.0, 50.0)
    assert [w.text for w in split_word(word, [20.0])] == ["現行", "R7年度"]
    cells = [(0.0, 5.0, 20.0, 25.0), (20.0, 5.0, 50.0, 25.0)]
    assert [w.text for w in split_at_sides([word], cells, 3.0)] == ["現行", "R7年度"]
    # Glyph positions, when given, decide over the estimate.
    chars = lambda _w: [("現", 0, 10), ("行", 10, 22), ("R", 22, 27), ("7", 27, 32), ("年", 32, 41), ("度", 41, 50)]
    assert [w.text for w in split_word(word, [28.0], chars)] == ["現行R", "7年度"]


def test_a_word_inside_its_cell_is_not_cut():
    word = _w("経営分析事業者数", 2.0, 80.0)
    assert split_at_sides([word], [(0.0, 5.0, 82.0, 25.0), (82.0, 5.0, 100.0, 25.0)], 3.0) == [word]
    assert [round(x1 - x0, 1) for _, x0, x1 in estimated_chars(_w("R7", 0.0, 10.0))] == [5.0, 5.0]


def test_cells_are_filled_after_cutting_and_a_glued_overlay_dash_goes_to_its_empty_cell():
    cells = [(0.0, 5.0, 40.0, 25.0), (40.0, 5.0, 60.0, 25.0), (60.0, 5.0, 80.0, 25.0)]
    words = [_w("成約件数\u0336", 2.0, 42.0), _w("1件", 62.0, 75.0)]
    table = build_table(1, cells, words, LayoutSettings())
    assert table.rows_text() == [["成約件数", "\u0336", "1件"]]
    assert table.report["accuracy"] == 100.0


def test_an_email_wrapped_at_its_hyphen_is_joined():
    assert unwrap_emails(["E-mail：soudan@nishioka-", "cci.example.jp", "西岡市"]) == [
        "E-mail:soudan@nishioka-cci.example.jp", "西岡市"]


def test_two_glued_overlay_dashes_go_one_to_each_empty_cell():
    cells = [(0.0, 5.0, 40.0, 25.0), (40.0, 5.0, 60.0, 25.0), (60.0, 5.0, 80.0, 25.0), (80.0, 5.0, 100.0, 25.0)]
    table = build_table(1, cells, [_w("２回\u0336\u0336", 2.0, 22.0), _w("1件", 82.0, 95.0)], LayoutSettings())
    assert table.rows_text() == [["２回", "\u0336", "\u0336", "1件"]]
