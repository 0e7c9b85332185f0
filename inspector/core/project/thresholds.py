"""Pass / fail thresholds on the image score, and suggesting them from data.

Two thresholds split the score axis into three verdicts:

    score < pass            -> "pass"       (a good part)
    pass <= score < fail    -> "uncertain"  (sent to a person)
    score >= fail           -> "fail"       (a defect)

Scores are on each model's own scale and differ from product to product, so thresholds are per project and
are suggested from the project's own data: the held-out good images (scored after training, never seen by
the model) and, when there are any, the decisions people made in the review queue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..errors import InvalidInput

PASS, UNCERTAIN, FAIL = "pass", "uncertain", "fail"
VERDICTS = (PASS, UNCERTAIN, FAIL)


@dataclass(frozen=True)
class Thresholds:
    pass_: float
    fail: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.pass_) and math.isfinite(self.fail)):
            raise InvalidInput(f"thresholds must be finite numbers, got pass={self.pass_}, fail={self.fail}")
        if self.fail < self.pass_:
            raise InvalidInput(f"the fail threshold ({self.fail:g}) is below the pass threshold ({self.pass_:g})")

    def verdict(self, score: float) -> str:
        if score < self.pass_:
            return PASS
        if score >= self.fail:
            return FAIL
        return UNCERTAIN

    @staticmethod
    def sql_case(score: str = "score") -> str:
        """``verdict`` as an SQL expression over the column ``score`` with parameters ``:p`` (pass) and ``:f``
        (fail): the same rule, for re-classifying every stored result in one statement."""
        return f"CASE WHEN {score} < :p THEN '{PASS}' WHEN {score} >= :f THEN '{FAIL}' ELSE '{UNCERTAIN}' END"

    def counts(self, scores: Sequence[float] | np.ndarray) -> dict[str, int]:
        """How many of ``scores`` [N] fall in each verdict."""
        s = np.asarray(scores, dtype=np.float64)
        n_pass = int(np.count_nonzero(s < self.pass_))
        n_fail = int(np.count_nonzero(s >= self.fail))
        return {PASS: n_pass, UNCERTAIN: int(s.size) - n_pass - n_fail, FAIL: n_fail}

    def to_dict(self) -> dict:
        return {"pass": self.pass_, "fail": self.fail}

    @staticmethod
    def from_dict(data: dict | None) -> "Thresholds | None":
        if not data or data.get("pass") is None or data.get("fail") is None:
            return None
        return Thresholds(float(data["pass"]), float(data["fail"]))


@dataclass(frozen=True)
class Suggestion:
    thresholds: Thresholds
    reason: str  # one or two sentences an operator can read


def _just_above(x: float) -> float:
    """The smallest float greater than ``x``: a pass line there lets a score equal to ``x`` pass."""
    return float(np.nextafter(x, math.inf))


def suggest_thresholds(
    holdout_good: Sequence[float],
    reviewed_good: Sequence[float] = (),
    reviewed_defect: Sequence[float] = (),
    percentile: float = 100.0,
) -> Suggestion:
    """Suggest thresholds from scores of known-good and known-defective images.

    * pass: just above the ``percentile`` (100 = the maximum) of the good scores (held-out good images plus
      parts people confirmed good), but never above the lowest confirmed defect, so no known defect passes.
    * fail: a margin above pass (two standard deviations of the good scores, at least 10 % of the pass line),
      lowered to the lowest confirmed defect when one scores below that, and raised just above the highest
      confirmed-good score if that is higher (so no known good part fails; the overlap becomes "uncertain").

    Confirmed defects are evidence only where they are: a defect can pull the fail line down to itself, never
    push it up. Reviewing the queue top-down confirms the highest scores first; taking the lowest of those as
    the fail line would send every unreviewed part between the good scores and it (parts that scored like
    defects) back to "uncertain". A confirmed good part is evidence too: the fail line goes above it.

    Raises ``InvalidInput`` when there is no score at all (train with at least 5 good images first).
    """
    if not 0.0 < percentile <= 100.0:
        raise InvalidInput(f"percentile must be in (0, 100], got {percentile}")
    holdout = np.asarray(list(holdout_good), dtype=np.float64)
    rgood = np.asarray(list(reviewed_good), dtype=np.float64)
    defect = np.asarray(list(reviewed_defect), dtype=np.float64)
    good = np.concatenate([holdout, rgood])
    if good.size == 0 and defect.size == 0:
        raise InvalidInput(
            "no scores to suggest thresholds from: train with at least 5 good images (some are held out and "
            "scored), or review some inspected parts"
        )
    parts = []
    if good.size:
        top = float(np.percentile(good, percentile))
        pass_ = _just_above(top)
        what = "the highest" if percentile >= 100 else f"the {percentile:g}th percentile"
        source = (f"{holdout.size} held-out" if holdout.size else "") + (" and " if holdout.size and rgood.size else "") \
            + (f"{rgood.size} confirmed-good" if rgood.size else "")
        parts.append(f"Pass just above {what} of the {source} good scores ({top:.4g})")
    else:
        pass_ = float(defect.min())
        parts.append("Pass at the lowest confirmed defect (no good scores yet)")
    if defect.size and pass_ > float(defect.min()):
        pass_ = float(defect.min())
        parts.append(f"lowered to the lowest confirmed defect ({pass_:.4g}) so that no known defect passes")
    spread = float(good.std()) if good.size > 1 else 0.0
    margin = max(2.0 * spread, 0.1 * abs(pass_), 1e-6)
    fail = pass_ + margin
    how = "twice the spread of the good scores" if 2.0 * spread >= 0.1 * abs(pass_) else "10 % of the pass line"
    if not defect.size:
        parts.append(f"fail a margin ({how}) above pass; no confirmed defects yet: review parts to refine it")
    elif float(defect.min()) < fail:
        fail = float(defect.min())
        parts.append(f"fail at the lowest of {defect.size} confirmed defect(s) ({fail:.4g})")
    else:
        parts.append(f"fail a margin ({how}) above pass: the {defect.size} confirmed defect(s) all score higher "
                     f"(lowest {float(defect.min()):.4g}), so they do not raise it (unreviewed parts scoring "
                     f"between it and them look like defects too and stay failed)")
    if rgood.size and rgood.max() >= fail:
        fail = _just_above(float(rgood.max()))
        parts.append(f"fail raised just above the highest confirmed-good score ({rgood.max():.4g})")
    fail = max(fail, pass_)
    return Suggestion(Thresholds(pass_, fail), "; ".join(parts) + ".")


def first_guess(inspected: Sequence[float]) -> Suggestion:
    """Lines to start dragging from when there is no held-out or reviewed score yet: the median and the 90th
    percentile of the inspected parts' scores. Raises ``InvalidInput`` with fewer than two scores."""
    scores = np.asarray(list(inspected), dtype=np.float64)
    if scores.size < 2:
        raise InvalidInput("no scores to suggest thresholds from: train with at least 5 good images (some are "
                           "held out and scored), or inspect and review some parts")
    lo, hi = np.percentile(scores, [50, 90])
    return Suggestion(Thresholds(float(lo), float(max(hi, lo))),
                      "no held-out or reviewed scores yet: lines placed at the median and 90th percentile of "
                      "the inspected scores; drag them to where good and bad separate.")
