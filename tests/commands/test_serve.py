"""``inspector serve``: a real server process on a free local port, exercised by a real HTTP client (httpx)."""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import cv2
import httpx
import numpy as np
import pytest
from line_project import inspector_command, part_images, subprocess_env, trained_project

from inspector.cli import main
from inspector.core.project.store import Project


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(project, tmp_path, *extra, env=None):
    port = _free_port()
    log = open(tmp_path / f"serve-{port}.log", "wb")
    proc = subprocess.Popen(inspector_command("serve", str(project), "--port", str(port), *extra),
                            env={**subprocess_env(), **(env or {})}, stdout=log, stderr=subprocess.STDOUT)
    return proc, f"http://127.0.0.1:{port}", log


def _wait_up(proc, url, headers=None):
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the server exited"
        try:
            if httpx.get(f"{url}/health", headers=headers, timeout=2).status_code in (200, 401):
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("the server did not come up")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return trained_project(tmp_path_factory)


@pytest.fixture(scope="module")
def server(project, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve")
    proc, url, log = _start(project, tmp, "--max-mb", "20")
    try:
        _wait_up(proc, url)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_inspect_raw_and_multipart_with_overlay(server, project, tmp_path):
    good, _, _, _, bad = part_images(tmp_path, 5)
    r = httpx.post(f"{server}/inspect", content=good.read_bytes(), params={"name": "cam1/a b.png"}, timeout=60)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["verdict"] in ("pass", "uncertain") and out["file"] == "a_b.png"
    assert set(out) >= {"score", "verdict", "thresholds", "model_id", "ms", "image_id"} and out["ms"] > 0
    r = httpx.post(f"{server}/inspect", files={"file": ("bad.png", bad.read_bytes(), "image/png")},
                   params={"overlay": "true"}, timeout=60)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["verdict"] == "fail" and out["file"] == "bad.png"
    png = cv2.imdecode(np.frombuffer(base64.b64decode(out["overlay_png"]), np.uint8), cv2.IMREAD_COLOR)
    assert png.shape[:2] == (64, 64)
    with Project.open(project) as p:  # recorded like an inspection in the app
        rec = p.result(out["image_id"])
        assert rec.image.name == "bad.png" and rec.verdict == "fail" and abs(rec.score - out["score"]) < 1e-5


def test_health_project_docs(server):
    assert httpx.get(f"{server}/health").json()["status"] == "ok"
    st = httpx.get(f"{server}/project").json()
    assert st["model"]["trained"] and st["thresholds"]["fail"] >= st["thresholds"]["pass"]
    assert httpx.get(f"{server}/docs").status_code == 200
    assert "/inspect" in httpx.get(f"{server}/openapi.json").json()["paths"]


def test_bad_input_is_refused_with_a_reason(server):
    big = b"\x89PNG" + bytes(100 * 1024 * 1024)
    try:
        r = httpx.post(f"{server}/inspect", content=big, timeout=60)
        assert r.status_code == 413 and "limit" in r.json()["detail"]
    except httpx.WriteError:
        pass  # refused before the client finished sending (the server answered 413 and closed)

    def chunks():  # no Content-Length: counted as it streams
        for _ in range(30):
            yield bytes(1024 * 1024)
    r = httpx.post(f"{server}/inspect", content=chunks(), timeout=60)
    assert r.status_code == 413
    r = httpx.post(f"{server}/inspect", content=b"hello, this is text", headers={"content-type": "text/plain"})
    assert r.status_code == 415 and "not an image" in r.json()["detail"]
    r = httpx.post(f"{server}/inspect", files={"file": ("notes.txt", b"just words")})
    assert r.status_code == 415
    assert httpx.post(f"{server}/inspect", content=b"").status_code == 400
    assert httpx.post(f"{server}/inspect", content=b"--x\r\nbroken", headers={
        "content-type": "multipart/form-data; boundary=x"}).status_code == 400
    assert httpx.get(f"{server}/health").json()["status"] == "ok"  # still serving


def test_twenty_concurrent_requests_are_all_answered(server, tmp_path):
    parts = part_images(tmp_path, 20, seed=3)

    def send(p):
        return httpx.post(f"{server}/inspect", content=p.read_bytes(), params={"name": p.name}, timeout=120)

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(send, parts))
    assert [a.status_code for a in answers] == [200] * 20
    assert sorted(a.json()["file"] for a in answers) == sorted(p.name for p in parts)
    assert len({a.json()["image_id"] for a in answers}) == 20


def test_token_required_off_this_computer_and_enforced(project, tmp_path, capsys):
    assert main(["serve", str(project), "--host", "0.0.0.0"]) == 2
    assert "needs a token" in capsys.readouterr().err
    proc, url, log = _start(project, tmp_path, "--host", "0.0.0.0", env={"INSPECTOR_TOKEN": "s3cret"})
    try:
        _wait_up(proc, url)
        assert httpx.get(f"{url}/health").status_code == 401
        assert httpx.get(f"{url}/health", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert httpx.post(f"{url}/inspect", content=b"x").status_code == 401
        assert httpx.get(f"{url}/docs").status_code == 401
        r = httpx.get(f"{url}/health", headers={"Authorization": "Bearer s3cret"})
        assert r.status_code == 200 and json.loads(r.text)["status"] == "ok"
        assert httpx.get(f"{url}/project", headers={"X-Inspector-Token": "s3cret"}).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
