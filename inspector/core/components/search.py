"""Nearest-neighbour search over the memory bank: faiss ``IndexFlatL2`` (exact), on the GPU when faiss-gpu is there.

``IndexFlatL2`` holds the vectors themselves, so it is rebuilt from the saved memory bank in milliseconds
instead of being stored twice on disk.
"""

from __future__ import annotations

import faiss
import numpy as np
import torch


class NearestNeighbours:
    """Exact L2 search over ``bank`` ``[M, D]``; ``search`` returns Euclidean (not squared) distances."""

    def __init__(self, bank: np.ndarray, device: torch.device | str = "cpu"):
        self.bank = np.ascontiguousarray(bank, dtype=np.float32)
        index = faiss.IndexFlatL2(self.bank.shape[1])
        if torch.device(device).type == "cuda" and hasattr(faiss, "StandardGpuResources"):
            self._gpu_res = faiss.StandardGpuResources()
            index = faiss.index_cpu_to_gpu(self._gpu_res, torch.device(device).index or 0, index)
        index.add(self.bank)
        self.index = index

    def __len__(self) -> int:
        return self.bank.shape[0]

    def search(self, queries: np.ndarray, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """``queries`` ``[n, D]`` -> (distances ``[n, k]``, indices ``[n, k]``), nearest first."""
        sq, idx = self.index.search(np.ascontiguousarray(queries, dtype=np.float32), k)
        return np.sqrt(np.maximum(sq, 0.0)), idx
