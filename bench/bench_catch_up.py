"""Catch-up benchmark: digests imported into an indexed library, then the index brought up to date.

    .venv/bin/python bench/bench_catch_up.py HOME DIGEST_FOLDER

HOME must hold a library with a fresh index (e.g. one ``readinglist import`` made); it is
changed in place, so work on a copy. The digests are imported without indexing
(``Library.import_files``), then ``SearchIndex.ensure_fresh`` runs the catch-up (or the rebuild
it decides on) and is timed: wall seconds and CPU seconds of this process and its worker
processes together. Run an older tree with ``PYTHONPATH=<its folder>`` to compare.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> int:
    home, digests = Path(sys.argv[1]), Path(sys.argv[2])
    import readinglist
    from readinglist.library import Library
    from readinglist.search import SearchIndex

    with Library.open(home) as library, SearchIndex.open(home) as index:
        assert index.is_fresh(library), "index the library first"
        before = library.count()
        for _ in library.import_files(sorted(digests.glob("*.txt"))):
            pass
        cpu, wall = cpu_seconds(), time.perf_counter()
        phases = sorted({step.phase for step in index.ensure_fresh(library)})
        wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
        assert index.is_fresh(library)
        print(f"{readinglist.__file__}: {before:,} → {library.count():,} papers; catch-up "
              f"wall {wall:.1f} s, CPU {cpu:.1f} s, phases {', '.join(phases)} "
              f"(load {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
