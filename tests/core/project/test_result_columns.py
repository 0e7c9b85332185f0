"""``Project.result_columns``: the columns a 100,000-part view needs, with the stored names checked by the same
rule as ``results()`` (refused rows left out of both)."""

from __future__ import annotations

import numpy as np
import pytest

from inspector.core.project.store import Project
from inspector.core.project.thresholds import Thresholds


def test_columns_match_the_records(tmp_path):
    project = Project.create(tmp_path / "p", "Columns")
    for i in range(30):
        digest = f"{i:064x}"
        image = project._insert_image(f"part_{i:02d}.png", "test", None, digest, None,
                                      "holdout" if i < 3 else "inspected", file=f"images/{digest}.png", size=(8, 8))
        project.record_result(image.id, float(i % 7), None)
    project.set_thresholds(Thresholds(2.0, 5.0))
    project.review(10, "good")
    project.review(11, "defect")
    project.review(12, "good")
    project.review(12, None)
    trained = f"{15:064x}"  # part 15's bytes are also a training image
    project._insert_image("good.png", "test", None, trained, None, "train", file=f"images/{trained}.png", size=(8, 8))
    bad = project._db()
    with bad:
        bad.execute("UPDATE images SET file = '../outside.png' WHERE id = 20")
    cols = project.result_columns()
    records = project.results()
    assert cols.ids.tolist() == [r.image.id for r in records] and 20 not in cols.ids
    assert cols.scores.tolist() == [r.score for r in records]
    codes = {None: -1, "pass": 0, "uncertain": 1, "fail": 2}
    assert cols.verdicts.tolist() == [codes[r.verdict] for r in records]
    assert cols.decisions.tolist() == [{None: -1, "good": 0, "defect": 1}[r.decision] for r in records]
    assert cols.in_training.tolist() == [r.image.hash == trained for r in records] and cols.in_training.sum() == 1
    assert np.array_equal(cols.holdout, [r.score for r in project.results(("holdout",))])
    assert any("image 20" in p for p in project.problems)
    assert project.result_labels()[10] == ("part_09.png", records[6].image.added_at)
    project.close()


@pytest.mark.parametrize("n", [0])
def test_empty(tmp_path, n):
    project = Project.create(tmp_path / "p", "Empty")
    cols = project.result_columns()
    assert cols.ids.size == n and cols.holdout.size == 0
    project.close()
