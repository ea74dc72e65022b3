"""Desktop app benchmark: cold start, event-loop stalls while typing and importing, memory.

    .venv/bin/python bench/bench_gui.py --papers 100000 [--home bench/out/gui-100k]

Builds (once, then reuses) a library of N realistic papers (``bench/corpus.py``) through the
real import path and the search index,
then measures, offscreen:
- cold start: a fresh process from before ``import PySide6`` to a window showing its list
  and sidebar counts (responsive);
- the longest event-loop stall, with a 2 ms timer probe, while a query is typed one key
  every 120 ms (search as you type) and while a 200-paper digest imports;
- resident memory (RSS) after scrolling the whole list;
- with a second process keeping one core busy (as on users' machines), the longest stall while
  a 200-paper digest imports and while ``--files`` digest files (``--file-papers`` each) import,
  each until the index (written by the indexer process) has caught up;
- in a fresh window on an empty library, an import of ``--import-papers`` papers until
  searchable: its time, the peak RSS of the window and of its indexer process (with any
  build workers it starts), sampled every 100 ms, and the CPU seconds of each. Only that
  part: ``--child-import-rss DIR --import-papers N`` (DIR empty).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PER_FILE = 1000


def rss_mb(pid: int | str = "self") -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:  # the process has just exited
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def descendants(pid: int) -> list[int]:
    """Every living descendant of ``pid`` (the indexer, and the build workers it starts)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def busy_core() -> subprocess.Popen[bytes]:
    """A second process keeping one core busy for as long as it runs."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def build_library(home: Path, n: int) -> None:
    """A library of ``n`` realistic papers (bench/corpus.py), imported as users import."""
    from corpus import generate_papers, write_digests

    from readinglist.library import Library

    with Library.open(home) as library:
        have = library.count()
    if have >= n:
        return
    started = time.perf_counter()
    files = write_digests(generate_papers(n, seed=1), home / "digests", per_file=PER_FILE)
    with Library.open(home) as library:
        for _ in library.import_files(files):
            pass
    print(f"built a {n:,}-paper library in {time.perf_counter() - started:.1f} s", flush=True)


def new_digests(home: Path, files: int = 1, per_file: int = 200) -> list[Path]:
    """``files`` digests of ``per_file`` papers each that the library does not hold yet."""
    from corpus import generate_papers, write_digests

    seed = time.time_ns() % 1_000_000_007
    papers = [
        dict(p, title=f"{p['title']} ({seed})")
        for p in generate_papers(files * per_file, seed=seed)
    ]
    return write_digests(papers, home / f"new-{seed}", per_file=per_file, seed=seed)


def _index(home: Path) -> None:
    try:
        from readinglist.search import SearchIndex
    except ImportError:
        print("search index not available: skipping the index build", flush=True)
        return
    from readinglist.library import Library

    started = time.perf_counter()
    with Library.open(home) as library:
        index = SearchIndex.open(home)
        for _ in index.ensure_fresh(library):
            pass
        if hasattr(index, "close"):
            index.close()
    print(f"search index ready in {time.perf_counter() - started:.1f} s", flush=True)


def child_cold_start(home: Path) -> None:
    """Runs in a fresh process: time to a window with its list and counts shown."""
    started = time.perf_counter()
    os.environ["READINGLIST_HOME"] = str(home)
    from PySide6.QtCore import QEventLoop, QTimer

    from readinglist.gui.app import application, open_window

    app = application()
    window = open_window(home)
    window.resize(1280, 800)
    loop = QEventLoop()
    got = {"listing": False, "counts": False}

    def seen(which: str) -> None:
        got[which] = True
        if all(got.values()):
            loop.quit()

    window.listing_shown.connect(lambda: seen("listing"))
    window.counts_shown.connect(lambda: seen("counts"))
    window.show()
    shown = time.perf_counter() - started
    QTimer.singleShot(30_000, loop.quit)
    loop.exec()
    ready = time.perf_counter() - started
    result = {"window_shown_s": shown, "responsive_s": ready, "rows": window.model.rowCount(),
              "rss_mb": rss_mb()}
    window.close()
    window.library.close()
    app.processEvents()
    print(json.dumps(result))


class StallProbe:
    """A 2 ms timer; the longest gap between its ticks is the longest event-loop stall."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(2)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.worst = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        if self.last:
            self.worst = max(self.worst, now - self.last)
        self.last = now

    def start(self) -> None:
        self.last, self.worst = 0.0, 0.0
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return self.worst * 1000


