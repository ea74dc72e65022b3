"""The indexer process: supervised (restarted after a crash), gone with its parent, kill -9 safe."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from readinglist.library import Library
from readinglist.search import SearchIndex
from readinglist.search.indexer import NICENESS, IndexerProcess, until_fresh
from readinglist.search.status import read_status

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.core.test_search_cli import make_library, run  # noqa: E402


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) counts as gone.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def wait_for(condition, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    make_library(home, 300)
    return home


def test_the_window_process_only_reads(home: Path) -> None:
    with Library.open(home) as library, SearchIndex.open(home) as index:
        sync = index.attach(library)
        assert isinstance(sync, IndexerProcess) and sync.pid != os.getpid()
        assert sync.flush(60)
        if hasattr(os, "getpriority"):  # background work: the window's UI thread goes first
            mine = os.getpriority(os.PRIO_PROCESS, 0)
            assert os.getpriority(os.PRIO_PROCESS, sync.pid) == min(19, mine + NICENESS)
        paper = library.list_ids()[0]
        library.set_note(paper, "written in the window, indexed elsewhere: wombat")
        assert sync.flush(60)
        assert index.search("wombat", library=library).ids == [paper]
        # The segment was written by the indexer's process, not this one.
        assert read_status(index.path).generation == library.generation
        sync.stop()
        assert not alive(sync.pid or 0)


def test_a_crashed_indexer_is_restarted_and_catches_up(home: Path) -> None:
    with Library.open(home) as library, SearchIndex.open(home) as index:
        sync = index.attach(library)
        assert isinstance(sync, IndexerProcess)
        assert sync.flush(60)
        first = sync.pid
        assert first is not None
        os.kill(first, signal.SIGKILL)
        paper = library.list_ids()[1]
        library.set_note(paper, "written while the indexer was dead: numbat")
        assert wait_for(lambda: sync.pid != first and sync.restarts == 1)
        assert sync.flush(60)
        assert index.search("numbat", library=library).ids == [paper]
        assert sync.errors and "exit status -9" in sync.errors[0]
        sync.stop()


def test_the_indexer_exits_when_its_parent_dies(home: Path, tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from readinglist.library import Library
        from readinglist.search import SearchIndex
        library = Library.open(Path({str(home)!r}))
        sync = SearchIndex.open(library.home).attach(library)
        sync.flush(60)
        print(sync.pid, flush=True)
        time.sleep(600)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                              text=True, cwd=ROOT)
    try:
        assert parent.stdout is not None
        indexer = int(parent.stdout.readline())
        assert alive(indexer)
        parent.kill()
        parent.wait()
        assert wait_for(lambda: not alive(indexer), 15)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        parent.stdout.close()  # type: ignore[union-attr]


@pytest.mark.slow
def test_kill_9_of_the_indexer_at_any_moment_loses_nothing(tmp_path: Path) -> None:
    """Kill the indexer at random moments of a bulk build and of catch-ups; then search."""
    home = tmp_path / "home"
    make_library(home, 4000)  # above PARALLEL_MIN_PAPERS: the build uses worker processes
    rng = random.Random(13)
    with Library.open(home) as library:
        ids = library.list_ids()
        notes: dict[str, str] = {}
        for trial in range(9):
            with SearchIndex.open(home) as index:
                sync = index.attach(library)
                assert isinstance(sync, IndexerProcess)
                wait = rng.uniform(0.2, 2.5)
                if trial % 3 == 1:
                    # A catch-up of many changed papers in flight.
                    library.set_starred(ids[trial * 300 : trial * 300 + 600], True)
                elif trial % 3 == 2:
                    # Enough changed papers for the indexer to append them through worker
                    # processes (build.PARALLEL_MIN_PAPERS): killed while they write.
                    assert sync.flush(120)
                    library.set_read(ids[:3500], trial % 2 == 0)
                    wait = rng.uniform(1.0, 6.0)
                paper = ids[rng.randrange(len(ids))]
                word = f"kiwi{trial}x"
                library.set_note(paper, f"note {word}")
                notes[paper] = word
                time.sleep(wait)
                pid = sync.pid
                assert pid is not None
                os.kill(pid, signal.SIGKILL)
                sync._stopping = True  # no restart: the next start must repair
                sync.stop(timeout=5)
            # The build's own worker processes stop once their parent is gone.
            assert wait_for(lambda: not _build_workers(home), 30), _build_workers(home)
        for paper, word in notes.items():
            result = run(home, "search", word, "--json")
            assert [hit["id"] for hit in json.loads(result.stdout)["results"]] == [paper], word
        with SearchIndex.open(home) as index:
            assert index.is_fresh(library)
            assert index.search("", library=library).total == len(ids)
            assert _files_of_no_segment(index) == []


def _files_of_no_segment(index: SearchIndex) -> list[str]:
    """Files of the current index that its table of contents does not name (killed writers')."""
    from whoosh import index as whoosh_index

    state = index.state
    assert state is not None
    ix = whoosh_index.open_dir(str(index.path), indexname=state.indexname)
    live = {segment.segment_id() for segment in ix._segments()}
    prefix = f"{state.indexname}_"
    return sorted(
        name for name in os.listdir(index.path)
        if name.startswith(prefix) and "." in name and name.split(".")[0] not in live
    )


def _build_workers(home: Path) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "readinglist.search" in command and str(home) in command and alive(int(entry.name)):
            found.append(command)
    return found


def test_status_reports_progress_and_advances(home: Path) -> None:
    with Library.open(home) as library, SearchIndex.open(home) as index:
        before = index.status()
        assert before.generation == -1 and not before.busy
        seen = []
        for step in index.rebuild(library):
            status = index.status()
            if step.phase in ("reading", "writing") and step.total:
                seen.append((status.phase, status.total))
        after = index.status()
        assert after.generation == library.generation and not after.busy
        assert after.version != before.version
        assert seen and all(total == 300 for _phase, total in seen)
        assert {phase for phase, _total in seen} <= {"reading", "writing"}
        # A command waiting for a fresh index returns at once when it is.
        assert list(until_fresh(index, library)) == []


def failing_indexer(message: str, stay: bool = False) -> list[str]:
    """An indexer command that says ``message`` on stderr, then exits (or stays, listening)."""
    code = "import sys; print('ready', flush=True)"
    code += f"; print({message!r}, file=sys.stderr, flush=True)"
    code += "; sys.stdin.read()" if stay else "; sys.exit(1)"
    return [sys.executable, "-c", code]


def test_an_indexer_that_cannot_work_says_why_and_ends_the_wait(home: Path, monkeypatch) -> None:
    from readinglist.search import indexer
    from readinglist.search.index import IndexUnavailable

    why = "readinglist indexer: cannot create the search index folder /x: No space left on device"
    monkeypatch.setattr(indexer, "indexer_command", lambda home, parent: failing_indexer(why))
    with Library.open(home) as library, SearchIndex.open(home) as index:
        sync = index.attach(library)
        assert isinstance(sync, IndexerProcess)
        expected = "cannot create the search index folder /x: No space left on device"
        assert wait_for(lambda: sync.trouble == expected)
        with pytest.raises(IndexUnavailable, match="No space left"):
            list(until_fresh(index, library, write=False, trouble=lambda: sync.trouble))
        sync.stop()


def test_a_living_indexer_that_fails_to_write_says_why(home: Path, monkeypatch) -> None:
    from readinglist.search import indexer

    why = "readinglist indexer: updating the search index failed: [Errno 28] No space left"
    monkeypatch.setattr(indexer, "indexer_command",
                        lambda home, parent: failing_indexer(why, stay=True))
    with Library.open(home) as library, SearchIndex.open(home) as index:
        sync = index.attach(library)
        assert wait_for(lambda: sync.trouble is not None)
        assert sync.trouble == "updating the search index failed: [Errno 28] No space left"
        assert sync.restarts == 0  # it lives: its failure is known all the same
        sync.stop()


def test_updates_told_by_the_app_report_how_far_they_got(tmp_path: Path, monkeypatch) -> None:
    """Issue 10: the indexer's updates (what the window feeds it) said no numbers."""
    from readinglist.library import Change
    from readinglist.search import status as status_module
    from readinglist.search.sync import IndexSync

    monkeypatch.setattr(status_module, "REPORT_EVERY_S", 0.0)
    home = tmp_path / "home"
    make_library(home, 1100)
    with Library.open(home) as library, SearchIndex.open(home) as index:
        for _ in index.ensure_fresh(library):
            pass
        seen = []
        write_papers = index.write_papers

        def watched(library, ids, generation):
            for step in write_papers(library, ids, generation):
                yield step
                seen.append(index.status())  # as the sync reported that step

        monkeypatch.setattr(index, "write_papers", watched)
        sync = IndexSync(index, library, listen=False)
        sync.start()
        assert sync.flush(60)
        before = index.status().version
        ids = library.list_ids()
        library.set_read(ids, True)  # one commit: 1,100 papers to write again
        sync.heard(Change("read", frozenset(ids), library.generation))
        assert sync.flush(120)
        sync.stop()
        steps = [(s.phase, s.done, s.total) for s in seen]
        assert steps == [("updating", 500, 1100), ("updating", 1000, 1100),
                         ("updating", 1100, 1100)]
        # Written in one commit: the table of contents moved by one generation.
        name, generation = before.split("/")
        assert index.status().version == f"{name}/{int(generation) + 1}"
        assert not index.status().busy  # said only while working
        assert index.is_fresh(library)


def test_a_burst_ends_when_the_import_says_its_last_file_is_in(
    tmp_path: Path, monkeypatch
) -> None:
    """A big import from the window was written a quiet second after its last file."""
    from readinglist.library import Change
    from readinglist.search import sync as sync_module
    from readinglist.search.build import PARALLEL_MIN_PAPERS
    from readinglist.search.sync import IndexSync

    home = tmp_path / "home"
    make_library(home, 10)
    many = frozenset(f"p{n}" for n in range(PARALLEL_MIN_PAPERS))
    with Library.open(home) as library, SearchIndex.open(home) as index:
        sync = IndexSync(index, library, listen=False)  # not started: only its waiting
        # Files to come: the wait lasts until the changes stop for BURST_QUIET_S.
        monkeypatch.setattr(sync_module, "BURST_QUIET_S", 0.3)
        sync.heard(Change("import", many, library.generation + 1, more=True))
        with sync._cond:
            sync._await_burst_end()
            assert time.monotonic() - sync._last_change >= 0.3
        # The last file is in: no wait at all, however long the quiet time.
        monkeypatch.setattr(sync_module, "BURST_QUIET_S", 60.0)
        sync.heard(Change("import", many, library.generation + 2, more=False))
        with sync._cond:
            started = time.monotonic()
            sync._await_burst_end()
            assert time.monotonic() - started < 30
