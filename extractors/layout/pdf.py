"""PDF reader of the layout layer: pages, words, lines, rulings and table grids, with bboxes.

file → PdfLayout (pages → words, lines, tables). Extractors read only this,
never the PDF libraries, so a change of PDF library or table path touches one
module. Coordinates are PDF points with the origin top-left: (x0, top, x1, bottom).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

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


# --- page classes -----------------------------------------------------------------------------

BORN_DIGITAL = "born_digital"
WITH_PICTURES = "born_digital_with_pictures"
IMAGE_ONLY = "image_only"
INVISIBLE_TEXT = "image_with_invisible_text"
GARBLED_TEXT = "garbled_text"
BLANK = "blank"
PAGE_CLASSES = (BORN_DIGITAL, WITH_PICTURES, IMAGE_ONLY, INVISIBLE_TEXT, GARBLED_TEXT, BLANK)

# What a broken font mapping leaves in a text layer: pdfminer-style (cid:NN), U+FFFD, private-use
# code points, control characters.
GARBAGE = re.compile(r"\(cid:\d+\)|[\ufffd\ue000-\uf8ff\U000f0000-\U0010ffff\x00-\x08\x0b\x0c\x0e-\x1f]")
GARBLED_SHARE = 0.05          # of a page's characters
PAGE_IMAGE_SHARE = 0.5        # an image over half the page is a scan
MIN_PICTURE_PT = (100.0, 30.0)  # a picture at least this wide and high may hold a table


def garbled_share(texts) -> float:
    """The share of characters that are a broken font mapping's leftovers."""
    text = "".join(texts)
    if not text:
        return 0.0
    return sum(len(m) for m in GARBAGE.findall(text)) / len(text)


def invisible_share(page) -> float:
    """The share of the text layer's characters that do not show: render mode 3, or
    Tesseract's GlyphLessFont (what ocrmypdf and Acrobat lay over a scan)."""
    total = hidden = 0
    for span in page.get_texttrace():
        count = len(span["chars"])
        total += count
        if span["type"] == 3 or "GlyphLess" in span["font"] or span.get("opacity", 1) == 0:
            hidden += count
    return hidden / total if total else 0.0


def classify_page(page, raw_words) -> tuple[str, list]:
    """The page's class and the rectangles of pictures that may hold a table.

    Costs a listing of the page's image resources on a page without images (microseconds);
    image placements and the text trace are read only on pages that have images."""
    import pymupdf

    if not page.get_images(full=False):
        if not raw_words:
            return BLANK, []
        return (GARBLED_TEXT if garbled_share(w[4] for w in raw_words) > GARBLED_SHARE else BORN_DIGITAL), []
    area = abs(page.rect)
    placed = [pymupdf.Rect(info["bbox"]) & page.rect for info in page.get_image_info()]
    if any(abs(rect) >= PAGE_IMAGE_SHARE * area for rect in placed):
        if not raw_words:
            return IMAGE_ONLY, []
        if invisible_share(page) >= 0.5:
            return INVISIBLE_TEXT, []
    if raw_words and garbled_share(w[4] for w in raw_words) > GARBLED_SHARE:
        return GARBLED_TEXT, []
    if not raw_words:
        return IMAGE_ONLY, []
    pictures = [rect for rect in placed if rect.width >= MIN_PICTURE_PT[0] and rect.height >= MIN_PICTURE_PT[1]
                and abs(rect) < PAGE_IMAGE_SHARE * area]
    return (WITH_PICTURES if pictures else BORN_DIGITAL), pictures


def _ocr_words(raw: list[tuple], number: int) -> tuple[tuple[Word, ...], tuple[Line, ...]]:
    """OCR word tuples (with a confidence last) → Words and Lines, grouped like pymupdf's."""
    words, lines = [], []
    groups: dict = {}
    for x0, y0, x1, y1, text, block, line, _, confidence in raw:
        word = Word(text, (x0, y0, x1, y1), number, confidence)
        words.append(word)
        groups.setdefault((block, line), []).append(word)
    for group in groups.values():
        box = (min(w.bbox[0] for w in group), min(w.bbox[1] for w in group),
               max(w.bbox[2] for w in group), max(w.bbox[3] for w in group))
        lines.append(Line(" ".join(w.text for w in group), box, number, tuple(group)))
    lines.sort(key=lambda ln: (round(ln.bbox[1] / 4), ln.bbox[0]))
    return tuple(words), tuple(lines)


