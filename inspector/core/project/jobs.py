"""The long operations on a project, each one function the app's worker (or a script) calls.

Each takes a ``progress(stage, done, total)`` callback and a ``CancelToken``, and reports in these stages:
``import`` (copying images in), ``features`` and ``coreset`` (fitting, from the engine), ``holdout``
(scoring the held-out good images), ``rescore`` (re-scoring inspected parts with the new model) and
``inspect`` (scoring new parts). Cancelling training leaves the project exactly as it was: the new model
only replaces the old one in ``Project.commit_training`` at the very end.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from ..io.images import SkippedImage
from ..runtime.progress import CancelToken, ProgressFn, checkpoint, no_progress
from .store import AddReport, Project, ProjectError, ResultRecord


@dataclass
class TrainReport:
    n_train: int
    n_holdout: int
    n_rescored: int
    seconds: float
    skipped: list[SkippedImage] = field(default_factory=list)
    suggested: bool = False  # thresholds were set from the held-out scores (the project had none)


@dataclass
class InspectReport:
    added: AddReport
    n_scored: int
    skipped: list[SkippedImage] = field(default_factory=list)


def _renamed(progress: ProgressFn, stage: str) -> ProgressFn:
    return lambda _stage, done, total: progress(stage, done, total)


def add_good_images(project: Project, paths: Iterable[str | Path], progress: ProgressFn = no_progress,
                    cancel: CancelToken | None = None) -> AddReport:
    return project.add_images(paths, "train", progress, cancel)


def train(project: Project, progress: ProgressFn = no_progress, cancel: CancelToken | None = None) -> TrainReport:
    """Fit a new model on the good images minus the held-out ones, score the held-out images and re-score the
    inspected parts with it, then make it the project's model. With no thresholds yet, suggest them."""
    start = time.perf_counter()
    fit, holdout = project.plan_holdout()
    if not fit:
        raise ProjectError("there are no good images to train on: add a folder of good parts first")
    model = project.build_model(progress, cancel)  # a first use of the backbone converts it (stage "backbone")
    report = model.fit([project.path_of(r) for r in fit], progress=progress, cancel=cancel)
    scored: list[tuple[int, float, object]] = []
    skipped = list(report.skipped)
    inspected = [r.image for r in project.results()] + project.unscored()
    for stage, records in (("holdout", holdout), ("rescore", inspected)):
        by_path = {project.path_of(r): r.id for r in records}
        if not records:
            continue
        for pred in model.predict(list(by_path), progress=_renamed(progress, stage), cancel=cancel, skipped=skipped):
            # held-out images only give the good-score distribution: their maps are not kept
            scored.append((by_path[pred.path], pred.score, pred.anomaly_map if stage == "rescore" else None))
    checkpoint(cancel)
    info = {"seconds": dict(getattr(report, "seconds", {}) or {}), "stats": dict(getattr(report, "info", {}) or {})}
    project.commit_training(model, fit, holdout, scored, info)
    suggested = False
    if project.thresholds is None and holdout:
        project.set_thresholds(project.suggest().thresholds)
        suggested = True
    return TrainReport(report.n_train, len(holdout), len(scored) - len(holdout), time.perf_counter() - start,
                       skipped, suggested)


def inspect(project: Project, paths: Iterable[str | Path], progress: ProgressFn = no_progress,
            cancel: CancelToken | None = None,
            on_recorded: Callable[[ResultRecord], None] | None = None) -> InspectReport:
    """Copy parts into the project and score them with its model. Parts inspected before (same bytes) are
    scored again, and so are parts an interrupted inspection imported but did not score. Each result is saved
    as it comes, so a cancel keeps those already scored (and the next inspection resumes the rest).
    ``on_recorded`` gets each part's fresh record as it is saved (read on this thread: a view can show the
    parts as they are scored without reading the database itself)."""
    model = project.model(cancel)  # fail before copying anything when there is no model
    added = project.add_images(paths, "inspected", progress, cancel)
    ids = [r.id for r in added.added]
    ids += [i for i in dict.fromkeys(added.duplicate_ids) if i not in ids]  # dropped again: score again
    ids += [r.id for r in project.unscored() if r.id not in ids]  # left by an interrupted inspection
    by_path = {project.path_of(project.image(i)): i for i in ids}
    skipped: list[SkippedImage] = []
    n = 0
    for pred in model.predict(list(by_path), progress=progress, cancel=cancel, skipped=skipped):
        project.record_result(by_path[pred.path], pred.score, pred.anomaly_map)
        n += 1
        if on_recorded is not None:
            record = project.result(by_path[pred.path])
            if record is not None:
                on_recorded(record)
    return InspectReport(added, n, skipped)
