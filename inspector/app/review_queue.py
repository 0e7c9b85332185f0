"""The review queue: failed and uncertain parts, highest score first, heatmap shown large.

Keys: G good, D defect, S skip, Z undo, N next unreviewed, H heatmap on/off, Left / Right (or Up / Down) to
move. A decision is stored beside the model's verdict with a timestamp (a new row each time; undo adds a row
restoring the previous decision).
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.project.review import ReviewSession, review_order_index
from ..core.project.store import ResultRecord
from .empty_state import EmptyState
from .heatmap_view import VERDICT_COLOURS, HeatmapView, heat_scale
from .i18n import verdict_text
from .project_state import ProjectState

DECISION_TEXT = {"good": QT_TRANSLATE_NOOP("ReviewQueue", "✓ good"), "defect": QT_TRANSLATE_NOOP("ReviewQueue", "✗ defect"),
                 None: QT_TRANSLATE_NOOP("ReviewQueue", "not reviewed")}  # shown translated


class ReviewQueue(QWidget):
    retrainRequested = Signal()
    exportRequested = Signal()

    def __init__(self, state: ProjectState, parent=None):
        super().__init__(parent)
        self.state = state
        self._busy = False
        self.session = ReviewSession(record=state.review)  # queue, cursor and undo: Qt-free, in core
        self.setFocusPolicy(Qt.StrongFocus)

        self.heatmap = HeatmapView()
        # keys act on the page: only the number field of the heatmap's controls may take the focus
        for w in (self.heatmap.graphics, self.heatmap.overlay_box, self.heatmap.opacity, self.heatmap.colormap,
                  self.heatmap.outline_box):
            w.setFocusPolicy(Qt.NoFocus)
        self.heatmap.pixel_threshold.setFocusPolicy(Qt.ClickFocus)
        self.progress_label = QLabel()
        self.progress_label.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(8)
        self.file_label = QLabel()
        self.file_label.setWordWrap(True)
        self.verdict_label = QLabel()
        self.decision_label = QLabel()
        self.decision_label.setStyleSheet("font-size: 15px;")

        def button(text: str, key: str, slot, colour: str = "") -> QPushButton:
            b = QPushButton(f"{text}  [{key}]")
            b.setFocusPolicy(Qt.NoFocus)
            b.clicked.connect(slot)
            if colour:
                b.setStyleSheet(f"QPushButton {{ background:{colour}; color:white; font-weight:bold; padding:8px; }}")
            b.setMinimumHeight(b.sizeHint().height())  # a short page scrolls the panel, never squashes a label
            return b

        self.good_button = button(self.tr("Good"), "G", lambda: self.decide("good"), "#2e7d32")
        self.defect_button = button(self.tr("Defect"), "D", lambda: self.decide("defect"), "#c62828")
        self.skip_button = button(self.tr("Skip"), "S", self.skip)
        self.undo_button = button(self.tr("Undo"), "Z", self.undo)
        self.prev_button = button(self.tr("◀ Previous"), "←", lambda: self.move(-1))
        self.next_button = button(self.tr("Next ▶"), "→", lambda: self.move(1))
        self.retrain_button = QPushButton()
        self.retrain_button.setFocusPolicy(Qt.NoFocus)
        self.retrain_button.clicked.connect(self.retrainRequested)
        self.include_passed = QCheckBox(self.tr("Also passed parts (after the flagged ones)"))
        self.include_passed.setFocusPolicy(Qt.NoFocus)
        self.include_passed.setToolTip(self.tr("Spot-check parts the model passed, once the failed and uncertain ones are done"))
        self.include_passed.toggled.connect(self.rebuild)
        self.export_button = QPushButton(self.tr("Export decisions as CSV…"))
        self.export_button.setFocusPolicy(Qt.NoFocus)
        self.export_button.clicked.connect(self.exportRequested)

        side = QVBoxLayout()
        side.addWidget(self.progress_label)
        side.addWidget(self.progress)
        side.addSpacing(8)
        side.addWidget(self.file_label)
        side.addWidget(self.verdict_label)
        side.addWidget(self.decision_label)
        side.addSpacing(8)
        grid = QGridLayout()
        grid.addWidget(self.good_button, 0, 0)
        grid.addWidget(self.defect_button, 0, 1)
        grid.addWidget(self.skip_button, 1, 0)
        grid.addWidget(self.undo_button, 1, 1)
        grid.addWidget(self.prev_button, 2, 0)
        grid.addWidget(self.next_button, 2, 1)
        side.addLayout(grid)
        side.addWidget(self.include_passed)
        keys = QLabel(self.tr("Keys: G good · D defect · S skip · Z undo · N next unreviewed · ← → move · H heatmap.\n"
                              "Your decision is kept beside the model's verdict; it never replaces it."))
        keys.setWordWrap(True)
        keys.setStyleSheet("color:#666;")
        side.addWidget(keys)
        side.addStretch(1)
        side.addWidget(self.retrain_button)
        side.addWidget(self.export_button)
        panel = QFrame()
        panel.setLayout(side)
        panel.setFixedWidth(300)
        self.panel_scroll = QScrollArea()  # a short page scrolls the panel instead of squashing its buttons
        self.panel_scroll.setWidget(panel)
        self.panel_scroll.setWidgetResizable(True)
        self.panel_scroll.setFrameShape(QFrame.NoFrame)
        self.panel_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.panel_scroll.setFixedWidth(300 + self.panel_scroll.verticalScrollBar().sizeHint().width())
        self.panel_scroll.setFocusPolicy(Qt.NoFocus)

        body = QWidget()
        row = QHBoxLayout(body)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.heatmap, 1)
        row.addWidget(self.panel_scroll)
        self.empty = EmptyState(self.tr("Nothing to review"), "")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(body)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)

        state.resultsChanged.connect(self.rebuild)  # (every threshold change is followed by resultsChanged)
        state.opened.connect(self._opened)
        state.closed.connect(self._opened)
        self.rebuild()

    # ------------------------------------------------------------------------------------- queue
    @property
    def queue(self) -> list[ResultRecord]:
        return self.session.queue

    @property
    def position(self) -> int:
        return self.session.position

    def rebuild(self, *_) -> None:
        """Recompute the queue from the state's cached results (after scoring or a threshold change),
        staying on the same part if it is still queued."""
        self._rebuild_session()
        self.show_current()

    def _rebuild_session(self) -> None:
        st = self.state
        order = review_order_index(st.ids, st.scores, st.verdicts, self.include_passed.isChecked())
        self.session.rebuild_ids(st.ids[order], st.decisions[order] >= 0, st.result, self.include_passed.isChecked())

    def _opened(self) -> None:
        """A project was opened: start at the first part nobody has decided on yet."""
        self.session.reset()
        self._rebuild_session()
        first = self.session.first_unreviewed()
        if first is not None:
            self.session.go_to(first)
        self.show_current()

    def current(self) -> ResultRecord | None:
        return self.session.current()

    def reviewed_count(self) -> int:
        return self.session.reviewed_count()

    def progress_text(self) -> str:
        return self.progress_label.text()

    def show_current(self) -> None:
        project = self.state.project
        confirmed = self.state.counts.confirmed_good_outside_training
        self.retrain_button.setText(self.tr("Retrain with %n confirmed-good part(s)", "", confirmed))
        self.retrain_button.setToolTip(self.tr("Add the parts you confirmed good to the training set and train again"))
        self.retrain_button.setEnabled(not self._busy and confirmed > 0)
        self.export_button.setEnabled(bool(self.state.results))
        r = self.current()
        if r is None:
            if project is None or not self.state.results:
                self.empty.set_text(self.tr("Nothing to review yet"), self.tr(
                    "Inspect parts in the Results tab first. Failed and uncertain parts are queued here, highest "
                    "score first."))
            else:
                self.empty.set_text(self.tr("Nothing to review"), self.tr(
                    "No part is failed or uncertain at the current thresholds. Move the threshold lines in the score "
                    "histogram to send more parts here."))
            self.stack.setCurrentWidget(self.empty)
            return
        self.stack.setCurrentWidget(self.stack.widget(1))
        n, done = len(self.queue), self.reviewed_count()
        self.progress_label.setText(self.tr("{done} of {n} reviewed").format(done=done, n=n) + (" ✓" if done == n else ""))
        self.progress.setRange(0, n)
        self.progress.setValue(done)
        self.file_label.setText(self.tr("Part {i} of {n}: <b>{name}</b>").format(i=self.position + 1, n=n, name=r.image.name))
        colour = VERDICT_COLOURS.get(r.verdict, "#555")
        self.verdict_label.setText(self.tr("Model: {verdict}, score {score:.4g}").format(
            verdict=f"<b style='color:{colour}'>{verdict_text(r.verdict)}</b>", score=r.score))
        self.decision_label.setText(self.tr("Your decision: {decision}").format(
            decision="<b>" + QCoreApplication.translate("ReviewQueue", DECISION_TEXT[r.decision]) + "</b>"))
        self.undo_button.setEnabled(self.session.can_undo)
        self.prev_button.setEnabled(self.position > 0)
        self.next_button.setEnabled(self.position < n - 1)
        self.heatmap.show_result(project.path_of(r.image), project.load_map(r), self.state.preprocessor, r.score,
                                 r.verdict, project.thresholds, r.image.name, heat_scale(self.state.holdout))

    def set_busy(self, busy: bool, job=None) -> None:
        """No retraining from here while a job runs."""
        self._busy = busy
        self.retrain_button.setEnabled(not busy and self.state.counts.confirmed_good_outside_training > 0)
        if not busy and self.state.project is not None:
            self.show_current()

    def save_state(self) -> dict:
        return {"heatmap": self.heatmap.save_state(), "include_passed": self.include_passed.isChecked()}

    def restore_state(self, state: dict) -> None:
        self.heatmap.restore_state(state.get("heatmap", {}))
        self.include_passed.setChecked(bool(state.get("include_passed", False)))

    # ----------------------------------------------------------------------------------- actions
    def decide(self, decision: str) -> None:
        if self.session.decide(decision) is not None:
            self.show_current()

    def skip(self) -> None:
        self.move(1, refresh_always=True)

    def undo(self) -> None:
        if self.session.undo() is not None:
            self.show_current()

    def next_unreviewed(self) -> None:
        """N: the next part without a decision after the current one (wrapping to the first)."""
        found = self.session.next_unreviewed(self.position)
        if found is not None:
            self.session.go_to(found)
            self.show_current()

    def move(self, step: int, refresh_always: bool = False) -> None:
        if self.session.move(step) or refresh_always:
            self.show_current()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        actions = {
            Qt.Key_G: lambda: self.decide("good"),
            Qt.Key_D: lambda: self.decide("defect"),
            Qt.Key_S: self.skip,
            Qt.Key_Z: self.undo,
            Qt.Key_N: self.next_unreviewed,
            Qt.Key_H: self.heatmap.toggle_overlay,
            Qt.Key_Right: lambda: self.move(1),
            Qt.Key_Down: lambda: self.move(1),
            Qt.Key_Left: lambda: self.move(-1),
            Qt.Key_Up: lambda: self.move(-1),
        }
        action = actions.get(event.key())
        if action is None or event.modifiers() & (Qt.ControlModifier | Qt.AltModifier):
            super().keyPressEvent(event)
            return
        action()
        event.accept()
