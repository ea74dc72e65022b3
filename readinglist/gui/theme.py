"""Light and dark palettes, the base font size, and the few style rules the window needs."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication


@dataclass(frozen=True, slots=True)
class Colors:
    window: str
    base: str
    alt_base: str
    text: str
    muted: str
    border: str
    sidebar: str
    accent: str
    accent_text: str
    highlight_term: str  # background of search terms in the abstract
    star: str
    link: str


LIGHT = Colors(
    window="#f6f6f4", base="#ffffff", alt_base="#fafaf8", text="#1f2328", muted="#6a737d",
    border="#dcdcd8", sidebar="#efefec", accent="#2f6fdb", accent_text="#ffffff",
    highlight_term="#fff1a8", star="#d99a00", link="#1f5fc8",
)
DARK = Colors(
    window="#1e1f22", base="#25262a", alt_base="#2a2b30", text="#e6e6e3", muted="#9aa0a6",
    border="#3a3b40", sidebar="#1a1b1e", accent="#4c8df6", accent_text="#ffffff",
    highlight_term="#6b5a12", star="#f2c14e", link="#8ab4f8",
)


def system_is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def colors_for(theme: str) -> Colors:
    if theme == "dark" or (theme == "system" and system_is_dark()):
        return DARK
    return LIGHT


def palette_for(c: Colors) -> QPalette:
    p = QPalette()
    roles = QPalette.ColorRole
    for role, value in (
        (roles.Window, c.window), (roles.WindowText, c.text), (roles.Base, c.base),
        (roles.AlternateBase, c.alt_base), (roles.Text, c.text), (roles.Button, c.window),
        (roles.ButtonText, c.text), (roles.ToolTipBase, c.base), (roles.ToolTipText, c.text),
        (roles.Highlight, c.accent), (roles.HighlightedText, c.accent_text),
        (roles.Link, c.link), (roles.PlaceholderText, c.muted), (roles.Mid, c.border),
        (roles.Midlight, c.border), (roles.Light, c.alt_base), (roles.Dark, c.border),
        (roles.Shadow, c.border),
    ):
        p.setColor(role, QColor(value))
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.Text, roles.WindowText, roles.ButtonText):
        p.setColor(disabled, role, QColor(c.muted))
    return p


def stylesheet_for(c: Colors) -> str:
    # Only what the palette cannot say: borders, the sidebar tint, roomy rows.
    return f"""
    QMainWindow::separator {{ background: {c.border}; width: 1px; height: 1px; }}
    QSplitter::handle {{ background: {c.border}; }}
    QSplitter::handle:horizontal {{ width: 1px; }}
    QSplitter::handle:vertical {{ height: 1px; }}
    #Sidebar {{ background: {c.sidebar}; border: none; }}
    #Sidebar::item {{ padding: 3px 4px; }}
    #PaperTable {{ border: none; }}
    #PaperTable::item {{ padding: 0 6px; }}
    QHeaderView::section {{
        background: {c.window}; color: {c.muted}; border: none;
        border-bottom: 1px solid {c.border}; padding: 4px 6px;
    }}
    #DetailPane {{ background: {c.base}; }}
    #DetailPane QTextBrowser, #DetailPane QPlainTextEdit, #DetailPane QLineEdit,
    #DetailPane QListWidget {{ border: 1px solid {c.border}; border-radius: 4px;
        background: {c.base}; }}
    #DetailPane QLineEdit {{ padding: 3px 4px; }}
    #DetailPane QLineEdit:focus, #DetailPane QPlainTextEdit:focus {{ border-color: {c.accent}; }}
    #DetailTitle {{ font-weight: 600; }}
    #DetailMeta, #Muted {{ color: {c.muted}; }}
    #SearchField {{ padding: 4px 8px; border: 1px solid {c.border}; border-radius: 6px;
        background: {c.base}; }}
    #SearchField:focus {{ border-color: {c.accent}; }}
    #SearchInfo {{ color: {c.muted}; }}
    #Welcome QLabel#WelcomeTitle {{ font-weight: 600; }}
    QStatusBar {{ color: {c.muted}; }}
    QStatusBar QLabel {{ padding: 0 8px; }}
    QStatusBar::item {{ border: none; }}
    """


def apply(app: QApplication, theme: str, font_size: int) -> Colors:
    """Apply the theme and base font size to the whole application; returns the colours."""
    app.setStyle("Fusion")
    colors = colors_for(theme)
    app.setPalette(palette_for(colors))
    font = QFont(app.font())
    default = _default_point_size(app)
    font.setPointSize(font_size or default)
    app.setFont(font)
    app.setStyleSheet(stylesheet_for(colors))
    return colors


_DEFAULT_SIZE: list[int] = []


def _default_point_size(app: QApplication) -> int:
    if not _DEFAULT_SIZE:
        size = app.font().pointSize()
        _DEFAULT_SIZE.append(size if size > 0 else 10)
    return _DEFAULT_SIZE[0]


def default_point_size() -> int:
    app = QApplication.instance()
    return _default_point_size(app) if isinstance(app, QApplication) else 10