def _read_by_ocr(page, number: int, page_class: str, raw_words, settings: LayoutSettings) -> Page:
    """A scan, a scan under an invisible text layer, or a garbled text layer: read from the image."""
    from extractors.layout import ocr
    from extractors.layout import rulings as table_stages
    from extractors.layout.stream import stream_tables

    layer = raw_words if page_class == INVISIBLE_TEXT else None
    result = ocr.read_page(page, layout_settings=settings, page_number=number, text_layer=layer)
    words, lines = _ocr_words(result.words, number)
    # the layer's text outside the grids, where it agreed with our reading of its lines
    read_as = "ocr+text_layer" if result.prose_from_layer else "ocr"
    if not words and page_class == INVISIBLE_TEXT and raw_words:
        # Our own reading found nothing: the layer is all there is (its spacing undone).
        words, lines = _words([(*w[:4], ocr.join_cjk_spacing(w[4]), *w[5:]) for w in raw_words], number)
        read_as = "text_layer"
    tables = table_stages.tables_from_ruling_segments(number, result.rulings, words, settings, "ocr")
    if settings.stream_tables and words:
        stream = stream_tables(number, words, tables, settings)
        if stream:
            tables = sorted([*tables, *stream], key=lambda t: (t.bbox[1], t.bbox[0]))
    return Page(number=number, width=page.rect.width, height=page.rect.height, lines=lines, words=words,
                tables=tuple(tables), has_text_layer=bool(words), ocr=True, page_class=page_class,
                read_as=read_as, engine=result.engine, ocr_confidence=result.mean_confidence,
                errors=_content_errors())


def _read_pictures(page, number: int, pictures, settings: LayoutSettings):
    """Grids inside pictures of a born-digital page, OCR'd in place: their words, lines and tables."""
    from extractors.layout import ocr
    from extractors.layout import rulings as table_stages

    words, lines, tables, scores, engine = [], [], [], [], None
    for rect in pictures:
        result = ocr.read_page(page, layout_settings=settings, page_number=number, clip=rect, grids_only=True)
        if not result.words:
            continue
        found_words, found_lines = _ocr_words(result.words, number)
        found = table_stages.tables_from_ruling_segments(number, result.rulings, found_words, settings, "ocr")
        if not found:
            continue
        words.extend(found_words)
        lines.extend(found_lines)
        tables.extend(found)
        scores.extend(w.confidence for w in found_words if w.confidence is not None)
        engine = result.engine
    mean = round(sum(scores) / len(scores), 3) if scores else None
    return words, lines, tables, engine, mean


def _merge_lines(lines: tuple[Line, ...], extra: list[Line]) -> tuple[Line, ...]:
    """Picture lines placed in reading order: before the first page line below them."""
    merged = list(lines)
    for line in sorted(extra, key=lambda ln: (ln.bbox[1], ln.bbox[0]), reverse=True):
        at = next((i for i, ln in enumerate(merged) if ln.bbox[1] > line.bbox[1]), len(merged))
        merged.insert(at, line)
    return tuple(merged)


def _read_page(doc, index: int, settings: LayoutSettings, plumber_pdf_opener, previous: Page | None = None) -> Page:
    from extractors.layout.strategies import PageInput, find_tables

    page = doc[index]
    number = index + 1
    textpage = page.get_textpage(flags=_text_flags())
    raw_words = page.get_text("words", sort=False, textpage=textpage)
    page_class, pictures = classify_page(page, raw_words)
    can_ocr = False
    if settings.ocr and page_class in (IMAGE_ONLY, INVISIBLE_TEXT, GARBLED_TEXT, WITH_PICTURES):
        from extractors.layout import ocr

        can_ocr = ocr.ocr_available()
    if can_ocr and page_class in (IMAGE_ONLY, INVISIBLE_TEXT, GARBLED_TEXT):
        return _read_by_ocr(page, number, page_class, raw_words, settings)
    words, lines = _words(raw_words, number)
    drawings = page.get_cdrawings() if has_vector_paths(textpage) else ()
    tables = find_tables(PageInput(number, words, drawings, glyph_boxes(textpage),
                                   lambda: plumber_pdf_opener().pages[index], previous), settings)
    extra = {}
    if can_ocr and pictures:
        pic_words, pic_lines, pic_tables, engine, mean = _read_pictures(page, number, pictures, settings)
        if pic_tables:
            words = (*words, *pic_words)
            lines = _merge_lines(lines, pic_lines)
            tables = sorted([*tables, *pic_tables], key=lambda t: (t.bbox[1], t.bbox[0]))
            extra = {"ocr": True, "read_as": "text+ocr_pictures", "engine": engine, "ocr_confidence": mean}
    # A page with no words but an image is a scan (needs OCR); a truly blank page is not.
    has_text = bool(words) or page_class == BLANK
    read_as = "none" if not has_text else "text"
    return Page(number=number, width=page.rect.width, height=page.rect.height, lines=lines, words=words,
                tables=tuple(tables), has_text_layer=has_text, page_class=page_class,
                errors=_content_errors(), **({"read_as": read_as} | extra))


def _content_errors() -> tuple[str, ...]:
    """What MuPDF reported while reading the page (syntax errors in a damaged content stream:
    the words after one may be lost, so a reader must say so), and a clean slate for the next."""
    import pymupdf

    text = pymupdf.TOOLS.mupdf_warnings(reset=True) or ""
    return tuple(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


def read_pdf_layout(path: str | Path, settings: LayoutSettings = LayoutSettings(),
                    on_page: Callable[[Page, int], None] | None = None) -> PdfLayout:
    """Every page's words, reading-order lines and ruled tables, with bboxes.

    `on_page(page, page_count)` is called as each page is read (a scan takes seconds a
    page: progress bars and logs advance by it).

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
            if on_page is not None:
                on_page(read[-1], doc.page_count)
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
