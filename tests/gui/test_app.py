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


def test_demo_stopped_with_sigterm_removes_its_temporary_folder(tmp_path):
    import signal
    import time

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TMPDIR=str(scratch))
    env.pop("READINGLIST_HOME", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "readinglist", "--demo"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        # Whether the signal comes while the sample is imported or once the window is up,
        # the folder goes; poll the file system for it, then stop the app at once.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            homes = list(scratch.glob("readinglist-demo-*"))
            if homes and (homes[0] / "library.db").exists():
                break
            assert process.poll() is None, process.communicate()
            time.sleep(0.05)
        assert homes, "the demo never created its folder"
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode in (0, 128 + signal.SIGTERM), stderr  # not killed by it
    assert not list(scratch.glob("readinglist-demo-*"))
