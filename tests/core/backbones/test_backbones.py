"""The reference backbones, their feature maps per family, and the weights manager (import/list/remove/download).

Every reference backbone is built on the ``meta`` device (no weights, no memory); real forward passes use the
smallest timm variant of each family with random weights, checked against timm's own feature API; the shared
torchvision MobileNetV2 weights are checked against torchvision itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import timm
import torch
from safetensors.torch import load_file, save_file
from shared_data import SHARED_DATA as DATA  # noqa: E402

from inspector.core.backbones import weights as W
from inspector.core.backbones.build import build_feature_extractor
from inspector.core.backbones.catalogue import (
    REFERENCE,
    BackboneError,
    adapt_state_dict,
    feature_shapes,
    layer_table,
    reference_backbones,
    resolve_backbone,
)
from inspector.core.backbones.extractor import FeatureExtractor, to_feature_map
from inspector.core.backbones.weights import WeightsError, WeightsSource
from inspector.core.components.patch_features import patch_features

MOBILENET = DATA / "weights" / "mobilenet_v2_imagenet.safetensors"
RESNET18 = DATA / "weights" / "resnet18_imagenet_to_layer3.safetensors"
BOTTLE = DATA / "mvtec_ad" / "bottle"

# SPEC.md "Backbones", as the official implementation names them.
SPEC_NAMES = """alexnet bninception resnet50 resnet101 resnext101 resnet200 resnest50 resnetv2_50_bit resnetv2_50_21k
resnetv2_101_bit resnetv2_101_21k resnetv2_152_bit resnetv2_152_21k resnetv2_152_384 resnetv2_101 vgg11 vgg19
vgg19_bn wideresnet50 wideresnet101 mnasnet_100 mnasnet_a1 mnasnet_b1 densenet121 densenet201 inception_v4
vit_small vit_base vit_large vit_r50 vit_deit_base vit_deit_distilled vit_swin_base vit_swin_large efficientnet_b1
efficientnet_b3 efficientnet_b5 efficientnet_b7 efficientnetv2_m efficientnetv2_l efficientnet_b3a""".split()

AVAILABLE = [s for s in reference_backbones() if s.available]


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    """Caches and the imported-weights index live in tmp_path; no test touches the real profile or network."""
    monkeypatch.setenv("INSPECTOR_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(W, "_hub_reachable", lambda *a, **k: False)


def _needs(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"shared data missing: {path} (see ../shared/data/README.md)")


# ------------------------------------------------------------------------------------------- the list
def test_reference_list_has_every_spec_name_with_availability():
    names = [s.name for s in REFERENCE]
    assert set(SPEC_NAMES) <= set(names), set(SPEC_NAMES) - set(names)
    assert len(names) == len(set(names))
    by_name = {s.name: s for s in reference_backbones()}
    for gone in ("bninception", "alexnet"):
        assert not by_name[gone].available and "timm" in by_name[gone].unavailable
        with pytest.raises(BackboneError, match="not available"):
            resolve_backbone(gone)
    for spec in AVAILABLE:
        assert timm.is_model(spec.timm_name), spec
        assert spec.family in ("cnn", "vit", "deit", "swin", "efficientnet", "mobilenet")
        assert spec.layers and len(spec.shapes) == len(spec.layers)
    assert by_name["resnetv2_152_384"].input_size == 384
    assert {s.family for s in AVAILABLE} >= {"cnn", "vit", "deit", "swin", "efficientnet"}


def _by_architecture() -> list[list]:
    """The available reference backbones grouped by network (BiT's in1k/in21k twins differ only in weights)."""
    groups: dict[tuple, list] = {}
    for spec in AVAILABLE:
        groups.setdefault((spec.timm_name.split(".")[0], spec.layers, spec.input_size), []).append(spec)
    return list(groups.values())


@pytest.mark.parametrize("twins", _by_architecture(), ids=lambda g: "+".join(s.name for s in g))
def test_every_reference_backbone_gives_maps_on_one_grid(twins):
    """Meta device: the default layers give [b, C, H, W] maps with the listed shapes, which PatchCore's
    bilinear alignment brings onto the first layer's grid."""
    spec = twins[0]
    shapes = feature_shapes(spec, batch=2)
    for twin in twins:
        assert [s[1:] for s in shapes] == [tuple(x) for x in twin.shapes], twin.name
    assert all(len(s) == 4 and s[0] == 2 for s in shapes)
    grid = shapes[0][2:]
    for s in shapes:
        aligned = torch.nn.functional.interpolate(torch.empty(s, device="meta"), size=grid, mode="bilinear")
        assert tuple(aligned.shape) == (2, s[1], *grid)


@pytest.mark.parametrize("name", ["inception_v4", "efficientnet_b7"])
def test_patch_features_accept_uneven_grids_and_three_layers(name):
    """PatchCore's own patch features on maps of the listed shapes (25x25 + 12x12; three layers)."""
    spec = resolve_backbone(name)
    feats, grid = patch_features([torch.rand(1, *s) for s in spec.shapes], 3, 256, 256)
    assert grid == spec.shapes[0][1:] and tuple(feats.shape) == (1, grid[0] * grid[1], 256)
    assert torch.isfinite(feats).all()


def test_resolve_timm_names_and_unknown_names():
    assert resolve_backbone("wide_resnet50_2").name == "wideresnet50"
    assert resolve_backbone("wideresnet50").timm_name == "wide_resnet50_2"
    other = resolve_backbone("convnext_atto")
    assert not other.reference and other.layers == ("stages.1", "stages.2")
    assert [s[2:] for s in feature_shapes(other)] == [(28, 28), (14, 14)]
    vit = resolve_backbone("vit_tiny_patch16_224")
    assert vit.family == "vit" and vit.layers == ("blocks.8",)
    assert resolve_backbone("swin_tiny_patch4_window7_224").family == "swin"
    with pytest.raises(BackboneError, match="vit_base"):
        resolve_backbone("vit_bsae")
    from inspector.core.backbones.extractor import LayerNotFoundError

    with pytest.raises(LayerNotFoundError, match="layer9"):
        feature_shapes("resnet50", ["layer9"])
    with pytest.raises(BackboneError, match="own input size, 224"):  # before any real model is built
        build_feature_extractor("vit_small", ["blocks.8"], WeightsSource("random"), 256)


def test_layer_table_lists_maps_and_growing_cost():
    table = {info.name: info for info in layer_table("resnet50")}
    assert table["layer2"].shape == (512, 28, 28) and table["layer3"].shape == (1024, 14, 14)
    assert "fc" not in table and "global_pool" not in table  # vectors, not maps
    costs = [table[n].gmacs for n in ("layer1", "layer2", "layer3", "layer4")]
    assert costs == sorted(costs) and 3.5 < costs[-1] < 4.5  # resnet50: ~4.1 GMACs in all
    assert 20 < table["layer4"].mparams < 24  # 23.5 M parameters before the classifier
    vit = {info.name: info for info in layer_table("vit_deit_distilled")}
    assert vit["blocks.8"].shape == (768, 14, 14) and vit["blocks.8"].raw_shape == (198, 768)
    assert vit["patch_embed"].shape == (768, 14, 14)  # no prefix tokens yet: all 196 are patches
    swin = {info.name: info for info in layer_table("swin_tiny_patch4_window7_224")}
    assert swin["layers.1"].raw_shape == (28, 28, 192) and swin["layers.1"].shape == (192, 28, 28)
    assert layer_table("resnet50", 320)[-1].shape == (2048, 10, 10)  # any input size


# ---------------------------------------------------------------------------- real forward passes
def _image(size=224, seed=0) -> torch.Tensor:
    return torch.randn(1, 3, size, size, generator=torch.Generator().manual_seed(seed))


def _oracle(model: torch.nn.Module) -> torch.nn.Module:
    """A copy of an extractor's (pruned) model without its hooks, to run timm's own feature API on."""
    import copy

    oracle = copy.deepcopy(model)
    for module in oracle.modules():
        module._forward_hooks.clear()
    return oracle


def _tiny(kind: str) -> torch.nn.Module:
    """The real timm ViT / DeiT-distilled / Swin classes at toy sizes, so forward passes cost milliseconds."""
    from timm.models.deit import VisionTransformerDistilled
    from timm.models.swin_transformer import SwinTransformer
    from timm.models.vision_transformer import VisionTransformer

    torch.manual_seed(0)
    if kind == "vit":
        return VisionTransformer(img_size=64, patch_size=8, embed_dim=24, depth=3, num_heads=2).eval()
    if kind == "deit":
        return VisionTransformerDistilled(img_size=64, patch_size=8, embed_dim=24, depth=3, num_heads=2).eval()
    return SwinTransformer(img_size=64, patch_size=4, window_size=4, embed_dim=16, depths=(1, 1, 1),
                           num_heads=(1, 1, 1)).eval()


@pytest.mark.parametrize("kind,prefix", [("vit", 1), ("deit", 2)])
def test_vit_and_deit_drop_prefix_tokens_and_fold_to_a_square_grid(kind, prefix):
    model = _tiny(kind)
    assert model.num_prefix_tokens == prefix
    x = _image(64)
    with torch.no_grad():  # oracle first: timm's own NCHW intermediates, prefix tokens removed by timm
        ref = model.forward_intermediates(x, indices=[1], output_fmt="NCHW", intermediates_only=True)[0]
        tokens = model.patch_embed(x) + model.pos_embed[:, -64:]
    pos, block = FeatureExtractor(model, ["pos_drop", "blocks.1"])(x)
    assert pos.shape == (1, 24, 8, 8) and block.shape == (1, 24, 8, 8)
    torch.testing.assert_close(block, ref)
    # before the blocks, each grid cell is exactly its patch embedding plus its position embedding
    torch.testing.assert_close(pos, tokens.transpose(1, 2).reshape(1, 24, 8, 8))


def test_deit_distilled_reference_size_drops_both_tokens():
    """The 224 path end to end: 198 tokens -> 196 -> 14x14, through build_feature_extractor."""
    extractor, _ = build_feature_extractor("deit_tiny_distilled_patch16_224", ["blocks.0"], WeightsSource("random"))
    x = _image()
    block = extractor(x)[0]
    assert block.shape == (1, 192, 14, 14)
    raw = {}  # runs before the extractor's own hook, which stops the forward pass
    extractor.model.blocks[0].register_forward_hook(lambda m, i, o: raw.setdefault("tokens", o), prepend=True)
    extractor(x)
    assert raw["tokens"].shape == (1, 198, 192)
    torch.testing.assert_close(block.flatten(2).transpose(1, 2), raw["tokens"][:, 2:])


@pytest.mark.parametrize("kind,cell", [("vit", (1, 6)), ("swin", (2, 11))])
def test_folding_keeps_row_major_patch_positions(kind, cell):
    """A change inside one input patch (row r, column c; not symmetric) shows at map cell (r, c) only."""
    model = _tiny(kind)
    patch = 8 if kind == "vit" else 4
    extractor = FeatureExtractor(model, ["patch_embed"])
    x = _image(64)
    y = x.clone()
    r, c = cell
    y[:, :, r * patch : (r + 1) * patch, c * patch : (c + 1) * patch] += 1.0
    changed = (extractor(x)[0] - extractor(y)[0]).abs().sum(1)[0] > 1e-6
    assert changed.nonzero().tolist() == [[r, c]]


def test_swin_channels_last_stages_become_nchw_and_align():
    model = _tiny("swin")
    x = _image(64)
    with torch.no_grad():
        ref = model.forward_intermediates(x, indices=[1, 2], output_fmt="NCHW", intermediates_only=True)
    extractor = FeatureExtractor(model, ["layers.1", "layers.2"])
    assert extractor.channels_last
    s1, s2 = extractor(x)
    assert s1.shape == (1, 32, 8, 8) and s2.shape == (1, 64, 4, 4)
    torch.testing.assert_close(s1, ref[0])
    torch.testing.assert_close(s2, ref[1])
    feats, grid = patch_features([s1, s2], 3, 64, 32)
    assert grid == (8, 8) and feats.shape == (1, 64, 32)


def test_efficientnet_blocks_match_timm_features():
    extractor, _ = build_feature_extractor("efficientnet_b0", ["blocks.2", "blocks.3", "blocks.4"],
                                           WeightsSource("random"), 224)
    x = _image(96)
    maps = extractor(x)
    assert [tuple(m.shape) for m in maps] == [(1, 40, 12, 12), (1, 80, 6, 6), (1, 112, 6, 6)]
    oracle = _oracle(extractor.model)
    with torch.no_grad():
        # timm's feature API: its stride-8 and stride-16 stage ends are blocks.2 and blocks.4
        ref = oracle.forward_intermediates(x, indices=[2, 3], intermediates_only=True, stop_early=True)
        stem = oracle.bn1(oracle.conv_stem(x))
        block3 = oracle.blocks[:4](stem)
    torch.testing.assert_close(maps[0], ref[0])
    torch.testing.assert_close(maps[1], block3)
    torch.testing.assert_close(maps[2], ref[1])


# ---------------------------------------------------------------------------------- real weights
def _bottle_image() -> torch.Tensor:
    import cv2

    path = BOTTLE / "train" / "good" / "000.png"
    _needs(path)
    img = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
    img = cv2.resize(img, (224, 224), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    img = (img - np.array([0.485, 0.456, 0.406], np.float32)) / np.array([0.229, 0.224, 0.225], np.float32)
    return torch.from_numpy(img).permute(2, 0, 1)[None].contiguous()


def test_mobilenet_v2_torchvision_weights_load_strictly_and_match_torchvision():
    _needs(MOBILENET)
    import torchvision

    state = load_file(str(MOBILENET))
    reference = torchvision.models.mobilenet_v2().eval()
    reference.load_state_dict(state, strict=True)
    x = _bottle_image()
    spec = resolve_backbone("mobilenet_v2")
    extractor, _ = build_feature_extractor("mobilenet_v2", spec.layers, WeightsSource.parse(str(MOBILENET)), 224)
    maps = extractor(x)
    with torch.no_grad():
        expect = [reference.features[:7](x), reference.features[:14](x)]  # ends of the stride-8/16 stages
    for got, want in zip(maps, expect):
        torch.testing.assert_close(got, want)
        assert torch.isfinite(got).all() and got.std() > 0.05
    assert [tuple(m.shape) for m in maps] == [(1, 32, 28, 28), (1, 96, 14, 14)]
    # the whole network, classifier included, is torchvision's: same logits
    full = timm.create_model("mobilenetv2_100").eval()
    W.load_strict(full, adapt_state_dict("mobilenetv2_100", state), [], "test")
    with torch.no_grad():
        torch.testing.assert_close(full(x), reference(x))


def test_torchvision_vgg_layout_maps_onto_timm():
    import torchvision

    with torch.device("meta"):
        tv = torchvision.models.vgg11().state_dict()
        tm = timm.create_model("vgg11").state_dict()
    adapted = adapt_state_dict("vgg11", tv)
    assert {k: tuple(v.shape) for k, v in adapted.items()} == {k: tuple(v.shape) for k, v in tm.items()}
    assert adapt_state_dict("resnet50", {"conv1.weight": torch.zeros(1)}) == {"conv1.weight": torch.zeros(1)}


# --------------------------------------------------------------------------------- weights manager
def test_import_list_use_remove_round_trip(tmp_path):
    _needs(RESNET18)
    report = W.import_weights(RESNET18, "resnet18")
    entry = report.entry
    assert entry.sha256 == W.file_sha256(RESNET18) and entry.size == RESNET18.stat().st_size
    assert report.check.unused_missing == ("fc", "layer4")  # the file stops after layer3
    assert entry.path.is_file() and entry.path.parent == W.imported_dir()
    assert str(tmp_path / "home") in str(entry.path)
    index = json.loads((W.imported_dir() / "index.json").read_text())
    assert index["version"] == 1 and index["entries"][0]["sha256"] == entry.sha256
    listed = W.list_cached()
    assert [(c.name, c.kind, c.size) for c in listed] == [(entry.name, "imported", entry.size)]
    assert W.weights_status("resnet18").state == "imported"
    # offline, "pretrained" now means the imported file: same weights as passing the file itself
    _, via_pretrained = build_feature_extractor("resnet18", ["layer2", "layer3"], WeightsSource.parse("pretrained"))
    _, via_file = build_feature_extractor("resnet18", ["layer2", "layer3"], WeightsSource.parse(str(RESNET18)))
    assert via_pretrained == via_file
    by_name = build_feature_extractor("resnet18", ["layer2", "layer3"], WeightsSource.parse(entry.name))
    assert by_name[1] == via_file and entry.name in by_name[0].weights_label  # --weights NAME of an import
    with pytest.raises(WeightsError, match="layer4"):  # layer4 is not in the file
        build_feature_extractor("resnet18", ["layer4"], WeightsSource.parse("pretrained"))
    removed = W.remove_cached(entry.name)
    assert removed.name == entry.name and not entry.path.exists()
    assert W.list_cached() == [] and W.imported_for("resnet18") is None
    assert W.weights_status("resnet18").state == "download"
    with pytest.raises(WeightsError, match="no cached weights named"):
        W.remove_cached(entry.name)


def test_import_refuses_files_that_do_not_fit_naming_the_keys(tmp_path):
    _needs(RESNET18)
    state = load_file(str(RESNET18))
    state.pop("layer2.0.conv1.weight")
    state["layer2.0.extra.weight"] = torch.zeros(3)
    state["layer3.0.bn1.weight"] = torch.zeros(7)
    bad = tmp_path / "bad.safetensors"
    save_file(state, str(bad))
    with pytest.raises(WeightsError) as err:
        W.import_weights(bad, "resnet18")
    message = str(err.value)
    assert "missing keys: layer2.0.conv1.weight" in message
    assert "unexpected keys: layer2.0.extra.weight" in message
    assert "wrong shape keys: layer3.0.bn1.weight" in message
    assert W.list_cached() == []  # nothing was imported
    with pytest.raises(WeightsError, match="missing keys: layer4"):
        W.import_weights(RESNET18, "resnet18", layers=["layer4"])
    with pytest.raises(WeightsError, match="unexpected keys"):
        model = timm.create_model("resnet18")
        W.load_strict(model, {**model.state_dict(), "head.weight": torch.zeros(1)}, [], "x")


def test_pth_import_replaces_previous_and_damaged_index_is_reported(tmp_path):
    _needs(RESNET18)
    first = W.import_weights(RESNET18, "resnet18", name="first").entry
    pth = tmp_path / "copy.pth"
    torch.save({"state_dict": load_file(str(RESNET18))}, pth)
    second = W.import_weights(pth, "resnet18", name="second")
    assert second.replaced == first and not first.path.exists()
    assert [c.name for c in W.list_cached()] == ["second"] and second.entry.path.suffix == ".pth"
    with pytest.raises(WeightsError, match="already used"):
        W.import_weights(MOBILENET if MOBILENET.exists() else RESNET18, "mobilenet_v2", name="second")
    (W.imported_dir() / "index.json").write_text("{not json")
    with pytest.raises(WeightsError, match="damaged"):
        W.list_cached()


def _fake_hub(tmp_path, monkeypatch, timm_name="resnet18.a1_in1k"):
    """Stand-in for huggingface_hub.hf_hub_download: writes the hub cache layout and reports progress."""
    model = timm.create_model("resnet18")
    blob = tmp_path / "weights.safetensors"
    save_file(model.state_dict(), str(blob))
    data = blob.read_bytes()
    calls = []

    def hf_hub_download(repo, filename, revision=None, cache_dir=None, tqdm_class=None):
        calls.append((repo, filename))
        if filename != "model.safetensors":
            raise AssertionError("safetensors first")
        folder = Path(cache_dir) / ("models--" + repo.replace("/", "--"))
        (folder / "refs").mkdir(parents=True)
        (folder / "refs" / "main").write_text("abc123")
        (folder / "blobs").mkdir()
        (folder / "blobs" / "deadbeef").write_bytes(data)
        snap = folder / "snapshots" / "abc123"
        snap.mkdir(parents=True)
        (snap / filename).write_bytes(data)
        bar = tqdm_class(total=len(data))
        for start in range(0, len(data), len(data) // 4 + 1):
            bar.update(min(len(data) // 4 + 1, len(data) - start))
        bar.close()
        return str(snap / filename)

    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", hf_hub_download)
    monkeypatch.setattr(W, "_hub_reachable", lambda *a, **k: True)
    return model, len(data), calls


def test_download_reports_progress_then_loads_from_cache_offline(tmp_path, monkeypatch):
    model, size, calls = _fake_hub(tmp_path, monkeypatch)
    assert W.weights_status("resnet18").state == "download"
    seen = []
    path = W.download_pretrained("resnet18", lambda stage, done, total: seen.append((stage, done, total)))
    assert calls == [("timm/resnet18.a1_in1k", "model.safetensors")]
    assert seen[-1] == ("download", size, size) and len(seen) >= 4
    assert W.hub_cached_file("resnet18") == path and W.weights_status("resnet18").state == "cached"
    monkeypatch.setattr(W, "_hub_reachable", lambda *a, **k: False)  # offline from now on
    loaded = W.create_pretrained("resnet18")
    torch.testing.assert_close(loaded.state_dict()["layer1.0.conv1.weight"], model.state_dict()["layer1.0.conv1.weight"])
    assert W.download_pretrained("resnet18") == path and len(calls) == 1  # cached: no second download
    hub = [c for c in W.list_cached() if c.kind == "hub"]
    assert [(c.name, c.size) for c in hub] == [("resnet18.a1_in1k", size)]
    W.remove_cached("resnet18.a1_in1k")
    assert W.hub_cached_file("resnet18") is None


def test_download_cancel_and_offline_messages(tmp_path, monkeypatch):
    from inspector.core.runtime.progress import Cancelled, CancelToken

    _fake_hub(tmp_path, monkeypatch)
    token = CancelToken()

    def progress(stage, done, total):
        if done > total // 2:
            token.cancel()

    with pytest.raises(Cancelled):
        W.download_pretrained("resnet18", progress, token)
    monkeypatch.setattr(W, "_hub_reachable", lambda *a, **k: False)
    with pytest.raises(WeightsError, match="cannot be reached.*\n.*weights import"):
        W.download_pretrained("resnet50")
    with pytest.raises(WeightsError, match="no pretrained weights for 'resnet200'"):
        W.download_pretrained("resnet200")
    assert W.weights_status("resnet200").state == "none"


def test_mismatch_message_names_both_weights():
    text = W.mismatch_message({"source": "pretrained", "name": "resnet18: imported a.safetensors",
                               "sha256": "a" * 64}, "resnet18: pretrained (timm hub)", "b" * 64)
    assert "imported a.safetensors (sha256 aaaaaaaaaaaa)" in text and "bbbbbbbbbbbb" in text
    assert "train the model again" in text


# ---------------------------------------------------------------------------------------------- CLI
def test_cli_lists_every_reference_name_as_json(capsys):
    from inspector.cli import main

    assert main(["backbones", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert {r["name"] for r in records} >= set(SPEC_NAMES) and len(records) >= 40
    for r in records:
        assert {"name", "timm_name", "layers", "family", "available"} <= set(r)
    by_name = {r["name"]: r for r in records}
    assert by_name["wideresnet50"]["feature_dims"] == [512, 1024]
    assert by_name["bninception"]["available"] is False and by_name["bninception"]["unavailable_reason"]
    assert main(["backbones"]) == 0
    table = capsys.readouterr().out
    assert "wideresnet50" in table and "512x28x28, 1024x14x14" in table and "yes, needs download" in table
    assert "bninception: BN-Inception came from the 'pretrainedmodels' package" in table
    assert main(["backbones", "vit_small", "--json"]) == 0
    layers = {x["name"]: x for x in json.loads(capsys.readouterr().out)["layer_table"]}
    assert layers["blocks.8"]["shape"] == [384, 14, 14]


def test_cli_weights_commands(capsys):
    _needs(RESNET18)
    from inspector.cli import main

    assert main(["weights", "import", str(RESNET18), "--backbone", "resnet18", "--name", "r18"]) == 0
    assert "no weights for fc, layer4" in capsys.readouterr().out
    assert main(["weights", "list", "--json"]) == 0
    assert [i["name"] for i in json.loads(capsys.readouterr().out)] == ["r18"]
    assert main(["weights", "remove", "r18"]) == 0
    assert main(["weights", "remove", "r18"]) == 2
    assert "no cached weights named 'r18'" in capsys.readouterr().err
    assert main(["weights", "download", "resnet18", "--quiet"]) == 2  # offline here
    assert "weights import" in capsys.readouterr().err


def test_to_feature_map_rejects_non_maps():
    model = torch.nn.Identity()
    with pytest.raises(ValueError, match="square"):
        to_feature_map(torch.zeros(1, 7, 4), model, False)
    with pytest.raises(ValueError):
        to_feature_map(torch.zeros(1, 4), model, False)
