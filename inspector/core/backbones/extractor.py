"""A frozen, pretrained timm backbone that returns the feature maps of named layers as ``[b, C, H, W]``.

Layers are chosen by module name (``layer2``, ``blocks.6``, ``layers.1``, ...). Forward hooks collect their
outputs and the forward pass stops right after the last one, so deeper layers are never computed; modules
that never run are removed, so their weights are neither needed nor kept in memory.
Outputs are turned into maps whatever the family: CNN maps as they are; token sequences ``[b, N, C]`` of
ViT/DeiT lose their prefix (class, distillation) tokens and fold into a square grid; channels-last stage
outputs ``[b, H, W, C]`` (Swin) are permuted.
"""

from __future__ import annotations

import math
from typing import Sequence

import torch
from torch import nn

from ..errors import InspectorError, InvalidInput
from ..runtime.pacing import TimedSplit
from ..runtime.progress import CancelToken, call_cancellable


class _StopForward(Exception):
    """Raised by the last hook: nothing after the deepest chosen layer needs computing."""


class LayerNotFoundError(InspectorError, ValueError):
    pass


def to_feature_map(out: torch.Tensor, model: nn.Module, channels_last: bool) -> torch.Tensor:
    """Turn one layer's output into ``[b, C, H, W]``.

    ``[b, N, C]`` tokens: drop ``model.num_prefix_tokens`` leading tokens, fold the rest into a square grid.
    ``[b, H, W, C]`` when the model's output format is channels-last: permute.
    """
    if isinstance(out, (tuple, list)):
        out = out[0]
    if out.ndim == 3:
        prefix = int(getattr(model, "num_prefix_tokens", 0) or 0)
        n = out.shape[1]
        if math.isqrt(n) ** 2 == n and math.isqrt(n - prefix) ** 2 != n - prefix:
            prefix = 0  # a layer before the prefix tokens are added (``patch_embed``): every token is a patch
        tokens = out[:, prefix:, :]
        side = math.isqrt(tokens.shape[1])
        if side * side != tokens.shape[1]:
            raise ValueError(f"cannot fold {tokens.shape[1]} tokens into a square feature grid")
        return tokens.transpose(1, 2).reshape(out.shape[0], out.shape[2], side, side)
    if out.ndim == 4:
        return out.permute(0, 3, 1, 2) if channels_last else out
    raise ValueError(f"a layer output of shape {tuple(out.shape)} cannot be used as a feature map")


