"""Fuzzing: mutated fixtures never make extract_file raise, and the table readers never
raise on arbitrary grids. `scripts/fuzz.py` (`make fuzz`) runs a longer campaign."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from extractors.kinds.progress import GridCell, find_header, read_progress_grid
from extractors.readers.target_tables import read_target_grid
from pipeline.extract import extract_file
from schemas.records import Extraction, ProgressRow, Target

import builders as b
import hostile

SEED = 20240601
CASES = list(hostile.fuzz_cases(SEED, 45))


@pytest.mark.parametrize("name, data", CASES, ids=[name for name, _ in CASES])
def test_a_mutated_fixture_never_makes_extract_file_raise(name, data, tmp_path):
    path = tmp_path / name
    path.write_bytes(data)
    result = extract_file(path)
    assert isinstance(result, Extraction)
    assert result.status in hostile.VALID_STATUSES
    if result.status != "ok":
        assert result.error and "\n" not in result.error


def test_the_mutations_are_seeded():
    assert [n for n, _ in hostile.fuzz_cases(7, 6)] == [n for n, _ in hostile.fuzz_cases(7, 6)]
    assert [d for _, d in hostile.fuzz_cases(7, 3)] == [d for _, d in hostile.fuzz_cases(7, 3)]


# --- grid readers -----------------------------------------------------------------------

# Cell texts biased towards what the readers look for, so headers are found and rows read.
WORDS = ["", "目標", "年間目標", "実績", "評価", "現状", "現行", "令和5年度", "R6", "令和 7 年度", "平成30年度",
         "2024年度", "単位", "件", "者", "社", "%", "万円", "①経営分析", "・北海道", "成約件数／者", "〃", "同左",
         "－", "-", "—", "維持", "12", "1,234", "３０", "1.5", "0", "S", "A", "B", "C", "方向性", "個別施策",
         "実施事業", "セミナー（参加者数）", "実施主体", "P.33", "※現状は令和5年度実績", "\n", " "]
texts = st.one_of(st.sampled_from(WORDS), st.text(max_size=12),
                  st.lists(st.sampled_from(WORDS), min_size=2, max_size=3).map("".join))


@st.composite
def tables(draw):
    n_rows, n_cols = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    rows: list[list[str | None]] = [[None] * n_cols for _ in range(n_rows)]
    merges = {}
    for r in range(n_rows):
        for c in range(n_cols):
            if draw(st.integers(0, 5)) == 0:
                continue  # a hole in the grid
            merges[(r, c)] = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
            rows[r][c] = draw(texts)
    return b.table(rows, merges, left=0.0, top=0.0, col_width=50.0, row_height=20.0)


@st.composite
def grids(draw):
    n_rows, n_cols = draw(st.integers(1, 8)), draw(st.integers(1, 8))
    grid = []
    for r in range(n_rows):
        row = []
        for c in range(n_cols):
            if draw(st.integers(0, 5)) == 0:
                row.append(None)
                continue
            text = draw(texts)
            value = draw(st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**6, 10**6)))
            anchor = (r, c) if draw(st.booleans()) or c == 0 else (r, c - 1)  # some merged across
            row.append(GridCell(text=text, anchor=anchor, value=value, sheet="S", cell=f"{chr(65 + c)}{r + 1}"))
        grid.append(row)
    return grid


FUZZ = settings(max_examples=300, derandomize=True, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FUZZ
@given(tables(), st.one_of(st.none(), st.integers(2015, 2035)))
def test_read_target_grid_never_raises(table, baseline_year):
    targets = read_target_grid(table, section_no="1", baseline_year=baseline_year)
    assert all(isinstance(t, Target) for t in targets)


@FUZZ
@given(grids())
def test_progress_grid_reader_never_raises(grid):
    header = find_header(grid)
    if header is None:
        return
    entries = read_progress_grid(grid, header)
    assert all(isinstance(e.row, ProgressRow) for e in entries)


@FUZZ
@given(grids())
def test_progress_header_found_in_a_grid_with_target_and_actual_columns(grid):
    header_row = [GridCell(text=t, anchor=(0, c), sheet="S", cell=f"{chr(65 + c)}1")
                  for c, t in enumerate(["実施事業", "令和5年度目標", "令和5年度実績", "評価"])]
    width = max(len(r) for r in grid)
    full = [header_row + [None] * max(0, width - 4)] + [row + [None] * (max(width, 4) - len(row)) for row in grid]
    header = find_header(full)
    assert header is not None
    read_progress_grid(full, header)
