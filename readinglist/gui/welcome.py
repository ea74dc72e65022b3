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
            "Not sure yet? Open the sample library to look around.",
            self,
        )
        text.setWordWrap(True)
        text.setObjectName("Muted")
        text.setFixedWidth(520)
        text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.import_button = QPushButton("Import digests…", self)
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.import_requested)
        self.sample_button = QPushButton("Open the sample library", self)
        self.sample_button.clicked.connect(self.sample_requested)
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
        layout.addWidget(text, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(20)
        layout.addLayout(buttons)
        layout.addStretch(3)
