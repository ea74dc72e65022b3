"""Search benchmark: Whoosh (our index) and SQLite FTS5 on the same generated library, side by side.

    .venv/bin/python bench/bench_search.py --papers 10000
    .venv/bin/python bench/bench_search.py --papers 100000 --json bench/out/search-100k.json

Measures: bulk index; a 200-paper digest into the library until searchable; one note edit
until searchable; open + first query in a fresh process; p50/p95 of 20 fixed queries (words,
two words, phrases, prefix, fuzzy, field, NOT, OR, filters) with the hit count and snippets
for the top 20. The library (store only) is cached in ``bench/out/search-N/`` between runs;
the index and the FTS5 database are rebuilt every run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpus import generate_papers  # noqa: E402
from readinglist.digests.model import DigestInfo, ParsedPaper  # noqa: E402
from readinglist.library import Library  # noqa: E402
from readinglist.search import SearchIndex  # noqa: E402

EXTRA = 200  # papers kept out of the library: the "new digest" imported during the run

# (kind, our query, the closest FTS5 query, FTS5 extra WHERE on the papers table)
QUERIES: list[tuple[str, str, str, str]] = [
    ("word", "diffusion", "diffusion", ""),
    ("word", "segmentation", "segmentation", ""),
    ("word", "reinforcement", "reinforcement", ""),
    ("word", "tokenizer", "tokenizer", ""),
    ("two words", "video generation", "video generation", ""),
    ("two words", "language model", "language model", ""),
    ("two words", "medical image", "medical image", ""),
    ("phrase", '"large language models"', '"large language models"', ""),
    ("phrase", '"image generation"', '"image generation"', ""),
    ("prefix", "diff*", "diff*", ""),
    ("prefix", "trans*", "trans*", ""),
    ("fuzzy", "transfomer~", "transformer", ""),  # FTS5 has no fuzzy: the right word instead
    ("fuzzy", "segmantation~", "segmentation", ""),
    ("field", "title:agent", "title:agent", ""),
    ("field", "title:diffusion", "title:diffusion", ""),
    ("NOT", "diffusion -video", "diffusion NOT video", ""),
    ("NOT", "transformer NOT vision", "transformer NOT vision", ""),
    ("OR", "gan OR vae", "gan OR vae", ""),
    ("OR", "audio OR speech", "audio OR speech", ""),
    ("filter", "diffusion is:unread year:2024", "diffusion",
     "p.read = 0 AND p.published >= '2024-01-01' AND p.published < '2025-01-01'"),
]


def parsed_papers(records: list[dict[str, Any]], first_line: int = 1) -> list[ParsedPaper]:
    return [
        ParsedPaper(
            title=str(r["title"]), abstract=str(r["abstract"]), line=first_line + i,
            authors_count=r["authors_count"], organization=r["organization"],
            published=r["published"], upvotes=r["upvotes"],
        )
        for i, r in enumerate(records)
    ]


def import_batch(library: Library, papers: list[ParsedPaper], name: str, label: str) -> Any:
    info = DigestInfo(path=name, sha256=hashlib.sha256(name.encode()).hexdigest(), size=1,
                      label=label, layout="blank-separated+metadata")
    return library.import_parsed(info, papers)


def prepare(home: Path, n: int) -> list[dict[str, Any]]:
    """The library of ``n`` papers (cached), and the EXTRA papers of the new digest."""
    records = generate_papers(n + EXTRA, seed=1)
    ready = home / "ready"
    if not ready.exists():
        if home.exists():
            shutil.rmtree(home)
        with Library.open(home) as library:
            for number, start in enumerate(range(0, n, 1000)):
                batch = parsed_papers(records[start : min(n, start + 1000)])
                import_batch(library, batch, f"digest-{number}.txt", f"Jan {number % 28 + 1}")
            # Some user state, so filters have something to filter.
            ids = library.list_ids()
            library.set_read(ids[::3], True)
            library.set_starred(ids[::50], True)
            for pid in ids[:: max(1, n // 200)]:
                library.set_note(pid, "compare with the baseline in section four")
        ready.write_text("ok")
    return records[n:]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


# --- Whoosh ----------------------------------------------------------------------------------


def bench_whoosh(home: Path, library: Library, extra: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    shutil.rmtree(home / "index", ignore_errors=True)
    index = SearchIndex.open(home)
    started = time.perf_counter()
    for _ in index.rebuild(library):
        pass
    out["bulk_index_s"] = time.perf_counter() - started
    size = sum(p.stat().st_size for p in (home / "index").iterdir())
    out["index_mb"] = size / 1e6

    out["queries"] = run_queries(lambda q: index.search(q, limit=20, library=library))

    sync = index.attach(library)
    try:
        assert sync.flush(600)
        pid = library.list_ids(limit=1, offset=7)[0]
        started = time.perf_counter()
        library.set_note(pid, "a marmoset appears in the appendix")
        deadline = time.perf_counter() + 60
        while index.search("marmoset", snippets=False).ids != [pid]:
            assert time.perf_counter() < deadline, ("note never searchable", sync.errors)
            time.sleep(0.002)
        out["note_edit_s"] = time.perf_counter() - started

        batch = parsed_papers(extra, 1)
        started = time.perf_counter()
        report = import_batch(library, batch, "new-digest.txt", "Feb 2")
        last_id = report.paper_ids[-1]
        title = library.get(last_id).title.replace('"', " ")
        deadline = time.perf_counter() + 60
        while last_id not in index.search_ids(f'title:"{title}"'):
            assert time.perf_counter() < deadline, ("digest never searchable", sync.errors)
            time.sleep(0.002)
        out["digest_200_s"] = time.perf_counter() - started
        assert not sync.errors, sync.errors
        # Queries again on the index as the updates left it (more segments).
        out["queries_after_updates"] = run_queries(
            lambda q: index.search(q, limit=20, library=library)
        )
    finally:
        sync.stop()
        index.close()

    code = (
        "import time,sys; t0=time.perf_counter();"
        "from readinglist.search import SearchIndex;"
        "t1=time.perf_counter(); ix=SearchIndex.open(sys.argv[1]);"
        "r=ix.search('diffusion model', limit=20);"
        "t2=time.perf_counter(); print(t1-t0, t2-t1, r.total)"
    )
    runs = []
    for _ in range(3):
        result = subprocess.run(
            [sys.executable, "-c", code, str(home)], capture_output=True, text=True,
            check=True, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
        )
        imports, first, _total = result.stdout.split()
        runs.append((float(imports), float(first)))
    out["import_modules_s"] = statistics.median(r[0] for r in runs)
    out["open_first_query_s"] = statistics.median(r[1] for r in runs)
    return out


def run_queries(search: Any, repeat: int = 3) -> dict[str, Any]:
    timings: dict[str, list[float]] = {}
    totals: dict[str, int] = {}
    for _ in range(repeat):
        for _kind, text, _fts, _where in QUERIES:
            started = time.perf_counter()
            results = search(text)
            timings.setdefault(text, []).append((time.perf_counter() - started) * 1000)
            totals[text] = results.total
    # The first round warms caches; report the median of the rest per query, and the first
    # round on its own (a query typed for the first time: no cached postings or phrases).
    per_query = {q: statistics.median(v[1:] if len(v) > 1 else v) for q, v in timings.items()}
    first = {q: v[0] for q, v in timings.items()}
    values = list(per_query.values())
    return {
        "p50_ms": pct(values, 0.5),
        "p95_ms": pct(values, 0.95),
        "first_p50_ms": pct(list(first.values()), 0.5),
        "first_p95_ms": pct(list(first.values()), 0.95),
        "per_query_ms": per_query,
        "first_per_query_ms": first,
        "totals": totals,
    }


# --- SQLite FTS5 -----------------------------------------------------------------------------


def bench_fts5(home: Path, library: Library, extra: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    path = home / "fts5.db"
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"ATTACH DATABASE '{library.path}' AS lib")
    started = time.perf_counter()
    db.execute(
        "CREATE VIRTUAL TABLE fts USING fts5(id UNINDEXED, title, abstract, note,"
        " tokenize='porter unicode61')"
    )
    db.execute(
        "INSERT INTO fts (rowid, id, title, abstract, note)"
        " SELECT p.seq, p.id, p.title, t.abstract, coalesce(n.text, '') FROM lib.papers p"
        " JOIN lib.paper_texts t ON t.paper = p.seq LEFT JOIN lib.notes n ON n.paper = p.seq"
    )
    db.commit()
    out["bulk_index_s"] = time.perf_counter() - started

    def search(text: str, where: str = "") -> Any:
        match = "fts MATCH ?"
        extra_where = f" AND {where}" if where else ""
        total = db.execute(
            f"SELECT count(*) FROM fts JOIN lib.papers p ON p.seq = fts.rowid"
            f" WHERE {match}{extra_where}", [text]
        ).fetchone()[0]
        rows = db.execute(
            "SELECT fts.id, highlight(fts, 1, '<b>', '</b>'),"
            " snippet(fts, 2, '<b>', '</b>', '…', 40), bm25(fts, 3.0, 1.0, 0.8)"
            f" FROM fts JOIN lib.papers p ON p.seq = fts.rowid WHERE {match}{extra_where}"
            " ORDER BY bm25(fts, 3.0, 1.0, 0.8) LIMIT 20", [text]
        ).fetchall()
        return type("R", (), {"total": total, "rows": rows})

    by_text = {q[1]: (q[2], q[3]) for q in QUERIES}
    out["queries"] = run_queries(lambda q: search(*by_text[q]))

    started = time.perf_counter()
    db.execute("UPDATE fts SET note = ? WHERE rowid = 8", ["a marmoset appears"])
    db.commit()
    db.execute("SELECT id FROM fts WHERE fts MATCH 'marmoset'").fetchall()
    out["note_edit_s"] = time.perf_counter() - started

    started = time.perf_counter()
    db.executemany(
        "INSERT INTO fts (id, title, abstract, note) VALUES (?, ?, ?, '')",
        [(f"x{i}", r["title"], r["abstract"]) for i, r in enumerate(extra)],
    )
    db.commit()
    db.execute("SELECT id FROM fts WHERE fts MATCH 'diffusion' LIMIT 1").fetchall()
    out["digest_200_s"] = time.perf_counter() - started
    db.close()

    code = (
        "import sqlite3,sys,time; t=time.perf_counter(); db=sqlite3.connect(sys.argv[1]);"
        "db.execute(\"SELECT id, snippet(fts, 2, '<b>', '</b>', '…', 40) FROM fts WHERE fts "
        "MATCH 'diffusion model' ORDER BY rank LIMIT 20\").fetchall();"
        "db.execute(\"SELECT count(*) FROM fts WHERE fts MATCH 'diffusion model'\").fetchone();"
        "print(time.perf_counter()-t)"
    )
    result = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                            text=True, check=True)
    out["open_first_query_s"] = float(result.stdout)
    path.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return out


def report(n: int, whoosh: dict[str, Any], fts: dict[str, Any], load: str) -> str:
    lines = [
        f"papers: {n:,}   machine load before the run: {load}",
        f"{'':34}{'Whoosh (ours)':>16}{'SQLite FTS5':>14}",
    ]

    def row(label: str, a: float | None, b: float | None, unit: str = "s") -> None:
        def fmt(v: float | None) -> str:
            if v is None:
                return "—"
            return f"{v * 1000:.0f} ms" if unit == "ms" else f"{v:.2f} s"

        lines.append(f"{label:34}{fmt(a):>16}{fmt(b):>14}")

    row("bulk index", whoosh["bulk_index_s"], fts["bulk_index_s"])
    row("200-paper digest until searchable", whoosh["digest_200_s"], fts["digest_200_s"], "ms")
    row("note edit until searchable", whoosh["note_edit_s"], fts["note_edit_s"], "ms")
    row("open + first query (new process)", whoosh["open_first_query_s"],
        fts["open_first_query_s"], "ms")
    for key in ("p50_ms", "p95_ms"):
        row(f"query {key[:3]} (count + top 20 + snippets)", whoosh["queries"][key] / 1000,
            fts["queries"][key] / 1000, "ms")
    for key in ("p50_ms", "p95_ms"):
        row(f"query {key[:3]}, first run of each query", whoosh["queries"][f"first_{key}"] / 1000,
            fts["queries"][f"first_{key}"] / 1000, "ms")
    for key in ("p50_ms", "p95_ms"):
        row(f"query {key[:3]} after the updates", whoosh["queries_after_updates"][key] / 1000,
            None, "ms")
    lines.append(f"index size: {whoosh['index_mb']:.0f} MB; importing the search modules: "
                 f"{whoosh['import_modules_s'] * 1000:.0f} ms (not counted above)")
    lines.append("")
    lines.append(f"{'query':34}{'Whoosh ms':>10}{'(first)':>9}{'hits':>8}{'FTS5 ms':>10}"
                 f"{'hits':>8}")
    for _kind, text, _fts, _where in QUERIES:
        lines.append(
            f"{text:34}{whoosh['queries']['per_query_ms'][text]:>10.1f}"
            f"{whoosh['queries']['first_per_query_ms'][text]:>9.1f}"
            f"{whoosh['queries']['totals'][text]:>8}"
            f"{fts['queries']['per_query_ms'][text]:>10.1f}{fts['queries']['totals'][text]:>8}"
        )
    return "\n".join(lines)


def cli_env(home: Path) -> dict[str, str]:
    """The environment of a ``readinglist`` command as installed: its bytecode compiled.

    An installed package ships compiled bytecode (pip compiles it); a source tree run with
    PYTHONDONTWRITEBYTECODE recompiles every module in every process (~0.1 s here), which is
    not what users wait for. The bytecode goes to bench/out/pycache, not into the tree.
    """
    env = {**os.environ, "READINGLIST_HOME": str(home), "PYTHONPATH": str(ROOT),
           "PYTHONPYCACHEPREFIX": str(ROOT / "bench" / "out" / "pycache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def cli(home: Path, *args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run ``readinglist ARGS`` in a fresh process; (wall seconds, result)."""
    wall, _cpu, result = cli_timed(home, *args)
    return wall, result


