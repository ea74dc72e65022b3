"""Shared fixtures: an isolated library folder, the real digests (when present), offscreen Qt."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Qt must never try to reach a display in tests; an inherited "xcb" with no display aborts pytest.
os.environ["QT_QPA_PLATFORM"] = "offscreen"

SHARED_DIGESTS = Path(__file__).resolve().parents[1].parent / "shared" / "digests"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


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
