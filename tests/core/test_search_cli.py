"""The search commands end to end (subprocess), and a kill -9 in the middle of indexing."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from readinglist.digests.model import DigestInfo, ParsedPaper
from readinglist.library import Library
from readinglist.search.status import read_status

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.corpus import generate_papers  # noqa: E402


def run(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, READINGLIST_HOME=str(home), PYTHONWARNINGS="error")
    result = subprocess.run(
        [sys.executable, "-m", "readinglist.cli", *args],
        capture_output=True, text=True, env=env, timeout=120, cwd=ROOT,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def make_library(home: Path, count: int) -> None:
    papers = [
        ParsedPaper(title=str(p["title"]), abstract=str(p["abstract"]), line=i + 1,
                    published=p["published"], upvotes=p["upvotes"])  # type: ignore[arg-type]
        for i, p in enumerate(generate_papers(count, seed=7, shared=False))
    ]
    info = DigestInfo(path="gen.txt", sha256=hashlib.sha256(b"gen").hexdigest(), size=1,
                      label="Feb 2", layout="blank-separated")
    with Library.open(home) as library:
        library.import_parsed(info, papers)


@pytest.mark.shared
@pytest.mark.slow  # a dozen commands over the real digests
def test_search_json_and_text(tmp_path: Path, shared_digests: Path) -> None:
    home = tmp_path / "home"
    run(home, "import", *map(str, sorted(shared_digests.glob("*.txt"))))
    result = json.loads(run(home, "search", "diffusion", "model", "--limit", "3", "--json").stdout)
    assert set(result) >= {"query", "total", "elapsed_ms", "suggestion", "results"}
    assert result["query"] == "diffusion model" and result["total"] > 3
    assert len(result["results"]) == 3
    first = result["results"][0]
    assert set(first) == {"id", "title", "score", "snippet"}
    assert "<b>" in first["snippet"]
    sorted_ = json.loads(run(home, "search", "--sort", "published", "--json").stdout)
    ids = [r["id"] for r in sorted_["results"]]
    with Library.open(home) as library:
        known = [p.published for p in library.papers(ids[:5]) if p.published]
    assert known == sorted(known, reverse=True)
    text = run(home, "search", "segmantation").stdout
    assert "segmentation" in text  # did-you-mean / corrected results
    pid = first["id"]
    run(home, "note", pid, "the ocelot ablation is the interesting part")
    found = json.loads(run(home, "search", "ocelot", "--json").stdout)
    assert [r["id"] for r in found["results"]] == [pid]
    related = json.loads(run(home, "related", pid[:6], "--json").stdout)
    assert related["results"] and pid not in [r["id"] for r in related["results"]]
    run(home, "star", pid)
    recommended = json.loads(run(home, "recommend", "--json").stdout)
    assert recommended["results"] and pid not in [r["id"] for r in recommended["results"]]
    assert "indexed" in run(home, "reindex").stdout
    assert json.loads(run(home, "search", "is:starred", "--json").stdout)["total"] == 1
    assert "query language" in run(home, "search", "--help").stdout
    assert run(home, "related", "zzzz", check=False).returncode == 2


@pytest.mark.slow
def test_kill_while_indexing_repairs_without_losing_a_note(tmp_path: Path) -> None:
    home = tmp_path / "home"
    make_library(home, 3000)
    with Library.open(home) as library:
        pid = library.list_ids(limit=1)[0]
        library.set_note(pid, "the pangolin result needs checking")
    for _ in range(2):  # first build (no index yet), then a rebuild over a good index
        env = dict(os.environ, READINGLIST_HOME=str(home))
        before = _segment_files(home / "index")
        process = subprocess.Popen(
            [sys.executable, "-m", "readinglist.cli", "reindex"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        # Killed while it writes the index (new segment files, or its progress says so),
        # whatever the machine's speed.
        deadline = time.monotonic() + 60
        while not _writing(home / "index", before) and process.poll() is None:
            assert time.monotonic() < deadline, "indexing never started writing"
            time.sleep(0.002)
        assert process.poll() is None, "indexing finished before it could be killed"
        os.killpg(process.pid, signal.SIGKILL)  # the writer and any worker processes
        process.wait()
        found = json.loads(run(home, "search", "pangolin", "--json").stdout)
        assert [r["id"] for r in found["results"]] == [pid]
        assert json.loads(run(home, "search", "--json").stdout)["total"] == 3000


def _segment_files(folder: Path) -> set[str]:
    with contextlib.suppress(OSError):
        return {p.name for p in folder.iterdir() if p.suffix in (".pst", ".trm", ".seg")}
    return set()


def _writing(folder: Path, before: set[str]) -> bool:
    return bool(_segment_files(folder) - before) or read_status(folder).phase == "writing"


def test_import_leaves_a_searchable_library(tmp_path: Path) -> None:
    home = tmp_path / "home"
    sample = ROOT / "readinglist" / "resources" / "sample" / "sample-digest.txt"
    result = run(home, "import", str(sample))
    assert "indexing" not in result.stderr  # not a terminal: quiet
    with Library.open(home) as library:
        generation = library.generation
    state = json.loads((home / "index" / "state.json").read_text())
    assert state["generation"] == generation and state["papers"] == 25
    # The first search finds the index fresh: nothing to build, nothing said.
    result = run(home, "search", "diffusion", "--json")
    assert json.loads(result.stdout)["total"] > 0
    assert result.stderr == ""
    # Without an index, a command says that it builds one first (on stderr).
    for path in (home / "index").iterdir():
        path.unlink() if path.is_file() else None
    result = run(home, "search", "diffusion", "--json")
    assert "indexing 25 papers" in result.stderr and json.loads(result.stdout)["total"] > 0


def test_a_refused_query_says_why_in_one_line_and_fails(tmp_path: Path) -> None:
    home = tmp_path / "home"
    make_library(home, 30)
    every = json.loads(run(home, "search", "--json").stdout)["total"]  # builds the index
    text = run(home, "search", "d*", check=False)
    assert text.returncode == 2 and text.stdout == ""
    assert text.stderr.strip().count("\n") == 0 and "prefix" in text.stderr
    data = run(home, "search", "d*", "--json", check=False)
    assert data.returncode == 2
    result = json.loads(data.stdout)
    assert result["total"] == 0 and result["results"] == [] and "prefix" in result["error"]
    assert every == 30
    assert "error" not in json.loads(run(home, "search", "di*", "--json").stdout)
