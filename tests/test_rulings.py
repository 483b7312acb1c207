"""Each stage of the ruling path (extractors/layout/rulings.py) alone, on tiny hand-made geometry:
drawings → rulings → snap → merge → intersections → cells → groups → table."""
from __future__ import annotations

import pytest

from extractors.layout.model import LayoutSettings
from extractors.layout.rulings import (Ruling, build_table, find_cells, find_intersections, group_cells,
                                       grid_is_sane, merge_rulings, rulings_from_drawings, snap_rulings,
                                       tables_from_ruling_segments)

import builders as b

SETTINGS = LayoutSettings()
BLACK, WHITE = (0.0, 0.0, 0.0), (1.0, 1.0, 1.0)


def _sorted(rulings):
    return sorted(rulings, key=lambda r: (r.orientation, r.pos, r.start))


# --- drawings → rulings --------------------------------------------------------------------

def test_stroked_lines_and_rectangles_become_rulings():
    drawings = [
        {"type": "s", "color": BLACK, "items": [("l", (0, 10), (100, 10.5)), ("l", (40, 0), (40.4, 30))]},
        {"type": "s", "color": BLACK, "items": [("re", (200, 50, 260, 80))]},
    ]
    assert _sorted(rulings_from_drawings(drawings, SETTINGS)) == _sorted([
        Ruling("h", 10.25, 0, 100), Ruling("v", 40.2, 0, 30),
        Ruling("h", 50, 200, 260), Ruling("h", 80, 200, 260), Ruling("v", 200, 50, 80), Ruling("v", 260, 50, 80)])


def test_thin_filled_rectangles_are_rulings_but_shading_and_white_strokes_are_not():
    drawings = [
        {"type": "f", "fill": BLACK, "items": [("re", (0, 10, 100, 11))]},        # a 1 pt bar: a ruling
        {"type": "f", "fill": BLACK, "items": [("re", (0, 20, 100, 60))]},        # shading: ignored
        {"type": "s", "color": WHITE, "items": [("l", (0, 70), (100, 70))]},      # invisible border
        {"type": "s", "color": None, "items": [("l", (0, 80), (100, 80))]},
        {"type": "s", "color": BLACK, "items": [("l", (0, 0), (30, 40))]},        # a diagonal
    ]
    assert rulings_from_drawings(drawings, SETTINGS) == [Ruling("h", 10.5, 0, 100)]


# --- snap ----------------------------------------------------------------------------------

def test_snap_moves_near_positions_of_one_orientation_to_their_mean():
    rulings = [Ruling("h", 10, 0, 50), Ruling("h", 12, 50, 100), Ruling("h", 30, 0, 100),
               Ruling("v", 11, 0, 30)]
    assert _sorted(snap_rulings(rulings, tolerance=3)) == _sorted([
        Ruling("h", 11, 0, 50), Ruling("h", 11, 50, 100), Ruling("h", 30, 0, 100),
        Ruling("v", 11, 0, 30)])  # the vertical at 11 is not pulled into the horizontals


def test_snap_chains_neighbours_within_tolerance_and_keeps_far_ones_apart():
    rulings = [Ruling("v", x, 0, 10) for x in (0, 2, 4, 9)]
    assert [r.pos for r in snap_rulings(rulings, tolerance=2.5)] == [2, 2, 2, 9]
    assert snap_rulings([], tolerance=3) == []


# --- merge ---------------------------------------------------------------------------------

def test_merge_joins_collinear_pieces_that_overlap_or_nearly_touch():
    rulings = [Ruling("h", 10, 0, 50), Ruling("h", 10, 52, 100), Ruling("h", 10, 40, 60),
               Ruling("h", 10, 110, 150), Ruling("h", 20, 0, 50)]
    assert _sorted(merge_rulings(rulings, join_tolerance=3, min_length=3)) == _sorted([
        Ruling("h", 10, 0, 100), Ruling("h", 10, 110, 150), Ruling("h", 20, 0, 50)])


def test_merge_drops_short_leftovers_and_keeps_orientations_apart():
    rulings = [Ruling("h", 10, 0, 2), Ruling("v", 10, 0, 2), Ruling("v", 10, 0, 40)]
    assert merge_rulings(rulings, join_tolerance=3, min_length=3) == [Ruling("v", 10, 0, 40)]


# --- intersections -------------------------------------------------------------------------

def test_intersections_of_a_full_grid():
    points = find_intersections(b.grid_rulings([0, 50, 100], [0, 20]), tolerance=3)
    assert points == {(0, 0), (50, 0), (100, 0), (0, 20), (50, 20), (100, 20)}


def test_a_ruling_stopping_short_meets_only_within_tolerance():
    across = Ruling("h", 20, 0, 100)
    assert find_intersections([across, Ruling("v", 50, 0, 18)], tolerance=3) == {(50, 20)}
    assert find_intersections([across, Ruling("v", 50, 0, 15)], tolerance=3) == set()
    assert find_intersections([across, Ruling("v", 103, 0, 40)], tolerance=3) == {(103, 20)}
    assert find_intersections([across, Ruling("v", 105, 0, 40)], tolerance=3) == set()


# --- cells ---------------------------------------------------------------------------------

def _cells(rulings):
    points = find_intersections(rulings, 3)
    return sorted(find_cells(points, rulings, 3))


