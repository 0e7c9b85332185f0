"""Suggesting thresholds after a partial review: reviewed defects are evidence only where they are."""

from __future__ import annotations

import numpy as np
import pytest

from inspector.core.project.thresholds import UNCERTAIN, suggest_thresholds


def _scores(seed: int):
    rng = np.random.default_rng(seed)
    holdout = rng.normal(1.0, 0.1, 12)
    good = rng.normal(1.0, 0.1, 300)
    defects = rng.uniform(1.25, 4.0, 40)
    return holdout, good, defects


def _uncertain_above_every_good(thresholds, scores, good_scores) -> int:
    top_good = max(good_scores)
    return sum(1 for s in scores if s > top_good and thresholds.verdict(s) == UNCERTAIN)


@pytest.mark.parametrize("seed", range(5))
def test_a_top_down_partial_review_never_adds_uncertain_defect_like_parts(seed):
    holdout, good, defects = _scores(seed)
    inspected = np.concatenate([good, defects])
    before = suggest_thresholds(holdout).thresholds  # what training set
    n_before = _uncertain_above_every_good(before, inspected, holdout)
    order = np.argsort(-inspected)  # the review queue, highest score first
    is_defect = np.arange(inspected.size) >= good.size
    for k in (1, 5, 10, 20, 30):
        reviewed = order[:k]
        rgood = inspected[reviewed][~is_defect[reviewed]]
        rdefect = inspected[reviewed][is_defect[reviewed]]
        after = suggest_thresholds(holdout, rgood, rdefect).thresholds
        known_good = np.concatenate([holdout, rgood])
        unreviewed = np.delete(inspected, reviewed)
        n_after = _uncertain_above_every_good(after, unreviewed, known_good)
        assert n_after <= n_before, (k, before, after)
        assert all(after.verdict(s) == "fail" for s in rdefect)  # every confirmed defect fails
        assert all(after.verdict(s) != "fail" for s in rgood)


def test_the_issue_case_lowest_reviewed_defect_far_above_the_good_scores():
    holdout = [1.0, 1.1, 0.9, 1.05, 0.95]
    unreviewed_defects = list(np.linspace(1.6, 2.9, 40))
    reviewed = [3.0, 3.5, 4.0]  # the top of the queue, all confirmed defects
    s = suggest_thresholds(holdout, [], reviewed)
    assert sum(s.thresholds.verdict(x) == UNCERTAIN for x in unreviewed_defects) == \
        sum(suggest_thresholds(holdout).thresholds.verdict(x) == UNCERTAIN for x in unreviewed_defects)
    assert "do not raise it" in s.reason and "3 confirmed defect(s)" in s.reason
    # a confirmed defect below the margin pulls the fail line down to itself
    low = suggest_thresholds(holdout, [], [1.2, 3.0])
    assert low.thresholds.fail == 1.2 and "lowest of 2 confirmed defect(s) (1.2)" in low.reason
