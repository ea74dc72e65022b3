"""One name per digest: its date label, else its file's name, else "Digest N" (CLI and exports)."""

from __future__ import annotations

import json
from pathlib import Path

from readinglist.export import grouping
from readinglist.library import Library
from readinglist.library.model import digest_name

from .store_support import cli

UNDATED = Path(__file__).parent.parent / "fixtures" / "digests" / "glued-subscribe.txt"


def test_digest_name_prefers_label_then_file_then_id():
    assert digest_name(3, "Mar 14", "/x/2025-03-14.txt") == "Mar 14"
    assert digest_name(3, None, "/home/me/digests/monday.txt") == "monday.txt"
    assert digest_name(3, "", "<pasted 2025-03-14 09:30:05>") == "<pasted 2025-03-14 09:30:05>"
    assert digest_name(3, None, None) == "Digest 3"


def test_show_and_export_name_an_undated_digest_by_its_file(tmp_path):
    home = tmp_path / "home"
    assert cli(home, "import", str(UNDATED)).returncode == 0
    first = json.loads(cli(home, "list", "--json", "--limit", "1").stdout)[0]
    shown = cli(home, "show", first["id"]).stdout
    assert f"seen in: {UNDATED.name}" in shown
    library = Library.open(home)
    try:
        papers = library.papers([first["id"]])
        groups = grouping.group_papers(papers, "digest", library.digests())
    finally:
        library.close()
    assert [g.title for g in groups] == [UNDATED.name]
