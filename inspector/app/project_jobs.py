"""Starting the project's long jobs (add good images, train, inspect, retrain) on the worker, and telling the
user how each ended: one message in the message bar, with the list of skipped files one click away."""

from __future__ import annotations

import re
from collections import deque
from enum import Enum

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Qt, QTimer
from PySide6.QtWidgets import QWidget

from ..core.project import jobs
from .i18n import sentences
from .message_bar import MessageBar
from .project_state import ProjectState
from .skipped_dialog import SkippedDialog
from .worker import JobRunner

# the core's "how to fix" for missing backbone weights, in CLI words: 'inspector weights import FILE --backbone NAME'
WEIGHTS_HINT = re.compile(r"'inspector weights import[^']*'")


class ProjectJob(Enum):
    """The jobs a project runs: their identity (compared with ``is``), title and what a cancel leaves."""

    ADD_GOOD = (QT_TRANSLATE_NOOP("ProjectJob", "Adding good images"),
                QT_TRANSLATE_NOOP("ProjectJob", "The images copied before the cancel were kept."))
    TRAIN = (QT_TRANSLATE_NOOP("ProjectJob", "Training"), QT_TRANSLATE_NOOP("ProjectJob", "The previous model is unchanged."))
    INSPECT = (QT_TRANSLATE_NOOP("ProjectJob", "Inspecting"),
               QT_TRANSLATE_NOOP("ProjectJob", "The parts scored before the cancel were kept."))
    REPORT = (QT_TRANSLATE_NOOP("ProjectJob", "Writing the report"), QT_TRANSLATE_NOOP("ProjectJob", "No report was written."))

    @property
    def after_cancel(self) -> str:
        return QCoreApplication.translate("ProjectJob", self.value[1])

    def __str__(self) -> str:  # the title, in the user's language
        return QCoreApplication.translate("ProjectJob", self.value[0])


