"""The full memory bank while it is being built: spilled to a temporary file, never held in memory.

PatchCore's bank holds every training patch vector (bottle: 209 images x 784 patches x 1024 floats = 670 MB;
a thousand images would be 3.2 GB), but only the coreset rows are kept. The coreset is chosen on 128-dim
projections, so the full vectors are appended to an unlinked temporary file with plain writes (the page
cache holds them, not the process) and only the chosen rows are read back. The file disappears when closed,
also after a crash. With a ``projection``, each appended batch is also projected into one growing array,
reserved ahead from an estimate of the row count (reserved pages cost no memory until written), so the
coreset gets the projected bank without a second copy for concatenating batches.
"""

from __future__ import annotations

import os
import tempfile

import numpy as np
import torch


class SpilledBank:
    """Append ``[n, D]`` float32 rows; read chosen rows back as ``[k, D]``; ``projected()``: all rows ``@ projection``."""

    def __init__(self, dim: int, folder: str | None = None, projection: torch.Tensor | None = None):
        self.dim = dim
        self.rows = 0
        self._file = tempfile.TemporaryFile(prefix="inspector-bank-", dir=folder)
        self.projection = projection  # [D, d] or None: rows are kept as they are (when D is already small)
        self._projected = np.empty((0, dim if projection is None else projection.shape[1]), dtype=np.float32)

    def reserve(self, rows: int) -> None:
        """Room for ``rows`` projected rows in all (an estimate: more rows still fit, by growing)."""
        if rows > len(self._projected):
            grown = np.empty((rows, self._projected.shape[1]), dtype=np.float32)
            grown[: self.rows] = self._projected[: self.rows]
            self._projected = grown

    def append(self, rows: torch.Tensor) -> None:
        data = np.ascontiguousarray(rows.detach().cpu().numpy(), dtype=np.float32)
        if data.ndim != 2 or data.shape[1] != self.dim:
            raise ValueError(f"expected rows of {self.dim} values, got {tuple(data.shape)}")
        if self.rows + len(data) > len(self._projected):
            self.reserve(max(self.rows + len(data), int(len(self._projected) * 1.25), 4096))
        block = self._projected[self.rows : self.rows + len(data)]
        if self.projection is None:
            block[:] = data
        else:
            torch.mm(torch.from_numpy(data), self.projection, out=torch.from_numpy(block))
        self._file.write(memoryview(data).cast("B"))  # no copy of the batch
        self.rows += data.shape[0]

    def projected(self) -> torch.Tensor:
        """Every row appended so far, projected: ``[rows, d]`` (a view, no copy)."""
        return torch.from_numpy(self._projected[: self.rows])

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
        """Delete the file and let go of the projected rows (a view handed out earlier keeps them alive)."""
        self._file.close()
        self._projected = self._projected[:0].copy()

    def __enter__(self) -> "SpilledBank":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
