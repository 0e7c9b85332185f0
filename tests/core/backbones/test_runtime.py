"""The OpenVINO backbone runtime: same maps as eager torch at any batch and input size, converted once and
kept on disk, a damaged cache entry rebuilt, torch kept (with a message) when it disagrees or on a GPU."""

from __future__ import annotations

import pytest
import torch
from synthetic_defects import shared_random_weights

from inspector.core.backbones import runtime
from inspector.core.backbones.build import build_feature_extractor
from inspector.core.backbones.weights import WeightsSource
from inspector.core.runtime.progress import CancelToken

pytest.importorskip("openvino")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    weights = shared_random_weights(tmp_path_factory)
    ex, weights_hash = build_feature_extractor("resnet18", ["layer2", "layer3"], WeightsSource.parse(str(weights)), 64)
    return ex.to(memory_format=torch.channels_last), weights_hash


@pytest.fixture
def extractor(built):
    ex, _ = built
    yield ex
    ex.runner = None


@pytest.fixture
def count_conversions(monkeypatch):
    calls = []
    real = runtime.convert

    def counting(ex, example=(64, 64), head=None):
        calls.append(1)
        return real(ex, (64, 64), head)

    monkeypatch.setattr(runtime, "convert", counting)
    return calls


def close(got, ref):
    assert [g.shape for g in got] == [r.shape for r in ref]
    return all(float((g - r).abs().max()) <= 1e-4 * float(r.abs().max()) for g, r in zip(got, ref))


def test_openvino_maps_equal_torch_at_any_batch_and_input_size(built, extractor, tmp_path):
    _, weights_hash = built
    message = runtime.attach_runtime(extractor, weights_hash, "cpu", "auto", (64, 64), cache_dir=tmp_path)
    assert "OpenVINO" in message and runtime.runtime_name(extractor) == "openvino", message
    gen = torch.Generator().manual_seed(3)
    for shape in [(5, 3, 64, 64), (2, 3, 48, 80), (1, 3, 64, 64)]:  # a second size: compiled on first use
        x = torch.randn(*shape, generator=gen).contiguous(memory_format=torch.channels_last)
        ref = extractor.eager(x)
        for got in (extractor(x), extractor(x, cancel=CancelToken())):  # whole, and in time-sized pieces
            assert close(got, ref)
    assert set(extractor.runner.compiled) == {(64, 64), (48, 80)}
    assert all(c is not None for c in extractor.runner.compiled.values())


def test_two_threads_scoring_with_one_model_each_get_their_own_answer(built, extractor, tmp_path):
    """The app's jobs and the line can run one model from two threads: each thread has its own infer request."""
    from concurrent.futures import ThreadPoolExecutor

    _, weights_hash = built
    runtime.attach_runtime(extractor, weights_hash, "cpu", "openvino", (64, 64), cache_dir=tmp_path)
    gen = torch.Generator().manual_seed(5)
    inputs = [torch.randn(2, 3, 64, 64, generator=gen) for _ in range(6)]
    refs = [extractor.eager(x) for x in inputs]
    with ThreadPoolExecutor(3) as pool:
        for _ in range(4):
            got = list(pool.map(extractor.runner, inputs))
            assert all(close(g, r) for g, r in zip(got, refs))


def test_converted_once_then_read_from_the_cache(built, extractor, tmp_path, count_conversions):
    _, weights_hash = built
    heard = []
    first = runtime.attach_runtime(extractor, weights_hash, "cpu", "openvino", cache_dir=tmp_path,
                                   progress=lambda *a: heard.append(a))
    assert "converted" in first and len(count_conversions) == 1
    assert heard == [("backbone", 0, 1), ("backbone", 1, 1)]  # the app shows the conversion as a step
    second = runtime.attach_runtime(extractor, weights_hash, "cpu", "openvino", (64, 64), cache_dir=tmp_path,
                                    progress=lambda *a: heard.append(a))
    assert "from the cache" in second and len(count_conversions) == 1, second
    assert len(heard) == 2  # nothing to report when it comes from the cache
    x = torch.randn(2, 3, 64, 64)
    assert close(extractor(x), extractor.eager(x))
    # other layers (or weights) are another entry
    other = runtime.cache_key(extractor, "another hash")
    assert other != runtime.cache_key(extractor, weights_hash)


