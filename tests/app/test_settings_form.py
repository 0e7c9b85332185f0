"""The project settings form (with the backbone picker in its row) and the new-project dialog."""

from __future__ import annotations

from inspector.app.project_dialogs import NewProjectDialog
from inspector.app.settings_form import WEIGHTS_FILE, ProjectSettingsForm, SimpleBackboneChooser
from inspector.core.project.store import ProjectSettings


def wait_picker(qtbot, form):
    picker = form.backbone
    if hasattr(picker, "busy"):
        qtbot.waitUntil(lambda: not picker.busy, timeout=60_000)


def test_settings_round_trip(qtbot, tmp_path):
    weights = tmp_path / "w.safetensors"
    settings = ProjectSettings(name="P", model={"backbone": "resnet18", "layers": ["layer2", "layer3"],
                                                "weights": str(weights), "resize": 128, "crop": 112,
                                                "coreset_ratio": 0.02, "device": "cpu"}, holdout_fraction=0.2)
    form = ProjectSettingsForm(settings)
    qtbot.addWidget(form)
    assert type(form.backbone).__name__ == "BackbonePicker"  # the shared picker sits in the backbone row
    wait_picker(qtbot, form)
    assert form.weights_kind.currentText() == WEIGHTS_FILE
    out = form.settings()
    assert out.model_kind == "patchcore"
    assert out.model["backbone"] == "resnet18" and out.model["layers"] == ["layer2", "layer3"]
    assert out.model["weights"] == str(weights)
    assert (out.model["resize"], out.model["crop"], out.model["device"]) == (128, 112, "cpu")
    assert out.model["coreset_ratio"] == 0.02 and out.holdout_fraction == 0.2
    # edits come back as settings; every key belongs to the model's config
    form.coreset.setValue(1.0)
    form.crop_box.setValue(224)
    form.resize_box.setValue(256)
    form.weights_kind.setCurrentIndex(0)
    out = form.settings()
    assert out.model["coreset_ratio"] == 0.01 and out.model["crop"] == 224 and out.model["weights"] == "pretrained"
    from inspector.core.models.patchcore import PatchCoreConfig

    assert PatchCoreConfig.from_dict(out.model).crop == 224
    form.shutdown()


def test_new_project_dialog_defaults(qtbot, tmp_path, monkeypatch):
    # the simple backbone chooser (used when the picker module is missing) keeps this test fast
    monkeypatch.setattr("inspector.app.settings_form._backbone_picker", lambda: None)
    dialog = NewProjectDialog()
    qtbot.addWidget(dialog)
    ok = dialog.buttons.buttons()[0]
    assert not ok.isEnabled()  # a name is needed
    dialog.name.setText("Bottle caps / line 3")
    name, folder, settings = dialog.values()
    assert name == "Bottle caps / line 3"
    assert folder.name == "Bottle_caps_line_3" and folder.parent.name == "projects"
    assert str(folder).startswith(str(tmp_path))  # under the (test) user data folder
    assert settings.model_kind == "patchcore"
    assert isinstance(dialog.form.backbone, SimpleBackboneChooser)
    dialog.form.backbone.name.setCurrentText("resnet50")
    assert dialog.form.settings().model["backbone"] == "resnet50"
    assert dialog.form.settings().model["layers"] == ["layer2", "layer3"]
    dialog.folder.setText(str(tmp_path / "elsewhere"))
    dialog.folder.textEdited.emit(str(tmp_path / "elsewhere"))
    dialog.name.setText("Other")
    assert dialog.values()[1] == tmp_path / "elsewhere"  # a chosen folder is kept
    dialog.reject()
