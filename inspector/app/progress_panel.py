"""Progress of the running job: the stages done and the current one (n / N), elapsed and remaining time,
and Cancel. Remaining time is extrapolated from the current stage's own pace, measured from its first
finished item on: the first item carries the start-up (loading the network, warming caches) and would make
the estimate several times too long ("6:38 left" for a step that took 1:23). Cancel, the Esc key and the
menu all go through ``cancel()``, which says "Cancelling…" at once, even before the first report.

The whole job: a job may come with a *plan*, its stages in order with their item counts where known (training:
features, coreset, held-out scoring, re-scoring; ``training_plan``). The time left in all is the current stage's
time left plus each stage ahead at its pace (seconds per item, start-up included) from the last time a stage of
its kind finished in this session, or the current stage's own pace when it is of that kind. A stage of unknown
size (the coreset) counts as long as it took last time. The scoring stages (held-out, re-scoring, inspecting)
are one kind. A stage ahead with no known pace counts at the feature extraction's pace when it scores images
(scoring runs the same network, then searches: never faster), else as nothing; the estimate then says "at
least" rather than "about"."""

from __future__ import annotations

import time

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout

IMAGES = QT_TRANSLATE_NOOP("ProgressPanel", "images")
POINTS = QT_TRANSLATE_NOOP("ProgressPanel", "points")
STEPS = QT_TRANSLATE_NOOP("ProgressPanel", "steps")
STAGES = {  # English; shown translated (context "ProgressPanel")
    "backbone": (QT_TRANSLATE_NOOP("ProgressPanel", "Preparing the network (first use only)"), STEPS),
    "import": (QT_TRANSLATE_NOOP("ProgressPanel", "Copying images in"), IMAGES),
    "features": (QT_TRANSLATE_NOOP("ProgressPanel", "Extracting features"), IMAGES),
    "coreset": (QT_TRANSLATE_NOOP("ProgressPanel", "Building the coreset"), POINTS),
    "holdout": (QT_TRANSLATE_NOOP("ProgressPanel", "Scoring held-out good images"), IMAGES),
    "rescore": (QT_TRANSLATE_NOOP("ProgressPanel", "Re-scoring inspected parts"), IMAGES),
    "inspect": (QT_TRANSLATE_NOOP("ProgressPanel", "Scoring parts"), IMAGES),
    "fit": (QT_TRANSLATE_NOOP("ProgressPanel", "Fitting"), STEPS),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("ProgressPanel", text)


SCORING = ("holdout", "rescore", "inspect")  # one pace: the same model scoring images
Plan = list[tuple[str, "int | None"]]  # (stage, items; None: not known before it starts)


def pace_key(stage: str) -> str:
    """The stage whose pace ``stage`` shares: the scoring stages are one ("score"); a prefix (``stretch/``,
    which set-up a comparison's stage belongs to) is kept, set-ups differ in speed."""
    prefix, _, name = stage.rpartition("/")
    name = "score" if name in SCORING else name
    return f"{prefix}/{name}" if prefix else name


def stage_label(stage: str) -> tuple[str, str]:
    """(label, unit) of a stage; ``prefix/stage`` reads "prefix: label"."""
    prefix, _, name = stage.rpartition("/")
    label, unit = STAGES.get(name, (name.capitalize(), STEPS))
    label, unit = _tr(label), _tr(unit)
    return (f"{prefix}: {label}" if prefix else label), unit


def clock(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 3600:
        return f"{seconds // 60}:{seconds % 60:02d}"
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class ProgressPanel(QFrame):
    cancelRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._paces: dict[str, float] = {}  # seconds per item of each stage kind, as it last finished (session)
        self._durations: dict[str, float] = {}  # and its seconds in all (a stage ahead of unknown size)
        self.setFrameShape(QFrame.StyledPanel)
        self.setObjectName("progressPanel")
        self.setStyleSheet("#progressPanel { background: #f3f6fa; }")
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold;")
        self.done_stages = QLabel()
        self.done_stages.setStyleSheet("color: #2e7d32;")
        self.stage = QLabel()
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.times = QLabel()
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self._cancel)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.done_stages, 1)
        head.addWidget(self.times)
        head.addWidget(self.cancel_button)
        row = QHBoxLayout()
        row.addWidget(self.stage)
        row.addWidget(self.bar, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addLayout(head)
        layout.addLayout(row)
        self._tick = QTimer(self, interval=500, timeout=self._update_times)
        self._reset()
        self.hide()

    def _reset(self) -> None:
        self._start = time.monotonic()
        self._stage = ""
        self._stage_start = self._start
        self._stage_done = 0
        self._stage_total = 0
        self._origin: tuple[float, int] | None = None  # (time, done) of the stage's first report with done > 0
        self._finished: list[str] = []
        self._plan: Plan = []
        self._at = -1  # the current stage's place in the plan (-1: before its first stage)

    def start(self, title: str, plan: Plan | None = None) -> None:
        """Show the job ``title``; ``plan``: its stages in order with their item counts (None: not known)."""
        self._reset()
        self._plan = [(stage, n) for stage, n in (plan or [])]
        self.title.setText(title)
        self.stage.setText(self.tr("Starting…"))
        self.done_stages.clear()
        self.bar.setRange(0, 0)  # busy until the first report
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText(self.tr("Cancel"))
        self._update_times()
        self._tick.start()
        self.show()

    def _cancel(self) -> None:
        self.cancel()

    def cancel(self) -> None:
        """Ask the job to stop (Cancel, Esc, the menu): acknowledged here at once."""
        if self.isHidden() or not self.cancel_button.isEnabled():
            return
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText(self.tr("Cancelling…"))
        if self._stage == "":
            self.stage.setText(self.tr("Cancelling…"))
        self.cancelRequested.emit()

    def set_progress(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage != self._stage:
            if self._stage:
                self._stage_finished(now)
            self._stage, self._stage_start = stage, now
            self._origin = None
            ahead = [i for i in range(self._at + 1, len(self._plan)) if self._plan[i][0] == stage]
            if ahead:  # planned stages skipped on the way (nothing to re-score) are behind us now
                self._at = ahead[0]
        if self._origin is None and done > 0:
            self._origin = (now, done)
        self._stage_done, self._stage_total = done, total
        label, unit = stage_label(stage)
        self.stage.setText(self.tr("{stage}: {done:,} / {total:,} {unit}").format(
            stage=label, done=done, total=total, unit=unit))
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(min(done, max(total, 1)))
        self._update_times()

    def _stage_finished(self, now: float) -> None:
        seconds = now - self._stage_start
        self._finished.append(f"✓ {stage_label(self._stage)[0]} ({clock(seconds)})")
        self.done_stages.setText("   ".join(self._finished[-3:]))
        if self._stage_total > 0 and self._stage_done >= self._stage_total:  # whole stages only teach a pace
            self._paces[pace_key(self._stage)] = seconds / self._stage_total
            self._durations[pace_key(self._stage)] = seconds

    def remaining_in_all(self) -> tuple[float, bool] | None:
        """(seconds left in the whole job, exact): ``exact`` is False when a stage ahead has no known pace and
        the figure is a lower bound. None without a plan with stages ahead, or before the current stage has a
        pace (its own time left is the first term)."""
        ahead = self._plan[self._at + 1:]
        if not ahead:
            return None
        exact = True
        if self._stage:
            left = self.remaining()
            if left is None:
                return None
        else:  # "Starting…": every planned stage is ahead
            left = 0.0
        for stage, items in ahead:
            key = pace_key(stage)
            if items is None and key in self._durations:  # size unknown ahead (the coreset): as long as last time
                left += self._durations[key]
                continue
            pace = self._pace(key)
            if pace is None or items is None:
                exact = False
                prefix = key.rpartition("/")[0]
                if items is not None and key.endswith("score"):  # scoring is never faster than features
                    pace = self._pace(f"{prefix}/features" if prefix else "features")
                if pace is None or items is None:
                    continue
            left += pace * items
        return left, exact

    def _pace(self, key: str) -> float | None:
        """Seconds per item of the stage kind ``key``: as it last finished, else the current stage's own pace
        when it is of that kind."""
        if key in self._paces:
            return self._paces[key]
        if self._stage and pace_key(self._stage) == key and self._origin is not None:
            since, first = self._origin
            if self._stage_done > first:
                return (time.monotonic() - since) / (self._stage_done - first)
        return None

    def remaining(self) -> float | None:
        """Seconds left in the current stage at its pace since its first finished item, or None before there
        is a pace (two reports with items done, half a second apart)."""
        done, total = self._stage_done, self._stage_total
        if self._origin is None or total <= 0:
            return None
        since, first = self._origin
        spent = time.monotonic() - since
        if done <= first or spent < 0.5:
            return None
        return spent / (done - first) * max(total - done, 0)

    def _update_times(self) -> None:
        text = self.tr("elapsed {time}").format(time=clock(time.monotonic() - self._start))
        left = self.remaining()
        if left is not None:
            text += " · " + self.tr("about {time} left in this step").format(time=clock(left))
        whole = self.remaining_in_all()
        if whole is not None and whole[0] > (left or 0) + 0.5:
            if whole[1]:
                text += " · " + self.tr("about {time} left in all").format(time=clock(whole[0]))
            else:
                text += " · " + self.tr("at least {time} left in all").format(time=clock(whole[0]))
        self.times.setText(text)

    def finish(self) -> None:
        self._tick.stop()
        self.hide()


def training_plan(project) -> Plan:
    """The stages of training ``project`` with their item counts (``jobs.train``): features of the images it
    fits on (unknown ahead for tiles: they count tiles), the coreset (or the fit of the other models), the
    held-out good images, the inspected parts re-scored."""
    fit, holdout = project.plan_holdout()
    tiles = project.settings.model.get("geometry") == "tiles"
    plan: Plan = [("features", None if tiles else len(fit)),
                  ("coreset" if project.settings.model_kind == "patchcore" else "fit", None)]
    if holdout:
        plan.append(("holdout", len(holdout)))
    inspected = project.count(("inspected",))
    if inspected:
        plan.append(("rescore", inspected))
    return plan


def job_plan(job, state) -> Plan | None:
    """The plan of a job that is starting: its own ``plan`` attribute, or training's from the open project."""
    plan = getattr(job, "plan", None)
    if plan is not None:
        return list(plan)
    from .project_jobs import ProjectJob

    if job is ProjectJob.TRAIN and state.project is not None:
        return training_plan(state.project)
    return None
