"""The project's model settings as a form: model kind, backbone and layers, weights, image geometry,
coreset size, held-out fraction, device. Every engine default is editable here.

The backbone row holds ``inspector.app.backbone_picker.BackbonePicker`` (reference backbones, layers with
their shapes and cost, weights status with Import / Download); if that module is missing, an editable list of
common timm names with a layers field.

A weights file, once chosen, is checked for the architectures it fits (keys and shapes against meta-device
models, off the UI thread); when the chosen backbone is not one of them a "Use <backbone>" button switches to
the one it fits. ``weights_problem()`` says why the settings cannot train as they are (no usable weights:
offline "Pretrained" with nothing cached or imported, a file that fits another backbone...), ``""`` when they
can; ``usableChanged`` fires when that may have changed.
"""

from __future__ import annotations

import copy
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core.models import registry as model_kinds
from ..core.project.store import ProjectSettings
from .geometry_settings import GeometryChooser

COMMON_BACKBONES = ["wide_resnet50_2", "resnet18", "resnet50", "wide_resnet101_2", "efficientnet_b3a",
                    "tf_efficientnet_b7", "swin_base_patch4_window7_224", "mobilenetv2_100"]
DEFAULT_LAYERS = {"resnet": "layer2 layer3", "wide_resnet": "layer2 layer3", "efficientnet": "blocks.2 blocks.3",
                  "tf_efficientnet": "blocks.2 blocks.3", "swin": "layers.1 layers.2", "mobilenet": "blocks.2 blocks.4"}
WEIGHTS_PRETRAINED = "Pretrained (downloaded once, then cached)"
WEIGHTS_FILE = "Weights file on this PC"  # the two weights choices' English texts (shown translated)
FILE_INDEX = 1  # the weights choice "a file on this PC" (0: pretrained)


