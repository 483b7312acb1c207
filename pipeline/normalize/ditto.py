"""Ditto marks (〃, ″, ", 同上) resolved from the cell above.

A ditto with a suffix replaces the matching part of the cell above: a
bracketed suffix replaces the trailing bracketed group
(``〃 (BtoC)`` under ``需要開拓支援(BtoB)`` → ``需要開拓支援(BtoC)``); any other
suffix is appended.
"""

from __future__ import annotations

import re

from pipeline.normalize.text import normalize_text

# NFKC turns ″ (U+2033) into ′′ and ＂ into "; the typographic quotes stay.
# A quote counts only alone or before a space/bracket, so '"ABC"' is not one.
_DITTO = re.compile(
    r'^(?:(?:〃|同上)+|(?:″|′′|"|“|”)(?=\s|[(（\[]|$))\s*(?P<suffix>.*)$', re.DOTALL
)
_TRAILING_GROUP = re.compile(r"\s*[(（\[［【][^()（）\[\]［］【】]*[)）\]］】]\s*$")
_LEADING_GROUP = re.compile(r"^[(（\[［【]")


def is_ditto(s: str) -> bool:
    """True when the cell repeats the one above, with or without a suffix.

    >>> [is_ditto(x) for x in ["〃", "″", '"', "同上", "〃 (BtoC)", "＂", "需要開拓", ""]]
    [True, True, True, True, True, True, False, False]
    """
    return isinstance(s, str) and _DITTO.match(normalize_text(s)) is not None


def resolve_ditto(cell: str, above: str) -> str:
    """The cell with its ditto mark replaced by the (resolved) cell above.

    >>> resolve_ditto("〃 (BtoC)", "需要開拓支援(BtoB)")
    '需要開拓支援(BtoC)'
    >>> resolve_ditto("〃", "専門家派遣"), resolve_ditto("セミナー", "専門家派遣")
    ('専門家派遣', 'セミナー')
    >>> resolve_ditto("同上 2回目", "セミナー")
    'セミナー 2回目'
    """
    if not isinstance(cell, str):
        return ""
    m = _DITTO.match(normalize_text(cell))
    if m is None:
        return cell
    base = normalize_text(above) if isinstance(above, str) else ""
    suffix = m["suffix"].strip()
    if not suffix:
        return base
    if _LEADING_GROUP.match(suffix) and _TRAILING_GROUP.search(base):
        return _TRAILING_GROUP.sub("", base) + suffix
    return f"{base} {suffix}".strip()


def fill_down_dittos(values: list[str]) -> list[str]:
    """Resolve every ditto in a column from the resolved value above it.

    >>> fill_down_dittos(["需要開拓支援(BtoB)", "〃 (BtoC)", "〃", "管理費"])
    ['需要開拓支援(BtoB)', '需要開拓支援(BtoC)', '需要開拓支援(BtoC)', '管理費']
    """
    out: list[str] = []
    for value in values:
        out.append(resolve_ditto(value, out[-1]) if out else value)
    return out
