"""The one place where the window tells the user something went wrong (or right): a bar above the content.

Errors stay until dismissed and offer their technical details; information fades after a while. An action
button (e.g. "Show skipped files") can be attached to a message (such a message stays until dismissed).

The bar keeps its place and height whether a message shows or not (three lines of text; the whole text is
also its tooltip), so the page below never jumps when a message appears or fades and a click meant for a
button lands on that button.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMessageBox, QPushButton, QSizePolicy, QToolButton

LINES = 3  # the bar's height, in lines of text

STYLES = {
    "error": "background:#fde2e1; color:#611a15; border:1px solid #e8a5a0;",
    "warning": "background:#fff4d6; color:#5c4400; border:1px solid #e6c766;",
    "info": "background:#e3f1fd; color:#0b3d66; border:1px solid #9cc7ee;",
}


class MessageBar(QFrame):
    shown = Signal(str, str)  # level, text

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.level = ""
        self._detail = ""
        self._action: Callable[[], None] | None = None
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.action_button = QPushButton()
        self.action_button.clicked.connect(self._run_action)
        self.details_button = QPushButton(self.tr("Details…"))
        self.details_button.clicked.connect(self._show_details)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip(self.tr("Dismiss"))
        close.clicked.connect(self.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(self.details_button)
        layout.addWidget(close)
        self._fade = QTimer(self, singleShot=True, interval=8000, timeout=self.clear)
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # hidden, it still holds its place: nothing below moves
        policy.setVerticalPolicy(QSizePolicy.Fixed)
        self.setSizePolicy(policy)
        self.setFixedHeight(LINES * self.fontMetrics().lineSpacing() + 12 + 4)
        self.hide()

    def text(self) -> str:
        return self.label.text() if self.level else ""

    def show_message(self, level: str, text: str, detail: str = "", action: tuple[str, Callable] | None = None):
        self.level = level
        self._detail = detail
        self.label.setText(text)
        self.label.setToolTip(text)
        self.setStyleSheet(f"#messageBar {{{STYLES[level]} border-radius:4px;}} QLabel {{border:none;}}")
        self.details_button.setVisible(bool(detail))
        self._action = action[1] if action else None
        self.action_button.setVisible(action is not None)
        if action:
            self.action_button.setText(action[0])
        self.show()
        self._fade.stop()
        if level == "info" and action is None:
            self._fade.start()
        self.shown.emit(level, text)

    def error(self, text: str, detail: str = "") -> None:
        self.show_message("error", text, detail)

    def clear(self) -> None:
        self.level = ""
        self.label.clear()
        self.hide()

    def _run_action(self) -> None:
        if self._action is not None:
            self._action()

    def _show_details(self) -> None:
        box = QMessageBox(QMessageBox.Warning, self.tr("Details"), self.label.text(), QMessageBox.Close, self)
        box.setDetailedText(self._detail)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.open()
