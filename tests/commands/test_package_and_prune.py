"""``inspector project export/import`` (a one-file package, safe from strangers) and removing inspected parts."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import zipfile

import pytest
from line_project import SMALL, part_images
from synthetic_defects import make_images, shared_random_weights

from inspector.cli import main
from inspector.core.project.line import LineInspector
from inspector.core.project.store import Project


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A trained project whose weights file is then deleted: only a package with weights can carry it."""
    root = tmp_path_factory.mktemp("pkg")
    weights = root / "my_resnet18.safetensors"
    shutil.copyfile(shared_random_weights(tmp_path_factory), weights)
    make_images(root / "good", 12, 0, seed=0)
    project = root / "project"
    assert main(["project", "create", str(project), "--weights", str(weights), *SMALL]) == 0
    assert main(["project", "add", str(project), str(root / "good"), "--quiet"]) == 0
    assert main(["project", "train", str(project), "--quiet"]) == 0
    assert main(["project", "thresholds", str(project), "--pass", "0.5", "--fail", "2.5"]) == 0
    package = root / "part.inspector"
    assert main(["project", "export", str(project), "--out", str(package), "--with-weights"]) == 0
    weights.unlink()
    return project, package


def test_export_import_carries_everything(source, tmp_path, capsys):
    project, package = source
    with zipfile.ZipFile(package) as z:
        names = set(z.namelist())
    assert {"manifest.json", "project.json", "model/model.json", "weights/my_resnet18.safetensors"} <= names
    target = tmp_path / "line_pc" / "bottle"
    assert main(["project", "import", str(package), str(target)]) == 0
    assert "warning" not in capsys.readouterr().err
    assert main(["project", "status", str(target), "--json"]) == 0
    st = json.loads(capsys.readouterr().out)
    assert st["model"]["trained"] and not st["model"]["stale"] and st["model"]["n_train"] == 10
    assert st["thresholds"] == {"pass": 0.5, "fail": 2.5} and st["images"]["inspected"] == 0
    (part,) = part_images(tmp_path / "parts", 1)
    imported = LineInspector(target).score_file(part)
    with Project.open(project) as p:
        p_model = p.model
    assert imported.verdict in ("pass", "uncertain", "fail") and imported.model_id
    assert p_model is not None  # the source still opens (its weights file is gone, so it cannot score)
    with Project.open(target) as p:
        assert len(p.results()) == 1


def _tamper(package, tmp_path, edit) -> str:
    """A copy of ``package`` rewritten by ``edit(members: dict[name, bytes]) -> members``."""
    with zipfile.ZipFile(package) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members = edit(members)
    out = tmp_path / "bad.inspector"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in members.items():
            if isinstance(data, zipfile.ZipInfo):
                z.writestr(data, b"/etc/passwd")
            else:
                z.writestr(n, data)
    return str(out)


def _relist(members):
    manifest = json.loads(members["manifest.json"])
    manifest["files"] = {n: {"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
                         for n, d in members.items() if n != "manifest.json" and isinstance(d, bytes)}
    members["manifest.json"] = json.dumps(manifest).encode()
    return members


def _symlink(members):
    info = zipfile.ZipInfo("model/link")
    info.external_attr = 0o120777 << 16
    members["model/link"] = info
    return members


def _tensors_outside(members):
    meta = json.loads(members["model/model.json"])
    meta["tensors_file"] = "../../../etc/passwd"
    members["model/model.json"] = json.dumps(meta).encode()
    return _relist(members)


def _flip_tensor(members):
    name = next(n for n in members if n.endswith(".safetensors") and n.startswith("model/"))
    data = bytearray(members[name])
    data[-1] ^= 0xFF
    members[name] = bytes(data)
    return members


@pytest.mark.parametrize("edit, reason", [
    (lambda m: {**m, "../evil.txt": b"x"}, "unsafe member"),
    (lambda m: {**m, "/tmp/evil.txt": b"x"}, "unsafe member"),
    (lambda m: {**m, "model/../../evil": b"x"}, "unsafe member"),
    (_symlink, "not a plain file"),
    (_flip_tensor, "checksum"),
    (lambda m: {**m, "model/extra.bin": b"x"}, "does not list exactly"),
    (lambda m: {k: v for k, v in m.items() if k != "training.json"}, "does not list exactly"),
    (lambda m: _relist({**m, "weights/bomb.bin": bytes(300 << 20)}), "refused"),
    (_tensors_outside, "tensor file"),
    (lambda m: {**m, "manifest.json": b"{not json"}, "damaged"),
])
def test_a_tampered_package_is_refused_and_writes_nothing(source, tmp_path, capsys, edit, reason):
    _, package = source
    bad = _tamper(package, tmp_path, edit)
    target = tmp_path / "new"
    assert main(["project", "import", bad, str(target)]) == 2
    assert reason in capsys.readouterr().err
    assert not target.exists() and not (tmp_path / "evil.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.inspector", "home"]  # home: the test profile


def test_not_a_package(tmp_path, capsys):
    (tmp_path / "x.inspector").write_text("hello")
    assert main(["project", "import", str(tmp_path / "x.inspector"), str(tmp_path / "p")]) == 2
    assert "not a zip" in capsys.readouterr().err


def _inspected(project, n, tmp_path):
    parts = part_images(tmp_path / "parts", n)
    assert main(["project", "inspect", str(project), *map(str, parts), "--quiet"]) == 0
    with Project.open(project) as p:
        return p.results()


def test_prune_by_ids_age_and_count_removes_files_and_reviews(tmp_path, tmp_path_factory, capsys):
    weights = shared_random_weights(tmp_path_factory)
    make_images(tmp_path / "good", 8, 0, seed=0)
    project = tmp_path / "p"
    assert main(["project", "create", str(project), "--weights", str(weights), *SMALL]) == 0
    assert main(["project", "add", str(project), str(tmp_path / "good"), "--quiet"]) == 0
    assert main(["project", "train", str(project), "--quiet"]) == 0
    results = _inspected(project, 10, tmp_path)
    first = results[0]
    with Project.open(project) as p:
        p.review(first.image.id, "defect")
    files = [project / first.image.file, project / first.map_file, project / "thumbs" / f"{first.image.hash}.png"]
    assert all(f.is_file() for f in files)
    assert main(["project", "prune", str(project), "--ids", str(first.image.id)]) == 0
    assert not any(f.exists() for f in files)
    assert len(list((project / "images").iterdir())) == 8 + 9  # good images stay

    conn = sqlite3.connect(project / "project.db")
    with conn:
        conn.execute("UPDATE images SET added_at = '2000-01-01T00:00:00+00:00' WHERE id IN (?, ?)",
                     (results[1].image.id, results[2].image.id))
    conn.close()
    assert main(["project", "prune", str(project), "--older-than", "30"]) == 0
    assert "removed 2 inspected part(s); 7 left" in capsys.readouterr().out
    assert main(["project", "prune", str(project), "--keep-last", "4"]) == 0
    with Project.open(project) as p:
        assert [r.image.id for r in p.results()] == [r.image.id for r in results[-4:]]
        assert p.count(("train", "holdout")) == 8

    assert main(["project", "retention", str(project), "--parts", "2"]) == 0
    assert "keep the newest 2 part(s)" in capsys.readouterr().out
    line = LineInspector(project)  # the line applies the setting as it starts (and every 50 parts)
    line.close()
    with Project.open(project) as p:
        assert [r.image.id for r in p.results()] == [r.image.id for r in results[-2:]]
    assert main(["project", "retention", str(project), "--off"]) == 0
    assert "keep every inspected part" in capsys.readouterr().out
