"""Stream tables: grids read from word positions where a page has no rulings.

Word → visual rows → chunks (cells) → a header row naming periods → columns → rows →
a grid built by the ruled path's build_table, so readers parse it like a ruled table.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from extractors.layout.model import LayoutSettings, Page, Table, Word, centre_in
from extractors.layout.model import visual_rows as visual_rows_of
from extractors.layout.rulings import build_table, grid_is_sane
from pipeline.normalize.text import compiled
from schemas.types import BBox


# --- stream tables: grids from word positions -----------------------------------
# A table drawn without rulings ("stream" table: columns aligned by whitespace only,
# common in plans exported from other tools) has no drawings to start from. Its grid
# is read from where the words sit instead, but only where a row of the page reads
# like a table header naming ≥2 fiscal years (or the baseline): those are the only
# tables the plan readers parse, and the check is a regex over short words, so the
# pages without such a row (nearly all) pay almost nothing.

# Which words and cells name a period is plan vocabulary: this layer takes it from
# LayoutSettings (stream_period_word, stream_is_period), whose defaults are the wareki
# normaliser's header test.


@dataclass(frozen=True)
class Chunk:
    """Words of one visual row that sit close together: one cell's text."""

    words: tuple[Word, ...]
    bbox: BBox

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def centre(self) -> float:
        return (self.bbox[0] + self.bbox[2]) / 2


def _height(word: Word) -> float:
    return word.bbox[3] - word.bbox[1]


def _centre_y(word: Word) -> float:
    return (word.bbox[1] + word.bbox[3]) / 2


def _inside(word: Word, boxes: Sequence[BBox]) -> bool:
    return any(centre_in(word.bbox, b) for b in boxes)


def visual_rows(words: Sequence[Word], settings: LayoutSettings) -> list[list[Word]]:
    """Words whose vertical centres agree (within half a word height), top to bottom, each left to right.

    Not pymupdf's lines: the cells of one table row are often separate lines or blocks.
    """
    return visual_rows_of(words, _centre_y, lambda w: max(settings.line_y_tolerance, _height(w) / 2))


def chunks_of(row: Sequence[Word], settings: LayoutSettings) -> list[Chunk]:
    """A visual row split where the gap between words is wider than `stream_cell_gap` word heights."""
    out: list[list[Word]] = []
    for word in row:
        if out and word.bbox[0] - out[-1][-1].bbox[2] <= settings.stream_cell_gap * _height(word):
            out[-1].append(word)
        else:
            out.append([word])
    return [Chunk(tuple(ws), (min(w.bbox[0] for w in ws), min(w.bbox[1] for w in ws),
                              max(w.bbox[2] for w in ws), max(w.bbox[3] for w in ws))) for ws in out]


def _candidate_header_ys(words: Sequence[Word], ruled: Sequence[BBox], settings: LayoutSettings) -> list[float]:
    """Vertical centres of rows holding ≥2 short period-like words outside ruled tables (the cheap gate)."""
    hints = [w for w in words if len(w.text) <= settings.stream_max_header_chars and compiled(settings.stream_period_word).fullmatch(w.text)]
    if len(hints) < settings.stream_min_period_cols:
        return []
    hints = [w for w in hints if not _inside(w, ruled)]
    return [_centre_y(row[0]) for row in visual_rows(hints, settings)
            if len(row) >= settings.stream_min_period_cols]


@dataclass(frozen=True)
class _Column:
    left: float    # where the column's span starts (midway to the header on its left)
    right: float
    header: Chunk | None


def _under(chunk: Chunk, row: Sequence[Chunk]) -> str:
    """Text of the chunk right under `chunk` in the next row: a header cell wrapped or split over
    two lines (`令和6` / `年度`, `現` / `状`) names its period only with it."""
    return next((ch.text for ch in row if ch.bbox[0] < chunk.bbox[2] and chunk.bbox[0] < ch.bbox[2]), "")


def _columns(header: Sequence[Chunk], settings: LayoutSettings) -> list[_Column]:
    """Column spans from the header's cells: each reaches halfway to its neighbours.

    A header starting with a period has no label header: the label column is left of it.
    """
    cols = []
    for i, chunk in enumerate(header):
        left = (header[i - 1].bbox[2] + chunk.bbox[0]) / 2 if i else float("-inf")
        right = (chunk.bbox[2] + header[i + 1].bbox[0]) / 2 if i + 1 < len(header) else float("inf")
        cols.append(_Column(left, right, chunk))
    if settings.stream_is_period(header[0].text):
        cols[0] = _Column(header[0].bbox[0] - _gap_before(header), cols[0].right, header[0])
        cols.insert(0, _Column(float("-inf"), cols[0].left, None))
    return cols


