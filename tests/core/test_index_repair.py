"""A damaged index/ is found on open or on first use and rebuilt; failed writes leave no orphans.

Each way of damaging the index that users met (issue 12, section 2) is done to a real index,
then a real `readinglist search` in a new process must answer correctly, without a traceback,
saying on stderr that it rebuilt the index.
"""

from __future__ import annotations

import errno
import gc
import json
import os
import shutil
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

from readinglist.library import Library
from readinglist.search import IndexUnavailable, SearchIndex
from readinglist.search.engine import repair

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "readinglist" / "resources" / "sample" / "sample-digest.txt"


def run(home: Path, *args: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, READINGLIST_HOME=str(home), PYTHONWARNINGS="error")
    return subprocess.run(
        [*prefix, sys.executable, "-m", "readinglist.cli", *args],
        capture_output=True, text=True, env=env, timeout=120, cwd=ROOT,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("repair") / "home"
    result = run(home, "import", str(SAMPLE))
    assert result.returncode == 0, result.stderr
    return home


@pytest.fixture
def home(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(built, copy, symlinks=True)
    return copy


def expected_ids(home: Path, word: str) -> set[str]:
    """Oracle: the papers whose title or abstract has the word (read from SQLite)."""
    with Library.open(home) as library:
        return {
            p.id for p in library.papers(library.list_ids())
            if word in f"{p.title} {p.abstract}".lower()
        }


def search_ids(home: Path, word: str, prefix: tuple[str, ...] = ()) -> tuple[set[str], str]:
    result = run(home, "search", word, "--limit", "100", "--json", prefix=prefix)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return {hit["id"] for hit in json.loads(result.stdout)["results"]}, result.stderr


def segment_files(home: Path, suffix: str) -> list[Path]:
    files = sorted(p for p in (home / "index").iterdir() if p.name.endswith(suffix))
    assert files, suffix
    return files


def remove(suffix: str) -> Callable[[Path], None]:
    def damage(home: Path) -> None:
        for path in segment_files(home, suffix):
            path.unlink()
    return damage


def truncate(suffix: str, size: int) -> Callable[[Path], None]:
    def damage(home: Path) -> None:
        for path in segment_files(home, suffix):
            os.truncate(path, size)
    return damage


def both(*damages: Callable[[Path], None]) -> Callable[[Path], None]:
    def damage(home: Path) -> None:
        for one in damages:
            one(home)
    return damage


def replace_by_file(home: Path) -> None:
    shutil.rmtree(home / "index")
    (home / "index").write_text("not a folder")


def symlink_loop(home: Path) -> None:
    shutil.rmtree(home / "index")
    (home / "index").symlink_to(home / "index")


DAMAGES = {
    "rm *.trm": remove(".trm"),
    "truncated .pst": truncate(".pst", 1000),
    "truncated .trm": truncate(".trm", 1000),
    # With the segment's derived ids file (engine/derived.py; the bulk build writes it) a
    # search never reads the id column, so its damage would change no answer: drop the file.
    "truncated *.id.col": both(truncate(".id.col", 10), remove(".ids.cache")),
    "rm *.col": remove(".col"),
    "rm *.id.col": remove(".id.col"),
    "index/ is a file": replace_by_file,
    "index/ is a symlink loop": symlink_loop,
}


@pytest.mark.parametrize("manifest", [True, False], ids=["manifest", "no-manifest"])
@pytest.mark.parametrize("name", list(DAMAGES))
def test_damage_is_repaired_by_the_next_search(home: Path, name: str, manifest: bool) -> None:
    want = expected_ids(home, "diffusion")
    assert want
    if not manifest and (home / "index" / repair.MANIFEST).exists():
        # An index written before the manifest existed: damage is found on first use.
        (home / "index" / repair.MANIFEST).unlink()
    DAMAGES[name](home)
    found, stderr = search_ids(home, "diffusion")
    assert found == want
    assert "" not in found
    assert "indexing" in stderr  # the user is told why the search took longer
    # Repaired for good: the next search rebuilds nothing.
    found, stderr = search_ids(home, "diffusion")
    assert found == want and stderr.strip().startswith(f"{len(want)} papers") or not stderr


def _without_write_permission() -> tuple[str, ...] | None:
    """A command prefix that makes the permission bits bind (root ignores them)."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    # Root without CAP_DAC_OVERRIDE / CAP_FOWNER: an owner like any other user.
    return (setpriv, "--bounding-set=-all", "--inh-caps=-all")


def test_read_only_index_folder_is_repaired(home: Path) -> None:
    prefix = _without_write_permission()
    if prefix is None:
        pytest.skip("running as root without setpriv (util-linux): permissions do not bind")
    with Library.open(home) as library:
        paper = library.list_ids()[0]
        library.set_note(paper, "a note about zebras")  # the index must be written to find it
    index = home / "index"
    for path in [*index.iterdir(), index]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        found, _stderr = search_ids(home, "zebras", prefix)
        assert found == {paper}
    finally:
        for path in [index, *index.iterdir()]:
            path.chmod(0o755 if path.is_dir() else 0o644)


def test_orphan_segment_files_are_deleted(home: Path) -> None:
    index = home / "index"
    indexname = json.loads((index / "state.json").read_text())["indexname"]
    # What a write that failed on a full disk leaves: files of a segment no TOC names.
    orphans = [index / f"{indexname}_orphan0000000001{ext}" for ext in (".trm", ".pst", ".id.col")]
    for path in orphans:
        path.write_bytes(b"x" * 100_000)
    with Library.open(home) as library:
        paper = library.list_ids()[0]
    assert run(home, "note", paper, "orphans gone").returncode == 0
    found, _stderr = search_ids(home, '"orphans gone"')
    assert found == {paper}
    assert not [p for p in orphans if p.exists()]


def test_a_failed_write_leaves_no_orphans(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from whoosh.codec import whoosh3

    index_dir = home / "index"
    before = set(os.listdir(index_dir))

    close = whoosh3.W3FieldWriter.close

    def disk_full(self: object) -> None:
        close(self)  # the segment's files are written (and closed), then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    with Library.open(home) as library, SearchIndex.open(home) as index:
        paper = library.list_ids()[0]
        library.set_note(paper, "written when the disk was full")
        monkeypatch.setattr(whoosh3.W3FieldWriter, "close", disk_full)
        with warnings.catch_warnings():
            # Whoosh's writer leaves the field-length reader it opened for the commit open.
            warnings.simplefilter("ignore", ResourceWarning)
            with pytest.raises(OSError):
                index.update(library, [paper], library.generation)
            gc.collect()
        # Nothing but the index's write lock file (Whoosh's, kept like REBUILD_LOCK).
        assert set(os.listdir(index_dir)) - before <= {"papers_1_WRITELOCK"}
        monkeypatch.undo()
        # Space freed: the next catch-up indexes the note.
        for _ in index.ensure_fresh(library):
            pass
        assert index.search('"disk was full"', library=library).ids == [paper]


def test_an_open_window_repairs_in_the_background(home: Path) -> None:
    """The sync thread (what the window runs) notices a deleted index and rebuilds it."""
    with Library.open(home) as library, SearchIndex.open(home) as index:
        sync = index.attach(library)
        assert sync.flush()
        want = expected_ids(home, "diffusion")
        replace_by_file(home)
        with pytest.raises(IndexUnavailable):
            index.search("diffusion", library=library)
        deadline = time.monotonic() + 60
        while not index.is_usable() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert set(index.search("diffusion", library=library, limit=100).ids) == want


def test_another_process_write_reaches_an_open_index(home: Path) -> None:
    """A note written by `readinglist note` reaches the window's search with no local change."""
    with Library.open(home) as library, SearchIndex.open(home) as index:
        sync = index.attach(library)
        assert sync.flush()
        paper = library.list_ids()[2]
        assert run(home, "note", paper, "quokka sightings").returncode == 0
        started = time.monotonic()
        # The sync looks twice a second; 60 s is only the test's patience on a loaded machine.
        while not index.search("quokka", library=library).ids and time.monotonic() - started < 60:
            time.sleep(0.05)
        assert index.search("quokka", library=library).ids == [paper]
