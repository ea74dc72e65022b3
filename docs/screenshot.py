"""Render the main window on the sample library to PNG for the README (offscreen Qt).

    .venv/bin/python docs/screenshot.py [--out docs/images/main-window.png] [--theme light]

It pastes the sample digest shipped in the package into a temporary library (the same import
as Edit ▸ Paste Digest), stars and annotates a couple of papers the way a reader would,
searches, deletes a paper (the status bar offers Ctrl+Z), and grabs the window with the list's
context menu open on the paper shown (Paste Digest, Delete). The menu is a window of its own:
it is grabbed apart and drawn where it opened.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

OUT = Path(__file__).resolve().parent / "images" / "main-window.png"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--theme", choices=("light", "dark"), default="light")
    parser.add_argument("--query", default="model")
    parser.add_argument("--size", default="1360x820")
    args = parser.parse_args(argv)
    home = Path(tempfile.mkdtemp(prefix="readinglist-shot-"))
    os.environ["READINGLIST_HOME"] = str(home)

    from PySide6.QtCore import QEventLoop, QPoint, QTimer
    from PySide6.QtGui import QPainter

    from readinglist.gui.actions import ActionId
    from readinglist.gui.app import application
    from readinglist.gui.import_flow import sample_digest_path
    from readinglist.gui.mainwindow import MainWindow
    from readinglist.gui.settings import Settings
    from readinglist.library import Library

    def settle(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    sample = sample_digest_path()
    if sample is None:
        print("the sample digest is missing from the package", file=sys.stderr)
        return 1
    with Library.open(home) as library:
        library.import_text(sample.read_text(encoding="utf-8"))
        ids = library.list_ids(sort="upvotes")
        # The paper shown: one the README's query finds in its abstract.
        focus = next((i for i in ids if library.get(i).title.startswith("Quiet Attention")), ids[0])
        ids.remove(focus)
        ids.insert(0, focus)
        library.set_starred(ids[:3], True)
        library.set_read(ids[3:9], True)
        library.add_tags(ids[:2], ["to reproduce"])
        library.set_note(
            ids[0], "Try the retrieval-head probe on our 7B model.\nCompare with sliding window."
        )

    app = application()
    window = MainWindow(Library.open(home), Settings(theme=args.theme))
    width, height = (int(v) for v in args.size.split("x"))
    window.resize(width, height)
    window.show()
    settle(600)
    if args.query:
        window.search.field.setText(args.query)
        settle(900)
    window.focus_list()
    # Delete a paper the reader has no use for: the status bar says so and offers Ctrl+Z.
    window.table.select_id(ids[-1])
    settle(300)
    window.actions[ActionId.DELETE].trigger()
    settle(500)
    window.table.select_id(ids[0])
    settle(500)
    # Right click on the paper shown: the menu opens at the pointer, over its title.
    table = window.table
    row = table.visualRect(table.currentIndex())
    at = QPoint(table.columnViewportPosition(1) + 220, row.center().y())
    menu = table.context_menu()
    menu.popup(table.viewport().mapToGlobal(at))
    settle(300)
    shot = window.grab()
    painter = QPainter(shot)
    painter.drawPixmap(window.mapFromGlobal(menu.pos()), menu.grab())
    painter.end()
    menu.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    shot.save(str(args.out))
    window.close()
    window.library.close()
    app.processEvents()
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
