"""Hand-made layout geometry for tests: words, lines, tables, rulings, pages and layouts.

Coordinates are PDF points with the origin top-left, as in extractors.layout.model. One
module, so every test that builds a layout by hand builds it the same way.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

from extractors.layout.model import Cell, Line, Page, PdfLayout, Table, Word
from extractors.layout.rulings import Ruling

GLYPH = 10.5  # width and height of a 10.5 pt CJK glyph: the body text of the plans
A4 = (595.0, 842.0)


def words(rows: Iterable[tuple[float, Iterable[tuple[float, str]]]], page: int = 1,
          glyph: float = 9.0, height: float = 10.0) -> list[Word]:
    """Per row its top y and the (x, text) of each word; `glyph` points per character."""
    return [Word(text, (x, y, x + glyph * len(text), y + height), page) for y, row in rows for x, text in row]


def line(text: str, y: float, x0: float = 56.8, page: int = 1, x1: float | None = None,
         glyph: float = GLYPH, height: float = GLYPH) -> Line:
    """One text line at top `y`, `glyph` points per character unless `x1` is given."""
    return Line(text, (x0, y, x0 + glyph * len(text) if x1 is None else x1, y + height), page)


def worded_line(y: float, *texts: str, x0: float = 57.0, glyph: float = 10.0, gap: float = 5.0,
                page: int = 1) -> Line:
    """A line at top `y` made of one word per text, `gap` points apart (words carried, as a
    text layer gives them: for readers that cut or join words)."""
    found, x = [], x0
    for text in texts:
        found.append(Word(text, (x, y, x + glyph * len(text), y + glyph), page))
        x += glyph * len(text) + gap
    return Line(" ".join(texts), (x0, y, x, y + glyph), page, tuple(found))


def lines(rows: Iterable[tuple[float, str]], page: int = 1, x0: float = 56.8) -> tuple[Line, ...]:
    """(y, text) rows as lines starting at `x0`."""
    return tuple(line(text, y, x0, page) for y, text in rows)


def table(rows: Sequence[Sequence[str | None]], merges: dict[tuple[int, int], tuple[int, int]] | None = None,
          page: int = 1, left: float = 50.0, top: float = 100.0, col_width: float = 60.0,
          row_height: float = 10.0) -> Table:
    """A ruled table from row texts; None marks a slot covered by a merge given as
    (row, col) → (rows, cols) spanned."""
    merges = merges or {}
    cells = []
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text is None:
                continue
            rs, cs = merges.get((r, c), (1, 1))
            bbox = (left + col_width * c, top + row_height * r,
                    left + col_width * (c + cs), top + row_height * (r + rs))
            cells.append(Cell(r, c, rs, cs, text, bbox))
    n_cols = max(len(r) for r in rows)
    bbox = (left, top, left + col_width * n_cols, top + row_height * len(rows))
    return Table(page, bbox, tuple(cells), len(rows), n_cols)


def grid_rulings(xs: Sequence[float], ys: Sequence[float]) -> list[Ruling]:
    """The rulings of a full grid: a horizontal at every y across all xs, a vertical at every x."""
    return ([Ruling("h", y, xs[0], xs[-1]) for y in ys] +
            [Ruling("v", x, ys[0], ys[-1]) for x in xs])


def page(number: int = 1, lines: Sequence[Line] = (), tables: Sequence[Table] = (),
         words: Sequence[Word] = (), size: tuple[float, float] = A4) -> Page:
    return Page(number, size[0], size[1], tuple(lines), tuple(words), tuple(tables))


def layout(*pages: Page, path: str = "x.pdf") -> PdfLayout:
    return PdfLayout(Path(path), tuple(pages))


def layout_of(tables_by_page: dict[int, Sequence[Table]] | None = None,
              lines_by_page: dict[int, Sequence[tuple[float, str]]] | None = None) -> PdfLayout:
    """Pages numbered as the keys, each with its tables and (y, text) lines."""
    tables_by_page, lines_by_page = tables_by_page or {}, lines_by_page or {}
    return layout(*(page(n, lines(lines_by_page.get(n, []), n), tables_by_page.get(n, []))
                    for n in sorted(set(tables_by_page) | set(lines_by_page))))
