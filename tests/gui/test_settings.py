"""Settings: round trip, tolerance of bad files, atomic writes."""

from __future__ import annotations

import json

from readinglist import paths
from readinglist.gui.settings import SETTINGS_VERSION, Settings


def test_round_trip_under_config_folder(home):
    settings = Settings(theme="dark", font_size=14, geometry="abc", descending=False)
    settings.save()
    assert paths.settings_path().is_relative_to(home)
    loaded = Settings.load()
    assert loaded == settings
    assert json.loads(paths.settings_path().read_text())["version"] == SETTINGS_VERSION


def test_bad_values_fall_back_to_defaults(home):
    path = paths.settings_path()
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"theme": "purple", "font_size": 300, "sort": 5, "extra": 1}))
    loaded = Settings.load()
    assert (loaded.theme, loaded.font_size, loaded.sort) == ("system", 0, "added")


def test_corrupt_file_gives_defaults(home):
    path = paths.settings_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x00{not json")
    assert Settings.load() == Settings()


def test_settings_dialog_applies_theme_and_size_at_once(qtbot, home):
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    from readinglist.gui.mainwindow import MainWindow
    from readinglist.gui.settings_dialog import SettingsDialog
    from readinglist.library import Library

    window = MainWindow(Library.open(home), Settings(theme="light"))
    qtbot.addWidget(window)
    light = QApplication.palette().color(QPalette.ColorRole.Base).lightness()
    dialog = SettingsDialog(window.settings, window)
    qtbot.addWidget(dialog)
    dialog.changed.connect(window.apply_settings)
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    assert QApplication.palette().color(QPalette.ColorRole.Base).lightness() < light
    dialog.font_size.setValue(17)
    assert QApplication.font().pointSize() == 17
    assert window.settings.theme == "dark" and window.settings.font_size == 17
    window.close()
    assert Settings.load().theme == "dark"
    window.library.close()
    from readinglist.gui import theme

    theme.apply(QApplication.instance(), "light", 0)  # later tests see the defaults again
