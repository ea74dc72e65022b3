"""Imports refuse what is not a digest: our own exports, pipes and devices, huge files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from readinglist.digests import reader
from readinglist.library import Library
from tests.core.store_support import cli, write_digest
from tests.reliability.support import make_library, no_traceback

KINDS = {
    "md": "Markdown export of Reading List",
    "html": "HTML export of Reading List",
    "csv": "CSV export of Reading List",
    "bibtex": "BibTeX export of Reading List",
    "ris": "RIS export of Reading List",
}


@pytest.mark.parametrize("fmt", sorted(KINDS))
def test_our_own_exports_are_refused_saying_what_they_are(home: Path, tmp_path: Path, fmt):
    make_library(home, papers=8)
    out = tmp_path / f"export.{fmt}"
    assert cli(home, "export", "--format", fmt, "-o", str(out)).returncode == 0
    with Library.open(home) as library:
        before = library.count()
        report = library.import_file(out)
        assert report.status == "refused"
        assert KINDS[fmt] in report.refused
        assert "JSON export" in report.refused  # what to do instead
        assert library.count() == before


def test_the_cli_refuses_them_all_and_still_merges_json(home: Path, tmp_path: Path):
    make_library(home, papers=8)
    outs = []
    for fmt in [*sorted(KINDS), "json"]:
        out = tmp_path / f"export.{fmt}"
        assert cli(home, "export", "--format", fmt, "-o", str(out)).returncode == 0
        outs.append(out)
    other = tmp_path / "other"
    result = cli(other, "import", *map(str, outs))
    no_traceback(result)
    assert result.returncode == 1  # some were refused
    for fmt, words in KINDS.items():
        line = next(x for x in result.stdout.splitlines() if f"export.{fmt}:" in x)
        assert "refused" in line and words in line, line
    with Library.open(other) as library:
        assert library.count() == 8  # exactly the papers of the JSON export, no junk


def test_other_bibliographies_are_refused_too(home: Path, tmp_path: Path):
    bib = tmp_path / "refs.bib"
    bib.write_text("@article{x,\n  title = {A}\n}\n", encoding="utf-8")
    ris = tmp_path / "refs.ris"
    ris.write_text("TY  - JOUR\nTI  - A\nER  - \n", encoding="utf-8")
    with Library.open(home) as library:
        assert "BibTeX file" in library.import_file(bib).refused
        assert "RIS bibliography" in library.import_file(ris).refused


def test_a_digest_is_still_a_digest(home: Path, tmp_path: Path):
    digest = write_digest(tmp_path / "d.txt", range(4))
    with Library.open(home) as library:
        assert library.import_file(digest).new == 4


def test_a_fifo_and_a_device_are_refused_without_hanging(home: Path, tmp_path: Path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    result = cli(home, "import", str(fifo), "/dev/zero", timeout=60)
    no_traceback(result)
    assert result.returncode == 1
    assert result.stdout.count("not a regular file") == 2, result.stdout


def test_a_file_beyond_the_size_limit_is_refused(home: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(reader, "MAX_DIGEST_BYTES", 1000)
    digest = write_digest(tmp_path / "d.txt", range(10))
    with Library.open(home) as library:
        report = library.import_file(digest)
    assert report.status == "refused" and "too large" in report.refused
