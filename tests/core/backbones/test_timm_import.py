"""timm imported through ``import_timm``: no Triton in a CPU-only process, Triton still importable afterwards."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from inspector.core.backbones.timm_import import gpu_present

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = """
import json, sys
from inspector.core.backbones.build import build_feature_extractor
from inspector.core.backbones.weights import WeightsSource
import torch
extractor, _ = build_feature_extractor("resnet18", ["layer2"], WeightsSource.parse("random"), 64)
maps = extractor(torch.zeros(1, 3, 64, 64))
loaded = "triton" in sys.modules
import triton  # hidden only while timm imported: still there for whoever wants it
print(json.dumps({"triton_while_building": loaded, "shape": list(maps[0].shape), "timm": "timm" in sys.modules}))
"""


@pytest.mark.skipif(importlib.util.find_spec("triton") is None, reason="Triton is not installed here")
@pytest.mark.skipif(gpu_present(), reason="a GPU is present: Triton is imported as usual")
def test_building_a_backbone_on_a_cpu_only_pc_does_not_load_triton():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out == {"triton_while_building": False, "shape": [1, 128, 8, 8], "timm": True}
