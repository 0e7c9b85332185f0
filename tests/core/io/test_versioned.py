"""One policy for every versioned JSON file: missing, damaged, too new, fine."""

from __future__ import annotations

import pytest

from inspector.core.io.versioned import DamagedFileError, TooNewFileError, read_versioned
from inspector.core.models.base import ModelFormatError, read_model_json
from inspector.core.project.store import Project, ProjectFormatError, ProjectTooNewError


@pytest.mark.parametrize("text", ["", "{not json", "[1, 2]", '{"version": "3"}', '{"version": true}', "{}"])
def test_damaged(tmp_path, text):
    (tmp_path / "f.json").write_text(text)
    with pytest.raises(DamagedFileError):
        read_versioned(tmp_path / "f.json", 2)


def test_missing_too_new_and_fine(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_versioned(tmp_path / "none.json", 1)
    (tmp_path / "f.json").write_text('{"version": 3, "x": 1}')
    with pytest.raises(TooNewFileError, match="newer Inspector"):
        read_versioned(tmp_path / "f.json", 2)
    assert read_versioned(tmp_path / "f.json", 3) == {"version": 3, "x": 1}


def test_the_project_and_model_files_use_it(tmp_path):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "project.json").write_text('{"format_version": 99}')
    with pytest.raises(ProjectTooNewError):
        Project.open(tmp_path / "p")
    (tmp_path / "p" / "project.json").write_text("[]")
    with pytest.raises(ProjectFormatError, match="damaged"):
        Project.open(tmp_path / "p")
    with pytest.raises(ProjectFormatError, match="not an Inspector project"):
        Project.open(tmp_path)
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "model.json").write_text('{"format_version": 99}')
    with pytest.raises(ModelFormatError, match="newer Inspector"):
        read_model_json(tmp_path / "m")
