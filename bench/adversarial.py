"""Attack a library the way a hostile or unlucky user would, and count what survives.

    .venv/bin/python bench/adversarial.py [--trials 60] [--papers 3000] [--seed 1] [--out DIR]

kill -9 at a random moment of: import, reindex, export, backup, JSON merge, `note` from the
command line, and note editing in the window (offscreen, while it imports). After each kill:
``PRAGMA integrity_check`` must say ok, every note known to be committed must still be there
(a killed note write leaves the old or the new text, nothing else), an export or backup target
is either absent or whole, no worker process outlives its killed parent by 5 s, and nothing
printed a Python traceback. Then the bad backups (no ``meta``, a planted trigger, a missing
column) and hostile JSON files are offered and must be refused in one line. Prints a tally.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_import import corpus  # noqa: E402

OPERATIONS = ("import", "reindex", "export", "backup", "json-merge", "note", "window-note")

WINDOW_SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from PySide6.QtWidgets import QApplication
    from readinglist.gui.mainwindow import MainWindow
    from readinglist.gui.settings import Settings
    from readinglist.library import Library

    home, folder, stem = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    app = QApplication([])
    window = MainWindow(Library.open(home), Settings.load())
    ids = window.library.list_ids(sort="title")[:40]
    state = {"n": 0}

    def stored(paper_id, text):
        print(f"SAVED {paper_id} {text}", flush=True)

    def type_next():
        n = state["n"]
        state["n"] += 1
        window.notes.save(ids[n % len(ids)], f"{stem} edit {n}")

    window.notes.stored.connect(stored)
    window.import_paths([folder], show_report=False)
    from PySide6.QtCore import QTimer
    timer = QTimer()
    timer.timeout.connect(type_next)
    timer.start(30)
    print("READY", flush=True)
    app.exec()
    """
)


