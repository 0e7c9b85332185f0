"""The backbone picker: reference names (unavailable ones disabled), layers with shapes and cost, weights
status with Import and Download running off the UI thread."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from shared_data import RESNET18_WEIGHTS as RESNET18  # noqa: E402

from inspector.app.backbone_picker import BackbonePicker
from inspector.core.backbones import weights as W
from inspector.core.backbones.catalogue import REFERENCE


@pytest.fixture(autouse=True)
def _offline(monkeypatch, tmp_path):
    monkeypatch.setenv("INSPECTOR_HOME", str(tmp_path / "inspector_home"))
    monkeypatch.setattr(W, "_hub_reachable", lambda *a, **k: False)


@pytest.fixture
def picker(qtbot):
    widget = BackbonePicker()
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: widget.layers.count() > 0, timeout=30000)
    yield widget
    assert widget.shutdown()


def _texts(picker):
    return {picker.layers.item(i).data(Qt.UserRole): picker.layers.item(i).text() for i in range(picker.layers.count())}


def test_lists_reference_names_and_disables_unavailable(picker):
    combo = picker.combo
    names = [combo.itemText(i) for i in range(combo.count())]
    assert names[:len(REFERENCE)] == [s.name for s in REFERENCE]  # the reference names first, then all of timm
    import timm

    assert set(timm.list_models()) <= set(names) and len(names) == len(set(names))
    item = combo.model().item(names.index("bninception"))
    assert not item.isEnabled()
    assert "pretrainedmodels" in combo.itemData(names.index("bninception"), Qt.ToolTipRole)
    assert combo.model().item(names.index("vit_swin_large")).isEnabled()
    # opens on PatchCore's default, layer2 + layer3 checked, with their maps
    assert picker.value() == ("wideresnet50", ["layer2", "layer3"])
    texts = _texts(picker)
    assert "512×28×28" in texts["layer2"] and "(default)" in texts["layer3"] and "fc" not in texts
    assert "512 + 1024 = 1536 dims" in picker.summary.text() and "×1.00 of wideresnet50" in picker.summary.text()
    assert picker.weights_status.state == "download" and picker.download_button.isEnabled()


def test_set_value_any_timm_model_and_edit_layers(picker, qtbot):
    with qtbot.waitSignal(picker.layersLoaded, timeout=30000, check_params_cb=lambda n: n == "resnet18"):
        picker.set_value("resnet18", ["layer1", "layer3"])
    assert picker.value() == ("resnet18", ["layer1", "layer3"])
    assert "64 + 256 = 320 dims" in picker.summary.text() and "56×56 grid" in picker.summary.text()
    texts = _texts(picker)
    assert "128×28×28" in texts["layer2"]
    items = {picker.layers.item(i).data(Qt.UserRole): picker.layers.item(i) for i in range(picker.layers.count())}
    with qtbot.waitSignal(picker.changed):
        items["layer2"].setCheckState(Qt.Checked)
    assert picker.value() == ("resnet18", ["layer1", "layer2", "layer3"])
    # a faster backbone reads as a fraction of the reference's cost
    ratio = float(picker.summary.text().split("(×")[1].split(" ")[0])
    assert 0.05 < ratio < 0.5


def test_a_reference_model_set_by_its_timm_name_shows_as_the_reference_entry(picker, qtbot):
    with qtbot.waitSignal(picker.layersLoaded, timeout=30000):
        picker.set_value("tf_efficientnet_b7", ["blocks.2", "blocks.4"])
    assert picker.combo.currentText() == "efficientnet_b7"
    assert picker.value() == ("tf_efficientnet_b7", ["blocks.2", "blocks.4"])
    with qtbot.waitSignal(picker.layersLoaded, timeout=30000):
        picker.combo.setCurrentText("vit_swin_base")
    assert picker.value() == ("vit_swin_base", ["layers.1", "layers.2"])


def test_typing_a_name_selects_that_model(picker, qtbot):
    """Typing "resnet18" used to select resnet101 (the combo's keyboard search); now it is resnet18."""
    picker.combo.lineEdit().clear()
    qtbot.keyClicks(picker.combo.lineEdit(), "resnet18")
    assert picker.loading
    with qtbot.waitSignal(picker.layersLoaded, timeout=30000) as blocker:
        pass
    assert blocker.args == ["resnet18"]
    assert picker.value() == ("resnet18", ["layer2", "layer3"]) and not picker.error
    assert "128 + 256 = 384 dims" in picker.summary.text()
    # the completer searches anywhere in the name, case-insensitively
    completer = picker.combo.completer()
    completer.setCompletionPrefix("NET18")
    found = {completer.completionModel().index(i, 0).data() for i in range(completer.completionCount())}
    assert {"resnet18", "resnet18d"} <= found
    # a name that is no model says so and leaves nothing usable
    picker.combo.lineEdit().clear()
    qtbot.keyClicks(picker.combo.lineEdit(), "resnet18x")
    qtbot.waitUntil(lambda: bool(picker.error), timeout=30000)
    assert "unknown backbone 'resnet18x'" in picker.summary.text() and "resnet18" in picker.summary.text()


def test_detect_file_names_the_architecture(picker, qtbot):
    if not RESNET18.exists():
        pytest.skip(f"shared data missing: {RESNET18}")
    with qtbot.waitSignal(picker.fileDetected, timeout=60000) as blocker:
        picker.detect_file(str(RESNET18))
    path, fits, error = blocker.args
    assert error == "" and fits[0].name == "resnet18"


def test_import_file_updates_the_weights_status(picker, qtbot):
    if not RESNET18.exists():
        pytest.skip(f"shared data missing: {RESNET18}")
    with qtbot.waitSignal(picker.layersLoaded, timeout=30000):
        picker.set_value("resnet18", ["layer2", "layer3"])
    assert picker.weights_status.state == "download"
    with qtbot.waitSignal(picker.weightsChanged, timeout=30000) as blocker:
        picker.import_file(str(RESNET18))
    assert blocker.args == ["imported"]
    assert "imported file resnet18_imagenet_to_layer3.safetensors" in picker.weights_label.text()
    assert "no weights for fc, layer4" in picker.weights_label.text()
    assert not picker.download_button.isEnabled()
    assert W.imported_for("resnet18") is not None
    bad = RESNET18.parent / "mobilenet_v2_imagenet.safetensors"
    if bad.exists():
        with qtbot.waitSignal(picker.weightsChanged, timeout=30000) as blocker:
            picker.import_file(str(bad))
        assert blocker.args == ["error"] and "missing keys" in picker.weights_label.text()


def _slow_download(calls):
    def download_pretrained(timm_name, progress=None, cancel=None):
        calls.append(timm_name)
        for i in range(200):
            progress("download", i * 1_000_000, 200_000_000)
            if cancel is not None:
                cancel.raise_if_cancelled()
            time.sleep(0.01)
        return Path("unused")

    return download_pretrained


def test_download_runs_off_the_ui_thread_and_cancels(picker, qtbot, monkeypatch):
    calls = []
    monkeypatch.setattr(W, "download_pretrained", _slow_download(calls))
    picker.download_button.click()
    assert picker.download_button.text() == "Cancel"
    qtbot.waitUntil(lambda: picker.progress.value() > 0, timeout=10000)  # the UI thread kept running
    assert "/ 200 MB" in picker.progress.format()
    with qtbot.waitSignal(picker.weightsChanged, timeout=10000) as blocker:
        picker.download_button.click()
    assert blocker.args == ["cancelled"] and calls == ["wide_resnet50_2"]
    assert picker.download_button.text() == "Download" and not picker.progress.isVisible()
    assert "cancelled" in picker.weights_label.text()


def test_download_uses_the_app_job_runner(qtbot, monkeypatch):
    from inspector.app.worker import JobRunner

    calls = []
    fake = _slow_download(calls)
    monkeypatch.setattr(W, "download_pretrained", lambda name, progress, cancel: fake(name, progress, None))
    runner = JobRunner()
    picker = BackbonePicker(runner=runner)
    qtbot.addWidget(picker)
    qtbot.waitUntil(lambda: picker.layers.count() > 0, timeout=30000)
    progress = []
    runner.progress.connect(lambda title, stage, done, total: progress.append((title, stage)))
    with qtbot.waitSignal(runner.finished, timeout=30000) as blocker:
        picker.start_download()
    assert blocker.args[0] == "Download wideresnet50" and calls == ["wide_resnet50_2"]
    assert ("Download wideresnet50", "download") in progress
    qtbot.waitUntil(lambda: not picker.busy and not runner.busy, timeout=10000)
    assert picker.shutdown()


def test_stem_layers_are_listed_on_request(picker):
    hidden = {picker.layers.item(i).data(Qt.UserRole) for i in range(picker.layers.count())
              if picker.layers.item(i).isHidden()}
    assert {"conv1", "bn1", "act1"} <= hidden and "layer1" not in hidden and "layer2" not in hidden
    picker.all_layers.setChecked(True)
    assert not any(picker.layers.item(i).isHidden() for i in range(picker.layers.count()))
