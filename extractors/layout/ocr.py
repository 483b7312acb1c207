"""OCR of page images: scanned pages, pages whose text layer is untrustworthy, and pictures.

One image (a whole scanned page, or a picture pasted on a born-digital page) is read in
stages, each a small function:

  binarise (Otsu) → deskew (the angle whose row profile is sharpest) → rulings (long dark
  runs) → grid (the same ruling stages as born-digital pages) → each cell recognised alone
  (cropped to its ink, upscaled when small, so a cell's text never mixes with its
  neighbours') → the rest of the page recognised in one pass with the grids blanked out.

Words come back in PDF points of the page with a confidence (the recogniser's, 0–1), so
the same grid readers run on them as on born-digital words.

Engine: Tesseract `jpn` through tesserocr (the C API: the model is loaded once per process
and a cell costs ~15 ms, where the command line would reload it for each call). When
tesserocr is missing, pymupdf's own Tesseract binding reads whole pages (no cell OCR).
rapidocr_onnxruntime 1.4.4 was measured and not chosen: its bundled PP-OCR recogniser
has a Chinese dictionary without hiragana and most katakana (README, "Scanned pages").
"""
from __future__ import annotations

import os
import re
import shutil
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

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
    dark_threshold: int | None = None      # None: Otsu's threshold of each image
    min_horizontal_ruling_pt: float = 30.0
    min_vertical_ruling_pt: float = 15.0
    erase_margin_px: int = 1
    max_skew_deg: float = 1.0              # scanners skew by well under a degree
    skew_step_deg: float = 0.05
    cell_ocr: bool = True                  # recognise each grid cell alone
    cell_margin_px: int = 1                # inside a cell's rulings (measured: 1 px reads most cells right)
    min_text_height_px: int = 32           # smaller cell text is upscaled to this height
    low_confidence: float = 0.6            # values under it are listed for review
    # Text outside grids shrunk to this line height (None: as scanned). Off: Tesseract's LSTM
    # scales every line to 36 px itself, so only the layout analysis gets cheaper (~3 % of a
    # page at 24 px), and on the dev scans the CER moved both ways (ome 6.6 → 6.1 %, rumoi 5.4 → 6.2 %).
    prose_text_height_px: int | None = None
    # An invisible text layer is used for the text outside the grids when its lines agree
    # with our own reading of the longest few of them (difflib ratio); below that it is
    # ignored. Measured on the dev scans (docs: README "Scanned pages").
    layer_agreement: float = 0.85
    layer_sample_lines: int = 3
    prose_psm: int = 3                     # Tesseract's page segmentation for the text outside grids


@dataclass(frozen=True)
class OcrResult:
    """What one image gave: pymupdf-style word tuples (x0, y0, x1, y1, text, block, line, n,
    confidence) in page points, the rulings found, and how it was read."""

    words: list[tuple]
    rulings: list[Ruling]
    engine: str
    skew_deg: float = 0.0
    # the invisible text layer's agreement with our own reading of a sample of its lines
    # (0–1), when the page had one; its words were used for the text outside the grids
    # when it reached OcrSettings.layer_agreement
    layer_agreement: float | None = None
    prose_from_layer: bool = False

    @property
    def mean_confidence(self) -> float | None:
        scores = [w[8] for w in self.words if w[8] is not None]
        return round(sum(scores) / len(scores), 3) if scores else None


@lru_cache(maxsize=1)
def tessdata_dir() -> str | None:
    """The folder holding jpn.traineddata, or None when Tesseract for Japanese is not installed."""
    candidates = [os.environ.get("TESSDATA_PREFIX", ""), *TESSDATA_CANDIDATES]
    for folder in candidates:
        if folder and (Path(folder) / "jpn.traineddata").is_file():
            return folder
    return None


@lru_cache(maxsize=1)
def _has_tesserocr() -> bool:
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return False
    return True


def ocr_available() -> bool:
    return tessdata_dir() is not None and (_has_tesserocr() or shutil.which("tesseract") is not None)


def engine_name() -> str:
    return "tesseract-jpn (tesserocr)" if _has_tesserocr() else "tesseract-jpn (pymupdf)"


# --- text clean-up after recognition ----------------------------------------------------------

BORDER_REMNANT = re.compile(r"^[|｜\[\]丨]+$")
# Tesseract often reads the thousands comma of "123,330" as "." or ",.": amounts in these
# tables are whole numbers, so a digit group of exactly three after such a mark is a thousands group.
OCR_THOUSANDS = re.compile(r"(?<=\d)[.,]{1,2}(?=\d{3}(?!\d))")
# Recognisers trained on Chinese (and Tesseract now and then) give the Chinese form of a
# Japanese glyph; these are the ones that occur in plan vocabulary.
GLYPH_VARIANTS = str.maketrans({"值": "値", "增": "増", "说": "説", "经": "経", "营": "営", "发": "発",
                                "达": "達", "业": "業", "实": "実", "计": "計", "资": "資",
                                "产": "産", "额": "額", "费": "費", "开": "開", "关": "関"})
KATAKANA = r"\u30a1-\u30fa"
# 一 (kanji one) or - between katakana is the long vowel mark ー
LONG_VOWEL = re.compile(rf"(?<=[{KATAKANA}ー])[一\-－—―‐](?=[{KATAKANA}]|$)")
CJK = r"\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff01-\uff60々〆"
# Tesseract puts a space between Japanese characters (`経 営 発 達`): a space with a
# Japanese character on either side is not a word break.
CJK_SPACE = re.compile(rf"(?<=[{CJK}])[ \u3000]+|[ \u3000]+(?=[{CJK}])")


def join_cjk_spacing(text: str) -> str:
    """`経 営 発 達 支 援` → `経営発達支援`, `1 回` → `1回`; spaces between Latin words or numbers stay."""
    return CJK_SPACE.sub("", text)


def fix_glyphs(text: str) -> str:
    """Chinese glyph variants and the long vowel mark between katakana, after recognition."""
    return LONG_VOWEL.sub("ー", text.translate(GLYPH_VARIANTS))


# "1" is a thin vertical glyph that Tesseract's Japanese model reads as a bracket or a bar:
# such a mark standing for a digit (before a digit or a counter unit) is a 1, and one right
# after a digit is the digit's own serif.
ONE_LIKE = "]|[Il丨」｜"
UNIT_AFTER = r"[\d回件者人社社店%％円部名団所時日月年度]"
ONE_BEFORE_UNIT = re.compile(rf"(?<![\w{re.escape(ONE_LIKE)}])[{re.escape(ONE_LIKE)}](?=\s*{UNIT_AFTER})")
SERIF_AFTER_DIGIT = re.compile(rf"(?<=\d)[{re.escape(ONE_LIKE)}](?=\s*{UNIT_AFTER[:-1]}])")
# a speck before a number: a dot, or a dash set apart by a space (a minus sign touches its digits)
LEADING_SPECK = re.compile(r"^(?:[.,・·'`:;‥…]+\s*|[-_~―—‐]\s+)(?=\d)")


