"""Shared fixtures: an isolated library folder, the real digests (when present), offscreen Qt."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Qt must never try to reach a display in tests; an inherited "xcb" with no display aborts pytest.
os.environ["QT_QPA_PLATFORM"] = "offscreen"

SHARED_DIGESTS = Path(__file__).resolve().parents[1].parent / "shared" / "digests"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-slow", action="store_true",
        help="also run the tests marked slow (CI does; a plain run leaves them out)",
    )


def _runs_slow(config: pytest.Config) -> bool:
    """Whether the tests marked slow run (the quick loop, without them, is the default).

    They do with --run-slow (as .ci/run passes), when a -m expression chooses for itself
    (``pytest -m slow``) and when tests are named (``pytest tests/core/test_cli.py::test_x``).
    """
    return bool(
        config.getoption("--run-slow")
        or config.getoption("markexpr")
        or any("::" in arg for arg in config.args)
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _runs_slow(config):
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]


def pytest_report_header(config: pytest.Config) -> str | None:
    if _runs_slow(config):
        return None
    return "tests marked slow are left out (deselected): pytest --run-slow runs them too"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty READINGLIST_HOME for one test."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("READINGLIST_HOME", str(folder))
    return folder


@pytest.fixture
def shared_digests() -> Path:
    """The real digest files users sent us; the test is skipped when ../shared is absent."""
    files = sorted(SHARED_DIGESTS.glob("*.txt")) if SHARED_DIGESTS.is_dir() else []
    if not files:
        pytest.skip(f"real digests not found at {SHARED_DIGESTS}")
    return SHARED_DIGESTS


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
