"""The first-run view of an empty library: import digests, or open the sample."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class WelcomeView(QWidget):
    import_requested = Signal()
    sample_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Welcome")
        title = QLabel("Welcome to Reading List", self)
        title.setObjectName("WelcomeTitle")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setWeight(QFont.Weight.DemiBold)
        title.setFont(font)
        text = QLabel(
            "Your library is empty. Import the digests you saved from the Hugging Face papers "
            "pages — files or whole folders; you can also drop them on this window.\n\n"
            "Not sure yet? Press Enter to open the sample library and look around.",
            self,
        )
        text.setWordWrap(True)
        text.setObjectName("Muted")
        text.setMaximumWidth(520)
        text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        # Centred by stretches, not by an alignment flag: a flag would size the label from
        # its one-line hint and cut the wrapped second paragraph off.
        text_row = QHBoxLayout()
        text_row.addStretch(1)
        text_row.addWidget(text, 100)
        text_row.addStretch(1)
        self.import_button = QPushButton("Import digests…", self)
        self.import_button.clicked.connect(self.import_requested)
        # A new user's first key press (Enter or Space) opens the sample library.
        self.sample_button = QPushButton("Open the sample library", self)
        self.sample_button.setDefault(True)
        self.sample_button.clicked.connect(self.sample_requested)
        for button in (self.import_button, self.sample_button):
            button.setMinimumHeight(button.sizeHint().height() + 8)
            button.setMinimumWidth(button.sizeHint().width() + 24)
        self.setFocusProxy(self.sample_button)
        buttons = QHBoxLayout()
        buttons.setSpacing(12)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.sample_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(title, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(12)
        layout.addLayout(text_row)
        layout.addSpacing(20)
        layout.addLayout(buttons)
        layout.addStretch(3)
