"""File ▸ Export…: the preview follows the choices; the export is written in the background."""

from __future__ import annotations

from PySide6.QtCore import Qt

from .conftest import WAIT_MS, import_and_wait


def test_preview_and_export_of_the_selection(qtbot, open_window, sample, tmp_path):
    window = open_window()
    import_and_wait(qtbot, window, [sample], show_report=False)
    window.focus_list()
    window.table.move(1)
    chosen = window.table.current_id()
    title = window.library.get(chosen).title
    dialog = window.export_dialog(ids=[chosen])
    qtbot.addWidget(dialog)
    assert dialog.scope.currentText().startswith("Selected papers (1)")
    dialog.format.setCurrentIndex(dialog.format.findData("md"))
    preview = dialog.preview.toPlainText()
    assert title in preview
    # The preview is the Markdown source: no line may end in a stray backslash ("6 authors\").
    assert "Links: " in preview
    assert not [line for line in preview.splitlines() if line.endswith("\\")]
    dialog.format.setCurrentIndex(dialog.format.findData("bibtex"))
    assert "@" in dialog.preview.toPlainText()
    target = tmp_path / "out.bib"
    task = dialog.start(target)
    with qtbot.waitSignal(task.finished, timeout=WAIT_MS):
        pass
    assert task.error is None
    text = target.read_text(encoding="utf-8")
    assert text.count("@") == 1
    assert "Exported 1 paper" in window.statusBar().currentMessage()


def test_all_papers_export_to_json(qtbot, open_window, sample, tmp_path):
    import json

    window = open_window()
    _d, (report,) = import_and_wait(qtbot, window, [sample], show_report=False)
    dialog = window.export_dialog()
    qtbot.addWidget(dialog)
    dialog.scope.setCurrentIndex(len(dialog.scopes) - 1)  # All papers
    dialog.format.setCurrentIndex(dialog.format.findData("json"))
    task = dialog.start(tmp_path / "all.json")
    with qtbot.waitSignal(task.finished, timeout=WAIT_MS):
        pass
    data = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    papers = data["papers"] if isinstance(data, dict) else data
    assert len(papers) == report.new


def test_back_up_then_restore_through_the_writer(qtbot, open_window, sample, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from .conftest import wait_writes

    window = open_window()
    import_and_wait(qtbot, window, [sample], show_report=False)
    first = window.library.list_ids()[0]
    window.backups.back_up_now()
    wait_writes(qtbot, window)
    made = window.statusBar().currentMessage()
    assert made.startswith("Backed up to ")
    backup_path = made.removeprefix("Backed up to ")
    window.library.set_starred([first], True)  # changed after the backup
    offered: list[str] = []

    def choose(_parent, _caption, _folder, file_filter):
        offered.append(file_filter)
        return backup_path, ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", choose)
    window.backups.restore()
    # Restore reads SQLite backups only: the dialog offers no other kind of file.
    assert offered == ["Backups (*.db);;All files (*)"]
    qtbot.waitUntil(lambda: window.backups.confirmation is not None, timeout=WAIT_MS)
    box = window.backups.confirmation
    text = box.informativeText()
    total = window.library.count()
    assert f"{total:,} papers, 0 notes" in text  # the backup, and the library now
    assert "the marks and tags of 1 paper changed since" in text
    # Enter answers with the default button, Cancel: nothing is restored.
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.backups.confirmation is None, timeout=WAIT_MS)
    wait_writes(qtbot, window)
    assert window.library.get(first).starred

    window.backups.restore()
    qtbot.waitUntil(lambda: window.backups.confirmation is not None, timeout=WAIT_MS)
    box = window.backups.confirmation
    restore = next(b for b in box.buttons() if b.text() == "Restore")
    restore.click()
    wait_writes(qtbot, window)
    qtbot.waitUntil(lambda: "Restored" in window.statusBar().currentMessage(), timeout=WAIT_MS)
    assert not window.library.get(first).starred


def test_preview_counts_every_paper_of_the_export_not_the_three_shown(
    qtbot, open_window, sample
):
    window = open_window()
    _d, (report,) = import_and_wait(qtbot, window, [sample], show_report=False)
    ids = window.library.list_ids()
    window.library.set_starred(ids[:4], True)
    dialog = window.export_dialog()
    qtbot.addWidget(dialog)
    dialog.scope.setCurrentIndex(len(dialog.scopes) - 1)  # All papers
    for fmt in ("md", "html"):
        dialog.format.setCurrentIndex(dialog.format.findData(fmt))
        text = dialog.preview.toPlainText()
        assert f"{report.new} papers" in text, fmt
        assert "4 starred" in text, fmt
        assert "3 papers" not in text, fmt
    assert f"and {report.new - 3} more papers in the file" in text
