"""Citation keys: given once, stored, never changed by a later digest; v1 keys as before."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sqlite3
import unicodedata
from pathlib import Path

import bibtexparser
import pytest

from readinglist.export import export
from readinglist.export.json_import import merge_json
from readinglist.library import Library
from readinglist.library.identity import CITATION_KEY
from tests.core.store_support import info, paper


def old_export_key(title: str, published: str | None, paper_id: str) -> str:
    """The key the BibTeX export computed on the fly before keys were stored (the oracle)."""
    skip = set(
        "a an the on of for in to and with from towards toward via is are do does can "
        "how what when why we you your our".split()
    )
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_title)
    word = next((w for w in words if w not in skip and len(w) > 1), None) or "paper"
    year = f"_{published[:4]}" if published else ""
    return f"{word[:20]}{year}_{re.sub(r'[^A-Za-z0-9]', '', paper_id)}"


def bib_keys(text: str) -> dict[str, str]:
    """BibTeX entry key -> title, read by bibtexparser."""
    parsed = bibtexparser.parse_string(text)
    assert not parsed.failed_blocks
    return {e.key: e["title"] for e in parsed.entries}


def test_v1_library_gets_the_keys_its_last_export_had(tmp_path: Path, fixtures_dir: Path) -> None:
    home = tmp_path / "v1"
    home.mkdir()
    shutil.copy(fixtures_dir / "db" / "library-v1.db", home / "library.db")
    conn = sqlite3.connect(home / "library.db")
    expected = {
        pid: old_export_key(title, published, pid)
        for pid, title, published in conn.execute("SELECT id, title, published FROM papers")
    }
    conn.close()
    assert len(expected) == 5
    with Library.open(home) as library:
        assert "m003_citation_keys" in library.upgrade.applied
        papers = library.papers(list(expected))
        assert {p.id: p.citation_key for p in papers} == expected
        text = export(papers, "bibtex")
    assert set(bib_keys(text)) == set(expected.values())


def test_key_is_kept_when_a_later_digest_supplies_the_date(home: Path) -> None:
    with Library.open(home) as library:
        first = library.import_parsed(info("jan.txt"), [paper(1), paper(2, published=None)])
        before = {p.id: p.citation_key for p in library.papers(first.paper_ids)}
        assert all(CITATION_KEY.fullmatch(k) for k in before.values())
        assert not any(re.search(r"_20\d\d_", k) for k in before.values())  # no year yet
        later = library.import_parsed(
            info("mar.txt"),
            [paper(1, published=dt.date(2024, 3, 1)), paper(2, published=dt.date(2023, 5, 2))],
        )
        assert later.known == 2
        after = library.papers(first.paper_ids)
        assert all(p.published is not None for p in after)  # the date did arrive
        assert {p.id: p.citation_key for p in after} == before
        assert set(bib_keys(export(after, "bibtex"))) == set(before.values())


def test_a_paper_first_seen_with_a_date_has_the_year_in_its_key(home: Path) -> None:
    with Library.open(home) as library:
        report = library.import_parsed(
            info(), [paper(3, title="μ-Transfer: Tuning", published=dt.date(2022, 3, 7))]
        )
        (found,) = library.papers(report.paper_ids)
        assert found.citation_key == f"transfer_2022_{found.id}"


def test_json_restore_keeps_keys_and_a_clash_gets_a_suffix(home: Path, tmp_path: Path) -> None:
    import json

    with Library.open(home) as library:
        report = library.import_parsed(info(), [paper(1), paper(2)])
        exported = json.loads(export(library.papers(report.paper_ids), "json"))
    # Keys the other library chose by hand-edit or an older rule: kept on restore.
    exported["papers"][0]["citation_key"] = "mine_2020"
    # This one is already taken by a paper of the receiving library: suffixed, not failed.
    other = tmp_path / "other"
    with Library.open(other) as library:
        taken = library.import_parsed(info("x.txt"), [paper(7)])
        (seventh,) = library.papers(taken.paper_ids)
        exported["papers"][1]["citation_key"] = seventh.citation_key
        merge_json(library, exported)
        by_title = {p.title: p.citation_key for p in library.list_papers()}
    assert by_title[exported["papers"][0]["title"]] == "mine_2020"
    assert by_title[exported["papers"][1]["title"]] == seventh.citation_key + "b"
    assert len(set(by_title.values())) == 3


def test_json_import_refuses_an_unsafe_key(home: Path) -> None:
    import json

    from readinglist.export.json_import import ExportRefused

    with Library.open(home) as library:
        report = library.import_parsed(info(), [paper(1)])
        exported = json.loads(export(library.papers(report.paper_ids), "json"))
    exported["papers"][0]["citation_key"] = "bad key{"
    with Library.open(home / "fresh") as library:
        with pytest.raises(ExportRefused, match="citation_key"):
            merge_json(library, exported)


def test_every_entry_carries_a_plain_key_field(home: Path) -> None:
    with Library.open(home) as library:
        report = library.import_parsed(
            info(), [paper(1, title="PIXART-δ: Fast & {Controllable} 100% \\ok")]
        )
        text = export(library.papers(report.paper_ids), "bibtex")
    (entry,) = bibtexparser.parse_string(text).entries
    assert entry["key"] == "PIXART Fast Controllable 100 ok"
