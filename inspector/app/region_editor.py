"""The region to inspect, drawn on a reference good image of the project (Project > Region to inspect…).

Two layers at the image's size: the *region* (a rectangle or a polygon; none = the whole image) and the
*ignore* areas (brush strokes and polygons; the eraser takes them back, restoring what lies under them). What is inspected is
the region minus the ignore strokes, shown with everything not inspected under a translucent red and its
edge in yellow. OK saves it as the project's region (``Project.set_region``, white = inspect; the model then
needs retraining); Cancel changes nothing.

Drawing: Rectangle: press and drag. Polygon (the region) and Ignore polygon: click the corners, double-click or
Enter to close, Esc to drop the corners so far (Esc with no polygon under way is the dialog's Cancel). Ignore
brush and Eraser: press and drag, the size slider sets the brush's diameter in image pixels.
"""

from __future__ import annotations

import cv2
import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from ..core.io.geometry import scale_mask

TOOLS = ("rectangle", "polygon", "brush", "ignore_polygon", "eraser")
POLYGON_TOOLS = ("polygon", "ignore_polygon")
TOOL_LABELS = {"rectangle": QT_TRANSLATE_NOOP("RegionEditor", "Rectangle"),
               "polygon": QT_TRANSLATE_NOOP("RegionEditor", "Polygon"),
               "brush": QT_TRANSLATE_NOOP("RegionEditor", "Ignore brush"),
               "ignore_polygon": QT_TRANSLATE_NOOP("RegionEditor", "Ignore polygon"),
               "eraser": QT_TRANSLATE_NOOP("RegionEditor", "Eraser")}  # English; shown translated (context "RegionEditor")
SHADE = (200, 30, 30, 110)  # RGBA over what is not inspected
MAX_EDIT_SIDE = 1600  # larger images are edited at this size (strokes stay fast); the mask is saved at full size


def _qimage(rgba: np.ndarray) -> QImage:
    h, w = rgba.shape[:2]
    return QImage(rgba.data, w, h, 4 * w, QImage.Format_RGBA8888).copy()