def test_cells_of_a_two_by_two_grid():
    assert _cells(b.grid_rulings([0, 50, 100], [0, 20, 40])) == [
        (0, 0, 50, 20), (0, 20, 50, 40), (50, 0, 100, 20), (50, 20, 100, 40)]


def test_a_missing_ruling_makes_a_merged_cell():
    rulings = [Ruling("h", y, 0, 100) for y in (0, 20, 40)] + [
        Ruling("v", 0, 0, 40), Ruling("v", 100, 0, 40), Ruling("v", 50, 0, 20)]  # row 2 has no middle line
    assert _cells(rulings) == [(0, 0, 50, 20), (0, 20, 100, 40), (50, 0, 100, 20)]


def test_corners_not_joined_by_rulings_make_no_cell():
    # two separate crosses: four intersections, but no ruling joins them into a rectangle
    rulings = [Ruling("h", 0, -5, 5), Ruling("v", 0, -5, 5), Ruling("h", 20, 45, 55), Ruling("v", 50, 15, 25)]
    assert _cells(rulings) == []


# --- groups --------------------------------------------------------------------------------

def test_cells_sharing_corners_are_one_table_and_tables_are_ordered_top_then_left():
    upper_right = [(300, 0, 350, 20), (350, 0, 400, 20)]
    lower = [(0, 100, 50, 120), (0, 120, 50, 140)]
    upper_left = [(0, 0, 50, 20), (50, 0, 100, 20), (0, 20, 100, 40)]
    groups = group_cells(lower + upper_right + upper_left)
    assert [sorted(g) for g in groups] == [sorted(upper_left), sorted(upper_right), sorted(lower)]
    assert group_cells([]) == []


# --- table ---------------------------------------------------------------------------------

def test_build_table_places_spans_and_fills_texts_from_words():
    boxes = [(0, 0, 50, 20), (50, 0, 100, 20), (0, 20, 100, 40)]
    words = b.words([(5, [(5, "項目"), (55, "R7")]), (25, [(5, "合計"), (40, "100")])])
    table = build_table(3, boxes, words, SETTINGS)
    assert (table.page, table.bbox, table.n_rows, table.n_cols, table.method) == (3, (0, 0, 100, 40), 2, 2, "rulings")
    assert [(c.row, c.col, c.row_span, c.col_span, c.text) for c in table.cells] == [
        (0, 0, 1, 1, "項目"), (0, 1, 1, 1, "R7"), (1, 0, 1, 2, "合計 100")]
    report = table.report
    assert (report["n_cells"], report["merged_cells"], report["grid_holes"], report["n_words"]) == (3, 1, 0, 4)
    assert (report["accuracy"], report["whitespace"]) == (100.0, 0.0)
    assert grid_is_sane(table, SETTINGS)


def test_build_table_cuts_a_word_at_a_cell_side_and_reports_words_in_holes():
    boxes = [(0, 0, 50, 20), (50, 0, 100, 20), (0, 20, 50, 40)]  # (1, 1) is a hole
    words = b.words([(5, [(5, "a"), (30, "crossing")]),  # 30 + 9 × 8 = 102: over the side at 50
                     (25, [(60, "lost")])])              # in the hole
    table = build_table(1, boxes, words, SETTINGS)
    report = table.report
    # the word over the side is cut there (tight cells), so no word straddles two cells
    assert [c.text for c in table.cells] == ["a cr", "ossing", ""]
    assert (report["grid_holes"], report["words_outside_cells"], report["words_straddling_cells"]) == (1, 1, 0)
    assert report["n_words"] == 4 and report["accuracy"] == pytest.approx(75.0, abs=0.01)
    assert report["whitespace"] == pytest.approx(100 * 1 / 3, abs=0.01)
    assert not grid_is_sane(table, SETTINGS)


def test_words_of_one_cell_read_as_lines_top_to_bottom_then_left_to_right():
    words = b.words([(12, [(30, "b2"), (5, "b1")]), (2, [(5, "a1")])])
    (cell,) = build_table(1, [(0, 0, 100, 30)], words, SETTINGS).cells
    assert cell.text == "a1\nb1 b2"


# --- end to end ----------------------------------------------------------------------------

def test_ruling_segments_to_tables_snaps_merges_and_drops_a_lone_box():
    rulings = b.grid_rulings([0, 50, 100], [0, 20, 40])
    # the same grid drawn sloppily: a border 1 pt off, one line in two pieces
    rulings = [Ruling(r.orientation, r.pos + (1 if r.pos == 100 else 0), r.start, r.end) for r in rulings]
    rulings = [r for r in rulings if not (r.orientation == "h" and r.pos == 20)]
    rulings += [Ruling("h", 20, 0, 49), Ruling("h", 20, 51, 100)]
    stamp = b.grid_rulings([300, 340], [0, 20])  # one framed cell: a stamp, not a table
    words = b.words([(5, [(5, "x")]), (25, [(55, "y")]), (5, [(305, "資料")])])
    (table,) = tables_from_ruling_segments(1, rulings + stamp, words, SETTINGS)
    assert table.rows_text() == [["x", ""], ["", "y"]]
    # 3 + 3 merged rulings of the grid and the stamp's 4: the page's rulings after snap and merge
    assert table.report["n_rulings"] == 10 and table.report["method"] == "rulings"
    assert tables_from_ruling_segments(1, [], words, SETTINGS) == []
