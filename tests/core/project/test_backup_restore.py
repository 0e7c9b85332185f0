"""D10: a damaged project (project.db garbage or truncated, project.json with wrong types) can be restored from
the backup the store keeps, or opened read-only showing what can be read. Real files, really damaged."""

from __future__ import annotations

import json
import os

import pytest

from inspector.core.project import store
from inspector.core.project.store import (
    BACKUP_SUFFIX,
    CLEAN_FILE,
    DB_FILE,
    PROJECT_FILE,
    Project,
    ProjectError,
    ProjectFormatError,
    ProjectReadOnlyError,
)
from inspector.core.project.thresholds import Thresholds


def make(folder, n=300) -> Project:
    project = Project.create(folder, "Backed up")
    for i in range(n):
        digest = f"{i:064x}"
        image = project._insert_image(f"part_{i:04d}.png", "test", None, digest, None, "inspected",
                                      file=f"images/{digest}.png", size=(64, 64))
        project.record_result(image.id, float(i % 97) / 10, None)
    project.set_thresholds(Thresholds(3.0, 7.0))
    return project


def snapshot(folder):
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir() if p.name != ".inspector.lock"}


def damage_db(folder, how: str) -> None:
    db = folder / DB_FILE
    if how == "garbage":
        db.write_bytes(os.urandom(db.stat().st_size))
    else:  # truncated to 40 %
        with open(db, "r+b") as f:
            f.truncate(int(db.stat().st_size * 0.4))


def test_a_clean_close_keeps_a_backup_and_lets_the_next_open_skip_the_check(tmp_path):
    folder = tmp_path / "p"
    make(folder).close()
    assert (folder / (DB_FILE + BACKUP_SUFFIX)).is_file() and (folder / (PROJECT_FILE + BACKUP_SUFFIX)).is_file()
    assert (folder / CLEAN_FILE).is_file()
    project = Project.open(folder)
    assert not (folder / CLEAN_FILE).exists()  # while open: a crash now means the next open checks
    assert len(project.results()) == 300
    project.close()
    reopened = Project.open(folder, read_only=True)
    assert not reopened._needs_check()
    reopened.close()
    with open(folder / DB_FILE, "ab") as f:  # changed behind the editor's back (a line process, a copy...)
        f.write(b"\0" * 4096)
    reopened = Project.open(folder, read_only=True)
    assert reopened._needs_check()
    reopened.close()


def test_a_crash_leaves_no_clean_stamp(tmp_path):
    folder = tmp_path / "p"
    make(folder).close()
    project = Project.open(folder)
    project.review(1, "good")
    project._lock.release()  # as if killed: no close()
    again = Project.open(folder, read_only=True)
    assert again._needs_check()
    again.close()


def test_backups_are_written_at_most_once_per_interval(tmp_path, monkeypatch):
    folder = tmp_path / "p"
    make(folder).close()
    bak = folder / (DB_FILE + BACKUP_SUFFIX)
    first = bak.stat().st_mtime_ns
    monkeypatch.setattr(store, "BACKUP_INTERVAL_S", 3600)
    p = Project.open(folder)
    p.review(1, "good")
    p.close()
    assert bak.stat().st_mtime_ns == first
    monkeypatch.setattr(store, "BACKUP_INTERVAL_S", 0)
    p = Project.open(folder)
    p.close()
    assert bak.stat().st_mtime_ns != first
    with Project.open(folder) as restored_check:
        assert restored_check.result(1).decision == "good"


@pytest.mark.parametrize("how", ["garbage", "truncated"])
def test_a_damaged_database_is_named_and_restored_from_its_backup(tmp_path, how):
    folder = tmp_path / "p"
    project = make(folder)
    project.review(5, "defect")
    project.close()
    damage_db(folder, how)
    with pytest.raises(ProjectFormatError, match="project.db is damaged"):
        Project.open(folder)
    assert list(Project.damage(folder)) == [DB_FILE]
    done = Project.restore_backup(folder)
    assert len(done) == 1 and "project.db restored" in done[0]
    kept = [k for k in folder.glob(f"{DB_FILE}.damaged-*") if not k.name.endswith(("-wal", "-shm"))]
    assert len(kept) == 1 and kept[0].stat().st_size > 0  # the damaged file is kept (with its log, if any)
    assert not (folder / f"{DB_FILE}-wal").exists()  # the damaged file's log never meets the restored copy
    assert Project.damage(folder) == {}
    with Project.open(folder) as restored:
        assert len(restored.results()) == 300 and restored.result(5).decision == "defect"
        assert restored.thresholds == Thresholds(3.0, 7.0)


def test_damaged_settings_are_restored_and_the_database_is_left_alone(tmp_path):
    folder = tmp_path / "p"
    make(folder).close()
    with Project.open(folder) as p:
        p.review(7, "good")  # newer than the backup (the interval): must survive the restore
    data = json.loads((folder / PROJECT_FILE).read_text())
    data["thresholds"], data["settings"]["holdout_fraction"] = [1, 2], "abc"
    (folder / PROJECT_FILE).write_text(json.dumps(data))
    assert list(Project.damage(folder)) == [PROJECT_FILE]
    Project.restore_backup(folder)
    assert len(list(folder.glob(f"{PROJECT_FILE}.damaged-*"))) == 1
    with Project.open(folder) as p:
        assert p.thresholds == Thresholds(3.0, 7.0) and p.result(7).decision == "good"


def test_without_a_backup_restore_refuses_and_changes_nothing(tmp_path):
    folder = tmp_path / "p"
    make(folder).close()
    (folder / (DB_FILE + BACKUP_SUFFIX)).unlink()
    damage_db(folder, "garbage")
    before = snapshot(folder)
    with pytest.raises(ProjectError, match="no backup"):
        Project.restore_backup(folder)
    assert snapshot(folder) == before


def test_a_damaged_backup_is_not_restored(tmp_path):
    folder = tmp_path / "p"
    make(folder).close()
    damage_db(folder, "garbage")
    (folder / (DB_FILE + BACKUP_SUFFIX)).write_bytes(b"not a database" * 100)
    with pytest.raises(ProjectError, match="damaged too"):
        Project.restore_backup(folder)
    assert not list(folder.glob("*.damaged-*"))


def test_read_only_salvage_shows_what_can_be_read_and_writes_nothing(tmp_path):
    folder = tmp_path / "p"
    make(folder).close()
    data = json.loads((folder / PROJECT_FILE).read_text())
    data["thresholds"] = [1, 2]
    (folder / PROJECT_FILE).write_text(json.dumps(data))
    before = snapshot(folder)
    p = Project.open(folder, read_only=True, salvage=True)
    assert p.read_only and p.thresholds is None and p.name == "Backed up"  # the settings section was fine
    assert any("thresholds" in m for m in p.problems)
    assert len(p.result_columns().ids) == 300 and len(p.results()) == 300
    with pytest.raises(ProjectReadOnlyError):
        p.review(1, "good")
    p.close()
    assert snapshot(folder) == before


def test_read_only_salvage_of_a_garbage_database_opens_empty(tmp_path):
    folder = tmp_path / "p"
    make(folder).close()
    damage_db(folder, "garbage")
    before = snapshot(folder)
    p = Project.open(folder, read_only=True, salvage=True)
    assert p.results() == [] and p.images() == [] and any("project.db cannot be read" in m for m in p.problems)
    p.close()
    assert snapshot(folder) == before
