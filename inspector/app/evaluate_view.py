"""Project ▸ Evaluate on labelled parts…: choose the geometry from data.

The project's model settings (kind, backbone, weights, layers, coreset ratio, region) are trained and scored
once per chosen geometry on labelled images, the comparison ``inspector compare DATASET --geometries …`` makes
(``core.evaluation.compare``), on the app's ``JobRunner`` with progress and cancel. The labelled images are
either

- a folder in the MVTec AD layout (``train/good``, ``test/<type>``, ``ground_truth/<type>``): trained on
  ``train/good``, scored on ``test/``, pixel metrics over the whole frame from the masks; or
- the project's reviewed parts: trained on the project's own training split (the held-out good images are kept
  out), scored on the parts a person marked Good or Defect plus the held-out good images. Parts that are also
  training images (confirmed good and added to training) are left out. There are no masks: the pixel columns
  say so.

Two tables and a plot: the CLI's table (image AUROC, full-frame pixel AUROC, PRO, fit s, ms per image, one row
per geometry), one per image type (count, image AUROC per geometry; for reviewed parts also the verdicts the
project gives them now) and the image-level ROC curve of each geometry. "Use this geometry" sets the project's
geometry (the model then needs retraining). The last comparison is saved in the project as ``evaluation.json``
(atomic) and shown again when the dialog opens.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import InspectorError
from ..core.evaluation.analysis import roc_from_scores
from ..core.evaluation.compare import (
    COLUMNS,
    ComparisonFileError,
    cell,
    compare_geometries,
    load_comparison,
    per_type_rows,
    save_comparison,
)
from ..core.evaluation.mvtec import TestSample, discover
from ..core.io.geometry import GEOMETRIES
from ..core.models import registry as model_kinds
from .progress_panel import stage_label
from .project_state import ProjectState
from .worker import JobRunner

RESULTS_FILE = "evaluation.json"  # in the project folder
DEFAULT_GEOMETRIES = ("center-crop", "whole", "stretch")  # tiles is slow: off unless asked
VERDICTS = ("pass", "uncertain", "fail")
GEOMETRY_COLOURS = ((31, 119, 180), (44, 160, 44), (255, 127, 14), (214, 39, 40))  # each geometry its own
GOOD, HELD_OUT, DEFECT = "good", "good (held out)", "defect"


class EvaluationJob:
    """The comparison's identity on the runner; ``plan`` gives the progress panel every stage ahead."""

    def __init__(self, plan: list[tuple[str, int | None]]):
        self.plan = plan

    def __str__(self) -> str:
        return QCoreApplication.translate("EvaluateDialog", "Evaluating on labelled parts")


def stage_plan(kind: str, geometries: list[str], n_train: int, n_test: int) -> list[tuple[str, int | None]]:
    """The comparison's stages: per geometry, features (tiles count tiles: unknown ahead), the coreset or fit,
    scoring."""
    plan: list[tuple[str, int | None]] = []
    for g in geometries:
        plan += [(f"{g}/features", None if g == "tiles" else n_train),
                 (f"{g}/{'coreset' if kind == 'patchcore' else 'fit'}", None), (f"{g}/inspect", n_test)]
    return plan


def reviewed_samples(project, results) -> tuple[list[Path], list[TestSample], dict[str, dict[str, int]]]:
    """The project's labelled parts: (training images, samples, verdicts now per type). Training images are the
    project's own fit split; samples are the parts marked Good or Defect (``results``: the inspected parts) and
    the held-out good images, less any image that is also a training image (same bytes), each image once."""
    fit, holdout = project.plan_holdout()
    train_hashes = {r.hash for r in fit}
    thresholds = project.thresholds
    holdout_scores = {r.image.id: r.score for r in project.results(("holdout",))}
    samples: list[TestSample] = []
    verdicts: dict[str, dict[str, int]] = {}

    seen: set[str] = set()

    def add(image, label: int, kind: str, score: float | None) -> None:
        if image.hash in train_hashes or image.hash in seen:  # trained on, or counted already (same bytes)
            return
        seen.add(image.hash)
        samples.append(TestSample(project.path_of(image), label, kind, None))
        counts = verdicts.setdefault(kind, dict.fromkeys(("images", *VERDICTS), 0))
        counts["images"] += 1
        if thresholds is not None and score is not None:
            counts[thresholds.verdict(score)] += 1

    for r in results:
        if r.decision in ("good", "defect"):
            add(r.image, int(r.decision == "defect"), DEFECT if r.decision == "defect" else GOOD, r.score)
    for image in holdout:
        add(image, 0, HELD_OUT, holdout_scores.get(image.id))
    return [project.path_of(r) for r in fit], samples, verdicts