def cli_timed(home: Path, *args: str) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """``cli``, also with the CPU seconds (user + system) the process used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "readinglist", *args], capture_output=True, text=True,
        check=True, env=cli_env(home),
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result


# The part of `readinglist search Q` that `elapsed_ms` times (browse() for the first page of
# 20, by rank), in a fresh process, with the CPU seconds it used: on a shared machine the wall
# time says as much about the other processes as about ours.
SEARCH_CPU = """
import json, sys, time
from pathlib import Path
from readinglist.browse import ListingRequest, browse
from readinglist.library import Library
from readinglist.search import SearchIndex
home = Path(sys.argv[1])
with Library.open(home) as library, SearchIndex.open(home) as index:
    assert index.is_fresh(library)  # as the command checks before browse()
    cpu, wall = time.process_time(), time.perf_counter()
    browse(library, index, ListingRequest(query=sys.argv[2], sort="rank"), 0, 20)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
print(json.dumps({"cpu_ms": cpu * 1000, "wall_ms": wall * 1000}))
"""


def search_cpu_ms(home: Path, text: str) -> float:
    result = subprocess.run(
        [sys.executable, "-c", SEARCH_CPU, str(home), text], capture_output=True, text=True,
        check=True, env=cli_env(home),
    )
    return float(json.loads(result.stdout)["cpu_ms"])


def cold_queries(home: Path, rounds: int = 3) -> dict[str, Any]:
    """The 20 queries, ``rounds`` times, each in a fresh ``readinglist search Q --json``."""
    cli(home, "search", "--json", "bytecode")  # compiles the bytecode once, as pip would
    elapsed, walls, cpus, search_cpus = [], [], [], []
    per_query: dict[str, list[float]] = {}
    for _round in range(rounds):
        for _kind, text, _fts, _where in QUERIES:
            wall, cpu, result = cli_timed(home, "search", text, "--json")
            ms = json.loads(result.stdout)["elapsed_ms"]
            elapsed.append(ms)
            per_query.setdefault(text, []).append(ms)
            walls.append(wall * 1000)
            cpus.append(cpu * 1000)
            search_cpus.append(search_cpu_ms(home, text))
    return {
        "cold_search_cpu_ms_p50": pct(search_cpus, 0.5),
        "cold_search_cpu_ms_p95": pct(search_cpus, 0.95),
        "cold_elapsed_ms_p50": pct(elapsed, 0.5),
        "cold_elapsed_ms_p95": pct(elapsed, 0.95),
        "cold_process_ms_p50": pct(walls, 0.5),
        "cold_process_ms_p95": pct(walls, 0.95),
        "cold_process_cpu_ms_p50": pct(cpus, 0.5),
        "cold_process_cpu_ms_p95": pct(cpus, 0.95),
        "cold_elapsed_ms_per_query": {q: sorted(v) for q, v in per_query.items()},
    }


def bench_cli(n: int, folder: Path) -> dict[str, Any]:
    """What a user of the command line waits for: import until searchable, cold queries."""
    from bench.bench_import import corpus

    files = corpus(n, 200, 1, folder)
    home = folder / f"cli-{n}"
    shutil.rmtree(home, ignore_errors=True)
    out: dict[str, Any] = {"files": len(files)}
    # `import` ends with the index up to date (bulk build when most papers are new).
    out["import_s"], out["import_cpu_s"], _ = cli_timed(home, "import", str(files[0].parent))
    out["first_search_s"], search_cpu, result = cli_timed(home, "search", "diffusion", "--json")
    assert result.stderr == "", result.stderr  # nothing left to index
    out["import_until_searchable_s"] = out["import_s"] + out["first_search_s"]
    # CPU of every process involved (the index workers included): what bounds the wall time
    # on a machine whose two cores are free.
    out["import_until_searchable_cpu_s"] = out["import_cpu_s"] + search_cpu
    out.update(cold_queries(home))
    # FTS5 for scale, on the same imported library.
    with Library.open(home) as library:
        out["fts5_build_s"] = bench_fts5(home, library, [])["bulk_index_s"]
    shutil.rmtree(home, ignore_errors=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--out", type=Path, help="folder for the library (default bench/out/)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--cli", action="store_true",
        help="only the command line: `readinglist import` of digest files until searchable, "
        "then the 20 queries x 3 each in a fresh `readinglist search` process",
    )
    parser.add_argument(
        "--cli-home", type=Path, metavar="HOME",
        help="only the cold queries of --cli, on the library already in HOME (no import)",
    )
    args = parser.parse_args(argv)
    if args.cli_home:
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        figures = {"home": str(args.cli_home), "load_before": load,
                   **cold_queries(args.cli_home)}
        figures["load_after"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        print(json.dumps(figures, indent=2))
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps({"cli": figures}, indent=2))
        return 0
    if args.cli:
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        figures = bench_cli(args.papers, args.out or ROOT / "bench" / "out")
        figures["load_before"] = load
        figures["load_after"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        print(json.dumps(figures, indent=2))
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps({"papers": args.papers, "cli": figures}, indent=2))
        return 0
    home = args.out or ROOT / "bench" / "out" / f"search-{args.papers}"
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path(
        "/proc/loadavg").exists() else "unknown"
    started = time.perf_counter()
    extra = prepare(home, args.papers)
    print(f"library ready in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    work = home.parent / f"{home.name}-run"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(home, work, ignore=shutil.ignore_patterns("index", "fts5.db*"))
    with Library.open(work) as library:
        whoosh = bench_whoosh(work, library, extra)
    with Library.open(home) as library:
        fts = bench_fts5(work, library, extra)
    text = report(args.papers, whoosh, fts, load)
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"papers": args.papers, "load": load, "whoosh": whoosh,
                                         "fts5": fts}, indent=2, default=str))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
