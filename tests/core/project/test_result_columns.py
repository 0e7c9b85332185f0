"""``Project.result_columns``: the columns a 100,000-part view needs, with the stored names checked in SQL by
the same rule as the Python checks of ``results()`` (refused rows left out of both)."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from inspector.core.project.store import _IMAGE_FILE, _MAP_FILE, _NAMES_OK_SQL, Project
from inspector.core.project.thresholds import Thresholds

H = "ab" * 32
FILES = [f"images/{H}.png", f"images/{H}.PNG", f"images/{H}.", f"images/{H}.png/", f"images/{H}.abcdefghij",
         f"images/{H}.abcdefghijk", f"images/{'cd' * 32}.png", f"/etc/{H}.png", f"images/{H}.p-g", f"images/{H}.pn\n",
         f"images/../{H}.png", f"images/{H}xpng", "", None, 42, f"images/{H}.ñg", f"IMAGES/{H}.png"]
HASHES = [H, H.upper(), H[:-1], H + "0", "zz" * 32, None]
MAPS = [None, "maps/1-g0.npy", "maps/123456789012345-g123456789012345.npy", "maps/1234567890123456-g0.npy",
        "maps/1-g1234567890123456.npy", "maps/-g0.npy", "maps/1-g.npy", "maps/1-g0.npz", "maps/1-g-g0.npy",
        "maps/1g0.npy", "maps/x-g0.npy", "/tmp/1-g0.npy", "maps/1-g0.npy\n", "maps/١-g0.npy", 7, ""]


def python_ok(h, f, mf) -> bool:
    m = _IMAGE_FILE.fullmatch(f) if isinstance(f, str) else None
    return not (m is None or m.group(1) != h or (mf is not None and not (isinstance(mf, str) and _MAP_FILE.fullmatch(mf))))


def test_the_sql_name_check_equals_the_python_one():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE images (id INTEGER PRIMARY KEY, hash, file)")
    conn.execute("CREATE TABLE results (image_id INTEGER, map_file)")
    cases = [(h, f, mf) for h in HASHES for f in FILES for mf in MAPS]
    for k, (h, f, mf) in enumerate(cases):
        conn.execute("INSERT INTO images VALUES (?, ?, ?)", (k, h, f))
        conn.execute("INSERT INTO results VALUES (?, ?)", (k, mf))
    got = dict(conn.execute(f"SELECT i.id, {_NAMES_OK_SQL} FROM images i JOIN results r ON r.image_id = i.id"))
    expected = {k: python_ok(*c) for k, c in enumerate(cases)}
    assert 5 < sum(expected.values()) < len(cases) / 2
    assert {k: bool(v) for k, v in got.items()} == expected


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
