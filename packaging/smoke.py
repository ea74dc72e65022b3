"""Smoke-test a frozen or installed ``readinglist``: version, the CLI on the sample, the window.

The same checks run on the one-folder app right after PyInstaller and on ``/usr/bin/readinglist``
after the .deb is installed, each in throwaway HOME and XDG folders so nothing touches the
user's real library.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

import release
from freeze import step
from release import Release

SAMPLE = Path("readinglist", "resources", "sample", "sample-digest.txt")
WINDOW_ICON = Path("readinglist", "resources", "icons", "readinglist-256.png")
GUI_ENTRY = release.ROOT / "readinglist" / "gui" / "app.py"
TIMEOUT = 180  # seconds; a cold start of the frozen app on a loaded CI machine takes a few


def smoke_test(exe: Path, rel: Release, *, gui: bool | None = None) -> None:
    """Fail (SystemExit) unless ``exe`` reports its version, imports the sample and opens.

    ``gui=None`` opens the window only when the source tree has the desktop app's entry point.
    """
    exe = Path(exe)
    if not exe.exists():
        raise SystemExit(f"{exe}: no such executable; build it first")
    with tempfile.TemporaryDirectory(prefix="readinglist-smoke-") as tmp:
        env = _isolated_env(Path(tmp))
        _check_version(exe, rel, env)
        _check_package_data(exe)
        _check_cli(exe, env, Path(tmp) / "library")
        if gui is None:
            gui = GUI_ENTRY.exists()
            if not gui:
                print(f"SKIPPED the window check: {GUI_ENTRY.relative_to(release.ROOT)} "
                      "does not exist yet in this source tree")
        if gui:
            _check_window(exe, env)
    print(f"smoke test passed: {exe}")


def _isolated_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("READINGLIST_", "XDG_"))}
    for name, sub in (("HOME", "home"), ("XDG_CONFIG_HOME", "config"),
                      ("XDG_DATA_HOME", "data"), ("XDG_CACHE_HOME", "cache"),
                      ("XDG_RUNTIME_DIR", "runtime"), ("TMPDIR", "tmp")):
        folder = tmp / sub
        folder.mkdir(mode=0o700)
        env[name] = str(folder)
    env["LANG"] = env.get("LANG") or "C.UTF-8"
    return env


def _run(exe: Path, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    print(f"$ {exe} {' '.join(args)}", flush=True)
    started = time.perf_counter()
    try:
        done = subprocess.run([str(exe), *args], env=env, capture_output=True, text=True,
                              timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as error:
        raise SystemExit(f"{exe} {' '.join(args)}: still running after {TIMEOUT} s") from error
    print(f"  exit {done.returncode} in {time.perf_counter() - started:.1f} s")
    if done.returncode != 0 or "Traceback (most recent call last)" in done.stderr:
        raise SystemExit(
            f"{exe} {' '.join(args)} failed (exit {done.returncode})\n"
            f"--- stdout\n{done.stdout[-4000:]}\n--- stderr\n{done.stderr[-4000:]}"
        )
    return done


def _check_version(exe: Path, rel: Release, env: dict[str, str]) -> None:
    step("smoke: --version without a display")
    # No display and the X11 platform forced: if --version started Qt, Qt would abort.
    headless = {k: v for k, v in env.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    headless["QT_QPA_PLATFORM"] = "xcb"
    out = _run(exe, ["--version"], headless).stdout.strip()
    expected = f"{rel.name} {rel.version}"
    if out != expected:
        raise SystemExit(f"{exe} --version printed {out!r}, expected {expected!r}")
    print(f"  {out}")


def _bundled(exe: Path, relative: Path) -> Path | None:
    """``relative`` inside the frozen app that ``exe`` (or the symlink to it) belongs to."""
    folder = exe.resolve().parent
    for base in (folder / "_internal", folder.parent / "Resources", folder.parent / "Frameworks"):
        if (base / relative).is_file():
            return base / relative
    return None


def _check_package_data(exe: Path) -> None:
    step("smoke: package data shipped")
    for relative in (SAMPLE, WINDOW_ICON):
        found = _bundled(exe, relative)
        if found is None:
            if (release.ROOT / relative).is_file():
                raise SystemExit(f"{relative} is in the source tree but not in the frozen app")
            print(f"  SKIPPED {relative}: not in the source tree yet")
        else:
            print(f"  {found}")


def _check_cli(exe: Path, env: dict[str, str], library: Path) -> None:
    step("smoke: the command line on the sample digest")
    sample = _bundled(exe, SAMPLE) or release.ROOT / SAMPLE
    if not sample.is_file():
        print(f"  SKIPPED: {SAMPLE} does not exist yet")
        return
    env = {**env, "READINGLIST_HOME": str(library)}
    _run(exe, ["import", str(sample)], env)
    papers = json.loads(_run(exe, ["list", "--json"], env).stdout)
    if not papers:
        raise SystemExit(f"{exe} list --json: no papers after importing {sample}")
    stats = json.loads(_run(exe, ["stats", "--json"], env).stdout)
    print(f"  imported {len(papers)} papers; stats: {stats.get('papers')} papers")
    # The search index (Whoosh, whose modules load by name) is where a frozen app breaks first.
    first = papers[0]
    word = next(iter(re.findall(r"[A-Za-z]{5,}", first["title"])), None)
    if word is None:
        return
    for query in (word.lower(), f"{word.lower()[:-1]}~"):
        found = json.loads(_run(exe, ["search", query, "--limit", "100", "--json"], env).stdout)
        if first["id"] not in {hit["id"] for hit in found.get("results", [])}:
            raise SystemExit(f"{exe} search {query!r} did not find {first['title']!r}")
    print(f"  search found {first['title']!r} by {word.lower()!r} and by a typo")


def _check_window(exe: Path, env: dict[str, str]) -> None:
    step("smoke: open the main window offscreen on the sample library")
    _run(exe, ["--demo", "--smoke-test"], {**env, "QT_QPA_PLATFORM": "offscreen"})
