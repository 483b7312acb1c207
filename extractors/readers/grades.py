"""Achievement grades (S/A/B/C) of progress sheets: the legend's thresholds and the check.

legend text rows → GradeScale → grade_computed per row → grade_mismatch findings.

Edge rule: the legend's bands share their edges (`90~120%`, `50~90%`, `~50%`), so a
ratio exactly on an edge belongs to the LOWER band — a band is (lower, upper]. This is
how the documents grade: an actual of exactly 50 % of the target is graded C, not B.
So exactly 90 % is B, exactly 120 % is A; anything above 120 % is S. The ratio is not
rounded first (89.5 % is B).

A legend that says which side an edge belongs to (`120%以上`, `90%以上120%未満`,
`50%未満`, `100%超`, `50%以下`) is followed as written.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.normalize.text import normalize_text
from schemas.records import Finding


@dataclass(frozen=True)
class GradeBand:
    grade: str
    lower: float | None  # percent; None = open below
    upper: float | None  # percent; None = open above
    lower_inclusive: bool = False  # shared edges go to the lower band unless the legend says 以上
    upper_inclusive: bool = True

    def contains(self, percent: float) -> bool:
        above = self.lower is None or percent > self.lower or (self.lower_inclusive and percent == self.lower)
        below = self.upper is None or percent < self.upper or (self.upper_inclusive and percent == self.upper)
        return above and below


@dataclass(frozen=True)
class GradeScale:
    bands: tuple[GradeBand, ...]
    source: str = "default"  # "legend" when read from the document

    @property
    def grades(self) -> frozenset[str]:
        return frozenset(band.grade for band in self.bands)

    def grade(self, percent: float) -> str | None:
        return next((band.grade for band in self.bands if band.contains(percent)), None)


DEFAULT_SCALE = GradeScale(bands=(
    GradeBand("S", 120.0, None),
    GradeBand("A", 90.0, 120.0),
    GradeBand("B", 50.0, 90.0),
    GradeBand("C", None, 50.0),
))

# A legend line: a grade letter, then a description holding a percent range such as
# `(120%~)`, `(90~120%)`, `(~50%)`; the range marks are the ones normalize_text keeps.
_LEGEND_LINE = re.compile(
    r"^\s*(?P<grade>[A-Z])\s*[:：]?\s*[^\d~～〜]*?"
    r"(?P<range>(?:(?P<lower>\d+(?:\.\d+)?)\s*%?)?\s*[~～〜]\s*(?:(?P<upper>\d+(?:\.\d+)?)\s*)?%?)")


# `S 達成率120%以上`, `A 90%以上120%未満`, `C 50%未満`: bounds with the side they include.
_GRADE_AT_START = re.compile(r"^\s*(?P<grade>[A-Z])(?![A-Za-z])")
_WORDED_BOUND = re.compile(r"(?P<value>\d+(?:\.\d+)?)\s*%\s*(?P<word>以上|超|以下|未満)")


def _worded_band(text: str) -> GradeBand | None:
    grade = _GRADE_AT_START.match(text)
    bounds = list(_WORDED_BOUND.finditer(text))
    if not grade or not bounds:
        return None
    lower = upper = None
    lower_inclusive, upper_inclusive = False, True
    for bound in bounds:
        value, word = float(bound.group("value")), bound.group("word")
        if word in ("以上", "超"):
            lower, lower_inclusive = value, word == "以上"
        else:
            upper, upper_inclusive = value, word == "以下"
    return GradeBand(grade.group("grade"), lower, upper, lower_inclusive, upper_inclusive)


def parse_legend_line(text: str) -> GradeBand | None:
    worded = _worded_band(normalize_text(text))
    if worded:
        return worded
    match = _LEGEND_LINE.match(normalize_text(text))
    if not match or "%" not in match.group("range") or not (match.group("lower") or match.group("upper")):
        return None
    lower = float(match.group("lower")) if match.group("lower") else None
    upper = float(match.group("upper")) if match.group("upper") else None
    return GradeBand(match.group("grade"), lower, upper)


def read_legend(lines: Iterable[str], default: GradeScale = DEFAULT_SCALE) -> GradeScale:
    """The grade bands of the legend found among `lines` (row texts), else `default`."""
    bands: dict[str, GradeBand] = {}
    for line in lines:
        band = parse_legend_line(line)
        if band and band.grade not in bands:
            bands[band.grade] = band
    if len(bands) < 2:
        return default
    ordered = sorted(bands.values(), key=lambda b: b.lower if b.lower is not None else float("-inf"),
                     reverse=True)
    return GradeScale(bands=tuple(ordered), source="legend")


def achievement_percent(target: float | None, actual: float | None) -> float | None:
    """actual / target in percent; None without both numbers or with a non-positive target."""
    if target is None or actual is None or target <= 0:
        return None
    return actual / target * 100.0


def compute_grade(target: float | None, actual: float | None,
                  scale: GradeScale = DEFAULT_SCALE) -> str | None:
    percent = achievement_percent(target, actual)
    return None if percent is None else scale.grade(percent)


def grade_mismatch(label: str, fiscal_year: int | None, target: float | None,
                   actual: float | None, written: str | None, computed: str | None,
                   location: str | None) -> Finding | None:
    """A `grade_mismatch` finding when the written grade differs from the computed one."""
    if not written or not computed or written == computed:
        return None
    percent = achievement_percent(target, actual)
    return Finding(
        severity="warning", code="grade_mismatch", location=location,
        message=(f"{label} {fiscal_year}年度: 評価 {written} だが 実績/目標 = "
                 f"{actual:g}/{target:g} = {percent:.1f}% → {computed}"))