def settle(ms: int) -> None:
    """Run the event loop for ``ms`` milliseconds."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_for(signal, timeout_ms: int = 60_000) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    signal.disconnect(loop.quit)


def shown_window(home: Path):
    """The app and a window on ``home``, shown, as ``readinglist-gui`` opens it."""
    os.environ["READINGLIST_HOME"] = str(home)
    from readinglist.gui.app import application, open_window

    app = application()
    window = open_window(home)
    window.resize(1280, 800)
    window.show()
    return app, window


def import_until_searchable(window, paths: list[Path], timeout_s: float = 1800) -> dict:
    """Import ``paths`` from the window; time to the import's end and until the index caught up."""
    started = time.perf_counter()
    dialog = window.import_paths(paths, show_report=False)
    wait_for(dialog.finished_import, int(timeout_s * 1000))
    imported = time.perf_counter() - started
    target = window.library.generation
    # As the window learns it (its IndexWatch polls the index's status off the UI thread):
    # reading the index's files here, on the UI thread, would add stalls of the benchmark's own.
    watch = window.index_watch
    while watch.status is None or watch.status.generation < target:
        if time.perf_counter() - started > timeout_s:
            raise SystemExit(f"the index did not catch up within {timeout_s:.0f} s")
        wait_for(watch.changed, 1000)
    return {"imported_s": imported, "searchable_s": time.perf_counter() - started}


def in_process(home: Path, query: str, files: int, file_papers: int) -> dict:
    app, window = shown_window(home)
    settle(1500)
    probe = StallProbe()
    results: dict[str, float] = {}

    # Typing a query, one key every 120 ms, then until its results are listed.
    if query:
        window.search.focus()
        probe.start()
        for char in query:
            window.search.field.insert(char)
            settle(120)
        wait_for(window.listing_shown)
        settle(300)
        results["typing_stall_ms"] = probe.stop()
        results["typing_hits"] = window.model.rowCount()
        window.search.set_query("")
        wait_for(window.listing_shown)
        settle(500)

    # Importing a 200-paper digest.
    digest = new_digests(home)
    probe.start()
    started = time.perf_counter()
    dialog = window.import_paths(digest, show_report=False)
    wait_for(dialog.finished_import)
    results["import_200_s"] = time.perf_counter() - started
    wait_for(window.listing_shown)
    settle(500)
    results["import_stall_ms"] = probe.stop()

    # The same, then many files, each until searchable, with one core kept busy elsewhere.
    for name, paths in (
        ("busy_200", new_digests(home)),
        ("busy_files", new_digests(home, files, file_papers)),
    ):
        busy = busy_core()
        try:
            settle(500)
            probe.start()
            timing = import_until_searchable(window, paths)
            settle(500)
            results[f"{name}_stall_ms"] = probe.stop()
        finally:
            busy.kill()
            busy.wait()
        results[f"{name}_searchable_s"] = timing["searchable_s"]
        settle(1000)

    # Scroll the whole list, a screen at a time, to load every page once.
    bar = window.table.verticalScrollBar()
    probe.start()
    step = max(1, bar.pageStep() * 40)
    for value in range(0, bar.maximum() + step, step):
        bar.setValue(value)
        app.processEvents()
    results["scroll_stall_ms"] = probe.stop()
    results["rss_after_scroll_mb"] = rss_mb()
    window.close()
    window.library.close()
    return results


