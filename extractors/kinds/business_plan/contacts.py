"""Contacts: one per organisation from the 概要 連絡先 and 別表2, merged by organisation."""
from __future__ import annotations

import re

from dataclasses import dataclass

from extractors.kinds.business_plan.common import DEFAULT, PlanSettings, layout_pages
from extractors.kinds.business_plan.overview import Overview
from extractors.layout.model import PdfLayout
from pipeline.normalize.contacts import (find_labelled_phones, parse_contact_block, parse_email,
                                         parse_postal_code)
from pipeline.normalize.text import compact_text, normalize_text
from schemas.records import Contact



# --- stage: contacts (概要 連絡先 + 別表2) ----------------------------------------------------------------

# What follows a town's name on an address line wrapped in the cell (`最上原町大字向町644番地`),
# never on its contact's heading line (`最上原町 商工観光課`).
_ADDRESS_REST = re.compile(r"大字|字|番地|丁目|番町|\d+(?:番|号|-)")
_FIELDS_START = re.compile(r"〒|TEL|Tel|FAX|Fax|電話|ファ|E-?mail|e-?mail|メール|mail|☎")


def heading_text(line: str) -> str:
    """An entry's heading line without its marks: `■名称`, `【名称】課`, `①名称`, `・名称` → `名称 課`."""
    text = normalize_text(line)
    text = re.sub(r"^\s*[【\[［〔]([^】\]］〕]+)[】\]］〕]\s*", r"\1 ", text)
    return re.sub(r"^[\s■□●○◆◇▼▽・･※◎①-⑳]+", "", text).strip()


def _org_of(line: str, names: list[str]) -> str | None:
    text = compact_text(heading_text(line))
    for name in sorted(names, key=len, reverse=True):
        if text.startswith(compact_text(name)):
            rest = _FIELDS_START.split(text[len(compact_text(name)):], maxsplit=1)[0]
            return None if _ADDRESS_REST.search(rest) else name
    return None


@dataclass
class _Block:
    """Lines of one organisation's contact entry while they are being collected (local, mutable)."""

    org: str | None
    lines: list[str]
    kinds: set[str]
    plain: list[str]  # lines with no field: the organisation line when its name is not known


def _field_kinds(line: str, names: list[str]) -> set[str]:
    kinds = set()
    if _org_of(line, names):
        kinds.add("org")
    if parse_postal_code(line) and "〒" in normalize_text(line):
        kinds.add("postal")
    phones = find_labelled_phones(line)
    kinds |= {k for k in ("tel", "fax") if phones[k]}
    if parse_email(line):
        kinds.add("email")
    return kinds


def contact_blocks(lines: list[str], names: list[str]) -> list[tuple[str | None, list[str]]]:
    """Lines → (known organisation or None, the entry's lines, organisation line first).

    An entry ends where a field it already has appears again, so both orders
    (name, 〒, TEL) and (〒, name, TEL) split right. An entry whose organisation
    is not among `names` keeps the plain line before it and those inside it, and
    parse_contact_block reads the organisation from them.
    """
    blocks: list[_Block] = []
    previous_plain: str | None = None
    for line in lines:
        kinds = _field_kinds(line, names)
        if not kinds:
            if blocks:
                blocks[-1].plain.append(line)
            previous_plain = line
            continue
        if not blocks or kinds & blocks[-1].kinds:
            blocks.append(_Block(None, [], set(), [previous_plain] if previous_plain else []))
        block = blocks[-1]
        block.kinds |= kinds
        if "org" in kinds:
            block.org = _org_of(line, names)
            block.lines.insert(0, line)
        else:
            block.lines.append(line)
        previous_plain = None
    out: list[tuple[str | None, list[str]]] = []
    for block in blocks:
        if block.org:
            out.append((block.org, block.lines))
        elif len(block.kinds) >= 2:
            out.append((None, block.plain[:1] + block.lines + block.plain[1:]))
    return out


def _department(first_line: str, org: str) -> str | None:
    """The rest of the organisation line, up to a postal code written on the same line."""
    rest = normalize_text(first_line)[len(org):].split("〒")[0]
    # `喜多方市役所 商工課` under the implementer 喜多方市: the office word is not the department.
    rest = re.sub(r"^\s*(?:役所|役場)", "", rest)
    return normalize_text(rest) or None


