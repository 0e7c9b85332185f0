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
    # settings saved before the scoring-method keys existed keep the method they trained with
    assert (out.model["feature_aggregation"], out.model["reweight_neighbors"]) == ("official", 0)
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
    from inspector.core.models.patchcore import NEW_MODEL_DEFAULTS

    assert all(dialog.form.settings().model[k] == v for k, v in NEW_MODEL_DEFAULTS.items())  # a new project
    dialog.folder.setText(str(tmp_path / "elsewhere"))
    dialog.folder.textEdited.emit(str(tmp_path / "elsewhere"))
    dialog.name.setText("Other")
    assert dialog.values()[1] == tmp_path / "elsewhere"  # a chosen folder is kept
    dialog.reject()


def _picker_settled(qtbot, dialog):
    qtbot.waitUntil(lambda: not dialog.form.backbone.busy and not dialog.form.backbone.loading, timeout=60_000)


def test_create_is_disabled_offline_without_weights_and_a_weights_file_selects_its_backbone(qtbot, monkeypatch):
    from shared_data import RESNET18_WEIGHTS

    from inspector.core.backbones import weights as W

    if not RESNET18_WEIGHTS.is_file():
        import pytest

        pytest.skip(f"shared data missing: {RESNET18_WEIGHTS}")
    monkeypatch.setattr(W, "_hub_reachable", lambda *a, **k: False)
    dialog = NewProjectDialog()
    qtbot.addWidget(dialog)
    create = dialog.buttons.buttons()[0]
    dialog.name.setText("Caps")
    _picker_settled(qtbot, dialog)
    # offline, "Pretrained" wideresnet50 with nothing cached or imported: no usable weights, and the reason
    assert dialog.form.backbone.combo.currentText() == "wideresnet50"
    assert not create.isEnabled()
    assert "cannot be reached" in dialog.reason.text() and "Import" in dialog.reason.text()
    # picking the resnet18 file: the dialog says which backbone it fits and offers to switch
    dialog.form.set_weights_file(str(RESNET18_WEIGHTS))
    qtbot.waitUntil(lambda: dialog.form._detecting is None, timeout=60_000)
    assert "resnet18 weights, not wideresnet50" in dialog.form.file_note.text()
    assert dialog.form.switch_button.text() == "Use resnet18" and not dialog.form.switch_button.isHidden()
    # the picker's line about pretrained weights no longer reads as if a download were needed
    assert "not used: the weights file below is" in dialog.form.backbone.weights_label.text()
    assert not create.isEnabled() and "Use resnet18" in dialog.reason.text()
    dialog.form.switch_button.click()
    _picker_settled(qtbot, dialog)
    assert dialog.form.backbone.value() == ("resnet18", ["layer2", "layer3"])
    assert create.isEnabled() and dialog.reason.text() == ""
    assert dialog.form.file_note.text() == "This file fits resnet18."
    assert dialog.form.switch_button.isHidden()
    _, _, settings = dialog.values()
    assert settings.model["backbone"] == "resnet18" and settings.model["weights"] == str(RESNET18_WEIGHTS)
    # back to Pretrained: resnet18 is not on this PC either
    dialog.form.weights_kind.setCurrentIndex(0)
    assert not create.isEnabled() and "resnet18" in dialog.reason.text()
    assert dialog.form.backbone.weights_label.text().startswith("Pretrained weights: needs download")
    dialog.reject()


def test_the_last_weights_file_and_its_backbone_are_remembered(qtbot, monkeypatch):
    from shared_data import RESNET18_WEIGHTS

    from inspector.app.app_settings import AppSettings
    from inspector.core.backbones import weights as W

    if not RESNET18_WEIGHTS.is_file():
        import pytest

        pytest.skip(f"shared data missing: {RESNET18_WEIGHTS}")
    monkeypatch.setattr(W, "_hub_reachable", lambda *a, **k: False)

    class Window:  # what the dialogs take from their parent
        app_settings = AppSettings()

    first = NewProjectDialog()
    first.form.app_settings = Window.app_settings
    qtbot.addWidget(first)
    first.name.setText("A")
    first.form.backbone.set_value("resnet18")
    first.form.set_weights_file(str(RESNET18_WEIGHTS))
    _picker_settled(qtbot, first)
    qtbot.waitUntil(lambda: first.form._detecting is None, timeout=60_000)
    first.accept()
    assert Window.app_settings.get("last_weights") == {"file": str(RESNET18_WEIGHTS), "backbone": "resnet18"}
    first.form.shutdown()
    # the next new project starts from that file and backbone: Create is possible at once, offline
    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    parent.app_settings = Window.app_settings
    qtbot.addWidget(parent)
    second = NewProjectDialog(parent)
    second.name.setText("B")
    _picker_settled(qtbot, second)
    qtbot.waitUntil(lambda: second.form._detecting is None, timeout=60_000)
    _, _, settings = second.values()
    assert settings.model["backbone"] == "resnet18" and settings.model["weights"] == str(RESNET18_WEIGHTS)
    assert second.buttons.buttons()[0].isEnabled()
    second.reject()


