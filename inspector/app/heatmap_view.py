"""An inspected image with its anomaly map overlaid: opacity, colormap, overlay on/off, zoom and pan
(mouse wheel and drag; "Fit" resets), the outline of the region above a pixel threshold, the score.

The map covers the whole frame (0 where the geometry or region does not inspect), placed over the original
image at ``Geometry.map_box`` (older projects' maps cover the centre crop only). Colours use one fixed scale
per model, stated beside a colour bar: from half to twice the highest held-out good score (``heat_scale``),
so a good part looks cool and a defect hot, and the same defect keeps its colour when the thresholds move
(they are not part of the scale). Without held-out scores each image is stretched to its own range, and the
caption says so. H toggles the heatmap. The project's region to inspect
(``set_region``), when there is one, is outlined in dashed cyan, scaled to each image.
"""

from __future__ import annotations

import cv2
import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from ..core.io.geometry import Geometry
from ..core.io.images import ImageReadError, Preprocessor, read_image
from ..core.io.overlay import COLORMAPS, DEFAULT_COLORMAP
from ..core.project.thresholds import Thresholds
from .i18n import verdict_text

SCALE_LOW, SCALE_HIGH = 0.5, 2.0  # the colour scale, in multiples of the highest held-out good score


def heat_scale(holdout_scores) -> tuple[float, float] | None:
    """The project's fixed colour scale for anomaly maps: (½, 2) × the highest held-out good score; ``None``
    without held-out scores (or when they are not positive)."""
    top = max(holdout_scores, default=None)
    if top is None or not np.isfinite(top) or top <= 0:
        return None
    return SCALE_LOW * float(top), SCALE_HIGH * float(top)


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
        self.region_outline = pg.PlotDataItem(pen=pg.mkPen("#00e5ff", width=2, style=Qt.DashLine), connect="finite")
        self.vb.addItem(self.region_outline)
        self.heat.setZValue(1)
        self.outline.setZValue(2)
        self.colorbar = pg.ColorBarItem(values=(0.0, 1.0), width=12, interactive=False,
                                        colorMap=pg.colormap.get(DEFAULT_COLORMAP))
        self.colorbar.setImageItem(self.heat)
        self.graphics.addItem(self.colorbar, row=0, col=1)
        self.scale_label = QLabel()
        self.scale_label.setObjectName("heatScale")
        self.scale_label.setStyleSheet("color: #666;")
        self.region_outline.setZValue(3)
        self._region_contours: list[np.ndarray] = []  # the region's outline, in the mask's pixels
        self._region_size = (1, 1)  # the mask's (h, w)
        self._image_size: tuple[int, int] | None = None

        self.score_label = QLabel()
        self.score_label.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.info_label = QLabel()
        self.info_label.setStyleSheet("color: #666;")
        self.overlay_box = QCheckBox(self.tr("Heatmap"))
        self.overlay_box.setChecked(True)
        self.overlay_box.setToolTip(self.tr("Show the anomaly map over the image (H)"))
        self.overlay_box.toggled.connect(self._apply_overlay)
        self.opacity = QSlider(Qt.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setValue(50)
        self.opacity.setFixedWidth(110)
        self.opacity.setToolTip(self.tr("Heatmap opacity"))
        self.opacity.valueChanged.connect(self._apply_overlay)
        self.colormap = QComboBox()
        self.colormap.addItems(list(COLORMAPS))
        self.colormap.setToolTip(self.tr("Colour map"))
        self.colormap.currentTextChanged.connect(self._apply_colormap)
        self.outline_box = QCheckBox(self.tr("Outline above"))
        self.outline_box.setChecked(True)
        self.outline_box.setToolTip(self.tr("Outline the region whose pixel score is above this value "
                                            "(follows the pass threshold until you change it)"))
        self.outline_box.toggled.connect(self._update_outline)
        self.pixel_threshold = QDoubleSpinBox()
        self.pixel_threshold.setDecimals(3)
        self.pixel_threshold.setRange(-1e9, 1e9)
        self.pixel_threshold.setSingleStep(0.05)
        self.pixel_threshold.valueChanged.connect(self._pixel_threshold_edited)
        self._pixel_threshold_follows = True
        fit = QLabel('<a href="fit">{}</a>'.format(self.tr("Fit")))
        fit.setToolTip(self.tr("Zoom to fit (the mouse wheel zooms, dragging pans)"))
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
        layout.addWidget(self.scale_label)
        layout.addLayout(controls)

        self._map: np.ndarray | None = None
        self._box = (0.0, 0.0, 0.0, 0.0)
        self._levels: tuple[float, float] | None = None
        self._apply_colormap(self.colormap.currentText())
        self.clear()

    # ------------------------------------------------------------------------------------ content
    def save_state(self) -> dict:
        state = {"opacity": self.opacity.value(), "colormap": self.colormap.currentText(),
                 "overlay": self.overlay_box.isChecked(), "outline": self.outline_box.isChecked()}
        if not self._pixel_threshold_follows:
            state["outline_value"] = self.pixel_threshold.value()
        return state

    def restore_state(self, state: dict) -> None:
        """Apply :meth:`save_state`'s dict; defaults for what is missing, so one project's view settings never
        leak into the next."""
        self.opacity.setValue(int(state.get("opacity", 50)))
        self.colormap.setCurrentText(str(state.get("colormap", DEFAULT_COLORMAP)))
        self.overlay_box.setChecked(bool(state.get("overlay", True)))
        self.outline_box.setChecked(bool(state.get("outline", True)))
        value = state.get("outline_value")
        self._pixel_threshold_follows = not isinstance(value, (int, float))  # else: the pass line, as by default
        if not self._pixel_threshold_follows:
            self.pixel_threshold.blockSignals(True)
            self.pixel_threshold.setValue(float(value))
            self.pixel_threshold.blockSignals(False)

    def clear(self, text: str | None = None) -> None:
        if text is None:
            text = self.tr("Select a part to see its heatmap")
        self._map = None
        self.base.clear()
        self.heat.clear()
        self.colorbar.setVisible(False)
        self.scale_label.setText("")
        self.outline.setData([], [])
        self.region_outline.setData([], [])
        self._image_size = None
        self.score_label.setText("")
        self.info_label.setText(text)

    def toggle_overlay(self) -> None:
        """H: heatmap on / off (the page holding the view binds the key)."""
        if self.overlay_box.isEnabled():
            self.overlay_box.toggle()

    def show_result(self, image_path, amap: np.ndarray | None, preprocessor: Geometry | Preprocessor, score: float,
                    verdict: str | None, thresholds: Thresholds | None, title: str = "",
                    scale: tuple[float, float] | None = None) -> None:
        """Show the image at ``image_path`` with its full-frame ``amap`` (None: an image-level model).
        ``scale``: the project's fixed colour scale (``heat_scale``); ``None``: this image's own range."""
        try:
            rgb = read_image(image_path)
        except ImageReadError as exc:
            self.clear(self.tr("{title}: cannot show the image ({error})").format(title=title, error=exc))
            return
        h, w = rgb.shape[:2]
        self._image_size = (h, w)
        self._update_region_outline()
        self.base.setImage(rgb, autoLevels=False, levels=(0, 255))
        self.base.setRect(QRectF(0, 0, w, h))
        # where the map lies in the image: the whole frame (maps are full-frame), or an old map's crop box
        self._box = preprocessor.map_box(h, w, amap.shape) if amap is not None else preprocessor.crop_box(h, w)
        self._map = amap
        colour = VERDICT_COLOURS.get(verdict, "#555")
        self.score_label.setText(f"<span style='color:{colour}'>" + self.tr("score {score:.4g} · {verdict}").format(
            score=score, verdict=verdict_text(verdict)) + "</span>")
        extra = "" if amap is not None else " · " + self.tr("this model gives no heatmap (image-level score only)")
        self.info_label.setText(f"{title}{extra}")
        if thresholds is not None and self._pixel_threshold_follows:
            self.pixel_threshold.blockSignals(True)
            self.pixel_threshold.setValue(thresholds.pass_)
            self.pixel_threshold.blockSignals(False)
        if scale is not None:
            self._levels = (float(scale[0]), float(max(scale[1], scale[0] + 1e-9)))
            self.scale_label.setText(self.tr("Colours: {low:.3g} (blue) to {high:.3g} (red), "
                                             "{low_factor:g}× to {high_factor:g}× the highest held-out good score; "
                                             "fixed for this model, thresholds do not change it").format(
                low=self._levels[0], high=self._levels[1], low_factor=SCALE_LOW, high_factor=SCALE_HIGH))
        elif amap is not None:
            self._levels = (float(amap.min()), float(max(amap.max(), amap.min() + 1e-9)))
            self.scale_label.setText(self.tr("Colours: this image's own range ({low:.3g} to {high:.3g}); "
                                             "train with held-out good images for a fixed scale").format(
                low=self._levels[0], high=self._levels[1]))
        if amap is not None:
            x0, y0, x1, y1 = self._box
            self.heat.setImage(amap, autoLevels=False, levels=self._levels)
            self.heat.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
            self.colorbar.setLevels(self._levels)
        else:
            self.heat.clear()
            self.scale_label.setText("")
        self.colorbar.setVisible(amap is not None)
        self.overlay_box.setEnabled(amap is not None)
        self._apply_overlay()
        self._update_outline()
        self.fit()

    def set_region(self, mask: np.ndarray | None) -> None:
        """The project's region to inspect (bool ``[H, W]`` at any size, True = inspect; None: the whole image),
        outlined over every image shown, scaled to its size."""
        self._region_contours = []
        if mask is not None:
            m = (np.asarray(mask) > 0).astype(np.uint8)
            self._region_size = m.shape[:2]
            contours, _ = cv2.findContours(m, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
            self._region_contours = [c[:, 0, :].astype(np.float64) for c in contours]
        self._update_region_outline()

    def region_points(self) -> tuple[np.ndarray, np.ndarray]:
        """The region's outline in the shown image's coordinates, polygons separated by NaN (empty: none)."""
        if not self._region_contours or self._image_size is None:
            return np.empty(0), np.empty(0)
        (h, w), (mh, mw) = self._image_size, self._region_size
        sx, sy = w / mw, h / mh
        xs, ys = [], []
        for pts in self._region_contours:
            pts = np.vstack([pts, pts[:1]])
            xs += [(pts[:, 0] + 0.5) * sx, [np.nan]]
            ys += [(pts[:, 1] + 0.5) * sy, [np.nan]]
        return np.concatenate(xs), np.concatenate(ys)

    def _update_region_outline(self) -> None:
        xs, ys = self.region_points()
        self.region_outline.setData(xs, ys)

    def fit(self) -> None:
        self.vb.autoRange(padding=0.01)

    # --------------------------------------------------------------------------------- controls
    def _apply_colormap(self, name: str) -> None:
        self.colorbar.setColorMap(pg.colormap.get(name))  # the bar sets the heatmap's lookup table too

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
