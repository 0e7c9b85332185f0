"""A project from a stranger touches nothing outside it; two programs on one project never overwrite each other;
an interrupted run loses nothing it reported done. Tampering is done with sqlite3 and json, as an attacker would."""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from inspector.core.project import jobs
from inspector.core.project.recent import ProjectRegistry
from inspector.core.project.store import (
    Project,
    ProjectReadOnlyError,
    ProjectSettings,
    ProjectTooNewError,
    RefusedRow,
    summarize,
)
from inspector.core.project.thresholds import Thresholds

REPO = Path(__file__).parents[3]


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}


def part(seed: int, size: int = 64, bright: bool = False) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size]
    img = 110 + 50 * np.sin(x / 3.0) * np.cos(y / 5.0)
    img = np.clip(img[..., None] + rng.normal(0, 6, (size, size, 3)), 0, 255).astype(np.uint8)
    if bright:
        img[20:36, 24:40] = 255
    return img


def write_parts(folder: Path, n: int, start: int = 0, bright: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + n):
        cv2.imwrite(str(folder / f"p{i:03d}.png"), part(i, bright=bright))
    return folder


@pytest.fixture
def project(tmp_path):
    p = Project.create(tmp_path / "proj", "Safety")
    yield p
    p.close()


def _sql(project: Project, sql: str, *args) -> None:
    with sqlite3.connect(project.folder / "project.db") as conn:
        conn.execute(sql, args)


# ------------------------------------------------------------------------------------------------ D1
def test_result_map_outside_the_project_is_never_deleted(project, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    project.add_images([write_parts(tmp_path / "in", 1)], "inspected")
    image_id = project.images(("inspected",))[0].id
    _sql(project, "INSERT INTO results (image_id, score, verdict, map_file, generation, scored_at) "
                  "VALUES (?, 1.0, NULL, ?, 0, 'now')", image_id, str(victim))
    assert project.results() == [] and "not a file of this project" in project.problems[0]
    project.record_result(image_id, 2.0, None)  # re-inspecting replaces the old map
    assert victim.read_text() == "precious"
    _sql(project, "UPDATE results SET map_file = ? WHERE image_id = ?", "maps/../../victim.txt", image_id)

    class FakeModel:
        kind = "patchcore"

        def save(self, folder):
            Path(folder).mkdir(parents=True)
            (Path(folder) / "model.json").write_text('{"format_version": 1, "model": "patchcore"}')

    project.commit_training(FakeModel(), [], [], [(image_id, 3.0, None)], {})  # Train replaces every map
    assert victim.read_text() == "precious"


def test_image_file_outside_the_project_is_refused_and_never_deleted(project, tmp_path):
    victim = tmp_path / "victim.png"
    cv2.imwrite(str(victim), part(0))
    before = victim.read_bytes()
    project.add_images([write_parts(tmp_path / "good", 2)])
    first, second = project.images()
    _sql(project, "UPDATE images SET file = ? WHERE id = ?", str(victim), first.id)
    _sql(project, "UPDATE images SET file = ? WHERE id = ?", f"images/../../{victim.name}", second.id)
    assert project.images() == []
    assert len(project.problems) == 2 and all("is not a file of this project" in p for p in project.problems)
    with pytest.raises(RefusedRow):
        project.image(first.id)
    with pytest.raises(RefusedRow):
        project.path_of(dataclasses.replace(first, file=str(victim)))
    project.remove_images([first.id, second.id])  # "Remove selected"
    assert victim.read_bytes() == before


def test_image_hash_that_is_a_path_creates_and_deletes_nothing_outside(project, tmp_path):
    project.add_images([write_parts(tmp_path / "good", 1)])
    (img,) = project.images()
    outside = tmp_path / "outside"
    (tmp_path / "outside.png").write_text("keep me")
    _sql(project, "UPDATE images SET hash = ? WHERE id = ?", str(outside), img.id)
    assert project.images() == []
    forged = dataclasses.replace(img, hash=str(outside))
    with pytest.raises(RefusedRow):
        project.thumbnail(forged)
    project.remove_images([img.id])
    assert (tmp_path / "outside.png").read_text() == "keep me"
    assert not any(p.name.endswith(".png.png") for p in tmp_path.iterdir())


def test_image_names_with_odd_suffixes_are_stored_under_safe_names(project, tmp_path):
    src = tmp_path / "odd.p ng"
    cv2.imwrite(str(tmp_path / "x.png"), part(1))
    src.write_bytes((tmp_path / "x.png").read_bytes())
    report = project.add_images([src])
    assert report.added and report.added[0].file.endswith(".img")
    assert project.images() == report.added


# ------------------------------------------------------------------------------------------------ D3
_HOLDER = textwrap.dedent("""
    import sys
    from inspector.core.project.store import Project
    p = Project.open(sys.argv[1])
    print("read_only" if p.read_only else "writer", flush=True)
    sys.stdin.readline()
    if len(sys.argv) > 2:
        from inspector.core.project.thresholds import Thresholds
        p.set_thresholds(Thresholds(1.0, 2.0))
        print("set", flush=True)
        sys.stdin.readline()
    p.save_layout(1, b"layout")
    p.close()
""")


def test_a_second_process_opens_the_project_read_only_and_cannot_overwrite(project, tmp_path):
    project.add_images([write_parts(tmp_path / "good", 2)])
    folder = project.folder
    project.close()
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(folder), "set"], env=_env(), text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert holder.stdout.readline().strip() == "writer"
    other = Project.open(folder)
    assert other.read_only and "open for changes" in other.read_only_reason and "process" in other.read_only_reason
    with pytest.raises(ProjectReadOnlyError, match="read-only"):
        other.set_thresholds(Thresholds(5.0, 6.0))
    with pytest.raises(ProjectReadOnlyError):
        other.add_images([write_parts(tmp_path / "more", 2, start=10)])
    with pytest.raises(ProjectReadOnlyError):
        other.remove_images([other.images()[0].id])
    assert len(other.images()) == 2  # reading works
    holder.stdin.write("\n")
    holder.stdin.flush()
    assert holder.stdout.readline().strip() == "set"
    other.save_layout(1, b"mine")  # closing the read-only window must not revert the writer's thresholds
    holder.stdin.write("\n")
    holder.stdin.flush()
    assert holder.wait(timeout=60) == 0
    other.close()
    with Project.open(folder) as again:
        assert not again.read_only
        assert again.thresholds == Thresholds(1.0, 2.0)