class FeatureExtractor(nn.Module):
    """Wraps a model; ``forward(x [b,3,H,W]) -> list of [b, C_l, H_l, W_l]``, one per chosen layer, in order."""

    def __init__(self, model: nn.Module, layers: Sequence[str]):
        super().__init__()
        if not layers:
            raise InvalidInput("choose at least one layer")
        modules = dict(model.named_modules())
        unknown = [name for name in layers if name not in modules]
        if unknown:
            raise LayerNotFoundError(
                f"layer(s) {', '.join(unknown)} not found in {type(model).__name__}; "
                f"top-level modules are: {', '.join(n for n, _ in model.named_children())}"
            )
        self.model = model
        self.layers = list(layers)
        self.weights_label = ""  # which weights were loaded, for messages (set by build_feature_extractor)
        self.channels_last = str(getattr(model, "output_fmt", "NCHW")).upper() == "NHWC"
        self._outputs: dict[str, torch.Tensor] = {}
        self._split = TimedSplit()  # with a cancel token: pieces of ~0.3 s, the token checked between them
        self._stop = True  # False while exporting: a graph cannot stop by an exception (the pruned tail is cheap)
        self.runner = None  # a compiled runtime for the same function (backbones/runtime.py), or None: eager torch
        self.head: nn.Module | None = None  # the model's maps -> features step, compiled with the backbone if it can
        self._last = self._deepest_layer(modules)
        for name in self.layers:
            modules[name].register_forward_hook(self._make_hook(name))
        self.requires_grad_(False)
        self.eval()

    def _deepest_layer(self, modules: dict[str, nn.Module]) -> str:
        order = {name: i for i, name in enumerate(modules)}
        return max(self.layers, key=lambda n: order[n])

    def _make_hook(self, name: str):
        def hook(module, inputs, output):
            self._outputs[name] = output
            if self._stop and name == self._last and all(n in self._outputs for n in self.layers):
                raise _StopForward

        return hook

    def train(self, mode: bool = True) -> "FeatureExtractor":
        """Always eval: the backbone is frozen (BatchNorm statistics must never change)."""
        return super().train(False)

    @torch.no_grad()
    def forward(self, x: torch.Tensor, cancel: CancelToken | None = None) -> list[torch.Tensor]:
        """With ``cancel``, the batch runs in pieces sized to ~0.3 s and the token is checked between them."""
        if getattr(self.runner, "head", None) is None:  # (with a head, the runner's graph is the features')
            self._compile_first(x, cancel)
        return self._split.run(self._forward, x, cancel)

    def _compile_first(self, x: torch.Tensor, cancel: CancelToken | None) -> None:
        """The runner compiles an input size on first use (seconds, and it checks no token): with ``cancel``,
        that is waited for on a helper thread, so a cancel meanwhile is answered at once."""
        compile_size = getattr(self.runner, "compile", None)
        if cancel is not None and compile_size is not None and x.device.type == "cpu":
            size = (int(x.shape[-2]), int(x.shape[-1]))
            if size not in getattr(self.runner, "compiled", ()):
                call_cancellable(lambda: compile_size(size), cancel)

    def _forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        if self.runner is not None:
            return self.runner(x)
        return self.eager(x)

    @torch.no_grad()
    def features(self, x: torch.Tensor, cancel: CancelToken | None = None) -> torch.Tensor:
        """``head(maps)``: through the runner's graph when the head was compiled into it, else the head over
        ``forward``'s maps. With ``cancel``, in time-sized pieces like ``forward``."""
        if self.head is None:
            raise RuntimeError("this extractor has no head: call it for the maps")
        if getattr(self.runner, "head", None) is not None:
            self._compile_first(x, cancel)
        return self._split.run(self._features, x, cancel)

    def _features(self, x: torch.Tensor) -> torch.Tensor:
        runner = self.runner
        if runner is not None and getattr(runner, "head", None) is not None:
            out = runner.features(x)
            if out is not None:
                return out
        return self.head(self._forward(x))

    def eager(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The layer maps computed by torch itself."""
        self._outputs = {}
        try:
            self.model(x)
        except _StopForward:
            pass
        missing = [n for n in self.layers if n not in self._outputs]
        if missing:
            raise RuntimeError(f"layer(s) {', '.join(missing)} produced no output during the forward pass")
        outs = [to_feature_map(self._outputs[n], self.model, self.channels_last) for n in self.layers]
        self._outputs = {}
        return outs

    def executed_modules(self, input_size: int) -> set[str]:
        """Names of the modules that run up to the deepest chosen layer for an input of ``input_size``.

        Runs on whatever device the model is on: build the model on the ``meta`` device to trace for free.
        """
        ran: set[str] = set()
        handles = [
            m.register_forward_pre_hook(lambda mod, inp, name=name: ran.add(name))
            for name, m in self.model.named_modules()
        ]
        device = next(self.model.parameters(), torch.empty(0)).device
        try:
            self.forward(torch.zeros(1, 3, input_size, input_size, device=device))
        finally:
            for h in handles:
                h.remove()
        return ran

    def prune(self, ran: set[str]) -> list[str]:
        """Replace the modules not in ``ran`` (heads, later stages) by ``nn.Identity``; return their names.

        Weight files may still hold the pruned modules' keys: those are ignored when loading.
        """
        pruned: list[str] = []
        for name, _ in list(self.model.named_modules()):
            if not name or name in ran or any(name.startswith(p + ".") for p in pruned):
                continue
            parent_name, _, child = name.rpartition(".")
            parent = self.model.get_submodule(parent_name) if parent_name else self.model
            setattr(parent, child, nn.Identity())
            pruned.append(name)
        return pruned
