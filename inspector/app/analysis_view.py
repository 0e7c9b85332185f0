"""View ▸ Analysis…: what the trained model sees, for the part selected in the Results tab.

Tabs: Feature maps (each chosen layer's output summed over channels, min-max normalised, over the image),
Memory bank (histogram of the per-vector sums, normalised to 0-255), PCA (the bank in grey, the part's patches
coloured by their nearest-neighbour distance), ROC (of the reviewed parts, when both good and defect ones
exist). Everything is computed by one job on the app's ``JobRunner`` (the model is never used by two threads
at once); while another job runs the analysis waits for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from ..core.evaluation.analysis import LayerMap, Pca, Roc, bank_histogram, bank_pca, labelled_roc, layer_maps
from ..core.io.images import read_image
from ..core.runtime.progress import checkpoint
from .evaluate_view import open_evaluation
from .project_state import ProjectState
from .worker import JobRunner

GREY = (150, 150, 150)
BLUE = (25, 118, 210)


class AnalysisJob:
    """The job's identity on the runner (its ``str`` is the title the progress panel shows)."""

    def __str__(self) -> str:
        return QCoreApplication.translate("AnalysisDialog", "Analysis")


ANALYSIS_JOB = AnalysisJob()


@dataclass
class AnalysisResult:
    part_name: str | None
    image: np.ndarray | None
    layers: list[LayerMap]
    histogram: tuple[np.ndarray, np.ndarray] | None  # counts, edges; None without a memory bank
    pca: Pca | None
    roc: Roc | None
    note: str  # why something is missing ("" when nothing is)


def compute(project, part, decided: list, progress, cancel) -> AnalysisResult:
    """On the worker: load the model and the part's image, run every analysis (Esc cancels between steps)."""
    progress("analysis", 0, 4)
    model = project.model()
    image = read_image(project.path_of(part.image)) if part is not None else None
    notes = []
    layers = layer_maps(model, image) if image is not None else []
    progress("analysis", 1, 4)
    hist = pca = None
    if getattr(model, "memory_bank", None) is not None:
        checkpoint(cancel)
        hist = bank_histogram(model.memory_bank, bins=64)
        progress("analysis", 2, 4)
        checkpoint(cancel)
        pca = bank_pca(model, image)
    else:
        notes.append(QCoreApplication.translate(
            "AnalysisDialog", "A {kind} model has no memory bank: the histogram and the PCA need PatchCore.").format(
            kind=model.kind))
    progress("analysis", 3, 4)
    roc = labelled_roc(decided)
    progress("analysis", 4, 4)
    return AnalysisResult(part.image.name if part is not None else None, image, layers, hist, pca, roc, " ".join(notes))


def _image_plot(title: str, image: np.ndarray) -> pg.PlotWidget:
    plot = pg.PlotWidget(background="w", title=title)
    plot.setMenuEnabled(False)
    plot.hideAxis("left")
    plot.hideAxis("bottom")
    plot.setAspectLocked(True)
    plot.invertY(True)
    item = pg.ImageItem(axisOrder="row-major")
    item.setImage(image, autoLevels=False, levels=(0, 255))
    plot.addItem(item)
    plot.image_item = item
    return plot


