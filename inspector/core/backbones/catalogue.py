"""The reference list of backbones (PatchCore's official ``backbones.py``, seed 000), resolved to timm models.

Every reference name maps to a timm model, a family, default layers and an input size. Names with no timm
model (``bninception``, ``alexnet``) stay in the list as unavailable, with the reason. Any other timm model name
works too (``resolve_backbone("convnext_tiny")``), with default layers guessed from timm's ``feature_info``
(the stride-8 and stride-16 outputs, like ResNet's ``layer2``/``layer3``) or the user's own.

Layer introspection (``layer_table``, ``feature_shapes``) builds the model on the ``meta`` device: no weights,
no download, no real computation; shapes are what ``FeatureExtractor`` returns (``[C, H, W]`` after the
token/channels-last conversions), with a rough cost (multiply-accumulates) from the input up to each layer.

Default layers, and why:
- ResNet-like CNNs: ``layer2``, ``layer3`` (the paper's choice: the 28x28 and 14x14 grids at 224).
- ResNetV2 (BiT): ``stages.1``, ``stages.2``; VGG: the last ReLU before the 3rd/4th max-pool (28x28, 14x14);
  DenseNet: ``features.denseblock2``/``3``; Inception-v4: the last Inception-A and Inception-B blocks.
- ViT/DeiT: one block at two thirds of the depth (seed 000: a single mid-depth block beat several).
- Swin: the stride-8 and stride-16 stages, ``layers.1`` and ``layers.2``. timm >= 0.9 moved patch merging
  to the start of each stage, so the seed's ``layers.0``/``layers.1`` ([b,384,28,28], [b,768,14,14] for
  swin_large) are today's ``layers.1``/``layers.2``.
- EfficientNet: ``blocks.2``, ``blocks.3``, ``blocks.4`` (the 28x28 and 14x14 grids that worked best).
- MnasNet / MobileNetV2: ``blocks.2`` and ``blocks.4``, the ends of the stride-8 and stride-16 stages.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import math
import threading
from dataclasses import dataclass, replace
from typing import Callable, Iterator, Sequence

import torch
from torch import nn

from ..errors import InspectorError
from .extractor import FeatureExtractor, to_feature_map
from .timm_import import import_timm

DEFAULT_INPUT_SIZE = 224
FAMILIES = ("cnn", "vit", "deit", "swin", "efficientnet", "mobilenet")


class BackboneError(InspectorError, ValueError):
    """An unknown or unavailable backbone, or layers it does not have; the message says what to do instead."""


@dataclass(frozen=True)
class BackboneSpec:
    """One backbone: ``name`` as the user types it, the timm model it builds, its defaults."""

    name: str
    timm_name: str
    family: str
    layers: tuple[str, ...]
    input_size: int = DEFAULT_INPUT_SIZE
    unavailable: str = ""  # why it cannot be used; empty when it can
    reference: bool = True  # one of the official implementation's names (False: any other timm model)
    note: str = ""
    # ``[C, H, W]`` of each default layer at ``input_size``, so listing the table builds no model; a test
    # recomputes every one on the meta device. Empty for non-reference names: see ``feature_shapes``.
    shapes: tuple[tuple[int, int, int], ...] = ()

    @property
    def available(self) -> bool:
        return not self.unavailable

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "timm_name": self.timm_name,
            "family": self.family,
            "layers": list(self.layers),
            "input_size": self.input_size,
            "available": self.available,
            "unavailable_reason": self.unavailable or None,
            "shapes": [list(x) for x in self.shapes],
            "feature_dims": [x[0] for x in self.shapes],
            "reference": self.reference,
            "note": self.note,
        }


def _ref(name: str, timm_name: str, family: str, layers: Sequence[str], shapes: tuple[tuple[int, int, int], ...],
         input_size: int = 224, note: str = "") -> BackboneSpec:
    return BackboneSpec(name, timm_name, family, tuple(layers), input_size, note=note, shapes=shapes)


_RES = ("layer2", "layer3")
_BIT = ("stages.1", "stages.2")
_EFF = ("blocks.2", "blocks.3", "blocks.4")
_MOBILE = ("blocks.2", "blocks.4")
_SWIN = ("layers.1", "layers.2")

# The official implementation's names, in its order; timm names use today's timm spelling (the ``bitm`` and
# ``mnasnet_a1/b1`` aliases of older timm are deprecated, so their current name + pretrained tag is used).
REFERENCE: tuple[BackboneSpec, ...] = (
    BackboneSpec("alexnet", "", "cnn", (),
                 unavailable="timm has no AlexNet (the official code took it from torchvision); "
                             "use vgg11 for a plain early CNN"),
    BackboneSpec("bninception", "", "cnn", (),
                 unavailable="BN-Inception came from the 'pretrainedmodels' package, which timm does not "
                             "include; use inception_v4"),
    _ref("resnet50", "resnet50", "cnn", _RES, ((512, 28, 28), (1024, 14, 14))),
    _ref("resnet101", "resnet101", "cnn", _RES, ((512, 28, 28), (1024, 14, 14))),
    _ref("resnext101", "resnext101_32x8d", "cnn", _RES, ((512, 28, 28), (1024, 14, 14))),
    _ref("resnet200", "resnet200", "cnn", _RES,
         ((512, 28, 28), (1024, 14, 14)), note="timm has no pretrained weights: import a file"),
    _ref("resnest50", "resnest50d_4s2x40d", "cnn", _RES, ((512, 28, 28), (1024, 14, 14))),
    _ref("resnetv2_50_bit", "resnetv2_50x3_bit.goog_in21k_ft_in1k", "cnn", _BIT, ((1536, 28, 28), (3072, 14, 14))),
    _ref("resnetv2_50_21k", "resnetv2_50x3_bit.goog_in21k", "cnn", _BIT, ((1536, 28, 28), (3072, 14, 14))),
    _ref("resnetv2_101_bit", "resnetv2_101x3_bit.goog_in21k_ft_in1k", "cnn", _BIT,
         ((1536, 28, 28), (3072, 14, 14))),
    _ref("resnetv2_101_21k", "resnetv2_101x3_bit.goog_in21k", "cnn", _BIT, ((1536, 28, 28), (3072, 14, 14))),
    _ref("resnetv2_152_bit", "resnetv2_152x4_bit.goog_in21k_ft_in1k", "cnn", _BIT,
         ((2048, 28, 28), (4096, 14, 14))),
    _ref("resnetv2_152_21k", "resnetv2_152x4_bit.goog_in21k", "cnn", _BIT, ((2048, 28, 28), (4096, 14, 14))),
    _ref("resnetv2_152_384", "resnetv2_152x2_bit.goog_teacher_in21k_ft_in1k_384", "cnn", _BIT,
         ((1024, 48, 48), (2048, 24, 24)), 384),
    _ref("resnetv2_101", "resnetv2_101", "cnn", _BIT, ((512, 28, 28), (1024, 14, 14))),
    _ref("vgg11", "vgg11", "cnn", ("features.14", "features.19"), ((512, 28, 28), (512, 14, 14))),
    _ref("vgg19", "vgg19", "cnn", ("features.26", "features.35"), ((512, 28, 28), (512, 14, 14))),
    _ref("vgg19_bn", "vgg19_bn", "cnn", ("features.38", "features.51"), ((512, 28, 28), (512, 14, 14))),
    _ref("wideresnet50", "wide_resnet50_2", "cnn", _RES, ((512, 28, 28), (1024, 14, 14))),
    _ref("wideresnet101", "wide_resnet101_2", "cnn", _RES, ((512, 28, 28), (1024, 14, 14))),
    _ref("mnasnet_100", "mnasnet_100", "mobilenet", _MOBILE, ((40, 28, 28), (96, 14, 14))),
    _ref("mnasnet_a1", "semnasnet_100", "mobilenet", _MOBILE, ((40, 28, 28), (112, 14, 14))),
    _ref("mnasnet_b1", "mnasnet_100", "mobilenet", _MOBILE, ((40, 28, 28), (96, 14, 14))),
    _ref("densenet121", "densenet121", "cnn", ("features.denseblock2", "features.denseblock3"),
         ((512, 28, 28), (1024, 14, 14))),
    _ref("densenet201", "densenet201", "cnn", ("features.denseblock2", "features.denseblock3"),
         ((512, 28, 28), (1792, 14, 14))),
    _ref("inception_v4", "inception_v4", "cnn", ("features.9", "features.17"), ((384, 25, 25), (1024, 12, 12))),
    _ref("vit_small", "vit_small_patch16_224", "vit", ("blocks.8",), ((384, 14, 14),)),
    _ref("vit_base", "vit_base_patch16_224", "vit", ("blocks.8",), ((768, 14, 14),)),
    _ref("vit_large", "vit_large_patch16_224", "vit", ("blocks.16",), ((1024, 14, 14),)),
    _ref("vit_r50", "vit_large_r50_s32_224", "vit", ("blocks.16",),
         ((1024, 7, 7),), note="hybrid: a 7x7 token grid at 224"),
    _ref("vit_deit_base", "deit_base_patch16_224", "deit", ("blocks.8",), ((768, 14, 14),)),
    _ref("vit_deit_distilled", "deit_base_distilled_patch16_224", "deit", ("blocks.8",), ((768, 14, 14),)),
    _ref("vit_swin_base", "swin_base_patch4_window7_224", "swin", _SWIN, ((256, 28, 28), (512, 14, 14))),
    _ref("vit_swin_large", "swin_large_patch4_window7_224", "swin", _SWIN, ((384, 28, 28), (768, 14, 14))),
    _ref("efficientnet_b7", "tf_efficientnet_b7", "efficientnet", _EFF,
         ((80, 28, 28), (160, 14, 14), (224, 14, 14))),
    _ref("efficientnet_b5", "tf_efficientnet_b5", "efficientnet", _EFF,
         ((64, 28, 28), (128, 14, 14), (176, 14, 14))),
    _ref("efficientnet_b3", "tf_efficientnet_b3", "efficientnet", _EFF,
         ((48, 28, 28), (96, 14, 14), (136, 14, 14))),
    _ref("efficientnet_b1", "tf_efficientnet_b1", "efficientnet", _EFF,
         ((40, 28, 28), (80, 14, 14), (112, 14, 14))),
    _ref("efficientnetv2_m", "tf_efficientnetv2_m", "efficientnet", _EFF,
         ((80, 28, 28), (160, 14, 14), (176, 14, 14))),
    _ref("efficientnetv2_l", "tf_efficientnetv2_l", "efficientnet", _EFF,
         ((96, 28, 28), (192, 14, 14), (224, 14, 14))),
    _ref("efficientnet_b3a", "efficientnet_b3", "efficientnet", _EFF,
         ((48, 28, 28), (96, 14, 14), (136, 14, 14)), note="timm renamed efficientnet_b3a to efficientnet_b3"),
    # Not in the official list: the shared torchvision MobileNetV2 weights load into timm's mobilenetv2_100.
    replace(_ref("mobilenet_v2", "mobilenetv2_100", "mobilenet", _MOBILE, ((32, 28, 28), (96, 14, 14)),
                 note="also accepts torchvision mobilenet_v2 weight files"), reference=False),
)
_BY_NAME = {spec.name: spec for spec in REFERENCE}


def reference_backbones() -> list[BackboneSpec]:
    """The reference list with availability checked against the installed timm."""
    return [_check_available(spec) for spec in REFERENCE]


def _check_available(spec: BackboneSpec) -> BackboneSpec:
    if spec.unavailable:
        return spec
    timm = import_timm()

    if not timm.is_model(spec.timm_name):
        return replace(spec, unavailable=f"the installed timm ({timm.__version__}) has no model "
                                         f"'{spec.timm_name}'")
    return spec


def _family_of(timm_name: str) -> str:
    model_entrypoint = import_timm().models.model_entrypoint

    module = model_entrypoint(timm_name.split(".")[0]).__module__.rsplit(".", 1)[-1]
    if module in ("vision_transformer", "vision_transformer_hybrid", "eva", "beit"):
        return "vit"
    if module in ("deit",):
        return "deit"
    if module.startswith("swin"):
        return "swin"
    if module in ("efficientnet",):
        return "mobilenet" if timm_name.startswith(("mobilenet", "mnasnet", "semnasnet")) else "efficientnet"
    return "cnn"


def resolve_backbone(name: str, guess_layers: bool = True) -> BackboneSpec:
    """A reference name (``wideresnet50``) or any timm model name (``wide_resnet50_2``, ``convnext_tiny``).

    A timm name that a reference entry uses resolves to that entry. For other timm names the default layers
    are guessed from the model's ``feature_info`` (a meta-device build; ``guess_layers=False`` skips it when
    the caller has its layers). Raises ``BackboneError`` for an unknown or unavailable name, with the
    nearest known names.
    """
    timm = import_timm()

    name = name.strip()
    if name in _BY_NAME:
        spec = _check_available(_BY_NAME[name])
        if not spec.available:
            raise BackboneError(f"backbone '{name}' is not available: {spec.unavailable}")
        return spec
    for spec in REFERENCE:
        if spec.timm_name and name == spec.timm_name:
            return spec
    if not timm.is_model(name):
        known = [s.name for s in REFERENCE] + timm.list_models()
        close = difflib.get_close_matches(name, known, n=5, cutoff=0.6)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise BackboneError(
            f"unknown backbone '{name}': neither a reference name (see 'inspector backbones') nor a timm "
            f"model.{hint}"
        )
    family = _family_of(name)
    input_size = DEFAULT_INPUT_SIZE
    if family in ("vit", "deit", "swin"):  # fixed-size transformers: their own size
        cfg = timm.models.get_pretrained_cfg(name)
        if cfg is not None and cfg.input_size:
            input_size = int(cfg.input_size[-1])
    layers = _guess_layers(name, input_size) if guess_layers else ()
    return BackboneSpec(name, name, family, layers, input_size, reference=False)


resolve = resolve_backbone


def _guess_layers(timm_name: str, input_size: int) -> tuple[str, ...]:
    """The last stride-8 and stride-16 modules of timm's ``feature_info`` (ResNet's layer2/layer3)."""
    model = meta_model(timm_name)
    info = getattr(model, "feature_info", None) or []
    reductions = {f.get("reduction") for f in info if isinstance(f, dict)}
    if len(info) > 2 and len(reductions) == 1:  # plain transformers: one stride; one block two thirds deep
        return (info[(2 * len(info)) // 3]["module"],)
    picked: list[str] = []
    for reduction in (8, 16):
        matches = [f["module"] for f in info if isinstance(f, dict) and f.get("reduction") == reduction]
        if matches:
            picked.append(matches[-1])
    return tuple(picked)


# ----------------------------------------------------------------------------------------- introspection
_META_LOCK = threading.Lock()
_INIT_FUNCTIONS = ("uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_", "dirac_",
                   "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_")


@contextlib.contextmanager
def _no_init_on_meta() -> Iterator[None]:
    """Weight initialisation does nothing on ``meta`` tensors but still costs Python time (3x the build of a
    model); skip it for meta tensors only, so a real model built meanwhile on another thread is unaffected."""
    import_timm()
    import timm.layers.weight_init as timm_init

    def skipping(original):
        def init(tensor, *args, **kwargs):
            return tensor if getattr(tensor, "is_meta", False) else original(tensor, *args, **kwargs)

        return init

    saved = {name: getattr(nn.init, name) for name in _INIT_FUNCTIONS if hasattr(nn.init, name)}
    saved_timm = timm_init._trunc_normal_
    try:
        for name, original in saved.items():
            setattr(nn.init, name, skipping(original))
        timm_init._trunc_normal_ = skipping(saved_timm)
        yield
    finally:
        for name, original in saved.items():
            setattr(nn.init, name, original)
        timm_init._trunc_normal_ = saved_timm


def meta_model(timm_name: str, **kwargs) -> nn.Module:
    """Build ``timm_name`` on the ``meta`` device: no memory, no weights, no download."""
    timm = import_timm()

    try:
        with _META_LOCK, _no_init_on_meta(), torch.device("meta"):
            model = timm.create_model(timm_name, pretrained=False, **kwargs)
    except RuntimeError as exc:
        raise BackboneError(f"cannot build '{timm_name}': {exc}") from None
    return model.eval()


@dataclass(frozen=True)
class LayerInfo:
    """A selectable layer: ``shape`` is the ``[C, H, W]`` feature map it gives, ``raw_shape`` the module's own
    output without the batch axis (tokens ``[N, C]``, channels-last ``[H, W, C]``, ...); ``gmacs`` and
    ``mparams`` count the multiply-accumulates (G) and parameters (M) from the input up to its output."""

    name: str
    shape: tuple[int, int, int]
    raw_shape: tuple[int, ...]
    gmacs: float
    mparams: float

    @property
    def channels(self) -> int:
        return self.shape[0]

    def to_dict(self) -> dict:
        return {"name": self.name, "shape": list(self.shape), "raw_shape": list(self.raw_shape),
                "gmacs": round(self.gmacs, 3), "mparams": round(self.mparams, 3)}


_STAGE_CONTAINERS = ("blocks", "layers", "stages", "features")


def _candidate_layers(model: nn.Module) -> list[str]:
    """Top-level modules, with the stage containers (``blocks``, ``layers``, ``stages``, ``features``) opened
    one level: the names an operator chooses among (``layer2``, ``blocks.6``, ``layers.1``, ``features.9``)."""
    names: list[str] = []
    for child_name, child in model.named_children():
        grand = list(child.named_children())
        if child_name in _STAGE_CONTAINERS and grand:
            names.extend(f"{child_name}.{g}" for g, _ in grand)
        else:
            names.append(child_name)
    return names


def _macs(module: nn.Module, inputs: tuple, output) -> int:
    """Multiply-accumulates of one leaf: convolutions, linear layers and attention's two matrix products."""
    if isinstance(module, nn.Conv2d) and torch.is_tensor(output):
        k = module.kernel_size[0] * module.kernel_size[1] * module.in_channels // module.groups
        return output.numel() * k
    if isinstance(module, nn.Linear) and torch.is_tensor(output):
        return output.numel() * module.in_features
    name = type(module).__name__
    if name.endswith("Attention") and inputs and torch.is_tensor(inputs[0]) and inputs[0].ndim == 3:
        b, n, c = inputs[0].shape
        return 2 * b * n * n * c
    return 0


