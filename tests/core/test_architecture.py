"""The core never imports Qt: every module outside readinglist.gui imports with PySide6 blocked."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import readinglist

ROOT = Path(readinglist.__file__).resolve().parent

BLOCK_QT_AND_IMPORT = """
import importlib, sys

class BlockQt:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6"):
            raise ImportError(f"core module tried to import {name}")
        return None

sys.meta_path.insert(0, BlockQt())
for name in sys.argv[1:]:
    importlib.import_module(name)
leaked = sorted(m for m in sys.modules if m.startswith(("PySide6", "shiboken6")))
assert not leaked, leaked
print("imported", len(sys.argv) - 1)
"""


def core_modules() -> list[str]:
    names = []
    for module in pkgutil.walk_packages([str(ROOT)], prefix="readinglist."):
        if module.name == "readinglist.gui" or module.name.startswith("readinglist.gui."):
            continue
        if module.name.endswith("__main__"):
            continue
        names.append(module.name)
    return names


def test_core_modules_are_found() -> None:
    names = core_modules()
    for expected in ("readinglist.paths", "readinglist.cli", "readinglist.cli.library",
                     "readinglist.digests.model", "readinglist.library.model"):
        assert expected in names


def test_core_imports_without_qt() -> None:
    names = core_modules()
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_QT_AND_IMPORT, *names],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"imported {len(names)}" in result.stdout


def test_the_blocker_catches_a_qt_import(tmp_path: Path) -> None:
    # The check above is only worth something if the blocker really refuses Qt.
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_QT_AND_IMPORT, "PySide6.QtCore"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "core module tried to import PySide6" in result.stderr