class RegionCanvas(QWidget):
    """The image fitted into the widget, the mask overlay, and the mouse tools (coordinates: image pixels)."""

    edited = Signal()

    def __init__(self, rgb: np.ndarray, region: np.ndarray | None = None, parent=None):
        super().__init__(parent)
        self.setMinimumSize(320, 240)
        self.setMouseTracking(True)
        h, w = rgb.shape[:2]
        self.size_hw = (h, w)  # the image's size: every coordinate of this class's methods is in its pixels
        self.k = min(1.0, MAX_EDIT_SIDE / max(h, w))  # edit (work) pixels per image pixel
        wh, ww = max(1, round(h * self.k)), max(1, round(w * self.k))
        self.work_hw = (wh, ww)
        work = rgb if (wh, ww) == (h, w) else cv2.resize(rgb, (ww, wh), interpolation=cv2.INTER_AREA)
        work = np.ascontiguousarray(work)
        self._image = QImage(work.data, ww, wh, 3 * ww, QImage.Format_RGB888).copy()
        # at the work size; region: True = inside the drawn region (all True: the whole image); ignore: brushed out
        self.region = np.ones((wh, ww), bool) if region is None else scale_mask(region, (wh, ww))
        self.region_drawn = region is not None
        self.ignore = np.zeros((wh, ww), bool)
        self.tool = "rectangle"
        self.brush_size = max(4, round(min(h, w) / 20))
        self.polygon: list[tuple[float, float]] = []  # the corners of the polygon under way (image pixels)
        self._hover: tuple[float, float] | None = None  # the mouse, for the polygon's next edge
        self.setFocusPolicy(Qt.StrongFocus)  # Enter and Esc for the polygon under way
        self._drag_start: tuple[float, float] | None = None
        self._drag_now: tuple[float, float] | None = None
        self._last_brush: tuple[float, float] | None = None
        self._overlay: QImage | None = None
        self._outline: list[np.ndarray] = []
        self._refresh_overlay()

    # --------------------------------------------------------------------------------- the mask
    def mask(self) -> np.ndarray | None:
        """bool ``[h, w]`` at the image's size (True = inspect), or None when the whole image is inspected."""
        inspect = self.region & ~self.ignore
        return None if inspect.all() else scale_mask(inspect, self.size_hw)

    def mask_is_whole(self) -> bool:
        return bool((self.region & ~self.ignore).all())

    def inspected_fraction(self) -> float:
        return float((self.region & ~self.ignore).mean())

    def whole_image(self) -> None:
        self.region[:] = True
        self.region_drawn = False
        self.ignore[:] = False
        self.polygon.clear()
        self._changed()

    def draw_rectangle(self, x0: float, y0: float, x1: float, y1: float) -> None:
        h, w = self.work_hw
        k = self.k
        xa, xb = sorted((int(round(x0 * k)), int(round(x1 * k))))
        ya, yb = sorted((int(round(y0 * k)), int(round(y1 * k))))
        xa, ya, xb, yb = max(0, xa), max(0, ya), min(w, xb), min(h, yb)
        if xb - xa < 1 or yb - ya < 1 or max(xb - xa, yb - ya) / k < 2:
            return
        self.region = np.zeros((h, w), bool)
        self.region[ya:yb, xa:xb] = True
        self.region_drawn = True
        self._changed()

    def add_polygon_point(self, x: float, y: float) -> None:
        self.polygon.append((x, y))
        self.update()

    def close_polygon(self) -> None:
        """Close the polygon under way: the region to inspect (Polygon) or an area to ignore (Ignore polygon).
        Fewer than 3 corners draw nothing."""
        points, self.polygon = self.polygon, []
        self._hover = None
        if len(points) < 3:
            self.update()
            return
        m = np.zeros(self.work_hw, np.uint8)
        cv2.fillPoly(m, [np.round(np.asarray(points) * self.k).astype(np.int32)], 1)
        if not m.any():
            self.update()
            return
        if self.tool == "ignore_polygon":
            self.ignore[m > 0] = True
        else:
            self.region = m > 0
            self.region_drawn = True
        self._changed()

    def cancel_polygon(self) -> bool:
        """Drop the corners of the polygon under way; False when there was none."""
        had = bool(self.polygon)
        self.polygon.clear()
        self._hover = None
        self.update()
        return had

    def paint_stroke(self, x0: float, y0: float, x1: float, y1: float, erase: bool = False) -> None:
        """A brush stroke from (x0, y0) to (x1, y1): ignore (brush) or restore (eraser) under it."""
        m = np.zeros(self.work_hw, np.uint8)
        k, size = self.k, self.brush_size * self.k
        a, b = (int(round(x0 * k)), int(round(y0 * k))), (int(round(x1 * k)), int(round(y1 * k)))
        cv2.line(m, a, b, 1, thickness=max(1, int(round(size))), lineType=cv2.LINE_8)
        cv2.circle(m, b, max(1, int(round(size / 2))), 1, -1)
        self.ignore[m > 0] = not erase
        self._changed()

    def _changed(self) -> None:
        self._refresh_overlay()
        self.edited.emit()

    def _refresh_overlay(self) -> None:
        rgba = np.zeros((*self.work_hw, 4), np.uint8)
        rgba[~(self.region & ~self.ignore)] = SHADE
        self._overlay = _qimage(rgba)
        inspect = (self.region & ~self.ignore).astype(np.uint8)
        contours = cv2.findContours(inspect, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)[0] if not inspect.all() else ()
        # the inspected area's edge, in image pixels
        self._outline = [(c[:, 0, :].astype(np.float64) + 0.5) / self.k for c in contours]
        self.update()

    # ------------------------------------------------------------------------------- geometry
    def _fit(self) -> tuple[float, float, float]:
        """(scale, x offset, y offset) of the image in the widget."""
        h, w = self.size_hw
        s = min(self.width() / w, self.height() / h)
        return s, (self.width() - w * s) / 2.0, (self.height() - h * s) / 2.0

    def to_image(self, pos: QPointF) -> tuple[float, float]:
        s, ox, oy = self._fit()
        h, w = self.size_hw
        return min(max((pos.x() - ox) / s, 0.0), w), min(max((pos.y() - oy) / s, 0.0), h)

    def to_widget(self, x: float, y: float) -> QPointF:
        s, ox, oy = self._fit()
        return QPointF(ox + x * s, oy + y * s)

    # ---------------------------------------------------------------------------------- events
    def mousePressEvent(self, event) -> None:
        if event.button() != Qt.LeftButton:
            return
        x, y = self.to_image(event.position())
        if self.tool == "rectangle":
            self._drag_start = self._drag_now = (x, y)
        elif self.tool in POLYGON_TOOLS:
            self.setFocus(Qt.MouseFocusReason)
            self.add_polygon_point(x, y)
        else:
            self._last_brush = (x, y)
            self.paint_stroke(x, y, x, y, erase=self.tool == "eraser")

    def mouseMoveEvent(self, event) -> None:
        x, y = self.to_image(event.position())
        if self.tool == "rectangle" and self._drag_start is not None:
            self._drag_now = (x, y)
            self.update()
        elif self.tool in POLYGON_TOOLS and self.polygon:
            self._hover = (x, y)
            self.update()
        elif self.tool in ("brush", "eraser") and self._last_brush is not None and event.buttons() & Qt.LeftButton:
            self.paint_stroke(*self._last_brush, x, y, erase=self.tool == "eraser")
            self._last_brush = (x, y)

    def mouseReleaseEvent(self, event) -> None:
        if event.button() != Qt.LeftButton:
            return
        if self.tool == "rectangle" and self._drag_start is not None:
            x, y = self.to_image(event.position())
            start, self._drag_start, self._drag_now = self._drag_start, None, None
            self.draw_rectangle(*start, x, y)
        self._last_brush = None

    def mouseDoubleClickEvent(self, event) -> None:
        if self.tool in POLYGON_TOOLS and event.button() == Qt.LeftButton:
            # the double-click's first click already added its corner; its second press arrives here
            self.close_polygon()

    def keyPressEvent(self, event) -> None:
        if self.polygon and event.key() in (Qt.Key_Return, Qt.Key_Enter):
            self.close_polygon()
        elif self.polygon and event.key() == Qt.Key_Escape:
            self.cancel_polygon()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#202020"))
        s, ox, oy = self._fit()
        h, w = self.size_hw
        target = QRectF(ox, oy, w * s, h * s)
        p.setRenderHint(QPainter.SmoothPixmapTransform)
        p.drawImage(target, self._image)
        if self._overlay is not None:
            p.drawImage(target, self._overlay)
        pen = QPen(QColor("#ffeb3b"), 2)
        p.setPen(pen)
        for pts in self._outline:
            p.drawPolygon(QPolygonF([self.to_widget(x, y) for x, y in pts]))
        if self._drag_start is not None and self._drag_now is not None:
            a, b = self.to_widget(*self._drag_start), self.to_widget(*self._drag_now)
            p.drawRect(QRectF(a, b).normalized())
        if self.polygon:
            if self.tool == "ignore_polygon":  # an area to ignore is drawn in the shade's red
                p.setPen(QPen(QColor("#ff5252"), 2, Qt.DashLine))
            points = self.polygon + ([self._hover] if self._hover is not None else [])
            p.drawPolyline(QPolygonF([self.to_widget(x, y) for x, y in points]))
            for x, y in self.polygon:
                p.drawEllipse(self.to_widget(x, y), 3, 3)
        p.end()


