"""A read-only home: reading commands still work, writing ones say why in one line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.reliability.support import make_library, no_traceback

NOBODY = 65534


def as_user_without_write_access(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``readinglist ARGS``, unable to write ``home`` (as nobody, or chmod when not root)."""
    command = [sys.executable, "-m", "readinglist", *args]
    if os.geteuid() == 0:  # root writes anywhere: run as nobody instead
        command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]
    env = {**os.environ, "READINGLIST_HOME": str(home), "HOME": str(home.parent)}
    return subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=120, check=False,
        cwd=home.parent,
    )


@pytest.fixture
def read_only_home():
    base = Path(tempfile.mkdtemp(prefix="readinglist-ro-"))
    home = base / "home"
    try:
        ids = make_library(home)
        for suffix in ("-wal", "-shm"):  # a library closed cleanly has neither
            Path(f"{home / 'library.db'}{suffix}").unlink(missing_ok=True)
        for path in [base, *base.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)  # readable by all, writable by owner
        if os.geteuid() != 0:
            for path in [home, *home.rglob("*")]:
                path.chmod(0o555 if path.is_dir() else 0o444)
        probe = as_user_without_write_access(home, "--version")
        if probe.returncode != 0:
            pytest.skip(f"cannot run as another user here: {probe.stderr.strip()[:200]}")
        yield home, ids
    finally:
        for path in [base, *base.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        shutil.rmtree(base, ignore_errors=True)


def test_reading_commands_work_in_a_read_only_home(read_only_home):
    home, ids = read_only_home
    for args in (["list"], ["stats"], ["show", ids[0]], ["export", "-f", "md"]):
        result = as_user_without_write_access(home, *args)
        no_traceback(result)
        assert result.returncode == 0, (args, result.stderr)
        assert result.stdout
    written = as_user_without_write_access(home, "star", ids[3])
    no_traceback(written)
    assert written.returncode == 1
    assert "readonly" in written.stderr or "read-only" in written.stderr
    assert written.stderr.strip().count("\n") == 0
