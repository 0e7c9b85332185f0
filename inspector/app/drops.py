"""Accept files and folders dragged from the file manager onto any widget (and its scroll viewport)."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QMimeData, QObject
from PySide6.QtWidgets import QAbstractScrollArea, QMenu, QToolButton, QWidget


def browse_button(text: str, folder_label: str, files_label: str, browse: Callable[[str], None]) -> QToolButton:
    """A tool button whose menu calls ``browse("folder")`` or ``browse("files")``."""
    button = QToolButton()
    button.setText(text)
    button.setPopupMode(QToolButton.InstantPopup)
    menu = QMenu(button)
    menu.addAction(folder_label, lambda: browse("folder"))
    menu.addAction(files_label, lambda: browse("files"))
    button.setMenu(menu)
    return button


def local_paths(mime: QMimeData) -> list[str]:
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile()] if mime.hasUrls() else []


class FileDropFilter(QObject):
    """``FileDropFilter(widget, on_drop)``: ``on_drop(paths)`` is called with the local paths dropped."""

    def __init__(self, widget: QWidget, on_drop: Callable[[list[str]], None]):
        super().__init__(widget)
        self.on_drop = on_drop
        targets = [widget]
        if isinstance(widget, QAbstractScrollArea):
            targets.append(widget.viewport())
        for w in targets:
            w.setAcceptDrops(True)
            w.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.DragEnter, QEvent.DragMove):
            if local_paths(event.mimeData()):
                event.acceptProposedAction()
                return True
        elif kind == QEvent.Drop:
            paths = local_paths(event.mimeData())
            if paths:
                event.acceptProposedAction()
                self.on_drop(paths)
                return True
        return False
