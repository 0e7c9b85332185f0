"""The project's model settings as a form: model kind, backbone and layers, weights, image geometry,
coreset size, held-out fraction, device. Every engine default is editable here.

The backbone row holds ``inspector.app.backbone_picker.BackbonePicker`` (reference backbones, layers with
their shapes and cost, weights status with Import / Download); if that module is missing, an editable list of
common timm names with a layers field.
"""

from __future__ import annotations

import copy

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from ..core.models import registry as model_kinds
from ..core.project.store import ProjectSettings

COMMON_BACKBONES = ["wide_resnet50_2", "resnet18", "resnet50", "wide_resnet101_2", "efficientnet_b3a",
                    "tf_efficientnet_b7", "swin_base_patch4_window7_224", "mobilenetv2_100"]
DEFAULT_LAYERS = {"resnet": "layer2 layer3", "wide_resnet": "layer2 layer3", "efficientnet": "blocks.2 blocks.3",
                  "tf_efficientnet": "blocks.2 blocks.3", "swin": "layers.1 layers.2", "mobilenet": "blocks.2 blocks.4"}
WEIGHTS_PRETRAINED = "Pretrained (downloaded once, then cached)"
WEIGHTS_FILE = "Weights file on this PC"


def _backbone_picker():
    """The shared backbone picker widget, when the backbone catalogue ships one."""
    try:
        from .backbone_picker import BackbonePicker  # type: ignore[import-not-found]
    except ImportError:
        return None
    return BackbonePicker