# The slashes of a date read as 7 or 1 (`2023704701`): no amount is written like that.
DATE_SLASHES = re.compile(r"(?<!\d)((?:19|20)\d{2})[71/／]{1,2}(0[1-9]|1[0-2])[71/／]{1,2}(0[1-9]|[12]\d|3[01])(?!\d)")


def fix_dates(text: str) -> str:
    """`2023704701` → `2023/04/01` where a Western date is written with slashes."""
    return DATE_SLASHES.sub(lambda m: f"{m[1]}/{m[2]}/{m[3]}", text)


# `R7` (令和7年度) read with a stray bar between the letter and the year: RI7, Rl7, R|7
REIWA_YEAR = re.compile(r"(?<![A-Za-z])R[Il|](?=\d{1,2}(?!\d))")


# A year header (`R8`, `R11`) read with letters for its digits: `RS`, `RS8` (S and 8 read
# twice), `R1 1`, `RO`.
YEAR_TOKEN = re.compile(r"^R\s*([0-9SOIlB|](?:\s?[0-9SOIlB|]){0,3})$")
DIGIT_LOOKALIKE = {"S": "8", "O": "0", "I": "1", "l": "1", "|": "1", "B": "8"}


def fix_year_token(text: str) -> str:
    match = YEAR_TOKEN.match(text)
    if not match:
        return text
    body = match[1].replace(" ", "")
    digits = []
    for i, ch in enumerate(body):
        if ch in DIGIT_LOOKALIKE:
            if i + 1 < len(body) and body[i + 1] == DIGIT_LOOKALIKE[ch]:
                continue  # the same glyph read twice, as a letter and as a digit
            ch = DIGIT_LOOKALIKE[ch]
        digits.append(ch)
    number = "".join(digits)
    return f"R{number}" if 1 <= len(number) <= 2 and number[0] != "0" else text


def fix_numeric(text: str) -> str:
    """`]回` → `1回`, `1]回` → `1回`, `. 12回` → `12回`: digit slips in a short numeric cell."""
    text = fix_year_token(REIWA_YEAR.sub("R", text))
    if len(text) > 16 or not re.search(r"\d|[回件者人]", text):
        return text
    text = LEADING_SPECK.sub("", text)
    text = SERIF_AFTER_DIGIT.sub("", text)
    return ONE_BEFORE_UNIT.sub("1", text)


# In an e-mail address or URL: `.ip` is `.jp` (the j's tail cut where it touches a ruling;
# there is no .ip domain), and Japan's second-level domains lose their dot (`lgjp`).
ADDRESS = re.compile(r"@|https?:|www\.", re.I)
JP_DOMAIN = re.compile(r"(?<=[.@])((?:[a-z0-9-]+\.)*?)(lg|or|co|ne|go|ac|ed|gr)\.?[ji]p\b|\.ip\b", re.I)


def fix_address(text: str) -> str:
    """`city.ome.lgjp` → `city.ome.lg.jp`, `tokyo.ip` → `tokyo.jp`, in addresses only."""
    if not ADDRESS.search(text):
        return text
    return JP_DOMAIN.sub(lambda m: f"{m[1]}{m[2]}.jp" if m[2] else ".jp", text)


def clean_ocr_word(text: str) -> str:
    """Undo usual OCR slips on table text: border remnants, misread thousands marks, spacing."""
    text = fix_address(fix_dates(join_cjk_spacing(fix_glyphs(text.strip())))).strip("|｜ ")
    if BORDER_REMNANT.match(text):
        return ""
    text = fix_numeric(text)
    if re.fullmatch(r"[\d.,]+", text):
        text = OCR_THOUSANDS.sub(",", text)
    return text


# --- image stages ----------------------------------------------------------------------------


# Tesseract's jpn model has no Ⅰ–Ⅹ (U+2160…): a part heading's `Ⅰ．` comes back as `1.`, or
# is dropped; `Ⅱ` as `II` or `中`, `Ⅲ` as `四`, `皿` or `川`. A line starting with such a
# reading (or with a glyph left unread) has its first glyph looked at again, by its strokes.
ROMAN_LOOKALIKE = re.compile(r"^(?:[1lIL|]{2,3}(?=[.．、])|[1lIT|１ＩＴ]|[四皿川中])(?=[.．、]|\s|$|[^\x00-\x7f\d０-９])")
NUMERALS = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ"}
LOOKALIKE_OF = {**dict.fromkeys("1lIT|１ＩＴ", "Ⅰ"), "中": "Ⅱ", **dict.fromkeys("四皿川", "Ⅲ")}
HEADING_MIN_CHARS = 5
SPECK_PX = 2
COUNTED = re.compile(rf"^\S\s*{UNIT_AFTER}")


def _runs_in_row(row: np.ndarray) -> int:
    return int(np.count_nonzero(row[1:] & ~row[:-1]) + int(row[0])) if row.size else 0


def true_runs(profile: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of each run of True in a 1-D profile, in order."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], profile.astype(np.int8), [0]))))
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2])]


def column_runs(ink: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) columns of each run of inked columns of a line's ink, left to right."""
    return true_runs(ink.any(axis=0))


def glyph_runs(ink: np.ndarray) -> list[tuple[int, int]]:
    """column_runs without dust: a run a few pixels wide and high is a speck, not a glyph."""
    speck = max(SPECK_PX, 0.08 * ink.shape[0])
    out = []
    for a, b in column_runs(ink):
        top, bottom = _rows(ink[:, a:b + 1])
        if b - a + 1 > speck or bottom - top + 1 > speck:
            out.append((a, b))
    return out


def _rows(glyph: np.ndarray) -> tuple[int, int]:
    rows = np.flatnonzero(glyph.any(axis=1))
    return (int(rows[0]), int(rows[-1])) if rows.size else (0, -1)


def _bar(glyph: np.ndarray, line_height: int) -> bool:
    """An upright bar about the line's height with no flag: one stem across its middle rows,
    its top reaching out as far left as right and as far as its foot (a `1`'s top reaches out
    to one side, and its foot is the wider)."""
    top, bottom = _rows(glyph)
    tall = bottom - top + 1
    if tall < 0.6 * line_height or glyph.shape[1] > 0.7 * tall:
        return False
    body = glyph[top:bottom + 1]
    middle = body[int(0.3 * tall):int(0.7 * tall) + 1]
    if int(np.median([_runs_in_row(r) for r in middle])) != 1:
        return False
    centre = float(np.mean(np.flatnonzero(middle.any(axis=0))))
    band = max(2, int(0.15 * tall))
    head = np.flatnonzero(body[:band].any(axis=0))
    foot = np.flatnonzero(body[-band:].any(axis=0))
    if head.size == 0 or foot.size == 0:
        return False
    # Ⅰ's serifs, when it has them, are alike at the top and the foot; a 1's flag is not
    symmetric = abs((centre - head[0]) - (head[-1] - centre)) <= max(1.0, 0.06 * tall)
    return symmetric and head[-1] - head[0] + 1 >= 0.75 * (foot[-1] - foot[0] + 1)


