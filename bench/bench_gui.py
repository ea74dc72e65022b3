"""Desktop app benchmark: cold start, event-loop stalls while typing and importing, memory.

    .venv/bin/python bench/bench_gui.py --papers 100000 [--home bench/out/gui-100k]

Builds (once, then reuses) a library of N realistic papers (``bench/corpus.py``) through the
real import path and the search index,
then measures, offscreen:
- cold start: a fresh process from before ``import PySide6`` to a window showing its list
  and sidebar counts (responsive);
- the longest event-loop stall, with a 2 ms timer probe, while a query is typed one key
  every 120 ms (search as you type) and while a 200-paper digest imports;
- resident memory (RSS) after scrolling the whole list.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PER_FILE = 1000


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


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


def new_digest(home: Path) -> Path:
    """A 200-paper digest of papers the library does not hold yet."""
    from corpus import generate_papers, write_digests

    seed = int(time.time())
    papers = [dict(p, title=f"{p['title']} ({seed})") for p in generate_papers(200, seed=seed)]
    (path,) = write_digests(papers, home / f"new-{seed}", per_file=200, seed=seed)
    return path


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


def in_process(home: Path, query: str) -> dict:
    os.environ["READINGLIST_HOME"] = str(home)
    from PySide6.QtCore import QEventLoop, QTimer

    from readinglist.gui.app import application, open_window

    app = application()
    window = open_window(home)
    window.resize(1280, 800)
    window.show()

    def settle(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def wait_for(signal, timeout_ms: int = 60_000) -> None:
        loop = QEventLoop()
        signal.connect(loop.quit)
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()
        signal.disconnect(loop.quit)

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
    digest = new_digest(home)
    probe.start()
    started = time.perf_counter()
    dialog = window.import_paths([digest], show_report=False)
    wait_for(dialog.finished_import)
    results["import_200_s"] = time.perf_counter() - started
    wait_for(window.listing_shown)
    settle(500)
    results["import_stall_ms"] = probe.stop()

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


def main() -> int:
    parser = argparse.ArgumentParser(description="Desktop app benchmark")
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--home", type=Path)
    parser.add_argument("--query", default="diffusion transformer")
    parser.add_argument("--child-cold-start", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_cold_start:
        child_cold_start(args.child_cold_start)
        return 0
    home = args.home or ROOT / "bench" / "out" / f"gui-corpus-{args.papers}"
    home.mkdir(parents=True, exist_ok=True)
    build_library(home, args.papers)
    _index(home)
    cold = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, __file__, "--child-cold-start", str(home)],
            capture_output=True, text=True, check=True,
        ).stdout.strip().splitlines()[-1]
        cold.append(json.loads(out))
    warm = in_process(home, args.query)
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