def test_the_writer_lock_is_released_when_its_process_is_killed(project, tmp_path):
    folder = project.folder
    project.close()
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(folder)], env=_env(), text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert holder.stdout.readline().strip() == "writer"
    assert Project.open(folder).read_only
    holder.kill()
    holder.wait(timeout=60)
    with Project.open(folder) as again:
        assert not again.read_only


def test_adding_the_same_folder_from_two_threads_never_raises(project, tmp_path):
    folder = write_parts(tmp_path / "good", 12)
    errors: list[BaseException] = []
    reports = []

    def add():
        try:
            reports.append(project.add_images([folder]))
        except BaseException as exc:  # noqa: BLE001 - the test reports whatever escapes
            errors.append(exc)
        finally:
            project.release_thread_connection()

    threads = [threading.Thread(target=add) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(project.images()) == 12
    assert sum(len(r.added) for r in reports) == 12


# ---------------------------------------------------------------------------------- schema version
def test_a_database_from_a_newer_inspector_is_refused(project):
    folder = project.folder
    project.close()
    with sqlite3.connect(folder / "project.db") as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(ProjectTooNewError, match="newer"):
        Project.open(folder)


def test_the_database_records_its_schema_version(project):
    with sqlite3.connect(project.folder / "project.db") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1


def test_a_garbage_database_is_a_clear_error(project):
    folder = project.folder
    project.close()
    (folder / "project.db").write_bytes(b"this is not sqlite" * 100)
    for f in folder.glob("project.db-*"):
        f.unlink()
    from inspector.core.project.store import ProjectFormatError

    with pytest.raises(ProjectFormatError, match="damaged"):
        Project.open(folder)


# ---------------------------------------------------------------------------------------- project list
def test_a_newer_project_list_is_read_and_never_erased(tmp_path):
    file = tmp_path / "projects.json"
    newer = {"version": 2, "projects": [{"path": "/p/a", "name": "A", "last_opened": 5, "colour": "red"}],
             "pinned": ["/p/a"]}
    file.write_text(json.dumps(newer))
    registry = ProjectRegistry(file)
    assert [e.name for e in registry.entries()] == ["A"]
    registry.touch(tmp_path / "b", "B")
    registry.forget(Path("/p/a"))
    assert json.loads(file.read_text()) == newer


def test_a_damaged_project_list_is_kept_aside(tmp_path):
    file = tmp_path / "projects.json"
    file.write_text("{ damaged")
    registry = ProjectRegistry(file)
    registry.touch(tmp_path / "b", "B")
    assert [e.name for e in registry.entries()] == ["B"]
    assert (tmp_path / "projects.json.damaged").read_text() == "{ damaged"


# ------------------------------------------------------------------------------------------------ D15
@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_project_files_follow_the_umask(project, tmp_path):
    old = os.umask(0o022)
    try:
        project.add_images([write_parts(tmp_path / "good", 1)])
        project.rename("Shared")
    finally:
        os.umask(old)
    for f in [project.folder / "project.json", *project.folder.glob("images/*"), *project.folder.glob("thumbs/*")]:
        assert stat.S_IMODE(f.stat().st_mode) & 0o044 == 0o044, f


# --------------------------------------------------------------------------------------------- D6, D7
SMALL = {"backbone": "resnet18", "layers": ["layer2", "layer3"], "resize": 64, "crop": 64,
         "coreset_ratio": 0.25, "batch_size": 4, "device": "cpu"}


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    from synthetic_defects import shared_random_weights

    return str(shared_random_weights(tmp_path_factory))


def _trainable(tmp_path: Path, weights: str) -> Project:
    p = Project.create(tmp_path / "proj", "Killed", ProjectSettings(model={**SMALL, "weights": weights}))
    p.add_images([write_parts(tmp_path / "good", 8)])
    return p


def check_consistent(folder: Path, rescore: bool = True) -> None:
    """What must hold after any interruption: the database is sound, every stored score is the current model's,
    every map a result names exists and no other does, nothing temporary or staged is left."""
    with Project.open(folder) as p:
        assert not p.read_only
        conn = sqlite3.connect(folder / "project.db")
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        gens = {g for (g,) in conn.execute("SELECT DISTINCT generation FROM results")}
        conn.close()
        assert gens <= {p.generation()}
        assert not list(folder.rglob("*.tmp"))
        assert not [d for d in folder.iterdir() if d.name.startswith("model.")]
        named = {r.map_file for r in p.results(("inspected", "holdout")) if r.map_file}
        assert {f"maps/{f.name}" for f in folder.glob("maps/*.npy")} == named
        if p.has_model():
            meta = json.loads((p.model_dir / "model.json").read_text())
            assert meta.get("project_generation", p.generation()) == p.generation()
        results = p.results()
        if rescore and results and p.has_model():
            model = p.model()
            stored = {r.image.id: r.score for r in results}
            by_path = {p.path_of(r.image): r.image.id for r in results}
            for pred in model.predict(list(by_path)):
                assert pred.score == pytest.approx(stored[by_path[pred.path]], rel=1e-4, abs=1e-5)
            holdout = p.results(("holdout",))
            by_path = {p.path_of(r.image): r.score for r in holdout}
            for pred in model.predict(list(by_path)):
                assert pred.score == pytest.approx(by_path[pred.path], rel=1e-4, abs=1e-5)


def test_a_crash_between_saving_the_model_and_committing_keeps_the_old_pair(tmp_path, weights, monkeypatch):
    project = _trainable(tmp_path, weights)
    jobs.train(project)
    jobs.inspect(project, [write_parts(tmp_path / "parts", 3, bright=True)])
    before = {r.image.id: r.score for r in project.results()}
    project.add_images([write_parts(tmp_path / "more", 4, start=50)])  # the next model differs

    real_db = Project._db

    def crash_at_commit(self):
        conn = real_db(self)
        if any(d.name.startswith("model.g") for d in self.folder.iterdir()):
            raise KeyboardInterrupt("killed after the model was saved, before the database commit")
        return conn

    monkeypatch.setattr(Project, "_db", crash_at_commit)
    with pytest.raises(KeyboardInterrupt):
        jobs.train(project)
    monkeypatch.undo()
    folder = project.folder
    project.close()
    check_consistent(folder)
    with Project.open(folder) as p:
        assert p.generation() == 1 and {r.image.id: r.score for r in p.results()} == before


def test_a_crash_after_the_commit_installs_the_new_model_on_opening(tmp_path, weights, monkeypatch):
    project = _trainable(tmp_path, weights)
    jobs.train(project)
    jobs.inspect(project, [write_parts(tmp_path / "parts", 3, bright=True)])
    project.add_images([write_parts(tmp_path / "more", 4, start=50)])

    def crash(self, generation):
        raise KeyboardInterrupt("killed after the database commit, before the model folder was swapped")

    monkeypatch.setattr(Project, "_install_staged_model", crash)
    with pytest.raises(KeyboardInterrupt):
        jobs.train(project)
    monkeypatch.undo()
    folder = project.folder
    project.close()
    reader = Project.open(folder, read_only=True)  # a reader sees the committed model before any writer fixes it
    assert reader.model_dir.name == "model.g2"
    reader.close()
    check_consistent(folder)
    with Project.open(folder) as p:
        assert p.generation() == 2


def test_an_interrupted_inspection_is_counted_and_resumed(tmp_path, weights):
    project = _trainable(tmp_path, weights)
    jobs.train(project)
    from inspector.core.runtime.progress import Cancelled, CancelToken

    token = CancelToken()

    def cancel_after_import(stage, done, total):
        if stage == "inspect" and done >= 1:
            token.cancel()

    with pytest.raises(Cancelled):
        jobs.inspect(project, [write_parts(tmp_path / "parts", 9, bright=True)], cancel_after_import, token)
    scored = len(project.results())
    assert scored < 9 and len(project.unscored()) == 9 - scored
    summary = summarize(project.folder)
    assert summary.n_inspected == scored and summary.n_unscored == 9 - scored
    assert "not scored yet" in summary.describe()
    report = jobs.inspect(project, [])
    assert report.n_scored == 9 - scored and project.unscored() == [] and len(project.results()) == 9


_WORKER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from inspector.core.project import jobs
    from inspector.core.project.store import Project
    folder, parts = Path(sys.argv[1]), Path(sys.argv[2])
    p = Project.open(folder)
    print("open", flush=True)
    for round in range(100):
        jobs.inspect(p, [parts / f"batch{round % 3}"])
        p.add_images([parts / f"good{round % 2}"])
        jobs.train(p)
""")


def test_kill_9_at_random_points_never_leaves_an_inconsistent_project(tmp_path, weights):
    project = _trainable(tmp_path, weights)
    jobs.train(project)
    folder = project.folder
    project.close()
    parts = tmp_path / "parts"
    for b in range(3):
        write_parts(parts / f"batch{b}", 6, start=100 + 10 * b, bright=b == 1)
    for g in range(2):
        write_parts(parts / f"good{g}", 2, start=200 + 10 * g)
    rng = np.random.default_rng(0)
    for delay in rng.uniform(0.5, 6.0, size=4):
        worker = subprocess.Popen([sys.executable, "-c", _WORKER, str(folder), str(parts)], env=_env(),
                                  stdout=subprocess.PIPE, text=True)
        assert worker.stdout.readline().strip() == "open"
        try:
            worker.wait(timeout=float(delay))
        except subprocess.TimeoutExpired:
            worker.kill()  # SIGKILL: no clean-up runs
        worker.wait(timeout=60)
        check_consistent(folder, rescore=False)
    check_consistent(folder, rescore=True)
    with Project.open(folder) as p:
        jobs.inspect(p, [])
        assert p.unscored() == []


# ------------------------------------------------------------------------------------------------ D8
def _fill(project: Project, n: int, seed: int = 0) -> None:
    """``n`` scored inspected parts and some reviews, written by SQL as a large project would hold them."""
    rng = np.random.default_rng(seed)
    with sqlite3.connect(project.folder / "project.db") as conn:
        for i in range(n):
            h = f"{i:064x}"
            cur = conn.execute("INSERT INTO images (hash, name, source, file, role, width, height, added_at) "
                               "VALUES (?, ?, '', ?, ?, 64, 64, 'now')",
                               (h, f"p{i}.png", f"images/{h}.png", "train" if i % 10 == 0 else "inspected"))
            if i % 10 == 0:
                continue
            conn.execute("INSERT INTO results VALUES (?, ?, NULL, NULL, 0, 'now')", (cur.lastrowid, float(rng.random())))
            if i % 3 == 0:
                conn.execute("INSERT INTO reviews (image_id, decision, decided_at) VALUES (?, ?, 'now')",
                             (cur.lastrowid, ("good", "defect", "cleared")[i % 4 % 3]))
    project.set_thresholds(Thresholds(0.3, 0.7))


def test_fast_queries_agree_with_the_full_lists(project):
    _fill(project, 400)
    results = project.results()
    assert project.result_ids() == [r.image.id for r in results]
    for include in (False, True):
        assert project.review_queue_ids(include) == [r.image.id for r in project.review_queue(include)]
    some = [r.image.id for r in results[::7]][::-1]
    assert project.results_for(some) == [project.result(i) for i in some]
    assert [r.image.id for r in project.results_for(some)] == some
    assert project.results_for([r.image.id for r in results]) == results
    counts = project.counts()
    assert counts["inspected"] == len(results) and counts["good"] == 40 and counts["unscored"] == 0
    for v in ("pass", "uncertain", "fail"):
        assert counts[v] == sum(r.verdict == v for r in results)
    assert counts["to_review"] == len(project.review_queue())
    assert counts["reviewed"] == sum(r.decision is not None for r in results)
    assert counts["confirmed_good"] == len(project.confirmed_good_outside_training())
    assert sorted(project.scores()) == sorted(r.score for r in results)
    good, bad = project.reviewed_scores()
    assert good == [r.score for r in results if r.decision == "good"]
    assert bad == [r.score for r in results if r.decision == "defect"]


def test_one_result_is_found_by_index_not_by_scanning_every_review(project):
    from inspector.core.project import store

    plan = " ".join(str(tuple(r)) for r in project._db().execute(f"EXPLAIN QUERY PLAN {store._ONE_RESULT} WHERE i.id = 1"))
    assert "SCAN" not in plan.replace("SCAN CONSTANT ROW", ""), plan


# ----------------------------------------------------------------------------------------------- D10
@pytest.mark.parametrize("change, damaged", [
    ({"thresholds": [1, 2]}, "invalid settings"),
    ({"thresholds": {"pass": "abc", "fail": 2}}, "invalid settings"),
    ({"settings": {"holdout_fraction": "abc"}}, "holdout_fraction"),
    ({"settings": {"holdout_seed": 1.5}}, "holdout_seed"),
    ({"settings": {"model": [1]}}, "model"),
    ({"settings": "x"}, "invalid settings"),
])
def test_damaged_project_json_says_what_is_damaged(project, change, damaged):
    from inspector.core.project.store import ProjectFormatError

    folder = project.folder
    project.close()
    data = json.loads((folder / "project.json").read_text())
    for k, v in change.items():
        data[k] = {**data[k], **v} if isinstance(v, dict) and isinstance(data.get(k), dict) and k == "settings" else v
    (folder / "project.json").write_text(json.dumps(data))
    with pytest.raises(ProjectFormatError, match=damaged):
        Project.open(folder)


def test_a_truncated_database_is_a_clear_error(project, tmp_path):
    from inspector.core.project.store import ProjectFormatError

    _fill(project, 3000)
    folder = project.folder
    project.close()
    with sqlite3.connect(folder / "project.db") as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = (folder / "project.db").read_bytes()
    (folder / "project.db").write_bytes(data[: len(data) // 2])
    with pytest.raises(ProjectFormatError, match="damaged"):
        Project.open(folder)


def test_removing_inspected_parts_never_deletes_outside_files(project, tmp_path):
    victim = tmp_path / "victim.png"
    victim.write_bytes(b"precious")
    project.add_images([write_parts(tmp_path / "in", 2)], "inspected")
    first, second = project.images(("inspected",))
    project.record_result(first.id, 1.0, None)
    project.review(first.id, "good")
    _sql(project, "UPDATE images SET file = ? WHERE id = ?", str(victim), first.id)
    _sql(project, "UPDATE results SET map_file = ? WHERE image_id = ?", str(victim), first.id)
    assert project.remove_inspected([first.id, second.id]) == 2  # prune: the rows go, the outside file stays
    assert victim.read_bytes() == b"precious"
    assert project.images(("inspected",)) == [] and project.counts()["reviewed"] == 0
