"""Table strategies behind one interface, chosen by name in LayoutSettings.table_strategies.

As Camelot's PARSERS ("lattice", "stream") and pdfplumber's strategy settings: each
strategy looks at one page (its words, drawings, glyph positions and the previous page)
and the tables found so far, and returns the page's tables. They run in the order the
settings name them:

* `rulings`     grids from vector rulings (rulings.py), the default path;
* `pdfplumber`  pdfplumber's `lines` finder, replacing the tables so far when one of them
                fails `grid_is_sane` (a fallback: it re-parses the page with pdfminer);
* `stream`      tables without rulings from word positions (stream.py), added outside the
                tables found so far (partially ruled tables, e.g. horizontal rules only or a
                frame with row rules and no column rule, and stream tables continued from the
                previous page included).

Every table keeps a parsing report (`Table.report`); `parsing_report(table)` gives it
typed (method, accuracy, whitespace, rows × cols), as `shoko inspect` shows it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol, Sequence

from extractors.layout.model import TABLE_STRATEGIES, LayoutSettings, Page, Table, Word
from extractors.layout.rulings import CharBoxes, grid_is_sane, tables_from_pdfplumber, tables_from_rulings
from extractors.layout.stream import continued_columns, stream_tables
from schemas.types import BBox


@dataclass(frozen=True)
class PageInput:
    """What a strategy may read of one page."""

    number: int
    words: Sequence[Word]
    drawings: Sequence[dict]
    chars_of: CharBoxes | None = None
    plumber_page: Callable[[], object] | None = None   # opens pdfplumber's page on demand
    previous: Page | None = None


class TableStrategy(Protocol):
    def __call__(self, page: PageInput, found: list[Table], settings: LayoutSettings) -> list[Table]:
        """The page's tables, given those the earlier strategies found."""


def _rulings(page: PageInput, found: list[Table], settings: LayoutSettings) -> list[Table]:
    return [*found, *tables_from_rulings(page.number, page.drawings, page.words, settings, page.chars_of)]


def _pdfplumber(page: PageInput, found: list[Table], settings: LayoutSettings) -> list[Table]:
    if page.plumber_page is None or all(grid_is_sane(t, settings) for t in found):
        return found
    plumber = tables_from_pdfplumber(page.plumber_page(), page.number, page.words, settings, page.chars_of)
    return plumber or found


def _stream(page: PageInput, found: list[Table], settings: LayoutSettings) -> list[Table]:
    if not page.words:
        return found
    # A frame with row rules but no column rule is a ruled table of one column: its columns are
    # read from the words like an unruled table's, and the stream table found there replaces it.
    framed = [t for t in found if t.n_cols == 1]
    ruled = [t for t in found if t.n_cols > 1]
    more = stream_tables(page.number, page.words, ruled, settings, continued_columns(page.previous, settings))
    if not more:
        return found
    kept = [t for t in framed if not any(_overlap(t.bbox, m.bbox) for m in more)]
    return sorted([*ruled, *kept, *more], key=lambda t: (t.bbox[1], t.bbox[0]))


def _overlap(a: BBox, b: BBox) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


STRATEGIES: dict[str, TableStrategy] = {"rulings": _rulings, "pdfplumber": _pdfplumber, "stream": _stream}
assert tuple(STRATEGIES) == TABLE_STRATEGIES   # LayoutSettings validates names against the same list


def find_tables(page: PageInput, settings: LayoutSettings) -> list[Table]:
    """The page's tables by every strategy the settings name, in their order (the older switches
    use_pdfplumber_fallback / stream_tables still turn theirs off)."""
    off = {"pdfplumber"} if not settings.use_pdfplumber_fallback else set()
    off |= {"stream"} if not settings.stream_tables else set()
    found: list[Table] = []
    for name in settings.table_strategies:
        if name not in off:
            found = STRATEGIES[name](page, found, settings)
    return found


@dataclass(frozen=True)
class ParsingReport:
    """How one table was read (Camelot's parsing_report): accuracy is the share of the table's
    words that fall inside one cell; whitespace the share of empty cells."""

    page: int
    order: int                  # the table's place on its page, top to bottom
    method: str
    accuracy: float
    whitespace: float
    n_rows: int
    n_cols: int
    bbox: BBox


def parsing_report(table: Table, order: int = 0) -> ParsingReport:
    r = table.report
    return ParsingReport(page=table.page, order=order, method=table.method,
                         accuracy=float(r.get("accuracy", 100.0)), whitespace=float(r.get("whitespace", 0.0)),
                         n_rows=table.n_rows, n_cols=table.n_cols, bbox=table.bbox)


def parsing_reports(pages: Sequence[Page]) -> list[ParsingReport]:
    """Every table's report, page by page, top to bottom."""
    return [parsing_report(t, k) for p in pages
            for k, t in enumerate(sorted(p.tables, key=lambda t: (t.bbox[1], t.bbox[0])))]
