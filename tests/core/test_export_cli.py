"""`readinglist export`, `backup` and `restore` end to end, as a new user would run them."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
import rispy

from readinglist.export.json_export import schema
from tests.core.store_support import write_digest


def run(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "READINGLIST_HOME": str(home), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "readinglist", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        input=stdin,
        timeout=120,
        check=False,
    )


def ok(home: Path, *args: str) -> str:
    result = run(home, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library with two digests, three starred papers with notes and tags, one read."""
    folder = tmp_path_factory.mktemp("cli")
    home = folder / "home"
    jan = write_digest(folder / "jan16.txt", range(6), label="Jan 16", metadata=True)
    mar = write_digest(folder / "mar14.txt", range(4, 9), label="Mar 14")
    ok(home, "import", str(jan), str(mar))
    papers = json.loads(ok(home, "list", "--sort", "title", "--json"))
    first, second, third = (p["id"] for p in papers[:3])
    ok(home, "star", first, second, third)
    ok(home, "read", first)
    ok(home, "note", first, '<script>alert("x")</script> read it\n=1+1 is not a formula')
    ok(home, "note", second, "@misc{evil} and 100% {braces}")
    ok(home, "tag", first, "vision")
    ok(home, "tag", second, "vision", "to read")
    return home


def copy_of(library: Path, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    source = sqlite3.connect(library / "library.db")
    target = sqlite3.connect(home / "library.db")
    source.backup(target)
    source.close()
    target.close()
    return home


def test_export_starred_with_notes_to_every_format_opens_in_its_reader(
    library: Path, tmp_path: Path
) -> None:
    for name in ("starred.md", "starred.html", "starred.csv", "starred.json", "starred.bib",
                 "starred.ris"):  # fmt: skip
        result = run(library, "export", "--starred", "-o", str(tmp_path / name))
        assert result.returncode == 0, result.stderr
        assert "Exported 3 papers" in result.stderr

    md = (tmp_path / "starred.md").read_text(encoding="utf-8")
    assert md.startswith("# Reading list: Starred papers\n")
    assert "\\<script\\>" in md and "> " in md

    html = (tmp_path / "starred.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<script" not in html

    rows = list(csv.DictReader(io.StringIO((tmp_path / "starred.csv").read_text("utf-8"))))
    assert len(rows) == 3
    notes = {row["note"] for row in rows}
    assert "'@misc{evil} and 100% {braces}" in notes  # neutralised for spreadsheets

    data = json.loads((tmp_path / "starred.json").read_text("utf-8"))
    jsonschema.validate(data, schema())
    assert data["scope"] == "Starred papers" and len(data["papers"]) == 3

    bib = bibtexparser.parse_string((tmp_path / "starred.bib").read_text("utf-8"))
    assert not bib.failed_blocks and len(bib.entries) == 3
    assert any("annote" in entry for entry in bib.entries)

    records = rispy.loads((tmp_path / "starred.ris").read_text("utf-8"))
    assert len(records) == 3 and all(r["type_of_reference"] == "GEN" for r in records)


def test_export_to_stdout_defaults_to_markdown_and_follows_the_scope(library: Path) -> None:
    out = ok(library, "export", "--tag", "vision", "--group", "tag")
    assert out.startswith("# Reading list: Tag: vision\n")
    assert "## to read (1 paper)" in out and "## vision (2 papers)" in out
    ris = ok(library, "export", "--digest", "Mar 14", "--format", "ris")
    assert len(rispy.loads(ris)) == 5
    ids = [p["id"] for p in json.loads(ok(library, "list", "--sort", "title", "--json"))]
    # An id of digits (and an "e") is marked as text for spreadsheets with an apostrophe.
    csv_ids = [row["id"].removeprefix("'") for row in csv.DictReader(io.StringIO(
        ok(library, "export", "--format", "csv", "--sort", "title")
    ))]  # fmt: skip
    assert csv_ids == ids  # the order a listing shows
    unread = json.loads(ok(library, "export", "--unread", "--starred", "-f", "json"))
    assert len(unread["papers"]) == 2 and unread["scope"] == "Starred unread papers"


def test_export_by_search_query(library: Path) -> None:
    out = ok(library, "export", "--query", "is:starred", "--format", "json")
    data = json.loads(out)
    assert len(data["papers"]) == 3 and data["scope"] == "Search: is:starred"
    both = json.loads(ok(library, "export", "--query", "is:starred", "--tag", "vision", "-f",
                         "json"))  # fmt: skip
    assert len(both["papers"]) == 2


def test_export_errors_are_clear(library: Path, tmp_path: Path) -> None:
    result = run(library, "export", "--tag", "no-such-tag")
    assert result.returncode == 2 and "no tag named 'no-such-tag'" in result.stderr
    result = run(library, "export", "--digest", "Dec 25")
    assert result.returncode == 2 and "no digest named" in result.stderr
    result = run(library, "export", "-o", str(tmp_path / "list.txt"))
    assert result.returncode == 2 and "cannot tell the format" in result.stderr
    result = run(library, "export", "-f", "md", "-o", str(tmp_path / "missing" / "x.md"))
    assert result.returncode == 1 and "no such folder" in result.stderr


def test_json_export_imports_into_a_new_library_with_every_paper_and_state(
    library: Path, tmp_path: Path
) -> None:
    exported = tmp_path / "everything.json"
    ok(library, "export", "-o", str(exported))
    fresh = tmp_path / "new-machine"
    out = ok(fresh, "import", str(exported))
    assert "9 new" in out
    before = json.loads(ok(library, "list", "--sort", "title", "--json"))
    after = json.loads(ok(fresh, "list", "--sort", "title", "--json"))
    assert after == before
    again = ok(fresh, "import", str(exported))
    assert "nothing changed" in again


def test_backup_list_and_restore(library: Path, tmp_path: Path) -> None:
    home = copy_of(library, tmp_path)
    out = ok(home, "backup", str(tmp_path / "snap.db"))
    assert "Backed up 9 papers" in out
    made = json.loads(ok(home, "backup", "--json"))
    assert Path(made["path"]).parent == home / "backups" and made["papers"] == 9
    assert {e["kind"] for e in json.loads(ok(home, "backup", "--list", "--json"))} == {"manual"}
    ok(home, "stats")  # the first command of the day that opens the library makes the daily one
    listed = json.loads(ok(home, "backup", "--list", "--json"))
    assert sorted(entry["kind"] for entry in listed) == ["daily", "manual"]

    starred = [p["id"] for p in json.loads(ok(home, "list", "--starred", "--json"))]
    ok(home, "unstar", *starred)
    refused = run(home, "restore", str(tmp_path / "snap.db"), stdin="")
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert json.loads(ok(home, "list", "--starred", "--json")) == []

    report = json.loads(ok(home, "restore", "--yes", "--json", str(tmp_path / "snap.db")))
    assert report["papers"] == 9
    assert Path(report["safety_backup"]).exists()
    assert len(json.loads(ok(home, "list", "--starred", "--json"))) == 3

    not_a_backup = run(home, "restore", "--yes", str(tmp_path / "snap.db.missing"))
    assert not_a_backup.returncode == 1 and "cannot read the file" in not_a_backup.stderr


@pytest.mark.parametrize(("answer", "code", "starred"), [("y", 0, 3), ("", 1, 0), ("no", 1, 0)])
def test_restore_asks_before_replacing_the_library(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture,
    answer: str, code: int, starred: int,
) -> None:  # fmt: skip
    from readinglist.cli import main
    from readinglist.library import Library, PaperFilter

    home = copy_of(library, tmp_path)
    ok(home, "backup", str(tmp_path / "snap.db"))
    with Library.open(home) as lib:
        lib.set_starred(lib.list_ids(), False)
    monkeypatch.setenv("READINGLIST_HOME", str(home))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    questions: list[str] = []
    monkeypatch.setattr("builtins.input", lambda prompt: questions.append(prompt) or answer)
    assert main(["restore", str(tmp_path / "snap.db")]) == code
    assert ", 9 papers, 2 notes." in questions[0] and "backed up first" in questions[0]
    assert "Restoring loses the marks and tags of 3 papers changed since." in questions[0]
    with Library.open(home) as lib:
        assert lib.count(PaperFilter(starred=True)) == starred
    if code:
        assert "Nothing restored." in capsys.readouterr().err