def _gap_before(header: Sequence[Chunk]) -> float:
    """Half the narrowest gap between header cells: how far a cell may reach left of its header."""
    gaps = [b.bbox[0] - a.bbox[2] for a, b in zip(header, header[1:])]
    return min(gaps) / 2 if gaps else 0.0


def _place(chunks: Sequence[Chunk], cols: Sequence[_Column]) -> dict[int, Chunk] | None:
    """Column → chunk of one row, or None when the row does not line up with the columns.

    A chunk reaching over a header cell other than its own column's (a line of prose,
    a note) ends the table; chunks in one column (`①  相談件数`) are one cell.
    """
    placed: dict[int, Chunk] = {}
    for chunk in chunks:
        c = next((i for i, col in enumerate(cols) if col.left <= chunk.centre < col.right), None)
        if c is None:
            return None
        for i, col in enumerate(cols):
            h = col.header
            if i != c and h is not None and chunk.bbox[0] < h.bbox[2] and h.bbox[0] < chunk.bbox[2]:
                return None
            # Columns carried over from the last page have no header: the chunk may not cover the
            # middle of another column (a label may run past its column's edge, prose runs over many).
            if i != c and h is None and col.left > float("-inf") and col.right < float("inf") \
                    and chunk.bbox[0] < (col.left + col.right) / 2 < chunk.bbox[2]:
                return None
        if c in placed:
            before = placed[c]
            chunk = Chunk(before.words + chunk.words, (before.bbox[0], min(before.bbox[1], chunk.bbox[1]),
                                                       chunk.bbox[2], max(before.bbox[3], chunk.bbox[3])))
        placed[c] = chunk
    return placed


def _stream_rows(rows: list[list[Chunk]], start: int, cols: Sequence[_Column], ruled: Sequence[BBox],
                 settings: LayoutSettings, header: bool = True) -> list[dict[int, Chunk]]:
    """The header row and the rows under it that line up with its columns (ending at a wide gap)."""
    if _place(rows[start], cols) is None:
        return [None]
    out = [_place(rows[start], cols)]
    bottom = max(ch.bbox[3] for ch in rows[start])
    for row in rows[start + 1:]:
        height = max(ch.bbox[3] - ch.bbox[1] for ch in row)
        if min(ch.bbox[1] for ch in row) - bottom > settings.stream_row_gap * height:
            break
        if any(_inside(w, ruled) for ch in row for w in ch.words):
            break
        placed = _place(row, cols)
        if placed is None:
            break
        out.append(placed)
        bottom = max(ch.bbox[3] for ch in row)
    out = _wrapped_lines_joined(out, settings, header)
    # Rows with nothing right of the label column (a note under the table) are not part of it.
    while len(out) > 1 and set(out[-1]) == {0}:
        out.pop()
    return out


def _joined(a: Chunk, b: Chunk) -> Chunk:
    return Chunk(a.words + b.words, (min(a.bbox[0], b.bbox[0]), min(a.bbox[1], b.bbox[1]),
                                     max(a.bbox[2], b.bbox[2]), max(a.bbox[3], b.bbox[3])))


def _wrapped_lines_joined(rows: list[dict[int, Chunk]], settings: LayoutSettings,
                          header: bool = True) -> list[dict[int, Chunk]]:
    """Lines of a cell that wrapped (`①地域経済動向調査の公表回` / `数`, `10` / `者`) joined to their row.

    Without row rulings, a wrapped line is a visual row of its own. It is one when it sits
    closer under the row above than rows sit apart (`stream_wrap_gap` line heights) and
    adds text only to some of the cells that row has already.
    """
    out = [rows[0]] if rows else []
    for row in rows[1:]:
        prev = out[-1]
        top = min(ch.bbox[1] for ch in row.values())
        bottom = max(ch.bbox[3] for ch in prev.values())
        height = max(ch.bbox[3] - ch.bbox[1] for ch in row.values())
        # Every cell of the row above continued at once is a row of its own, not a wrap.
        wraps = set(row) <= set(prev) and (len(row) == 1 or set(row) != set(prev))
        if (len(out) > 1 or not header) and wraps and top - bottom <= settings.stream_wrap_gap * height:
            out[-1] = {c: _joined(prev[c], row[c]) if c in row else prev[c] for c in prev}
        else:
            out.append(row)
    return out


