"""The layout model: pages, words, lines and table grids with bboxes, and the layout settings.

Every reader of this layer (PDF, OCR) produces these and every extractor reads only
these. Coordinates are PDF points with the origin top-left: (x0, top, x1, bottom).
"""
from __future__ import annotations

import functools
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from pipeline.normalize.wareki import PERIOD_WORD, is_period_header
from schemas.types import BBox



@dataclass(frozen=True)
class Word:
    text: str
    bbox: BBox
    page: int
    confidence: float | None = None  # the recogniser's (0–1) for OCR'd words; None for a text layer


@dataclass(frozen=True)
class Line:
    text: str
    bbox: BBox
    page: int
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class Cell:
    row: int
    col: int
    row_span: int
    col_span: int
    text: str
    bbox: BBox


@dataclass(frozen=True)
class Table:
    page: int
    bbox: BBox
    cells: tuple[Cell, ...]
    n_rows: int
    n_cols: int
    method: str = "rulings"
    report: dict = field(default_factory=dict, compare=False)

    def grid(self) -> list[list[Cell | None]]:
        """n_rows × n_cols slots; a merged cell stands in every slot it covers."""
        slots: list[list[Cell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            for r in range(cell.row, min(cell.row + cell.row_span, self.n_rows)):
                for c in range(cell.col, min(cell.col + cell.col_span, self.n_cols)):
                    slots[r][c] = cell
        return slots

    def rows_text(self) -> list[list[str]]:
        return [[cell.text if cell else "" for cell in row] for row in self.grid()]


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    lines: tuple[Line, ...] = ()
    words: tuple[Word, ...] = ()
    tables: tuple[Table, ...] = ()
    has_text_layer: bool = True
    ocr: bool = False  # some words were read by OCR (a scan, a picture, an untrusted text layer)
    # How the page was classified and read (see pdf.classify_page and the README's "Scanned pages").
    page_class: str = "born_digital"
    read_as: str = "text"
    engine: str | None = None
    ocr_confidence: float | None = None
    errors: tuple[str, ...] = ()  # what the PDF library reported reading the page (damaged content)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass(frozen=True)
class PdfLayout:
    path: Path
    pages: tuple[Page, ...]
    metadata: dict = field(default_factory=dict, compare=False)

    @property
    def text(self) -> str:
        return "\n".join(page.text for page in self.pages)


def per_layout(fn):
    """Memo of `fn(layout, *args)` for the last layout it was called with (by identity).

    Detection and extraction ask some questions of one document twice (where the
    appendices start, which lines are in scope); a layout is immutable, so the answer
    holds. The layout is only weakly referenced and the answers go with it, so the
    memo keeps nothing of a finished document alive. Callers must not change what
    they get back.
    """
    last: dict = {"layout": None, "answers": {}}

    def forget(ref) -> None:
        if last["layout"] is ref:
            last["layout"], last["answers"] = None, {}

    @functools.wraps(fn)
    def memo(layout, *args):
        ref = last["layout"]
        if ref is None or ref() is not layout:
            last["layout"], last["answers"] = weakref.ref(layout, forget), {}
        answers = last["answers"]
        if args not in answers:
            answers[args] = fn(layout, *args)
        return answers[args]

    return memo


class PdfLayoutError(Exception):
    """The file cannot be read as a PDF layout."""


class EncryptedPdfError(PdfLayoutError):
    """The PDF needs a password."""


class CorruptPdfError(PdfLayoutError):
    """The file is not a PDF or is damaged beyond what the reader repairs."""


TABLE_STRATEGIES = ("rulings", "pdfplumber", "stream")   # the registry's names (strategies.STRATEGIES)


@dataclass(frozen=True)
class LayoutSettings:
    """Every tolerance of the layout layer in one place (pdfplumber-style)."""

    snap_tolerance: float = 3.0
    join_tolerance: float = 3.0
    intersection_tolerance: float = 3.0
    min_ruling_length: float = 3.0
    max_ruling_thickness: float = 2.0
    line_y_tolerance: float = 2.5
    max_bad_word_share: float = 0.2
    min_table_cells: int = 2
    # Table strategies by name, run in this order (extractors/layout/strategies.py).
    table_strategies: tuple[str, ...] = TABLE_STRATEGIES
    min_table_accuracy: float = 80.0      # a table reading fewer of its words into cells is reported
    use_pdfplumber_fallback: bool = True
    # Tables without rulings, read from word positions where a row names ≥2 fiscal years.
    stream_tables: bool = True
    stream_min_period_cols: int = 2
    stream_min_cols: int = 3              # label + periods
    stream_cell_gap: float = 0.6          # wider gaps between words (in word heights) split cells
    stream_row_gap: float = 2.0           # a wider gap between rows (in row heights) ends the table
    stream_max_header_chars: int = 16     # longer words are prose, not a header cell
    stream_wrap_gap: float = 0.5          # a closer line (in line heights) adding to filled cells wrapped
    stream_continued_from: float = 0.7    # a stream table ending below this fraction of its page may go on
    # What names a period is the plan readers' vocabulary, injected here (defaults: wareki's).
    stream_period_word: str = PERIOD_WORD                         # the cheap gate, on raw words
    stream_is_period: Callable[[str], bool] = is_period_header    # the test, on a cell's text
    ocr: bool = True  # read scanned pages with Tesseract when it is installed

    def __post_init__(self) -> None:
        unknown = [n for n in self.table_strategies if n not in TABLE_STRATEGIES]
        if unknown:
            raise ValueError(f"unknown table strategies {unknown}; known: {', '.join(TABLE_STRATEGIES)}")


# --- geometry shared by every reader of a layout ------------------------------------------

def centre_in(box: BBox, outer: BBox) -> bool:
    """Whether the centre of box lies in outer (sides included): a word belongs to the cell
    or table its centre is in, whatever its edges do."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return outer[0] <= cx <= outer[2] and outer[1] <= cy <= outer[3]


def box_within(inner: BBox, outer: BBox, slack: float = 0.0) -> bool:
    """Whether inner lies wholly in outer, give or take slack points on every side."""
    return (inner[0] >= outer[0] - slack and inner[2] <= outer[2] + slack
            and inner[1] >= outer[1] - slack and inner[3] <= outer[3] + slack)


def visual_rows(items: Sequence, y: Callable[[object], float],
                tolerance: float | Callable[[object], float], order: Callable | None = None) -> list[list]:
    """Items (anything with a bbox) in rows, top to bottom, each row left to right.

    An item joins the current row when its `y` is within `tolerance` (a number, or a
    function of the item) of the row's first item; readers choose which y (top, centre).
    Items are taken in `order` (default: by y).
    """
    close = tolerance if callable(tolerance) else (lambda _item: tolerance)
    rows: list[list] = []
    anchor = 0.0
    for item in sorted(items, key=order or y):
        at = y(item)
        if rows and abs(at - anchor) <= close(item):
            rows[-1].append(item)
        else:
            rows.append([item])
            anchor = at
    return [sorted(row, key=lambda item: item.bbox[0]) for row in rows]
