"""From a grid of patch scores to a per-pixel anomaly map (PatchCore's ``RescaleSegmentor``).

The ``[b, h, w]`` patch-score grid is upsampled to the input size and blurred with a Gaussian of ``sigma``
pixels (kernel truncated at 4 sigma: 33 taps for sigma 4). Two variants, both recorded in a model's config:

- upsampling ``bilinear`` (``align_corners=False``; the official PatchCore) or ``nearest`` (torch's default
  ``F.interpolate`` mode, as anomalib uses: each patch becomes a flat block);
- blur border ``reflect`` (the edge value repeated, ``d c b a | a b c d``: ``scipy.ndimage.gaussian_filter``'s
  default, the official PatchCore) or ``mirror`` (``d c b | a b c d``: torch's ``F.pad(mode="reflect")``, as
  anomalib's ``GaussianBlur2d`` pads).

Upsampling and blur are both linear and act on rows and columns separately, so each axis is one precomputed
``[out, in]`` matrix (blur times upsampling, built once per shape and cached): a map is ``M_h @ S @ M_w^T``, two
small matrix products per image and no padded temporaries. The matrices come from the very operations they
stand for (``F.interpolate`` on an identity, the 1-D blur on an identity), so the result equals upsample-then-
blur up to float rounding (tests compare with both).
"""

from __future__ import annotations

from functools import lru_cache

import torch
import torch.nn.functional as F

INTERPOLATIONS = ("bilinear", "nearest")
BLUR_BORDERS = ("reflect", "mirror")


def gaussian_kernel1d(sigma: float, truncate: float = 4.0) -> torch.Tensor:
    radius = int(truncate * sigma + 0.5)
    x = torch.arange(-radius, radius + 1, dtype=torch.float64)
    k = torch.exp(-0.5 * (x / sigma) ** 2)
    return k / k.sum()


def _mirror_index(i: int, n: int, border: str) -> int:
    """Index ``i`` (possibly outside ``0..n-1``) folded back into the signal by the border rule."""
    if n == 1:
        return 0
    if border == "reflect":  # period 2n: -1 -> 0, n -> n-1
        i %= 2 * n
        return i if i < n else 2 * n - 1 - i
    i %= 2 * n - 2  # mirror, period 2n-2: -1 -> 1, n -> n-2
    return i if i < n else 2 * n - 2 - i


def _border_indices(n: int, r: int, border: str) -> torch.Tensor:
    """``[n + 2r]``: the sample each position of the signal padded by ``r`` on both sides reads."""
    if border not in BLUR_BORDERS:
        raise ValueError(f"unknown blur border {border!r} (one of {', '.join(BLUR_BORDERS)})")
    return torch.tensor([_mirror_index(i, n, border) for i in range(-r, n + r)])


def _blur_rows(mat: torch.Tensor, sigma: float, border: str) -> torch.Tensor:
    """The 1-D blur applied along the rows' axis of ``mat`` ``[n, m]`` (float64): ``B @ mat``, B never built."""
    if sigma <= 0:
        return mat
    k = gaussian_kernel1d(sigma)
    r = (k.numel() - 1) // 2
    idx = _border_indices(mat.shape[0], r, border)
    out = torch.zeros_like(mat)
    for t in range(2 * r + 1):
        out += k[t] * mat[idx[t : t + mat.shape[0]]]
    return out


def blur_matrix(n: int, sigma: float, border: str = "reflect") -> torch.Tensor:
    """The ``[n, n]`` float64 matrix of the 1-D Gaussian blur of ``n`` samples with the given border rule."""
    return _blur_rows(torch.eye(n, dtype=torch.float64), sigma, border)


def upsample_matrix(n_in: int, n_out: int, mode: str = "bilinear") -> torch.Tensor:
    """The ``[n_out, n_in]`` float64 matrix of ``F.interpolate`` along one axis (bilinear = linear per axis)."""
    if mode not in INTERPOLATIONS:
        raise ValueError(f"unknown map interpolation {mode!r} (one of {', '.join(INTERPOLATIONS)})")
    eye = torch.eye(n_in, dtype=torch.float64).unsqueeze(0)  # [1, n_in (channels = impulses), n_in]
    kw = {"mode": "linear", "align_corners": False} if mode == "bilinear" else {"mode": "nearest"}
    return F.interpolate(eye, size=n_out, **kw)[0].T.contiguous()


DENSE_MAX_IN = 64  # a grid axis up to this long is applied as one dense product; longer ones as a band