def test_device_sits_under_advanced_closed_unless_it_was_changed(qtbot, monkeypatch):
    monkeypatch.setattr("inspector.app.settings_form._backbone_picker", lambda: None)
    form = ProjectSettingsForm()
    qtbot.addWidget(form)
    assert not form.advanced.isChecked() and form.device.isHidden() is False
    assert not form.device.isVisibleTo(form)
    form.advanced.setChecked(True)
    assert form.device.isVisibleTo(form)
    form.set_settings(ProjectSettings(model={"backbone": "resnet18", "layers": ["layer2"], "device": "cpu"}))
    assert form.advanced.isChecked() and form.settings().model["device"] == "cpu"



def test_geometry_choice_saved_with_smallest_defect(qtbot, monkeypatch):
    monkeypatch.setattr("inspector.app.settings_form._backbone_picker", lambda: None)
    from inspector.core.io.geometry import Geometry
    from inspector.core.models.patchcore import PatchCoreConfig

    settings = ProjectSettings(model={"backbone": "resnet18", "layers": ["layer2", "layer3"], "resize": 256,
                                      "crop": 224, "geometry": "whole", "tile_overlap": 0.3})
    form = ProjectSettingsForm(settings)
    qtbot.addWidget(form)
    g = form.geometry
    assert g.value() == "whole" and round(g.tile_overlap(), 2) == 0.3
    assert not form.form.isRowVisible(g.overlap)  # overlap only for tiles
    g.set_image_size(460, 1130)
    # the smallest defect follows the choice: footprint of one patch in original pixels
    fx, fy = Geometry(kind="whole", resize=256, crop=224).footprint(460, 1130)
    assert f"about {fx:.0f} x {fy:.0f} px in a 1130x460 image" in g.footprint.text()
    whole_text = g.footprint.text()
    g.kind.setCurrentIndex(g.kind.findData("tiles"))
    assert form.form.isRowVisible(g.overlap) and not form.form.isRowVisible(form.resize_box)  # tiles: no resize
    assert "about 8 x 8 px" in g.footprint.text() and g.footprint.text() != whole_text  # native resolution
    assert "Overlapping" in g.explain.text()
    g.overlap.setValue(50)
    form.crop_box.setValue(112)
    out = form.settings()
    assert out.model["geometry"] == "tiles" and out.model["tile_overlap"] == 0.5
    config = PatchCoreConfig.from_dict(out.model)  # training reads the same keys
    assert (config.geometry, config.tile_overlap, config.crop) == ("tiles", 0.5, 112)
    # center-crop at a smaller size resolves coarser defects
    g.kind.setCurrentIndex(g.kind.findData("center-crop"))
    assert form.form.isRowVisible(form.resize_box) and form.crop_box.suffix() == " px (centre crop)"
    form.resize_box.setValue(128)
    fx, fy = Geometry(kind="center-crop", resize=128, crop=112).footprint(460, 1130)
    assert f"about {fx:.0f} x {fy:.0f} px" in g.footprint.text()
    # an old project's settings without the key are center-crop, as the model config reads them
    form.set_settings(ProjectSettings(model={"backbone": "resnet18", "layers": ["layer2"]}))
    assert g.value() == "center-crop"
    # PaDiM offers only the fixed-shape geometries
    form.kind.setCurrentIndex(form.kind.findData("padim"))
    g.kind.setCurrentIndex(g.kind.findData("stretch"))
    assert not g.kind.model().item(g.kind.findData("tiles")).isEnabled()
    out = form.settings()
    assert out.model_kind == "padim" and out.model["geometry"] == "stretch" and "tile_overlap" not in out.model
