"""Text normalisation for Japanese plan documents.

Plain NFKC is almost right for these documents: it turns full-width digits,
Latin letters and punctuation into ASCII. It also destroys a few characters
that carry meaning here (circled list markers, Roman part numbers, the
full-width wave dash used for ranges, square-metre signs), so those are kept
out of NFKC and everything else goes through it.

All functions are pure, never raise on a ``str`` and are idempotent.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pipeline.normalize.lookalikes import EQUIVALENT_UNIFIED_IDEOGRAPH

# Characters NFKC would rewrite into something that loses meaning:
# ①-⑳ and ㉑-㊿ (list markers), ⑴-⒇ and ⒈-⒛ (list markers), Ⅰ-Ⅻ / ⅰ-ⅻ
# (part numbers of older plans), ～ (U+FF5E range mark, NFKC makes it "~"),
# ㎡ ㎥ (NFKC makes "m2", which a number parser would read as a digit).
_PROTECTED = re.compile(
    "[\u2460-\u2473\u3251-\u325f\u32b1-\u32bf\u2474-\u249b"
    "\u2160-\u216b\u2170-\u217b\uff5e\u33a1\u33a5]"
)
# Invisible characters that PDFs scatter inside words; removed before NFKC so
# that NFKC composes what they separated (keeps the result idempotent).
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad]")
_WHITESPACE = re.compile(r"\s+")

_DIGIT = "0-9\uff10-\uff19"
_ALNUM = "0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"
_SPACE = "[ \u3000]"
_SPACE_RE = re.compile(_SPACE)
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヵヶ"

# A run of single letters/digits separated by single spaces: "1 2", "R 1 0",
# "P D C A". Each element must stand alone (no alphanumeric neighbour), which
# is what keeps "20 30" and "20人 30人" apart.
_SPACED_SINGLES = re.compile(
    rf"(?<![{_ALNUM}])[{_ALNUM}](?:{_SPACE}[{_ALNUM}](?![{_ALNUM}]))+"
)
# A number followed by its counter or unit: "1 回", "373 番地", "5 %".
_DIGIT_SPACE_UNIT = re.compile(rf"(?<=[{_DIGIT}]){_SPACE}+(?=[{_CJK}%％])")
# Words that prefix a number of their own: eras, ordinals, "約", address
# parts ("番地の 1", "1 丁目 11"), signs and the postal mark.
_PREFIX_SPACE_DIGIT = re.compile(
    rf"(?:(?<=令和|平成|昭和|大正|明治|丁目|番地)|(?<=[第約の〒△▲])){_SPACE}+(?=[{_DIGIT}])"
)
# Inside a date only: "年 4 月", "月 1 日".
_DATE_PART_SPACE = re.compile(
    rf"(?<=[年月]){_SPACE}+(?=[{_DIGIT}]+{_SPACE}*[月日])"
)

_CIRCLED_RANGES = (
    (0x2460, 0x2473, 1),  # ①-⑳
    (0x3251, 0x325F, 21),  # ㉑-㉟
    (0x32B1, 0x32BF, 36),  # ㊱-㊿
    (0x2474, 0x2487, 1),  # ⑴-⒇
    (0x2488, 0x249B, 1),  # ⒈-⒛
    (0x24EA, 0x24EA, 0),  # ⓪
)
_ROMAN_RANGES = ((0x2160, 0x216B, 1), (0x2170, 0x217B, 1))

_KANJI_DIGITS = {
    "〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
_KANJI_NUMERAL = re.compile("[〇零一二三四五六七八九十百千万]+")


# Settings hold their patterns as text: `compiled(pattern)` compiles each one once
# (a cached lookup several times cheaper than re's own, paid per call in hot loops).
compiled = lru_cache(maxsize=None)(re.compile)


def _nfkc_keeping_markers(s: str) -> str:
    parts: list[str] = []
    last = 0
    for m in _PROTECTED.finditer(s):
        parts.append(unicodedata.normalize("NFKC", s[last:m.start()]))
        parts.append(m.group())
        last = m.end()
    parts.append(unicodedata.normalize("NFKC", s[last:]))
    return "".join(parts)


def normalize_text(s: str) -> str:
    """NFKC for digits, Latin and punctuation; keep markers; collapse spaces.

    >>> normalize_text("令和５年度　１２３，３３０")
    '令和5年度 123,330'
    >>> normalize_text("①ＰＤＣＡ～Ⅲ")
    '①PDCA～Ⅲ'
    >>> normalize_text("△５ ▲３ 〜 ー")
    '△5 ▲3 〜 ー'
    >>> normalize_text("㈱ＡＢＣ\\n  ＴＥＬ：")
    '(株)ABC TEL:'
    """
    if not isinstance(s, str):
        return ""
    return _normalize_cached(s)


# Radicals and strokes that print like an ideograph (⻑ → 長, ⻘ → 青, ⽀ → 支): NFKC folds the
# Kangxi block only; the table comes from the UCD (lookalikes.py, generated).
LOOKALIKES = dict(EQUIVALENT_UNIFIED_IDEOGRAPH)
# Hyphens some fonts' ToUnicode maps the hyphen glyph to (NFKC makes U+2011 U+2010 and stops):
# `0241‑11‑2233`, `info@minamimori‑sci.example.jp` are read with the ASCII hyphen.
LOOKALIKES.update({0x2010: "-", 0x2011: "-"})
# A soft hyphen between digits was printed (a text layer holds only what was drawn).
_SOFT_HYPHEN_IN_NUMBER = re.compile("(?<=[0-9\uff10-\uff19])\u00ad(?=[0-9\uff10-\uff19])")
# Combining overlays (U+0334-U+0338) that no character composes with stand for a dash:
# text layers print `—` as a lone U+0336 over the empty cell.
_OVERLAY = re.compile("[\u0334-\u0338]+")
DASH = "\u2014"


@lru_cache(maxsize=65536)
def _normalize_cached(s: str) -> str:
    # Labels, cells and words recur thousands of times per document: normalise each once.
    s = _INVISIBLE.sub("", _SOFT_HYPHEN_IN_NUMBER.sub("-", s)).translate(LOOKALIKES)
    s = _nfkc_keeping_markers(s)
    s = _OVERLAY.sub(DASH, s)
    return _WHITESPACE.sub(" ", s).strip()


def _collapse_once(s: str) -> str:
    s = _SPACED_SINGLES.sub(lambda m: _SPACE_RE.sub("", m.group()), s)
    s = _DIGIT_SPACE_UNIT.sub("", s)
    s = _PREFIX_SPACE_DIGIT.sub("", s)
    return _DATE_PART_SPACE.sub("", s)


def collapse_spaced_digits(s: str) -> str:
    """Remove spaces a PDF put inside one number, year or acronym.

    Apply it to one cell or token, not to a whole table row.

    >>> collapse_spaced_digits("1 2回")
    '12回'
    >>> collapse_spaced_digits("R 1 0 年度")
    'R10年度'
    >>> collapse_spaced_digits("3 7 3 番地の 1")
    '373番地の1'
    >>> collapse_spaced_digits("P D C A")
    'PDCA'
    >>> collapse_spaced_digits("20人 30人")
    '20人 30人'
    >>> collapse_spaced_digits("令和 2 年 4 月 1 日")
    '令和2年4月1日'
    """
    if not isinstance(s, str):
        return ""
    if " " not in s and "\u3000" not in s:
        return s  # every rule removes a space: without one there is nothing to do
    # Each rule only removes spaces, so iterating reaches a fixpoint quickly;
    # iterating makes the function idempotent by construction.
    return until_stable(_collapse_once, s, len(s) + 1)


def until_stable(step, s: str, max_rounds: int) -> str:
    """Apply `step` until the text stops changing (at most `max_rounds` times): a
    normaliser built this way is idempotent by construction."""
    for _ in range(max_rounds):
        again = step(s)
        if again == s:
            break
        s = again
    return s


_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")
_LATIN_START = re.compile(r"[A-Za-z0-9]")
_LATIN_END = re.compile(r"[A-Za-z0-9]$")


def _join_lines(s: str) -> str:
    lines = [line.strip() for line in _LINE_BREAKS.split(s)]
    out = ""
    for line in (x for x in lines if x):
        # Japanese wraps without spaces; keep one between two Latin words.
        needs_space = out and _LATIN_START.match(line[:1]) and _LATIN_END.search(out)
        out += (" " if needs_space else "") + line
    return out


def clean_label(s: str) -> str:
    """Normalise a row label or metric: one line, NFKC, spaced digits joined.

    >>> clean_label("①経営分析\\n事業者数")
    '①経営分析事業者数'
    >>> clean_label("セミナー開催\\n回数（１ 2回）")
    'セミナー開催回数(12回)'
    """
    if not isinstance(s, str):
        return ""
    return _clean_label_cached(s)


@lru_cache(maxsize=65536)
def _clean_label_cached(s: str) -> str:
    # The same cell text is cleaned by detection, headers and rows: clean it once.
    # normalize_text first: NFKC can turn exotic line separators into "\n".
    text = _nfkc_keeping_markers(_INVISIBLE.sub("", s))
    out = collapse_spaced_digits(normalize_text(_join_lines(text)))
    # Joining can create new NFKC or spacing opportunities; settle them.
    for _ in range(4):
        again = collapse_spaced_digits(normalize_text(out))
        if again == out:
            break
        out = again
    return out


def compact_text(s: str) -> str:
    """normalize_text without any space: the form labels and header cells are compared in
    (PDF layout puts spaces inside words: `令 和 ６ 年 度`, `現　行`).

    >>> compact_text("令 和 ６ 年 度"), compact_text(None)
    ('令和6年度', '')
    """
    return normalize_text(s).replace(" ", "")  # normalize_text leaves single spaces only


def circled_to_int(ch: str) -> int | None:
    """Value of a circled or parenthesised number, else None.

    >>> circled_to_int("①"), circled_to_int("⑳"), circled_to_int("⑴"), circled_to_int("1")
    (1, 20, 1, None)
    """
    return _char_in_ranges(ch, _CIRCLED_RANGES)


def roman_to_int(ch: str) -> int | None:
    """Value of a single Roman-numeral character (Ⅰ…Ⅻ, ⅰ…ⅻ), else None.

    >>> roman_to_int("Ⅲ"), roman_to_int("ⅳ"), roman_to_int("I")
    (3, 4, None)
    """
    return _char_in_ranges(ch, _ROMAN_RANGES)


_LATIN_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def roman_value(s: str) -> int | None:
    """Value of a Roman part number written as one character (Ⅲ) or in Latin letters (III), else None.

    >>> roman_value("Ⅲ"), roman_value("III"), roman_value("IX"), roman_value("IIII")
    (3, 3, 9, None)
    """
    if isinstance(s, str) and s in _LATIN_ROMAN:
        return _LATIN_ROMAN.index(s) + 1
    return roman_to_int(s)


def _char_in_ranges(ch: str, ranges: tuple[tuple[int, int, int], ...]) -> int | None:
    if not isinstance(ch, str):
        return None
    ch = ch.strip()
    if len(ch) != 1:
        return None
    code = ord(ch)
    for lo, hi, first in ranges:
        if lo <= code <= hi:
            return first + code - lo
    return None


def kanji_to_int(s: str) -> int | None:
    """Read a kanji numeral: positional (三十一, 百二十) or digit-wise (二〇二三).

    >>> kanji_to_int("五"), kanji_to_int("三十一"), kanji_to_int("二〇二三"), kanji_to_int("一万二千")
    (5, 31, 2023, 12000)
    >>> kanji_to_int("一般") is None
    True
    """
    if not isinstance(s, str) or not s or not _KANJI_NUMERAL.fullmatch(s):
        return None
    if "万" in s:
        high, _, low = s.partition("万")
        high_value = kanji_to_int(high) if high else 1
        low_value = kanji_to_int(low) if low else 0
        if high_value is None or low_value is None:
            return None
        return high_value * 10000 + low_value
    if not any(ch in _KANJI_UNITS for ch in s):
        return int("".join(str(_KANJI_DIGITS[ch]) for ch in s))
    return _positional_kanji(s)


def _positional_kanji(s: str) -> int | None:
    total, digit = 0, None
    last_unit = 10**6
    for ch in s:
        if ch in _KANJI_DIGITS:
            if digit is not None:
                return None  # two digits in a row inside a positional numeral
            digit = _KANJI_DIGITS[ch]
        else:
            unit = _KANJI_UNITS[ch]
            if unit >= last_unit:
                return None  # 十百, 十十: not a numeral
            total += (1 if digit is None else digit) * unit
            last_unit, digit = unit, None
    return total + (digit or 0)
