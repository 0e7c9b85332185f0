"""Run the frozen backbone through OpenVINO instead of eager torch, checked against torch when it is set up.

``use_openvino(extractor, (h, w))`` converts the extractor (up to its deepest chosen layer) to an OpenVINO
model with a free batch size, compiles it for the CPU in float32, runs it and eager torch on the same random
batch and compares: if the largest difference is more than ``tolerance`` of the maps' scale, or anything
fails (OpenVINO missing, an operator it cannot convert), the extractor stays on torch and the returned
message says why. The extractor's own forward then calls the compiled model; the models do not change.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import torch
from torch import nn

from .extractor import FeatureExtractor


class _Export(nn.Module):
    """The extractor as a function a tracer can follow: no early stop, a tuple of maps."""

    def __init__(self, extractor: FeatureExtractor):
        super().__init__()
        self.extractor = extractor

    def forward(self, x: torch.Tensor):
        return tuple(self.extractor.eager(x))


class OpenVinoRunner:
    """``runner(x [b, 3, h, w]) -> list of [b, C_l, H_l, W_l]`` through an OpenVINO CPU model."""

    name = "openvino"

    def __init__(self, extractor: FeatureExtractor, size: tuple[int, int], threads: int | None = None):
        import openvino as ov

        h, w = size
        extractor._stop = False
        try:
            with torch.no_grad(), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the tracer's deprecation notices: not the user's business
                model = ov.convert_model(_Export(extractor), example_input=torch.zeros(1, 3, h, w),
                                         input=[ov.PartialShape([-1, 3, h, w])])
        finally:
            extractor._stop = True
        config = {"INFERENCE_PRECISION_HINT": "f32", "PERFORMANCE_HINT": "LATENCY"}
        if threads:
            config["INFERENCE_NUM_THREADS"] = threads
        self.compiled = ov.Core().compile_model(model, "CPU", config)
        self.size = (h, w)

    def __call__(self, x: torch.Tensor) -> list[torch.Tensor]:
        if tuple(x.shape[-2:]) != self.size or x.device.type != "cpu":
            raise ValueError(f"the OpenVINO backbone was compiled for {self.size} on the CPU, got {tuple(x.shape)}")
        result = self.compiled(np.ascontiguousarray(x.float().numpy()))
        return [torch.from_numpy(result[i]) for i in range(len(self.compiled.outputs))]


def check_against_torch(extractor: FeatureExtractor, runner, size: tuple[int, int], seed: int = 0) -> float:
    """Largest absolute difference between ``runner`` and eager torch on a random batch of 2, relative to
    the largest absolute value of the torch maps."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(2, 3, *size, generator=gen)
    with torch.no_grad():
        ref = extractor.eager(x)
    got = runner(x)
    diff = max(float((a - b).abs().max()) for a, b in zip(ref, got))
    scale = max(float(a.abs().max()) for a in ref) or 1.0
    return diff / scale


def use_openvino(extractor: FeatureExtractor, size: tuple[int, int], tolerance: float = 1e-4,
                 threads: int | None = None) -> str:
    """Switch ``extractor`` to OpenVINO if it converts and agrees with torch; returns what happened, in words."""
    try:
        runner = OpenVinoRunner(extractor, size, threads or len(os.sched_getaffinity(0)))
        diff = check_against_torch(extractor, runner, size)
    except Exception as exc:  # noqa: BLE001 - any failure means: stay on torch, and say why
        extractor.runner = None
        return f"backbone on torch (OpenVINO unavailable: {type(exc).__name__}: {str(exc)[:200]})"
    if not diff <= tolerance:
        extractor.runner = None
        return f"backbone on torch (OpenVINO differs from torch by {diff:.2e} of the maps' scale > {tolerance:.0e})"
    extractor.runner = runner
    return f"backbone on OpenVINO (max abs difference to torch: {diff:.2e} of the maps' scale)"


def runtime_name(extractor: FeatureExtractor) -> str:
    return getattr(extractor.runner, "name", "torch eager")