@functools.lru_cache(maxsize=64)
def _layer_table(timm_name: str, input_size: int) -> tuple[LayerInfo, ...]:

    model = meta_model(timm_name)
    channels_last = str(getattr(model, "output_fmt", "NCHW")).upper() == "NHWC"
    modules = dict(model.named_modules())
    candidates = _candidate_layers(model)
    cost = {"macs": 0, "params": 0}
    seen: set[int] = set()
    found: dict[str, LayerInfo] = {}

    def count(module, inputs, output):
        cost["macs"] += _macs(module, inputs, output)
        if id(module) not in seen:
            seen.add(id(module))
            cost["params"] += sum(p.numel() for p in module.parameters(recurse=False))

    def record(name):
        def hook(module, inputs, output):
            out = output[0] if isinstance(output, (tuple, list)) else output
            if not torch.is_tensor(out) or name in found:
                return
            try:
                fmap = to_feature_map(out, model, channels_last)
            except ValueError:
                return  # pooled vectors, logits: not a feature map
            found[name] = LayerInfo(name, tuple(int(s) for s in fmap.shape[1:]), tuple(int(s) for s in out.shape[1:]),
                                    cost["macs"] / 1e9, cost["params"] / 1e6)
        return hook

    handles = [m.register_forward_hook(count) for m in model.modules() if not list(m.children())
               or type(m).__name__.endswith("Attention")]
    handles += [modules[n].register_forward_hook(record(n)) for n in candidates]
    try:
        with torch.no_grad():
            model(torch.zeros(1, 3, input_size, input_size, device="meta"))
    except Exception as exc:  # noqa: BLE001 - any model-specific failure becomes one clear message
        raise BackboneError(f"'{timm_name}' cannot take a {input_size}x{input_size} input: {exc}") from None
    finally:
        for h in handles:
            h.remove()
    return tuple(found[n] for n in candidates if n in found)


