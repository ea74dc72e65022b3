"""A pane that scrolls up and down only when the window is shorter than the pane can be."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QScrollArea, QStackedWidget, QWidget


class ScrollsWhenShort(QScrollArea):
    """Holds ``pane`` at the full size it is given, never shorter than its minimum height.

    QScrollArea's resizable mode gives a pane with wrapping labels the height they ask for at
    its width: the detail pane took its whole abstract, note and related list at their
    preferred heights, so it scrolled even at the default text size and its abstract no
    longer scrolled by itself (Space). Here the pane fills the room as it did outside a
    scroll area, and only room shorter than its minimum height (large text in a 640-pixel
    window) scrolls it. Its width is never cut: the scroll area asks for it.
    """

    def __init__(self, pane: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidgetResizable(False)
        self.setWidget(pane)
        pane.installEventFilter(self)
        if isinstance(pane, QStackedWidget):
            pane.currentChanged.connect(self._fit)

    def _bar_width(self) -> int:
        return self.verticalScrollBar().sizeHint().width()

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        pane = self.widget()
        width = pane.minimumSizeHint().expandedTo(pane.minimumSize()).width()
        return QSize(width + self._bar_width(), super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:  # noqa: N802
        hint = self.widget().sizeHint()
        return QSize(hint.width() + self._bar_width(), hint.height())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        # The pane's needs changed (a new paper, another text size): size it again, and let
        # the splitter know the width it needs.
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
            self._fit()
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        pane = self.widget()
        room = self.contentsRect().size()
        needed = minimum_height(pane, room.width())
        scrolls = room.height() < needed
        width = room.width()
        if scrolls:
            width -= self._bar_width()
            needed = minimum_height(pane, width)
        # The bar is shown or hidden here, not "as needed": the pane's width depends on it.
        policy = Qt.ScrollBarPolicy
        self.setVerticalScrollBarPolicy(
            policy.ScrollBarAlwaysOn if scrolls else policy.ScrollBarAlwaysOff
        )
        pane.resize(max(width, 0), max(room.height(), needed))


def minimum_height(widget: QWidget, width: int) -> int:
    """The least height ``widget`` shows all of itself in at ``width``: wrapped lines count.

    A widget's minimum size is for its widest shape; at a narrower width its wrapping labels
    take more lines (the detail pane's title and metadata at large text sizes).
    """
    height = widget.minimumSizeHint().expandedTo(widget.minimumSize()).height()
    if isinstance(widget, QStackedWidget):
        page = widget.currentWidget()
        return max(height, minimum_height(page, width)) if page is not None else height
    layout = widget.layout()
    if layout is not None and layout.hasHeightForWidth():
        height = max(height, layout.minimumHeightForWidth(width))
    return height