def test_a_damaged_cache_entry_is_converted_again(built, extractor, tmp_path, count_conversions):
    _, weights_hash = built
    runtime.attach_runtime(extractor, weights_hash, "cpu", "openvino", cache_dir=tmp_path)
    entry = tmp_path / runtime.cache_key(extractor, weights_hash)
    weights_file = entry / "model.bin"
    data = bytearray(weights_file.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte: reads fine, computes garbage
    weights_file.write_bytes(bytes(data))
    message = runtime.attach_runtime(extractor, weights_hash, "cpu", "openvino", (64, 64), cache_dir=tmp_path)
    assert "converted" in message and len(count_conversions) == 2, message
    x = torch.randn(2, 3, 64, 64)
    assert close(extractor(x), extractor.eager(x))
    (entry / "model.xml").write_text("not a model")
    message = runtime.attach_runtime(extractor, weights_hash, "cpu", "openvino", (64, 64), cache_dir=tmp_path)
    assert "converted" in message and len(count_conversions) == 3, message
    assert runtime.runtime_name(extractor) == "openvino"


def test_a_runtime_that_disagrees_leaves_torch_in_place_and_says_so(built, extractor, tmp_path, monkeypatch, caplog):
    _, weights_hash = built

    def wrong(compiled, x):
        return [m + 1.0 for m in extractor.eager(x)]

    monkeypatch.setattr(runtime, "_run", wrong)
    message = runtime.attach_runtime(extractor, weights_hash, "cpu", "openvino", (64, 64), cache_dir=tmp_path)
    assert extractor.runner is None and "differs from torch" in message
    # chosen lazily (auto, no size given): the size that disagrees runs on torch, with a warning
    runtime.attach_runtime(extractor, weights_hash, "cpu", "auto", cache_dir=tmp_path)
    x = torch.randn(1, 3, 48, 48)
    assert close(extractor(x), extractor.eager(x))
    assert extractor.runner.compiled[(48, 48)] is None
    assert "differs from torch" in caplog.text

    def broken(*args, **kwargs):
        raise RuntimeError("cannot convert operator X")

    monkeypatch.setattr(runtime, "convert", broken)
    message = runtime.attach_runtime(extractor, weights_hash, "cpu", "openvino", cache_dir=tmp_path / "empty")
    assert extractor.runner is None and "cannot convert operator X" in message
    assert runtime.runtime_name(extractor) == "torch eager"


def test_torch_when_chosen_or_on_a_gpu(built, extractor, tmp_path, count_conversions, monkeypatch):
    _, weights_hash = built
    assert "cuda device" in runtime.attach_runtime(extractor, weights_hash, "cuda", "auto", cache_dir=tmp_path / "cache")
    assert "chosen" in runtime.attach_runtime(extractor, weights_hash, "cpu", "torch", cache_dir=tmp_path / "cache")
    monkeypatch.setenv(runtime.RUNTIME_ENV, "torch")
    assert "chosen" in runtime.attach_runtime(extractor, weights_hash, "cpu", cache_dir=tmp_path / "cache")
    assert extractor.runner is None and count_conversions == [] and not (tmp_path / "cache").exists()
    with pytest.raises(ValueError, match="unknown backbone runtime"):
        runtime.attach_runtime(extractor, weights_hash, "cpu", "onnx")


def test_openvino_is_imported_without_its_telemetry():
    import subprocess
    import sys

    code = ("import sys; from inspector.core.backbones.runtime import import_openvino; import_openvino(); "
            "from openvino.tools.ovc import telemetry_utils as t; print(t.tm.__name__); "
            "import openvino_telemetry; print('importable afterwards')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["openvino.tools.ovc.telemetry_stub", "importable", "afterwards"], out.stderr
