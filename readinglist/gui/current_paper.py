"""The paper in the detail pane: shown at once, its match highlights and related papers after."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

from readinglist.gui.browsing import Browsing
from readinglist.gui.detail import DetailPane
from readinglist.gui.listing import ReaderContext
from readinglist.gui.tasks import Task, Worker
from readinglist.library import Library, UnknownPaper
from readinglist.search import IndexUnavailable
from readinglist.search.status import IndexStatus

RELATED_DELAY_MS = 350


class CurrentPaper(QObject):
    """Shows the current paper; asks the workers for what is costly only once the user rests.

    ``typing_in`` is the search field: while it has the focus, related papers wait.
    """

    def __init__(
        self,
        *,
        library: Library,
        reader: Worker,
        related_worker: Worker,
        detail: DetailPane,
        browsing: Browsing,
        typing_in: QWidget,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.reader = reader
        self.related_worker = related_worker
        self.detail = detail
        self.browsing = browsing
        self.typing_in = typing_in
        self._stopped = False
        self._related_for = ""
        self._related_shown = ""  # the paper whose related papers are on screen
        self._related_retry = ""  # the paper the index had no related papers for yet
        self._related_pending = False
        self._related_task: Task | None = None
        self._shown_query = ""  # the search the shown paper's highlights were asked for
        self._related_timer = QTimer(self)
        self._related_timer.setSingleShot(True)
        self._related_timer.setInterval(RELATED_DELAY_MS)
        self._related_timer.timeout.connect(self._related_when_settled)

    def stop(self) -> None:
        self._stopped = True
        self._related_timer.stop()

    def show(self, paper_id: str) -> None:
        """The list's current paper; nothing is redone when the list only moved around it.

        A list refreshed after each file of an import selects the same paper again: it is
        shown already, and its changes reach the pane through the store's notices
        (``Browsing.on_change``). Reading it again cost the UI thread SQL queries whose every
        row waited for the GIL while the import's Python ran.
        """
        shown = self.detail.paper
        if (paper_id and shown is not None and shown.id == paper_id
                and self.browsing.request.query == self._shown_query):
            return
        self.show_anew(paper_id)

    def show_anew(self, paper_id: str) -> None:
        """Show this paper as the store has it now (changed by another process, say)."""
        if self._stopped:
            return
        if not paper_id:
            self.detail.show_paper(None)
            return
        try:
            paper = self.library.get(paper_id)
        except UnknownPaper:
            self.detail.show_paper(None)
            return
        self.detail.show_paper(paper, self.browsing.terms)
        self._shown_query = self.browsing.request.query
        if self._shown_query:
            self._load_spans(paper_id)
        if paper_id == self._related_shown or (paper_id == self._related_for and (
            self._related_timer.isActive() or self._related_pending
            or (self._related_task is not None and not self._related_task.is_finished)
        )):
            # The same paper again (the list refreshed around it, e.g. after each file of an
            # import): its related papers are on screen or on their way; the costly query is
            # not asked again (asked again, it started over, seconds of the index's time).
            return
        self._related_for = paper_id
        self._related_timer.start()

    def on_index_status(self, status: IndexStatus) -> None:
        """The index changed: related papers it could not give yet are asked again.

        On a first run (or ``--demo``) the window shows a paper before the index exists; a
        user who stays on it gets its related papers once the index is ready.
        """
        if self._stopped or status.building or status.generation < 0:
            return
        paper = self.detail.paper
        if self._related_retry and paper is not None and paper.id == self._related_retry:
            self._related_retry = ""
            self._related_for = paper.id
            self._related_timer.start()

    def resume_related(self) -> None:
        """The user left the search field: ask for the related papers put off while typing."""
        if self._related_pending:
            self._related_timer.start()

    def _related_when_settled(self) -> None:
        # More-like-this is the costliest query (seconds on a large library) and holds the
        # index while it runs: ask only once the user rests on a paper, not while typing a
        # search or flying through the list with j/k.
        if self._stopped or not self._related_for:
            return
        if self.typing_in.hasFocus():
            self._related_pending = True
            return
        self._related_pending = False
        self._load_related(self._related_for)

    def _load_related(self, paper_id: str) -> None:
        def related(ctx: ReaderContext) -> list[tuple[str, str]] | None:
            try:
                results = ctx.search_index().related(paper_id, limit=8, library=ctx.library)
            except IndexUnavailable:
                return None  # the index is being built (first run, --demo): not a failure
            return [(row["id"], row["title"]) for row in ctx.library.rows(results.ids)]

        def show(found: list[tuple[str, str]] | None) -> None:
            if found is not None:  # else asked again on a visit, or when the index is ready
                self._related_shown = paper_id
            # Nothing found may be an index still empty or behind: ask when it changes.
            self._related_retry = "" if found else paper_id
            self.detail.show_related(paper_id, found or [])

        task = self.related_worker.submit(related, name="Related papers", key="related")
        self._related_task = task
        task.on_done(show)
        task.on_error(lambda _error: self.detail.show_related(paper_id, []))

    def _load_spans(self, paper_id: str) -> None:
        """Exactly what the query matched in this abstract (stems, prefixes, fuzzy words)."""
        browsing = self.browsing
        query = browsing.request.query

        def spans(ctx: ReaderContext) -> list[tuple[int, int]]:
            abstract = ctx.library.get(paper_id).abstract
            return ctx.search_index().match_spans(abstract, query)

        def show(found: list[tuple[int, int]]) -> None:
            if query == browsing.request.query:
                self.detail.set_spans(paper_id, found)

        self.reader.submit(spans, name="Highlights", key="spans").on_done(show)
