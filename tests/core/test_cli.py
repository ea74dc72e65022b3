"""The command line end to end: a real ``readinglist`` process on a library in a temp folder."""

from __future__ import annotations

import ctypes.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.store_support import cli

DIGEST = """\
new

Get trending papers in your email inbox!

Subscribe

Daily Papers

byAK and the research community

Mar 14

Sparse Mixtures of Tiny Experts for On-Device Translation

We study mixtures of very small experts for translation on phones. Routing by language pair keeps \
only two experts active per token, which halves latency against a dense baseline of the same \
quality. Code is at https://github.com/example/tiny-moe.

  • 4 authors
·
May 6, 2024 12

Calibrated Retrieval for Long-Context Question Answering

Long-context models still miss facts buried in the middle of their inputs. We calibrate a \
retriever against the reader's own confidence and show that retrieving fewer, better passages \
beats stuffing the whole context window on four question answering benchmarks.

  • 7 authors
·
Jun 24, 2025

Diffusion Tokenizers Revisited

Latent diffusion depends on its tokenizer. We revisit reconstruction and generation trade-offs and \
find that aligning the latent space with a frozen vision encoder closes most of the gap between \
small and large tokenizers without extra training cost.

nyu-visionx VISIONx @ NYU
·
Oct 13, 2025 6
"""

SECOND = """\
Jan 16

Diffusion Tokenizers Revisited

Latent diffusion depends on its tokenizer. We revisit reconstruction and generation trade-offs and \
find that aligning the latent space with a frozen vision encoder closes most of the gap between \
small and large tokenizers without extra training cost.

Graph Transformers at Scale

We train graph transformers on graphs with a billion edges by sampling neighbourhoods on the fly \
and caching attention biases, which makes them competitive with message passing networks at a \
fraction of the memory footprint on standard node classification benchmarks.
"""


@pytest.fixture
def digests(tmp_path: Path) -> Path:
    folder = tmp_path / "digests"
    (folder / "older").mkdir(parents=True)
    (folder / "mar14.txt").write_text(DIGEST, encoding="utf-8")
    (folder / "older" / "jan16.txt").write_text(SECOND, encoding="utf-8")
    return folder


