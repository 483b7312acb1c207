"""What every output (export files, query results) shares: atomic files, SQL names, formula safety."""
from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import Iterator

# A cell starting with one of these is read as a formula by Excel and LibreOffice
# (OWASP "CSV injection"): tab and CR too, since some importers strip them first.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside `target`, renamed to it when the block succeeds, removed if not."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # a name no other run uses, not created here: the writer creates it with the usual mode
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    try:
        yield temporary
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
