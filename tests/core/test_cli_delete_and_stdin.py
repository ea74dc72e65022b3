"""`readinglist delete` / `undelete`, `import --undelete` and `import -` (a digest on stdin)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.core.test_cli import DIGEST, SECOND, cli, papers


def _id(home: Path, start: str) -> str:
    return next(p["id"] for p in papers(home) if p["title"].startswith(start))


def test_delete_then_reimport_skips_then_undelete_brings_back(tmp_path: Path) -> None:
    home = tmp_path / "home"
    digest = tmp_path / "mar14.txt"
    digest.write_text(DIGEST, encoding="utf-8")
    assert cli(home, "import", str(digest)).returncode == 0
    target = _id(home, "Calibrated")
    assert cli(home, "star", target).returncode == 0
    assert cli(home, "note", target, "keep this thought").returncode == 0
    assert cli(home, "tag", target, "retrieval").returncode == 0

    result = cli(home, "delete", target[:6])
    assert result.returncode == 0, result.stderr
    assert f"deleted {target}" in result.stdout
    assert target not in [p["id"] for p in papers(home)]
    listed = cli(home, "undelete", "--list")
    assert listed.returncode == 0 and target in listed.stdout and "Calibrated" in listed.stdout

    # The same papers in a new file: the deleted one stays deleted and the report says so.
    again = tmp_path / "copy.txt"
    again.write_text(DIGEST.replace("Mar 14", "Mar 15"), encoding="utf-8")
    result = cli(home, "import", str(again))
    assert result.returncode == 0, result.stderr
    assert "2 already known, 1 skipped as deleted (--undelete brings them back)" in result.stdout
    assert target not in [p["id"] for p in papers(home)]

    result = cli(home, "import", "--undelete", "--json", str(again))
    assert result.returncode == 0, result.stderr
    (report,) = json.loads(result.stdout)
    assert (report["status"], report["undeleted"]) == ("already-imported", 1)
    back = next(p for p in papers(home) if p["id"] == target)
    assert back["starred"] and back["note"] == "keep this thought"
    assert back["tags"] == ["retrieval"]


def test_undelete_by_id_and_errors(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert cli(home, "import", "-", stdin=DIGEST).returncode == 0
    target = _id(home, "Diffusion")
    assert cli(home, "delete", target, "--json").returncode == 0
    assert cli(home, "delete", target).returncode == 2  # no longer a live paper
    assert cli(home, "undelete", "ffff").returncode == 2
    result = cli(home, "undelete", target[:5])
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("restored ") and "Diffusion" in result.stdout
    assert cli(home, "undelete", "--json").stdout.strip() == "[]"


def test_import_reads_standard_input_once_and_records_it_by_time(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = cli(home, "import", "-", stdin=DIGEST)
    assert result.returncode == 0, result.stderr
    assert "<stdin " in result.stdout and "3 new, 0 already known" in result.stdout
    again = cli(home, "import", "--json", "-", stdin=DIGEST)
    (report,) = json.loads(again.stdout)
    assert report["status"] == "already-imported"
    assert len(papers(home)) == 3

    mixed = tmp_path / "jan16.txt"
    mixed.write_text(SECOND, encoding="utf-8")
    result = cli(home, "import", "-", str(mixed), stdin="Not a digest at all.\n")
    assert result.returncode == 1
    assert "refused" in result.stdout and "jan16.txt [Jan 16]: 1 new" in result.stdout
    assert cli(home, "import", "-", "-", stdin=DIGEST).returncode == 2
