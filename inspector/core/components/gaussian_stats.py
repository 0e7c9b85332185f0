"""Multivariate Gaussian statistics shared by PaDiM and the Gaussian image-level model.

* ``PositionGaussians``: one Gaussian per feature-map position, fitted in a streaming way (running sums of
  ``x`` and ``x x^T`` per position, float64, shifted by the first batch's mean for accuracy), so the
  training features never have to be held at once. Covariance: unbiased, plus ``eps * I`` (PaDiM: 0.01).
* ``ledoit_wolf``: the Ledoit-Wolf shrunk covariance of ``[N, D]`` samples (closed form, as scikit-learn's
  ``LedoitWolf``), well conditioned even when ``N < D``.
* ``mahalanobis`` / ``position_mahalanobis``: distances ``sqrt((x - mu)^T P (x - mu))`` with ``P`` the
  inverse covariance (precision).
"""

from __future__ import annotations

from typing import Callable

import torch

from ..errors import InvalidInput


def ledoit_wolf(x: torch.Tensor) -> tuple[torch.Tensor, float]:
    """Ledoit-Wolf shrunk covariance of samples ``x`` ``[N, D]`` -> (covariance ``[D, D]`` float64, shrinkage).

    ``(1 - s) S + s mu I`` with ``S`` the maximum-likelihood (biased) covariance, ``mu = trace(S) / D`` and
    the shrinkage ``s`` in [0, 1] estimated in closed form (Ledoit & Wolf 2004, scikit-learn's formulation).
    """
    x = x.to(torch.float64)
    n, d = x.shape
    if n < 1:
        raise ValueError("Ledoit-Wolf needs at least one sample")
    x = x - x.mean(0, keepdim=True)
    emp_cov = x.T @ x / n
    if d == 1:
        return emp_cov, 0.0
    x2 = x * x
    emp_cov_trace = x2.sum(0) / n  # [D], the diagonal of S
    mu = emp_cov_trace.sum() / d
    beta_ = (x2.T @ x2).sum()
    delta_ = (emp_cov * emp_cov).sum()  # = sum((X^T X)^2) / n^2
    beta = (beta_ / n - delta_) / (d * n)
    delta = (delta_ - 2.0 * mu * emp_cov_trace.sum() + d * mu * mu) / d
    beta = torch.minimum(beta, delta)
    shrinkage = 0.0 if float(beta) == 0.0 else float(beta / delta)
    cov = (1.0 - shrinkage) * emp_cov
    cov.diagonal().add_(shrinkage * mu)
    return cov, shrinkage


def mahalanobis(x: torch.Tensor, mean: torch.Tensor, precision: torch.Tensor) -> torch.Tensor:
    """``x`` ``[N, D]``, ``mean`` ``[D]``, ``precision`` ``[D, D]`` -> distances ``[N]`` (same dtype as ``x``)."""
    delta = x - mean.to(x.dtype)
    d2 = ((delta @ precision.to(x.dtype)) * delta).sum(-1)
    return d2.clamp_min(0).sqrt()


def position_mahalanobis(x: torch.Tensor, mean: torch.Tensor, precision: torch.Tensor) -> torch.Tensor:
    """One Gaussian per position: ``x`` ``[b, P, D]``, ``mean`` ``[P, D]``, ``precision`` ``[P, D, D]`` -> ``[b, P]``."""
    delta = (x - mean.to(x.dtype)).transpose(0, 1)  # [P, b, D]
    d2 = (torch.bmm(delta, precision.to(x.dtype)) * delta).sum(-1)  # [P, b]
    return d2.clamp_min(0).sqrt().T


class PositionGaussians:
    """Streaming fit of a Gaussian per position for features ``[b, P, D]``.

    Holds ``P x D^2`` float64 sums (``8 P D^2`` bytes) however many images are added; ``finish`` turns them
    into means ``[P, D]`` and precisions ``[P, D, D]`` (float32, ``4 P D^2`` bytes) chunk by chunk.
    """

    def __init__(self, positions: int, dims: int):
        self.positions, self.dims = positions, dims
        self.n = 0
        self.shift: torch.Tensor | None = None  # [P, D]: sums are taken around it (avoids cancellation)
        self.sum1 = torch.zeros(positions, dims, dtype=torch.float64)
        self.sum2 = torch.zeros(positions, dims, dims, dtype=torch.float64)

    def update(self, x: torch.Tensor) -> None:
        """Add a batch of features ``[b, P, D]``."""
        if x.shape[1:] != (self.positions, self.dims):
            raise ValueError(f"features of shape {tuple(x.shape)} do not match [b, {self.positions}, {self.dims}]")
        x = x.detach().to("cpu", torch.float64)
        if self.shift is None:
            self.shift = x.mean(0)
        xc = (x - self.shift).transpose(0, 1)  # [P, b, D]
        self.sum1 += xc.sum(1)
        self.sum2.baddbmm_(xc.transpose(1, 2), xc)  # in place: no [P, D, D] temporary
        self.n += x.shape[0]

    def finish(
        self, eps: float = 0.01, chunk: int = 256, step: Callable[[int, int], None] | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """-> (means ``[P, D]`` float32, precisions ``inv(cov + eps I)`` ``[P, D, D]`` float32).

        ``cov`` is the unbiased covariance (``n - 1``). ``step(done, total)`` is called after each chunk of
        positions (for progress and cancellation). The running sums are consumed (overwritten).
        """
        if self.n < 2:
            raise InvalidInput(f"a covariance needs at least 2 training images, got {self.n}")
        n = self.n
        mean_c = self.sum1 / n  # [P, D], around the shift
        precision = torch.empty(self.positions, self.dims, self.dims, dtype=torch.float32)
        for start in range(0, self.positions, chunk):
            stop = min(start + chunk, self.positions)
            m = mean_c[start:stop]
            cov = self.sum2[start:stop]
            cov.sub_(n * m.unsqueeze(2) * m.unsqueeze(1)).div_(n - 1)
            cov.diagonal(dim1=1, dim2=2).add_(eps)
            precision[start:stop] = torch.linalg.inv(cov).to(torch.float32)
            if step is not None:
                step(stop, self.positions)
        means = (self.shift + mean_c).to(torch.float32)
        return means, precision
