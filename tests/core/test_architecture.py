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


# --- the GUI's own modules: controllers get collaborators, nothing imports the window back ----


def gui_imports() -> dict[str, set[str]]:
    """Which readinglist.gui modules each gui module imports (anywhere in it, TYPE_CHECKING too)."""
    import ast

    graph: dict[str, set[str]] = {}
    for path in sorted((ROOT / "gui").glob("*.py")):
        name = f"readinglist.gui.{path.stem}"
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
                # "from readinglist.gui import theme" imports the module readinglist.gui.theme
                found |= {f"{node.module}.{alias.name}" for alias in node.names}
        graph[name] = {m for m in found if m.startswith("readinglist.gui.") and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import circle, each as the path that closes it."""
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the current path, 2 done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                found.append([*path[path.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def test_only_the_app_imports_the_main_window() -> None:
    graph = gui_imports()
    assert "readinglist.gui.mainwindow" in graph
    importers = sorted(m for m, deps in graph.items() if "readinglist.gui.mainwindow" in deps)
    assert importers == ["readinglist.gui.app"]


def test_gui_modules_import_no_circle() -> None:
    assert cycles(gui_imports()) == []


def test_the_circle_finder_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c", "a"]]


# --- only the library package runs SQL ---------------------------------------------------------

SQL_MODULES = {"sqlite3", "sqlite_utils"}


def sql_uses(path: Path) -> list[str]:
    """Where a module imports a SQLite binding or reaches a database connection."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [(node.module or "").split(".")[0]]
        else:
            names = []
        found += [f"line {node.lineno}: imports {n}" for n in names if n in SQL_MODULES]
        # library.db / .conn (the connection) and .execute… on anything: SQL being run.
        if isinstance(node, ast.Attribute) and node.attr in ("db", "conn", "execute",
                                                             "executemany", "executescript"):
            found.append(f"line {node.lineno}: .{node.attr}")
    return found


def test_only_the_library_package_runs_sql() -> None:
    outside = [
        path for path in ROOT.rglob("*.py")
        if "library" not in path.relative_to(ROOT).parts[:1]
    ]  # fmt: skip
    assert len(outside) > 40
    uses = {
        str(path.relative_to(ROOT)): found for path in outside if (found := sql_uses(path))
    }
    assert uses == {}


def test_the_sql_check_finds_sql() -> None:
    # The check itself: a module of the library package does run SQL.
    assert sql_uses(ROOT / "library" / "store.py")


def imported_packages(path: Path) -> set[str]:
    """The top-level packages a module imports (at any depth of its code)."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.add((node.module or "").split(".")[0])
    return found


def test_only_the_search_engine_package_imports_whoosh() -> None:
    # Swapping the engine (or the Whoosh distribution) touches readinglist/search/engine/ only.
    engine = ROOT / "search" / "engine"
    users = sorted(
        str(path.relative_to(ROOT)) for path in ROOT.rglob("*.py")
        if "whoosh" in imported_packages(path)
    )  # fmt: skip
    assert users, "the check found no Whoosh import at all"
    assert [u for u in users if not (ROOT / u).is_relative_to(engine)] == []
