"""DuckDB extensions shoko loads from their pinned wheels (duckdb-ext-postgres; duckdb-ext-fts
in the tests), never downloaded at run time."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb


def extension_directory() -> Path | None:
    """The folder the duckdb-ext-* wheels install into (DuckDB looks in <dir>/v<version>/<platform>/)."""
    spec = importlib.util.find_spec("duckdb_ext")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "extensions"


def load_bundled(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """LOAD extension `name` from the wheels' folder; raises duckdb.Error when it is not there."""
    folder = extension_directory()
    if folder is not None:
        con.execute(f"SET extension_directory = '{folder}'")
    con.execute(f"LOAD {name}")
