"""The paper in the detail pane: shown at once, its match highlights and related papers after."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from readinglist.gui.listing import ReaderContext
from readinglist.library import UnknownPaper

if TYPE_CHECKING:
    from readinglist.gui.mainwindow import MainWindow

RELATED_DELAY_MS = 350


class CurrentPaper(QObject):
    """Shows the current paper; asks the workers for what is costly only once the user rests."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._related_for = ""
        self._related_shown = ""  # the paper whose related papers are on screen
        self._related_pending = False
        self._related_timer = QTimer(self)
        self._related_timer.setSingleShot(True)
        self._related_timer.setInterval(RELATED_DELAY_MS)
        self._related_timer.timeout.connect(self._related_when_settled)

    def show(self, paper_id: str) -> None:
        w = self.window
        if w._closing:
            return
        if not paper_id:
            w.detail.show_paper(None)
            return
        try:
            paper = w.library.get(paper_id)
        except UnknownPaper:
            w.detail.show_paper(None)
            return
        w.detail.show_paper(paper, w.browsing.terms)
        if w.browsing.request.query:
            self._load_spans(paper_id)
        if paper_id == self._related_shown:
            # The same paper again (the list refreshed around it, e.g. after an import): its
            # related papers are on screen already; the costly query is not run again.
            return
        self._related_for = paper_id
        self._related_timer.start()

    def resume_related(self) -> None:
        """The user left the search field: ask for the related papers put off while typing."""
        if self._related_pending:
            self._related_timer.start()

    def _related_when_settled(self) -> None:
        # More-like-this is the costliest query (seconds on a large library) and holds the
        # index while it runs: ask only once the user rests on a paper, not while typing a
        # search or flying through the list with j/k.
        if self.window._closing or not self._related_for:
            return
        if self.window.search.field.hasFocus():
            self._related_pending = True
            return
        self._related_pending = False
        self._load_related(self._related_for)

    def _load_related(self, paper_id: str) -> None:
        def related(ctx: ReaderContext) -> list[tuple[str, str]]:
            results = ctx.search_index().related(paper_id, limit=8, library=ctx.library)
            return [(row["id"], row["title"]) for row in ctx.library.rows(results.ids)]

        def show(found: list[tuple[str, str]]) -> None:
            self._related_shown = paper_id
            self.window.detail.show_related(paper_id, found)

        task = self.window.related_worker.submit(related, name="Related papers", key="related")
        task.on_done(show)
        task.on_error(lambda _error: self.window.detail.show_related(paper_id, []))

    def _load_spans(self, paper_id: str) -> None:
        """Exactly what the query matched in this abstract (stems, prefixes, fuzzy words)."""
        browsing = self.window.browsing
        query = browsing.request.query

        def spans(ctx: ReaderContext) -> list[tuple[int, int]]:
            abstract = ctx.library.get(paper_id).abstract
            return ctx.search_index().match_spans(abstract, query)

        def show(found: list[tuple[int, int]]) -> None:
            if query == browsing.request.query:
                self.window.detail.set_spans(paper_id, found)

        self.window.reader.submit(spans, name="Highlights", key="spans").on_done(show)
