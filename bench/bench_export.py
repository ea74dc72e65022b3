"""Time exports, JSON round trips, backups and restores on a library of N realistic papers.

    .venv/bin/python bench/bench_export.py --papers 100000 [--out bench/out]

Builds (once, cached under --out) a library from the corpus generator, puts stars, read dates,
tags and notes on about a tenth of the papers, then times: each export format over the whole
library (through ``LibraryPapers``, as the CLI and GUI do), merging the JSON export into a fresh
library and again into the same one (a no-op), a backup, and a restore.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_import import corpus  # noqa: E402
from readinglist.export import FORMATS, write_export  # noqa: E402
from readinglist.export.json_import import merge_json_file  # noqa: E402
from readinglist.export.pages import LibraryPapers  # noqa: E402
from readinglist.library import Library  # noqa: E402
from readinglist.library.backup import back_up, restore  # noqa: E402


def build(n: int, folder: Path) -> Path:
    home = folder / f"export-home-{n}"
    done = home / ".complete"
    if done.exists():
        return home
    shutil.rmtree(home, ignore_errors=True)
    files = corpus(n, 200, 1, folder)
    with Library.open(home) as library:
        for _ in library.import_files(files):
            pass
        rng = random.Random(5)
        ids = library.list_ids()
        chosen = rng.sample(ids, len(ids) // 10)
        library.set_starred(chosen[: len(chosen) // 2], True)
        library.set_read(chosen[::3], True, dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC))
        for tag in ("vision", "to read", "diffusion", "agents"):
            library.add_tags(rng.sample(chosen, len(chosen) // 4), [tag])
        for paper_id in chosen[::5]:
            library.set_note(paper_id, "Compare with the baseline.\n- ask the lab\n=worth it")
    done.write_text("ok\n")
    return home


def timed(label: str, action) -> object:  # noqa: ANN001
    started = time.perf_counter()
    result = action()
    print(f"{label:<44} {time.perf_counter() - started:7.2f} s", flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args(argv)
    work = args.out / f"export-run-{args.papers}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    home = timed(f"build library ({args.papers:,} papers, cached)", lambda: build(args.papers,
                                                                                  args.out))
    with Library.open(home) as library:
        ids = library.list_ids()
        digests = library.digests()
        for name, fmt in FORMATS.items():
            target = work / f"all{fmt.suffix}"
            result = timed(f"export {name:<6} all papers", lambda t=target, n=name: write_export(
                t, LibraryPapers(library, ids), n, digests=digests))
            print(f"{'':<44} {result.bytes / 1_048_576:7.1f} MB")
        timed("export md grouped by tag", lambda: write_export(
            work / "by-tag.md", LibraryPapers(library, ids), "md", "tag", digests=digests))
        snapshot = timed("back up (SQLite backup API)", lambda: back_up(library, work / "b.db"))
    fresh = work / "fresh-home"
    with Library.open(fresh) as other:
        report = timed("merge JSON into a fresh library", lambda: merge_json_file(
            other, work / "all.json"))
        print(f"{'':<44} {report}")
        report = timed("merge the same JSON again (no-op)", lambda: merge_json_file(
            other, work / "all.json"))
        print(f"{'':<44} {report}")
        timed("restore the backup over it", lambda: restore(other, snapshot))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