class RegionEditor(QDialog):
    """Draw the project's region to inspect on ``rgb`` (a reference good image); ``mask()`` is the result."""

    def __init__(self, rgb: np.ndarray, region: np.ndarray | None = None, parent=None, title: str = ""):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Region to inspect"))
        self.canvas = RegionCanvas(rgb, region)
        self.tool_buttons: dict[str, QPushButton] = {}
        group = QButtonGroup(self)
        tools = QHBoxLayout()
        for tool in TOOLS:
            b = QPushButton(QCoreApplication.translate("RegionEditor", TOOL_LABELS[tool]))
            b.setCheckable(True)
            b.clicked.connect(lambda _=False, t=tool: self.set_tool(t))
            group.addButton(b)
            tools.addWidget(b)
            self.tool_buttons[tool] = b
        self.tool_buttons["rectangle"].setToolTip(self.tr("Press and drag: the region to inspect"))
        self.tool_buttons["polygon"].setToolTip(self.tr("Click the corners, double-click or Enter to close, Esc to "
                                                        "cancel: the region to inspect"))
        self.tool_buttons["ignore_polygon"].setToolTip(self.tr("Click the corners, double-click or Enter to close, "
                                                               "Esc to cancel: an area to ignore"))
        self.tool_buttons["brush"].setToolTip(self.tr("Paint over what must be ignored (fixtures, clamps, labels)"))
        self.tool_buttons["eraser"].setToolTip(self.tr("Paint to take ignored areas back"))
        self.brush_slider = QSlider(Qt.Horizontal)
        h, w = self.canvas.size_hw
        self.brush_slider.setRange(2, max(4, min(h, w) // 4))
        self.brush_slider.setValue(min(self.canvas.brush_size, self.brush_slider.maximum()))
        self.brush_slider.setFixedWidth(140)
        self.brush_slider.valueChanged.connect(self._brush_size_changed)
        self.brush_label = QLabel()
        self.whole_button = QPushButton(self.tr("Whole image"))
        self.whole_button.setToolTip(self.tr("Inspect the whole image: no region, nothing ignored"))
        self.whole_button.clicked.connect(self.canvas.whole_image)
        tools.addSpacing(12)
        tools.addWidget(QLabel(self.tr("Brush")))
        tools.addWidget(self.brush_slider)
        tools.addWidget(self.brush_label)
        tools.addStretch(1)
        tools.addWidget(self.whole_button)
        self.summary = QLabel()
        self.summary.setStyleSheet("color: #666;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if title:
            layout.addWidget(QLabel(title))
        layout.addLayout(tools)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.canvas.edited.connect(self._update_summary)
        for button in self.findChildren(QPushButton):
            button.installEventFilter(self)
        self.set_tool("rectangle")
        self._brush_size_changed(self.brush_slider.value())
        self._update_summary()
        self.resize(900, 700)

    def keyPressEvent(self, event) -> None:
        """Enter and Esc finish or drop a polygon under way wherever the focus is (not OK or Cancel)."""
        if not self._polygon_key(event):
            super().keyPressEvent(event)

    def eventFilter(self, watched, event) -> bool:
        # a focused button takes Enter as its own click: while a polygon is under way, the polygon gets it
        return (event.type() == QEvent.KeyPress and self._polygon_key(event)) or super().eventFilter(watched, event)

    def _polygon_key(self, event) -> bool:
        if self.canvas.polygon and event.key() in (Qt.Key_Return, Qt.Key_Enter, Qt.Key_Escape):
            self.canvas.keyPressEvent(event)
            return True
        return False

    def set_tool(self, tool: str) -> None:
        self.canvas.tool = tool
        self.canvas.cancel_polygon()
        self.tool_buttons[tool].setChecked(True)
        self.canvas.setCursor(Qt.CrossCursor)
        self.canvas.update()

    def _brush_size_changed(self, value: int) -> None:
        self.canvas.brush_size = value
        self.brush_label.setText(f"{value} px")

    def _update_summary(self) -> None:
        whole = self.canvas.mask_is_whole()
        fraction = self.canvas.inspected_fraction()
        if whole:
            self.summary.setText(self.tr("The whole image is inspected. Draw a rectangle or polygon to limit it; "
                                         "brush over, or draw a polygon around, what must be ignored."))
        else:
            self.summary.setText(self.tr("{share} of the image is inspected (red: not inspected). "
                                         "OK saves the region; the model must then be retrained.").format(
                share=f"{fraction:.0%}"))
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(whole or fraction > 0)

    def mask(self) -> np.ndarray | None:
        return self.canvas.mask()


def reference_image(project) -> tuple[np.ndarray, str] | None:
    """The project's first good image (training, else held out) as RGB, with its name; None when there is none
    or it cannot be read."""
    from ..core.io.images import ImageReadError, read_image

    for role in ("train", "holdout"):
        for image in project.images((role,)):
            try:
                return read_image(project.path_of(image)), image.name
            except (ImageReadError, OSError):
                continue
    return None


def region_editor_for(state, parent=None) -> RegionEditor | None:
    """The editor for the open project's region, on its reference good image (None: no good image yet)."""
    found = reference_image(state.project)
    if found is None:
        return None
    rgb, name = found
    return RegionEditor(rgb, state.project.region(), parent,
                        title=QCoreApplication.translate("RegionEditor", "Reference good image: {name}. Red is not "
                                                         "inspected.").format(name=name))
