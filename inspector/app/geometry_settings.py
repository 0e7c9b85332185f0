"""The "Geometry" rows of the project settings: how an image becomes the network's input (center-crop, whole,
stretch, tiles; ``inspector.core.io.geometry``), one line explaining the choice, the tile overlap (tiles only),
and the smallest defect the choice resolves in original pixels for a typical image (``Geometry.footprint``).

The values go into the model's settings under the keys the model config reads: ``geometry`` and
``tile_overlap`` (a fraction of a tile).
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Signal
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLabel, QVBoxLayout, QWidget

from ..core.io.geometry import GEOMETRIES, Geometry, GeometryError

EXPLAIN = {
    "center-crop": QT_TRANSLATE_NOOP("GeometryChooser", "Only the centre square of the resized image is inspected "
                                     "(the paper's MVTec AD set-up); the edges are never looked at."),
    "whole": QT_TRANSLATE_NOOP("GeometryChooser", "The entire image at its own aspect ratio: the shorter side goes to "
                               "the size above, the longer side follows."),
    "stretch": QT_TRANSLATE_NOOP("GeometryChooser", "The entire image squeezed to one square: fast whatever the image "
                                 "size; proportions change."),
    "tiles": QT_TRANSLATE_NOOP("GeometryChooser", "Overlapping squares at the camera's resolution, maps stitched back: "
                               "for small defects in large images (slower: every tile is scored)."),
}  # English; shown translated (context "GeometryChooser")
KIND_NAMES = {"center-crop": QT_TRANSLATE_NOOP("GeometryChooser", "center-crop"),
              "whole": QT_TRANSLATE_NOOP("GeometryChooser", "whole"),
              "stretch": QT_TRANSLATE_NOOP("GeometryChooser", "stretch"),
              "tiles": QT_TRANSLATE_NOOP("GeometryChooser", "tiles")}
TYPICAL_SIZE = (960, 1280)  # (h, w) assumed for the smallest-defect line until the project has an image


class GeometryChooser(QWidget):
    """The geometry combo, its explanation, the tile overlap and the smallest-defect line."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.kind = QComboBox()
        for kind in GEOMETRIES:
            self.kind.addItem(QCoreApplication.translate("GeometryChooser", KIND_NAMES.get(kind, kind)), kind)
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        self.explain.setStyleSheet("color: #666;")
        self.footprint = QLabel()
        self.footprint.setWordWrap(True)
        self.overlap = QDoubleSpinBox()
        self.overlap.setRange(0.0, 90.0)
        self.overlap.setDecimals(0)
        self.overlap.setSingleStep(5.0)
        self.overlap.setSuffix(self.tr(" % of a tile"))
        self.overlap.setToolTip(self.tr("How much of a tile its neighbour shares (the overlaps are blended)"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.kind)
        layout.addWidget(self.explain)
        layout.addWidget(self.footprint)
        self.image_size = TYPICAL_SIZE
        self.resize_px, self.crop_px = 256, 224
        self.kind.currentIndexChanged.connect(self._update)
        self.overlap.valueChanged.connect(self._update)

    def allow(self, kinds: tuple[str, ...]) -> None:
        """Offer only the geometries the model kind supports (PaDiM, Gaussian: center-crop and stretch)."""
        current = self.value()
        for i in range(self.kind.count()):
            self.kind.model().item(i).setEnabled(self.kind.itemData(i) in kinds)
        if current not in kinds:
            self.set_value(kinds[0] if kinds else "center-crop")

    def set_value(self, kind: str, tile_overlap: float | None = None) -> None:
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        if tile_overlap is not None:
            self.overlap.setValue(round(tile_overlap * 100.0))
        self._update()

    def value(self) -> str:
        return self.kind.currentData() or "center-crop"

    def tile_overlap(self) -> float:
        return self.overlap.value() / 100.0

    def set_sizes(self, resize: int, crop: int) -> None:
        """The form's "Resize to" and "Inspect" sizes (the smallest-defect line depends on them)."""
        self.resize_px, self.crop_px = resize, crop
        self._update()

    def set_image_size(self, h: int, w: int) -> None:
        """The size of a typical image of the project (the smallest-defect line is for that size)."""
        self.image_size = (h, w)
        self._update()

    def geometry(self) -> Geometry:
        return Geometry(kind=self.value(), resize=self.resize_px, crop=self.crop_px,
                        tile_overlap=min(self.tile_overlap(), 0.9))

    def smallest_defect(self) -> str:
        h, w = self.image_size
        try:
            fx, fy = self.geometry().footprint(h, w)
        except GeometryError as exc:
            return str(exc)
        return self.tr("Smallest defect it resolves: about {fx:.0f} x {fy:.0f} px in a {w}x{h} image "
                       "(one patch of the feature grid)").format(fx=fx, fy=fy, w=w, h=h)

    def _update(self) -> None:
        self.explain.setText(QCoreApplication.translate("GeometryChooser", EXPLAIN[self.value()]))
        self.footprint.setText(self.smallest_defect())
        self.changed.emit()
