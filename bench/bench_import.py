"""Import benchmark: digest files of 10k and 100k papers into a fresh store (no search index).

    .venv/bin/python bench/bench_import.py [--papers 10000 100000] [--per-file 200] [--seed 1]
        [--corpus-dir bench/out] [--cli]

Writes the corpus once per size with bench/corpus.py (kept under --corpus-dir and reused), then
for each size times, each in a fresh READINGLIST_HOME:
- parse: reading every file with the digest parser alone (what the store cannot speed up);
- import: ``Library.import_files`` end to end (parse + store), one transaction per file;
- with --cli, also ``readinglist import FOLDER`` as a user runs it (a fresh process).
"Store" is import minus parse. Then times list pages and counts on the result, which is
what the app does on every click in the sidebar.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpus import generate_papers, write_digests  # noqa: E402
from readinglist.digests import DigestRefused, open_digest  # noqa: E402
from readinglist.library import ImportReport, Library, PaperFilter  # noqa: E402


def corpus(n: int, per_file: int, seed: int, folder: Path) -> list[Path]:
    out = folder / f"corpus-{n}-{per_file}-{seed}"
    done = out / ".complete"
    if not done.exists():
        shutil.rmtree(out, ignore_errors=True)
        write_digests(generate_papers(n, seed), out, per_file, seed)
        done.write_text("ok\n")
    return sorted(out.glob("digest-*.txt"))


def parse_only(files: list[Path]) -> tuple[float, float, int]:
    started, cpu = time.perf_counter(), time.process_time()
    entries = 0
    for path in files:
        try:
            entries += sum(1 for _ in open_digest(path))
        except DigestRefused:
            pass
    return time.perf_counter() - started, time.process_time() - cpu, entries


def import_all(
    files: list[Path], home: Path
) -> tuple[float, float, list[ImportReport], Library]:
    started, cpu = time.perf_counter(), time.process_time()
    library = Library.open(home)
    reports = [s for s in library.import_files(files) if isinstance(s, ImportReport)]
    return time.perf_counter() - started, time.process_time() - cpu, reports, library


def cli_import(folder: Path, home: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "readinglist", "import", str(folder)],
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "READINGLIST_HOME": str(home), "PYTHONPATH": str(ROOT)},
    )
    return time.perf_counter() - started


def page_times(library: Library) -> list[tuple[str, float]]:
    """Median ms of the listings the app runs on each click (30 % read, 500 starred)."""
    starred = library.list_ids(sort="title", limit=500)
    library.set_starred(starred, True)
    library.set_read(library.list_ids(sort="upvotes", limit=library.count() * 3 // 10), True)
    library.add_tags(starred[:200], ["to-read"])
    cases = [
        ("page: added", lambda: library.list_ids(limit=50)),
        ("page: published", lambda: library.list_ids(sort="published", limit=50)),
        ("page: upvotes", lambda: library.list_ids(sort="upvotes", limit=50)),
        ("page: title", lambda: library.list_ids(sort="title", limit=50)),
        ("page: seen", lambda: library.list_ids(sort="seen", limit=50)),
        ("page: starred by upvotes", lambda: library.list_ids(PaperFilter(starred=True),
                                                             sort="upvotes", limit=50)),
        ("page: unread by published", lambda: library.list_ids(PaperFilter(read=False),
                                                              sort="published", limit=50)),
        ("page: tag by added", lambda: library.list_ids(PaperFilter(tag="to-read"), limit=50)),
        ("page: digest by title", lambda: library.list_ids(PaperFilter(digest="Jan 20"),
                                                           sort="title", limit=50)),
        ("page at offset 50k: published",
         lambda: library.list_ids(sort="published", limit=50, offset=50_000)),
        ("all ids: added", lambda: library.list_ids()),
        ("all ids: published", lambda: library.list_ids(sort="published")),
        ("all ids: title", lambda: library.list_ids(sort="title")),
        ("all ids: unread by upvotes", lambda: library.list_ids(PaperFilter(read=False),
                                                                sort="upvotes")),
        ("count: unread", lambda: library.count(PaperFilter(read=False))),
        ("count: starred", lambda: library.count(PaperFilter(starred=True))),
        ("rows: 50", lambda: library.rows(library.list_ids(limit=50))),
        ("papers: 50 full", lambda: library.papers(library.list_ids(limit=50))),
        ("stats", library.stats),
    ]
    results = []
    for name, run in cases:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            run()
            times.append((time.perf_counter() - started) * 1000)
        results.append((name, statistics.median(times)))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--per-file", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus-dir", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--cli", action="store_true", help="also time `readinglist import`")
    args = parser.parse_args(argv)

    rows = []
    pages: list[tuple[int, list[tuple[str, float]]]] = []
    for n in args.papers:
        files = corpus(n, args.per_file, args.seed, args.corpus_dir)
        size_mb = sum(f.stat().st_size for f in files) / 1e6
        parse_s, parse_cpu, entries = parse_only(files)
        with tempfile.TemporaryDirectory(prefix="rl-bench-") as tmp:
            import_s, import_cpu, reports, library = import_all(files, Path(tmp) / "home")
            papers = library.count()
            db_mb = library.path.stat().st_size / 1e6  # library.db alone, not its WAL
            pages.append((n, page_times(library)))
            library.close()
            cli_s = cli_import(files[0].parent, Path(tmp) / "cli-home") if args.cli else None
        refused = sum(r.status == "refused" for r in reports)
        rows.append((n, len(files), size_mb, entries, papers, refused, parse_s, parse_cpu,
                     import_s, import_cpu, cli_s, db_mb))

    print("times in seconds, wall (cpu); store = import - parse")
    print(f"{'papers':>8} {'files':>6} {'MB':>6} {'entries':>8} {'stored':>8} {'refused':>7} "
          f"{'parse':>12} {'import':>12} {'store':>12} {'cli':>6} {'db MB':>6}")
    for (n, nfiles, mb, entries, papers, refused, parse_s, parse_cpu, import_s, import_cpu,
         cli_s, db_mb) in rows:
        cli = f"{cli_s:6.1f}" if cli_s is not None else f"{'-':>6}"
        store = f"{import_s - parse_s:.1f} ({import_cpu - parse_cpu:.1f})"
        print(f"{n:>8,} {nfiles:>6,} {mb:>6.1f} {entries:>8,} {papers:>8,} {refused:>7} "
              f"{f'{parse_s:.1f} ({parse_cpu:.1f})':>12} "
              f"{f'{import_s:.1f} ({import_cpu:.1f})':>12} {store:>12} {cli} {db_mb:>6.0f}")
    for n, timings in pages:
        print(f"\nqueries on {n:,} papers (median of 5, ms)")
        for name, ms in timings:
            print(f"  {name:<36} {ms:8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
