"""JSON exports imported from the window are merged; deleted papers stay deleted until asked."""

from __future__ import annotations

from pathlib import Path

from readinglist.export import write_export
from readinglist.export.json_import import MergeReport

from .conftest import WAIT_MS, import_and_wait, wait_writes


def _export(window, path: Path) -> Path:
    library = window.library
    write_export(path, library.papers(library.list_ids()), "json", digests=library.digests())
    return path


def test_merging_an_export_skips_deleted_papers_then_brings_them_back(
    qtbot, open_window, sample, tmp_path
):
    window = open_window()
    import_and_wait(qtbot, window, [sample], show_report=False)
    target, other = window.model.id_at(0), window.model.id_at(1)
    window.library.set_note(target, "a note from before")
    exported = _export(window, tmp_path / "backup.json")
    window.edits.delete([target, other])
    wait_writes(qtbot, window)
    qtbot.waitUntil(lambda: target not in window.model.ids, timeout=WAIT_MS)
    total = window.library.count()

    dialog, reports = import_and_wait(qtbot, window, [exported])

    (report,) = reports
    assert isinstance(report, MergeReport) and report.deleted == 2
    assert window.library.count() == total
    assert "2 papers skipped as deleted" in dialog.tree.topLevelItem(0).toolTip(1)
    assert "2 deleted papers skipped" in dialog.summary_label.text()
    button = dialog.undelete_button
    assert button is not None and button.text() == "Bring Back 2 Deleted Papers"

    button.click()
    (again,) = [d for d in window.importing.dialogs if d is not dialog]
    with qtbot.waitSignal(again.finished_import, timeout=WAIT_MS) as blocker:
        pass
    (report,) = blocker.args[0]
    assert report.undeleted == 2 and report.deleted == 0
    assert again.undelete_button is None
    qtbot.waitUntil(lambda: target in window.model.ids and other in window.model.ids,
                    timeout=WAIT_MS)  # fmt: skip
    assert window.library.get(target).note == "a note from before"
    assert window.library.deleted() == []


def test_a_reimported_digest_offers_to_bring_deleted_papers_back(
    qtbot, open_window, sample, tmp_path
):
    window = open_window()
    import_and_wait(qtbot, window, [sample], show_report=False)
    target = window.model.id_at(0)
    window.edits.delete([target])
    wait_writes(qtbot, window)
    copy = tmp_path / "copy.txt"
    # The same papers in another file (another digest): the deleted paper is skipped.
    copy.write_text(sample.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")

    dialog, reports = import_and_wait(qtbot, window, [copy])

    assert reports[0].deleted == 1 and target not in window.model.ids
    dialog.undelete_button.click()
    qtbot.waitUntil(lambda: target in window.model.ids, timeout=WAIT_MS)
    assert window.library.deleted() == []


def test_a_damaged_export_is_refused_in_the_report(qtbot, open_window, sample, tmp_path):
    window = open_window()
    import_and_wait(qtbot, window, [sample], show_report=False)
    exported = _export(window, tmp_path / "e.json")
    exported.write_text(exported.read_text(encoding="utf-8")[:-40], encoding="utf-8")

    dialog, reports = import_and_wait(qtbot, window, [exported])

    assert reports[0].status == "refused" and "not valid JSON" in reports[0].refused
    assert dialog.undelete_button is None