class SimpleBackboneChooser(QWidget):
    """Fallback chooser: an editable list of timm names and a layers field filled with sensible defaults."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.name = QComboBox()
        self.name.setEditable(True)
        self.name.addItems(COMMON_BACKBONES)
        try:  # the backbone catalogue, when present: every reference backbone with its default layers
            from ..core.backbones.catalogue import reference_backbones

            self._specs = {s.timm_name: s for s in reference_backbones() if s.available and s.timm_name}
            self.name.clear()
            self.name.addItems(sorted(self._specs))
        except Exception:
            self._specs = {}
        self.layers = QLineEdit()
        self.layers.setPlaceholderText("layer names, e.g. layer2 layer3")
        self.name.currentTextChanged.connect(self._name_changed)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.name, 2)
        row.addWidget(self.layers, 1)

    def _name_changed(self, name: str) -> None:
        spec = self._specs.get(name)
        if spec is not None:
            self.layers.setText(" ".join(spec.layers))
        else:
            for prefix in sorted(DEFAULT_LAYERS, key=len, reverse=True):
                if name.startswith(prefix):
                    self.layers.setText(DEFAULT_LAYERS[prefix])
                    break
        self.changed.emit()

    def value(self) -> tuple[str, list[str]]:
        return self.name.currentText().strip(), self.layers.text().split()

    def set_value(self, backbone: str, layers: list[str]) -> None:
        self.name.setCurrentText(backbone)
        self.layers.setText(" ".join(layers))


class ProjectSettingsForm(QWidget):
    def __init__(self, settings: ProjectSettings | None = None, parent=None):
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.kind = QComboBox()
        for kind in model_kinds.available_kinds():
            self.kind.addItem(model_kinds.LABELS.get(kind, kind), kind)
        self.form.addRow("Model", self.kind)
        picker = _backbone_picker()
        self.backbone = picker() if picker is not None else SimpleBackboneChooser()
        self.form.addRow("Backbone, layers", self.backbone)  # the backbone picker's row
        self.weights_kind = QComboBox()
        self.weights_kind.addItems([WEIGHTS_PRETRAINED, WEIGHTS_FILE])
        self.weights_path = QLineEdit()
        self.weights_path.setPlaceholderText(".safetensors or .pth file (for PCs without internet)")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse_weights)
        wrow = QHBoxLayout()
        wrow.addWidget(self.weights_kind)
        wrow.addWidget(self.weights_path, 1)
        wrow.addWidget(browse)
        self.weights_kind.currentTextChanged.connect(
            lambda t: self.weights_path.setEnabled(t == WEIGHTS_FILE))
        self.form.addRow("Weights", wrow)
        self.resize_box = QSpinBox()
        self.resize_box.setRange(32, 2048)
        self.resize_box.setSuffix(" px (shorter side)")
        self.crop_box = QSpinBox()
        self.crop_box.setRange(32, 2048)
        self.crop_box.setSuffix(" px (centre crop)")
        self.form.addRow("Resize to", self.resize_box)
        self.form.addRow("Inspect", self.crop_box)
        self.coreset = QDoubleSpinBox()
        self.coreset.setRange(0.01, 100.0)
        self.coreset.setDecimals(2)
        self.coreset.setSuffix(" % of patches")
        self.coreset.setToolTip("Memory bank (coreset) size: 10 % is the default, 1 % trains and inspects faster")
        self.form.addRow("Coreset", self.coreset)
        self.holdout = QDoubleSpinBox()
        self.holdout.setRange(0.0, 50.0)
        self.holdout.setDecimals(0)
        self.holdout.setSuffix(" % of good images")
        self.holdout.setToolTip("Held out of training and scored after it, to show what good scores look like "
                                "(at least one image once there are five)")
        self.form.addRow("Held out", self.holdout)
        self.device = QComboBox()
        self.device.setEditable(True)
        self.device.addItems(["auto", "cpu", "cuda"])
        self.form.addRow("Device", self.device)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.weights_kind.setToolTip("Pretrained: the hub's weights, or a file imported for this backbone "
                                     "(Import… above); a weights file: used as it is")
        self._settings = settings or ProjectSettings(model=model_kinds.default_config("patchcore"))
        self.set_settings(self._settings)

    def shutdown(self) -> None:
        """Wait for the backbone picker's background work (call when the dialog closes)."""
        if hasattr(self.backbone, "shutdown"):
            self.backbone.shutdown()

    def _browse_weights(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Backbone weights file", "",
                                              "Weights (*.safetensors *.pth *.pt *.bin);;All files (*)")
        if path:
            self.weights_kind.setCurrentText(WEIGHTS_FILE)
            self.weights_path.setText(path)

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        has = model_kinds.default_config(kind) if kind else {}
        self.form.setRowVisible(self.coreset, "coreset_ratio" in has)

    def set_settings(self, settings: ProjectSettings) -> None:
        self._settings = copy.deepcopy(settings)
        m = {**model_kinds.default_config(settings.model_kind), **settings.model}
        index = self.kind.findData(settings.model_kind)
        self.kind.setCurrentIndex(max(index, 0))
        if hasattr(self.backbone, "set_value"):
            self.backbone.set_value(m.get("backbone", "wide_resnet50_2"), list(m.get("layers", [])))
        weights = m.get("weights", "pretrained")
        self.weights_kind.setCurrentText(WEIGHTS_PRETRAINED if weights in ("pretrained", None) else WEIGHTS_FILE)
        self.weights_path.setText("" if weights in ("pretrained", None) else str(weights))
        self.weights_path.setEnabled(weights not in ("pretrained", None))
        self.resize_box.setValue(int(m.get("resize", 256)))
        self.crop_box.setValue(int(m.get("crop", 224)))
        self.coreset.setValue(float(m.get("coreset_ratio", 0.1)) * 100.0)
        self.holdout.setValue(settings.holdout_fraction * 100.0)
        self.device.setCurrentText(str(m.get("device", "auto")))
        self._kind_changed()

    def settings(self) -> ProjectSettings:
        """The edited settings; model keys the chosen kind does not have are left out."""
        s = copy.deepcopy(self._settings)
        kind = self.kind.currentData() or "patchcore"
        defaults = model_kinds.default_config(kind)
        m = {**defaults, **{k: v for k, v in s.model.items() if k in defaults}}
        backbone, layers = self.backbone.value()
        m["backbone"] = backbone
        if layers:
            m["layers"] = layers
        if self.weights_kind.currentText() == WEIGHTS_FILE and self.weights_path.text().strip():
            m["weights"] = self.weights_path.text().strip()
        elif m.get("weights") != "random":  # "random" only ever comes from a test or script, kept as is
            m["weights"] = "pretrained"
        m["resize"] = self.resize_box.value()
        m["crop"] = self.crop_box.value()
        if "coreset_ratio" in defaults:
            m["coreset_ratio"] = self.coreset.value() / 100.0
        m["device"] = self.device.currentText().strip() or "auto"
        s.model_kind = kind
        s.model = {k: v for k, v in m.items() if k in defaults}
        s.holdout_fraction = self.holdout.value() / 100.0
        return s