class AxisOperator:
    """Upsampling then blur along one axis: ``[n_out, n_in]``, applied densely (one matrix product, fastest
    for the usual grids of 28-64 patches) or, for long axes, as a band of ``taps`` columns per output row
    (a handful: the blur's 33 pixels span about 33 / stride patches), so big maps cost O(taps) per pixel."""

    def __init__(self, n_in: int, n_out: int, sigma: float, mode: str, border: str):
        op = _blur_rows(upsample_matrix(n_in, n_out, mode), sigma, border)  # [n_out, n_in] float64
        self.dense = op.float() if n_in <= DENSE_MAX_IN else None
        nz = op != 0
        first = torch.where(nz.any(1), nz.float().argmax(1), torch.zeros(n_out, dtype=torch.long))
        last = n_in - 1 - nz.flip(1).float().argmax(1)
        self.taps = int((last - first).max()) + 1
        cols = (first[:, None] + torch.arange(self.taps)[None]).clamp_(max=n_in - 1)  # [n_out, taps]
        weights = torch.gather(op, 1, cols)
        weights[first[:, None] + torch.arange(self.taps)[None] > n_in - 1] = 0.0  # clamped taps read nothing
        self.cols, self.weights = cols.T.contiguous(), weights.T.float().contiguous()  # [taps, n_out]

    def apply_last(self, x: torch.Tensor) -> torch.Tensor:
        """``x`` ``[..., n_in]`` -> ``[..., n_out]``."""
        if self.dense is not None:
            return x @ self.dense.to(x.device).T
        out = scratch = None
        for cols, w in zip(self.cols.to(x.device), self.weights.to(x.device)):
            scratch = torch.index_select(x, -1, cols, out=scratch) if scratch is not None else x.index_select(-1, cols)
            out = scratch * w if out is None else out.addcmul_(scratch, w)
        return out

    def apply_rows(self, x: torch.Tensor) -> torch.Tensor:
        """``x`` ``[..., n_in, m]`` -> ``[..., n_out, m]``."""
        if self.dense is not None:
            return self.dense.to(x.device) @ x
        out = scratch = None
        for cols, w in zip(self.cols.to(x.device), self.weights.to(x.device)):
            scratch = torch.index_select(x, -2, cols, out=scratch) if scratch is not None else x.index_select(-2, cols)
            out = scratch * w[:, None] if out is None else out.addcmul_(scratch, w[:, None])
        return out


@lru_cache(maxsize=32)
def axis_operator(n_in: int, n_out: int, sigma: float, mode: str, border: str) -> AxisOperator:
    return AxisOperator(n_in, n_out, sigma, mode, border)


def gaussian_blur(maps: torch.Tensor, sigma: float, border: str = "reflect") -> torch.Tensor:
    """Separable Gaussian blur of ``[b, H, W]`` (an identity "upsampling" plus the blur, per axis)."""
    if sigma <= 0:
        return maps
    h, w = maps.shape[-2:]
    x = maps.float()
    x = axis_operator(int(w), int(w), float(sigma), "nearest", border).apply_last(x)
    return axis_operator(int(h), int(h), float(sigma), "nearest", border).apply_rows(x)


def anomaly_maps(
    patch_scores: torch.Tensor,
    size: int | tuple[int, int],
    sigma: float = 4.0,
    interpolation: str = "bilinear",
    border: str = "reflect",
) -> torch.Tensor:
    """``[b, h, w]`` patch scores -> ``[b, H, W]`` float32 anomaly maps (upsampled, then blurred).

    Columns first (``[b, h, w] -> [b, h, W]``, the small product), then rows (``-> [b, H, W]``): one
    temporary of ``h x W`` per image and the output."""
    out_h, out_w = (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))
    scores = patch_scores.float()
    h, w = (int(s) for s in scores.shape[-2:])
    x = axis_operator(w, out_w, float(sigma), interpolation, border).apply_last(scores)
    return axis_operator(h, out_h, float(sigma), interpolation, border).apply_rows(x)


def reference_anomaly_maps(
    patch_scores: torch.Tensor, size: int | tuple[int, int], sigma: float = 4.0,
    interpolation: str = "bilinear", border: str = "reflect",
) -> torch.Tensor:
    """Upsample, pad by the border rule, convolve rows and columns: the plain order of operations, for tests."""
    size = (size, size) if isinstance(size, int) else tuple(size)
    kw = {"mode": "bilinear", "align_corners": False} if interpolation == "bilinear" else {"mode": "nearest"}
    up = F.interpolate(patch_scores.unsqueeze(1).double(), size=size, **kw)
    if sigma <= 0:
        return up.squeeze(1).float()
    k = gaussian_kernel1d(sigma)
    r = (k.numel() - 1) // 2
    for dim in (3, 2):
        n = up.shape[dim]
        idx = torch.tensor([_mirror_index(i, n, border) for i in range(-r, n + r)])
        padded = up.index_select(dim, idx)
        up = F.conv2d(padded, k.view(1, 1, 1, -1) if dim == 3 else k.view(1, 1, -1, 1))
    return up.squeeze(1).float()
