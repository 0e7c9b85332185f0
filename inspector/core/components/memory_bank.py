"""The full memory bank while it is being built: spilled to a temporary file, never held in memory.

PatchCore's bank holds every training patch vector (bottle: 209 images x 784 patches x 1024 floats = 670 MB;
a thousand images would be 3.2 GB), but only the coreset rows are kept. The coreset is chosen on 128-dim
projections, so the full vectors are appended to an unlinked temporary file with plain writes (the page
cache holds them, not the process) and only the chosen rows are read back. The file disappears when closed,
also after a crash.
"""

from __future__ import annotations

import os
import tempfile

import numpy as np
import torch


class SpilledBank:
    """Append ``[n, D]`` float32 rows; read chosen rows back as ``[k, D]``."""

    def __init__(self, dim: int, folder: str | None = None):
        self.dim = dim
        self.rows = 0
        self._file = tempfile.TemporaryFile(prefix="inspector-bank-", dir=folder)

    def append(self, rows: torch.Tensor) -> None:
        data = np.ascontiguousarray(rows.detach().cpu().numpy(), dtype=np.float32)
        if data.ndim != 2 or data.shape[1] != self.dim:
            raise ValueError(f"expected rows of {self.dim} values, got {tuple(data.shape)}")
        self._file.write(data.tobytes())
        self.rows += data.shape[0]

    def read(self, indices: np.ndarray) -> torch.Tensor:
        """The rows at ``indices`` (in that order) as a float32 tensor ``[k, D]``."""
        self._file.flush()
        out = np.empty((len(indices), self.dim), dtype=np.float32)
        row_bytes = self.dim * 4
        fd = self._file.fileno()
        for i, idx in enumerate(np.asarray(indices, dtype=np.int64)):
            if not 0 <= idx < self.rows:
                raise IndexError(f"row {idx} out of range (0..{self.rows - 1})")
            out[i] = np.frombuffer(os.pread(fd, row_bytes, int(idx) * row_bytes), dtype=np.float32)
        return torch.from_numpy(out)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> "SpilledBank":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