def _joined_numeral(glyph: np.ndarray, line_height: int) -> int:
    """2 or 3 for Ⅱ or Ⅲ drawn as one glyph (stems joined by serif bars top and bottom), else 0."""
    top, bottom = _rows(glyph)
    tall = bottom - top + 1
    if tall < 0.6 * line_height or glyph.shape[1] > 1.1 * tall:
        return 0
    body = glyph[top:bottom + 1]
    stems = int(np.median([_runs_in_row(r) for r in body[int(0.3 * tall):int(0.7 * tall) + 1]]))
    band = max(2, int(0.15 * tall))
    spans = [np.flatnonzero(part.any(axis=0)) for part in (body[:band], body[-band:])]
    joined = all(sp.size and sp[-1] - sp[0] + 1 >= 0.8 * body.shape[1] for sp in spans)
    return stems if stems in (2, 3) and joined else 0


def leading_numeral(ink: np.ndarray) -> tuple[str | None, bool]:
    """The Roman numeral (Ⅰ, Ⅱ, Ⅲ) that a text line's ink starts with (None when it does
    not), and whether a period's dot follows it.

    A numeral is one to three upright bars of the line's height, aligned, close together
    (川's strokes differ in height), or one glyph whose two or three stems are joined by
    serif bars (四 and 皿 cross four strokes, 中 has no bars)."""
    height = ink.shape[0]
    runs = glyph_runs(ink)
    if height < 8 or not runs:
        return None, False
    first = ink[:, runs[0][0]:runs[0][1] + 1]
    count, used = _joined_numeral(first, height), 1
    if not count:
        bars = []
        for a, b in runs[:4]:
            glyph = ink[:, a:b + 1]
            if not _bar(glyph, height) or (bars and a - bars[-1][1] > 0.45 * height):
                break
            bars.append((a, b, *_rows(glyph)))
        aligned = bars and all(abs(t - bars[0][2]) <= 0.1 * height and abs(e - bars[0][3]) <= 0.1 * height
                               for _, _, t, e in bars)
        if not bars or not aligned or len(bars) > 3:
            return None, False
        count, used = len(bars), len(bars)
    dot = len(runs) > used and _is_dot(ink, runs[used])
    # what follows a numeral is its period or a gap (the next stroke of 川 or 小 is closer)
    if len(runs) > used and not dot and runs[used][0] - runs[used - 1][1] < 0.2 * height:
        return None, False
    return NUMERALS[count], dot


def _is_dot(ink: np.ndarray, run: tuple[int, int]) -> bool:
    """A period's dot: a small blob in the lower half of the line."""
    height = ink.shape[0]
    a, b = run
    top, bottom = _rows(ink[:, a:b + 1])
    return (b - a + 1) <= 0.3 * height and 0 <= bottom - top + 1 <= 0.3 * height and top >= 0.5 * height


LEADING_NUMBER = re.compile(rf"^(\d{{1,2}})(?=[{CJK}])")


def restore_item_period(text: str, ink: np.ndarray) -> str:
    """`1地域の…` → `1．地域の…` when the line's ink shows the dot the recogniser dropped
    after the item number (a full-width period is a few pixels at 200 dpi)."""
    match = LEADING_NUMBER.match(text)
    if not match or len(text) < HEADING_MIN_CHARS or COUNTED.match(text[len(match[1]) - 1:]):
        return text
    runs = glyph_runs(ink)
    digits = len(match[1])
    if len(runs) <= digits or any(bottom - top + 1 < 0.5 * ink.shape[0]
                                  for top, bottom in (_rows(ink[:, a:b + 1]) for a, b in runs[:digits])):
        return text
    return f"{match[1]}．{text[digits:]}" if _is_dot(ink, runs[digits]) else text


def restore_roman_numeral(text: str, ink: np.ndarray, line_text: str | None = None) -> str:
    """`1.経営…` → `Ⅰ.経営…`, `四 経営…` → `Ⅲ 経営…`, and `経営…` → `Ⅰ．経営…` when the
    numeral and its period were left unread, judged from the line's ink (from its left edge).
    `line_text`: the whole line's, when `text` is its first run (`四` set apart from its title)."""
    whole = line_text or text
    if len(whole) < HEADING_MIN_CHARS or COUNTED.match(whole):
        return text  # a value (`1件`, `1回`), not a heading
    lookalike = ROMAN_LOOKALIKE.match(text)
    if not lookalike and not re.match(rf"[{CJK}]", text):
        return text
    numeral, dot = leading_numeral(ink)
    if numeral is None:
        return text
    if lookalike:
        token = lookalike[0]
        expected = NUMERALS[len(token)] if len(token) > 1 else LOOKALIKE_OF[token]
        if expected != numeral:
            return text  # the strokes are not the numeral the recogniser's reading looks like
        rest = text[len(token):]
        return numeral + ("．" if dot and rest[:1] not in (".", "．", "、") else "") + rest
    return f"{numeral}．{text}" if dot else text


def restore_heading_number(text: str, ink: np.ndarray, line_text: str | None = None) -> str:
    """A line's leading part or item number as printed (see the two functions it calls)."""
    restored = restore_roman_numeral(text, ink, line_text)
    return restored if restored != text else restore_item_period(text, ink)


# The ditto mark 〃 is not in Tesseract's jpn model either: `〃 （BtoC）` comes back as
# `7 (BtoC)` or `/ (BtoC)`.
DITTO_LOOKALIKE = re.compile(rf"^[7/'\"″ノク1l|]\s*(?=[(（{CJK}])")


def leading_ditto_mark(ink: np.ndarray) -> bool:
    """Whether a line's ink starts with a ditto mark: two short strokes side by side, alike,
    well under the height of the line's other glyphs, then a gap."""
    runs = glyph_runs(ink)
    if len(runs) < 3:
        return False  # a mark alone, or with one glyph after it: nothing to measure it against
    rows = [_rows(ink[:, a:b + 1]) for a, b in runs]
    line = max(bottom - top + 1 for top, bottom in rows)
    (t1, b1), (t2, b2) = rows[0], rows[1]
    short = all(b - t + 1 <= 0.6 * line for t, b in rows[:2])
    alike = abs(t1 - t2) <= 0.1 * line and abs(b1 - b2) <= 0.1 * line
    narrow = all(b - a + 1 <= 0.4 * line for a, b in runs[:2])
    close = runs[1][0] - runs[0][1] <= 0.3 * line
    apart = runs[2][0] - runs[1][1] >= 0.2 * line
    return short and alike and narrow and close and apart


def restore_ditto_mark(text: str, ink: np.ndarray) -> str:
    """`7 (BtoC)` → `〃 (BtoC)` when the line's ink starts with a ditto mark's two strokes."""
    if not DITTO_LOOKALIKE.match(text) or COUNTED.match(text) or not leading_ditto_mark(ink):
        return text
    return "〃" + text[1:]


def restore_from_ink(text: str, ink: np.ndarray, line_text: str | None = None) -> str:
    """What the recogniser cannot read at a line's start, judged from the line's ink: part
    and item numbers, ditto marks."""
    restored = restore_heading_number(text, ink, line_text)
    return restored if restored != text else restore_ditto_mark(text, ink)