class ProjectJobs(QObject):
    def __init__(self, state: ProjectState, runner: JobRunner, messages: MessageBar, window: QWidget):
        super().__init__(window)
        self.state = state
        self._refreshed = False  # an inspection job refreshed the state already (its message counts)
        self._recorded: deque = deque()  # parts an inspection scored, not yet shown
        self._drain = QTimer(self)  # rows appear as they are scored, at most once a second
        self._drain.setInterval(1000)
        self._drain.timeout.connect(self._drain_recorded)
        self.jobs = runner
        self.messages = messages
        self.window = window
        runner.errored.connect(self._job_errored)
        runner.cancelled.connect(self._job_cancelled)

    def _start(self, job: ProjectJob, fn, on_finished, on_settled=None) -> bool:
        project = self.state.project
        if project is None:
            return False

        def run(progress, cancel):
            try:
                return fn(project, progress, cancel)
            finally:
                project.release_thread_connection()

        if not self.jobs.start(job, run, on_finished, on_settled):
            self.messages.show_message("warning", self.tr("{job} is still running: wait for it or cancel it.").format(
                job=self.jobs.title))
            return False
        return True

    def add_good_images(self, paths: list[str]) -> bool:
        return self._start(ProjectJob.ADD_GOOD, lambda p, progress, cancel: jobs.add_good_images(p, paths, progress, cancel),
                           self._good_added, self.state.training_changed)

    def _good_added(self, report) -> None:
        rows = [(str(s.path), s.reason) for s in report.skipped]
        rows += [(str(path), self.tr("duplicate: already in the training set as {name}").format(name=name))
                 for path, name in report.duplicates]
        text = self.tr("Added %n good image(s) to the training set.", "", len(report.added))
        if rows:
            text = sentences(text, self.tr("%n file(s) were not added (unreadable or duplicates).", "", len(rows)))
            self.messages.show_message("warning", text, action=(self.tr("Show list"), lambda: self.show_skipped(rows)))
        else:
            self.messages.show_message("info", sentences(text, self.tr("Press Train when the set is complete.")))

    def show_skipped(self, rows: list[tuple[str, str]], title: str | None = None) -> SkippedDialog:
        dialog = SkippedDialog(rows, title, self.window)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def train(self) -> bool:
        project = self.state.project
        if project is None:
            return False
        if not project.count(("train", "holdout")):
            self.messages.error(self.tr("There are no good images to train on: add a folder of images of good parts first."))
            return False
        return self._start(ProjectJob.TRAIN, jobs.train, self._trained)

    def _trained(self, report) -> None:
        self.state.model_trained()
        text = self.tr("Trained on %n image(s) in {seconds:.0f} s; {holdout} held-out good image(s) scored", "",
                       report.n_train).format(seconds=report.seconds, holdout=report.n_holdout)
        if report.n_rescored:
            text += self.tr(", %n inspected part(s) re-scored", "", report.n_rescored)
        text += self.tr(".")
        if report.suggested:
            text = sentences(text, self.tr("Thresholds were set from the held-out scores: check them in the histogram."))
        elif self.state.thresholds is not None and self.state.project.generation() > 1:
            text = sentences(text, self.tr("Scores come from the new model now: check the threshold lines (Suggest)."))
        elif report.n_holdout == 0:
            text = sentences(text, self.tr("Add at least 5 good images to get held-out scores for suggesting thresholds."))
        check = report.suggested or (self.state.thresholds is not None and self.state.project.generation() > 1)
        if report.skipped:
            rows = [(str(s.path), s.reason) for s in report.skipped]
            self.messages.show_message("warning", sentences(text, self.tr("%n unreadable image(s) skipped.", "", len(rows))),
                                       action=(self.tr("Show list"),
                                               lambda: self.show_skipped(rows, self.tr("Images skipped"))))
        elif check and hasattr(self.window, "histogram_dock"):
            # advice to act on: kept until dismissed (a message with an action does not fade)
            self.messages.show_message("info", sentences(text, self.tr("Now inspect parts in the Results tab.")),
                                       action=(self.tr("Show the histogram"), self._show_histogram))
        else:
            self.messages.show_message("info", sentences(text, self.tr("Now inspect parts in the Results tab.")))

    def _show_histogram(self) -> None:
        dock = self.window.histogram_dock
        dock.show()
        dock.raise_()

    def inspect(self, paths: list[str]) -> bool:
        project = self.state.project
        if project is None:
            return False
        if not self.state.has_model:
            self.messages.error(self.tr("There is no trained model yet: add good images and press Train, then inspect parts."))
            return False
        self._refreshed = False
        recorded: deque = deque()  # filled by the worker (records read there), drained here once a second
        self._recorded = recorded
        self._drain.start()
        return self._start(ProjectJob.INSPECT, lambda p, progress, cancel: jobs.inspect(
            p, paths, progress, cancel, on_recorded=recorded.append), self._inspected, self._inspect_settled)

    def _drain_recorded(self) -> None:
        """Show the parts scored since the last call (no database read here: the worker read the records)."""
        batch = []
        while self._recorded:
            batch.append(self._recorded.popleft())
        if batch:
            self.state.parts_scored(batch)

    def report(self, target: str, csv_target: str | None = None) -> bool:
        """Write the batch report (HTML with the images embedded, and CSV) on the worker: it reads every part."""
        from ..core.project.report import write_report

        def run(project, progress, cancel):
            return write_report(project, target, csv_target=csv_target, cancel=cancel)

        return self._start(ProjectJob.REPORT, run, lambda rows: self.messages.show_message(
            "info", self.tr("Report of %n part(s) written to {target}", "", len(rows)).format(target=target)
            + (" " + self.tr("and {csv}").format(csv=csv_target) if csv_target else "")))

    def _inspect_settled(self) -> None:
        """After any outcome (a cancel keeps the parts scored so far): refresh once, unless done already."""
        self._drain.stop()
        self._recorded.clear()
        if not self._refreshed:
            self.state.results_changed()

    def _inspected(self, report) -> None:
        self._drain.stop()
        self._recorded.clear()
        self.state.results_changed()  # first: the message below counts the new verdicts
        self._refreshed = True
        rows = [(str(s.path), s.reason) for s in report.added.skipped + report.skipped]
        c = self.state.counts
        text = self.tr("Scored %n part(s). All parts: {passed} pass, {uncertain} uncertain, {failed} fail.", "",
                       report.n_scored).format(passed=c.passed, uncertain=c.uncertain, failed=c.failed)
        if rows:
            text = sentences(text, self.tr("%n file(s) could not be read.", "", len(rows)))
        seen = [(str(path), self.tr("the same image (same bytes) was inspected before as {name}: scored again, listed "
                                    "under {name}").format(name=name)) for path, name in report.added.duplicates]
        if seen:
            text = sentences(text, self.tr("%n part(s) had been inspected before under another file: they are listed "
                                           "under their first name.", "", len(seen)))
        if rows or seen:
            self.messages.show_message("warning", text, action=(self.tr("Show list"), lambda: self.show_skipped(
                rows + seen, self.tr("Files not inspected, or inspected before"))))
        else:
            self.messages.show_message("info", text)

    def retrain_with_confirmed(self) -> None:
        project = self.state.project
        if project is None or self.jobs.busy:
            return
        added = project.add_confirmed_good_to_training()
        self.state.training_changed()
        if added:
            self.messages.show_message(
                "info", self.tr("Added %n confirmed-good part(s) to the training set; retraining.", "", len(added)))
        self.train()

    def suggest(self, percentile: float | None) -> None:
        project = self.state.project
        if project is None:
            return
        if percentile is not None and percentile != project.settings.suggest_percentile:
            project.settings.suggest_percentile = percentile  # remembered with the project
            project.save_settings(project.settings)
        try:
            suggestion = self.state.suggest(percentile)
        except ValueError as exc:
            self.messages.error(self.tr("Cannot suggest thresholds: {error}").format(error=exc))
            return
        before = self.state.counts
        had = self.state.thresholds
        self.state.set_thresholds(suggestion.thresholds)
        t, now = suggestion.thresholds, self.state.counts
        change = self.tr("Verdicts now: {passed} pass · {uncertain} uncertain · {failed} fail").format(
            passed=now.passed, uncertain=now.uncertain, failed=now.failed) + (
            " " + self.tr("(were {passed} · {uncertain} · {failed}).").format(
                passed=before.passed, uncertain=before.uncertain, failed=before.failed) if had is not None else self.tr("."))
        # kept until dismissed (it has an action): the operator reads why, and can take it back
        self.messages.show_message("info", self.tr("Suggested thresholds: pass < {pass_:.4g}, fail ≥ {fail:.4g}.").format(
            pass_=t.pass_, fail=t.fail) + f" {suggestion.reason} {change}",
                                   action=(self.tr("Undo (Ctrl+Z)"), self._undo_suggestion) if had is not None else None)

    def _undo_suggestion(self) -> None:
        if self.state.undo_thresholds():
            t = self.state.thresholds
            self.messages.show_message("info", self.tr("Suggestion undone: thresholds back to none.") if t is None else
                                       self.tr("Suggestion undone: thresholds back to pass < {pass_:.4g}, "
                                               "fail ≥ {fail:.4g}.").format(pass_=t.pass_, fail=t.fail))

    def _job_errored(self, job, message: str, detail: str) -> None:
        if WEIGHTS_HINT.search(message):  # the core's advice names the CLI; in the app, the settings' Import…
            message = WEIGHTS_HINT.sub(self.tr("press Import… in Project ▸ Settings (or choose a weights file there)"),
                                       message)
            message = message.replace("or pass --weights FILE", self.tr("or choose a weights file"))
            opener = getattr(self.window, "settings_dialog", None)
            if opener is not None:
                self.messages.show_message("error", self.tr("{job} failed: {error}").format(job=job, error=message),
                                           detail, action=(self.tr("Project settings…"), opener))
                return
        self.messages.error(self.tr("{job} failed: {error}").format(job=job, error=message), detail)

    def _job_cancelled(self, job) -> None:
        if job is ProjectJob.TRAIN and not self.state.has_model:
            what = self.tr("No model was trained.")
        else:
            what = job.after_cancel if isinstance(job, ProjectJob) else ""
        self.messages.show_message("info", sentences(self.tr("{job} cancelled.").format(job=job), what))
