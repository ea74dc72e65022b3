"""Render the main window on the sample library to PNG for the README (offscreen Qt).

    .venv/bin/python docs/screenshot.py [--out docs/images/main-window.png] [--theme light]

It imports the sample digest shipped in the package into a temporary library, stars and
annotates a couple of papers the way a reader would, searches, and grabs the window.
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

    from PySide6.QtCore import QEventLoop, QTimer

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
        for _ in library.import_files([sample]):
            pass
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
    window.table.select_id(ids[0])
    settle(500)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(args.out))
    window.close()
    window.library.close()
    app.processEvents()
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