class EvaluateDialog(QDialog):
    finished_run = Signal()  # a comparison finished (or was cancelled) and its table is shown
    geometryChosen = Signal(str, str)  # the geometry, the message saying what it means for the model

    def __init__(self, state: ProjectState, jobs: JobRunner, parent=None, cancel=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Evaluate on labelled parts"))
        self.resize(1100, 680)
        self.state = state
        self.jobs = jobs
        self._cancel = cancel or jobs.cancel
        self.job: EvaluationJob | None = None
        self.data: dict | None = None  # the comparison shown (as saved)
        self._partial: list[dict] = []

        # --- what to evaluate on
        self.folder_radio = QRadioButton(self.tr("A folder in the MVTec AD layout (train/good, test/<type>, "
                                                 "ground_truth/<type>):"))
        self.reviewed_radio = QRadioButton(self.tr("The project's reviewed parts (Good and Defect decisions, with "
                                                   "the held-out good images; no masks)"))
        self.source_group = QButtonGroup(self)
        self.source_group.addButton(self.folder_radio)
        self.source_group.addButton(self.reviewed_radio)
        self.folder_edit = QLineEdit()
        self.folder_edit.setPlaceholderText(self.tr("Folder with train/good and test/…"))
        self.browse_button = QPushButton(self.tr("Browse…"))
        self.browse_button.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_radio)
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.browse_button)
        self.geometry_boxes: dict[str, QCheckBox] = {}
        geo_row = QHBoxLayout()
        geo_row.addWidget(QLabel(self.tr("Geometries:")))
        for g in GEOMETRIES:
            box = QCheckBox(g)
            box.setChecked(g in DEFAULT_GEOMETRIES)
            box.toggled.connect(self._update_buttons)
            self.geometry_boxes[g] = box
            geo_row.addWidget(box)
        self.region_box = QCheckBox(self.tr("Use the project's region to inspect"))
        geo_row.addSpacing(16)
        geo_row.addWidget(self.region_box)
        geo_row.addStretch(1)
        self.settings_label = QLabel()
        self.settings_label.setWordWrap(True)
        self.settings_label.setStyleSheet("color: #555;")
        self.run_button = QPushButton(self.tr("Evaluate"))
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton(self.tr("Cancel evaluation"))
        self.cancel_button.clicked.connect(self.cancel)
        self.status = QLabel()
        self.status.setWordWrap(True)
        run_row = QHBoxLayout()
        run_row.addWidget(self.status, 1)
        run_row.addWidget(self.cancel_button)
        run_row.addWidget(self.run_button)
        source = QGroupBox(self.tr("Labelled images"))
        src_layout = QVBoxLayout(source)
        src_layout.addLayout(folder_row)
        src_layout.addWidget(self.reviewed_radio)
        src_layout.addLayout(geo_row)
        src_layout.addWidget(self.settings_label)
        self.folder_radio.toggled.connect(self._update_buttons)
        self.folder_edit.textChanged.connect(self._update_buttons)

        # --- the tables
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(self._headers())
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.types_label = QLabel(self.tr("Per image type: image AUROC % of each defect type against all good "
                                          "images"))
        self.types_table = QTableWidget(0, 2)
        self.types_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.types_table.verticalHeader().hide()
        self.types_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.use_button = QPushButton(self.tr("Use this geometry"))
        self.use_button.clicked.connect(self.use_selected_geometry)
        self.roc_plot = pg.PlotWidget(background="w")
        self.roc_plot.setMenuEnabled(False)
        self.roc_plot.setLabel("bottom", self.tr("false-positive rate (good images flagged)"))
        self.roc_plot.setLabel("left", self.tr("true-positive rate (defects caught)"))
        self.roc_plot.setXRange(0, 1)
        self.roc_plot.setYRange(0, 1)
        self.roc_plot.setMinimumWidth(320)
        self.roc_plot.plot([0, 1], [0, 1], pen=pg.mkPen((150, 150, 150), style=Qt.DashLine))
        self.roc_legend = self.roc_plot.addLegend(offset=(-10, -10))
        self.roc_curves: dict[str, pg.PlotDataItem] = {}
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.heading)
        top_layout.addWidget(self.table, 1)
        use_row = QHBoxLayout()
        use_row.addStretch(1)
        use_row.addWidget(self.use_button)
        top_layout.addLayout(use_row)
        types = QWidget()
        types_layout = QVBoxLayout(types)
        types_layout.setContentsMargins(0, 0, 0, 0)
        types_layout.addWidget(self.types_label)
        types_layout.addWidget(self.types_table, 1)
        self.types_label.setWordWrap(True)
        bottom = QSplitter(Qt.Horizontal)  # the per-type table beside the ROC curves
        bottom.addWidget(types)
        bottom.addWidget(self.roc_plot)
        bottom.setSizes([3000, 2000])  # in proportion: the table wider than the plot
        split = QSplitter(Qt.Vertical)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setSizes([2000, 3000])  # a few rows above, the per-type table and the curves below

        layout = QVBoxLayout(self)
        layout.addWidget(source)
        layout.addLayout(run_row)
        layout.addWidget(split, 1)
        jobs.busyChanged.connect(self._update_buttons)
        jobs.progress.connect(self._progress)
        jobs.errored.connect(self._errored)
        jobs.cancelled.connect(self._cancelled)
        state.modelChanged.connect(self._model_changed)
        self.folder_radio.setChecked(True)
        self.refresh()

    def _headers(self) -> list[str]:
        names = {"model": self.tr("model"), "backbone": self.tr("backbone"), "layers": self.tr("layers"),
                 "geometry": self.tr("geometry"), "image_auroc": self.tr("image AUROC %"),
                 "pixel_auroc": self.tr("full-frame pixel AUROC %"), "pro": self.tr("PRO %"),
                 "feature_dim": self.tr("feature size"), "fit_s": self.tr("fit s"),
                 "ms_per_image": self.tr("ms/image"), "status": self.tr("status")}
        return [names[c] for c in COLUMNS]

    # ------------------------------------------------------------------------------- the project
    @property
    def results_path(self) -> Path | None:
        project = self.state.project
        return None if project is None else project.folder / RESULTS_FILE

    def project_geometry(self) -> str:
        project = self.state.project
        return str(project.settings.model.get("geometry") or "center-crop") if project is not None else ""

    def refresh(self) -> None:
        """Follow the open project: its settings, which geometries its model takes, its saved comparison."""
        project = self.state.project
        if project is None:
            return
        self._follow_settings()
        has_region = self.state.region is not None
        self.region_box.setEnabled(has_region)
        self.region_box.setChecked(has_region)
        try:
            self.data = load_comparison(self.results_path)
        except ComparisonFileError as exc:
            self.data = None
            self.status.setText(self.tr("The saved evaluation was not shown: {0}").format(exc))
        if self.data is not None:
            if self.data.get("source") == "reviewed":
                self.reviewed_radio.setChecked(True)
            elif self.data.get("dataset"):
                self.folder_edit.setText(str(self.data["dataset"]))
        self._show(self.data)
        self._update_buttons()

    def _follow_settings(self) -> None:
        """The settings line and the geometries the model kind takes (after Project ▸ Settings, too)."""
        project = self.state.project
        if project is None:
            return
        kind = project.settings.model_kind
        allowed = getattr(model_kinds.model_class(kind), "geometries", ("center-crop",))
        for g, box in self.geometry_boxes.items():
            box.setEnabled(g in allowed)
            if g not in allowed:
                box.setChecked(False)
                box.setToolTip(self.tr("The {0} model takes {1} only").format(kind, ", ".join(allowed)))
            else:
                box.setToolTip(self.tr("Slow: every tile of every image is scored") if g == "tiles" else "")
        m = project.settings.model
        weights = str(m.get("weights", "pretrained"))
        self.settings_label.setText(self.tr(
            "The project's model settings: {kind}, backbone {backbone}, layers {layers}, coreset ratio {ratio}, "
            "weights {weights}; its geometry now: {geometry}. Each geometry is trained and scored once.").format(
            kind=kind, backbone=m.get("backbone", "?"), layers=" ".join(m.get("layers") or []) or "-",
            ratio=m.get("coreset_ratio", "-"), weights=Path(weights).name, geometry=self.project_geometry()))

    def _model_changed(self) -> None:
        self._follow_settings()
        if self.data is not None:
            self._show(self.data)  # the project's geometry in bold
        self._update_buttons()

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("A folder in the MVTec AD layout"),
                                                  self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)
            self.folder_radio.setChecked(True)

    def chosen_geometries(self) -> list[str]:
        return [g for g, box in self.geometry_boxes.items() if box.isChecked() and box.isEnabled()]

    def _update_buttons(self, *_) -> None:
        project = self.state.project
        mine = self.jobs.busy and self.jobs.job is self.job and self.job is not None
        source_ok = self.reviewed_radio.isChecked() or bool(self.folder_edit.text().strip())
        self.run_button.setEnabled(project is not None and not self.jobs.busy and source_ok
                                   and bool(self.chosen_geometries()))
        self.cancel_button.setVisible(mine)
        self.folder_edit.setEnabled(self.folder_radio.isChecked())
        self.browse_button.setEnabled(self.folder_radio.isChecked())
        row = self.selected_row()
        usable = (row is not None and row.get("status") == "ok" and project is not None and not project.read_only
                  and not self.jobs.busy and row.get("geometry") != self.project_geometry())
        self.use_button.setEnabled(usable)
        if row is not None and row.get("geometry") == self.project_geometry():
            self.use_button.setToolTip(self.tr("The project already uses this geometry"))
        else:
            self.use_button.setToolTip(self.tr("Set the selected row's geometry as the project's (the model must "
                                               "then be trained again)"))

    # ---------------------------------------------------------------------------------- running
    def run(self) -> bool:
        """Start the comparison on the job runner (False, with the reason shown, when it cannot start)."""
        project = self.state.project
        geometries = self.chosen_geometries()
        if project is None or not geometries:
            return False
        if self.jobs.busy:
            self.status.setText(self.tr("“{0}” is still running: wait for it or cancel it.").format(self.jobs.title))
            return False
        settings = copy.deepcopy(project.settings)
        region = self.state.region if self.region_box.isChecked() else None
        try:
            if self.reviewed_radio.isChecked():
                train, samples, verdicts = reviewed_samples(project, self.state.decided.values())
                source, dataset = "reviewed", ""
                labels = [s.label for s in samples]
                if not train:
                    raise InspectorError(self.tr("The project has no good images to train on."))
                if 1 not in labels or 0 not in labels:
                    raise InspectorError(self.tr(
                        "Reviewed parts of both kinds are needed: mark at least one part Defect in the Review tab, "
                        "and one part Good (or train with 5 or more good images, so some are held out)."))
            else:
                dataset = self.folder_edit.text().strip()
                train, samples = discover(dataset)
                source, verdicts = "folder", {}
        except (InspectorError, OSError) as exc:
            self.status.setText(str(exc))
            return False
        build = lambda geometry: model_kinds.build_model(  # noqa: E731
            settings.model_kind, {**settings.model, "geometry": geometry})
        payload = {"source": source, "dataset": dataset, "geometries": geometries, "verdicts": verdicts,
                   "region": region is not None, "project_geometry": self.project_geometry(),
                   "settings": {"model_kind": settings.model_kind, **{k: settings.model.get(k) for k in (
                       "backbone", "layers", "weights", "coreset_ratio", "resize", "crop")}},
                   "n_train": len(train), "n_test": len(samples)}
        self._partial = []
        partial = self._partial

        def work(progress, cancel):
            rows = compare_geometries(build, geometries, train, samples, dataset or "reviewed parts", progress, cancel,
                                      roi=region, roi_source="project region" if region is not None else "",
                                      on_row=partial.append)
            return {**payload, "rows": rows, "complete": True}

        self._payload = payload
        self.job = EvaluationJob(stage_plan(settings.model_kind, geometries, len(train), len(samples)))
        if not self.jobs.start(self.job, work, self._finished):
            return False
        self.status.setText(self.tr("Evaluating {0} geometries on {1} labelled images (trained on {2})…").format(
            len(geometries), len(samples), len(train)))
        self._update_buttons()
        return True

    def cancel(self) -> None:
        if self.jobs.busy and self.jobs.job is self.job:
            self.status.setText(self.tr("Cancelling…"))
            self._cancel()

    def _progress(self, job, stage: str, done: int, total: int) -> None:
        if job is self.job:
            label, unit = stage_label(stage)  # "stretch: Extracting features", as the progress panel says it
            self.status.setText(f"{label}: {done:,} / {total:,} {unit}")

    def _finished(self, data: dict) -> None:
        note = self._keep(data)
        n_ok = sum(r.get("status") == "ok" for r in data["rows"])
        self.status.setText(self.tr("Done: {0} of {1} geometries evaluated.").format(n_ok, len(data["rows"])) + note)
        self.finished_run.emit()

    def _keep(self, data: dict) -> str:
        """Show ``data`` and save it in the project (a read-only project only shows it); a note when not saved."""
        project = self.state.project
        note = ""
        if project is not None and not project.read_only:
            try:
                data = save_comparison(self.results_path, data)
            except OSError as exc:
                note = " " + self.tr("The evaluation could not be saved: {0}").format(exc)
        elif project is not None:
            note = " " + self.tr("The project is open read-only: the evaluation is shown, not saved.")
        self.data = data
        self._show(data)
        self._update_buttons()
        return note

    def _cancelled(self, job) -> None:
        if job is not self.job:
            return
        note = ""
        if self._partial:  # the geometries that finished before the cancel are kept
            note = self._keep({**self._payload, "rows": list(self._partial), "complete": False})
        self.status.setText(self.tr("Evaluation cancelled: {0} of {1} geometries finished.").format(
            len(self._partial), len(self._payload["geometries"])) + note)
        self.finished_run.emit()

    def _errored(self, job, message: str, _detail: str) -> None:
        if job is self.job:
            self.status.setText(self.tr("The evaluation failed: {0}").format(message))

    # ---------------------------------------------------------------------------------- showing
    def _show(self, data: dict | None) -> None:
        rows = (data or {}).get("rows") or []
        reviewed = (data or {}).get("source") == "reviewed"
        if data is None:
            self.heading.setText(self.tr("No evaluation yet: choose the labelled images and the geometries, then "
                                         "press Evaluate."))
        else:
            what = (self.tr("the project's reviewed parts") if reviewed else str(data.get("dataset", "")))
            text = self.tr("{0}: trained on {1} good images, scored {2} labelled images; saved {3}.").format(
                what, data.get("n_train", "?"), data.get("n_test", "?"), str(data.get("saved_at", "")).replace("T", " "))
            if not data.get("complete", True):
                text += " " + self.tr("Cancelled before every geometry was evaluated.")
            if reviewed:
                text += " " + self.tr("No pixel masks for reviewed parts: image AUROC only.")
            self.heading.setText(text)
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            for j, col in enumerate(COLUMNS):
                text = cell(r, col)
                if reviewed and col in ("pixel_auroc", "pro") and r.get("status") == "ok":
                    text = self.tr("no masks")
                item = QTableWidgetItem(text)
                if col not in ("model", "backbone", "layers", "geometry", "status"):
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                if col == "status" and text != "ok":
                    item.setToolTip(text)
                self.table.setItem(i, j, item)
        current = self.project_geometry()
        for i, r in enumerate(rows):  # the project's geometry now, in bold
            if r.get("geometry") == current:
                for j in range(len(COLUMNS)):
                    font = self.table.item(i, j).font()
                    font.setBold(True)
                    self.table.item(i, j).setFont(font)
        self._show_types(rows, (data or {}).get("verdicts") or {}, reviewed)
        self._show_roc(rows)

    def _show_roc(self, rows: list[dict]) -> None:
        """One ROC curve per evaluated geometry, from each image's score and label."""
        for curve in self.roc_curves.values():
            self.roc_plot.removeItem(curve)
        self.roc_legend.clear()
        self.roc_curves = {}
        for r in rows:
            result = r.get("result") or {}
            scores, labels = result.get("image_scores") or [], result.get("image_labels") or []
            if r.get("status") != "ok" or len(scores) != len(labels):
                continue
            roc = roc_from_scores(scores, [bool(v) for v in labels])
            if roc is None:
                continue
            geometry = r.get("geometry", "")
            colour = GEOMETRY_COLOURS[GEOMETRIES.index(geometry) % 4] if geometry in GEOMETRIES else (90, 90, 90)
            pen = pg.mkPen(colour, width=2.5)
            name = self.tr("{0} (AUROC {1:.3f})").format(r.get("geometry", ""), roc.auroc)
            self.roc_curves[r.get("geometry", "")] = self.roc_plot.plot(roc.fpr, roc.tpr, pen=pen, name=name)

    def _show_types(self, rows: list[dict], verdicts: dict, reviewed: bool) -> None:
        types = per_type_rows(rows)
        if reviewed:  # every labelled kind, even when no geometry finished
            known = {t["type"] for t in types}
            types += [{"type": t, "count": v.get("images", 0), "auroc": {}} for t, v in verdicts.items() if t not in known]
        geometries = [r.get("geometry", "") for r in rows if r.get("status") == "ok"]
        names = {GOOD: self.tr("good (reviewed)"), HELD_OUT: self.tr("good (held out)"),
                 DEFECT: self.tr("defect (reviewed)")} if reviewed else {}
        headers = [self.tr("type"), self.tr("images")]
        if reviewed:
            headers += [self.tr("pass now"), self.tr("uncertain now"), self.tr("fail now")]
        headers += [self.tr("{0}: image AUROC %").format(g) for g in geometries]
        self.types_table.clear()
        self.types_table.setColumnCount(len(headers))
        self.types_table.setHorizontalHeaderLabels(headers)
        self.types_table.setRowCount(len(types))
        self.types_label.setText(self.tr("Per image type: image AUROC % of each defect type against all good images")
                                 + (self.tr("; pass / uncertain / fail: the verdicts the project's current model and "
                                            "thresholds give these parts") if reviewed else ""))
        for i, t in enumerate(types):
            values = [names.get(t["type"], t["type"]), str(t["count"])]
            if reviewed:
                v = verdicts.get(t["type"], {})
                values += [str(v.get(k, 0)) for k in VERDICTS]
            values += ["-" if t["auroc"].get(g) is None else f"{100 * t['auroc'][g]:.2f}" for g in geometries]
            for j, text in enumerate(values):
                item = QTableWidgetItem(text)
                if j:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.types_table.setItem(i, j, item)

    # ------------------------------------------------------------------------------ the choice
    def selected_row(self) -> dict | None:
        rows = (self.data or {}).get("rows") or []
        selected = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not selected or selected[0].row() >= len(rows):
            return None
        return rows[selected[0].row()]

    def select_geometry(self, geometry: str) -> bool:
        for i, r in enumerate((self.data or {}).get("rows") or []):
            if r.get("geometry") == geometry:
                self.table.selectRow(i)
                return True
        return False

    def use_selected_geometry(self) -> bool:
        """Make the selected row's geometry the project's: the model is then out of date (Train again)."""
        row = self.selected_row()
        project = self.state.project
        if row is None or project is None or row.get("status") != "ok":
            return False
        geometry = row["geometry"]
        settings = copy.deepcopy(project.settings)
        settings.model = {**settings.model, "geometry": geometry}
        try:
            self.state.save_settings(settings)
        except (InspectorError, ValueError, OSError) as exc:
            self.status.setText(self.tr("Could not save the settings: {0}").format(exc))
            return False
        if self.state.has_model:
            self.status.setText(self.tr("The project's geometry is now {0}. The model was trained with another "
                                        "one: press Train to train it again.").format(geometry))
        else:
            self.status.setText(self.tr("The project's geometry is now {0}.").format(geometry))
        self.refresh()
        self.select_geometry(geometry)
        self.geometryChosen.emit(geometry, self.status.text())
        return True


def open_evaluation(window, source: str | None = None) -> EvaluateDialog:
    """Show the main window's evaluation dialog (made once per window; it follows the open project);
    ``source`` "reviewed" chooses the reviewed parts (from the analysis view's ROC tab)."""
    dialog = getattr(window, "_evaluate_dialog", None)
    if dialog is None:
        dialog = EvaluateDialog(window.state, window.jobs, window, cancel=window.progress_panel.cancel)
        window._evaluate_dialog = dialog
        window.state.closed.connect(dialog.close)
        window.state.opened.connect(dialog.refresh)
        # bound methods, no lambda holding the dialog (that pattern crashed the app on quit, issue 11)
        dialog.geometryChosen.connect(window._geometry_chosen)
    else:
        dialog.refresh()
    if source == "reviewed":
        dialog.reviewed_radio.setChecked(True)
    dialog.show()
    dialog.raise_()
    return dialog
