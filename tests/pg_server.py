"""A real PostgreSQL server for the tests: initdb + pg_ctl in a temporary directory on a
free port, stopped at the end. `make pg-deps` (run by `make test`) installs the Debian
`postgresql` package where apt-get is usable. The server refuses to run as root, so as
root it runs as the `postgres` user the package creates."""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest


def _bindir() -> Path | None:
    for candidate in [shutil.which("pg_ctl"), *sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)]:
        if candidate and Path(candidate).exists():
            return Path(os.path.realpath(candidate)).parent
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class PgServer:
    url: str
    host: str
    port: int
    bindir: Path

    def psql(self, sql: str, check: bool = True) -> list[list[str]]:
        """Rows of one psql call (a separate client session, as a BI tool's query)."""
        done = subprocess.run([str(self.bindir / "psql"), "-h", self.host, "-p", str(self.port), "-U", "postgres",
                               "-d", "postgres", "-X", "-q", "-tA", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                              capture_output=True, text=True, timeout=60)
        if check and done.returncode:
            raise AssertionError(done.stderr)
        return [line.split("\t") for line in done.stdout.splitlines() if line]


def _as_postgres(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@pytest.fixture(scope="session")
def pg_server():
    bindir = _bindir()
    if bindir is None:
        pytest.fail("PostgreSQL server binaries not found: run `make pg-deps` (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="shoko-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    port = _free_port()
    subprocess.run(_as_postgres([str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                                 "--no-sync", "-E", "UTF8", "--locale", "C"]),
                   check=True, capture_output=True, timeout=120)
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                                 str(root / "server.log"), "-w", "start"]), check=True, capture_output=True,
                   timeout=120)
    try:
        yield PgServer(f"postgresql://postgres@127.0.0.1:{port}/postgres", "127.0.0.1", port, bindir)
    finally:
        subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                       capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)
