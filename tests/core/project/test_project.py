"""The project on disk (Qt-free): images in, split, training, scores, thresholds, reviews, reopening."""

from __future__ import annotations

import csv
import json
import sqlite3

import numpy as np
import pytest
from synthetic_defects import texture, with_defect, write_png

from inspector.core.project import jobs
from inspector.core.project.recent import ProjectRegistry
from inspector.core.project.store import (
    Project,
    ProjectError,
    ProjectFormatError,
    ProjectSettings,
    ProjectTooNewError,
    summarize,
)
from inspector.core.project.thresholds import Thresholds, suggest_thresholds
from inspector.core.runtime.progress import Cancelled, CancelToken

SMALL = {"backbone": "resnet18", "layers": ["layer2", "layer3"], "resize": 64, "crop": 64,
         "coreset_ratio": 0.25, "batch_size": 8, "device": "cpu"}


def write(folder, name, img):
    return write_png(folder / name, img)


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("INSPECTOR_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@pytest.fixture
def good_dir(tmp_path):
    for i in range(12):
        write(tmp_path / "good", f"good_{i:02d}.png", texture(i))
    return tmp_path / "good"


@pytest.fixture
def project(tmp_path, random_weights):
    p = Project.create(tmp_path / "proj", "Bottle", ProjectSettings(model={**SMALL, "weights": random_weights}))
    yield p
    p.close()


def test_create_open_and_sections(tmp_path, project):
    data = json.loads((project.folder / "project.json").read_text())
    assert data["format_version"] == 1
    assert data["settings"]["name"] == "Bottle"
    assert data["settings"]["model"]["backbone"] == "resnet18"
    assert data["thresholds"] is None
    project.save_layout(3, b"\x00\x01layout")
    project.rename("Bottle line 2")
    project.close()
    again = Project.open(tmp_path / "proj")
    assert again.name == "Bottle line 2"
    assert again.layout(3) == b"\x00\x01layout"
    assert again.layout(4) is None  # another layout version is dropped, not misapplied
    again.close()
    with pytest.raises(ProjectError):
        Project.create(tmp_path / "proj", "twice")


def test_newer_format_raises_typed_error(tmp_path, project):
    path = project.folder / "project.json"
    data = json.loads(path.read_text())
    data["format_version"] = 99
    path.write_text(json.dumps(data))
    with pytest.raises(ProjectTooNewError, match="newer Inspector"):
        Project.open(project.folder)
    path.write_text("{not json")
    with pytest.raises(ProjectFormatError):
        Project.open(project.folder)
    with pytest.raises(ProjectFormatError):
        Project.open(tmp_path)


def test_add_images_copies_dedupes_and_skips(tmp_path, project, good_dir):
    (good_dir / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    (good_dir / "empty.jpg").write_bytes(b"")
    dup = write(tmp_path / "other", "same_as_good_00.png", texture(0))
    report = project.add_images([good_dir, dup])
    assert len(report.added) == 12
    assert [d[1] for d in report.duplicates] == ["good/good_00.png"]  # named by the path from the dropped folder
    assert sorted(s.path.name for s in report.skipped) == ["broken.png", "empty.jpg"]
    again = project.add_images([good_dir / "good_03.png"])
    assert not again.added and len(again.duplicates) == 1
    for rec in project.images():
        assert project.path_of(rec).is_file()
        assert project.path_of(rec).name.startswith(rec.hash)
        assert project.thumbnail(rec).is_file()
        assert (rec.width, rec.height) == (64, 64)
    # removing deletes the copy (no other row uses it)
    victim = project.images()[0]
    assert project.remove_images([victim.id]) == 1
    assert not project.path_of(victim).exists()
    assert project.count(("train", "holdout")) == 11


def test_holdout_split_is_seeded_and_sized(project, good_dir):
    project.add_images(sorted(good_dir.glob("*.png"))[:4])
    fit, hold = project.plan_holdout()
    assert len(fit) == 4 and hold == []  # fewer than 5: nothing held out
    project.add_images([good_dir])
    fit, hold = project.plan_holdout()
    assert len(hold) == 2 and len(fit) == 10  # 15 % of 12, rounded
    assert project.plan_holdout() == (fit, hold)
    project.settings.holdout_fraction = 0.01
    assert len(project.plan_holdout()[1]) == 1  # at least one once there are 5


def test_thresholds_and_suggest():
    t = Thresholds(1.0, 2.0)
    assert [t.verdict(s) for s in (0.5, 1.0, 1.99, 2.0, 3.0)] == ["pass", "uncertain", "uncertain", "fail", "fail"]
    assert t.counts([0.5, 1.5, 2.5, 3.0]) == {"pass": 1, "uncertain": 1, "fail": 2}
    with pytest.raises(ValueError):
        Thresholds(2.0, 1.0)
    s = suggest_thresholds([1.0, 2.0, 3.0])
    assert s.thresholds.verdict(3.0) == "pass" and s.thresholds.fail > s.thresholds.pass_
    assert suggest_thresholds([1.0, 2.0, 3.0, 4.0], percentile=50).thresholds.pass_ == pytest.approx(2.5)
    # reviews: a confirmed defect at 2.5 lowers pass; a confirmed good at 2.8 pushes fail above it
    s = suggest_thresholds([1.0, 2.0, 3.0], reviewed_good=[2.8], reviewed_defect=[2.5, 6.0])
    assert s.thresholds.pass_ == 2.5
    assert s.thresholds.verdict(2.8) == "uncertain" and s.thresholds.verdict(6.0) == "fail"
    with pytest.raises(ValueError):
        suggest_thresholds([])


def test_train_inspect_review_reopen(tmp_path, project, good_dir):
    jobs.add_good_images(project, [good_dir])
    stages = set()
    report = jobs.train(project, progress=lambda s, d, t: stages.add(s))
    assert {"features", "coreset", "holdout"} <= stages
    assert report.n_holdout == 2 and report.n_train == 10 and report.suggested
    assert len(project.holdout_scores()) == 2
    t = project.thresholds
    assert t is not None and t.pass_ > max(project.holdout_scores())

    for i in range(3):
        write(tmp_path / "new", f"ok_{i}.png", texture(100 + i))
        write(tmp_path / "new", f"bad_{i}.png", with_defect(200 + i))
    rep = jobs.inspect(project, [tmp_path / "new"])
    assert rep.n_scored == 6
    res = {r.image.name.removeprefix("new/"): r for r in project.results()}
    assert sorted(r.image.name for r in project.results())[0] == "new/bad_0.png"
    assert min(res[f"bad_{i}.png"].score for i in range(3)) > max(res[f"ok_{i}.png"].score for i in range(3))
    amap = project.load_map(res["bad_0.png"])
    assert amap.shape == (64, 64) and amap.dtype == np.float32
    assert np.unravel_index(amap.argmax(), amap.shape)[0] in range(12, 44)  # the hot spot is on the square

    # thresholds change verdicts of stored results
    scores = sorted(r.score for r in res.values())
    project.set_thresholds(Thresholds(scores[2] + 1e-6, scores[4] + 1e-6))
    verdicts = [r.verdict for r in sorted(project.results(), key=lambda r: r.score)]
    assert verdicts == ["pass"] * 3 + ["uncertain"] * 2 + ["fail"]
    queue = project.review_queue()
    assert [r.score for r in queue] == sorted([r.score for r in queue], reverse=True) and len(queue) == 3

    # reviews are append-only and never touch the verdict
    bad = res["bad_0.png"].image.id
    project.review(bad, "good")
    project.review(bad, "defect")
    project.review(bad, None)
    project.review(bad, "defect")
    assert [h[0] for h in project.history(bad)] == ["good", "defect", "cleared", "defect"]
    assert project.result(bad).decision == "defect"
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        with project._db() as conn:
            conn.execute("UPDATE reviews SET decision = 'good'")
    ok = res["ok_0.png"].image.id
    project.review(ok, "good")
    csv_path = tmp_path / "reviews.csv"
    assert project.export_reviews_csv(csv_path) == 6
    rows = {r["file"].removeprefix("new/"): r for r in csv.DictReader(csv_path.open())}
    assert rows["bad_0.png"]["decision"] == "defect" and rows["bad_0.png"]["decisions_made"] == "4"
    assert rows["bad_0.png"]["pass_threshold"] == f"{project.thresholds.pass_:.6g}"
    assert rows["bad_0.png"]["model_generation"] == str(project.generation())
    assert rows["bad_0.png"]["decided_local"][:4] == rows["bad_0.png"]["decided_at"][:4]
    assert rows["ok_1.png"]["decision"] == ""

    # suggestions use the reviews: the confirmed defect's score is at or above the fail line
    sug = project.suggest()
    assert sug.thresholds.verdict(project.result(bad).score) == "fail"

    summary = summarize(project.folder)
    assert (summary.name, summary.n_good, summary.n_inspected, summary.n_reviewed, summary.trained) == (
        "Bottle", 12, 6, 2, True)
    assert summarize(tmp_path / "nothing") is None

    # reopen: same state
    before = [(r.image.name, r.score, r.verdict, r.decision) for r in project.results()]
    project.close()
    again = Project.open(project.folder)
    assert [(r.image.name, r.score, r.verdict, r.decision) for r in again.results()] == before
    assert again.thresholds == project.thresholds
    assert again.generation() == 1 and not again.model_is_stale()

    # confirmed-good parts go back into training; retraining re-scores everything with the new model
    added = again.add_confirmed_good_to_training()
    assert [a.name for a in added] == ["new/ok_0.png"] and again.model_is_stale()
    assert again.add_confirmed_good_to_training() == []
    rep2 = jobs.train(again)
    assert rep2.n_rescored == 6 and again.generation() == 2 and not again.model_is_stale()
    assert again.result(bad).decision == "defect"  # reviews survive retraining
    assert len(list((again.folder / "maps").glob("*.npy"))) == 6  # old generation's maps removed
    again.close()


def test_cancelled_training_keeps_the_old_model(project, good_dir):
    jobs.add_good_images(project, [good_dir])
    jobs.train(project)
    bank = project.model().memory_bank.clone()
    holdout_before = project.holdout_scores()
    token = CancelToken()

    def cancel_in_coreset(stage, done, total):
        if stage == "coreset":
            token.cancel()

    project.settings.model["coreset_ratio"] = 0.5
    with pytest.raises(Cancelled):
        jobs.train(project, progress=cancel_in_coreset, cancel=token)
    assert project.generation() == 1
    assert project.holdout_scores() == holdout_before
    assert torch_equal(project.model().memory_bank, bank)
    reloaded = Project.open(project.folder)
    assert torch_equal(reloaded.model().memory_bank, bank)
    reloaded.close()


def torch_equal(a, b) -> bool:
    return a.shape == b.shape and bool((a == b).all())


def test_inspect_without_model_says_what_to_do(project, good_dir):
    with pytest.raises(ProjectError, match="no trained model"):
        jobs.inspect(project, [good_dir])
    with pytest.raises(ProjectError, match="no good images"):
        jobs.train(project)


def test_registry_recent_first(tmp_path):
    reg = ProjectRegistry()
    a = Project.create(tmp_path / "a", "A")
    b = Project.create(tmp_path / "b", "B")
    reg.touch(a.folder, "A")
    reg.touch(b.folder, "B")
    assert [e.name for e in reg.entries()] == ["B", "A"]
    reg.touch(a.folder, "A")
    assert [e.name for e in reg.entries()] == ["A", "B"]
    reg.rename(b.folder, "B2")
    b.delete()
    entries = {e.name: e for e in reg.entries()}
    assert not entries["B2"].exists and entries["A"].exists
    reg.forget(b.folder)
    assert [e.name for e in reg.entries()] == ["A"]
    a.close()


def test_a_cancel_while_the_model_is_built_is_answered_before_the_build_ends(project, good_dir, monkeypatch):
    import threading

    from inspector.core.project import store

    jobs.add_good_images(project, [good_dir])
    release, finished = threading.Event(), threading.Event()
    real_build = store.model_kinds.build_model

    def slow_build(kind, config, progress=None):  # building a backbone checks no token (seconds for a large one)
        release.wait(30)
        progress("backbone", 0, 1)  # reported after the cancel: dropped, not passed on from the helper thread
        model = real_build(kind, config, progress)
        finished.set()
        return model

    monkeypatch.setattr(store.model_kinds, "build_model", slow_build)
    token, reported = CancelToken(), []
    threading.Timer(0.1, token.cancel).start()
    with pytest.raises(Cancelled):
        jobs.train(project, progress=lambda *report: reported.append(report), cancel=token)
    assert not finished.is_set() and not project.has_model()
    release.set()
    assert finished.wait(60) and reported == []


def test_a_cancelled_report_writes_nothing(project, good_dir, tmp_path, monkeypatch):
    from inspector.core.project import report

    jobs.add_good_images(project, [good_dir])
    jobs.train(project)
    parts = [write(tmp_path / "parts", f"p{i}.png", with_defect(50 + i)) for i in range(3)]
    jobs.inspect(project, parts)
    token, drawn = CancelToken(), []
    real = report._pictures

    def pictures(*args):
        drawn.append(1)
        token.cancel()  # set while the first part's pictures are made
        return real(*args)

    monkeypatch.setattr(report, "_pictures", pictures)
    with pytest.raises(Cancelled):
        report.write_report(project, tmp_path / "report.html", cancel=token)
    assert len(drawn) == 1 and not (tmp_path / "report.html").exists()
