"""Backbone and layer picker for the project settings, with the weights status and Import / Download.

The combo is editable and searchable (a completer matching anywhere in the name): the reference backbones first
(unavailable ones disabled, the reason as tooltip), then every timm model; a typed name is taken once typing
pauses, when it names a model (typing "resnet18" selects resnet18). Choosing one lists
its layers with their ``[C, H, W]`` maps and the rough cost up to each (computed on the ``meta`` device, on a
background thread: big models take a second). The weights line says what ``pretrained`` means on this PC
(imported file / cached / needs download / none) with Import... and Download; the download runs on the app's
``JobRunner`` when one is given (its progress and errors then show where all jobs show), else on a thread of
its own with a progress bar and Cancel. ``value()`` is ``(backbone, layers)``; ``changed`` fires on any change.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core.runtime.progress import Cancelled, CancelToken

TYPING_PAUSE_MS = 400  # a typed backbone name is taken after this pause
DEFAULT_BACKBONE = "wideresnet50"  # PatchCore's default
SPEED_REFERENCE = "wideresnet50"  # relative speed: GMACs against the paper's default backbone and layers


class _Call(QThread):
    """Runs ``fn(progress, cancel)`` off the UI thread; the outcome comes back as one ``settled`` signal."""

    progressed = Signal(object, str, int, int)  # the call, stage, done, total
    settled = Signal(object, object, str)  # the call, result, error ("" on success, "cancelled" if cancelled)

    def __init__(self, fn: Callable, parent: QObject, on_settled: Callable, on_progress: Callable | None):
        super().__init__(parent)
        self.fn = fn
        self.token = CancelToken()
        self.on_settled = on_settled
        self.on_progress = on_progress

    def run(self) -> None:
        def progress(stage: str, done: int, total: int) -> None:
            self.progressed.emit(self, stage, int(done), int(total))

        try:
            result = self.fn(progress, self.token)
        except Cancelled:
            self.settled.emit(self, None, "cancelled")
        except Exception as exc:  # shown in the picker's status line
            self.settled.emit(self, None, str(exc) or type(exc).__name__)
        else:
            self.settled.emit(self, result, "")


def _describe_layers(table: dict[str, Any], chosen: list[str], reference_gmacs: float | None) -> str:
    translate = QCoreApplication.translate
    infos = [table[n] for n in chosen if n in table]
    if not infos:
        return translate("BackbonePicker", "Choose at least one layer.")
    dims = " + ".join(str(i.channels) for i in infos)
    total = sum(i.channels for i in infos)
    grid = f"{infos[0].shape[1]}×{infos[0].shape[2]}"
    gmacs = max(i.gmacs for i in infos)
    speed = (" " + translate("BackbonePicker", "(×{ratio:.2f} of {reference})").format(
        ratio=gmacs / reference_gmacs, reference=SPEED_REFERENCE)) if reference_gmacs else ""
    return (translate("BackbonePicker", "Features: {dims} = {total} dims per position on a {grid} grid · "
               "≈ {gmacs:.2f} GMACs per image").format(dims=dims, total=total, grid=grid, gmacs=gmacs) + speed)


def status_text(status) -> str:
    """The weights status line in the user's language (the core's ``WeightsStatus.text`` is English; its
    details, a file name, a size, a hub repository, are kept)."""
    translate = QCoreApplication.translate
    text = status.text
    for state, english, translated in (
            ("imported", "imported file ", translate("BackbonePicker", "imported file {detail}")),
            ("cached", "cached from the timm hub ", translate("BackbonePicker", "cached from the timm hub {detail}")),
            ("download", "needs download from the timm hub ",
             translate("BackbonePicker", "needs download from the timm hub {detail}"))):
        if status.state == state and text.startswith(english):
            return translated.format(detail=text[len(english):])
    if status.state == "none":
        return translate("BackbonePicker", "no pretrained weights on the timm hub: import a weights file")
    return text


class BackbonePicker(QWidget):
    """Backbone combo, layer multi-select with shapes and cost, weights status with Import... / Download."""

    changed = Signal()
    layersLoaded = Signal(str)  # backbone name, once its layer table is shown
    weightsChanged = Signal(str)  # the weights state: imported / cached / download / none
    busyChanged = Signal(bool)
    fileDetected = Signal(str, object, str)  # weights file, the backbones it fits (best first), error

    def __init__(self, parent: QWidget | None = None, runner: Any | None = None, input_size: int | None = None):
        super().__init__(parent)
        from ..core.backbones.catalogue import reference_backbones

        self.runner = runner  # the app's JobRunner, optional
        self.input_size = input_size
        self._specs = {s.name: s for s in reference_backbones()}
        self._table: dict[str, Any] = {}
        self._pending_layers: list[str] | None = None
        self._request = 0
        self._threads: set[_Call] = set()
        self._download: _Call | None = None
        self._reference_gmacs: float | None = None
        self._alias: tuple[str, str] | None = None  # (reference name shown, timm name it was set by)
        self._loaded_name: str | None = None  # the backbone whose layers are shown (or being read)
        self.error = ""  # why the current backbone cannot be used ("" when it can)
        self.online: bool | None = None  # whether the model hub answered, asked when weights need a download
        self._pretrained_used = True  # False while the project uses a weights file of its own

        self.combo = QComboBox()
        self.combo.setObjectName("backboneCombo")
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.NoInsert)
        self.combo.setMaxVisibleItems(20)
        model = self.combo.model()
        for spec in self._specs.values():
            self.combo.addItem(spec.name)
            index = self.combo.count() - 1
            tip = f"{spec.timm_name} · {spec.family}" + (f" · {spec.note}" if spec.note else "")
            if not spec.available:
                item = model.item(index)
                item.setEnabled(False)
                tip = self.tr("Not available: {reason}").format(reason=spec.unavailable)
            self.combo.setItemData(index, tip, Qt.ToolTipRole)
        from ..core.backbones.timm_import import import_timm

        timm = import_timm()

        for name in timm.list_models():
            if self.combo.findText(name, Qt.MatchExactly) < 0:
                self.combo.addItem(name)
        completer = QCompleter(self.combo.model(), self.combo)
        completer.setCaseSensitivity(Qt.CaseInsensitive)
        completer.setFilterMode(Qt.MatchContains)
        completer.setCompletionMode(QCompleter.PopupCompletion)
        self.combo.setCompleter(completer)
        self.combo.lineEdit().setPlaceholderText(self.tr("type to search the reference names and all timm models"))
        self.combo.setToolTip(self.tr("Any timm model: type part of its name. The reference backbones come first."))
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(TYPING_PAUSE_MS)
        self._typing.timeout.connect(self._typed)
        self.layers = QListWidget()
        self.layers.setObjectName("layerList")
        # at least four rows: in a tight dialog the wrapped texts around it would squeeze it to one or two
        self.layers.setMinimumHeight(4 * self.fontMetrics().lineSpacing() + 12)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.weights_label = QLabel()
        self.weights_label.setWordWrap(True)
        self.import_button = QPushButton(self.tr("Import…"))
        self.download_button = QPushButton(self.tr("Download"))
        self.progress = QProgressBar()
        self.progress.setVisible(False)

        form = QFormLayout()
        form.addRow(self.tr("Backbone"), self.combo)
        weights_row = QHBoxLayout()
        weights_row.addWidget(self.weights_label, 1)
        weights_row.addWidget(self.import_button)
        weights_row.addWidget(self.download_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        header = QLabel(self.tr("Layers (feature map C×H×W, cost from the input up to the layer)"))
        header.setToolTip(self.tr("C×H×W: channels × grid rows × grid columns of the layer's feature map; each grid cell "
                                  "is one patch vector.\nGMACs: billions of multiply-accumulates per image from the "
                                  "input up to that layer, a measure of speed.\nThe default layers (marked) are what "
                                  "PatchCore uses; deeper layers see larger defects, earlier ones finer texture."))
        self.all_layers = QCheckBox(self.tr("Stem layers too"))
        self.all_layers.setToolTip(self.tr("Also list the stem (e.g. conv1, bn1: full-resolution maps right after the "
                                           "input, rarely useful for inspection)"))
        self.all_layers.toggled.connect(self._show_stem)
        header_row = QHBoxLayout()
        header_row.addWidget(header, 1)
        header_row.addWidget(self.all_layers)
        layout.addLayout(header_row)
        layout.addWidget(self.layers, 1)
        layout.addWidget(self.summary)
        layout.addLayout(weights_row)
        layout.addWidget(self.progress)

        self.weights_status = None
        self.combo.setCurrentIndex(self.combo.findText(DEFAULT_BACKBONE, Qt.MatchExactly))
        self.combo.currentTextChanged.connect(self._text_changed)
        self.combo.activated.connect(lambda _i: self._typed())
        self.layers.itemChanged.connect(self._layers_edited)
        self.import_button.clicked.connect(self._ask_import)
        self.download_button.clicked.connect(self._download_clicked)
        self._backbone_chosen(self.combo.currentText())

    # ------------------------------------------------------------------------------------------ value
    def value(self) -> tuple[str, list[str]]:
        """(backbone name, chosen layers in the model's order). A backbone set by its timm name
        (``wide_resnet50_2``) shows as its reference entry (``wideresnet50``) and is given back as it was set."""
        name = self.combo.currentText().strip()
        if self._alias is not None and self._alias[0] == name:
            name = self._alias[1]
        return name, self._checked_layers()

    def set_value(self, backbone: str, layers: list[str] | None = None) -> None:
        """Select ``backbone`` (a reference name, or any timm name: added to the combo) and check ``layers``
        (default: the backbone's defaults) once its layer table has loaded."""
        self._alias = None
        same_model = [s.name for s in self._specs.values() if s.timm_name == backbone]
        if same_model and backbone not in self._specs:
            self._alias = (same_model[0], backbone)
            backbone = same_model[0]
        if self.combo.findText(backbone, Qt.MatchExactly) < 0:
            self.combo.addItem(backbone)
            self.combo.setItemData(self.combo.count() - 1, self.tr("a timm model outside the reference list"), Qt.ToolTipRole)
        self._pending_layers = list(layers) if layers is not None else None
        self.combo.blockSignals(True)
        self.combo.setCurrentIndex(self.combo.findText(backbone, Qt.MatchExactly))
        self.combo.blockSignals(False)
        self._typing.stop()
        self._backbone_chosen(backbone)

    def _checked_layers(self) -> list[str]:
        if not self._table and self._pending_layers is not None:
            return list(self._pending_layers)
        return [self.layers.item(i).data(Qt.UserRole) for i in range(self.layers.count())
                if self.layers.item(i).checkState() == Qt.Checked]

    # -------------------------------------------------------------------------------------- layer table
    @property
    def loading(self) -> bool:
        """True while a typed name waits for the typing pause or the layer table is being read."""
        return self._typing.isActive() or (self._loaded_name is not None and not self._table and not self.error)

    def _text_changed(self, _text: str) -> None:
        self._typing.start()
        self.changed.emit()

    def _typed(self) -> None:
        """Take the typed name when it names a model; otherwise say so and keep nothing selected."""
        self._typing.stop()
        name = self.combo.currentText().strip()
        if name == self._loaded_name:
            return
        if self._alias is not None and self._alias[0] != name:
            self._alias = None
        index = self.combo.findText(name, Qt.MatchExactly)
        if index >= 0 and self.combo.currentIndex() != index:
            self.combo.blockSignals(True)
            self.combo.setCurrentIndex(index)
            self.combo.blockSignals(False)
        self._backbone_chosen(name)

    def _backbone_chosen(self, name: str) -> None:
        self._request += 1
        request = self._request
        self._loaded_name = name
        self.error = ""
        self._table = {}
        self.layers.clear()
        self.summary.setText(self.tr("Reading the layers of {backbone}…").format(backbone=name))
        self.weights_label.setText("")
        self.weights_status = None
        size = self.input_size

        def load(progress, cancel):
            from ..core.backbones import weights as W
            from ..core.backbones.catalogue import cost_up_to, layer_table, resolve_backbone

            spec = resolve_backbone(name)
            table = layer_table(spec, size)
            reference = cost_up_to(SPEED_REFERENCE, ["layer3"], size) if self._reference_gmacs is None else None
            status = W.weights_status(spec.name)
            online = W._hub_reachable() if status.state == "download" else None
            return spec, table, reference, status, online

        self._start(load, lambda result, error: self._table_loaded(request, name, result, error))
        self.changed.emit()

    def _table_loaded(self, request: int, name: str, result, error: str) -> None:
        if request != self._request:
            return  # the user has chosen another backbone meanwhile
        if error:
            self.error = error
            self.summary.setText(f"{name}: {error}")
            self._show_weights(None)
            self.layersLoaded.emit(name)
            self.changed.emit()
            return
        spec, table, reference, status, self.online = result
        if reference is not None:
            self._reference_gmacs = reference
        chosen = self._pending_layers if self._pending_layers is not None else list(spec.layers)
        self._pending_layers = None
        self.layers.blockSignals(True)
        for info in table:
            default = " " + self.tr("(default)") if info.name in spec.layers else ""
            text = f"{info.name}{default}   {'×'.join(map(str, info.shape))}   {info.gmacs:.2f} GMACs"
            item = QListWidgetItem(text)
            item.setData(Qt.UserRole, info.name)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked if info.name in chosen else Qt.Unchecked)
            item.setToolTip(self.tr("module output {shape}, {mparams:.1f} M parameters up to here").format(
                shape='×'.join(map(str, info.raw_shape)), mparams=info.mparams))
            self.layers.addItem(item)
        self.layers.blockSignals(False)
        self._table = {info.name: info for info in table}
        self._stem = {info.name for info in table if info.shape[1] > (self.input_size or spec.input_size) // 4}
        self._show_stem(self.all_layers.isChecked())
        self._refresh_summary()
        self._show_weights(status)
        self.layersLoaded.emit(name)
        self.changed.emit()

    def _show_stem(self, show: bool) -> None:
        """Stem layers (finer than a quarter of the input, e.g. conv1, bn1) are listed on request; a checked
        one always is."""
        for i in range(self.layers.count()):
            item = self.layers.item(i)
            stem = item.data(Qt.UserRole) in getattr(self, "_stem", set())
            item.setHidden(stem and not show and item.checkState() != Qt.Checked)

    def _layers_edited(self, _item: QListWidgetItem) -> None:
        self._refresh_summary()
        self.changed.emit()

    def _refresh_summary(self) -> None:
        self.summary.setText(_describe_layers(self._table, self._checked_layers(), self._reference_gmacs))

    # ------------------------------------------------------------------------------------------ weights
    def _show_weights(self, status) -> None:
        self.weights_status = status
        if status is None:
            self.weights_label.setText(self.tr("Weights: unknown"))
            self.download_button.setEnabled(False)
            self.import_button.setEnabled(False)
            return
        if self._pretrained_used:
            self.weights_label.setText(self.tr("Pretrained weights: {status}").format(status=status_text(status)))
        else:
            self.weights_label.setText("<span style='color:#888'>" + self.tr(
                "Pretrained weights (not used: the weights file below is): {status}").format(
                status=status_text(status)) + "</span>")
        self.import_button.setEnabled(self._download is None)
        self.download_button.setEnabled(status.state == "download" or self._download is not None)
        self.weightsChanged.emit(status.state)

    def set_pretrained_used(self, used: bool) -> None:
        """Whether the settings use "pretrained" (else a weights file): the status line says if it is moot."""
        if used != self._pretrained_used:
            self._pretrained_used = used
            if self.weights_status is not None:
                self._show_weights(self.weights_status)

    def refresh_weights(self) -> None:
        """Re-read the weights status of the current backbone (after an import or download elsewhere)."""
        name = self._loaded_name or self.combo.currentText().strip()

        def status(progress, cancel):
            from ..core.backbones.weights import weights_status

            return weights_status(name)

        self._start(status, lambda result, error: self._show_weights(None if error else result)
                    if name == self._loaded_name else None)

    def _ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import backbone weights"), "",
                                              self.tr("Weights (*.safetensors *.pth *.pt *.bin);;All files (*)"))
        if path:
            self.import_file(path)

    def import_file(self, path: str) -> None:
        """Import ``path`` for the current backbone (checked strictly, on a thread); the status line reports."""
        name, layers = self.value()
        self.weights_label.setText(self.tr("Weights: checking {path}…").format(path=path))
        self.import_button.setEnabled(False)

        def run(progress, cancel):
            from ..core.backbones.weights import import_weights, weights_status

            return import_weights(path, name, layers=layers or None), weights_status(name)

        def done(result, error):
            if error:
                self.weights_label.setText(self.tr("Weights: not imported: {error}").format(error=error))
                self.import_button.setEnabled(True)
                self.weightsChanged.emit("error")
                return
            report, status = result
            self._show_weights(status)
            if report.check.unused_missing:
                self.weights_label.setText(self.weights_label.text() + " · " + self.tr(
                    "the file has no weights for {modules}").format(modules=", ".join(report.check.unused_missing)))

        self._start(run, done)

    def detect_file(self, path: str) -> None:
        """Find which architectures the weights file ``path`` fits, off the UI thread: ``fileDetected``."""

        def run(progress, cancel):
            from ..core.backbones.detect import detect_backbone

            return detect_backbone(path, cancel=cancel)

        self._start(run, lambda result, error: self.fileDetected.emit(path, result or [], error))

    def _download_clicked(self) -> None:
        if self._download is not None:
            self._download.token.cancel()
        else:
            self.start_download()

    def start_download(self) -> None:
        """Download the current backbone's weights from the timm hub, off the UI thread."""
        from ..core.backbones.catalogue import resolve_backbone

        name = self._loaded_name or self.combo.currentText().strip()
        timm_name = resolve_backbone(name).timm_name

        def run(progress, cancel):
            from ..core.backbones.weights import download_pretrained, weights_status

            download_pretrained(timm_name, progress, cancel)
            return weights_status(name)

        if self.runner is not None:
            started = self.runner.start(self.tr("Download {backbone}").format(backbone=name), run, on_finished=self._show_weights,
                                        on_settled=self.refresh_weights)
            if not started:
                self.weights_label.setText(self.tr("Weights: another job is running; download later"))
            return
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.download_button.setText(self.tr("Cancel"))
        self.import_button.setEnabled(False)

        def done(result, error):
            self._download = None
            self.progress.setVisible(False)
            self.download_button.setText(self.tr("Download"))
            if error:
                self.weights_label.setText(self.tr("Weights: download cancelled") if error == "cancelled" else
                                           self.tr("Weights: download failed: {error}").format(error=error))
                self.download_button.setEnabled(True)
                self.import_button.setEnabled(True)
                self.weightsChanged.emit("error" if error != "cancelled" else "cancelled")
            else:
                self._show_weights(result)

        self._download = self._start(run, done, self._download_progress)

    def _download_progress(self, stage: str, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * done / total))
            self.progress.setFormat(f"{done / 1e6:.0f} / {total / 1e6:.0f} MB")

    # ------------------------------------------------------------------------------------------ threads
    def _start(self, fn: Callable, on_settled: Callable, on_progress: Callable | None = None) -> _Call:
        """Run ``fn`` on a thread; its callbacks run on the UI thread (signals to this widget's bound slots
        are queued across threads)."""
        call = _Call(fn, self, on_settled, on_progress)
        self._threads.add(call)
        call.progressed.connect(self._call_progressed)
        call.settled.connect(self._call_settled)
        call.finished.connect(self._call_finished)
        if len(self._threads) == 1:
            self.busyChanged.emit(True)
        call.start()
        return call

    def _call_progressed(self, call: _Call, stage: str, done: int, total: int) -> None:
        if call.on_progress is not None:
            call.on_progress(stage, done, total)

    def _call_settled(self, call: _Call, result: Any, error: str) -> None:
        call.on_settled(result, error)

    def _call_finished(self) -> None:
        call = self.sender()
        if call not in self._threads:
            return
        self._threads.discard(call)
        call.deleteLater()
        if not self._threads:
            self.busyChanged.emit(False)

    @property
    def busy(self) -> bool:
        return bool(self._threads)

    def shutdown(self, timeout_ms: int = 30000) -> bool:
        """Cancel a download and wait for every thread of this widget (call before the window closes)."""
        ok = True
        for call in list(self._threads):
            call.token.cancel()
            ok = call.wait(timeout_ms) and ok
        return ok

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.shutdown()
        super().closeEvent(event)