class Attack:
    def __init__(self, out: Path, papers: int, seed: int) -> None:
        self.out = out
        self.rng = random.Random(seed)
        self.home = out / "home"
        self.env = {
            **os.environ, "READINGLIST_HOME": str(self.home), "QT_QPA_PLATFORM": "offscreen"
        }
        self.digests = corpus(papers, 100, seed, out / "corpus")
        self.tally: Counter[str] = Counter()
        self.problems: list[str] = []
        self.notes: dict[str, set[str]] = {}  # paper id -> texts it may hold now
        self.window: tuple[str, dict[str, int]] = ("\0", {})  # the last window trial's saves

    # -- running things ------------------------------------------------------------------------
    def cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "readinglist", *args], capture_output=True, text=True,
            env=self.env, timeout=timeout, check=False,
        )

    def killed(self, args: list[str], delay: float) -> tuple[str, str, list[int]]:
        """Start ``args``, kill -9 it after ``delay`` s; its output and its children's pids."""
        process = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env
        )
        time.sleep(delay)
        children = _children(process.pid)
        process.send_signal(signal.SIGKILL)
        out, err = process.communicate()
        return out, err, children

    # -- the trials ----------------------------------------------------------------------------
    def prepare(self) -> None:
        first = self.digests[: len(self.digests) // 2]
        result = self.cli("import", *map(str, first))
        if result.returncode not in (0, 1):
            raise SystemExit(result.stderr)
        ids = json.loads(self.cli("list", "--json", "--limit", "200").stdout)
        for n, paper in enumerate(ids[:60]):
            text = f"prepared note {n}"
            self.cli("note", paper["id"], text)
            self.notes[paper["id"]] = {text}

    def trial(self, n: int) -> None:
        operation = OPERATIONS[n % len(OPERATIONS)]
        delay = self.rng.uniform(0.3, 2.5)
        python = [sys.executable, "-m", "readinglist"]
        target: Path | None = None
        in_flight: dict[str, str] = {}
        if operation == "import":
            files = self.rng.sample(self.digests, k=min(15, len(self.digests)))
            out, err, children = self.killed([*python, "import", *map(str, files)], delay)
        elif operation == "reindex":
            out, err, children = self.killed([*python, "reindex"], delay)
        elif operation == "export":
            fmt = self.rng.choice(["md", "html", "csv", "json", "bibtex", "ris"])
            target = self.out / f"export-{n}.{fmt}"
            out, err, children = self.killed([*python, "export", "-f", fmt, "-o", str(target)],
                                             delay / 3)
        elif operation == "backup":
            target = self.out / f"backup-{n}.db"
            out, err, children = self.killed([*python, "backup", str(target)], delay / 5)
        elif operation == "json-merge":
            source = self.out / "merge.json"
            if not source.exists():
                self.cli("export", "-f", "json", "-o", str(source))
            other = self.out / f"merge-home-{n}"
            env_home = self.env["READINGLIST_HOME"]
            self.env["READINGLIST_HOME"] = str(other)
            self.cli("import", str(self.digests[-1]))
            try:
                out, err, children = self.killed([*python, "import", str(source)], delay / 2)
            finally:
                self.env["READINGLIST_HOME"] = env_home
            self.check_integrity(other / "library.db", operation)
        elif operation == "note":
            paper_id = self.rng.choice(sorted(self.notes))
            text = f"cli note {n} " + "words " * self.rng.randint(1, 20_000)
            in_flight[paper_id] = text.rstrip()
            out, err, children = self.killed([*python, "note", paper_id, text], delay / 5)
        else:
            out, err, children, in_flight = self.window_trial(n, delay + 1.5)
        self.tally[operation] += 1
        if "Traceback" in err or "Traceback" in out:
            self.problems.append(f"trial {n} ({operation}): a traceback was printed")
            self.tally["tracebacks"] += 1
        self.check_orphans(children, operation, n)
        self.check_integrity(self.home / "library.db", operation)
        self.check_notes(in_flight, operation, n)
        if target is not None:
            self.check_target(target, operation, n)

    def window_trial(self, n: int, delay: float):
        folder = self.out / f"window-import-{n}"
        folder.mkdir()
        for path in self.rng.sample(self.digests, k=min(12, len(self.digests))):
            (folder / path.name).write_bytes(path.read_bytes())
        script = self.out / "window.py"
        script.write_text(WINDOW_SCRIPT, encoding="utf-8")
        out, err, children = self.killed(
            [sys.executable, str(script), str(self.home), str(folder), f"w{n}"], delay
        )
        saved: dict[str, str] = {}
        for line in out.splitlines():
            if line.startswith("SAVED "):
                _, paper_id, text = line.split(" ", 2)
                saved[paper_id] = text
        self.tally["window notes shown saved"] += len(saved)
        for paper_id, text in saved.items():
            self.notes.setdefault(paper_id, set()).add(text)
        self.window = (f"w{n} edit ", {p: int(t.rsplit(" ", 1)[1]) for p, t in saved.items()})
        return out, err, children, {}

    # -- the checks ----------------------------------------------------------------------------
    def check_integrity(self, db: Path, operation: str) -> None:
        if not db.exists():
            return
        conn = sqlite3.connect(db, timeout=30)
        try:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            conn.close()
        self.tally["integrity checks"] += 1
        if verdict != "ok":
            self.problems.append(f"{operation}: integrity_check says {verdict}")
        else:
            self.tally["integrity ok"] += 1

    def check_notes(self, in_flight: dict[str, str], operation: str, n: int) -> None:
        conn = sqlite3.connect(self.home / "library.db", timeout=30)
        try:
            rows = dict(conn.execute(
                "SELECT p.id, n.text FROM papers p JOIN notes n ON n.paper = p.seq"
            ).fetchall())
        finally:
            conn.close()
        stem, saved = self.window
        self.window = ("\0", {})
        for paper_id, allowed in self.notes.items():
            now = rows.get(paper_id, "")
            fresh = in_flight.get(paper_id)
            # A note shown as saved must be there, or a later edit of the same paper whose
            # "saved" the kill cut off (the window types one paper after another).
            later = now.startswith(stem) and int(now.rsplit(" ", 1)[1]) >= saved.get(paper_id, 0)
            if paper_id in saved:
                allowed = {f"{stem}{saved[paper_id]}"}
            if now in allowed or now == fresh or later:
                self.notes[paper_id] = {now}
                continue
            self.problems.append(f"trial {n} ({operation}): note of {paper_id} lost: {now[:40]!r}")
            self.tally["notes lost"] += 1
        for paper_id, text in in_flight.items():
            if rows.get(paper_id, "") == text:
                self.notes[paper_id] = {text}

    def check_target(self, target: Path, operation: str, n: int) -> None:
        leftovers = [p for p in target.parent.glob(f".{target.name}.*")]
        if not target.exists():
            self.tally[f"{operation}: nothing written"] += 1
            return
        whole = True
        if target.suffix == ".db":
            conn = sqlite3.connect(target)
            whole = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            conn.close()
        elif target.suffix == ".json":
            try:
                json.loads(target.read_text(encoding="utf-8"))
            except ValueError:
                whole = False
        elif target.suffix == ".html":
            whole = target.read_text(encoding="utf-8").rstrip().endswith("</html>")
        self.tally[f"{operation}: whole file"] += whole
        if not whole:
            self.problems.append(f"trial {n} ({operation}): {target.name} is half written")
        self.tally["hidden .tmp files left by kills"] += len(leftovers)

    def check_orphans(self, children: list[int], operation: str, n: int) -> None:
        deadline = time.monotonic() + 5
        alive = children
        while alive and time.monotonic() < deadline:
            time.sleep(0.1)
            alive = [pid for pid in alive if _running(pid)]
        for pid in alive:
            self.problems.append(f"trial {n} ({operation}): worker {pid} alive 5 s after the kill")
            self.tally["orphan workers"] += 1
            os.kill(pid, signal.SIGKILL)

    # -- the hostile files -----------------------------------------------------------------------
    def bad_backups(self) -> None:
        for name, sql in (
            ("no meta table", "DROP TABLE meta;"),
            ("a planted trigger",
             "CREATE TRIGGER eat AFTER INSERT ON notes BEGIN DELETE FROM notes; END;"),
            ("a missing column", "ALTER TABLE papers DROP COLUMN organization;"),
        ):
            target = self.out / f"bad-{len(name)}.db"
            self.cli("backup", str(target))
            conn = sqlite3.connect(target)
            conn.executescript(sql)
            conn.close()
            result = self.cli("restore", "--yes", str(target))
            refused = result.returncode == 1 and "nothing was changed" in result.stderr
            one_line = result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
            self.tally["bad backups refused in one line"] += refused and one_line
            self.tally["bad backups offered"] += 1
            if not (refused and one_line):
                self.problems.append(f"bad backup ({name}) not refused: {result.stderr[:200]}")

    def hostile_json(self) -> None:
        source = self.out / "merge.json"
        if not source.exists():
            self.cli("export", "-f", "json", "-o", str(source))
        base = source.read_text(encoding="utf-8")
        data = json.loads(base)
        cases = {}
        for name, field, value in (
            ("huge integer", "upvotes", 10**30),
            ("lone surrogate", "title", "\ud800 title"),
            ("50,000 tags", "tags", [f"t{k}" for k in range(50_000)]),
        ):
            copy = json.loads(base)
            copy["papers"][0][field] = value
            cases[name] = json.dumps(copy)
        cases["deep nesting"] = json.dumps(data).replace(
            '"tags": []', '"tags": ' + "[" * 100_000 + "]" * 100_000, 1
        )
        for name, text in cases.items():
            path = self.out / f"hostile-{len(name)}.json"
            path.write_text(text, encoding="utf-8")
            home = self.out / f"hostile-home-{len(name)}"
            env_home = self.env["READINGLIST_HOME"]
            self.env["READINGLIST_HOME"] = str(home)
            try:
                start = time.monotonic()
                result = self.cli("import", str(path), timeout=300)
                took = time.monotonic() - start
            finally:
                self.env["READINGLIST_HOME"] = env_home
            clean = "Traceback" not in result.stderr + result.stdout
            expected = 0 if name == "50,000 tags" else 1
            ok = clean and result.returncode == expected
            self.tally["hostile JSON answered cleanly"] += ok
            self.tally["hostile JSON offered"] += 1
            print(f"  hostile JSON {name}: exit {result.returncode} in {took:.1f} s", flush=True)
            if not ok:
                self.problems.append(f"hostile JSON ({name}): {result.stderr[:200]}")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=60)
    parser.add_argument("--papers", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="readinglist-adversarial-"))
    out.mkdir(parents=True, exist_ok=True)
    attack = Attack(out, args.papers, args.seed)
    started = time.monotonic()
    attack.prepare()
    for n in range(args.trials):
        attack.trial(n)
        print(f"trial {n + 1}/{args.trials} {OPERATIONS[n % len(OPERATIONS)]}: "
              f"{len(attack.problems)} problems so far", flush=True)
    attack.bad_backups()
    attack.hostile_json()
    print(f"\nadversarial run: {args.trials} kill -9 trials, seed {args.seed}, "
          f"{time.monotonic() - started:.0f} s, in {out}\n")
    print("| what | count |\n| --- | ---: |")
    for key, value in sorted(attack.tally.items()):
        print(f"| {key} | {value} |")
    for problem in attack.problems:
        print("PROBLEM:", problem)
    return 1 if attack.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
