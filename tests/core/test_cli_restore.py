"""`readinglist restore`: the question names the backup and says what a restore would lose."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.test_cli import DIGEST, cli, papers


def _restore_at_a_terminal(home: Path, backup: str, answer: str) -> tuple[int, str]:
    """Run `readinglist restore BACKUP` with a terminal on stdin and type ``answer``."""
    leader, follower = os.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "readinglist", "restore", backup],
            stdin=follower, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "READINGLIST_HOME": str(home)},
        )
        os.write(leader, answer.encode() + b"\n")
        out, _ = process.communicate(timeout=120)
    finally:
        os.close(leader)
        os.close(follower)
    return process.returncode, out


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_the_question_names_the_backup_and_what_would_be_lost(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert cli(home, "import", "-", stdin=DIGEST).returncode == 0
    first = papers(home)[0]["id"]
    made = cli(home, "backup", "--json")
    assert made.returncode == 0, made.stderr
    backup = json.loads(made.stdout)["path"]
    assert cli(home, "note", first, "written after the backup").returncode == 0

    code, out = _restore_at_a_terminal(home, backup, "")
    assert code == 1, out
    assert "(manual), 3 papers, 0 notes." in out  # which backup: date, kind, papers, notes
    assert "Your library now: 3 papers, 1 note." in out
    assert "Restoring loses 1 note written or changed since" in out
    assert "Restore? [y/N]" in out and "Nothing restored." in out
    assert next(p for p in papers(home) if p["id"] == first)["note"]  # Enter means no

    code, out = _restore_at_a_terminal(home, backup, "y")
    assert code == 0, out
    assert not next(p for p in papers(home) if p["id"] == first)["note"]
