"""OCR for pages without a text layer (scanned plans), through pymupdf's Tesseract binding.

A scanned page gives two things the ruling path needs: table rulings, found as
long runs of dark pixels in the raster, and words, read by Tesseract (`jpn`)
after those rulings are painted white (Tesseract reads table cells far better
without their borders). Both come back in PDF points, so the same table stages
as for born-digital pages build the grids.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import re

import numpy as np

from extractors.layout.rulings import Ruling

TESSDATA_CANDIDATES = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
)
INSTALL_HINT = "install Debian's tesseract-ocr and tesseract-ocr-jpn to read scanned pages"


@dataclass(frozen=True)
class OcrSettings:
    language: str = "jpn"
    dpi: int = 200
    dark_threshold: int = 128
    min_horizontal_ruling_pt: float = 30.0
    min_vertical_ruling_pt: float = 15.0
    erase_margin_px: int = 2


@lru_cache(maxsize=1)
def tessdata_dir() -> str | None:
    """The folder holding jpn.traineddata, or None when Tesseract for Japanese is not installed."""
    candidates = [os.environ.get("TESSDATA_PREFIX", ""), *TESSDATA_CANDIDATES]
    for folder in candidates:
        if folder and (Path(folder) / "jpn.traineddata").is_file():
            return folder
    return None


def ocr_available() -> bool:
    return tessdata_dir() is not None and shutil.which("tesseract") is not None


def _gray_raster(page, dpi: int) -> np.ndarray:
    import pymupdf

    pixmap = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
    return np.frombuffer(pixmap.samples, dtype=np.uint8).reshape(pixmap.height, pixmap.stride)[:, :pixmap.width]


def _runs(mask: np.ndarray, min_length: int) -> list[tuple[int, int, int]]:
    """(row, start, end) of every run of True at least `min_length` long, row by row."""
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    edges = np.diff(padded, axis=1)
    rows_s, starts = np.nonzero(edges == 1)
    _, ends = np.nonzero(edges == -1)
    keep = (ends - starts) >= min_length
    return list(zip(rows_s[keep].tolist(), starts[keep].tolist(), ends[keep].tolist()))


def raster_rulings(gray: np.ndarray, scale: float, settings: OcrSettings) -> tuple[list[Ruling], np.ndarray]:
    """Rulings (in points) and the mask of their pixels, from long dark runs along rows and columns."""
    dark = gray < settings.dark_threshold
    min_h = int(settings.min_horizontal_ruling_pt / scale)
    min_v = int(settings.min_vertical_ruling_pt / scale)
    mask = np.zeros_like(dark)
    rulings: list[Ruling] = []
    for row, start, end in _runs(dark, min_h):
        mask[row, start:end] = True
        rulings.append(Ruling("h", row * scale, start * scale, end * scale))
    for col, start, end in _runs(dark.T, min_v):
        mask[start:end, col] = True
        rulings.append(Ruling("v", col * scale, start * scale, end * scale))
    return rulings, mask


def _dilate(mask: np.ndarray, margin: int) -> np.ndarray:
    """Grow the ruling mask so the anti-aliased fringe of a border is erased too."""
    grown = mask.copy()
    for shift in range(1, margin + 1):
        grown[shift:, :] |= mask[:-shift, :]
        grown[:-shift, :] |= mask[shift:, :]
        grown[:, shift:] |= mask[:, :-shift]
        grown[:, :-shift] |= mask[:, shift:]
    return grown


BORDER_REMNANT = re.compile(r"^[|｜\[\]丨]+$")
# Tesseract often reads the thousands comma of "123,330" as "." or ",.": amounts in these
# tables are whole numbers, so a digit group of exactly three after such a mark is a thousands group.
OCR_THOUSANDS = re.compile(r"(?<=\d)[.,]{1,2}(?=\d{3}(?!\d))")


def clean_ocr_word(text: str) -> str:
    """Undo Tesseract's usual slips on table text: border remnants and misread thousands marks."""
    text = text.strip().strip("|｜")
    if BORDER_REMNANT.match(text):
        return ""
    if re.fullmatch(r"[\d.,]+", text):
        text = OCR_THOUSANDS.sub(",", text)
    return text


def tight_bbox(bbox: tuple, ink: np.ndarray, scale: float) -> tuple:
    """Shrink a word box to the rows that hold ink: Tesseract's boxes take the height of the
    whole text line, which can reach into the table row above and misplace the word."""
    x0, y0, x1, y1 = (int(v / scale) for v in bbox)
    patch = ink[max(y0, 0):max(y1, 0) + 1, max(x0, 0):max(x1, 0) + 1]
    rows = np.nonzero(patch.any(axis=1))[0]
    if rows.size == 0:
        return bbox
    return (bbox[0], (y0 + rows[0]) * scale, bbox[2], (y0 + rows[-1] + 1) * scale)


def ocr_words(page, settings: OcrSettings = OcrSettings()) -> tuple[list[tuple], list[Ruling]]:
    """Words read by Tesseract, as pymupdf word tuples (x0, y0, x1, y1, text, block, line, n),
    and the raster's rulings, for one page without a text layer."""
    import pymupdf

    folder = tessdata_dir()
    if folder is None:
        raise RuntimeError(INSTALL_HINT)
    gray = _gray_raster(page, settings.dpi)
    scale = 72.0 / settings.dpi
    rulings, mask = raster_rulings(gray, scale, settings)
    cleaned = np.where(_dilate(mask, settings.erase_margin_px), 255, gray).astype(np.uint8)
    height, width = cleaned.shape
    pixmap = pymupdf.Pixmap(pymupdf.csGRAY, width, height, np.ascontiguousarray(cleaned).tobytes(), False)
    scratch = pymupdf.open()
    try:
        sheet = scratch.new_page(width=page.rect.width, height=page.rect.height)
        sheet.insert_image(sheet.rect, pixmap=pixmap)
        textpage = sheet.get_textpage_ocr(language=settings.language, dpi=settings.dpi, full=True,
                                          tessdata=folder)
        raw = sheet.get_text("words", textpage=textpage, sort=True)
    finally:
        scratch.close()
    ink = cleaned < settings.dark_threshold
    words = []
    for x0, y0, x1, y1, text, block, line, number in raw:
        text = clean_ocr_word(text)
        if text:
            words.append((*tight_bbox((x0, y0, x1, y1), ink, scale), text, block, line, number))
    return words, rulings
