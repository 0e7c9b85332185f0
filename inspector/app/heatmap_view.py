"""An inspected image with its anomaly map overlaid: opacity, colormap, overlay on/off, zoom and pan
(mouse wheel and drag; "Fit" resets), the outline of the region above a pixel threshold, the score.

The map covers the whole frame (0 where the geometry or region does not inspect), placed over the original
image at ``Geometry.map_box`` (older projects' maps cover the centre crop only). Colours use one scale for
the whole project (half the pass threshold to the fail threshold), so a good part looks cool and a defect
hot, rather than every image being stretched to its own range.
"""

from __future__ import annotations

import cv2
import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from ..core.io.images import ImageReadError, Preprocessor, read_image
from ..core.io.overlay import COLORMAPS, DEFAULT_COLORMAP
from ..core.project.thresholds import Thresholds

VERDICT_COLOURS = {"pass": "#2e7d32", "uncertain": "#b26a00", "fail": "#c62828", None: "#555555"}


class HeatmapView(QWidget):
    def __init__(self, parent=None, compact: bool = False):
        super().__init__(parent)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("#202020")
        self.vb = self.graphics.addViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.base = pg.ImageItem(axisOrder="row-major")
        self.heat = pg.ImageItem(axisOrder="row-major")
        self.outline = pg.PlotDataItem(pen=pg.mkPen("#ffffff", width=2), connect="finite")
        self.vb.addItem(self.base)
        self.vb.addItem(self.heat)
        self.vb.addItem(self.outline)
        self.heat.setZValue(1)
        self.outline.setZValue(2)

        self.score_label = QLabel()
        self.score_label.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.info_label = QLabel()
        self.info_label.setStyleSheet("color: #666;")
        self.overlay_box = QCheckBox("Heatmap")
        self.overlay_box.setChecked(True)
        self.overlay_box.setToolTip("Show the anomaly map over the image (H)")
        self.overlay_box.toggled.connect(self._apply_overlay)
        self.opacity = QSlider(Qt.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setValue(50)
        self.opacity.setFixedWidth(110)
        self.opacity.setToolTip("Heatmap opacity")
        self.opacity.valueChanged.connect(self._apply_overlay)
        self.colormap = QComboBox()
        self.colormap.addItems(list(COLORMAPS))
        self.colormap.setToolTip("Colour map")
        self.colormap.currentTextChanged.connect(self._apply_colormap)
        self.outline_box = QCheckBox("Outline above")
        self.outline_box.setChecked(True)
        self.outline_box.setToolTip("Outline the region whose pixel score is above this value "
                                    "(follows the pass threshold until you change it)")
        self.outline_box.toggled.connect(self._update_outline)
        self.pixel_threshold = QDoubleSpinBox()
        self.pixel_threshold.setDecimals(3)
        self.pixel_threshold.setRange(-1e9, 1e9)
        self.pixel_threshold.setSingleStep(0.05)
        self.pixel_threshold.valueChanged.connect(self._pixel_threshold_edited)
        self._pixel_threshold_follows = True
        fit = QLabel('<a href="fit">Fit</a>')
        fit.setToolTip("Zoom to fit (the mouse wheel zooms, dragging pans)")
        fit.linkActivated.connect(lambda _: self.fit())

        controls = QHBoxLayout()
        controls.addWidget(self.overlay_box)
        controls.addWidget(self.opacity)
        controls.addWidget(self.colormap)
        controls.addSpacing(8)
        controls.addWidget(self.outline_box)
        controls.addWidget(self.pixel_threshold)
        controls.addStretch(1)
        controls.addWidget(fit)
        head = QHBoxLayout()
        head.addWidget(self.score_label)
        head.addWidget(self.info_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.graphics, 1)
        layout.addLayout(controls)

        self._map: np.ndarray | None = None
        self._box = (0.0, 0.0, 0.0, 0.0)
        self._levels: tuple[float, float] | None = None
        self._apply_colormap(self.colormap.currentText())
        self.clear()

    # ------------------------------------------------------------------------------------ content
    def save_state(self) -> dict:
        return {"opacity": self.opacity.value(), "colormap": self.colormap.currentText(),
                "overlay": self.overlay_box.isChecked()}

    def restore_state(self, state: dict) -> None:
        """Apply :meth:`save_state`'s dict; defaults for what is missing, so one project's view settings never
        leak into the next."""
        self.opacity.setValue(int(state.get("opacity", 50)))
        self.colormap.setCurrentText(str(state.get("colormap", DEFAULT_COLORMAP)))
        self.overlay_box.setChecked(bool(state.get("overlay", True)))

    def clear(self, text: str = "Select a part to see its heatmap") -> None:
        self._map = None
        self.base.clear()
        self.heat.clear()
        self.outline.setData([], [])
        self.score_label.setText("")
        self.info_label.setText(text)

    def show_result(self, image_path, amap: np.ndarray | None, preprocessor: Preprocessor, score: float,
                    verdict: str | None, thresholds: Thresholds | None, title: str = "") -> None:
        """Show the image at ``image_path`` with its full-frame ``amap`` (None: an image-level model)."""
        try:
            rgb = read_image(image_path)
        except ImageReadError as exc:
            self.clear(f"{title}: cannot show the image ({exc})")
            return
        h, w = rgb.shape[:2]
        self.base.setImage(rgb, autoLevels=False, levels=(0, 255))
        self.base.setRect(QRectF(0, 0, w, h))
        # where the map lies in the image: the whole frame (maps are full-frame), or an old map's crop box
        self._box = preprocessor.map_box(h, w, amap.shape) if amap is not None else preprocessor.crop_box(h, w)
        self._map = amap
        colour = VERDICT_COLOURS.get(verdict, "#555")
        self.score_label.setText(f"<span style='color:{colour}'>score {score:.4g} · {verdict or 'no thresholds'}</span>")
        extra = "" if amap is not None else " · this model gives no heatmap (image-level score only)"
        self.info_label.setText(f"{title}{extra}")
        if thresholds is not None:
            self._levels = (0.5 * thresholds.pass_, max(thresholds.fail, thresholds.pass_ * 1.0001 + 1e-9))
            if self._pixel_threshold_follows:
                self.pixel_threshold.blockSignals(True)
                self.pixel_threshold.setValue(thresholds.pass_)
                self.pixel_threshold.blockSignals(False)
        elif amap is not None:
            self._levels = (float(amap.min()), float(max(amap.max(), amap.min() + 1e-9)))
        if amap is not None:
            x0, y0, x1, y1 = self._box
            self.heat.setImage(amap, autoLevels=False, levels=self._levels)
            self.heat.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        else:
            self.heat.clear()
        self.overlay_box.setEnabled(amap is not None)
        self._apply_overlay()
        self._update_outline()
        self.fit()

    def fit(self) -> None:
        self.vb.autoRange(padding=0.01)

    # --------------------------------------------------------------------------------- controls
    def _apply_colormap(self, name: str) -> None:
        cmap = pg.colormap.get(name)
        self.heat.setLookupTable(cmap.getLookupTable(nPts=256))

    def _apply_overlay(self) -> None:
        self.heat.setVisible(self._map is not None and self.overlay_box.isChecked())
        self.heat.setOpacity(self.opacity.value() / 100.0)

    def _pixel_threshold_edited(self) -> None:
        self._pixel_threshold_follows = False
        self._update_outline()

    def outline_points(self) -> tuple[np.ndarray, np.ndarray]:
        """The outline of ``map >= pixel threshold`` in image coordinates, polygons separated by NaN."""
        if self._map is None:
            return np.empty(0), np.empty(0)
        mask = (self._map >= self.pixel_threshold.value()).astype(np.uint8)
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        if not contours:
            return np.empty(0), np.empty(0)
        x0, y0, x1, y1 = self._box
        sx, sy = (x1 - x0) / self._map.shape[1], (y1 - y0) / self._map.shape[0]
        xs, ys = [], []
        for c in contours:
            pts = c[:, 0, :].astype(np.float64)
            pts = np.vstack([pts, pts[:1]])  # closed
            xs += [x0 + (pts[:, 0] + 0.5) * sx, [np.nan]]
            ys += [y0 + (pts[:, 1] + 0.5) * sy, [np.nan]]
        return np.concatenate(xs), np.concatenate(ys)

    def _update_outline(self) -> None:
        if not self.outline_box.isChecked() or self._map is None:
            self.outline.setData([], [])
            return
        xs, ys = self.outline_points()
        self.outline.setData(xs, ys)
