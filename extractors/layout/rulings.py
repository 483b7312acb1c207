"""Table grids from vector rulings: rulings → snap → merge → intersections → cells → tables.

Each stage is a small pure function returning new objects (as in pdfplumber's
table.py), so a stage can be tested or swapped alone. The grids come from the
page's drawings, not from text alignment: Word → LibreOffice PDFs draw every
table border as a stroked line or a thin filled rectangle, and a merged cell is
simply a place where a ruling is missing.

Path choice, measured on the two plan fixtures (33 pages, 1 core of a shared
2-core machine, so ranges over runs): this ruling path 360-630 pages/s for the
table stage alone (words and drawings already read) and 80-176 pages/s for the
whole read_pdf_layout (load average 2-5); pymupdf `page.find_tables()` 0.7-1.7 pages/s; pdfplumber
`find_tables()` 3-5 pages/s (it re-parses the page with pdfminer). So the ruling
path is the default; pdfplumber's finder is only the fallback for a grid failing
`grid_is_sane`, and the reference the tests compare with (same cell texts on
every fixture table). A table drawn without rulings is read from word
positions instead (extractors/layout/stream.py), only under a row naming ≥2 fiscal years.
"""
from __future__ import annotations

import bisect
import unicodedata
from dataclasses import dataclass
from itertools import groupby
from typing import Callable, Iterable, Sequence

from extractors.layout.model import Cell, LayoutSettings, Table, Word, visual_rows
from schemas.types import BBox


@dataclass(frozen=True)
class Ruling:
    """A horizontal (`pos` = y, from `start` to `end` in x) or vertical ruling."""

    orientation: str  # "h" or "v"
    pos: float
    start: float
    end: float

    @property
    def length(self) -> float:
        return self.end - self.start


Point = tuple[float, float]


# --- stage 1: drawings → rulings -------------------------------------------------

def _visible(colour) -> bool:
    return colour is not None and tuple(colour) != (1.0, 1.0, 1.0)


def rulings_from_drawings(drawings: Iterable[dict], settings: LayoutSettings) -> list[Ruling]:
    """Stroked lines, stroked rectangle edges and thin filled rectangles as rulings.

    `drawings` is pymupdf's `page.get_cdrawings()` (plain tuples: faster than
    get_drawings' Point/Rect objects). A wide filled rectangle is cell shading,
    not a border: it is ignored, so a shaded paragraph outside any table does not
    become a table; white strokes are invisible borders and are ignored too.
    """
    out: list[Ruling] = []
    thin = settings.max_ruling_thickness
    for drawing in drawings:
        kind_of = drawing.get("type", "")
        stroked = "s" in kind_of and _visible(drawing.get("color"))
        filled = "f" in kind_of and _visible(drawing.get("fill"))
        for item in drawing.get("items", ()):
            kind = item[0]
            if kind == "l" and stroked:
                (x0, y0), (x1, y1) = item[1], item[2]
                if abs(y1 - y0) <= thin:
                    out.append(Ruling("h", (y0 + y1) / 2, min(x0, x1), max(x0, x1)))
                elif abs(x1 - x0) <= thin:
                    out.append(Ruling("v", (x0 + x1) / 2, min(y0, y1), max(y0, y1)))
            elif kind == "re":
                ax, ay, bx, by = item[1]
                x0, y0, x1, y1 = min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)
                if filled and y1 - y0 <= thin and x1 - x0 > thin:
                    out.append(Ruling("h", (y0 + y1) / 2, x0, x1))
                elif filled and x1 - x0 <= thin and y1 - y0 > thin:
                    out.append(Ruling("v", (x0 + x1) / 2, y0, y1))
                elif stroked:
                    out += [Ruling("h", y0, x0, x1), Ruling("h", y1, x0, x1),
                            Ruling("v", x0, y0, y1), Ruling("v", x1, y0, y1)]
    return out


# --- stage 2: snap ---------------------------------------------------------------

def _cluster(values: Sequence[float], tolerance: float) -> dict[float, float]:
    """Map each value to the mean of its cluster (values within `tolerance` of a neighbour)."""
    mapping: dict[float, float] = {}
    ordered = sorted(set(values))
    group: list[float] = []
    for v in ordered + [float("inf")]:
        if group and v - group[-1] > tolerance:
            mean = sum(group) / len(group)
            mapping.update((g, mean) for g in group)
            group = []
        group.append(v)
    return mapping


