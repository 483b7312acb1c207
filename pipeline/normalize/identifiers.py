"""法人番号 and 地方公共団体コード with their check digits.

Known blind spot of the official 法人番号 scheme: the check is mod 9 with
weights 1 and 2, so replacing a base digit 0 by 9 (or 9 by 0) changes the
sum by 9 or 18 and cannot be detected. Every other single-digit change is.
"""

from __future__ import annotations

import re

from pipeline.normalize.text import normalize_text

_CORPORATE_LABELLED = re.compile(r"法人番号\D{0,12}?(?P<num>\d{13})(?!\d)")
_CORPORATE_BARE = re.compile(r"(?<!\d)(?P<num>\d{13})(?!\d)")
_LOCAL_GOV_LABELLED = re.compile(r"(?:地方公共団体コード|団体コード)\D{0,12}?(?P<num>\d{6})(?!\d)")


def _digits(s: str, length: int) -> list[int] | None:
    t = normalize_text(s) if isinstance(s, str) else ""
    if len(t) != length or not t.isascii() or not t.isdigit():
        return None
    return [int(ch) for ch in t]


def corporate_check_digit(base12: str) -> int | None:
    """Check digit for the 12 base digits of a 法人番号.

    >>> corporate_check_digit("013105001132")
    3
    """
    digits = _digits(base12, 12)
    if digits is None:
        return None
    # Weights 1, 2, 1, 2 … counted from the rightmost base digit.
    total = sum(d * (1 if i % 2 == 0 else 2) for i, d in enumerate(reversed(digits)))
    return 9 - total % 9


def valid_corporate_number(s: str) -> bool:
    """True for a 13-digit 法人番号 whose leading check digit is right.

    >>> valid_corporate_number("3013105001132"), valid_corporate_number("4450005003156")
    (True, True)
    >>> valid_corporate_number("3013105001133"), valid_corporate_number("301310500113")
    (False, False)
    """
    digits = _digits(s, 13)
    if digits is None:
        return False
    return corporate_check_digit("".join(map(str, digits[1:]))) == digits[0]


def local_gov_check_digit(base5: str) -> int | None:
    """Check digit for the first five digits of a 地方公共団体コード.

    >>> local_gov_check_digit("13205"), local_gov_check_digit("01212")
    (5, 2)
    """
    digits = _digits(base5, 5)
    if digits is None:
        return None
    remainder = sum(d * w for d, w in zip(digits, (6, 5, 4, 3, 2))) % 11
    # 11 − remainder, keeping the last digit (remainder 0 → 1, 1 → 0).
    return (11 - remainder) % 10


def valid_local_gov_code(s: str) -> bool:
    """True for a 6-digit 地方公共団体コード whose last digit checks.

    >>> valid_local_gov_code("132055"), valid_local_gov_code("133086"), valid_local_gov_code("012122")
    (True, True, True)
    >>> valid_local_gov_code("132056"), valid_local_gov_code("13205")
    (False, False)
    """
    digits = _digits(s, 6)
    if digits is None:
        return False
    return local_gov_check_digit("".join(map(str, digits[:5]))) == digits[5]


def find_corporate_number(text: str) -> str | None:
    """The first valid 法人番号 in ``text``, preferring a labelled one.

    >>> find_corporate_number("留萌商工会議所（法人番号）４４５０００５００３１５６")
    '4450005003156'
    """
    t = normalize_text(text) if isinstance(text, str) else ""
    for pattern in (_CORPORATE_LABELLED, _CORPORATE_BARE):
        for m in pattern.finditer(t):
            if valid_corporate_number(m["num"]):
                return m["num"]
    return None


def find_local_gov_codes(text: str) -> list[str]:
    """Valid 地方公共団体コード that follow a コード label, in order.

    >>> find_local_gov_codes("青梅市（地方公共団体コード 132055）奥多摩町（地方公共団体コード 133086）")
    ['132055', '133086']
    """
    t = normalize_text(text) if isinstance(text, str) else ""
    found = [m["num"] for m in _LOCAL_GOV_LABELLED.finditer(t) if valid_local_gov_code(m["num"])]
    return list(dict.fromkeys(found))
