"""The open project as a Qt model: views read from it and listen to its signals; they own no state.

Every change to the project goes through here (on the UI thread) or through a job whose completion is
announced here, so each view refreshes from one source of truth.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from ..core.project.recent import ProjectRegistry
from ..core.project.store import Project, ProjectSettings, ResultRecord
from ..core.project.thresholds import Suggestion, Thresholds


class ProjectState(QObject):
    opened = Signal()  # a project was opened (or created)
    closed = Signal()
    imagesChanged = Signal()  # the training set
    resultsChanged = Signal()  # scores, verdicts of inspected parts
    reviewChanged = Signal(int)  # image id whose human decision changed
    thresholdsChanged = Signal()
    modelChanged = Signal()  # trained, or settings changed (staleness)
    renamed = Signal(str)

    def __init__(self, registry: ProjectRegistry | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.registry = registry or ProjectRegistry()
        self.project: Project | None = None

    # ------------------------------------------------------------------------------- lifecycle
    @property
    def is_open(self) -> bool:
        return self.project is not None

    def open(self, folder: str | Path) -> Project:
        project = Project.open(folder)
        self._set(project)
        return project

    def create(self, folder: str | Path, name: str, settings: ProjectSettings | None = None) -> Project:
        project = Project.create(folder, name, settings)
        self._set(project)
        return project

    def _set(self, project: Project) -> None:
        self.close()
        self.project = project
        self.registry.touch(project.folder, project.name)
        self.opened.emit()

    def close(self) -> None:
        if self.project is not None:
            self.project.close()
            self.project = None
            self.closed.emit()

    def rename(self, name: str) -> None:
        self.project.rename(name)
        self.registry.rename(self.project.folder, self.project.name)
        self.renamed.emit(self.project.name)

    def save_settings(self, settings: ProjectSettings) -> None:
        self.project.save_settings(settings)
        self.modelChanged.emit()

    # ---------------------------------------------------------------------------------- reading
    def results(self) -> list[ResultRecord]:
        return self.project.results() if self.project else []

    def holdout_scores(self) -> list[float]:
        return self.project.holdout_scores() if self.project else []

    @property
    def thresholds(self) -> Thresholds | None:
        return self.project.thresholds if self.project else None

    # ---------------------------------------------------------------------------------- changes
    def set_thresholds(self, thresholds: Thresholds | None) -> None:
        """Save the thresholds, re-classify every part, tell the views."""
        self.project.set_thresholds(thresholds)
        self.thresholdsChanged.emit()
        self.resultsChanged.emit()

    def suggest(self, percentile: float | None = None) -> Suggestion:
        """Suggest thresholds from held-out and reviewed scores; with neither, from the inspected scores'
        spread (a first guess to drag from). Raises ``ValueError`` when there are no scores at all."""
        try:
            return self.project.suggest(percentile)
        except ValueError:
            scores = [r.score for r in self.results()]
            if len(scores) < 2:
                raise
            lo, hi = np.percentile(scores, [50, 90])
            return Suggestion(Thresholds(float(lo), float(max(hi, lo))),
                              "no held-out or reviewed scores yet: lines placed at the median and 90th "
                              "percentile of the inspected scores; drag them to where good and bad separate.")

    def review(self, image_id: int, decision: str | None) -> None:
        self.project.review(image_id, decision)
        self.reviewChanged.emit(image_id)

    def training_changed(self) -> None:
        """A job changed the training set (images added or removed)."""
        self.imagesChanged.emit()
        self.modelChanged.emit()

    def model_trained(self) -> None:
        self.imagesChanged.emit()  # roles (held out or not) may have changed
        self.modelChanged.emit()
        self.thresholdsChanged.emit()
        self.resultsChanged.emit()

    def remove_images(self, ids: list[int]) -> int:
        n = self.project.remove_images(ids)
        self.training_changed()
        return n
