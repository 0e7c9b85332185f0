"""The score histogram with the two draggable threshold lines.

Held-out good scores and inspected scores are separate series. Left of the green pass line = pass, right
of the red fail line = fail, between = uncertain. While a line is dragged the counts update live
(``sigPositionChanged``, cheap); when it is released the thresholds are emitted, so the project saves them
and re-classifies every part (``sigPositionChangeFinished``). The lines cannot cross: a line dragged past
the other stays there and the other one follows the mouse instead, so two lines dragged onto each other can
always be pulled apart again, whichever is on top. Exact values can be typed in the two boxes under the plot
(Enter or leaving the box applies them); the y axis counts whole parts, or, with "Each series in %", each
series as a share of its own parts (a few held-out good images stay visible beside 1,000 inspected parts).
The legend sits under the plot, where it cannot cover a line's label.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core.project.thresholds import Thresholds
from .project_state import ProjectState

GOOD = (46, 125, 50)
INSPECTED = (25, 118, 210)
DEFECT = (198, 40, 40)


class ScoreHistogram(QWidget):
    thresholdsEdited = Signal(object)  # Thresholds, on release
    suggestRequested = Signal(float)  # percentile of the held-out good scores

    def __init__(self, state: ProjectState | None = None, parent=None):
        super().__init__(parent)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setMenuEnabled(False)
        self.plot.setLabel("bottom", self.tr("anomaly score"))
        self.plot.setLabel("left", self.tr("parts"))
        self.plot.getAxis("left").setTickSpacing()  # reset; integer ticks are set in set_data
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.good_curve = self.plot.plot([0, 1], [0], stepMode="center", fillLevel=0, name=self.tr("held-out good"),
                                         pen=pg.mkPen(GOOD, width=1.5), brush=(*GOOD, 90))
        self.inspected_curve = self.plot.plot([0, 1], [0], stepMode="center", fillLevel=0, name=self.tr("inspected"),
                                              pen=pg.mkPen(INSPECTED, width=1.5), brush=(*INSPECTED, 70))
        self.defect_marks = pg.ScatterPlotItem(symbol="t", size=10, brush=DEFECT, pen=None, name=self.tr("reviewed defect"))
        self.good_marks = pg.ScatterPlotItem(symbol="t1", size=10, brush=GOOD, pen=None, name=self.tr("reviewed good"))
        self.plot.addItem(self.defect_marks)
        self.plot.addItem(self.good_marks)
        label_opts = {"position": 0.92, "color": (40, 40, 40), "fill": (255, 255, 255, 200)}
        self.pass_line = pg.InfiniteLine(angle=90, movable=True, pen=pg.mkPen(GOOD, width=3),
                                         hoverPen=pg.mkPen(GOOD, width=5), label=self.tr("pass < {value:.3f}"),
                                         labelOpts=label_opts)
        self.fail_line = pg.InfiniteLine(angle=90, movable=True, pen=pg.mkPen(DEFECT, width=3),
                                         hoverPen=pg.mkPen(DEFECT, width=5), label=self.tr("fail ≥ {value:.3f}"),
                                         labelOpts={**label_opts, "position": 0.8})
        for line in (self.pass_line, self.fail_line):
            line.setZValue(10)
            self.plot.addItem(line)
            line.sigPositionChanged.connect(self._dragging)
            line.sigPositionChangeFinished.connect(self._released)
        self._placing = False  # the lines are being placed by code, not dragged
        self._crossing: tuple[object, float] | None = None  # (the line dragged past the other, where they met)

        self.counts = QLabel()
        self.counts.setStyleSheet("font-weight: bold;")
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #666;")
        self.percentile = QDoubleSpinBox()
        self.percentile.setRange(50.0, 100.0)
        self.percentile.setDecimals(1)
        self.percentile.setValue(100.0)
        self.percentile.setSuffix(" %")
        self.percentile.setToolTip(self.tr("Pass line at this percentile of the held-out good scores (100 % = their maximum)"))
        self.suggest_button = QPushButton(self.tr("Suggest"))
        self.suggest_button.setToolTip(self.tr("Set both lines from the data: pass from the held-out good scores, "
                                               "fail from the parts reviewed as defects"))
        self.suggest_button.clicked.connect(lambda: self.suggestRequested.emit(self.percentile.value()))
        top = QHBoxLayout()
        top.addWidget(self.counts, 1)
        top.addWidget(QLabel(self.tr("good percentile")))
        top.addWidget(self.percentile)
        top.addWidget(self.suggest_button)
        self.pass_box = self._value_box("passValue",
                                        self.tr("Pass line: parts scoring below this pass (type a value, Enter)"))
        self.fail_box = self._value_box("failValue",
                                        self.tr("Fail line: parts scoring at or above this fail (type, Enter)"))
        values = QHBoxLayout()
        values.addWidget(QLabel(self.tr("pass <")))
        values.addWidget(self.pass_box)
        values.addWidget(QLabel(self.tr("fail ≥")))
        values.addWidget(self.fail_box)
        values.addStretch(1)
        self.legend = QLabel(
            f"<span style='color:rgb{GOOD}'>■</span> {self.tr('held-out good')} &nbsp; "
            f"<span style='color:rgb{INSPECTED}'>■</span> {self.tr('inspected')} &nbsp; "
            f"<span style='color:rgb{DEFECT}'>▼</span> {self.tr('reviewed defect')} &nbsp; "
            f"<span style='color:rgb{GOOD}'>▲</span> {self.tr('reviewed good')}")
        self.legend.setObjectName("histogramLegend")
        values.addWidget(self.legend)
        self.normalise = QCheckBox(self.tr("Each series in %"))
        self.normalise.setToolTip(self.tr("Show each series as a share of its own parts, so a few held-out good images "
                                          "stay visible beside many inspected parts"))
        self.normalise.toggled.connect(lambda _on: self.set_data(*self._data))
        values.addWidget(self.normalise)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.plot, 1)
        layout.addLayout(values)
        layout.addWidget(self.hint)

        self._good = np.zeros(0)
        self._inspected = np.zeros(0)
        self._data: tuple = ([], [], None)  # set_data's arguments, to redraw when the y scale changes
        self.state = state
        if state is not None:
            for signal in (state.resultsChanged, state.opened, state.reviewChanged):
                signal.connect(self.refresh)
            # thresholdsChanged is always followed by resultsChanged (which redraws the bars): only move the lines
            state.thresholdsChanged.connect(lambda: self.set_thresholds(state.thresholds))
            state.closed.connect(lambda: self.set_data([], [], None))
            self.thresholdsEdited.connect(state.set_thresholds)

    def _value_box(self, name: str, tip: str) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setObjectName(name)
        box.setRange(-1e12, 1e12)
        box.setDecimals(6)
        box.setKeyboardTracking(False)
        box.setButtonSymbols(QAbstractSpinBox.NoButtons)
        box.setMinimumWidth(90)
        box.setToolTip(tip)
        box.setEnabled(False)
        box.editingFinished.connect(self._typed)
        return box

    def _typed(self) -> None:
        """A typed pass or fail value: the other line moves along if the two would cross."""
        t = self.current()
        box = self.sender()
        if t is None or box.value() == box.property("shown"):
            return  # focus left the box without a new value (the box shows a rounded value)
        p, f = self.pass_box.value(), self.fail_box.value()
        p = t.pass_ if p == self.pass_box.property("shown") else p
        f = t.fail if f == self.fail_box.property("shown") else f
        if box is self.pass_box:
            f = max(f, p)
        else:
            p = min(p, f)
        if (p, f) != (t.pass_, t.fail):
            self.set_thresholds(Thresholds(p, f))
            self.thresholdsEdited.emit(Thresholds(p, f))

    def refresh(self, *_) -> None:
        state = self.state
        if state is None or state.project is None:
            return
        self.percentile.blockSignals(True)
        self.percentile.setValue(state.project.settings.suggest_percentile)
        self.percentile.blockSignals(False)
        self.set_data(state.holdout, state.scores, state.thresholds, state.reviewed_scores("good"),
                      state.reviewed_scores("defect"))

    # --------------------------------------------------------------------------------------- data
    def set_data(self, good, inspected, thresholds: Thresholds | None, reviewed_good=(), reviewed_defect=()) -> None:
        self._data = (good, inspected, thresholds, reviewed_good, reviewed_defect)
        self._good = np.asarray(good, dtype=np.float64)
        self._inspected = np.asarray(inspected, dtype=np.float64)
        every = np.concatenate([self._good, self._inspected])
        share = self.normalise.isChecked()
        self.plot.setLabel("left", self.tr("% of each series") if share else self.tr("parts"))
        if every.size:
            lo, hi = float(every.min()), float(every.max())
            if thresholds is not None:
                lo, hi = min(lo, thresholds.pass_), max(hi, thresholds.fail)
            if hi <= lo:
                hi = lo + 1.0
            bins = np.linspace(lo, hi, int(np.clip(np.sqrt(every.size) * 2, 10, 60)) + 1)
            heights = []
            for curve, values in ((self.good_curve, self._good), (self.inspected_curve, self._inspected)):
                counts = np.histogram(values, bins)[0].astype(np.float64)
                if share:
                    counts *= 100.0 / max(1, values.size)
                curve.setData(bins, counts)
                curve.setVisible(values.size > 0)
                heights.append(counts.max(initial=0))
            top = max(1.0, float(max(heights))) if share else max(1, int(max(heights)))
            self.defect_marks.setData(list(reviewed_defect), [top * 1.05] * len(reviewed_defect))
            self.good_marks.setData(list(reviewed_good), [top * 1.05] * len(reviewed_good))
            pad = 0.05 * (hi - lo)
            self.plot.setXRange(lo - pad, hi + pad, padding=0)
            self.plot.setYRange(0, top * 1.15, padding=0)
            if share:
                self.plot.getAxis("left").setTickSpacing()
            else:
                step = max(1, int(np.ceil(top / 5)))  # whole parts only
                self.plot.getAxis("left").setTickSpacing(step, step)
        else:
            for curve in (self.good_curve, self.inspected_curve):
                curve.setData([0, 1], [0])
            self.defect_marks.clear()
            self.good_marks.clear()
            self.plot.setXRange(0, 1, padding=0)
            self.plot.setYRange(0, 5, padding=0)
        self.set_thresholds(thresholds)
        if not every.size:
            self.hint.setText(self.tr("No scores yet. Train (the held-out good images are scored), then inspect parts."))
        elif thresholds is None:
            self.hint.setText(self.tr("No thresholds yet: press Suggest to place the lines from the data, then drag them."))
        else:
            self.hint.setText(self.tr("Drag the lines: left of green = pass, right of red = fail, between = uncertain "
                                      "(sent to review). Verdicts update when you let go."))

    def set_thresholds(self, thresholds: Thresholds | None) -> None:
        """Place the lines (without emitting ``thresholdsEdited``)."""
        for line in (self.pass_line, self.fail_line):
            line.setVisible(thresholds is not None)
        for box in (self.pass_box, self.fail_box):
            box.setEnabled(thresholds is not None)
        if thresholds is not None:  # (setValue emits sigPositionChanged, which updates the line labels)
            self._placing = True
            try:
                self.pass_line.setValue(thresholds.pass_)
                self.fail_line.setValue(thresholds.fail)
            finally:
                self._placing = False
        self.suggest_button.setEnabled(bool(self._good.size or self._inspected.size))
        self._update_counts()

    def current(self) -> Thresholds | None:
        if not self.pass_line.isVisible():
            return None
        p, f = float(self.pass_line.value()), float(self.fail_line.value())
        return Thresholds(min(p, f), max(p, f))

    def counts_text(self) -> str:
        return self.counts.text()

    def _update_counts(self) -> None:
        t = self.current()
        if t is None:
            self.counts.setText(self.tr("{inspected} inspected · {good} held-out good").format(
                inspected=self._inspected.size, good=self._good.size))
            return
        for box, value in ((self.pass_box, t.pass_), (self.fail_box, t.fail)):
            if not box.hasFocus():
                box.blockSignals(True)
                box.setValue(value)
                box.setProperty("shown", box.value())
                box.blockSignals(False)
        c = t.counts(self._inspected)
        g = t.counts(self._good)
        self.counts.setText(
            "<span style='color:#2e7d32'>" + self.tr("{n} pass").format(n=c["pass"]) + "</span> · "
            "<span style='color:#b26a00'>" + self.tr("{n} uncertain").format(n=c["uncertain"]) + "</span> · "
            "<span style='color:#c62828'>" + self.tr("{n} fail").format(n=c["fail"]) + "</span>"
            "&nbsp;&nbsp;&nbsp;<span style='color:#666; font-weight:normal'>"
            + self.tr("held-out good: {passed} of {total} pass").format(passed=g["pass"], total=self._good.size)
            + "</span>")

    def _dragging(self, line) -> None:
        """Update the counts live (cheap, nothing saved). A line dragged past the other stays where they met
        and the other line follows the mouse, so lines on top of each other can be separated either way."""
        if self._placing:
            return
        other = self.fail_line if line is self.pass_line else self.pass_line
        crossed = (line.value() > other.value()) if line is self.pass_line else (line.value() < other.value())
        if self._crossing is None and crossed:
            self._crossing = (line, float(other.value()))
        if self._crossing is not None and self._crossing[0] is line:
            met = self._crossing[1]
            mouse = float(line.value())
            self._placing = True
            try:
                if line is self.pass_line:  # dragged right past fail: fail follows the mouse, pass stays
                    line.setValue(min(mouse, met))
                    other.setValue(max(mouse, met))
                else:  # dragged left past pass: pass follows the mouse, fail stays
                    line.setValue(max(mouse, met))
                    other.setValue(min(mouse, met))
            finally:
                self._placing = False
        self._update_counts()

    def _released(self, _line) -> None:
        self._crossing = None
        t = self.current()
        if t is not None:
            self.thresholdsEdited.emit(t)