class AnalysisDialog(QDialog):
    ready = Signal()  # the plots were filled
    failed = Signal(str)
    evaluateRequested = Signal()  # the ROC tab's "Evaluate on labelled parts…"

    def __init__(self, state: ProjectState, jobs: JobRunner, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Analysis"))
        self.resize(900, 640)
        self.state = state
        self.jobs = jobs
        self.part_id = -1
        self._pending = False
        self.result: AnalysisResult | None = None

        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.refresh_button = QPushButton(self.tr("Recompute"))
        self.refresh_button.clicked.connect(self.recompute)
        self.tabs = QTabWidget()

        self.maps_page = QWidget()
        self.maps_layout = QVBoxLayout(self.maps_page)
        self.maps_note = QLabel()
        self.maps_note.setWordWrap(True)
        self.maps_layout.addWidget(self.maps_note)
        self.map_plots: list[pg.PlotWidget] = []
        self.maps_row = QWidget()
        self.maps_layout.addWidget(self.maps_row, 1)
        self.tabs.addTab(self.maps_page, self.tr("Feature maps"))

        self.hist_plot = pg.PlotWidget(background="w")
        self.hist_plot.setMenuEnabled(False)
        self.hist_plot.setLabel("bottom", self.tr("sum over the vector's dimensions, normalised to 0-255"))
        self.hist_plot.setLabel("left", self.tr("memory-bank vectors"))
        self.hist_curve = self.hist_plot.plot([0, 1], [0], stepMode="center", fillLevel=0,
                                              pen=pg.mkPen(BLUE, width=1.5), brush=(*BLUE, 90))
        self.tabs.addTab(self.hist_plot, self.tr("Memory bank"))

        self.pca_plot = pg.PlotWidget(background="w")
        self.pca_plot.setMenuEnabled(False)
        self.pca_plot.addLegend(offset=(-10, 10))
        self.bank_points = pg.ScatterPlotItem(size=4, pen=None, brush=(*GREY, 110), name=self.tr("memory bank (good)"))
        self.patch_points = pg.ScatterPlotItem(size=7, pen=pg.mkPen((40, 40, 40), width=0.5),
                                               name=self.tr("this part's patches"))
        self.pca_plot.addItem(self.bank_points)
        self.pca_plot.addItem(self.patch_points)
        self.tabs.addTab(self.pca_plot, "PCA")

        self.roc_stack = QStackedWidget()
        self.roc_plot = pg.PlotWidget(background="w")
        self.roc_plot.setMenuEnabled(False)
        self.roc_plot.setLabel("bottom", self.tr("false-positive rate (good parts flagged)"))
        self.roc_plot.setLabel("left", self.tr("true-positive rate (defects caught)"))
        self.roc_plot.setXRange(0, 1)
        self.roc_plot.setYRange(0, 1)
        self.roc_plot.plot([0, 1], [0, 1], pen=pg.mkPen(GREY, style=Qt.DashLine))
        self.roc_curve = self.roc_plot.plot([0], [0], pen=pg.mkPen(BLUE, width=2.5))
        self.roc_note = QLabel()
        self.roc_note.setWordWrap(True)
        self.roc_note.setAlignment(Qt.AlignCenter)
        self.roc_stack.addWidget(self.roc_note)
        self.roc_stack.addWidget(self.roc_plot)
        # the ROC of the trained model on the reviewed parts; the evaluation compares geometries on the same parts
        # (or on an MVTec-layout folder), with a per-type table
        self.evaluate_button = QPushButton(self.tr("Evaluate on labelled parts…"))
        self.evaluate_button.setToolTip(self.tr("Train and score each geometry on the reviewed parts or on a "
                                                "labelled folder, side by side, with a table per defect type"))
        self.evaluate_button.clicked.connect(self.evaluateRequested)
        roc_page = QWidget()
        roc_layout = QVBoxLayout(roc_page)
        roc_layout.setContentsMargins(0, 0, 0, 0)
        roc_layout.addWidget(self.roc_stack, 1)
        roc_layout.addWidget(self.evaluate_button, 0, Qt.AlignRight)
        self.tabs.addTab(roc_page, "ROC")

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.refresh_button, 0, Qt.AlignRight)
        jobs.busyChanged.connect(self._runner_busy)
        jobs.errored.connect(self._errored)

    # --------------------------------------------------------------------------------- computing
    def set_part(self, image_id: int) -> None:
        """The part selected in the Results tab (-1: none); recomputes when it changed and the dialog shows."""
        if image_id != self.part_id:
            self.part_id = image_id
            if self.isVisible():
                self.recompute()

    def _part(self):
        part = self.state.result(self.part_id) if self.part_id >= 0 else None
        if part is None and self.state.results:
            part = self.state.results[0]
            self.part_id = part.image.id
        return part

    def recompute(self) -> None:
        project = self.state.project
        if project is None or not self.state.has_model:
            self.heading.setText(self.tr("Train a model first: the analysis shows what a trained model sees."))
            return
        part = self._part()
        decided = list(self.state.decided.values())
        which = (self.tr("part “{name}”").format(name=part.image.name) if part is not None
                 else self.tr("no part (inspect parts to see their maps)"))
        if self.jobs.busy and self.jobs.job is not ANALYSIS_JOB:
            self._pending = True
            self.heading.setText(self.tr("Waiting for “{job}” to finish…").format(job=self.jobs.title))
            return
        if self.jobs.busy:
            self._pending = True
            return
        self._pending = False
        self.heading.setText(self.tr("Computing the analysis of {which}…").format(which=which))
        self.refresh_button.setEnabled(False)
        self.jobs.start(ANALYSIS_JOB, lambda progress, cancel: compute(project, part, decided, progress, cancel),
                        self._show, lambda: self.refresh_button.setEnabled(True))

    def _runner_busy(self, busy: bool) -> None:
        if not busy and self._pending and self.isVisible():
            self.recompute()

    def _errored(self, job, message: str, _detail: str) -> None:
        if job is ANALYSIS_JOB:
            self.heading.setText(self.tr("The analysis failed: {error}").format(error=message))
            self.failed.emit(message)

    # ---------------------------------------------------------------------------------- showing
    def _show(self, r: AnalysisResult) -> None:
        self.result = r
        heading = self.tr("Part “{name}”").format(name=r.part_name) if r.part_name else self.tr("No part selected")
        self.heading.setText(heading + (f". {r.note}" if r.note else ""))
        self._show_maps(r)
        if r.histogram is not None:
            counts, edges = r.histogram
            self.hist_curve.setData(edges, counts)
        else:
            self.hist_curve.setData([0, 1], [0])
        self._show_pca(r.pca)
        self._show_roc(r.roc)
        self.ready.emit()

    def _show_maps(self, r: AnalysisResult) -> None:
        old = self.maps_row
        row = QWidget()
        lay = QHBoxLayout(row)
        lay.setContentsMargins(0, 0, 0, 0)
        self.map_plots = []
        if r.image is None:
            self.maps_note.setText(self.tr("Select an inspected part in the Results tab to see its feature maps."))
        else:
            self.maps_note.setText(self.tr("Each chosen layer's output summed over its channels and min-max normalised "
                                           "(dark = low, bright = high), laid over the whole image."))
            lay.addWidget(_image_plot(self.tr("image"), r.image))
            lut = pg.colormap.get("viridis").getLookupTable(nPts=256)
            for lm in r.layers:
                rgba = np.concatenate([lut[np.clip(lm.map * 255, 0, 255).astype(np.uint8)],
                                       np.full(lm.map.shape + (1,), 255, np.uint8)], axis=2)
                if lm.inside is not None:  # outside the inspected area: transparent, not "low"
                    rgba[..., 3] = np.where(lm.inside, 255, 0)
                plot = _image_plot(self.tr("{layer} ({w}×{h} patches)").format(layer=lm.layer, w=lm.grid[1], h=lm.grid[0]),
                                   rgba)
                plot.values = lm.map
                self.map_plots.append(plot)
                lay.addWidget(plot)
        self.maps_row = row
        self.maps_layout.replaceWidget(old, row)
        old.deleteLater()

    def _show_pca(self, pca: Pca | None) -> None:
        if pca is None:
            self.bank_points.setData([], [])
            self.patch_points.setData([], [])
            return
        ex = pca.explained
        self.pca_plot.setLabel("bottom", self.tr("PC 1 ({share} of the bank's variance)").format(share=f"{ex[0]:.0%}"))
        self.pca_plot.setLabel("left", f"PC 2 ({ex[1]:.0%})")
        self.bank_points.setData(pca.bank_xy[:, 0], pca.bank_xy[:, 1])
        if len(pca.patch_xy):
            d = pca.patch_distance
            t = (d - d.min()) / (d.max() - d.min()) if d.max() > d.min() else np.zeros_like(d)
            cmap = pg.colormap.get("plasma")
            brushes = [pg.mkBrush(c) for c in cmap.map(t, mode="qcolor")]
            self.patch_points.setData(pca.patch_xy[:, 0], pca.patch_xy[:, 1], brush=brushes)
            self.patch_points.setToolTip(self.tr("this part's patches: bright = far from every good patch"))
        else:
            self.patch_points.setData([], [])

    def _show_roc(self, roc: Roc | None) -> None:
        if roc is None:
            self.roc_note.setText(self.tr("The ROC curve needs reviewed parts of both kinds: mark at least one part Good "
                                          "and one Defect in the Review tab."))
            self.roc_stack.setCurrentWidget(self.roc_note)
            return
        self.roc_curve.setData(roc.fpr, roc.tpr)
        self.roc_plot.setTitle(self.tr("AUROC {auroc:.3f} over {good} good and {defect} defect reviewed parts "
                                       "(reviewed parts only: mostly the flagged ones)").format(
            auroc=roc.auroc, good=roc.n_good, defect=roc.n_defect))
        self.roc_stack.setCurrentWidget(self.roc_plot)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.result is None and not self._pending and self.jobs.job is not ANALYSIS_JOB:
            self.recompute()


def open_analysis(window) -> AnalysisDialog:
    """Show the main window's analysis dialog (made once), following the Results tab's selection."""
    dialog = getattr(window, "_analysis_dialog", None)
    if dialog is None:
        dialog = AnalysisDialog(window.state, window.jobs, window)
        window._analysis_dialog = dialog
        window.results.table.currentImageChanged.connect(dialog.set_part)
        window.state.closed.connect(dialog.close)
        # the reviewed parts chosen (the ROC's parts); a partial holding the window, not the dialog
        dialog.evaluateRequested.connect(partial(open_evaluation, window, "reviewed"))
    dialog.part_id = getattr(window.results.table, "_current", -1)
    was_visible = dialog.isVisible()
    dialog.show()
    if was_visible:
        dialog.raise_()  # already open: bring it forward
    if was_visible or dialog.result is not None:
        dialog.recompute()
    return dialog
