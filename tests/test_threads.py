"""The OpenMP wait policy that keeps torch and faiss from spinning against each other is set on import."""

from __future__ import annotations

import subprocess
import sys


def test_passive_openmp_wait_policy_is_set_before_torch_and_faiss_load():
    code = "import inspector, os, sys; print(os.environ['OMP_WAIT_POLICY'], 'torch' in sys.modules)"
    env = {k: v for k, v in __import__("os").environ.items() if k != "OMP_WAIT_POLICY"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.split() == ["PASSIVE", "False"]
