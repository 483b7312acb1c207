"""PDF reader of the layout layer: pages, words, lines, rulings and table grids, with bboxes.

file → PdfLayout (pages → words, lines, tables). Extractors read only this,
never the PDF libraries, so a change of PDF library or table path touches one
module. Coordinates are PDF points with the origin top-left: (x0, top, x1, bottom).
"""
from __future__ import annotations

from pathlib import Path

from extractors.layout.model import (Cell, CorruptPdfError, EncryptedPdfError,  # noqa: F401 (the reader's types)
                                     LayoutSettings, Line, Page, PdfLayout, PdfLayoutError, Table, Word, per_layout)


def _open(path: Path):
    import pymupdf

    # MuPDF prints repair warnings of damaged files to stderr; a batch reports them as
    # document errors instead, so the terminal shows one readable line per file.
    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)

    if not path.is_file():
        raise CorruptPdfError(f"{path}: no such file")
    try:
        doc = pymupdf.open(path, filetype="pdf")
    except Exception as exc:  # pymupdf raises FileDataError / RuntimeError variants
        raise CorruptPdfError(f"{path}: not a readable PDF ({exc})") from exc
    if doc.needs_pass:
        doc.close()
        raise EncryptedPdfError(f"{path}: the PDF is encrypted and needs a password")
    if doc.page_count == 0:
        doc.close()
        raise CorruptPdfError(f"{path}: the PDF has no pages")
    return doc


def _words(raw_words: list[tuple], number: int) -> tuple[tuple[Word, ...], tuple[Line, ...]]:
    """pymupdf words → Word objects, and Lines from pymupdf's (block, line) groups in reading order."""
    words: list[Word] = []
    lines: list[Line] = []
    key = None
    group: list[Word] = []
    bx0 = by0 = bx1 = by1 = 0.0
    for x0, y0, x1, y1, text, block, line, _ in raw_words:
        word = Word(text, (x0, y0, x1, y1), number)
        words.append(word)
        if (block, line) != key:
            if group:
                lines.append(Line(" ".join(w.text for w in group), (bx0, by0, bx1, by1), number, tuple(group)))
            key, group = (block, line), []
            bx0, by0, bx1, by1 = x0, y0, x1, y1
        else:  # running bbox: one pass instead of four min/max scans per line
            bx0, by0, bx1, by1 = min(bx0, x0), min(by0, y0), max(bx1, x1), max(by1, y1)
        group.append(word)
    if group:
        lines.append(Line(" ".join(w.text for w in group), (bx0, by0, bx1, by1), number, tuple(group)))
    return tuple(words), tuple(lines)


def _text_flags():
    import pymupdf

    # pymupdf's flags for words, plus the bounding boxes of vector paths, which cost
    # nothing more: the same pass over the content reads both. Lazy vectors are kept
    # out of the text flow, so words and their line grouping are those of plain words.
    return pymupdf.TEXTFLAGS_WORDS | pymupdf.TEXT_COLLECT_VECTORS | pymupdf.TEXT_LAZY_VECTORS


def has_vector_paths(textpage) -> bool:
    """Whether the page paints any vector path (stroked or filled) inside its clip.

    Reading a page's drawings interprets its whole content once more (fonts and glyphs
    included), about as costly as reading its words; a page with no path has no
    ruling, so a text-only page is read for text only.
    """
    from pymupdf import mupdf

    block = textpage.this.m_internal.first_block
    while block is not None:
        if block.type == mupdf.FZ_STEXT_BLOCK_VECTOR:
            return True
        block = block.next
    return False


def glyph_boxes(textpage):
    """A word → its glyphs' (char, x0, x1), for cutting words at cell sides (rulings.split_at_sides).

    Glyph positions cost one more pass over the page's text: read only when a word
    does lie across a cell side, once per page.
    """
    cache: list = []

    def chars_of(word: Word):
        if not cache:
            cache.append([(c["c"], c["bbox"]) for block in textpage.extractRAWDICT()["blocks"]
                          for line in block.get("lines", ()) for span in line["spans"] for c in span["chars"]])
        x0, y0, x1, y1 = word.bbox
        return sorted(((c, b[0], b[2]) for c, b in cache[0]
                       if not c.isspace() and x0 - 0.5 <= (b[0] + b[2]) / 2 <= x1 + 0.5
                       and y0 - 0.5 <= (b[1] + b[3]) / 2 <= y1 + 0.5), key=lambda t: t[1])

    return chars_of


def _read_page(doc, index: int, settings: LayoutSettings, plumber_pdf_opener, previous: Page | None = None) -> Page:
    from extractors.layout import rulings as table_stages
    from extractors.layout.strategies import PageInput, find_tables

    page = doc[index]
    number = index + 1
    textpage = page.get_textpage(flags=_text_flags())
    raw_words = page.get_text("words", sort=False, textpage=textpage)
    if not raw_words and page.get_images(full=False) and settings.ocr:
        from extractors.layout import ocr

        if ocr.ocr_available():
            raw_ocr, rulings = ocr.ocr_words(page)
            words, lines = _words(raw_ocr, number)
            tables = table_stages.tables_from_ruling_segments(number, rulings, words, settings, "ocr")
            return Page(number=number, width=page.rect.width, height=page.rect.height, lines=lines,
                        words=words, tables=tuple(tables), has_text_layer=bool(words), ocr=True)
    words, lines = _words(raw_words, number)
    drawings = page.get_cdrawings() if has_vector_paths(textpage) else ()
    tables = find_tables(PageInput(number, words, drawings, glyph_boxes(textpage),
                                   lambda: plumber_pdf_opener().pages[index], previous), settings)
    # A page with no words but an image is a scan (needs OCR); a truly blank page is not.
    has_text = bool(words) or not page.get_images(full=False)
    return Page(number=number, width=page.rect.width, height=page.rect.height, lines=lines, words=words,
                tables=tuple(tables), has_text_layer=has_text, errors=_content_errors())


def _content_errors() -> tuple[str, ...]:
    """What MuPDF reported while reading the page (syntax errors in a damaged content stream:
    the words after one may be lost, so a reader must say so), and a clean slate for the next."""
    import pymupdf

    text = pymupdf.TOOLS.mupdf_warnings(reset=True) or ""
    return tuple(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


def read_pdf_layout(path: str | Path, settings: LayoutSettings = LayoutSettings()) -> PdfLayout:
    """Every page's words, reading-order lines and ruled tables, with bboxes.

    Raises EncryptedPdfError / CorruptPdfError; a page without a text layer is
    returned with has_text_layer=False (it needs OCR), not an error.
    """
    path = Path(path)
    doc = _open(path)
    plumber = []

    def plumber_pdf():
        # pdfplumber re-parses the whole file: open it only if a page needs the fallback.
        if not plumber:
            import pdfplumber

            plumber.append(pdfplumber.open(path))
        return plumber[0]

    try:
        read: list[Page] = []
        _content_errors()  # what opening the file reported is no page's
        for i in range(doc.page_count):  # a stream table ending a page may go on on the next
            read.append(_read_page(doc, i, settings, plumber_pdf, read[-1] if read else None))
        pages = tuple(read)
        metadata = {k: v for k, v in (doc.metadata or {}).items() if v}
        metadata["page_count"] = doc.page_count
    except PdfLayoutError:
        raise
    except Exception as exc:
        raise CorruptPdfError(f"{path}: damaged PDF ({exc})") from exc
    finally:
        doc.close()
        if plumber:
            plumber[0].close()
    return PdfLayout(path=path, pages=pages, metadata=metadata)
