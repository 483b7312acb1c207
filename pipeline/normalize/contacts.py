"""Contact fields: postal code, phone and fax, email, URL, address.

Offices write the same fields in many ways (``TEL:``, ``ＴＥＬ：``, ``電話``,
``FAX 0164-…``, ``〒1988585``, katakana ``ー`` used as a hyphen). Everything
is normalised to half-width, hyphenated values.
"""

from __future__ import annotations

import re

from pipeline.normalize.text import collapse_spaced_digits, normalize_text, until_stable

_DASHES = "\\-‐‑‒–—―−﹣ー"
_POSTAL = re.compile(rf"〒\s*(?P<a>\d{{3}})\s*[{_DASHES}]?\s*(?P<b>\d{{4}})(?!\d)")
_POSTAL_BARE = re.compile(rf"(?P<a>\d{{3}})\s*[{_DASHES}]?\s*(?P<b>\d{{4}})")
# 0 + area code, exchange, subscriber; separators are dashes, spaces or brackets
# around the area code or the exchange: "0428-23-0111", "(0428)23-0111", "0428(22)1141"
# (市外局番(市内局番)番号).
_PHONE = re.compile(
    rf"(?<!\d)\(?(?P<a>0\d{{1,4}})\)?\s*[{_DASHES}]?\s*(?P<b>\d{{1,4}})\s*[{_DASHES}]\s*(?P<c>\d{{3,4}})(?!\d)"
    r"|(?<!\d)(?P<a2>0\d{1,4})\s*\(\s*(?P<b2>\d{1,4})\s*\)\s*(?P<c2>\d{3,4})(?!\d)"
    r"|(?<!\d)(?P<plain>0\d{9,10})(?!\d)"
)
# Groups separated by spaces only ("0428 22 1145", "(0241) 22 1112"): read after a TEL/FAX
# label only, where spaced digits cannot be a year or an amount.
_PHONE_SPACED = re.compile(r"(?<!\d)\(?(?P<a>0\d{1,4})\)? +(?P<b>\d{1,4}) +(?P<c>\d{4})(?!\d)")
_TEL_LABEL = r"TEL|Tel|tel|電話(?:番号)?|☎"
_FAX_LABEL = r"FAX|Fax|fax|ファックス|ファクス|ファクシミリ"
_LABELLED = re.compile(
    rf"(?P<label>(?:{_TEL_LABEL})\s*[/・]\s*(?:{_FAX_LABEL})|{_TEL_LABEL}|{_FAX_LABEL})"
    r"\s*[:：.)]?\s*(?=(?P<rest>.{0,24}))"  # lookahead: the next label stays findable
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_EMAIL_LABELLED = re.compile(r"(?<![A-Za-z])(?:(?:E-?mail|e-?mail|E-?MAIL|Mail|mail)\s*[:：]\s*|(?:E-mail|e-mail|E-MAIL|メール)\s*)"
                             r"(?P<addr>[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)")
_URL = re.compile(r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%]+")
_FIELD_LABELS = re.compile(
    rf"(?:{_TEL_LABEL}|{_FAX_LABEL}|E-?mail|e-?mail|メール|mail|URL|HP|ホームページ)\s*[:：]?",
)
_ORG_SUFFIX = re.compile(r"(?:商工会議所|商工会|市役所|役場|都|道|府|県|市|町|村|区)$")
_ORG_DEPT = re.compile(r"^(?P<org>.+?(?:商工会議所|商工会|市|町|村|区))(?P<dept>[^市町村区]*?(?:部|課|室|係|所|センター).*)$")
_HEADING = re.compile(r"^(?:[①-⑳\d.()]*\s*)?(?:連絡先|問い?合わ?せ先|関係市町村|商工会議所|商工会)$")


def _clean(s: str) -> str:
    return normalize_text(s) if isinstance(s, str) else ""


def parse_postal_code(s: str) -> str | None:
    """Postal code as ``NNN-NNNN``.

    >>> parse_postal_code("〒198-8585"), parse_postal_code("〒1988585"), parse_postal_code("〒０７７－００４４")
    ('198-8585', '198-8585', '077-0044')
    >>> parse_postal_code("198-8585"), parse_postal_code("TEL 0428") is None
    ('198-8585', True)
    """
    t = _clean(s)
    m = _POSTAL.search(t) or _POSTAL_BARE.fullmatch(t)
    return f"{m['a']}-{m['b']}" if m else None


def hyphenate_phone(digits: str) -> str:
    """A Japanese number written without separators, hyphenated by Japan's numbering plan
    (area codes have 1 to 5 digits, so no fixed split works); unknown numbers stay as given.

    >>> hyphenate_phone("0428221141"), hyphenate_phone("0312345678"), hyphenate_phone("09012345678")
    ('0428-22-1141', '03-1234-5678', '090-1234-5678')
    """
    import phonenumbers

    try:
        number = phonenumbers.parse(digits, "JP")
    except phonenumbers.NumberParseException:
        return digits
    if not phonenumbers.is_valid_number(number):
        return digits
    formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return formatted if formatted.replace("-", "") == digits else digits


def _grouped(a: str, b: str, c: str) -> str | None:
    # a Japanese number has 10 digits (11 for mobiles and 050/0120 services)
    return f"{a}-{b}-{c}" if len(a + b + c) in (10, 11) else None


def parse_phone(s: str, spaced: bool = False) -> str | None:
    """First phone number in ``s``, hyphenated, half-width. The document's grouping is
    kept; a number without separators is hyphenated by the numbering plan. With
    ``spaced``, groups separated by spaces only count too (after a TEL/FAX label).

    >>> parse_phone("TEL:0428-23-0111"), parse_phone("ＴＥＬ：（０１６４）４２－２０５８")
    ('0428-23-0111', '0164-42-2058')
    >>> parse_phone("0428ー23ー0111"), parse_phone("03 1234 5678") is None
    ('0428-23-0111', True)
    >>> parse_phone("TEL 0428(22)1141"), parse_phone("0428221141"), parse_phone("０４２８（２２）１１４１")
    ('0428-22-1141', '0428-22-1141', '0428-22-1141')
    >>> parse_phone("0428 22 1145", spaced=True)
    '0428-22-1145'
    >>> parse_phone("電話 0241(22)1111"), parse_phone("０１４６６（２）２２６４")
    ('0241-22-1111', '01466-2-2264')
    """
    t = _clean(s)
    m = _PHONE.search(t)
    if spaced:
        m2 = _PHONE_SPACED.search(t)
        if m2 is not None and (m is None or m2.start() < m.start()):
            found = _grouped(m2["a"], m2["b"], m2["c"])
            if found:
                return found
    if m is None:
        return None
    if m["plain"]:
        return hyphenate_phone(m["plain"])
    if m["a2"]:
        return _grouped(m["a2"], m["b2"], m["c2"])
    return f"{m['a']}-{m['b']}-{m['c']}"


def find_labelled_phones(text: str) -> dict[str, str | None]:
    """Phone numbers by label: ``{"tel": …, "fax": …}`` (first of each).

    >>> find_labelled_phones("TEL:0428-23-0111 FAX: 0428-23-1122")
    {'tel': '0428-23-0111', 'fax': '0428-23-1122'}
    >>> find_labelled_phones("電話 0164-42-1840／ＦＡＸ：0164-42-4273")
    {'tel': '0164-42-1840', 'fax': '0164-42-4273'}
    >>> find_labelled_phones("TEL/FAX 0123-45-6789")
    {'tel': '0123-45-6789', 'fax': '0123-45-6789'}
    >>> find_labelled_phones("TEL 0428(22)1141 FAX 0428 22 1145")
    {'tel': '0428-22-1141', 'fax': '0428-22-1145'}
    >>> find_labelled_phones("TEL 0241 22 1111 FAX (0241) 22 1112")
    {'tel': '0241-22-1111', 'fax': '0241-22-1112'}
    """
    found: dict[str, str | None] = {"tel": None, "fax": None}
    for m in _LABELLED.finditer(_clean(text)):
        number = parse_phone(m["rest"], spaced=True)
        if number is None:
            continue
        label = m["label"]
        kinds = ["fax"] if re.fullmatch(_FAX_LABEL, label) else ["tel"]
        if re.search(_FAX_LABEL, label) and re.search(_TEL_LABEL, label):
            kinds = ["tel", "fax"]
        for kind in kinds:
            found[kind] = found[kind] or number
    return found


def parse_email(s: str) -> str | None:
    """First email address.

    >>> parse_email("e-mail:soudan@omecci.jp"), parse_email("ｍａｉｌ：ｒｃｃｉ＠ｒｕｍｏｉ．ｏｒ．ｊｐ")
    ('soudan@omecci.jp', 'rcci@rumoi.or.jp')
    >>> parse_email("FAX0268-82-2002E-mailinfo@kitahara.example.jp"), parse_email("gmailuser@x.example.jp")
    ('info@kitahara.example.jp', 'gmailuser@x.example.jp')
    """
    t = _clean(s)
    # A text layer without spaces glues the label (and a number before it) to the address:
    # `FAX0268-82-2002E-mailinfo@…` is `info@…`.
    m = _EMAIL_LABELLED.search(t) or _EMAIL.search(t)
    if m is None:
        return None
    return (m["addr"] if m.re is _EMAIL_LABELLED else m.group()).rstrip(".")


def parse_url(s: str) -> str | None:
    """First URL (http(s):// or www.).

    >>> parse_url("HP：https://www.omecci.jp/。"), parse_url("なし") is None
    ('https://www.omecci.jp/', True)
    """
    m = _URL.search(_clean(s))
    return m.group().rstrip(".,;") if m else None


def normalize_address(s: str) -> str:
    """Address in half-width, without spaces or a leading postal code.

    >>> normalize_address("〒198-8585 東京都 青梅市 上町 3 7 3 番地の 1")
    '東京都青梅市上町373番地の1'
    >>> normalize_address("北海道留萌市錦町１丁目１ー１５")
    '北海道留萌市錦町1丁目1-15'
    """
    # Removing spaces can bring a combining mark next to its base letter, so
    # repeat until NFKC and the removals agree (keeps this idempotent).
    return until_stable(_address_pass, _clean(s), 4)


def _address_pass(t: str) -> str:
    t = _POSTAL.sub("", collapse_spaced_digits(t))
    t = re.sub(r"(?<=\d)[ー―−‐](?=\d)", "-", t)
    # Spaces go, except between two Latin words ("Green Hills").
    t = re.sub(r"(?<![A-Za-z])\s+|\s+(?![A-Za-z])", "", t)
    return normalize_text(t)


def _split_org(line: str) -> tuple[str | None, str | None]:
    line = re.sub(r"^\s*[【\[［〔]([^】\]］〕]+)[】\]］〕]\s*", r"\1 ", line)
    line = re.sub(r"^[\s■□●○◆◇▼▽・･※◎①-⑳]+", "", line).strip()
    if not line:
        return None, None
    head, _, tail = line.partition(" ")
    if tail and _ORG_SUFFIX.search(head):
        return head, tail.strip()
    m = _ORG_DEPT.match(line)
    if m:
        return m["org"], m["dept"]
    return line, None


def _address_from(line: str) -> str | None:
    after = _POSTAL.split(line, maxsplit=1)[-1]
    label = _FIELD_LABELS.search(after)
    address = normalize_address(after[: label.start()] if label else after)
    return address or None


def parse_contact_block(text: str) -> dict[str, str | None]:
    """Fields of one organisation's contact block (missing → None).

    >>> block = "留萌市 経済観光課\\n〒077-8601 北海道留萌市幸町1 丁目11 番地\\nTEL 0164-42-1840 FAX 0164-42-4273 E-mail:keizai@e-rumoi.jp"
    >>> r = parse_contact_block(block)
    >>> r["organization"], r["department"], r["postal_code"], r["address"], r["tel"], r["fax"], r["email"], r["url"]
    ('留萌市', '経済観光課', '077-8601', '北海道留萌市幸町1丁目11番地', '0164-42-1840', '0164-42-4273', 'keizai@e-rumoi.jp', None)
    """
    lines = [normalize_text(x) for x in (text.splitlines() if isinstance(text, str) else [])]
    lines = [x for x in lines if x]
    phones = find_labelled_phones(" \n".join(lines))
    result: dict[str, str | None] = {
        "organization": None, "department": None,
        "postal_code": None, "address": None,
        "tel": phones["tel"], "fax": phones["fax"],
        "email": parse_email(" ".join(lines)), "url": parse_url(" ".join(lines)),
    }
    pending_address = False
    for line in lines:
        if _POSTAL.search(line):
            result["postal_code"] = result["postal_code"] or parse_postal_code(line)
            result["address"] = result["address"] or _address_from(line)
            pending_address = result["address"] is None
        elif _FIELD_LABELS.match(line) or _EMAIL.search(line) or _HEADING.match(line):
            continue
        elif pending_address:
            result["address"], pending_address = normalize_address(line) or None, False
        elif result["organization"] is None:
            result["organization"], result["department"] = _split_org(line)
    return result
