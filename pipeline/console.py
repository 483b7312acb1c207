"""The `shoko` console script's entry point, which imports nothing until it is called.

Extraction workers start from a forkserver, and multiprocessing makes each of them
import the script that launched the parent (to recreate `__main__`). Whatever this
module imports at the top, every worker would load too: pipeline.cli brings DuckDB,
Arrow and rich, about 40 MB a worker that never uses them.
"""
from __future__ import annotations


def main() -> int:
    from pipeline.cli import main as run

    return run()
