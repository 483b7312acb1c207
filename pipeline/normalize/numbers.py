"""Numbers with units, signs, approximations, ranges and null markers.

``parse_quantity`` reads one table cell. It never guesses: a cell without a
readable number gives ``value=None`` and keeps the word (維持, 未定 …) in
``null_word``; a dash-like cell gives ``value=None`` and no word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.normalize.text import circled_to_int, clean_label, kanji_to_int

# After NFKC: "－" is "-"; the others survive NFKC unchanged.
_NULL_CHARS = set("-‐‑‒–—―−﹣─━ー ｰ…・/")
_APPROX_PREFIX = re.compile(r"^(?:約|およそ|概ね|おおむね|大体|ほぼ)\s*")
_APPROX_SUFFIX = re.compile(r"\s*(?:程度|前後|ほど|位|くらい|ぐらい)$")
_BOUND_SUFFIX = re.compile(r"\s*(?:以上|以下|未満|超)$")
_NEGATIVE = "△▲−‐﹣\\-"
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_RANGE_MARK = r"[～〜~\-]|から"
_QUANTITY = re.compile(
    rf"(?P<sign>[{_NEGATIVE}+])?\s*(?P<num>{_NUMBER})"
    rf"(?:\s*(?:{_RANGE_MARK})\s*(?P<upper>{_NUMBER}))?"
    r"\s*(?P<unit>[^\s\d()（）\[\]「」、。,;:\-～〜~]*)"
)
# Counters after which a kanji numeral is a count (so 一般 is not "1 般").
_KANJI_COUNTERS = (
    "回", "人", "名", "者", "件", "社", "店", "部", "講座", "箇所", "か所", "ヶ所",
    "カ所", "本", "校", "団体", "事業者", "日", "か月", "ヶ月", "倍", "割", "%",
)
_KANJI_QUANTITY = re.compile(
    r"(?P<num>[〇一二三四五六七八九十百千万]+)(?P<unit>" + "|".join(map(re.escape, _KANJI_COUNTERS)) + r")?$"
)
# Frequency prefixes ("年3回", "月1回") become a per-period unit "回/年".
_PER_PREFIX = re.compile(r"^(?:毎)?(?P<per>年|月|週|日)(?:間)?$")

# "1万5千円", "1億2,000万円": a larger multiplier followed by more digits.
_MULTIPLIERS = {"億": 1e8, "万": 1e4, "千": 1e3}
_COMPOUND = re.compile(
    rf"(?P<sign>[{_NEGATIVE}])?\s*(?P<n1>{_NUMBER})\s*(?P<m1>億|万)(?P<n2>{_NUMBER})\s*(?P<m2>万|千)?"
    r"\s*(?P<unit>[^\s\d()（）\[\]「」、。,;:\-～〜~]*)"
)
_CIRCLED = re.compile("[\u2460-\u2473\u3251-\u325f\u32b1-\u32bf\u2474-\u249b\u24ea]")

_YEN_FACTORS = {
    "円": 1, "千円": 1e3, "万円": 1e4, "十万円": 1e5, "百万円": 1e6,
    "千万円": 1e7, "億円": 1e8,
}


@dataclass(frozen=True)
class Quantity:
    value: float | None
    unit: str | None
    raw: str
    approximate: bool = False
    null_word: str | None = None
    upper: float | None = None


def is_null_marker(s: str) -> bool:
    """True for empty cells and cells holding only dashes or similar marks.

    >>> [is_null_marker(x) for x in ["", "-", "—", "－", "―", "‐", " ー ", "ー ー"]]
    [True, True, True, True, True, True, True, True]
    >>> is_null_marker("維持"), is_null_marker("データー"), is_null_marker("-5")
    (False, False, False)
    """
    if not isinstance(s, str):
        return True
    t = clean_label(s)
    return all(ch in _NULL_CHARS for ch in t)


def _to_float(token: str | None) -> float | None:
    return float(token.replace(",", "")) if token else None


def parse_quantity(s: str) -> Quantity:
    """Read one cell as value + unit.

    >>> parse_quantity("1 2回")
    Quantity(value=12.0, unit='回', raw='1 2回', approximate=False, null_word=None, upper=None)
    >>> q = parse_quantity("約6,000人"); (q.value, q.unit, q.approximate)
    (6000.0, '人', True)
    >>> [parse_quantity(x).value for x in ["１２３，３３０", "△5", "▲5", "—", "五回"]]
    [123330.0, -5.0, -5.0, None, 5.0]
    >>> q = parse_quantity("3～5回"); (q.value, q.upper, q.unit)
    (3.0, 5.0, '回')
    >>> q = parse_quantity("維持"); (q.value, q.null_word)
    (None, '維持')
    >>> [(parse_quantity(x).value, parse_quantity(x).unit) for x in ["1万5千円", "1億2,000万円", "①"]]
    [(15000.0, '円'), (120000000.0, '円'), (1.0, None)]
    """
    if not isinstance(s, str):
        s = ""
    if is_null_marker(s):
        return Quantity(None, None, s)
    t = clean_label(s)
    approximate = bool(_APPROX_PREFIX.search(t) or _APPROX_SUFFIX.search(t))
    core = _BOUND_SUFFIX.sub("", _APPROX_SUFFIX.sub("", _APPROX_PREFIX.sub("", t)))
    # Where a number is expected, ① reads as 1.
    core = _CIRCLED.sub(lambda m: str(circled_to_int(m.group())), core)
    found = _compound_quantity(core) or _digit_quantity(core) or _kanji_quantity(core)
    if found is None:
        return Quantity(None, None, s, approximate, null_word=t)
    value, unit, upper = found
    return Quantity(value, unit, s, approximate, None, upper)


def _compound_quantity(t: str) -> tuple[float, str | None, None] | None:
    m = _COMPOUND.search(t)
    if m is None or m.start() != (_QUANTITY.search(t) or m).start():
        return None  # only when the compound is the cell's first number
    m2 = _MULTIPLIERS[m["m2"]] if m["m2"] else 1.0
    value = _to_float(m["n1"]) * _MULTIPLIERS[m["m1"]] + _to_float(m["n2"]) * m2
    if m["m2"] and m2 >= _MULTIPLIERS[m["m1"]]:
        return None  # "1万2万": not a compound
    if m["sign"] and m["sign"] != "+":
        value = -value
    return value, _BOUND_SUFFIX.sub("", m["unit"]) or None, None


def _digit_quantity(t: str) -> tuple[float, str | None, float | None] | None:
    m = _QUANTITY.search(t)
    if m is None:
        return None
    prefix = t[: m.start()].strip()
    value = _to_float(m["num"])
    upper = _to_float(m["upper"])
    if m["sign"] and m["sign"] != "+":
        value = -value
    unit = _BOUND_SUFFIX.sub("", m["unit"]) or None
    per = _PER_PREFIX.match(prefix)
    if per and unit:
        unit = f"{unit}/{per['per']}"
    return value, unit, upper


def _kanji_quantity(t: str) -> tuple[float, str | None, None] | None:
    m = _KANJI_QUANTITY.search(t)
    if m is None or (m.start() > 0 and not _PER_PREFIX.match(t[: m.start()])):
        return None
    value = kanji_to_int(m["num"])
    if value is None:
        return None
    return float(value), m["unit"], None


_TABLE_UNIT = re.compile(r"単位\s*[:：]?\s*(?P<unit>[^\s)）\]】、,]+)")


def table_unit(s: str) -> str | None:
    """The unit a table header or caption declares (``単位：千円``).

    >>> table_unit("（単位：千円）"), table_unit("年間販売額単位：百万円"), table_unit("令和5年度")
    ('千円', '百万円', None)
    """
    m = _TABLE_UNIT.search(clean_label(s)) if isinstance(s, str) else None
    return m["unit"] if m else None


def yen_factor(unit: str | None) -> float | None:
    """Yen per one ``unit`` (千円 → 1000), None for a non-yen unit.

    >>> yen_factor("千円"), yen_factor("万円"), yen_factor("人")
    (1000.0, 10000.0, None)
    """
    factor = _YEN_FACTORS.get(unit) if isinstance(unit, str) else None
    return float(factor) if factor is not None else None


def to_yen(q: Quantity) -> float | None:
    """The amount in yen when the unit is a yen unit, else None.

    >>> to_yen(parse_quantity("15万円")), to_yen(parse_quantity("81,130千円")), to_yen(parse_quantity("5人"))
    (150000.0, 81130000.0, None)
    """
    factor = yen_factor(q.unit)
    return None if q.value is None or factor is None else q.value * factor