def _stream_grid(rows: Sequence[dict[int, Chunk]], cols: Sequence[_Column]) -> list[BBox]:
    """Cell rectangles sharing their sides: columns meet halfway between their words, rows likewise."""
    used = sorted({c for row in rows for c in row})
    extents = {c: (min(row[c].bbox[0] for row in rows if c in row), max(row[c].bbox[2] for row in rows if c in row))
               for c in used}
    xs = [extents[used[0]][0]]
    for a, b in zip(used, used[1:]):
        # Words of neighbouring columns overlapping in x (never in one row): the header's gap decides.
        xs.append((extents[a][1] + extents[b][0]) / 2 if extents[a][1] <= extents[b][0] else cols[a].right)
    xs.append(extents[used[-1]][1])
    tops = [min(ch.bbox[1] for ch in row.values()) for row in rows]
    bottoms = [max(ch.bbox[3] for ch in row.values()) for row in rows]
    ys = [tops[0]] + [(b + t) / 2 for b, t in zip(bottoms, tops[1:])] + [bottoms[-1]]
    return [(xs[i], ys[r], xs[i + 1], ys[r + 1]) for r in range(len(rows)) for i in range(len(used))]


def continued_columns(previous: Page | None, settings: LayoutSettings) -> list[_Column]:
    """Columns of a stream table ending the previous page near its foot (it may go on here)."""
    if previous is None or not previous.tables:
        return []
    last = max(previous.tables, key=lambda t: t.bbox[3])
    if last.method != "stream" or last.bbox[3] < settings.stream_continued_from * previous.height:
        return []
    xs = sorted({c.bbox[0] for c in last.cells} | {c.bbox[2] for c in last.cells})
    return [_Column(a if i else float("-inf"), b if i + 2 < len(xs) else float("inf"), None)
            for i, (a, b) in enumerate(zip(xs, xs[1:]))]


def _continuation(page: int, words: Sequence[Word], rows: list[list[Chunk]], cols: Sequence[_Column],
                  ruled: Sequence[BBox], settings: LayoutSettings) -> Table | None:
    """Rows at the top of the page lining up with the columns of the last page's stream table."""
    start = next((i for i, row in enumerate(rows)
                  if (placed := _place(row, cols)) is not None and len(placed) >= 2 and set(placed) - {0}), None)
    if start is None or start > 1:   # a running header may come first, nothing more
        return None
    found = [r for r in _stream_rows(rows, start, cols, ruled, settings, header=False) if r]
    if not found:
        return None
    table = build_table(page, _stream_grid(found, cols), words, settings, "stream", {"continued": True},
                        cut_words=False)
    return table if grid_is_sane(table, settings) else None


def stream_tables(page: int, words: Sequence[Word], ruled: Sequence[Table],
                  settings: LayoutSettings, continued: Sequence[_Column] = ()) -> list[Table]:
    """Tables without rulings whose header row names ≥2 periods, outside the page's ruled tables.

    The header's cells give the columns; following rows join while every cell of theirs
    lines up under one column. Cells are filled from the same words as the ruling path
    (build_table), so the readers parse a stream table like a ruled one; the method
    and report say `stream`.
    """
    ruled_boxes = [t.bbox for t in ruled]
    header_ys = _candidate_header_ys(words, ruled_boxes, settings)
    if not header_ys and not continued:
        return []
    rows = [chunks_of(row, settings) for row in visual_rows(words, settings)]
    out: list[Table] = []
    taken = -1
    if continued:
        first = _continuation(page, words, rows, continued, ruled_boxes, settings)
        if first is not None:
            out.append(first)
            taken = next(i for i, row in enumerate(rows) if any(ch.bbox[1] >= first.bbox[3] - 1 for ch in row)) - 1 \
                if any(ch.bbox[1] >= first.bbox[3] - 1 for row in rows for ch in row) else len(rows)
    for y in header_ys:
        start = next((i for i, row in enumerate(rows)
                      if i > taken and any(ch.bbox[1] <= y <= ch.bbox[3] for ch in row)), None)
        if start is None:
            continue
        header = rows[start]
        if any(_inside(w, ruled_boxes) for ch in header for w in ch.words):
            continue
        below = rows[start + 1] if start + 1 < len(rows) else []
        n_periods = sum(1 for ch in header if settings.stream_is_period(ch.text)
                        or settings.stream_is_period(ch.text + _under(ch, below)))
        if n_periods < settings.stream_min_period_cols:
            continue
        cols = _columns(header, settings)
        if len(cols) < settings.stream_min_cols:
            continue
        found = _stream_rows(rows, start, cols, ruled_boxes, settings)
        period_cols = {c for c, col in enumerate(cols) if col.header is not None and (
            settings.stream_is_period(col.header.text)
            or settings.stream_is_period(col.header.text + _under(col.header, below)))}
        if found[0] is None or not any(period_cols & set(row) for row in found[1:]):
            continue
        table = build_table(page, _stream_grid(found, cols), words, settings, "stream",
                            {"header_periods": n_periods}, cut_words=False)
        if grid_is_sane(table, settings):
            out.append(table)
            taken = start + len(found) - 1
    return out