def otsu_threshold(gray: np.ndarray) -> int:
    """Otsu's threshold, kept within sane bounds (a page that is nearly all white or all dark)."""
    hist = np.bincount(gray[::4, ::4].ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    levels = np.arange(256)
    weight = np.cumsum(hist)
    mean = np.cumsum(hist * levels)
    between = (mean[-1] * weight - mean * total) ** 2 / np.maximum(weight * (total - weight), 1e-9)
    return int(min(max(int(np.argmax(between)), 90), 200))


def estimate_skew(dark: np.ndarray, settings: OcrSettings) -> float:
    """The rotation (degrees) whose row projection of the ink is sharpest: text lines and
    rulings line up with the rows when the page is straight."""
    ys, xs = np.nonzero(dark[::2, ::2])
    if ys.size < 500:
        return 0.0
    step = max(ys.size // 60000, 1)
    ys, xs = ys[::step].astype(np.float64), xs[::step].astype(np.float64)
    best, best_score = 0.0, -1.0
    height = dark.shape[0] // 2 + dark.shape[1] // 2 + 2
    for angle in np.arange(-settings.max_skew_deg, settings.max_skew_deg + 1e-9, settings.skew_step_deg):
        shifted = np.round(ys - xs * np.tan(np.radians(angle))).astype(np.int64) + dark.shape[1] // 2
        score = float(np.square(np.bincount(shifted, minlength=height).astype(np.float64)).sum())
        if score > best_score:
            best, best_score = float(angle), score
    return round(best, 3)


def deskew(gray: np.ndarray, angle: float) -> np.ndarray:
    if abs(angle) < 0.01:
        return gray
    from PIL import Image

    image = Image.fromarray(gray, "L").rotate(angle, resample=Image.BILINEAR, fillcolor=255)
    return np.asarray(image)


def _runs(mask: np.ndarray, min_length: int) -> list[tuple[int, int, int]]:
    """(row, start, end) of every run of True at least `min_length` long, row by row."""
    width = mask.shape[1] + 2
    padded = np.zeros((mask.shape[0], width), dtype=np.int8)
    padded[:, 1:-1] = mask
    edges = np.diff(padded.ravel())  # rows are padded with zeros: no run crosses a row
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    keep = (ends - starts) >= min_length
    starts, ends = starts[keep], ends[keep]
    rows = starts // width
    return list(zip(rows.tolist(), (starts - rows * width).tolist(), (ends - rows * width).tolist()))


def _bridge(dark: np.ndarray, axis: int) -> np.ndarray:
    """Close one-pixel gaps along an axis: noise and JPEG break a scanned ruling's runs."""
    bridged = dark.copy()
    if axis == 1:
        bridged[:, 1:-1] |= dark[:, :-2] & dark[:, 2:]
    else:
        bridged[1:-1, :] |= dark[:-2, :] & dark[2:, :]
    return bridged


def raster_rulings(gray: np.ndarray, scale: float, settings: OcrSettings,
                   origin: tuple[float, float] = (0.0, 0.0), threshold: int | None = None
                   ) -> tuple[list[Ruling], np.ndarray]:
    """Rulings (in points) and the mask of their pixels, from long dark runs along rows and columns."""
    level = threshold or settings.dark_threshold or 128
    dark = gray < level
    ox, oy = origin
    min_h = int(settings.min_horizontal_ruling_pt / scale)
    min_v = int(settings.min_vertical_ruling_pt / scale)
    mask = np.zeros_like(dark)
    rulings: list[Ruling] = []
    for row, start, end in _runs(_bridge(dark, 1), min_h):
        mask[row, start:end] = True
        rulings.append(Ruling("h", oy + row * scale, ox + start * scale, ox + end * scale))
    # A column ruling ends on row rulings at both ends; the strokes of letters in rows above
    # and below one another (H over H) that join through a row ruling do not reach one.
    near = 4
    for col, start, end in _runs(np.ascontiguousarray(dark.T), min_v):
        c0, c1 = max(col - near, 0), col + near + 1
        on_top = mask[max(start - near, 0):start + near + 1, c0:c1].any()
        on_bottom = mask[max(end - 1 - near, 0):end + near, c0:c1].any()
        # a long run is a ruling even where a speck of noise cuts it short of one end
        if not ((on_top and on_bottom) or ((on_top or on_bottom) and end - start >= 4 * min_v)):
            continue
        if _inner_stroke(mask[:, c0:c1], start, end, near):
            continue
        rulings.append(Ruling("v", ox + col * scale, oy + start * scale, oy + end * scale))
        mask[start:end, col] = True
    return rulings, mask


def _inner_stroke(rows_at_x: np.ndarray, start: int, end: int, near: int) -> bool:
    """A vertical run inside a table that reaches neither its top nor its bottom row ruling
    and crosses at most one: glyph strokes of tight rows touching the rulings (拓 above 料 in a
    150-dpi picture). Column rulings run to the table's top or bottom edge."""
    ruled = np.flatnonzero(rows_at_x.any(axis=1))
    if ruled.size == 0:
        return False
    # the row rulings of this table at this x: those within reach of the run, chained
    groups = np.split(ruled, np.flatnonzero(np.diff(ruled) > near) + 1)
    lines = [int(g.mean()) for g in groups]
    top, bottom = _table_span(lines, start, end, near)
    crossed = sum(1 for y in lines if start + near < y < end - near)
    return crossed <= 1 and start > top + near and end < bottom - near


def _table_span(lines: list[int], start: int, end: int, near: int) -> tuple[int, int]:
    """The first and last row ruling of the run of rulings around [start, end] whose gaps are
    no more than three times the run's own row height (one table's rows)."""
    inside = [y for y in lines if start - near <= y <= end + near]
    if not inside:
        return start, end
    step = max((end - start) / max(len(inside) - 1, 1), 8) * 3
    ordered = sorted(lines)
    i = ordered.index(inside[0])
    while i > 0 and ordered[i] - ordered[i - 1] <= step:
        i -= 1
    top = ordered[i]
    j = ordered.index(inside[-1])
    while j + 1 < len(ordered) and ordered[j + 1] - ordered[j] <= step:
        j += 1
    bottom = ordered[j]
    return top, bottom


def _dilate(mask: np.ndarray, margin: int) -> np.ndarray:
    """Grow the ruling mask so the anti-aliased fringe of a border is erased too."""
    grown = mask.copy()
    for shift in range(1, margin + 1):
        grown[shift:, :] |= mask[:-shift, :]
        grown[:-shift, :] |= mask[shift:, :]
        grown[:, shift:] |= mask[:, :-shift]
        grown[:, :-shift] |= mask[:, shift:]
    return grown


def tight_bbox(bbox: tuple, ink: np.ndarray, scale: float, origin: tuple[float, float] = (0.0, 0.0)) -> tuple:
    """Shrink a word box to the rows that hold ink: Tesseract's boxes take the height of the
    whole text line, which can reach into the table row above and misplace the word."""
    ox, oy = origin
    x0, y0, x1, y1 = (int((v - o) / scale) for v, o in zip(bbox, (ox, oy, ox, oy)))
    patch = ink[max(y0, 0):max(y1, 0) + 1, max(x0, 0):max(x1, 0) + 1]
    rows = np.nonzero(patch.any(axis=1))[0]
    if rows.size == 0:
        return bbox
    return (bbox[0], oy + (y0 + rows[0]) * scale, bbox[2], oy + (y0 + rows[-1] + 1) * scale)


# --- the recogniser ----------------------------------------------------------------------------

_APIS: dict = {}


def _api(psm: int, lang: str = "jpn"):
    """One tesserocr handle per language, kept for the life of the process (a model costs
    tens of MB and a fraction of a second to load); the segmentation mode is set per call."""
    if lang not in _APIS:
        import tesserocr

        api = tesserocr.PyTessBaseAPI(path=tessdata_dir(), lang=lang, psm=psm,
                                      oem=tesserocr.OEM.LSTM_ONLY)
        # No search for white-on-black text: plans have none, and it costs a second pass.
        api.SetVariable("tessedit_do_invert", "0")
        _APIS[lang] = api
    api = _APIS[lang]
    api.SetPageSegMode(psm)
    return api


@lru_cache(maxsize=1)
def has_english_model() -> bool:
    folder = tessdata_dir()
    return bool(folder) and (Path(folder) / "eng.traineddata").is_file()


ADDRESS_LIKE = re.compile(r"@|https?:|www\.|\.(?:jp|com|net|org)\b|mail", re.I)


def _reread_addresses(image: np.ndarray, words: list[tuple], dpi: int) -> list[tuple]:
    """E-mail addresses and URLs read again with Tesseract's English model, which keeps the
    dots of `omecci.jp` and the y of `tokyo` that the Japanese one drops; the more
    confident reading is kept."""
    if not has_english_model() or not any(ADDRESS_LIKE.search(w[1]) for w in words):
        return words
    out = []
    for box, text, conf in words:
        if ADDRESS_LIKE.search(text):
            x0, y0, x1, y1 = box
            crop = np.pad(image[max(y0 - 2, 0):y1 + 2, max(x0 - 2, 0):x1 + 2], 10, constant_values=255)
            read = [w for _, ws in _recognise_lines(crop, 7, dpi, "eng") for w in ws]
            if read and min(w[2] for w in read) > conf:
                text, conf = "".join(w[1] for w in read), min(w[2] for w in read)
        out.append((box, text, conf))
    return out


def _recognise_lines(image: np.ndarray, psm: int, dpi: int, lang: str = "jpn"
                     ) -> list[tuple[tuple[int, int, int, int], list[tuple]]]:
    """Text lines of an image: (line box in px, [(word box in px, text, confidence 0–1)])."""
    import tesserocr

    api = _api(psm, lang)
    # The raw grey bytes: SetImage(PIL image) would encode a BMP first (~2 ms a call).
    # Tesseract does not copy them: `data` lives until the results are read.
    height, width = image.shape
    data = np.ascontiguousarray(image, dtype=np.uint8).tobytes()
    api.SetImageBytes(data, width, height, 1, width)
    api.SetSourceResolution(dpi)
    api.Recognize()
    lines = []
    iterator = api.GetIterator()
    if iterator is None:
        return lines
    level = tesserocr.RIL.WORD
    current: list[tuple] = []
    line_box = None
    while True:
        if iterator.IsAtBeginningOf(tesserocr.RIL.TEXTLINE):
            if current:
                lines.append((line_box, current))
            current = []
            line_box = iterator.BoundingBox(tesserocr.RIL.TEXTLINE)
        try:
            text = iterator.GetUTF8Text(level)
        except RuntimeError:  # an empty word (a speck)
            text = ""
        box = iterator.BoundingBox(level)
        if text and text.strip() and box:
            current.append((box, text.strip(), iterator.Confidence(level) / 100.0))
        if not iterator.Next(level):
            break
    if current:
        lines.append((line_box, current))
    return lines


def _segments(words: list[tuple], gap: float) -> list[list[tuple]]:
    """Split a line's words where the gap between two is wider than `gap` px (a new cell or column)."""
    groups: list[list[tuple]] = []
    for word in sorted(words, key=lambda w: w[0][0]):
        if groups and word[0][0] - groups[-1][-1][0][2] <= gap:
            groups[-1].append(word)
        else:
            groups.append([word])
    return groups


def _drop_specks(words: list[tuple], line_height: int = 0) -> list[tuple]:
    """Dust and JPEG noise read as a character: a lone character the recogniser doubts, or a
    box far smaller than a glyph of its line."""
    tiny = 0.3 * line_height
    return [w for w in words
            if not (tiny and (w[0][2] - w[0][0]) < tiny and (w[0][3] - w[0][1]) < tiny)
            and (len(w[1]) > 1 or w[2] >= SPECK_CONFIDENCE or len(words) == 1)]


SPECK_CONFIDENCE = 0.4


def _join(words: list[tuple]) -> tuple[tuple[int, int, int, int], str, float]:
    box = (min(w[0][0] for w in words), min(w[0][1] for w in words),
           max(w[0][2] for w in words), max(w[0][3] for w in words))
    text = clean_ocr_word(" ".join(w[1] for w in words))
    return box, text, min(w[2] for w in words)


def _page_words(image: np.ndarray, scale: float, origin, settings: OcrSettings, block0: int,
                ink: np.ndarray | None = None) -> list[tuple]:
    """Words of an image in one pass: Tesseract's words of a line joined into runs (what a
    born-digital line gives as words), split where a gap wider than a character opens.

    Text taller than settings.prose_text_height_px is recognised on a downscaled copy
    (fewer pixels for the page layout analysis and the LSTM's input); boxes come back in
    the full image's pixels and addresses are re-read at full resolution."""
    dpi = settings.dpi
    ink = ink if ink is not None else image < 128
    line_height = text_line_height(ink)
    if not line_height:
        return []  # no line of text left (a page that is all grid, or blank): nothing to recognise
    factor = prose_factor(line_height, settings.prose_text_height_px)
    small = _resized(image, factor) if factor < 1.0 else image
    out = []
    ox, oy = origin
    for line_no, (line_box, words) in enumerate(_recognise_lines(small, settings.prose_psm, int(dpi * factor))):
        if factor < 1.0:
            line_box = _unscaled(line_box, factor) if line_box else line_box
            words = [(_unscaled(box, factor), text, conf) for box, text, conf in words]
        height = max((line_box[3] - line_box[1]) if line_box else 0, 1)
        words = _reread_addresses(image, _drop_specks(words, height), dpi)
        for n, run in enumerate(_segments(words, 1.2 * height)):
            (x0, y0, x1, y1), text, conf = _join(run)
            if n == 0 and line_box:
                text = restore_from_ink(text, ink[line_box[1]:line_box[3], min(line_box[0], x0):x1],
                                              " ".join(w[1] for w in words))
            if text:
                out.append((ox + x0 * scale, oy + y0 * scale, ox + x1 * scale, oy + y1 * scale,
                            text, block0, line_no, n, round(conf, 3)))
    return out


def text_line_height(ink: np.ndarray, min_px: int = 6) -> int:
    """The median height of the page's text lines: runs of rows holding ink (a row counts
    when a few of its pixels are dark, so dust does not make a line); 0 when none."""
    heights = [b - a + 1 for a, b in true_runs(np.count_nonzero(ink, axis=1) >= 3)]
    heights = [h for h in heights if h >= min_px]
    return int(np.median(heights)) if heights else 0


def prose_factor(line_height: int, target_px: int | None) -> float:
    """How much to shrink a page so its typical text line is `target_px` high: never enlarged,
    and never below 0.6 (lines of two columns that overlap in height look like one tall line)."""
    if not target_px or line_height <= target_px:
        return 1.0
    return round(max(target_px / line_height, 0.6), 3)


def _resized(image: np.ndarray, factor: float) -> np.ndarray:
    from PIL import Image

    height, width = image.shape
    shrunk = Image.fromarray(np.ascontiguousarray(image), "L").resize(
        (max(int(width * factor), 1), max(int(height * factor), 1)), Image.BILINEAR, reducing_gap=2.0)
    return np.asarray(shrunk)


def _unscaled(box: tuple[int, int, int, int], factor: float) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    return int(x0 / factor + 0.5), int(y0 / factor + 0.5), int(x1 / factor + 0.5), int(y1 / factor + 0.5)


def _ink_box(ink: np.ndarray) -> tuple[int, int, int, int] | None:
    """The box of a cell's ink, isolated pixels (dust, JPEG noise) left out."""
    ink = _without_isolated(ink)
    if ink.sum() < 6:
        return None
    rows = np.nonzero(ink.any(axis=1))[0]
    cols = np.nonzero(ink.any(axis=0))[0]
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def _without_isolated(ink: np.ndarray) -> np.ndarray:
    """Ink pixels with at least one inked neighbour (of eight)."""
    padded = np.pad(ink, 1)
    neighbours = sum(padded[1 + dy:padded.shape[0] - 1 + dy, 1 + dx:padded.shape[1] - 1 + dx].astype(np.uint8)
                     for dy in (-1, 0, 1) for dx in (-1, 0, 1) if dy or dx)
    return ink & (neighbours > 0)


def _cell_words(cleaned: np.ndarray, ink: np.ndarray, cell_px: tuple[int, int, int, int], scale: float,
                origin, settings: OcrSettings, block: int) -> list[tuple]:
    """One grid cell recognised alone: cropped to its ink, upscaled when its text is small."""
    m = settings.cell_margin_px
    x0, y0, x1, y1 = cell_px
    x0, y0, x1, y1 = x0 + m, y0 + m, x1 - m, y1 - m
    if x1 - x0 < 6 or y1 - y0 < 6:
        return []
    found = _ink_box(ink[y0:y1, x0:x1])
    if found is None:
        return []
    ix0, iy0, ix1, iy1 = found
    if iy1 - iy0 <= 6 and ix1 - ix0 >= max(6, 2.5 * (iy1 - iy0)):
        # one short horizontal stroke: a dash (— / -), which recognisers drop as noise
        return [(origin[0] + (x0 + ix0) * scale, origin[1] + (y0 + iy0) * scale,
                 origin[0] + (x0 + ix1) * scale, origin[1] + (y0 + iy1) * scale, "—", block, 0, 0, 0.9)]
    # Exactly the ink, then a white border: more of the image would bring in the remnants
    # of rulings and the glyphs of the next row that touch them.
    cx0, cy0, cx1, cy1 = x0 + ix0, y0 + iy0, x0 + ix1, y0 + iy1
    crop = cleaned[cy0:cy1, cx0:cx1]
    # Tesseract reads small glyphs far better at ~30 px; one text line's height is the ink's
    # height unless the cell holds several lines (then each line is about a glyph high).
    factor = 1.0
    rows = ink[y0:y1, x0:x1].any(axis=1)
    line_height = _typical_run(rows)
    if 0 < line_height < settings.min_text_height_px:
        factor = min(settings.min_text_height_px / line_height, 3.0)
    if factor > 1.05:
        from PIL import Image

        image = Image.fromarray(np.ascontiguousarray(crop), "L")
        crop = np.asarray(image.resize((int(crop.shape[1] * factor), int(crop.shape[0] * factor)),
                                       Image.BICUBIC))
    # A white border helps Tesseract find the text's baseline.
    crop = np.pad(crop, 10, constant_values=255)
    out = []
    ox, oy = origin
    # One line of text (most cells): Tesseract's single-line mode, which reads short numbers
    # better; when it is unsure (or the cell holds lines that touch), the block mode is tried
    # too and the more confident reading kept.
    single = line_height >= 0.75 * (iy1 - iy0)
    readings = [_read_cell(crop, 7 if single else 6, int(settings.dpi * factor))]
    if single and _confidence(readings[0]) < settings.low_confidence:
        readings.append(_read_cell(crop, 6, int(settings.dpi * factor)))
    if single and max(map(_confidence, readings)) < settings.low_confidence:
        # Tesseract's page layout sometimes finds no text line in a clean cell; the raw-line
        # mode skips that analysis
        readings.append(_read_cell(crop, 13, int(settings.dpi * factor)))
    if not single:
        bands = text_bands(crop < 128)
        if len(readings[0]) < len(bands):
            # the block mode lost a line (`経済動向調査` of `経済動向調査／費`): each line alone
            readings.append(_read_lines_alone(crop, bands, int(settings.dpi * factor)))
    # the reading with the most characters expected right: a confident fragment (`費` for
    # `管理費`) must not beat a fuller, less certain reading
    lines = max(readings, key=_expected_right)
    if single and _covered_width(lines) < 0.6 * (crop.shape[1] - 20):
        # the reading leaves most of the ink unread (`者` for `３０者`: wide full-width digits
        # dropped): the raw-line mode too, and the fuller reading kept
        readings.append(_read_cell(crop, 13, int(settings.dpi * factor)))
        lines = max(readings, key=_expected_right)
    out = []
    ox, oy = origin
    for line_no, ((wx0, wy0, wx1, wy1), text, conf) in enumerate(lines):
        px = [(wx0 - 10) / factor + cx0, (wy0 - 10) / factor + cy0, (wx1 - 10) / factor + cx0,
              (wy1 - 10) / factor + cy0]
        # keep the box inside the cell, so the grid reader puts it in this cell only
        px[0], px[2] = max(px[0], x0), min(px[2], x1)
        px[1], px[3] = max(px[1], y0), min(px[3], y1)
        out.append((ox + px[0] * scale, oy + px[1] * scale, ox + px[2] * scale, oy + px[3] * scale,
                    text, block, line_no, 0, round(conf, 3)))
    return out


def _read_cell(crop: np.ndarray, psm: int, dpi: int) -> list[tuple]:
    """A cell's lines: (box in crop px, cleaned text, confidence), empty lines dropped."""
    lines = []
    ink = crop < 128
    for line_box, words in _recognise_lines(crop, psm, dpi):
        words = _drop_specks(words, (line_box[3] - line_box[1]) if line_box else 0)
        if not words:
            continue
        words = _reread_addresses(crop, words, dpi)
        box, text, conf = _join(words)
        if text and line_box:
            text = restore_from_ink(text, ink[line_box[1]:line_box[3], :box[2]])
        if text:
            lines.append((box, text, conf))
    return lines


def text_bands(ink: np.ndarray, min_share: float = 0.4) -> list[tuple[int, int]]:
    """(top, bottom) rows of each text line of a cell's ink: runs of inked rows, a run much
    lower than the tallest (a stray mark, a comma's tail) joined to its nearest neighbour."""
    bands = [list(run) for run in true_runs(ink.any(axis=1))]
    if not bands:
        return []
    tallest = max(b - a + 1 for a, b in bands)
    merged: list[list[int]] = []
    for band in bands:
        if merged and (band[1] - band[0] + 1 < min_share * tallest
                       or merged[-1][1] - merged[-1][0] + 1 < min_share * tallest):
            merged[-1][1] = band[1]
        else:
            merged.append(band)
    return [(a, b) for a, b in merged]


LINE_RETRY_CONFIDENCE = 0.6


def _read_line(piece: np.ndarray, dpi: int) -> list[tuple]:
    """One text line: single-line mode, then raw-line mode when unsure (the single-line mode's
    layout analysis can find no line in a clean band; the raw-line mode has none)."""
    read = _read_cell(piece, 7, dpi)
    if _confidence(read) < LINE_RETRY_CONFIDENCE:
        read = max(read, _read_cell(piece, 13, dpi), key=_expected_right)
    return read


def _read_lines_alone(crop: np.ndarray, bands: list[tuple[int, int]], dpi: int) -> list[tuple]:
    """A cell's lines, each recognised alone in single-line mode; boxes in the crop's pixels."""
    lines = []
    for top, bottom in bands:
        piece = np.pad(crop[top:bottom + 1], ((10, 10), (0, 0)), constant_values=255)
        for (x0, y0, x1, y1), text, conf in _read_line(piece, dpi):
            lines.append(((x0, y0 + top - 10, x1, y1 + top - 10), text, conf))
    return lines


def _covered_width(lines: list[tuple]) -> int:
    """Pixels of width the boxes of a reading's lines cover (the widest line)."""
    return max((box[2] - box[0] for box, _, _ in lines), default=0)


def _expected_right(lines: list[tuple]) -> float:
    """A reading's characters expected right: its characters weighted by their confidence."""
    return sum(len(t) * c for _, t, c in lines)


def _confidence(lines: list[tuple]) -> float:
    """A reading's score: its characters' mean confidence (nothing read scores 0)."""
    chars = sum(len(t) for _, t, _ in lines)
    return _expected_right(lines) / chars if chars else 0.0


def _typical_run(rows: np.ndarray) -> int:
    """The longest run of inked rows: one text line's height."""
    return max((b - a + 1 for a, b in true_runs(rows)), default=0)


def _layer_lines(text_layer: list[tuple], grid_boxes: list[tuple]) -> list[list[tuple]]:
    """The invisible layer's words outside the grids (pymupdf tuples, page points), by text
    line as it prints: the layer's own lines joined where they stand on one (its `8.` can be
    a line of its own beside `新たな需要の…`); _layer_words splits them where a wide gap opens."""
    groups: dict = {}
    for word in text_layer:
        cx, cy = (word[0] + word[2]) / 2, (word[1] + word[3]) / 2
        if not word[4].strip() or any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in grid_boxes):
            continue
        groups.setdefault((word[5], word[6]), []).append(word)
    merged: list[list[tuple]] = []
    for group in sorted(groups.values(), key=lambda g: min(w[0] for w in g)):
        top, bottom = min(w[1] for w in group), max(w[3] for w in group)
        left = min(w[0] for w in group)
        for line in merged:
            ltop, lbottom = min(w[1] for w in line), max(w[3] for w in line)
            near = left - max(w[2] for w in line) <= 1.2 * (lbottom - ltop)  # one run, as _segments joins
            if near and min(bottom, lbottom) - max(top, ltop) > 0.5 * min(bottom - top, lbottom - ltop):
                line.extend(group)
                break
        else:
            merged.append(list(group))
    return sorted((sorted(g, key=lambda w: w[0]) for g in merged), key=lambda g: (g[0][1], g[0][0]))


def _to_px(box, scale: float, origin, turn: tuple[float, float, float] = (0.0, 0.0, 0.0)
           ) -> tuple[int, int, int, int]:
    """A box in page points → pixels of the deskewed image (`turn`: its angle in degrees and
    centre; the box moves with its centre, a fraction of a degree does not change its size)."""
    ox, oy = origin
    x0, y0, x1, y1 = ((box[0] - ox) / scale, (box[1] - oy) / scale, (box[2] - ox) / scale, (box[3] - oy) / scale)
    angle, cx, cy = turn
    if angle:
        import math

        t = math.radians(angle)
        mx, my = (x0 + x1) / 2 - cx, (y0 + y1) / 2 - cy
        dx = cx + mx * math.cos(t) + my * math.sin(t) - (x0 + x1) / 2
        dy = cy - mx * math.sin(t) + my * math.cos(t) - (y0 + y1) / 2
        x0, x1, y0, y1 = x0 + dx, x1 + dx, y0 + dy, y1 + dy
    return int(x0), int(y0), int(round(x1)), int(round(y1))


def _comparable(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def layer_agreement(image: np.ndarray, lines: list[list[tuple]], scale: float, origin,
                    settings: OcrSettings, turn: tuple[float, float, float] = (0.0, 0.0, 0.0)) -> float | None:
    """How far the layer's text agrees with ours: the mean difflib ratio of its longest few
    lines against our own single-line reading of the same boxes (None: no line to compare)."""
    import difflib

    ratios = []
    longest = sorted(lines, key=lambda g: -sum(len(w[4]) for w in g))[:settings.layer_sample_lines]
    for group in longest:
        x0, y0, x1, y1 = _to_px((min(w[0] for w in group), min(w[1] for w in group),
                                 max(w[2] for w in group), max(w[3] for w in group)), scale, origin, turn)
        # the line's own box (its neighbours' glyphs above and below would be read too)
        crop = image[max(y0 - 2, 0):y1 + 2, max(x0 - 4, 0):x1 + 4]
        if crop.size == 0:
            continue
        ours = "".join(t for _, t, _ in _read_line(np.pad(crop, 10, constant_values=255), settings.dpi))
        theirs = join_cjk_spacing(" ".join(w[4] for w in group))
        ratios.append(difflib.SequenceMatcher(None, _comparable(ours), _comparable(theirs)).ratio())
    return round(sum(ratios) / len(ratios), 3) if ratios else None


def text_band(ink: np.ndarray) -> np.ndarray:
    """The rows of a box that hold its text line: the tallest run of inked rows (a layer's
    box is taller than its text and takes in the tails of the lines above and below)."""
    runs = true_runs(ink.any(axis=1))
    if not runs:
        return ink
    top, bottom = max(runs, key=lambda r: r[1] - r[0])
    return ink[top:bottom + 1]


def _layer_words(lines: list[list[tuple]], ink: np.ndarray, scale: float, origin, confidence: float,
                 turn: tuple[float, float, float] = (0.0, 0.0, 0.0)) -> list[tuple]:
    """The layer's lines as OCR word tuples: its Tesseract spacing undone, runs split where a
    wide gap opens, the usual OCR slips cleaned, numerals and ditto marks put back from the ink."""
    out = []
    ox, oy = origin
    line_no = 0
    for group in lines:
        words = [(_to_px(w[:4], scale, origin, turn), w[4], confidence) for w in group]
        height = max(int(np.median([b[3] - b[1] for b, _, _ in words])), 1)
        line_no += 1
        for n, run in enumerate(_segments(words, 1.2 * height)):
            (x0, y0, x1, y1), text, conf = _join(run)
            if n == 0:
                # from a little left of the layer's box, which can cut into the first glyph or
                # leave out a numeral the layer did not read
                left = max(x0 - int(1.5 * height), 0)
                text = restore_from_ink(text, text_band(ink[max(y0, 0):y1, left:x1]), " ".join(w[1] for w in words))
            if text:
                out.append((ox + x0 * scale, oy + y0 * scale, ox + x1 * scale, oy + y1 * scale,
                            text, 500 + group[0][5], line_no, n, round(conf, 3)))
    return out


def read_image(gray: np.ndarray, scale: float, settings: OcrSettings = OcrSettings(),
               origin: tuple[float, float] = (0.0, 0.0), layout_settings=None, page_number: int = 0,
               blank_outside_tables: bool = False, text_layer: list[tuple] | None = None) -> OcrResult:
    """Words and rulings of one grayscale image whose pixel (0, 0) is at `origin` (points) and
    whose pixels are `scale` points wide. With blank_outside_tables only the grids are read
    (a picture on a born-digital page: text around it is the page's own)."""
    from extractors.layout.model import LayoutSettings
    from extractors.layout.rulings import tables_from_ruling_segments

    layout_settings = layout_settings or LayoutSettings()
    level = settings.dark_threshold or otsu_threshold(gray)
    angle = estimate_skew(gray < level, settings)
    gray = deskew(gray, angle)
    rulings, mask = raster_rulings(gray, scale, settings, origin, level)
    erased = _dilate(mask, settings.erase_margin_px)
    cleaned = np.where(erased, 255, gray).astype(np.uint8)
    ink = cleaned < level
    words: list[tuple] = []
    ox, oy = origin
    grids = tables_from_ruling_segments(page_number, rulings, [], layout_settings, "ocr") \
        if settings.cell_ocr and _has_tesserocr() else []
    outside = cleaned.copy()
    block = 1000
    for table in grids:
        for cell in table.cells:
            px = tuple(int(round((v - o) / scale)) for v, o in zip(cell.bbox, (ox, oy, ox, oy)))
            block += 1
            words.extend(_cell_words(cleaned, ink, px, scale, origin, settings, block))
        tx0, ty0, tx1, ty1 = (int(round((v - o) / scale)) for v, o in zip(table.bbox, (ox, oy, ox, oy)))
        outside[max(ty0, 0):ty1 + 1, max(tx0, 0):tx1 + 1] = 255
    agreement, from_layer = None, False
    if not blank_outside_tables:
        layer = _layer_lines(text_layer, [t.bbox for t in grids]) if text_layer and _has_tesserocr() else []
        turn = (angle, gray.shape[1] / 2, gray.shape[0] / 2)
        if layer:
            agreement = layer_agreement(outside, layer, scale, origin, settings, turn)
            from_layer = agreement is not None and agreement >= settings.layer_agreement
        if from_layer:
            words.extend(_layer_words(layer, outside < level, scale, origin, agreement, turn))
        elif _has_tesserocr():
            words.extend(_page_words(outside, scale, origin, settings, 0, outside < level))
        else:
            words.extend(_pymupdf_words(outside, scale, origin, settings, ink))
    return OcrResult(words=words, rulings=rulings, engine=engine_name(), skew_deg=angle,
                     layer_agreement=agreement, prose_from_layer=from_layer)


def _pymupdf_words(image: np.ndarray, scale: float, origin, settings: OcrSettings, ink) -> list[tuple]:
    """The fallback recogniser: pymupdf's Tesseract binding on the whole image (no confidence)."""
    import pymupdf

    height, width = image.shape
    pixmap = pymupdf.Pixmap(pymupdf.csGRAY, width, height, np.ascontiguousarray(image).tobytes(), False)
    scratch = pymupdf.open()
    ox, oy = origin
    try:
        sheet = scratch.new_page(width=width * scale, height=height * scale)
        sheet.insert_image(sheet.rect, pixmap=pixmap)
        textpage = sheet.get_textpage_ocr(language=settings.language, dpi=settings.dpi, full=True,
                                          tessdata=tessdata_dir())
        raw = sheet.get_text("words", textpage=textpage, sort=True)
    finally:
        scratch.close()
    words = []
    for x0, y0, x1, y1, text, block, line, number in raw:
        text = clean_ocr_word(text)
        if text:
            x0, y0, x1, y1 = tight_bbox((x0, y0, x1, y1), ink, scale)
            words.append((ox + x0, oy + y0, ox + x1, oy + y1, text, block, line, number, None))
    return words


def render_gray(page, dpi: int, clip=None) -> np.ndarray:
    import pymupdf

    pixmap = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False, clip=clip)
    return np.frombuffer(pixmap.samples, dtype=np.uint8).reshape(pixmap.height, pixmap.stride)[:, :pixmap.width]


def read_page(page, settings: OcrSettings = OcrSettings(), layout_settings=None, page_number: int = 0,
              clip=None, grids_only: bool = False, text_layer: list[tuple] | None = None) -> OcrResult:
    """OCR of a pymupdf page (or of the `clip` rectangle of it, e.g. a picture), in page points.

    The page is rendered as it prints: an invisible text layer (render mode 3) does not
    show, and the glyphs of a garbled layer are read for what they look like."""
    if tessdata_dir() is None:
        raise RuntimeError(INSTALL_HINT)
    import pymupdf

    rect = pymupdf.Rect(clip) if clip is not None else page.rect
    gray = render_gray(page, settings.dpi, rect)
    scale = rect.width / gray.shape[1]
    return read_image(gray, scale, settings, (rect.x0, rect.y0), layout_settings, page_number,
                      blank_outside_tables=grids_only, text_layer=text_layer)


def ocr_words(page, settings: OcrSettings = OcrSettings()) -> tuple[list[tuple], list[Ruling]]:
    """Words (pymupdf word tuples plus a confidence) and rulings of a page without a text layer."""
    result = read_page(page, settings)
    return result.words, result.rulings
