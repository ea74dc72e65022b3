"""The settings dialog: theme, text size and the watched folder, applied as they change."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from readinglist import paths
from readinglist.gui.settings import FONT_SIZES, Settings
from readinglist.gui.theme import default_point_size
from readinglist.gui.title_bar import title_bar_width

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
        self.folder_label = QLabel(self)
        self.folder_label.setWordWrap(True)
        self.folder_label.setMinimumWidth(320)  # room for a path, and for the help below it
        self.choose_folder = QPushButton("Choose…", self)
        self.choose_folder.setAutoDefault(False)
        self.choose_folder.clicked.connect(self._choose_folder)
        self.stop_watching = QPushButton("Stop Watching", self)
        self.stop_watching.setAutoDefault(False)
        self.stop_watching.clicked.connect(lambda: self._set_folder(""))
        folder_buttons = QHBoxLayout()
        folder_buttons.addWidget(self.choose_folder)
        folder_buttons.addWidget(self.stop_watching)
        folder_buttons.addStretch(1)
        folder_help = QLabel(
            "Digests saved into this folder are imported when they appear.", self
        )
        folder_help.setObjectName("Muted")
        folder_help.setWordWrap(True)
        folder_box = QVBoxLayout()
        folder_box.addWidget(self.folder_label)
        folder_box.addLayout(folder_buttons)
        folder_box.addWidget(folder_help)
        self._show_folder()
        where = QLabel(f"Stored in {paths.settings_path()}", self)
        where.setObjectName("Muted")
        where.setTextFormat(Qt.TextFormat.PlainText)
        # One line, never wrapped: a wrapped label in a form gets one line's height and loses
        # the rest at large text sizes. The dialog is as wide as the path.
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.accept)
        form = QFormLayout(self)
        form.addRow("Theme", self.theme)
        form.addRow("Text size", self.font_size)
        form.addRow("Watched folder", folder_box)
        form.addRow(where)
        form.addRow(buttons)
        self.fit()

    def fit(self) -> None:
        """As wide as the title bar's whole title, as high as the wrapped lines at that width.

        Qt sizes a dialog by its widest shape; its wrapping labels (the folder's help at a
        large text size) then need lines the dialog had no room for, and lost them.
        """
        layout = self.layout()
        width = max(title_bar_width(self), layout.minimumSize().width())
        height = max(layout.minimumSize().height(), self.heightForWidth(max(width, self.width())))
        if (width, height) != self.minimumSize().toTuple():
            self.setMinimumSize(width, height)

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        # A new text size or folder changes what the rows need: LayoutRequest follows.
        if event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.FontChange):
            self.fit()
        if event.type() == QEvent.Type.FontChange and self.isVisible():
            # Smaller text: the dialog shrinks with it, once the rows have their new sizes.
            QTimer.singleShot(0, self.adjustSize)
        return handled

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.fit()  # narrower: the labels wrap to more lines

    def _apply(self) -> None:
        self.settings.theme = self.theme.currentData()
        size = self.font_size.value()
        self.settings.font_size = 0 if size == default_point_size() else size
        self.changed.emit()

    def _show_folder(self) -> None:
        folder = self.settings.watched_folder
        self.folder_label.setText(folder or "None")
        self.stop_watching.setEnabled(bool(folder))

    def _choose_folder(self) -> None:
        start = self.settings.watched_folder or self.settings.last_import_folder or str(Path.home())
        folder = QFileDialog.getExistingDirectory(self, "Watch a folder for digests", start)
        if folder:
            self._set_folder(folder)

    def _set_folder(self, folder: str) -> None:
        self.settings.watched_folder = folder
        self._show_folder()
        self.changed.emit()