def snap_rulings(rulings: Sequence[Ruling], tolerance: float) -> list[Ruling]:
    """Rulings of one orientation whose positions are within `tolerance` share one position."""
    out: list[Ruling] = []
    for orientation in ("h", "v"):
        group = [r for r in rulings if r.orientation == orientation]
        mapping = _cluster([r.pos for r in group], tolerance)
        out += [Ruling(orientation, mapping[r.pos], r.start, r.end) for r in group]
    return out


# --- stage 3: merge --------------------------------------------------------------

def merge_rulings(rulings: Sequence[Ruling], join_tolerance: float, min_length: float) -> list[Ruling]:
    """Collinear rulings that overlap or nearly touch become one; short leftovers are dropped."""
    out: list[Ruling] = []
    key = lambda r: (r.orientation, r.pos)
    for (orientation, pos), group in groupby(sorted(rulings, key=lambda r: (key(r), r.start)), key=key):
        start = end = None
        for r in group:
            if start is None:
                start, end = r.start, r.end
            elif r.start <= end + join_tolerance:
                end = max(end, r.end)
            else:
                out.append(Ruling(orientation, pos, start, end))
                start, end = r.start, r.end
        out.append(Ruling(orientation, pos, start, end))
    return [r for r in out if r.length >= min_length]


# --- stage 4: intersections ------------------------------------------------------

def find_intersections(rulings: Sequence[Ruling], tolerance: float) -> set[Point]:
    horizontals = [r for r in rulings if r.orientation == "h"]
    verticals = [r for r in rulings if r.orientation == "v"]
    return {
        (v.pos, h.pos)
        for v in verticals
        for h in horizontals
        if v.start - tolerance <= h.pos <= v.end + tolerance
        and h.start - tolerance <= v.pos <= h.end + tolerance
    }


# --- stage 5: cells --------------------------------------------------------------

def _spans_at(rulings: Sequence[Ruling], orientation: str, tolerance: float) -> dict[float, list[tuple[float, float]]]:
    """Position → (start, end) of the rulings there, widened by `tolerance`."""
    spans: dict[float, list[tuple[float, float]]] = {}
    for r in rulings:
        if r.orientation == orientation:
            spans.setdefault(r.pos, []).append((r.start - tolerance, r.end + tolerance))
    return spans


def _joined(spans: Sequence[tuple[float, float]], a: float, b: float) -> bool:
    """One ruling runs from a to b."""
    for start, end in spans:
        if start <= a and b <= end:
            return True
    return False


def find_cells(points: set[Point], rulings: Sequence[Ruling], tolerance: float) -> list[BBox]:
    """The smallest rectangles whose four corners are intersections joined by rulings.

    A merged cell needs no special case: where a ruling is missing, the corner
    pairs are not joined and the rectangle grows to the next joined corner.
    """
    h_at = _spans_at(rulings, "h", tolerance)
    v_at = _spans_at(rulings, "v", tolerance)
    by_x: dict[float, list[float]] = {}
    by_y: dict[float, list[float]] = {}
    for x, y in points:
        by_x.setdefault(x, []).append(y)
        by_y.setdefault(y, []).append(x)
    for values in (*by_x.values(), *by_y.values()):
        values.sort()
    none: tuple = ()
    cells: list[BBox] = []
    for x, y in sorted(points, key=lambda p: (p[1], p[0])):
        column, row = by_x[x], by_y[y]
        below = column[bisect.bisect_right(column, y):]  # corners under this one, nearest first
        right = row[bisect.bisect_right(row, x):]
        down, across = v_at.get(x, none), h_at.get(y, none)
        found = False
        for yb in below:
            if not _joined(down, y, yb):
                break
            bottom = h_at.get(yb, none)
            for xr in right:
                if not _joined(across, x, xr):
                    break
                if (xr, yb) in points and _joined(bottom, x, xr) and _joined(v_at.get(xr, none), y, yb):
                    cells.append((x, y, xr, yb))
                    found = True
                    break
            if found:
                break
    return cells


