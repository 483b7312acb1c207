"""Japanese era years (和暦), fiscal years, dates and periods.

Era rule used throughout: a date in an era's own years must lie inside the
era (平成31年5月1日 and 令和元年4月30日 are rejected by ``parse_date`` and
reported by ``check_date``). A year number *beyond* an era's last year
(平成32年, 平成33年3月31日) can only have been written before the era
changed, as a forward reference, so it is converted arithmetically and
reported by ``check_date`` instead of being dropped.

All parsers are pure and never raise on a ``str``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from pipeline.normalize.text import collapse_spaced_digits, compact_text, kanji_to_int, normalize_text


@dataclass(frozen=True)
class Era:
    name: str
    letter: str
    start: date
    end: date | None  # last day; None for the current era

    @property
    def offset(self) -> int:
        return self.start.year - 1


ERAS: tuple[Era, ...] = (
    Era("明治", "M", date(1868, 10, 23), date(1912, 7, 29)),
    Era("大正", "T", date(1912, 7, 30), date(1926, 12, 24)),
    Era("昭和", "S", date(1926, 12, 25), date(1989, 1, 7)),
    Era("平成", "H", date(1989, 1, 8), date(2019, 4, 30)),
    Era("令和", "R", date(2019, 5, 1), None),
)
_BY_NAME = {e.name: e for e in ERAS} | {e.letter: e for e in ERAS}

_MIN_YEAR, _MAX_YEAR = 1868, 2200
_KANJI_NUM = "[〇一二三四五六七八九十百]+"
# Era + year number. The letter forms need a boundary so that "5M" or
# "ABC10" are not read as eras; the year must not run into more digits.
# Era names and letters come from ERAS only (newest first: no name is a prefix of another anyway).
_ERA_ALTERNATIVES = ("|".join(e.name for e in reversed(ERAS))
                     + "|(?<![A-Za-z])[" + "".join(e.letter for e in reversed(ERAS)) + "](?![a-z])")
_ERA = rf"(?P<era>{_ERA_ALTERNATIVES})"
_ERA_NUM = rf"(?P<num>元|\d{{1,2}}(?!\d)|{_KANJI_NUM})"
_ERA_YEAR = re.compile(rf"{_ERA}\.?\s*{_ERA_NUM}\s*(?P<suffix>年度|年)?")
_WEST_YEAR = re.compile(r"(?<!\d)(?P<year>\d{4})\s*(?P<suffix>年度|年)")
_BARE_WEST = re.compile(r"[(\[]?(?P<year>\d{4})[)\]]?")
_BARE_FISCAL = re.compile(r"(?<![\d.])(?P<num>\d{1,2}|元)\s*年度")
_NUMERAL = rf"(?:\d{{1,2}}|{_KANJI_NUM})"

# Dates. Era or western year, then month and optional day, in 年月日 or
# separator form ("2023/04/01", "R5.4.1"). The year part is optional so that
# the end of "令和5年4月1日～8年3月31日" can borrow the start's era.
_DATE = re.compile(
    rf"(?:{_ERA}\.?\s*)?"
    rf"(?P<year>元|\d{{1,4}}|{_KANJI_NUM})"
    rf"(?:\s*年\s*(?P<m1>{_NUMERAL})\s*月(?:\s*(?P<d1>{_NUMERAL})\s*日)?"
    rf"|\s*(?P<sep>[/.\-])\s*(?P<m2>\d{{1,2}})(?:\s*(?P=sep)\s*(?P<d2>\d{{1,2}}))?(?!\d))"
)
_FISCAL = re.compile(rf"(?:{_ERA}\.?\s*{_ERA_NUM}|(?<!\d)(?P<west>\d{{4}}))\s*年度")


def _clean(s: str) -> str:
    return collapse_spaced_digits(normalize_text(s)) if isinstance(s, str) else ""


def _number(token: str | None) -> int | None:
    if not token:
        return None
    if token == "元":
        return 1
    if token.isdigit():
        return int(token)
    return kanji_to_int(token)


def _era_to_western(era: str, num: str | None) -> int | None:
    n = _number(num)
    if n is None or n < 1 or n > 99:
        return None
    return _BY_NAME[era].offset + n


def _western_ok(year: int | None) -> int | None:
    return year if year is not None and _MIN_YEAR <= year <= _MAX_YEAR else None


def parse_year(s: str) -> int | None:
    """Western year of the first era year, western year or bare year header.

    >>> [parse_year(x) for x in ["令和5年", "R5", "R.5", "Ｒ５", "令和元年", "平成31年"]]
    [2023, 2023, 2023, 2023, 2019, 2019]
    >>> [parse_year(x) for x in ["2023年", "令和五年", "H 3 1", "2023/04/01", "平成32年"]]
    [2023, 2023, 2019, 2023, 2020]
    >>> parse_year("20人") is None and parse_year("123,330") is None
    True
    """
    t = _clean(s)
    found = _first_year(t)
    if found is not None:
        return found
    bare = _BARE_WEST.fullmatch(t)
    return _western_ok(int(bare["year"])) if bare else None


def _first_year(t: str) -> int | None:
    candidates = []
    for m in _ERA_YEAR.finditer(t):
        year = _era_to_western(m["era"], m["num"])
        if year is not None:
            candidates.append((m.start(), year))
            break
    for m in _WEST_YEAR.finditer(t):
        if _western_ok(int(m["year"])):
            candidates.append((m.start(), int(m["year"])))
            break
    d = _first_date_match(t)
    if d is not None:
        candidates.append(d[:2])
    return min(candidates)[1] if candidates else None


def parse_fiscal_year(s: str, era: str | None = None) -> int | None:
    """Western fiscal year (April start) of a 年度 or a year/date header.

    A full date maps to the fiscal year it falls in. ``era`` (令和, R …) reads
    an era-less ``6年度`` as written in a header row that named the era once.

    >>> [parse_fiscal_year(x) for x in ["令和5年度", "R7", "令和 5 年度", "令和８年度", "2025年度"]]
    [2023, 2025, 2023, 2026, 2025]
    >>> [parse_fiscal_year(x) for x in ["R 1 0 年度", "令和6年3月31日", "(2024)", "現行"]]
    [2028, 2023, 2024, None]
    >>> parse_fiscal_year("6年度", era="令和"), parse_fiscal_year("6年度")
    (2024, None)
    """
    t = _clean(s)
    m = _FISCAL.search(t)
    if m:
        year = int(m["west"]) if m["west"] else _era_to_western(m["era"], m["num"])
        if _western_ok(year):
            return year
    d = _first_date_match(t)
    if d is not None and d[2] is not None and d[3] is not None:
        return _fiscal_year(d[1], d[2])
    found = parse_year(t)
    if found is None and era in _BY_NAME:
        bare = _BARE_FISCAL.search(t)
        found = _era_to_western(era, bare["num"]) if bare else None
    return found


def _fiscal_year(year: int, month: int) -> int:
    return year if month >= 4 else year - 1  # the Japanese fiscal year starts on 1 April


def fiscal_year_of(day: date) -> int:
    """The fiscal year (April to March) a date falls in.

    >>> fiscal_year_of(date(2024, 3, 31)), fiscal_year_of(date(2024, 4, 1))
    (2023, 2024)
    """
    return _fiscal_year(day.year, day.month)


def era_of(s: str) -> str | None:
    """The era name (令和 …) the first era year in ``s`` is written in.

    >>> era_of("R5"), era_of("平成30年度"), era_of("2023年度")
    ('令和', '平成', None)
    """
    m = _ERA_YEAR.search(_clean(s))
    return _BY_NAME[m["era"]].name if m else None


def fiscal_years_of_headers(headers: list[str]) -> list[int | None]:
    """Fiscal year of each header cell, carrying the era along the row.

    >>> fiscal_years_of_headers(["現状", "令和5年度", "6年度", "7年度", "公表方法"])
    [None, 2023, 2024, 2025, None]
    """
    era, years = None, []
    for header in headers if isinstance(headers, list) else []:
        era = era_of(header) or era
        years.append(parse_fiscal_year(header, era=era))
    return years


# --- table header cells ----------------------------------------------------------------
# The vocabulary of a period header cell, shared by the generic table layer (which only
# asks "does this row name periods?") and the plan readers (which date each column).
# Patterns see normalize_text output with the spaces removed (`令 和 ６ 年 度` → `令和6年度`).
BASELINE_HEADER = r"現行|現状|現在|実績|基準"
# An era-less year (`7年度`, `目標29年度`: pre-2019 plans): the readers date it from the plan.
BARE_YEAR_HEADER = r"(?:[(（]?目標[)）]?)?\d{1,2}年度?[(（]?(?:目標|計画)?[)）]?"
BARE_YEAR_ERAS: tuple[str, ...] = ("令和", "平成")
# A raw word text that may name a period (a 年/年度, an era letter with a digit, a baseline
# word): a cheap pre-test that spares `is_period_header` most texts.
PERIOD_HINT = r"年|現行|現状|現在|実績|基準|[RHＲＨ][\s.．]*[0-9０-９]"
# A whole raw word shaped like a period header cell (`令和7年度`, `R7`, `2025年度`,
# `7年度(目標)`, `現行`, `実績値（令和2年度）`) or a piece of a spaced one (`年度`), so that
# prose cut into words around its digits (`年度が77`, `※現状は令和5`) does not pass.
PERIOD_WORD = (
    r"[(（]?(?:(?:令和|平成|[RHＲＨ])[\s.．]*[0-9０-９元]{1,2}\s*(?:年度?)?|[0-9０-９元]{1,4}\s*年度?)"
    r"(?:[(（]?(?:目標|計画|見込み?|実績)[)）]?)?[)）]?"
    r"|[※＊*]?(?:現行|現状|現在|実績|基準)値?(?:[(（][^)）]{0,12}[)）])?"
    r"|年度?|度")
_PERIOD_HINT = re.compile(PERIOD_HINT)
_BASELINE_HEADER = re.compile(BASELINE_HEADER)
_BARE_YEAR_HEADER = re.compile(BARE_YEAR_HEADER)


def is_period_header(text: str) -> bool:
    """Whether a table header cell names a period: a fiscal year, an era-less year, the baseline.

    >>> [is_period_header(t) for t in ["令和 ６年度", "7年度", "現状値", "R7", "事業名", ""]]
    [True, True, True, True, False, False]
    """
    if not isinstance(text, str) or not _PERIOD_HINT.search(text):
        return False
    t = compact_text(text)
    return bool(t) and (_BASELINE_HEADER.search(t) is not None or parse_fiscal_year(t) is not None
                        or _BARE_YEAR_HEADER.fullmatch(t) is not None)


def _first_date_match(t: str, era_hint: str | None = None):
    """(position, western year, month, day) of the first date-like token."""
    for m in _DATE.finditer(t):
        parts = _date_parts(m, era_hint)
        if parts is not None:
            return (m.start(), *parts)
    return None


def _date_parts(m: re.Match, era_hint: str | None):
    month = _number(m["m1"] or m["m2"])
    day = _number(m["d1"] or m["d2"])
    if month is None or not 1 <= month <= 12:
        return None
    era = m["era"] or era_hint
    raw_year = m["year"]
    if m["era"] is None and len(raw_year) == 4 and raw_year.isdigit():
        year = _western_ok(int(raw_year))
    elif era is not None and not (m["sep"] and m["era"] is None):
        year = _era_to_western(era, raw_year)
    else:
        return None
    if year is None or (m["sep"] and m["era"] is None and day is None):
        return None  # "4/1" alone or "12.5" are not dates
    return year, month, day


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _era_violation(era: Era, era_year: int, d: date) -> str | None:
    last_year = era.end.year - era.offset if era.end else None
    if d < era.start:
        return f"{era.name}{era_year}年 date {d.isoformat()} is before {era.name} began ({era.start.isoformat()})"
    if era.end and d > era.end and era_year <= last_year:
        return f"{era.name}{era_year}年 date {d.isoformat()} is after {era.name} ended ({era.end.isoformat()})"
    return None


def parse_date(s: str) -> date | None:
    """First full date (year, month, day) in ``s``; None if none or invalid.

    >>> parse_date("令和7年4月1日"), parse_date("2023/04/01"), parse_date("令和 2 年 4 月 1 日")
    (datetime.date(2025, 4, 1), datetime.date(2023, 4, 1), datetime.date(2020, 4, 1))
    >>> parse_date("平成31年5月1日") is None and parse_date("令和5年2月30日") is None
    True
    >>> parse_date("平成33年3月31日")  # written before the era changed
    datetime.date(2021, 3, 31)
    """
    t = _clean(s)
    for m in _DATE.finditer(t):
        d = _match_to_date(m, None)
        if d is not None:
            return d
    return None


def _match_to_date(m: re.Match, era_hint: str | None) -> date | None:
    parts = _date_parts(m, era_hint)
    if parts is None or parts[2] is None:
        return None
    d = _make_date(*parts)
    era_name = m["era"] or era_hint
    if d is None or era_name is None or (m["era"] is None and len(m["year"]) == 4):
        return d
    era = _BY_NAME[era_name]
    return None if _era_violation(era, _number(m["year"]), d) else d


def parse_period(s: str) -> tuple[date, date] | None:
    """(start, end) of a period written as two dates, months, fiscal or calendar years.

    >>> parse_period("令和5年4月1日～令和8年3月31日")
    (datetime.date(2023, 4, 1), datetime.date(2026, 3, 31))
    >>> parse_period("2023/04/01 ～ 2026/03/31")
    (datetime.date(2023, 4, 1), datetime.date(2026, 3, 31))
    >>> parse_period("令和 2 年 4 月 1 日 ～ 令和 7 年 3 月 31 日")
    (datetime.date(2020, 4, 1), datetime.date(2025, 3, 31))
    >>> parse_period("令和7年度～令和11年度")
    (datetime.date(2025, 4, 1), datetime.date(2030, 3, 31))
    >>> parse_period("令和7年度～11年度")
    (datetime.date(2025, 4, 1), datetime.date(2030, 3, 31))
    >>> parse_period("後期計画期間（令和4 年～令和8 年）")
    (datetime.date(2022, 1, 1), datetime.date(2026, 12, 31))
    """
    t = _clean(s)
    ends = _period_ends(t)
    if len(ends) < 2:
        return None
    if ends[0] is None or ends[1] is None:
        return None
    start, end = ends[0][0], ends[1][1]
    return (start, end) if start <= end else None


def _period_ends(t: str) -> list[tuple[date, date] | None]:
    """Each date-like token as the (first day, last day) it covers."""
    spans: list[tuple[int, int, tuple[date, date] | None]] = []
    era_hint = None
    for m in _DATE.finditer(t):
        parts = _date_parts(m, era_hint)
        if parts is None:
            continue
        era_hint = m["era"] or era_hint
        # An invalid date stays in the list as None so the period is refused.
        spans.append((m.start(), m.end(), _span_of(parts, m, era_hint)))
    for m in _FISCAL.finditer(t):
        year = int(m["west"]) if m["west"] else _era_to_western(m["era"], m["num"])
        if _western_ok(year) and not _overlaps(spans, m):
            spans.append((m.start(), m.end(), (date(year, 4, 1), date(year + 1, 3, 31))))
    hint = era_of(t)
    for m in _BARE_FISCAL.finditer(t) if hint else ():
        year = _era_to_western(hint, m["num"])
        if year and not _overlaps(spans, m):
            spans.append((m.start(), m.end(), (date(year, 4, 1), date(year + 1, 3, 31))))
    for pattern in (_ERA_YEAR, _WEST_YEAR):
        for m in pattern.finditer(t):
            year = _calendar_year(m)
            if m["suffix"] == "年" and year and not _overlaps(spans, m):
                spans.append((m.start(), m.end(), (date(year, 1, 1), date(year, 12, 31))))
    return [span for _, _, span in sorted(spans, key=lambda x: x[0])]


def _overlaps(spans, m: re.Match) -> bool:
    return any(a <= m.start() < b or m.start() <= a < m.end() for a, b, _ in spans)


def _calendar_year(m: re.Match) -> int | None:
    if "era" in m.re.groupindex:
        return _era_to_western(m["era"], m["num"])
    return _western_ok(int(m["year"]))


def _span_of(parts, m: re.Match, era_hint: str | None) -> tuple[date, date] | None:
    year, month, day = parts
    if day is None:
        last = calendar.monthrange(year, month)[1]
        return date(year, month, 1), date(year, month, last)
    d = _match_to_date(m, era_hint)
    return (d, d) if d else None


def check_date(s: str) -> list[str]:
    """Problems with the era years and dates in ``s`` (empty list: all fine).

    >>> check_date("令和5年4月1日")
    []
    >>> check_date("平成31年5月1日")
    ['平成31年 date 2019-05-01 is after 平成 ended (2019-04-30)']
    >>> check_date("平成32年")
    ['平成32年 does not exist: 平成 ended in 2019 (read as 2020)']
    >>> check_date("令和5年2月30日")
    ['令和5年2月30日 is not a calendar date']
    """
    t = _clean(s)
    problems: list[str] = []
    for m in _DATE.finditer(t):
        problems.extend(_date_problems(m))
    for m in _ERA_YEAR.finditer(t):
        problems.extend(_year_problems(m))
    if not problems and parse_year(t) is None:
        problems.append(f"no year or date found in {t!r}")
    return list(dict.fromkeys(problems))


def _date_problems(m: re.Match) -> list[str]:
    parts = _date_parts(m, None)
    if parts is None or parts[2] is None:
        return []
    d = _make_date(*parts)
    if d is None:
        return [f"{m.group().strip()} is not a calendar date"]
    if m["era"] is None:
        return []
    problem = _era_violation(_BY_NAME[m["era"]], _number(m["year"]), d)
    return [problem] if problem else []


def _year_problems(m: re.Match) -> list[str]:
    era = _BY_NAME[m["era"]]
    n = _number(m["num"])
    if n is None or n < 1:
        return [f"{m.group().strip()} is not a valid era year"]
    if era.end and era.offset + n > era.end.year:
        return [f"{era.name}{n}年 does not exist: {era.name} ended in {era.end.year} (read as {era.offset + n})"]
    return []


def to_wareki(d: date) -> str:
    """和暦 form of a date (1868-10-23 onwards); the first year is 元年.

    >>> to_wareki(date(2023, 4, 1)), to_wareki(date(2019, 5, 1)), to_wareki(date(2019, 4, 30))
    ('令和5年4月1日', '令和元年5月1日', '平成31年4月30日')
    """
    for era in reversed(ERAS):
        if d >= era.start:
            n = d.year - era.offset
            year = "元" if n == 1 else str(n)
            return f"{era.name}{year}年{d.month}月{d.day}日"
    raise ValueError(f"{d.isoformat()} is before 明治 (1868-10-23)")