def child_import_rss(home: Path, papers: int) -> None:
    """Runs in a fresh process: a window on an empty library imports ``papers`` papers."""
    from corpus import generate_papers, write_digests
    from PySide6.QtCore import QTimer

    paths = write_digests(generate_papers(papers, seed=2), home / "digests", per_file=PER_FILE)
    app, window = shown_window(home)
    settle(1500)
    me = os.getpid()
    peak = {"window_mb": rss_mb(), "indexer_mb": 0.0}

    def sample() -> None:
        peak["window_mb"] = max(peak["window_mb"], rss_mb())
        # The indexer and the build workers it starts, together.
        indexer = sum(rss_mb(pid) for pid in descendants(me))
        peak["indexer_mb"] = max(peak["indexer_mb"], indexer)

    sampler = QTimer()
    sampler.setInterval(100)
    sampler.timeout.connect(sample)
    sampler.start()
    timing = import_until_searchable(window, paths)
    sampler.stop()
    sample()
    result = {**timing, **{f"peak_{key}": value for key, value in peak.items()},
              "rows": window.library.count(), "cpu_window_s": _cpu(resource.RUSAGE_SELF)}
    window.close()
    window.search_index.close()  # waits for the indexer (and so its workers) to exit
    window.library.close()
    app.processEvents()
    result["cpu_indexer_s"] = _cpu(resource.RUSAGE_CHILDREN)
    print(json.dumps(result))


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def in_child(flag: str, home: Path, *extra: str) -> dict:
    """Run this script with ``flag`` in a fresh process; its last line of output, as JSON."""
    out = subprocess.run(
        [sys.executable, __file__, flag, str(home), *extra],
        capture_output=True, text=True, check=True,
    ).stdout.strip().splitlines()[-1]
    return json.loads(out)


def main() -> int:
    parser = argparse.ArgumentParser(description="Desktop app benchmark")
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--home", type=Path)
    parser.add_argument("--query", default="diffusion transformer")
    parser.add_argument("--files", type=int, default=60,
                        help="digest files imported at once, for the stall (default 60)")
    parser.add_argument("--file-papers", type=int, default=100,
                        help="papers in each of those files (default 100)")
    parser.add_argument("--import-papers", type=int, default=30_000,
                        help="papers imported into an empty library, for RSS (0: skip)")
    parser.add_argument("--child-cold-start", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-import-rss", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_cold_start:
        child_cold_start(args.child_cold_start)
        return 0
    if args.child_import_rss:
        child_import_rss(args.child_import_rss, args.import_papers)
        return 0
    home = args.home or ROOT / "bench" / "out" / f"gui-corpus-{args.papers}"
    home.mkdir(parents=True, exist_ok=True)
    build_library(home, args.papers)
    _index(home)
    cold = [in_child("--child-cold-start", home) for _ in range(3)]
    warm = in_process(home, args.query, args.files, args.file_papers)
    imported = None
    if args.import_papers:
        import_home = ROOT / "bench" / "out" / f"gui-import-{args.import_papers}"
        shutil.rmtree(import_home, ignore_errors=True)
        import_home.mkdir(parents=True)
        imported = in_child("--child-import-rss", import_home,
                            "--import-papers", str(args.import_papers))
    best = min(cold, key=lambda r: r["responsive_s"])
    runs = ", ".join(f"{r['responsive_s']:.2f}" for r in cold)
    print(f"\nDesktop app, {args.papers:,} papers (offscreen; load: {os.getloadavg()[0]:.2f})")
    print(f"  cold start to a responsive window   {best['responsive_s']:.2f} s "
          f"(runs: {runs}; "
          f"window shown at {best['window_shown_s']:.2f} s)")
    print(f"  RSS after start                     {best['rss_mb']:.0f} MB")
    print(f"  longest stall typing a query        {warm['typing_stall_ms']:.0f} ms "
          f"({warm['typing_hits']:,} hits)")
    print(f"  200-paper digest import             {warm['import_200_s']:.2f} s; "
          f"longest stall {warm['import_stall_ms']:.0f} ms")
    print(f"  longest stall scrolling everything  {warm['scroll_stall_ms']:.0f} ms")
    print(f"  RSS after scrolling everything      {warm['rss_after_scroll_mb']:.0f} MB")
    print("  with one core kept busy by another process, until searchable:")
    print(f"    200-paper digest                  {warm['busy_200_searchable_s']:.2f} s; "
          f"longest stall {warm['busy_200_stall_ms']:.0f} ms")
    print(f"    {args.files} files of {args.file_papers} papers      "
          f"{warm['busy_files_searchable_s']:.2f} s; "
          f"longest stall {warm['busy_files_stall_ms']:.0f} ms")
    if imported:
        print(f"  {args.import_papers:,} papers into an empty library from the window: "
              f"imported {imported['imported_s']:.1f} s, "
              f"searchable {imported['searchable_s']:.1f} s ({imported['rows']:,} papers)")
        print(f"    CPU: window {imported['cpu_window_s']:.1f} s, "
              f"indexer (with its workers) {imported['cpu_indexer_s']:.1f} s")
        print(f"    peak RSS: window {imported['peak_window_mb']:.0f} MB, "
              f"indexer (with its workers) {imported['peak_indexer_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
