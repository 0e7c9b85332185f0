"""The main window: composes the start screen, the project's tabs (training set, results, review), the
score histogram dock, the progress panel and the message bar; owns the menus and starts jobs.

All state is in ``ProjectState`` (the project) and ``JobRunner`` (the running job); the views bind to them.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

from PySide6.QtCore import QByteArray, QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..core.errors import InspectorError
from ..core.project.recent import ProjectRegistry
from ..core.project.store import Project, ProjectError, ProjectFormatError, ProjectSettings, ProjectTooNewError
from .analysis_view import open_analysis
from .app_settings import AppSettings
from .damaged_dialog import READ_ONLY, RESTORE, ask_damaged
from .evaluate_view import open_evaluation
from .histogram import ScoreHistogram
from .i18n.menu import LanguageMenu
from .line_view import LineView
from .message_bar import MessageBar
from .progress_panel import ProgressPanel, job_plan
from .project_dialogs import NewProjectDialog, SettingsDialog, unused_folder
from .project_jobs import ProjectJobs
from .project_state import ProjectState
from .results_page import ResultsPage
from .review_queue import ReviewQueue
from .start_screen import StartScreen
from .training_set_view import TrainingSetView
from .worker import JobRunner

LAYOUT_VERSION = 2  # 2: per-page state dicts (results, review)
IMAGE_PATTERNS = "(*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp *.pgm *.ppm)"


def image_filter() -> str:
    """The file dialogs' filter for images, in the user's language."""
    return (QCoreApplication.translate("MainWindow", "Images {patterns};;All files (*)").format(patterns=IMAGE_PATTERNS))


def how_to() -> str:
    return QCoreApplication.translate("MainWindow", """<b>How to use Inspector</b><ol>
