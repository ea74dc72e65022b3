"""Starting the app as users and the packaging smoke tests do: `readinglist --smoke-test`."""

from __future__ import annotations

import os
import subprocess
import sys


def test_smoke_test_opens_the_window_and_exits_zero(home):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", READINGLIST_HOME=str(home))
    done = subprocess.run(
        [sys.executable, "-m", "readinglist", "--smoke-test"],
        capture_output=True, text=True, timeout=60, env=env,
    )
    assert done.returncode == 0, done.stderr
    assert (home / "library.db").exists()
    assert (home / "config" / "settings.json").exists()  # the window saved its layout on close


def test_demo_opens_a_temporary_sample_library_and_cleans_up(tmp_path):
    script = (
        "import sys, os, pathlib\n"
        "from readinglist.gui import app\n"
        "app.SMOKE_TEST_MS = 300\n"
        "code = app.run(demo=True, smoke_test=True)\n"
        "home = pathlib.Path(os.environ['READINGLIST_HOME'])\n"
        "print(code, home.exists())\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("READINGLIST_HOME", None)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "False"]