# An e-mail address broken by the cell's line wrap at its `-` or `.` (`soudan@nishioka-` / `cci.example.jp`)
# or inside its domain's first word (`mogamihara@yamag` / `ata-shokokai.example.jp`).
_BROKEN_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@(?:[A-Za-z0-9.\-]*[-.]|[A-Za-z0-9\-]*)$")
# A field label left alone at the end of a line, its value wrapped onto the next (`ファクス` / `0233(43)2112`).
_DANGLING_LABEL = re.compile(r"(?:TEL|Tel|FAX|Fax|電話(?:番号)?|ファックス|ファクス|E-?mail|e-?mail|メール|Mail|mail)"
                             r"\s*[:：]?$")


def unwrap_emails(lines: list[str]) -> list[str]:
    """Lines with an e-mail address, or a label and its value, wrapped over two of them joined back."""
    out: list[str] = []
    for line in lines:
        text = normalize_text(line)
        if out and _BROKEN_EMAIL.search(normalize_text(out[-1])) and re.match(r"[A-Za-z0-9]", text):
            out[-1] = normalize_text(out[-1]) + text
        elif out and _DANGLING_LABEL.search(normalize_text(out[-1])) and text and not _DANGLING_LABEL.match(text):
            out[-1] = f"{normalize_text(out[-1])} {text}"
        else:
            out.append(line)
    return out


_ADDRESS_LINE = re.compile(r"\d|番地|丁目|番町|大字")


def join_addresses(lines: list[str], names: list[str]) -> list[str]:
    """A 〒 line joined with the address line wrapped after it (`〒999-6101 山形県最上郡` /
    `最上原町大字向町644番地`, or `〒325-0056` / `栃木県…`): a line with no field of its own that
    reads as an address, not as an organisation's heading."""
    out: list[str] = []
    for line in lines:
        prev = normalize_text(out[-1]) if out else ""
        if ("〒" in prev and not find_labelled_phones(prev)["tel"] and not find_labelled_phones(prev)["fax"]
                and not parse_email(prev) and not _field_kinds(line, names)
                and (_ADDRESS_LINE.search(line) or len(compact_text(line)) <= 2)   # `…123 番` / `地`
                and not _DEPARTMENT_LINE.search(normalize_text(line))):
            out[-1] = f"{prev}{normalize_text(line)}"
        else:
            out.append(line)
    return out


# A heading line of an organisation not among the implementers (`北浜市役所 商工課`).
_DEPARTMENT_LINE = re.compile(r"(?:役所|役場|商工会|課|部|室|係|センター)(?:\s|$)")


def contacts_from_lines(lines: list[str], names: list[str], page: int | None) -> list[Contact]:
    lines = join_addresses(unwrap_emails(lines), names)
    out = []
    for org, block in contact_blocks(lines, names):
        fields = parse_contact_block("\n".join(block))
        first = heading_text(block[0])
        if org and first.startswith(org):
            department = _department(first, org)
        else:
            org, department = org or fields["organization"], fields["department"]
        if not org:
            continue
        out.append(Contact(organization=org, department=department,
                           postal_code=fields["postal_code"], address=fields["address"], tel=fields["tel"],
                           fax=fields["fax"], email=fields["email"], url=fields["url"], page=page))
    return out


def merge_contacts(primary: list[Contact], secondary: list[Contact]) -> list[Contact]:
    """One Contact per organisation: the 概要's values first, gaps filled from 別表2."""
    merged: dict[str, Contact] = {}
    for contact in primary + secondary:
        key = compact_text(contact.organization or "")
        if key not in merged:
            merged[key] = contact
            continue
        have = merged[key]
        merged[key] = have.model_copy(update={
            name: getattr(contact, name) for name in Contact.model_fields
            if getattr(have, name) is None and getattr(contact, name) is not None})
    return list(merged.values())


def read_contacts(layout: PdfLayout, overview: Overview, names: list[str], appendix2: list[int],
                  settings: PlanSettings = DEFAULT) -> list[Contact]:
    field_ = overview.get("contact")
    primary = contacts_from_lines(field_.text.splitlines(), names, field_.page) if field_ else []
    secondary = []
    for page in layout_pages(layout, appendix2):
        lines = [l.text for l in page.lines]
        heading = next((i for i, t in enumerate(lines) if settings.contact_heading_word in compact_text(t)), None)
        secondary += contacts_from_lines(lines[heading + 1:] if heading is not None else lines, names, page.number)
    return merge_contacts(primary, secondary)