def papers(home: Path, *args: str) -> list[dict]:
    result = cli(home, "list", "--json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_version_needs_no_library(tmp_path: Path) -> None:
    result = cli(tmp_path / "nowhere", "--version")
    assert result.returncode == 0
    assert result.stdout.startswith("readinglist ")
    assert not (tmp_path / "nowhere").exists()


def test_import_a_folder_and_list(tmp_path: Path, digests: Path) -> None:
    home = tmp_path / "home"
    result = cli(home, "import", str(digests))
    assert result.returncode == 0, result.stderr
    assert "mar14.txt [Mar 14]: 3 new, 0 already known" in result.stdout
    assert "jan16.txt [Jan 16]: 1 new, 1 already known" in result.stdout

    listed = papers(home)
    assert sorted(p["title"] for p in listed) == [
        "Calibrated Retrieval for Long-Context Question Answering",
        "Diffusion Tokenizers Revisited",
        "Graph Transformers at Scale",
        "Sparse Mixtures of Tiny Experts for On-Device Translation",
    ]
    moe = next(p for p in listed if p["title"].startswith("Sparse"))
    assert moe["authors_count"] == 4
    assert moe["published"] == "2024-05-06"
    assert moe["upvotes"] == 12
    assert moe["links"] == ["https://github.com/example/tiny-moe"]
    assert moe["abstract"].endswith("Code is at https://github.com/example/tiny-moe.")
    tokenizers = next(p for p in listed if p["title"].startswith("Diffusion"))
    assert tokenizers["organization"] == "nyu-visionx VISIONx @ NYU"
    assert sorted(s["label"] for s in tokenizers["sightings"]) == ["Jan 16", "Mar 14"]
    assert set(moe) >= {"id", "read_at", "note", "tags", "sightings", "added_at", "starred", "read"}


def test_reimport_changes_nothing(tmp_path: Path, digests: Path) -> None:
    home = tmp_path / "home"
    assert cli(home, "import", str(digests)).returncode == 0
    before = papers(home)
    again = cli(home, "import", "--json", str(digests / "mar14.txt"))
    assert again.returncode == 0, again.stderr
    (report,) = json.loads(again.stdout)
    assert report["status"] == "already-imported"
    assert papers(home) == before


def test_refused_file_does_not_block_the_others(tmp_path: Path, digests: Path) -> None:
    home = tmp_path / "home"
    (digests / "notes.txt").write_text("Just some prose I wrote.\nNothing like a digest.\n")
    (digests / "paper.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    result = cli(home, "import", str(digests))
    assert result.returncode == 1
    assert "notes.txt: refused:" in result.stdout
    assert "paper.pdf: refused:" in result.stdout
    assert len(papers(home)) == 4


def test_marks_notes_and_tags(tmp_path: Path, digests: Path) -> None:
    home = tmp_path / "home"
    assert cli(home, "import", str(digests)).returncode == 0
    target = next(p for p in papers(home) if p["title"].startswith("Graph"))
    prefix = target["id"][:6]

    assert cli(home, "star", prefix).returncode == 0
    assert cli(home, "read", prefix).returncode == 0
    assert cli(home, "note", prefix, "Try on ogbn-papers100M").returncode == 0
    assert cli(home, "note", prefix, "--append", "and compare memory").returncode == 0
    assert cli(home, "tag", prefix, "graphs", "scaling").returncode == 0
    assert cli(home, "untag", prefix, "scaling").returncode == 0

    shown = cli(home, "show", prefix, "--json")
    assert shown.returncode == 0, shown.stderr
    paper = json.loads(shown.stdout)
    assert paper["starred"] is True
    assert paper["read"] is True and paper["read_at"]
    assert paper["note"] == "Try on ogbn-papers100M\nand compare memory"
    assert paper["tags"] == ["graphs"]

    assert [p["id"] for p in papers(home, "--starred")] == [target["id"]]
    assert [p["id"] for p in papers(home, "--tag", "graphs")] == [target["id"]]
    assert target["id"] not in [p["id"] for p in papers(home, "--unread")]
    assert len(papers(home, "--digest", "Jan 16")) == 2

    # The user's state survives importing the same paper again from a new file.
    (digests / "again.txt").write_text(SECOND.replace("Jan 16", "Jan 17") + "\n\n")
    assert cli(home, "import", str(digests / "again.txt")).returncode == 0
    paper = json.loads(cli(home, "show", target["id"], "--json").stdout)
    assert paper["starred"] and paper["read"] and paper["tags"] == ["graphs"]
    assert paper["note"] == "Try on ogbn-papers100M\nand compare memory"

    assert cli(home, "note", prefix, "--clear").returncode == 0
    assert json.loads(cli(home, "show", prefix, "--json").stdout)["note"] == ""

    text = cli(home, "show", prefix).stdout
    assert "Graph Transformers at Scale" in text and "★ starred" in text


@pytest.mark.parametrize("tags", [["a, b"], [""], ["ok", "  "]], ids=["comma", "empty", "blank"])
@pytest.mark.parametrize("verb", ["tag", "untag"])
def test_bad_tags_get_a_clear_error_and_change_nothing(
    tmp_path: Path, digests: Path, verb: str, tags: list[str]
) -> None:
    home = tmp_path / "home"
    assert cli(home, "import", str(digests)).returncode == 0
    target = papers(home)[0]["id"]
    assert cli(home, "tag", target, "kept").returncode == 0
    result = cli(home, verb, target, *tags)
    assert result.returncode == 2 and result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("readinglist: a tag cannot ")
    assert f"readinglist {verb} ID TAG TAG" in result.stderr
    assert result.stderr.count("\n") == 1
    assert json.loads(cli(home, "show", target, "--json").stdout)["tags"] == ["kept"]


def test_unknown_and_ambiguous_ids_exit_2(tmp_path: Path, digests: Path) -> None:
    home = tmp_path / "home"
    assert cli(home, "import", str(digests)).returncode == 0
    unknown = cli(home, "show", "zzzz")
    assert unknown.returncode == 2
    assert "zzzz" in unknown.stderr
    ambiguous = cli(home, "star", "")
    assert ambiguous.returncode == 2


def test_stats(tmp_path: Path, digests: Path) -> None:
    home = tmp_path / "home"
    assert cli(home, "import", str(digests)).returncode == 0
    first = papers(home)[0]["id"]
    cli(home, "star", first)
    stats = json.loads(cli(home, "stats", "--json").stdout)
    assert stats["papers"] == 4
    assert stats["starred"] == 1
    assert stats["digests"] == 2
    assert stats["path"].endswith("library.db")
    assert "papers     4" in cli(home, "stats").stdout


def test_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    result = cli(tmp_path / "home", "import", str(tmp_path / "missing.txt"))
    assert result.returncode == 1
    assert "no such file or folder" in result.stderr


def test_a_broken_json_export_is_refused_by_name_and_line(tmp_path: Path, digests: Path) -> None:
    home = tmp_path / "home"
    assert cli(home, "import", str(digests)).returncode == 0
    exported = tmp_path / "library.json"
    result = cli(home, "export", "--format", "json", "-o", str(exported))
    assert result.returncode == 0, result.stderr
    text = exported.read_text(encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text(text[: len(text) // 2], encoding="utf-8")

    fresh = tmp_path / "fresh"
    result = cli(fresh, "import", str(broken), str(digests / "mar14.txt"))
    assert result.returncode == 1
    refusal = next(line for line in result.stdout.splitlines() if "refused" in line)
    assert refusal.startswith(f"{broken}, line ")
    assert refusal.count(str(broken)) == 1
    assert len(papers(fresh)) == 3  # the digest beside it still imported


def test_counts_and_offsets_are_checked(tmp_path: Path) -> None:
    home = tmp_path / "home"
    limit = cli(home, "list", "--limit", "0")
    assert limit.returncode == 2
    assert "--limit: must be 1 or more" in limit.stderr
    offset = cli(home, "search", "x", "--offset", "-1")
    assert offset.returncode == 2
    assert "--offset: must be 0 or more" in offset.stderr


def _app_refused(tmp_path: Path, drop: tuple[str, ...], **extra: str) -> str:
    """Start the app with ``drop`` unset and ``extra`` set; its one line, once it refused.

    It must exit 1 with a single line on stderr, before it has made its data folder.
    """
    env = {key: value for key, value in os.environ.items() if key not in drop}
    env.update(extra, READINGLIST_HOME=str(tmp_path / "home"))
    done = subprocess.run(
        [sys.executable, "-m", "readinglist"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert not (tmp_path / "home").exists()
    return lines[0]


def test_no_display_is_one_clear_line_not_a_qt_abort(tmp_path: Path) -> None:
    line = _app_refused(tmp_path, ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))
    assert line.startswith("readinglist: no display") and "xcb" not in line


@pytest.mark.skipif(
    sys.platform != "linux" or ctypes.util.find_library("xcb") is None, reason="needs libxcb"
)
def test_a_display_nobody_answers_on_is_one_clear_line(tmp_path: Path) -> None:
    # DISPLAY left over from an ended session (or a wrong ssh forward): Qt would abort with
    # "could not connect" followed by the misleading "libxcb-cursor0 is needed".
    line = _app_refused(
        tmp_path, ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "XAUTHORITY"), DISPLAY=":4711"
    )
    assert line.startswith("readinglist: cannot reach the display :4711")
    assert "xcb" not in line


def test_no_display_reason_asks_the_x_server_only_when_it_would_be_used() -> None:
    from readinglist.cli import no_display_reason

    asked: list[str] = []

    def unreachable(display: str) -> bool:
        asked.append(display)
        return True

    assert "cannot reach the display :3" in no_display_reason(
        {"DISPLAY": ":3"}, "linux", unreachable
    )
    assert not no_display_reason({"DISPLAY": ":3", "WAYLAND_DISPLAY": "w"}, "linux", unreachable)
    assert not no_display_reason(
        {"DISPLAY": ":3", "QT_QPA_PLATFORM": "offscreen"}, "linux", unreachable
    )
    assert asked == [":3"]
    assert not no_display_reason({"DISPLAY": ":0"}, "linux", lambda _display: False)


def test_no_display_reason_per_platform() -> None:
    from readinglist.cli import no_display_reason

    assert no_display_reason({}, "linux")
    assert not no_display_reason({"DISPLAY": ":0"}, "linux", lambda _display: False)
    assert not no_display_reason({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert not no_display_reason({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not no_display_reason({}, "win32") and not no_display_reason({}, "darwin")
