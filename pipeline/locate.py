"""Which database a command uses when `--db` is not given.

1. `--db FILE` (before or after the command);
2. the `SHOKO_DB` environment variable;
3. `data/processed/plans.duckdb` in the current folder or the nearest parent folder that
   has one (as git finds `.git`), so a command run in a project's subfolder finds it;
4. otherwise `data/processed/plans.duckdb` under the current folder: `shoko ingest` creates
   it there (and says so); the other commands say that no database was found.
"""
from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "SHOKO_DB"
DEFAULT_RELATIVE = Path("data") / "processed" / "plans.duckdb"


def default_db(cwd: Path | None = None, environ: dict | None = None) -> tuple[Path, str]:
    """(database path, how it was chosen) when `--db` is absent."""
    environ = os.environ if environ is None else environ
    if environ.get(ENV_VAR):
        return Path(environ[ENV_VAR]).expanduser(), f"${ENV_VAR}"
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / DEFAULT_RELATIVE
        if candidate.is_file():
            return candidate, f"found {DEFAULT_RELATIVE} in {folder}"
    return here / DEFAULT_RELATIVE, "new"


def resolve(given: str | None, cwd: Path | None = None, environ: dict | None = None) -> tuple[Path, str]:
    if given:
        return Path(given).expanduser(), "--db"
    return default_db(cwd, environ)


def not_found_message(path: Path) -> str:
    return (f"no database at {path}: run `shoko ingest` first, or pass --db FILE "
            f"(or set {ENV_VAR}); looked in the current folder and its parents for {DEFAULT_RELATIVE}")
