"""The model folder under attack and under concurrency: paths that lead out of it, damaged tensors and configs,
two processes saving into it at once while a third reads it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file
from synthetic_defects import make_images, shared_random_weights

from inspector.core.models.base import (
    MODEL_FILE,
    ModelFormatError,
    load_model_tensors,
    read_model_json,
    save_model_folder,
)
from inspector.core.models.patchcore import PatchCore, PatchCoreConfig


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A small trained PatchCore saved once; tests copy its files into their own folder."""
    weights = str(shared_random_weights(tmp_path_factory))
    folder = tmp_path_factory.mktemp("parts")
    goods, _, _ = make_images(folder / "train", 6, 0, seed=1)
    model = PatchCore(PatchCoreConfig(backbone="resnet18", layers=["layer2", "layer3"], weights=weights,
                                      resize=64, crop=64, coreset_ratio=0.25, batch_size=8, device="cpu"))
    model.fit(goods)
    out = tmp_path_factory.mktemp("model") / "m"
    model.save(out)
    return out


def _copy(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True)
    for f in src.iterdir():
        (dst / f.name).write_bytes(f.read_bytes())
    return dst


def _edit(folder: Path, **changes) -> None:
    meta = json.loads((folder / MODEL_FILE).read_text())
    for k, v in changes.items():
        if isinstance(v, dict) and isinstance(meta.get(k), dict):
            meta[k].update(v)
        else:
            meta[k] = v
    (folder / MODEL_FILE).write_text(json.dumps(meta))


def test_tensors_file_outside_the_folder_is_refused(saved, tmp_path):
    other = _copy(saved, tmp_path / "other")
    mine = _copy(saved, tmp_path / "mine")
    theirs = read_model_json(other)["tensors_file"]
    for name in (str(other / theirs), f"../other/{theirs}", "..", "", None, 7):
        _edit(mine, tensors_file=name)
        with pytest.raises(ModelFormatError, match="refusing|not a file"):
            load_model_tensors(mine, read_model_json(mine))
    if sys.platform != "win32":  # a link inside the folder that points out of it
        (mine / "tensors-abcdef123456.safetensors").symlink_to(other / theirs)
        _edit(mine, tensors_file="tensors-abcdef123456.safetensors")
        with pytest.raises(ModelFormatError, match="outside"):
            load_model_tensors(mine, read_model_json(mine))


@pytest.mark.parametrize("bank, why", [
    (torch.zeros(0, 1024), "non-empty"),
    (torch.ones(1024), "2-D"),
    (torch.ones(10, 7), "wide"),
    (torch.full((10, 1024), float("nan")), "non-finite"),
])
def test_damaged_memory_bank_is_refused(saved, tmp_path, bank, why):
    folder = _copy(saved, tmp_path / "m")
    save_file({"memory_bank": bank}, str(folder / read_model_json(folder)["tensors_file"]))
    with pytest.raises(ModelFormatError, match=why):
        PatchCore.load(folder)


@pytest.mark.parametrize("config, why", [
    ({"batch_size": -3}, "positive"),
    ({"batch_size": "8"}, "int"),
    ({"crop": 0}, "positive"),
    ({"layers": "layer2"}, "list"),
    ({"coreset_ratio": "a lot"}, "float"),
])
def test_config_of_wrong_types_is_refused(saved, tmp_path, config, why):
    folder = _copy(saved, tmp_path / "m")
    _edit(folder, config=config)
    with pytest.raises(ModelFormatError, match=why):
        PatchCore.load(folder)


def test_config_that_is_not_a_dict_is_refused(saved, tmp_path):
    folder = _copy(saved, tmp_path / "m")
    _edit(folder, config=[1, 2])
    with pytest.raises(ModelFormatError):
        PatchCore.load(folder)


_SAVER = textwrap.dedent("""
    import sys, torch
    from inspector.core.models.base import save_model_folder
    folder, tag, rounds = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    for i in range(rounds):
        save_model_folder(folder, {"model": "test", "round": i, "tag": tag}, {"bank": torch.full((64, 64), tag)})
""")

_READER = textwrap.dedent("""
    import sys, time
    from inspector.core.models.base import model_folder_lock, read_model_json, load_model_tensors, ModelFormatError
    folder, seconds = sys.argv[1], float(sys.argv[2])
    end, reads, bad = time.monotonic() + seconds, 0, 0
    while time.monotonic() < end:
        with model_folder_lock(folder, shared=True):
            meta = read_model_json(folder)
            try:
                t = load_model_tensors(folder, meta)["bank"]
                assert float(t[0, 0]) == meta["tag"]
            except ModelFormatError:
                bad += 1
        reads += 1
    print(reads, bad)
""")


def test_two_processes_saving_into_one_folder_leave_a_complete_model(tmp_path):
    folder = tmp_path / "m"
    save_model_folder(folder, {"model": "test", "tag": 0.0}, {"bank": torch.zeros(64, 64)})
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[3]), os.environ.get("PYTHONPATH", "")])}
    savers = [subprocess.Popen([sys.executable, "-c", _SAVER, str(folder), str(tag), "40"], env=env)
              for tag in (1.0, 2.0)]
    reader = subprocess.Popen([sys.executable, "-c", _READER, str(folder), "6"], env=env, stdout=subprocess.PIPE,
                              text=True)
    for p in savers:
        assert p.wait(timeout=300) == 0
    out, _ = reader.communicate(timeout=300)
    reads, bad = map(int, out.split())
    assert reads > 0 and bad == 0
    meta = read_model_json(folder)
    assert float(load_model_tensors(folder, meta)["bank"][0, 0]) == meta["tag"]
    assert [p.name for p in folder.glob("tensors-*")] == [meta["tensors_file"]]
    assert not list(folder.glob(".*.tmp"))


def test_a_killed_save_leaves_no_temporary_file_behind_the_next_save(tmp_path):
    folder = tmp_path / "m"
    save_model_folder(folder, {"model": "test"}, {"bank": torch.zeros(4, 4)})
    (folder / ".tensors-dead.safetensors.abc.tmp").write_bytes(b"\0" * 1000)  # what kill -9 mid-save leaves
    save_model_folder(folder, {"model": "test"}, {"bank": torch.ones(4, 4)})
    assert not list(folder.glob(".*.tmp"))
