"""A longer fuzzing campaign than tests/test_fuzz.py: seeded mutants of the fixtures, each
extracted in a worker process with a time limit, so a crash or a hang is caught too.

    .venv/bin/python scripts/fuzz.py --cases 500 --seed 1

A case fails when extract_file raises (`worker error`), the worker dies (a crash in a C
library), it times out, or the status is not one of ok/partial/failed/needs_ocr. Failing
mutants are kept in --keep (default fuzz-failures/) to reproduce with `shoko inspect`.
Exit status 0 when no case failed, 1 otherwise.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import hostile  # noqa: E402  (tests/hostile.py: the mutations)
from pipeline.ingest import Job, run_in_workers  # noqa: E402

BAD_ERRORS = ("worker error", "worker died", "timed out")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=120.0, help="per-case time limit (s)")
    parser.add_argument("--keep", default="fuzz-failures", help="folder for failing mutants")
    args = parser.parse_args(argv)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="shoko-fuzz-") as tmp:
        jobs = []
        for name, data in hostile.fuzz_cases(args.seed, args.cases):
            path = Path(tmp) / name
            path.write_bytes(data)
            jobs.append(Job(path, name, name, len(data), 0.0))
        statuses: Counter = Counter()
        failures = []
        for job, result in run_in_workers(jobs, args.workers, args.timeout):
            statuses[result.status] += 1
            error = result.error or ""
            if result.status not in hostile.VALID_STATUSES or error.startswith(BAD_ERRORS):
                failures.append((job, result))
                keep = Path(args.keep)
                keep.mkdir(parents=True, exist_ok=True)
                shutil.copy(job.path, keep / job.path.name)
                print(f"FAIL {job.path.name}: {result.status}: {error}", flush=True)
    print(f"{args.cases} cases (seed {args.seed}) in {time.monotonic() - started:.0f} s: "
          f"{dict(statuses)}; {len(failures)} failing" + (f", kept in {args.keep}/" if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
