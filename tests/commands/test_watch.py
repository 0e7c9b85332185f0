"""The hot folder: a real ``inspector watch`` process, killed with SIGKILL half-way and started again, scores every
file exactly once; plus the journal's recovery steps and re-reading the project, in process."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
import time
from collections import Counter

import pytest
from line_project import inspector_command, part_images, subprocess_env, trained_project

from inspector.core.project.hotfolder import HotFolder, ends_complete, is_part_name
from inspector.core.project.journal import Journal
from inspector.core.project.store import Project
from inspector.core.project.thresholds import Thresholds

N = 90


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return trained_project(tmp_path_factory)


def _lines(path):
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _wait(cond, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _deliver(i, src, in_dir):
    """Three ways a file arrives: copied slowly in pieces, written under a temporary name and renamed, copied."""
    data = src.read_bytes()
    target = in_dir / src.name
    if i % 3 == 0:
        with open(target, "wb") as f:
            step = max(1, len(data) // 8)
            for k in range(0, len(data), step):
                f.write(data[k : k + step])
                f.flush()
                time.sleep(0.01)
    elif i % 3 == 1:
        tmp = in_dir / f"{src.name}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, target)
    else:
        shutil.copyfile(src, target)


def test_watcher_killed_and_restarted_scores_every_file_exactly_once(project, tmp_path):
    sources = part_images(tmp_path / "src", N)
    (tmp_path / "src" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 50)  # cut off
    sources.append(tmp_path / "src" / "broken.png")
    in_dir, out, jsonl = tmp_path / "in", tmp_path / "out", tmp_path / "parts.jsonl"
    in_dir.mkdir()
    cmd = inspector_command("watch", str(project), str(in_dir), "--move-to", str(out), "--jsonl", str(jsonl),
                            "--quiet", "--settle", "0.5")
    log = open(tmp_path / "watch.log", "wb")
    watcher = subprocess.Popen(cmd, env=subprocess_env(), stdout=log, stderr=subprocess.STDOUT)
    try:
        half = N // 2
        for i, src in enumerate(sources[:half]):
            _deliver(i, src, in_dir)
        _wait(lambda: len(_lines(jsonl)) >= half // 3, 120, "the first parts")
        watcher.send_signal(signal.SIGKILL)  # mid-way: parts in the folder, one maybe half-done
        watcher.wait(timeout=10)
        for i, src in enumerate(sources[half:], start=half):
            _deliver(i, src, in_dir)  # arrive while no watcher runs
        watcher = subprocess.Popen(cmd, env=subprocess_env(), stdout=log, stderr=subprocess.STDOUT)
        _wait(lambda: len(_lines(jsonl)) >= len(sources), 180, "every part")
        time.sleep(0.5)  # nothing more may come
    finally:
        watcher.send_signal(signal.SIGTERM)
        assert watcher.wait(timeout=30) == 0, (tmp_path / "watch.log").read_text()
        log.close()

    lines = _lines(jsonl)
    per_file = Counter(line["file"] for line in lines)
    assert sorted(per_file) == sorted(s.name for s in sources)
    assert set(per_file.values()) == {1}
    assert not [p for p in in_dir.iterdir() if p.is_file()]
    broken = next(line for line in lines if line["file"] == "broken.png")
    assert broken["verdict"] == "unreadable" and "truncated" in broken["error"]
    assert (out / "unreadable" / "broken.png").is_file()
    assert "truncated" in (out / "unreadable" / "broken.png.reason.txt").read_text()
    for line in lines:
        if line["verdict"] != "unreadable":
            assert (out / line["verdict"] / line["file"]).is_file()
            assert line["model_id"] and line["thresholds"] and line["score"] > 0
    with Project.open(project) as p:
        results = p.results()
        recorded = Counter(r.image.name for r in results)
        assert sorted(recorded) == sorted(s.name for s in sources[:-1])
        assert set(recorded.values()) == {1}
        by_id = {r.image.id: r for r in results}
        for line in lines:
            if line["image_id"] is not None:
                assert by_id[line["image_id"]].verdict == line["verdict"]
    later = [line["file"] for line in lines if line["file"] in {s.name for s in sources[N // 2:]}]
    assert later == [s.name for s in sources[N // 2:]]  # the ones that piled up while it was down: oldest first
    fails = {line["file"] for line in lines if line["verdict"] == "fail"}
    assert {f"part_{i:03d}.png" for i in range(4, N, 5)} <= fails


def _folder(project, in_dir, tmp_path, parts):
    folder = HotFolder(project, in_dir, move_to=tmp_path / "out", jsonl=tmp_path / "l.jsonl", interval=0.02,
                       settle=0.3, on_part=parts.append)
    thread = threading.Thread(target=folder.run)
    return folder, thread


def test_recovery_takes_up_each_step_without_doing_any_twice(project, tmp_path):
    in_dir = tmp_path / "in"
    a, b, c = part_images(in_dir, 3, seed=11)
    journal = Journal(project, in_dir)
    # a: scored and moved, its line written, the kill came before 'done'
    ea = journal.begin(a.name, a.stat().st_size, a.stat().st_mtime_ns)
    dest = tmp_path / "out" / "pass" / a.name
    payload = {"file": a.name, "seq": ea.id, "verdict": "pass"}
    journal.scored(ea.id, payload, str(dest))
    dest.parent.mkdir(parents=True)
    os.replace(a, dest)
    journal.set_state(ea.id, "moved")
    (tmp_path / "l.jsonl").write_text(json.dumps(payload) + "\n" + '{"file": "torn', encoding="utf-8")
    # b: recorded as scored, not yet moved
    eb = journal.begin(b.name, b.stat().st_size, b.stat().st_mtime_ns)
    journal.scored(eb.id, {"file": b.name, "seq": eb.id, "verdict": "fail"}, str(tmp_path / "out" / "fail" / b.name))
    # c: only begun
    journal.begin(c.name, c.stat().st_size, c.stat().st_mtime_ns)
    journal.close()

    parts = []
    folder, thread = _folder(project, in_dir, tmp_path, parts)
    thread.start()
    _wait(lambda: len(parts) == 3, 60, "three parts")
    folder.stop()
    thread.join(10)
    lines = _lines(tmp_path / "l.jsonl")  # the torn line was cut off
    assert [line["file"] for line in lines] == [a.name, b.name, c.name]
    assert (tmp_path / "out" / "fail" / b.name).is_file()
    assert not list(in_dir.glob("*.png"))
    assert Journal(project, in_dir).counts() == {"done": 3}


def test_lines_moved_and_a_model_retrained_in_the_editor_are_used_from_the_next_part(project, tmp_path):
    """The app (the editor) has the project open while the hot folder runs: what it changes applies between
    parts, and the parts the line recorded stay."""
    from inspector.core.project import jobs

    in_dir = tmp_path / "in"
    in_dir.mkdir()
    first, second, third = part_images(tmp_path / "src", 3, seed=21)
    parts = []
    editor = Project.open(project)
    assert not editor.read_only
    old = editor.thresholds
    folder, thread = _folder(project, in_dir, tmp_path, parts)
    thread.start()
    try:
        shutil.copyfile(first, in_dir / first.name)
        _wait(lambda: len(parts) == 1, 60, "the first part")
        editor.set_thresholds(Thresholds(1e-9, 2e-9))  # the operator drags the lines
        shutil.copyfile(second, in_dir / second.name)
        _wait(lambda: len(parts) == 2, 60, "the second part")
        jobs.train(editor)  # and retrains
        shutil.copyfile(third, in_dir / third.name)
        _wait(lambda: len(parts) == 3, 60, "the third part")
    finally:
        folder.stop()
        thread.join(10)
        editor.set_thresholds(old)
    try:
        assert parts[0]["thresholds"] == old.to_dict()
        assert parts[1]["thresholds"] == {"pass": 1e-9, "fail": 2e-9} and parts[1]["verdict"] == "fail"
        assert parts[1]["model_id"] == parts[0]["model_id"] and parts[2]["model_id"] != parts[1]["model_id"]
        assert parts[2]["generation"] == parts[1]["generation"] + 1
        recorded = {r.image.id for r in editor.results()}
        assert {p["image_id"] for p in parts} <= recorded
    finally:
        editor.close()


def test_file_names_and_completeness():
    assert is_part_name("a.PNG") and is_part_name("b.jpeg")
    assert not any(map(is_part_name, ["a.png.tmp", ".a.png", "~a.png", "a.txt", "a.part"]))


def test_ends_complete_recognises_a_cut_png(tmp_path):
    (src,) = part_images(tmp_path, 1)
    data = src.read_bytes()
    assert ends_complete(src, len(data))
    cut = tmp_path / "cut.png"
    cut.write_bytes(data[:-5])
    assert not ends_complete(cut, len(data) - 5)


def test_polling_finds_files_without_events(project, tmp_path):
    in_dir = tmp_path / "in"
    in_dir.mkdir()
    parts = []
    folder = HotFolder(project, in_dir, jsonl=tmp_path / "l.jsonl", poll=True, interval=0.05, settle=0.3,
                       on_part=parts.append)
    folder._start_observer = None  # polling must not need the event observer at all
    thread = threading.Thread(target=folder.run)
    thread.start()
    try:
        for src in part_images(tmp_path / "src", 3, seed=31):
            shutil.copyfile(src, in_dir / src.name)
        _wait(lambda: len(parts) == 3, 60, "three parts")
    finally:
        folder.stop()
        thread.join(10)
    assert [p["file"] for p in parts] == ["part_000.png", "part_001.png", "part_002.png"]
    assert sorted(p.name for p in in_dir.iterdir()) == ["part_000.png", "part_001.png", "part_002.png"]  # no --move-to
