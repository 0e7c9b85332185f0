"""The editor (app or CLI) and a line process (watch / serve) on one project at once: the line records, the
editor changes the lines and retrains, and neither loses what the other did."""

from __future__ import annotations

import pytest
from synthetic_defects import texture, with_defect, write_png

from inspector.core.project import jobs
from inspector.core.project.store import Project, ProjectReadOnlyError, ProjectSettings
from inspector.core.project.thresholds import Thresholds

SMALL = {"backbone": "resnet18", "layers": ["layer2", "layer3"], "resize": 64, "crop": 64,
         "coreset_ratio": 0.25, "batch_size": 8, "device": "cpu"}


@pytest.fixture
def trained(tmp_path, random_weights):
    for i in range(10):
        write_png(tmp_path / "good" / f"g{i}.png", texture(i))
    editor = Project.create(tmp_path / "p", "P", ProjectSettings(model={**SMALL, "weights": random_weights}))
    jobs.add_good_images(editor, [tmp_path / "good"])
    jobs.train(editor)
    yield editor
    editor.close()


def test_the_line_records_beside_the_editor_and_picks_up_its_changes(trained, tmp_path):
    line = Project.open(trained.folder, line=True)
    try:
        assert not line.read_only
        with pytest.raises(ProjectReadOnlyError, match="records inspections only"):
            line.set_thresholds(Thresholds(0.0, 1.0))
        write_png(tmp_path / "parts" / "a.png", with_defect(1))
        report = jobs.inspect(line, [tmp_path / "parts" / "a.png"])  # the line adds and scores a part
        assert report.n_scored == 1
        assert [r.image.name for r in trained.results()] == ["a.png"]  # the editor sees it

        trained.set_thresholds(Thresholds(0.0, 0.5))
        line.reload()
        assert line.thresholds == Thresholds(0.0, 0.5)

        # retraining in the editor replaces the scores it re-computed, not a part the line recorded meanwhile
        ids_before = {r.image.id for r in trained.results()}
        write_png(tmp_path / "parts" / "b.png", texture(50))
        original_commit = trained.commit_training

        def commit_after_the_line_recorded(*args, **kwargs):
            jobs.inspect(line, [tmp_path / "parts" / "b.png"])  # arrives while the new model is trained
            return original_commit(*args, **kwargs)

        trained.commit_training = commit_after_the_line_recorded
        jobs.train(trained)
        names = sorted(r.image.name for r in trained.results())
        assert names == ["a.png", "b.png"] and ids_before < {r.image.id for r in trained.results()}
        b = next(r for r in trained.results() if r.image.name == "b.png")
        assert trained.load_map(b) is not None  # its map was not swept as an old model's
    finally:
        line.close()


def test_a_second_editor_is_read_only_but_lines_are_not(trained):
    other = Project.open(trained.folder)
    try:
        assert other.read_only and "open for changes" in other.read_only_reason
    finally:
        other.close()
    lines = [Project.open(trained.folder, line=True) for _ in range(2)]
    try:
        assert not any(p.read_only for p in lines)
    finally:
        for p in lines:
            p.close()