def layer_table(backbone: str | BackboneSpec, input_size: int | None = None) -> list[LayerInfo]:
    """The selectable layers of a backbone with their ``[C, H, W]`` maps at ``input_size`` (default: the
    backbone's own), computed on the ``meta`` device (no weights, no real forward pass)."""
    spec = backbone if isinstance(backbone, BackboneSpec) else resolve_backbone(backbone)
    return list(_layer_table(spec.timm_name, input_size or spec.input_size))


def feature_shapes(backbone: str | BackboneSpec, layers: Sequence[str] | None = None,
                   input_size: int | None = None, batch: int = 1) -> list[tuple[int, ...]]:
    """``[b, C, H, W]`` of each chosen layer as ``FeatureExtractor`` returns it, traced on the ``meta`` device.

    Any module name works, not only those of ``layer_table``. Raises ``LayerNotFoundError`` for an unknown one.
    """

    spec = backbone if isinstance(backbone, BackboneSpec) else resolve_backbone(backbone)
    size = input_size or spec.input_size
    extractor = FeatureExtractor(meta_model(spec.timm_name), list(layers or spec.layers))
    maps = extractor(torch.zeros(batch, 3, size, size, device="meta"))
    return [tuple(int(s) for s in m.shape) for m in maps]


def cost_up_to(backbone: str | BackboneSpec, layers: Sequence[str], input_size: int | None = None) -> float:
    """Rough GMACs per image to compute ``layers`` (the forward pass stops after the deepest one)."""
    table = {info.name: info for info in layer_table(backbone, input_size)}
    known = [table[n].gmacs for n in layers if n in table]
    return max(known) if known else math.nan


