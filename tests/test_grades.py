"""Grades: the legend's thresholds, the edge rule, and grade_mismatch findings."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from extractors.readers.grades import (
    DEFAULT_SCALE,
    GradeBand,
    compute_grade,
    parse_legend_line,
    read_legend,
)
from extractors.kinds.progress import ProgressReportExtractor, layout_lines, read_progress
from extractors.layout.workbook import layout_from_openpyxl, read_workbook

XLSX = Path(__file__).resolve().parents[1] / "data/raw/akiruno_progress_r7.xlsx"


@pytest.mark.parametrize("target, actual, grade", [
    (10, 5, "C"),        # exactly 50 %: the lower band, as the fixture grades it
    (20, 10, "C"),
    (10, 5.01, "B"),
    (100, 89.5, "B"),    # not rounded up to 90 %
    (10, 9, "B"),        # exactly 90 %
    (10, 9.01, "A"),
    (10, 12, "A"),       # exactly 120 %
    (10, 12.01, "S"),
    (10, 0, "C"),
    (0, 5, None),        # no ratio without a positive target
    (0, 0, None),
    (10, None, None),    # missing actual
    (None, 5, None),
])
def test_edges(target, actual, grade):
    assert compute_grade(target, actual) == grade


def test_legend_of_the_fixture_is_read():
    scale = read_legend(layout_lines(read_workbook(XLSX)))
    assert scale.source == "legend"
    assert scale.bands == DEFAULT_SCALE.bands


def test_legend_lines():
    assert parse_legend_line("S 目標値以上(120%~)：このまま") == GradeBand("S", 120.0, None)
    assert parse_legend_line("Ｂ　要改善（５０～９０％）") == GradeBand("B", 50.0, 90.0)
    assert parse_legend_line("C 要大幅改善(~50%)") == GradeBand("C", None, 50.0)
    assert parse_legend_line("A 1~2回") is None
    assert parse_legend_line("事業承継セミナー 20人") is None


def test_legend_thresholds_are_used():
    scale = read_legend(["S 目標超過(110%~)", "A 達成(80~110%)", "B 未達(40~80%)", "C 大幅未達(~40%)"])
    assert compute_grade(100, 115, scale) == "S"
    assert compute_grade(100, 85, scale) == "A"
    assert compute_grade(100, 45, scale) == "B"
    assert read_legend(["no legend here"]) is DEFAULT_SCALE


def test_fixture_grades_agree_with_the_legend():
    """Every written grade of the fixture is what the legend computes: no finding."""
    entries = read_progress(read_workbook(XLSX))
    graded = [e.row for e in entries if e.row.grade]
    assert len(graded) == 42
    assert all(r.grade == r.grade_computed for r in graded)
    assert ProgressReportExtractor().extract(read_workbook(XLSX)).findings == []


def test_wrong_grade_becomes_a_finding():
    workbook = openpyxl.load_workbook(XLSX)
    ws = workbook.active
    cells = {c.coordinate: c for row in ws.iter_rows() for c in row if c.value in ("A", "B", "C", "S")
             and c.row < 20}
    changed = []
    for coordinate, cell in list(cells.items())[:3]:
        cell.value = "S" if cell.value != "S" else "C"
        changed.append(f"{ws.title}!{coordinate}")
    extraction = ProgressReportExtractor().extract(layout_from_openpyxl(workbook))
    mismatches = [f for f in extraction.findings if f.code == "grade_mismatch"]
    assert sorted(f.location for f in mismatches) == sorted(changed)
    assert all(f.severity == "warning" and "%" in f.message for f in mismatches)


@pytest.mark.parametrize("line, grade, inside, outside", [
    ("Ｓ 達成率１２０%以上", "S", [120.0, 150.0], [119.9]),
    ("A　達成率９０％以上１２０％未満", "A", [90.0, 119.9], [89.9, 120.0]),
    ("B 達成率５０%以上９０%未満", "B", [50.0, 89.9], [49.9, 90.0]),
    ("C 達成率５０%未満", "C", [0.0, 49.9], [50.0]),
    ("A 100%超", "A", [100.1], [100.0]),
    ("B 50%以下", "B", [50.0, 10.0], [50.1]),
])
def test_worded_legend_edges_are_followed_as_written(line, grade, inside, outside):
    band = parse_legend_line(line)
    assert band.grade == grade
    assert all(band.contains(p) for p in inside)
    assert not any(band.contains(p) for p in outside)


def test_a_worded_legend_grades_its_edges_upwards():
    scale = read_legend(["Ｓ 達成率１２０%以上", "Ａ 達成率９０%以上１２０%未満",
                         "Ｂ 達成率５０%以上９０%未満", "Ｃ 達成率５０%未満"])
    assert scale.source == "legend"
    assert [compute_grade(100, a, scale) for a in (120, 90, 50, 49.9)] == ["S", "A", "B", "C"]