# --- stage 6: tables -------------------------------------------------------------

def group_cells(cells: Sequence[BBox]) -> list[list[BBox]]:
    """Cells sharing a corner belong to one table (connected components)."""
    parent = list(range(len(cells)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[Point, int] = {}
    for i, (x0, y0, x1, y1) in enumerate(cells):
        for corner in ((x0, y0), (x1, y0), (x0, y1), (x1, y1)):
            other = owner.setdefault(corner, i)
            if other != i:
                parent[root(i)] = root(other)
    groups: dict[int, list[BBox]] = {}
    for i, cell in enumerate(cells):
        groups.setdefault(root(i), []).append(cell)
    return sorted(groups.values(), key=lambda g: (min(c[1] for c in g), min(c[0] for c in g)))


def _boundaries(values: Iterable[float], tolerance: float) -> list[float]:
    mapping = _cluster(list(values), tolerance)
    return sorted(set(mapping.values()))


def _index(bounds: list[float], value: float) -> int:
    i = bisect.bisect_left(bounds, value)
    if i == len(bounds) or (i > 0 and value - bounds[i - 1] < bounds[i] - value):
        i -= 1
    return i


def cell_text(words: Sequence[Word], y_tolerance: float) -> str:
    """Words of one cell as lines (top to bottom), words of a line left to right."""
    if len(words) < 2:  # most cells: nothing to order
        return words[0].text if words else ""
    lines = visual_rows(words, _centre_y, y_tolerance, order=lambda w: (_centre_y(w), w.bbox[0]))
    return "\n".join(" ".join(w.text for w in line) for line in lines)


def _centre_y(word: Word) -> float:
    return (word.bbox[1] + word.bbox[3]) / 2


# --- words never cross a ruling ----------------------------------------------------
# Where cell padding is small, the PDF reader joins the texts of neighbouring cells into
# one word (`現行R7年度R8年度`): nothing but a border lies between their glyphs. A word
# is cut at every cell side it crosses before cells are filled, on every table path.

CharBoxes = Callable[[Word], Sequence[tuple[str, float, float]]]   # a word's (char, x0, x1), or ()


def _char_width(ch: str) -> float:
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 0.5


def estimated_chars(word: Word) -> list[tuple[str, float, float]]:
    """A word's characters spread over its bbox by their East Asian width (wide 1, narrow ½):
    where the reader gives no glyph positions, this is how far along the word each one sits."""
    units = [_char_width(ch) for ch in word.text]
    total = sum(units) or 1.0
    x0, x1 = word.bbox[0], word.bbox[2]
    scale = (x1 - x0) / total
    out, at = [], x0
    for ch, u in zip(word.text, units):
        out.append((ch, at, at + u * scale))
        at += u * scale
    return out


def split_word(word: Word, cuts: Sequence[float], chars_of: CharBoxes | None = None) -> list[Word]:
    """The word cut at x positions `cuts` (each character goes to the side its centre is on)."""
    inner = sorted(x for x in cuts if word.bbox[0] < x < word.bbox[2])
    if not inner or len(word.text) < 2:
        return [word]
    chars = list(chars_of(word)) if chars_of else []
    if "".join(c for c, _, _ in chars) != word.text:
        chars = estimated_chars(word)
    pieces: list[list[tuple[str, float, float]]] = [[] for _ in range(len(inner) + 1)]
    for ch, a, b in chars:
        pieces[bisect.bisect_right(inner, (a + b) / 2)].append((ch, a, b))
    out = []
    for piece in pieces:
        text = "".join(c for c, _, _ in piece).strip()
        if text:
            out.append(Word(text, (piece[0][1], word.bbox[1], piece[-1][2], word.bbox[3]), word.page))
    return out or [word]


def split_at_sides(words: Sequence[Word], cell_boxes: Sequence[BBox], tolerance: float,
                   chars_of: CharBoxes | None = None) -> list[Word]:
    """Words cut at the vertical sides of the cells they lie across (in the word's own row)."""
    if not cell_boxes:
        return list(words)
    left = min(c[0] for c in cell_boxes)
    right = max(c[2] for c in cell_boxes)
    top = min(c[1] for c in cell_boxes)
    bottom = max(c[3] for c in cell_boxes)
    sides = sorted({side for c in cell_boxes for side in (c[0], c[2])})
    out: list[Word] = []
    for word in words:
        x0, y0, x1, y1 = word.bbox
        cy = (y0 + y1) / 2
        if x1 - x0 <= 2 * tolerance or not (top <= cy <= bottom and x0 < right and x1 > left):
            out.append(word)
            continue
        # Most words: no side of any cell lies inside them (one bisect, no loop over the cells).
        k = bisect.bisect_right(sides, x0 + tolerance)
        if k == len(sides) or sides[k] >= x1 - tolerance:
            out.append(word)
            continue
        cuts = {side for c in cell_boxes if c[1] <= cy <= c[3]
                for side in (c[0], c[2]) if x0 + tolerance < side < x1 - tolerance}
        out += split_word(word, sorted(cuts), chars_of) if cuts else [word]
    return out


_OVERLAYS = "\u0334\u0335\u0336\u0337\u0338"


def _overlays_moved(texts: list[str], placed: Sequence[tuple], slots: list[list[int | None]]) -> list[str]:
    """A dash printed as a lone combining overlay (U+0336, `—`) in a cell of its own has no advance
    and no base: the reader appends it to the last word drawn before it, with no position of its
    own. It is moved back to the first empty cell right of that word's cell in the row."""
    out = list(texts)
    for i, text in enumerate(texts):
        k = len(text.rstrip(_OVERLAYS))
        if k == len(text) or k == 0:
            continue
        row, col, _, col_span, _ = placed[i]
        if row >= len(slots):
            continue
        overlays = list(text[k:])     # several empty cells in a row: one overlay each, in order
        for c in range(col + col_span, len(slots[row])):
            j = slots[row][c]
            if not overlays:
                break
            if j is not None and j != i and not out[j]:
                out[j] = overlays.pop(0)
        out[i] = text[:k].rstrip() + "".join(overlays)
    return out


def build_table(page: int, cell_boxes: Sequence[BBox], words: Sequence[Word],
                settings: LayoutSettings, method: str = "rulings", extra_report: dict | None = None,
                chars_of: CharBoxes | None = None, cut_words: bool = True) -> Table:
    """Cell rectangles + page words → a Table with row/col spans and cell texts.

    Words lying across a cell side are cut there first (`split_at_sides`) when the sides are
    rulings (`cut_words`; a stream table's sides are only inferred from the words); `chars_of`
    gives the glyph positions to cut at, else they are estimated from the characters.
    """
    if cut_words:
        words = split_at_sides(words, cell_boxes, settings.snap_tolerance, chars_of)
    xs = _boundaries([v for c in cell_boxes for v in (c[0], c[2])], settings.snap_tolerance)
    ys = _boundaries([v for c in cell_boxes for v in (c[1], c[3])], settings.snap_tolerance)
    n_rows, n_cols = max(len(ys) - 1, 1), max(len(xs) - 1, 1)
    # Cells share their sides: each distinct coordinate is placed on the grid once.
    row_at = {v: _index(ys, v) for v in {v for c in cell_boxes for v in (c[1], c[3])}}
    col_at = {v: _index(xs, v) for v in {v for c in cell_boxes for v in (c[0], c[2])}}
    placed = []
    slots: list[list[int | None]] = [[None] * n_cols for _ in range(n_rows)]
    for i, box in enumerate(sorted(cell_boxes, key=lambda c: (c[1], c[0]))):
        row, col = row_at[box[1]], col_at[box[0]]
        row_span = max(row_at[box[3]] - row, 1)
        col_span = max(col_at[box[2]] - col, 1)
        placed.append((row, col, row_span, col_span, box))
        if row_span == col_span == 1:  # most cells: one slot
            if row < n_rows and col < n_cols:
                slots[row][col] = i
            continue
        for r in range(row, min(row + row_span, n_rows)):
            for c in range(col, min(col + col_span, n_cols)):
                slots[r][c] = i
    bbox = left, top, right, bottom = (xs[0], ys[0], xs[-1], ys[-1])
    inside: list[list[Word]] = [[] for _ in placed]
    in_table = outside = straddling = 0
    tolerance = settings.snap_tolerance
    for word in words:
        x0, y0, x1, y1 = word.bbox
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        if not (left <= cx <= right and top <= cy <= bottom):
            continue
        in_table += 1
        r = min(max(bisect.bisect_right(ys, cy) - 1, 0), n_rows - 1)
        c = min(max(bisect.bisect_right(xs, cx) - 1, 0), n_cols - 1)
        slot = slots[r][c]
        if slot is None:
            outside += 1
            continue
        inside[slot].append(word)
        box = placed[slot][4]
        # A word crossing a cell's side by more than a glyph means the grid is wrong there.
        if x0 < box[0] - tolerance or x1 > box[2] + tolerance:
            straddling += 1
    texts = _overlays_moved([cell_text(ws, settings.line_y_tolerance) for ws in inside], placed, slots)
    cells = tuple(Cell(row, col, row_span, col_span, texts[i], box)
                  for i, (row, col, row_span, col_span, box) in enumerate(placed))
    empty = sum(1 for c in cells if not c.text)
    report = {
        "method": method,
        "n_cells": len(cells),
        "n_rows": n_rows,
        "n_cols": n_cols,
        "merged_cells": sum(1 for c in cells if c.row_span > 1 or c.col_span > 1),
        "grid_holes": sum(1 for row in slots for s in row if s is None),
        "n_words": in_table,
        "words_outside_cells": outside,
        "words_straddling_cells": straddling,
        "accuracy": round(100.0 * (in_table - outside - straddling) / in_table, 2) if in_table else 100.0,
        "whitespace": round(100.0 * empty / len(cells), 2) if cells else 0.0,
        **(extra_report or {}),
    }
    return Table(page=page, bbox=bbox, cells=cells, n_rows=n_rows, n_cols=n_cols, method=method, report=report)


def grid_is_sane(table: Table, settings: LayoutSettings) -> bool:
    """A ruling grid is trusted unless many of its words fall outside or across its cells."""
    report = table.report
    if not report.get("n_words"):
        return True
    bad = report["words_outside_cells"] + report["words_straddling_cells"]
    return bad / report["n_words"] <= settings.max_bad_word_share


def tables_from_rulings(page: int, drawings: Iterable[dict], words: Sequence[Word],
                        settings: LayoutSettings, chars_of: CharBoxes | None = None) -> list[Table]:
    """The ruling path end to end for one page."""
    return tables_from_ruling_segments(page, rulings_from_drawings(drawings, settings), words, settings,
                                       chars_of=chars_of)


def tables_from_ruling_segments(page: int, rulings: Sequence[Ruling], words: Sequence[Word],
                                settings: LayoutSettings, method: str = "rulings",
                                chars_of: CharBoxes | None = None) -> list[Table]:
    """Rulings (from vector drawings, or from a scanned page's raster) → tables."""
    if not rulings:
        return []
    merged = merge_rulings(snap_rulings(rulings, settings.snap_tolerance),
                           settings.join_tolerance, settings.min_ruling_length)
    points = find_intersections(merged, settings.intersection_tolerance)
    cells = find_cells(points, merged, settings.intersection_tolerance)
    # One framed cell is a box (a stamp like 資料2), not a table; pdfplumber drops it too.
    return [build_table(page, group, words, settings, method, {"n_rulings": len(merged)}, chars_of)
            for group in group_cells(cells) if len(group) >= settings.min_table_cells]


def tables_from_pdfplumber(plumber_page, page: int, words: Sequence[Word],
                           settings: LayoutSettings, chars_of: CharBoxes | None = None) -> list[Table]:
    """pdfplumber's lines finder for one page; cells are filled from the same words as the ruling path."""
    found = plumber_page.find_tables({
        "vertical_strategy": "lines",
        "horizontal_strategy": "lines",
        "snap_tolerance": settings.snap_tolerance,
        "join_tolerance": settings.join_tolerance,
        "intersection_tolerance": settings.intersection_tolerance,
    })
    return [build_table(page, [tuple(c) for c in t.cells], words, settings, "pdfplumber", None, chars_of)
            for t in found if len(t.cells) >= settings.min_table_cells]