# ------------------------------------------------------------------------------------ weight-file layouts
def _torchvision_mobilenet_v2(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """torchvision ``mobilenet_v2`` keys -> timm ``mobilenetv2_100`` keys (same tensors, same architecture)."""
    out: dict[str, torch.Tensor] = {}
    stages = (1, 2, 3, 4, 3, 3, 1)  # blocks per timm stage; torchvision's features.1 .. features.17
    where = [(s, i) for s, n in enumerate(stages) for i in range(n)]
    first = {"conv.0.0": "conv_dw", "conv.0.1": "bn1", "conv.1": "conv_pw", "conv.2": "bn2"}
    rest = {"conv.0.0": "conv_pw", "conv.0.1": "bn1", "conv.1.0": "conv_dw", "conv.1.1": "bn2",
            "conv.2": "conv_pwl", "conv.3": "bn3"}
    for key, value in state.items():
        parts = key.split(".")
        if parts[0] == "classifier" and parts[1] == "1":
            out["classifier." + parts[2]] = value
        elif parts[0] == "features" and parts[1] == "0":
            out[("conv_stem." if parts[2] == "0" else "bn1.") + parts[3]] = value
        elif parts[0] == "features" and parts[1] == "18":
            out[("conv_head." if parts[2] == "0" else "bn2.") + parts[3]] = value
        elif parts[0] == "features" and 1 <= int(parts[1]) <= 17:
            stage, idx = where[int(parts[1]) - 1]
            table = first if parts[1] == "1" else rest
            sub, leaf = ".".join(parts[2:-1]), parts[-1]
            if sub not in table:
                raise BackboneError(f"unexpected key '{key}' in a torchvision mobilenet_v2 file")
            out[f"blocks.{stage}.{idx}.{table[sub]}.{leaf}"] = value
        else:
            out[key] = value
    return out


def _torchvision_vgg(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """torchvision ``vgg*`` -> timm: the classifier's linear layers become timm's 7x7/1x1 convolutions."""
    out = {k: v for k, v in state.items() if not k.startswith("classifier.")}
    for tv, tm in (("classifier.0", "pre_logits.fc1"), ("classifier.3", "pre_logits.fc2"), ("classifier.6", "head.fc")):
        if f"{tv}.weight" in state:
            w = state[f"{tv}.weight"]
            if tm == "pre_logits.fc1":
                w = w.reshape(w.shape[0], -1, 7, 7)
            elif tm == "pre_logits.fc2":
                w = w.reshape(w.shape[0], w.shape[1], 1, 1)
            out[f"{tm}.weight"] = w
            out[f"{tm}.bias"] = state[f"{tv}.bias"]
    return out


# (timm architecture prefix, a key only the foreign layout has, converter)
_LAYOUTS: tuple[tuple[str, str, Callable[[dict], dict]], ...] = (
    ("mobilenetv2_100", "features.0.0.weight", _torchvision_mobilenet_v2),
    ("vgg", "classifier.0.weight", _torchvision_vgg),
)


def adapt_state_dict(timm_name: str, state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Rename a foreign weight layout (torchvision) to timm's when ``state`` is in one; otherwise return it."""
    arch = timm_name.split(".")[0]
    for prefix, marker, convert in _LAYOUTS:
        if arch.startswith(prefix) and marker in state:
            return convert(state)
    return state


__all__ = [
    "BackboneError", "BackboneSpec", "LayerInfo", "REFERENCE", "adapt_state_dict", "cost_up_to",
    "feature_shapes", "layer_table", "reference_backbones", "resolve", "resolve_backbone",
]
