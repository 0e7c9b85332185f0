"""Thumbnails for the views: the project's small PNGs, loaded once and kept in Qt's pixmap cache."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPixmap, QPixmapCache

from ..core.project.store import ImageRecord, Project


def thumbnail(project: Project, image: ImageRecord, size: int) -> QPixmap:
    key = f"thumb:{image.hash}:{size}"
    pixmap = QPixmapCache.find(key)
    if pixmap is None or pixmap.isNull():
        pixmap = QPixmap(str(project.thumbnail(image)))
        if pixmap.isNull():
            pixmap = QPixmap(size, size)
            pixmap.fill(QColor("#bbbbbb"))
        else:
            pixmap = pixmap.scaled(size, size, Qt.KeepAspectRatio, Qt.SmoothTransformation)
        QPixmapCache.insert(key, pixmap)
    return pixmap