<li>Create a project for one product type (File ▸ New project).</li>
<li>Drop a folder of images of <i>good</i> parts on the Training set tab and press <b>Train</b>.</li>
<li>Drop folders of new parts on the Results tab: each gets a score and a heatmap.</li>
<li>Drag the pass (green) and fail (red) lines in the score histogram, or press <b>Suggest</b>.</li>
<li>Work through the Review tab: <b>G</b> good, <b>D</b> defect, <b>S</b> skip, <b>Z</b> undo.</li>
<li>Add confirmed-good parts to training and retrain; press Suggest again to use your decisions.</li></ol>""")


class MainWindow(QMainWindow):
    def __init__(self, registry: ProjectRegistry | None = None):
        super().__init__()
        self.setWindowTitle("Inspector")
        self.app_settings = AppSettings()
        self.state = ProjectState(registry)
        self.jobs = JobRunner(self)

        self.message_bar = MessageBar()
        self.start_screen = StartScreen(self.state.registry)
        self.progress_panel = ProgressPanel()
        self.training_set = TrainingSetView(self.state)
        self.results = ResultsPage(self.state)
        self.review = ReviewQueue(self.state)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.training_set, self.tr("1  Training set"))
        self.tabs.addTab(self.results, self.tr("2  Results"))
        self.tabs.addTab(self.review, self.tr("3  Review"))
        self.line = LineView(self.state)
        self.tabs.addTab(self.line, self.tr("4  Line"))
        self.tabs.currentChanged.connect(self._tab_changed)
        project_page = QWidget()
        page = QVBoxLayout(project_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.addWidget(self.progress_panel)
        page.addWidget(self.tabs, 1)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.start_screen)
        self.pages.addWidget(project_page)
        self.project_page = project_page
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(6, 6, 6, 0)
        outer.addWidget(self.message_bar)
        outer.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self.histogram = ScoreHistogram(self.state)
        self.histogram_dock = QDockWidget(self.tr("Score histogram and thresholds"), self)
        self.histogram_dock.setObjectName("histogramDock")
        self.histogram_dock.setWidget(self.histogram)
        self.histogram_dock.setAllowedAreas(Qt.BottomDockWidgetArea | Qt.RightDockWidgetArea | Qt.TopDockWidgetArea)
        self.addDockWidget(Qt.BottomDockWidgetArea, self.histogram_dock)
        self.histogram_dock.hide()

        self.project_jobs = ProjectJobs(self.state, self.jobs, self.message_bar, self)
        self.status = QLabel()
        self.statusBar().addPermanentWidget(self.status)
        self._build_menus()
        self._connect()
        self._restore_geometry()
        self._show_start()

    # ------------------------------------------------------------------------------------- wiring
    def _connect(self) -> None:
        s = self.start_screen
        s.newRequested.connect(self.new_project_dialog)
        s.openFolderRequested.connect(self.open_folder_dialog)
        s.openRequested.connect(self.open_project)
        s.renameRequested.connect(self.rename_dialog)
        s.deleteRequested.connect(self.delete_dialog)
        s.forgetRequested.connect(self.forget_project)
        s.notProjectDropped.connect(lambda: self.message_bar.show_message(
            "info", self.tr("That is not a project folder. Open or create a project first, then drop images into it.")))
        self.training_set.addRequested.connect(self.add_good_images)
        self.training_set.browseRequested.connect(self.browse_good)
        self.training_set.trainRequested.connect(self.train)
        self.results.inspectRequested.connect(self.inspect)
        self.results.browseRequested.connect(self.browse_inspect)
        self.review.retrainRequested.connect(self.retrain_with_confirmed)
        self.review.exportRequested.connect(self.export_dialog)
        self.histogram.suggestRequested.connect(self.suggest)
        self.progress_panel.cancelRequested.connect(self.jobs.cancel)
        self.jobs.started.connect(self._job_started)
        self.jobs.progress.connect(self._job_progress)
        self.jobs.busyChanged.connect(self._busy_changed)
        self.state.thresholdUndoChanged.connect(lambda can: self.undo_thresholds_action.setEnabled(can))
        self.state.closed.connect(lambda: self.undo_thresholds_action.setEnabled(False))
        for signal in (self.state.opened, self.state.imagesChanged, self.state.resultsChanged,
                       self.state.modelChanged, self.state.reviewChanged, self.state.renamed):
            signal.connect(self._update_status)
        for signal in (self.state.opened, self.state.modelChanged, self.state.closed):
            signal.connect(self._show_region)

    def _action(self, menu, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if isinstance(shortcut, QKeySequence.StandardKey):  # every binding of the platform (Ctrl+W and Ctrl+F4)
            action.setShortcuts(shortcut)
        elif shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        f = bar.addMenu(self.tr("&File"))
        self._action(f, self.tr("&New project…"), self.new_project_dialog, QKeySequence.New)
        self._action(f, self.tr("&Open project folder…"), self.open_folder_dialog, QKeySequence.Open)
        self.close_action = self._action(f, self.tr("&Close project"), self.close_project, QKeySequence.Close)
        f.addSeparator()
        self.export_action = self._action(f, self.tr("&Export decisions as CSV…"), self.export_dialog, "Ctrl+E")
        self.report_action = self._action(f, self.tr("Batch &report…"), self.report_dialog, "Ctrl+Shift+R",
                                          self.tr("One printable HTML file (images embedded) and a CSV of the inspected parts"))
        f.addSeparator()
        self._action(f, self.tr("&Quit"), self.close, QKeySequence.Quit)
        p = bar.addMenu(self.tr("&Project"))
        self.add_action = self._action(p, self.tr("Add &good images…"), lambda: self.browse_good("folder"), "Ctrl+Shift+O",
                                       self.tr("Copy a folder of images of good parts into the training set"))
        self.train_action = self._action(p, self.tr("&Train"), self.train, "Ctrl+T",
                                         self.tr("Train the model on the good images"))
        self.inspect_action = self._action(p, self.tr("&Inspect images…"), lambda: self.browse_inspect("folder"), "Ctrl+I",
                                           self.tr("Score a folder of parts"))
        self.cancel_action = self._action(p, self.tr("&Cancel running job"), self.progress_panel.cancel, "Esc")
        p.addSeparator()
        self.suggest_action = self._action(p, self.tr("&Suggest thresholds"), lambda: self.suggest(None), "Ctrl+Shift+S")
        self.undo_thresholds_action = self._action(
            p, self.tr("&Undo threshold change"), self.undo_thresholds, QKeySequence.Undo,
            self.tr("Put the pass/fail lines back where they were before the last drag, typed value or Suggest "
                    "(review decisions have their own undo: Z in the Review tab)"))
        self.undo_thresholds_action.setEnabled(False)
        self.retrain_action = self._action(p, self.tr("Add confirmed-good parts and &retrain"), self.retrain_with_confirmed)
        p.addSeparator()
        self.rename_action = self._action(p, self.tr("Re&name…"), lambda: self.rename_dialog(str(self.state.project.folder)))
        self.settings_action = self._action(p, self.tr("&Settings…"), self.settings_dialog, QKeySequence.Preferences)
        self.region_action = self._action(p, self.tr("Region to ins&pect…"), self.region_dialog,
                                          tip=self.tr("Draw what to inspect and what to ignore on a good image"))
        self.evaluate_action = self._action(
            p, self.tr("E&valuate on labelled parts…"), lambda: open_evaluation(self), "Ctrl+Shift+E",
            self.tr("Compare the geometries on an MVTec-layout folder or the reviewed parts, and choose one"))
        v = bar.addMenu(self.tr("&View"))
        for i, name in enumerate((self.tr("&Training set"), self.tr("&Results"), self.tr("Re&view"), self.tr("&Line"))):
            self._action(v, name, lambda _=False, i=i: self.tabs.setCurrentIndex(i), f"Ctrl+{i + 1}")
        toggle = self.histogram_dock.toggleViewAction()
        toggle.setShortcut(QKeySequence("Ctrl+H"))
        v.addAction(toggle)
        self.analysis_action = self._action(v, self.tr("&Analysis…"), lambda: open_analysis(self), "Ctrl+Shift+A",
                                            self.tr("Feature maps, memory bank, PCA and ROC of the trained model"))
        v.addSeparator()
        self._action(v, self.tr("&Start screen"), self.close_project)
        v.addSeparator()
        self.language_menu = LanguageMenu(self.app_settings, self.message_bar, self)
        v.addMenu(self.language_menu)
        h = bar.addMenu(self.tr("&Help"))
        self._action(h, self.tr("&How to use"), lambda: QMessageBox.information(self, self.tr("How to use Inspector"),
                                                                                how_to()), "F1")
        self._action(h, self.tr("&About"), lambda: QMessageBox.about(
            self, self.tr("About Inspector"),
            self.tr("Inspector {version}<br>Unsupervised visual inspection (PatchCore).").format(version=__version__)))
        self.project_actions = [self.close_action, self.export_action, self.add_action, self.train_action,
                                self.inspect_action, self.suggest_action, self.retrain_action, self.rename_action,
                                self.settings_action, self.region_action, toggle, self.analysis_action,
                                self.report_action, self.evaluate_action]

    # ----------------------------------------------------------------------------------- screens
    def _show_start(self) -> None:
        self.start_screen.refresh()
        self.pages.setCurrentWidget(self.start_screen)
        self.histogram_dock.hide()
        self.setWindowTitle("Inspector")
        for a in self.project_actions:
            a.setEnabled(False)
        self._busy_changed(self.jobs.busy)
        self._update_status()

    def _show_project(self) -> None:
        project = self.state.project
        self.pages.setCurrentWidget(self.project_page)
        self.setWindowTitle(self.tr("{name} — Inspector").format(name=project.name))
        for a in self.project_actions:
            a.setEnabled(True)
        self.histogram_dock.show()
        self._restore_layout()
        if not project.count(("train", "holdout")):
            self.tabs.setCurrentWidget(self.training_set)
        self._busy_changed(self.jobs.busy)
        self._update_status()

    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.review:
            self.review.setFocus()

    def _update_status(self, *_) -> None:
        project = self.state.project
        if project is None:
            self.status.setText(self.tr("%n project(s)", "", len(self.state.registry.entries())))
            return
        c = self.state.counts
        model = {"not trained": self.tr("not trained"), "out of date": self.tr("out of date"),
                 "trained": self.tr("trained")}.get(c.model, c.model)
        self.status.setText(" · ".join((project.name, self.tr("%n good image(s)", "", c.good_images),
                                        self.tr("model {state}").format(state=model),
                                        self.tr("{n} inspected").format(n=c.inspected),
                                        self.tr("{n} to review").format(n=c.to_review))))
        self.setWindowTitle(self.tr("{name} — Inspector").format(name=project.name))

    # ---------------------------------------------------------------------------------- projects
    def create_project(self, name: str, folder: str | Path | None = None,
                       settings: ProjectSettings | None = None) -> Project | None:
        folder = Path(folder) if folder else unused_folder(name)
        if not self._leave_project():
            return None
        try:
            project = self.state.create(folder, name, settings)
        except (ProjectError, OSError, ValueError) as exc:
            self.show_error(self.tr("Could not create the project: {error}").format(error=exc))
            return None
        self._show_project()
        self.tabs.setCurrentWidget(self.training_set)
        self.message_bar.show_message(
            "info", self.tr("Project “{name}” created. Now add images of good parts.").format(name=project.name))
        return project

    def open_project(self, folder: str | Path) -> Project | None:
        if self.state.project is not None and Path(folder).resolve() == self.state.project.folder.resolve():
            self._show_project()
            return self.state.project
        if not self._leave_project():
            return None
        QApplication.setOverrideCursor(Qt.WaitCursor)  # the first opening reads the model: a few seconds
        try:
            try:
                project = self.state.open(folder)
            except (ProjectError, OSError, ValueError) as exc:
                QApplication.restoreOverrideCursor()
                try:
                    project = self._open_damaged(Path(folder), exc)
                finally:
                    QApplication.setOverrideCursor(Qt.WaitCursor)
                if project is None:
                    self._show_start()  # it clears the message bar: the error is shown after it
                    self.show_error(self.tr("Could not open {folder}: {error}").format(folder=folder, error=exc))
                    return None
            self.message_bar.clear()
            self._show_project()
        finally:
            QApplication.restoreOverrideCursor()
        if project.salvage:
            self.message_bar.show_message("warning", self.tr("Opened read-only because it is damaged: {problems}").format(
                problems="; ".join(project.problems[:2])))
        elif getattr(self, "_restored", None):
            self.message_bar.show_message("info", self.tr("Restored: {what}.").format(what="; ".join(self._restored)))
            self._restored = None
        elif project.read_only:
            self.message_bar.show_message("warning", self.tr("Opened read-only: {reason}.").format(
                reason=project.read_only_reason))
        elif project.problems:
            more = len(project.problems) - 1
            self.message_bar.show_message(
                "warning", self.tr("Parts of this project were ignored: {problem}").format(problem=project.problems[0])
                + (self.tr(" (and %n more)", "", more) if more else ""))
        return project

    def _open_damaged(self, folder: Path, error: Exception) -> Project | None:
        """A damaged project (not a newer one, not a missing one): offer to open it read-only or to restore the
        damaged files from their backups. None: not damaged, or the user cancelled (the error is shown)."""
        if not isinstance(error, ProjectFormatError) or isinstance(error, ProjectTooNewError):
            return None
        damage = Project.damage(folder)
        if not damage:
            return None
        choice = ask_damaged(self, folder, damage, Project.backups(folder))
        try:
            if choice == READ_ONLY:
                return self.state.open(folder, read_only=True, salvage=True)
            if choice == RESTORE:
                self._restored = Project.restore_backup(folder)
                return self.state.open(folder)
        except (ProjectError, OSError, ValueError) as exc:
            self.show_error(self.tr("Could not restore {folder}: {error}").format(folder=folder, error=exc))
        return None

    def close_project(self) -> None:
        if self._leave_project():
            self._show_start()

    def _leave_project(self) -> bool:
        """Save the open project's layout and close it (cancelling and awaiting a running job, once the user
        agreed: Ctrl+W during a ten-minute training must not throw it away silently)."""
        if self.state.project is None:
            return True
        if self.jobs.busy:
            answer = QMessageBox.question(
                self, self.tr("Cancel the running job?"),
                self.tr("“{job}” is still running. Leaving the project cancels it.\n\nCancel it and leave?").format(
                    job=self.jobs.title),
                QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
            if answer != QMessageBox.Yes:
                return False
            self.statusBar().showMessage(self.tr("Cancelling the running job…"))
            self.jobs.wait()
        self._save_layout()
        self.line.stop()
        self.state.close()
        return True

    def rename_project(self, folder: str | Path, name: str) -> None:
        try:
            if self.state.project is not None and Path(folder).resolve() == self.state.project.folder.resolve():
                self.state.rename(name)
            else:
                with Project.open(folder) as project:
                    project.rename(name)
                self.state.registry.rename(Path(folder), project.name)
        except (ProjectError, OSError) as exc:
            self.show_error(self.tr("Could not rename the project: {error}").format(error=exc))
        self.start_screen.refresh()

    def delete_project(self, folder: str | Path) -> bool:
        folder = Path(folder)
        if self.state.project is not None and folder.resolve() == self.state.project.folder.resolve():
            self._leave_project()
        try:
            Project.open(folder).delete()
        except (ProjectError, OSError) as exc:
            self.show_error(self.tr("Could not delete the project: {error}").format(error=exc))
            return False
        self.state.registry.forget(folder)
        self._show_start()
        self.message_bar.show_message("info", self.tr("Deleted the project in {folder}.").format(folder=folder))
        return True

    def forget_project(self, folder: str) -> None:
        self.state.registry.forget(Path(folder))
        self.start_screen.refresh()

    # ------------------------------------------------------------------------------------ dialogs
    def new_project_dialog(self) -> None:
        dialog = NewProjectDialog(self)
        try:
            if dialog.exec():
                name, folder, settings = dialog.values()
                self.create_project(name, folder, settings)
        finally:
            dialog.deleteLater()  # not kept as the window's child until quit

    def open_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Open a project folder"),
                                                  self.app_settings.get("last_folder", ""))
        if folder:
            self.app_settings.set("last_folder", folder)
            self.open_project(folder)

    def rename_dialog(self, folder: str) -> None:
        current = next((e.name for e in self.state.registry.entries() if str(e.path) == str(Path(folder).resolve())), "")
        name, ok = QInputDialog.getText(self, self.tr("Rename project"), self.tr("New name:"), text=current)
        if ok and name.strip():
            self.rename_project(folder, name.strip())

    def delete_dialog(self, folder: str) -> None:
        answer = QMessageBox.question(
            self, self.tr("Delete project"),
            self.tr("Delete the project folder\n{folder}\nwith its images, model, results and review decisions?\n"
                    "This cannot be undone.").format(folder=folder), QMessageBox.Yes | QMessageBox.Cancel, QMessageBox.Cancel)
        if answer == QMessageBox.Yes:
            self.delete_project(folder)

    def settings_dialog(self) -> None:
        dialog = SettingsDialog(self.state.project.settings, self)
        good = self.state.project.images(("train",))[:1]
        if good:  # the smallest defect the geometry resolves, for this project's images
            dialog.form.geometry.set_image_size(good[0].height, good[0].width)
        try:
            if dialog.exec():
                try:
                    self.state.save_settings(dialog.settings())
                except (ProjectError, ValueError) as exc:
                    self.show_error(self.tr("Could not save the settings: {error}").format(error=exc))
        finally:
            dialog.deleteLater()

    def region_dialog(self) -> None:
        """The region editor on the project's first good image (non-modal to the test; OK saves)."""
        from .region_editor import region_editor_for

        dialog = region_editor_for(self.state, self)
        if dialog is None:
            self.message_bar.show_message("info", self.tr("Add good images first: the region is drawn on one of them."))
            return
        self.region_editor = dialog
        # bound slots, no lambda holding the dialog (that pattern crashed the app on quit, issue 11);
        # the dialog is deleted once closed
        dialog.accepted.connect(self._region_accepted)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _region_accepted(self) -> None:
        dialog = self.sender()
        if dialog is not None:
            self._save_region(dialog.mask())

    def _geometry_chosen(self, _geometry: str, message: str) -> None:
        """The evaluation's "Use this geometry": the message says the model must be trained again."""
        self.message_bar.show_message("info", message)

    def _show_region(self) -> None:
        """The heatmaps outline the project's region to inspect (the views showing a part now, too)."""
        for page in (self.results, self.review):
            page.heatmap.set_region(self.state.region)

    def _save_region(self, mask) -> None:
        try:
            self.state.set_region(mask)
        except InspectorError as exc:
            self.show_error(self.tr("Could not save the region: {error}").format(error=exc))
            return
        what = self.tr("the whole image") if mask is None else self.tr("{share} of the image").format(
            share=f"{mask.mean():.0%}")
        retrain = self.tr(" Train again to use it.") if self.state.has_model else ""
        self.message_bar.show_message("info", self.tr("Region saved: {what} is inspected.").format(what=what) + retrain)

    def _pick(self, kind: str, title: str) -> list[str]:
        start = self.app_settings.get("last_folder", "")
        if kind == "folder":
            folder = QFileDialog.getExistingDirectory(self, title, start)
            paths = [folder] if folder else []
        else:
            paths, _ = QFileDialog.getOpenFileNames(self, title, start, image_filter())
        if paths:
            self.app_settings.set("last_folder", str(Path(paths[0]).parent if kind == "files" else paths[0]))
        return paths

    def browse_good(self, kind: str) -> None:
        paths = self._pick(kind, self.tr("Add images of good parts"))
        if paths:
            self.add_good_images(paths)

    def browse_inspect(self, kind: str) -> None:
        paths = self._pick(kind, self.tr("Inspect images"))
        if paths:
            self.inspect(paths)

    def export_dialog(self) -> None:
        """Where to write the decisions: the folder of the last export (not the last image folder), a name
        with the project and the local date and time, so exports never overwrite each other by default."""
        import datetime

        project = self.state.project
        folder = Path(self.app_settings.get("last_export_folder", "") or Path.home())
        stamp = datetime.datetime.now().strftime("%Y-%m-%d_%H%M")
        default = str(folder / f"{project.folder.name}_decisions_{stamp}.csv")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export decisions"), default, self.tr("CSV (*.csv)"))
        if path:
            self.app_settings.set("last_export_folder", str(Path(path).parent))
            self.export_reviews(path)

    def report_dialog(self) -> None:
        import datetime

        project = self.state.project
        folder = Path(self.app_settings.get("last_export_folder", "") or Path.home())
        stamp = datetime.datetime.now().strftime("%Y-%m-%d_%H%M")
        default = str(folder / f"{project.folder.name}_report_{stamp}.html")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Batch report"), default, self.tr("HTML (*.html)"))
        if path:
            self.app_settings.set("last_export_folder", str(Path(path).parent))
            self.project_jobs.report(path, str(Path(path).with_suffix(".csv")))

    def export_reviews(self, path: str | Path) -> None:
        try:
            n = self.state.project.export_reviews_csv(path)
        except OSError as exc:
            self.show_error(self.tr("Could not write {path}: {error}").format(path=path, error=exc))
            return
        self.message_bar.show_message(
            "info", self.tr("Exported %n part(s) with their scores and decisions to {path}.", "", n).format(path=path))

    # --------------------------------------------------------------------------------------- jobs
    def add_good_images(self, paths: list[str]) -> bool:
        if self.state.project is not None:
            self.tabs.setCurrentWidget(self.training_set)
        return self.project_jobs.add_good_images(paths)

    def train(self) -> bool:
        return self.project_jobs.train()

    def inspect(self, paths: list[str]) -> bool:
        if self.state.project is not None and self.state.has_model:
            self.tabs.setCurrentWidget(self.results)
        return self.project_jobs.inspect(paths)

    def retrain_with_confirmed(self) -> None:
        self.project_jobs.retrain_with_confirmed()

    def suggest(self, percentile: float | None) -> None:
        self.project_jobs.suggest(percentile)

    def undo_thresholds(self) -> None:
        if not self.state.undo_thresholds():
            return
        t = self.state.thresholds
        self.message_bar.show_message("info", self.tr("Thresholds back to none.") if t is None else
                                      self.tr("Thresholds back to pass < {pass_:.4g}, fail ≥ {fail:.4g}.").format(
                                          pass_=t.pass_, fail=t.fail))

    def _job_started(self, job) -> None:
        self.progress_panel.start(str(job), job_plan(job, self.state))  # with its stages: the time left in all

    def _job_progress(self, job, stage: str, done: int, total: int) -> None:
        self.progress_panel.set_progress(stage, done, total)
        self.statusBar().showMessage(f"{job}: {self.progress_panel.stage.text()}")

    def _busy_changed(self, busy: bool) -> None:
        has_project = self.state.project is not None
        for a in (self.add_action, self.train_action, self.inspect_action, self.retrain_action, self.settings_action,
                  self.region_action):
            a.setEnabled(has_project and not busy)
        self.cancel_action.setEnabled(busy)
        job = self.jobs.job if busy else None
        for page in (self.training_set, self.results, self.review):
            page.set_busy(busy, job)
        if not busy:
            self.progress_panel.finish()
            self.statusBar().clearMessage()

    def show_error(self, text: str, detail: str = "") -> None:
        """The one place errors are shown."""
        self.message_bar.error(text, detail)

    # ----------------------------------------------------------------------------- layout, close
    def _save_layout(self) -> None:
        project = self.state.project
        if project is None:
            return
        blob = {
            "window": base64.b64encode(bytes(self.saveState(LAYOUT_VERSION))).decode(),
            "tab": self.tabs.currentIndex(),
            "results": self.results.save_state(),
            "review": self.review.save_state(),
        }
        try:
            project.save_layout(LAYOUT_VERSION, json.dumps(blob).encode())
        except OSError as exc:
            self.show_error(self.tr("Could not save the window layout: {error}").format(error=exc))

    def _restore_layout(self) -> None:
        raw = self.state.project.layout(LAYOUT_VERSION)
        self.results.restore_state({})  # defaults first: one project's view settings never leak into the next
        self.review.restore_state({})
        if not raw:  # first time: the histogram gets a modest strip at the bottom
            self.resizeDocks([self.histogram_dock], [max(220, self.height() // 3)], Qt.Vertical)
            return
        try:
            blob = json.loads(raw.decode())
            self.restoreState(QByteArray(base64.b64decode(blob["window"])), LAYOUT_VERSION)
            self.tabs.setCurrentIndex(int(blob.get("tab", 0)))
            self.results.restore_state(blob.get("results", {}))
            self.review.restore_state(blob.get("review", {}))
        except (ValueError, KeyError, TypeError, AttributeError):
            pass  # a damaged layout is dropped, never misapplied
        if self.pages.currentWidget() is self.project_page:
            self.histogram_dock.show()

    def _restore_geometry(self) -> None:
        geometry = self.app_settings.get("geometry")
        if geometry:
            self.restoreGeometry(QByteArray(base64.b64decode(geometry)))
        else:
            self.resize(1280, 820)

    def closeEvent(self, event) -> None:
        self.line.stop()
        if self.jobs.busy:
            self.statusBar().showMessage(self.tr("Cancelling the running job…"))
            self.jobs.wait()
        self._save_layout()
        self.app_settings.set("geometry", base64.b64encode(bytes(self.saveGeometry())).decode())
        try:
            self.app_settings.save()
        except OSError:
            pass
        self.state.close()
        event.accept()