def model_label(kind: str) -> str:
    """The model kind's name for the user (the core's LABELS, the one with words in it translated)."""
    if kind == "gaussian":
        return QCoreApplication.translate("ProjectSettingsForm", "Gaussian (image level, no heatmap)")
    return model_kinds.LABELS.get(kind, kind)


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
        self.layers.setPlaceholderText(self.tr("layer names, e.g. layer2 layer3"))
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
    usableChanged = Signal()

    def __init__(self, settings: ProjectSettings | None = None, parent=None, app_settings=None):
        super().__init__(parent)
        self.app_settings = app_settings  # the app's AppSettings: the last weights file is remembered there
        self._fits: tuple[str, list] | None = None  # (weights file, the backbones it fits) once detected
        self._detecting: str | None = None  # the weights file being checked
        self.form = QFormLayout(self)
        self.kind = QComboBox()
        for kind in model_kinds.available_kinds():
            self.kind.addItem(model_label(kind), kind)
        self.form.addRow(self.tr("Model"), self.kind)
        picker = _backbone_picker()
        self.backbone = picker() if picker is not None else SimpleBackboneChooser()
        self.form.addRow(self.tr("Backbone, layers"), self.backbone)  # the backbone picker's row
        self.weights_kind = QComboBox()
        self.weights_kind.addItems([self.tr("Pretrained (downloaded once, then cached)"), self.tr("Weights file on this PC")])
        self.weights_path = QLineEdit()
        self.weights_path.setPlaceholderText(self.tr(".safetensors or .pth file (for PCs without internet)"))
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse_weights)
        wrow = QHBoxLayout()
        wrow.addWidget(self.weights_kind)
        wrow.addWidget(self.weights_path, 1)
        wrow.addWidget(browse)
        self.weights_kind.currentIndexChanged.connect(
            lambda i: self.weights_path.setEnabled(i == FILE_INDEX))
        self.form.addRow(self.tr("Weights"), wrow)
        self.file_note = QLabel()
        self.file_note.setWordWrap(True)
        self.file_note.setObjectName("weightsFileNote")
        self.switch_button = QPushButton()
        self.switch_button.setObjectName("useDetectedBackbone")
        self.switch_button.setVisible(False)
        self.switch_button.clicked.connect(self._switch_to_detected)
        note_row = QHBoxLayout()
        note_row.addWidget(self.file_note, 1)
        note_row.addWidget(self.switch_button)
        self.form.addRow("", note_row)
        self.weights_kind.currentIndexChanged.connect(lambda _i: self._weights_changed())
        self.weights_path.editingFinished.connect(self._weights_changed)
        self.backbone.changed.connect(self._backbone_changed)
        if hasattr(self.backbone, "fileDetected"):
            self.backbone.fileDetected.connect(self._file_detected)
            self.backbone.weightsChanged.connect(lambda _s: self.usableChanged.emit())
        self.resize_box = QSpinBox()
        self.resize_box.setRange(32, 2048)
        self.resize_box.setSuffix(self.tr(" px (shorter side)"))
        self.crop_box = QSpinBox()
        self.crop_box.setRange(32, 2048)
        self.crop_box.setSuffix(self.tr(" px (centre crop)"))
        self.form.addRow(self.tr("Resize to"), self.resize_box)
        self.form.addRow(self.tr("Inspect"), self.crop_box)
        self.geometry = GeometryChooser()  # geometry, its explanation, the smallest defect it resolves
        self.form.addRow(self.tr("Geometry"), self.geometry)
        self.form.addRow(self.tr("Tile overlap"), self.geometry.overlap)
        self.geometry.changed.connect(self._geometry_changed)
        self.resize_box.valueChanged.connect(self._geometry_changed)
        self.crop_box.valueChanged.connect(self._geometry_changed)
        self.coreset = QDoubleSpinBox()
        self.coreset.setRange(0.01, 100.0)
        self.coreset.setDecimals(2)
        self.coreset.setSuffix(self.tr(" % of patches"))
        self.coreset.setToolTip(self.tr("Memory bank (coreset) size: 10 % is the default, 1 % trains and inspects faster"))
        self.form.addRow(self.tr("Coreset"), self.coreset)
        self.holdout = QDoubleSpinBox()
        self.holdout.setRange(0.0, 50.0)
        self.holdout.setDecimals(0)
        self.holdout.setSuffix(self.tr(" % of good images"))
        self.holdout.setToolTip(self.tr("Held out of training and scored after it, to show what good scores look like "
                                        "(at least one image once there are five)"))
        self.form.addRow(self.tr("Held out"), self.holdout)
        self.device = QComboBox()
        self.device.setEditable(True)
        self.device.addItems(["auto", "cpu", "cuda"])
        self.device.setToolTip(self.tr("Where the network runs: auto takes the GPU when there is one (cuda), else the CPU"))
        self.advanced = QGroupBox(self.tr("Advanced"))
        self.advanced.setCheckable(True)
        self.advanced.setChecked(False)  # closed: the defaults suit almost every project
        self.advanced.setObjectName("advancedSettings")
        advanced_form = QFormLayout()
        advanced_form.addRow(self.tr("Device"), self.device)
        self._advanced_body = QWidget()
        self._advanced_body.setLayout(advanced_form)
        self._advanced_body.setVisible(False)
        box_layout = QVBoxLayout(self.advanced)
        box_layout.setContentsMargins(6, 2, 6, 2)
        box_layout.addWidget(self._advanced_body)
        self.advanced.toggled.connect(self._advanced_body.setVisible)
        self.form.addRow(self.advanced)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.weights_kind.setToolTip(self.tr("Pretrained: the hub's weights, or a file imported for this backbone "
                                             "(Import… above); a weights file: used as it is"))
        self._settings = settings or ProjectSettings(model=model_kinds.default_config("patchcore"))
        self.set_settings(self._settings)

    def _using_file(self) -> bool:
        """Whether the weights come from a file of this PC (the second choice) rather than "pretrained"."""
        return self.weights_kind.currentIndex() == FILE_INDEX

    def shutdown(self) -> None:
        """Wait for the backbone picker's background work (call when the dialog closes)."""
        if hasattr(self.backbone, "shutdown"):
            self.backbone.shutdown()

    def _browse_weights(self) -> None:
        last = (self.app_settings.get("last_weights") or {}).get("file", "") if self.app_settings else ""
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Backbone weights file"),
                                              str(Path(last).parent) if last else "",
                                              self.tr("Weights (*.safetensors *.pth *.pt *.bin);;All files (*)"))
        if path:
            self.weights_kind.setCurrentIndex(FILE_INDEX)
            self.set_weights_file(path)

    def set_weights_file(self, path: str) -> None:
        """Use the weights file ``path`` and find out which backbone it fits."""
        self.weights_kind.setCurrentIndex(FILE_INDEX)
        self.weights_path.setText(path)
        self._weights_changed()

    # ------------------------------------------------------------------------------- weights usability
    def _weights_changed(self) -> None:
        path = self.weights_path.text().strip()
        if hasattr(self.backbone, "set_pretrained_used"):
            self.backbone.set_pretrained_used(not self._using_file())
        if self._using_file() and path and hasattr(self.backbone, "detect_file"):
            if (self._fits is None or self._fits[0] != path) and self._detecting != path:
                self._detecting = path
                self.file_note.setText(self.tr("Checking which backbone {file} fits…").format(file=Path(path).name))
                self.switch_button.setVisible(False)
                self.backbone.detect_file(path)
        self._show_fit()
        self.usableChanged.emit()

    def _file_detected(self, path: str, fits: list, error: str) -> None:
        if path != self._detecting:
            return
        self._detecting = None
        self._fits = (path, [] if error else list(fits))
        self._fit_error = error
        self._show_fit()
        self.usableChanged.emit()

    def _backbone_changed(self) -> None:
        self._show_fit()
        self.usableChanged.emit()

    def _current_fit(self):
        """(fits for the current file or None, whether the chosen backbone is one of them)."""
        path = self.weights_path.text().strip()
        if self._fits is None or self._fits[0] != path:
            return None, False
        name = self.backbone.value()[0]
        try:
            from ..core.backbones.catalogue import resolve_backbone

            timm_name = resolve_backbone(name, guess_layers=False).timm_name
        except Exception:
            timm_name = name
        return self._fits[1], any(f.timm_name == timm_name or f.name == name for f in self._fits[1])

    def _show_fit(self) -> None:
        using_file = self._using_file() and bool(self.weights_path.text().strip())
        fits, matches = self._current_fit() if using_file else (None, False)
        self.switch_button.setVisible(bool(fits) and not matches)
        if not using_file:
            self.file_note.setText("")
        elif self._detecting is not None:
            return  # "Checking…" stays
        elif fits is None:
            self.file_note.setText("")
        elif not fits:
            error = getattr(self, "_fit_error", "")
            self.file_note.setText(error or self.tr("This file fits none of the backbones Inspector knows."))
        elif matches:
            self.file_note.setText(self.tr("This file fits {backbone}.").format(backbone=self._shown_name()))
        else:
            best = fits[0]
            others = ", ".join(f.name for f in fits[1:4])
            self.file_note.setText(
                self.tr("This file holds {best} weights, not {backbone}.").format(best=best.name, backbone=self._shown_name())
                + (" " + self.tr("It also fits {others}.").format(others=others) if others else ""))
            self.switch_button.setText(self.tr("Use {backbone}").format(backbone=best.name))

    def _switch_to_detected(self) -> None:
        fits, _ = self._current_fit()
        if fits:
            self.backbone.set_value(fits[0].name)

    def _shown_name(self) -> str:
        combo = getattr(self.backbone, "combo", None)
        return combo.currentText().strip() if combo is not None else self.backbone.value()[0]

    def use_last_weights(self) -> bool:
        """Start from the weights file used last time (and its backbone), when it still exists."""
        last = (self.app_settings.get("last_weights") or {}) if self.app_settings else {}
        path, backbone = last.get("file"), last.get("backbone")
        if not path or not Path(path).is_file():
            return False
        if backbone and hasattr(self.backbone, "set_value"):
            self.backbone.set_value(backbone)
        self.set_weights_file(path)
        return True

    def remember_weights(self) -> None:
        """Remember the chosen weights file and backbone for the next project (call on accept)."""
        if self.app_settings is None or not self._using_file():
            return
        path = self.weights_path.text().strip()
        if path and Path(path).is_file():
            self.app_settings.set("last_weights", {"file": path, "backbone": self.backbone.value()[0]})

    def weights_problem(self) -> str:
        """Why these settings have no usable backbone weights, or ``""`` when they have."""
        picker = self.backbone
        name = self._shown_name()
        if getattr(picker, "loading", False):
            return self.tr("Reading the backbone {backbone}…").format(backbone=name)
        if getattr(picker, "error", ""):
            return self.tr("Backbone: {error}").format(error=picker.error)
        if self._using_file():
            path = self.weights_path.text().strip()
            if not path:
                return self.tr("Choose the weights file, or use Pretrained.")
            if not Path(path).is_file():
                return self.tr("The weights file {path} does not exist.").format(path=path)
            if not hasattr(picker, "detect_file"):
                return ""
            fits, matches = self._current_fit()
            if fits is None:
                return self.tr("Checking which backbone {file} fits…").format(file=Path(path).name)
            if not fits:
                return self.tr("{file} fits none of the backbones Inspector knows.").format(file=Path(path).name)
            if not matches:
                return self.tr("{file} holds {best} weights, not {backbone}: press \"Use {best}\".").format(
                    file=Path(path).name, best=fits[0].name, backbone=name)
            return ""
        if self._settings.model.get("weights") == "random":
            return ""
        status = getattr(picker, "weights_status", None)
        if status is None:
            return "" if not hasattr(picker, "weights_status") else self.tr("Checking the weights of {backbone}…").format(
                backbone=name)
        if status.state in ("imported", "cached"):
            return ""
        if status.state == "download" and getattr(picker, "online", None) is not False:
            return ""  # downloaded at the first training
        if status.state == "download":
            return self.tr("The pretrained weights of {backbone} are not on this PC and the model hub cannot be reached: "
                           "press Import… to add a weights file for it, or choose \"{file_choice}\".").format(
                backbone=name, file_choice=self.weights_kind.itemText(FILE_INDEX))
        return self.tr("timm publishes no pretrained weights for {backbone}: press Import… or choose a weights file.").format(
            backbone=name)

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        has = model_kinds.default_config(kind) if kind else {}
        self.form.setRowVisible(self.coreset, "coreset_ratio" in has)
        if kind:
            self.geometry.allow(getattr(model_kinds.model_class(kind), "geometries", ("center-crop",)))
        self._geometry_changed()

    def _geometry_changed(self) -> None:
        kind = self.kind.currentData()
        tiles = self.geometry.value() == "tiles" and "tile_overlap" in (model_kinds.default_config(kind) if kind else {})
        self.form.setRowVisible(self.geometry.overlap, tiles)
        self.form.setRowVisible(self.resize_box, self.geometry.value() in ("center-crop", "whole"))  # others: unused
        self.crop_box.setSuffix({"center-crop": self.tr(" px (centre crop)"), "stretch": self.tr(" px (square)"),
                                 "tiles": self.tr(" px (tile side)")}.get(self.geometry.value(), " px"))
        sizes = (self.resize_box.value(), self.crop_box.value())
        if (self.geometry.resize_px, self.geometry.crop_px) != sizes:
            self.geometry.set_sizes(*sizes)

    def set_settings(self, settings: ProjectSettings) -> None:
        self._settings = copy.deepcopy(settings)
        m = {**model_kinds.default_config(settings.model_kind), **settings.model}
        index = self.kind.findData(settings.model_kind)
        self.kind.setCurrentIndex(max(index, 0))
        if hasattr(self.backbone, "set_value"):
            self.backbone.set_value(m.get("backbone", "wide_resnet50_2"), list(m.get("layers", [])))
        weights = m.get("weights", "pretrained")
        self.weights_kind.setCurrentIndex(0 if weights in ("pretrained", None) else FILE_INDEX)
        self.weights_path.setText("" if weights in ("pretrained", None) else str(weights))
        self.weights_path.setEnabled(weights not in ("pretrained", None))
        self._weights_changed()
        self.resize_box.setValue(int(m.get("resize", 256)))
        self.crop_box.setValue(int(m.get("crop", 224)))
        self.coreset.setValue(float(m.get("coreset_ratio", 0.1)) * 100.0)
        self.holdout.setValue(settings.holdout_fraction * 100.0)
        self.device.setCurrentText(str(m.get("device", "auto")))
        self.advanced.setChecked(self.device.currentText() != "auto")  # a non-default value is shown
        # what training reads: a model config saved without the key is center-crop (core/models/base.py)
        self.geometry.set_value(str(settings.model.get("geometry", "center-crop")), float(m.get("tile_overlap", 0.25)))
        self._kind_changed()

    def settings(self) -> ProjectSettings:
        """The edited settings; model keys the chosen kind does not have are left out."""
        s = copy.deepcopy(self._settings)
        kind = self.kind.currentData() or "patchcore"
        defaults = model_kinds.default_config(kind)
        # an older project's settings lack the newer method keys: it keeps training the way it did
        m = model_kinds.completed_settings(kind, s.model if s.model_kind == kind else {})
        backbone, layers = self.backbone.value()
        m["backbone"] = backbone
        if layers:
            m["layers"] = layers
        if self._using_file() and self.weights_path.text().strip():
            m["weights"] = self.weights_path.text().strip()
        elif m.get("weights") != "random":  # "random" only ever comes from a test or script, kept as is
            m["weights"] = "pretrained"
        m["resize"] = self.resize_box.value()
        m["crop"] = self.crop_box.value()
        if "coreset_ratio" in defaults:
            m["coreset_ratio"] = self.coreset.value() / 100.0
        m["device"] = self.device.currentText().strip() or "auto"
        m["geometry"] = self.geometry.value()
        m["tile_overlap"] = self.geometry.tile_overlap()
        s.model_kind = kind
        s.model = {k: v for k, v in m.items() if k in defaults}
        s.holdout_fraction = self.holdout.value() / 100.0
        return s
