"""Compile the NSIS installer (``packaging/windows/readinglist.nsi``) around the frozen app.

On Windows this makes the real installer from the Windows build. Elsewhere it wraps the local
(Linux) build only to prove the script compiles: the result is named ``*-compile-check.exe`` and
must never be published.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import release
from freeze import run, step
from release import ICONS, WINDOWS_GUI_EXE, Release

NSIS_SCRIPT = release.PACKAGING / "windows" / "readinglist.nsi"


def makensis() -> str:
    """The makensis compiler: on PATH, or where the NSIS installer puts it on Windows."""
    found = shutil.which("makensis")
    if found:
        return found
    for base in (os.environ.get("ProgramFiles(x86)"), os.environ.get("ProgramFiles")):
        candidate = Path(base or "", "NSIS", "makensis.exe")
        if base and candidate.is_file():
            return str(candidate)
    raise SystemExit(
        "makensis not found: install NSIS 3 (Debian: apt-get install nsis; "
        "Windows: https://nsis.sourceforge.io or winget install NSIS.NSIS)"
    )


def installer_path(rel: Release) -> Path:
    if sys.platform == "win32":
        return release.DIST / f"ReadingList-{rel.version}-setup.exe"
    return release.DIST / f"ReadingList-{rel.version}-setup-compile-check.exe"


def defines(rel: Release, app: Path, out: Path) -> dict[str, str]:
    """The ``-D`` values the script needs, all from pyproject.toml and the build."""
    values = {
        "APP_NAME": rel.display_name,
        "APP_VERSION": rel.version,
        "APP_VERSION_4": rel.numeric_version,
        "PUBLISHER": rel.authors,
        "HOMEPAGE": rel.homepage,
        "SOURCE_DIR": str(app),
        "OUTFILE": str(out),
        "ICON": str(ICONS / "readinglist.ico"),
        "GUI_EXE": WINDOWS_GUI_EXE,
        "CLI_EXE": f"{rel.name}.exe",
    }
    licence = release.ROOT / "LICENSE"
    if licence.is_file():
        values["LICENSE_FILE"] = str(licence)
    return values


def build_installer(rel: Release, app: Path) -> Path:
    """Compile the installer around the one-folder ``app`` and return the .exe's path."""
    if not app.is_dir():
        raise SystemExit(f"{app}: no frozen app here; build it first (packaging/build.py linux)")
    compiler = makensis()
    out = installer_path(rel)
    if sys.platform == "win32":
        step(f"NSIS installer {out.name}")
        if not (app / WINDOWS_GUI_EXE).is_file():
            raise SystemExit(f"{app}: no {WINDOWS_GUI_EXE}; was it built on Windows?")
    else:
        step(f"NSIS compile check around the {sys.platform} build (not a usable installer)")
    out.parent.mkdir(parents=True, exist_ok=True)
    command = [compiler, "-V2", "-WX"]  # warnings are errors: a typo'd !define shows up here
    command += [f"-D{key}={value}" for key, value in defines(rel, app, out).items()]
    run([*command, NSIS_SCRIPT])
    print(f"built {out.relative_to(release.ROOT)} ({out.stat().st_size / 2**20:.0f} MiB)")
    if sys.platform != "win32":
        print("  (its payload is this machine's build: it proves the script compiles, no more)")
    return out
