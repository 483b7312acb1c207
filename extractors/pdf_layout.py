"""PDF layout layer: pages, words, lines, rulings and table grids, with bboxes.

file → PdfLayout (pages → words, lines, tables). Extractors read only this,
never the PDF libraries, so a change of PDF library or table path touches one
module. Coordinates are PDF points with the origin top-left: (x0, top, x1, bottom).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class Word:
    text: str
    bbox: BBox
    page: int


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


@dataclass(frozen=True)
class LayoutSettings:
    """Every tolerance of the layout layer in one place (pdfplumber-style)."""

    snap_tolerance: float = 3.0
    join_tolerance: float = 3.0
    min_ruling_length: float = 3.0
    line_y_tolerance: float = 2.5
    use_pdfplumber_fallback: bool = True


def read_pdf_layout(path: str | Path, settings: LayoutSettings = LayoutSettings()) -> PdfLayout:
    raise NotImplementedError("written by the PDF engineer")
