"""How wide a window must be for the title bar to show its whole title.

Qt shows a window's title followed by the application's name ("Settings — Reading List"), in
the title bar's bold font, beside the window manager's icon and buttons. A small dialog sized
by its contents alone is narrower than that, and its title is cut ("Settings — Rea…").
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication
from PySide6.QtWidgets import QStyle, QWidget


def shown_title(window: QWidget) -> str:
    """The title as the title bar shows it (Qt appends the application's display name)."""
    title = window.windowTitle()
    name = QGuiApplication.applicationDisplayName()
    return f"{title} — {name}" if name and name != title else title


def title_bar_width(window: QWidget) -> int:
    """The width that holds the whole title, the window icon and three window buttons."""
    font = QFont(window.font())
    font.setBold(True)  # title bars use a bold face, larger on some desktops: room for it
    font.setPointSizeF(font.pointSizeF() * 1.15)
    # The icon and the three buttons are square, as high as the title bar, which the window
    # manager sizes (not our text size); one more square for the margins.
    bar = window.style().pixelMetric(QStyle.PixelMetric.PM_TitleBarHeight, None, window)
    decorations = 5 * max(bar, 24)
    return QFontMetrics(font).horizontalAdvance(shown_title(window)) + decorations
