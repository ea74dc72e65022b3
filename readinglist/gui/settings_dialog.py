"""The settings dialog: theme and text size, applied as they change."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from readinglist import paths
from readinglist.gui.settings import FONT_SIZES, Settings
from readinglist.gui.theme import default_point_size

THEME_NAMES = {"system": "Follow the system", "light": "Light", "dark": "Dark"}


class SettingsDialog(QDialog):
    changed = Signal()  # settings were modified in place; the window re-applies them

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.settings = settings
        self.theme = QComboBox(self)
        for key, name in THEME_NAMES.items():
            self.theme.addItem(name, key)
        self.theme.setCurrentIndex(list(THEME_NAMES).index(settings.theme))
        self.theme.currentIndexChanged.connect(self._apply)
        self.font_size = QSpinBox(self)
        self.font_size.setRange(FONT_SIZES.start, FONT_SIZES.stop - 1)
        self.font_size.setSuffix(" pt")
        self.font_size.setValue(settings.font_size or default_point_size())
        self.font_size.valueChanged.connect(self._apply)
        where = QLabel(f"Stored in {paths.settings_path()}", self)
        where.setObjectName("Muted")
        where.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.accept)
        form = QFormLayout(self)
        form.addRow("Theme", self.theme)
        form.addRow("Text size", self.font_size)
        form.addRow(where)
        form.addRow(buttons)

    def _apply(self) -> None:
        self.settings.theme = self.theme.currentData()
        size = self.font_size.value()
        self.settings.font_size = 0 if size == default_point_size() else size
        self.changed.emit()
