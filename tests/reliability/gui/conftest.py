"""The GUI fixtures of tests/gui, for the reliability tests that drive the window."""

from __future__ import annotations

from tests.gui.conftest import open_window, sample  # noqa: F401 - fixtures by name
