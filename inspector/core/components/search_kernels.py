"""Compiled inner loop of the exact pruned nearest-neighbour search (numba); see ``search.PrunedSearch``.

Per query (in parallel over queries), with ``g[j] = q_lo . b_lo[j]`` from one matrix product:
1. the lower bound ``lb[j] = |q_lo - b_lo[j]|^2 + (|q_hi| - |b_hi[j]|)^2 <= |q - b[j]|^2`` for every bank
   vector (``lo``: the leading principal coordinates, ``hi``: the rest, of which only norms are kept);
2. the exact distance to the vector with the smallest bound, then to every vector whose bound is below the
   best exact distance so far (minus a rounding margin), abandoning a sum as soon as it exceeds the best.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

# Bounds come from |a|^2 + |b|^2 - 2 a.b in float32: off by ~1e-6 of the norms. A vector is skipped only when
# its bound exceeds the best distance by far more than that.
_MARGIN = np.float32(1e-4)


@njit(cache=True, fastmath=True, nogil=True, inline="always")
def _distance(a, b, best):
    """``|a - b|^2``, abandoned (some partial sum > ``best`` returned) once it exceeds ``best``."""
    d = a.shape[0]
    s = np.float32(0.0)
    for k0 in range(0, d, 128):
        part = np.float32(0.0)
        for k in range(k0, min(k0 + 128, d)):
            t = a[k] - b[k]
            part += t * t
        s += part
        if s > best:
            return s
    return s


@njit(cache=True, parallel=True, fastmath=True, nogil=True)
def nearest(g, q, q_lo2, q_hi_min, q_hi_max, q2, bank, b_lo2, b_hi, b2, dist, index, checked):
    """``g`` ``[n, M]`` low products (overwritten with the bounds); ``q`` ``[n, D]``, ``bank`` ``[M, D]``
    (centred); per query ``q_lo2`` (squared low norm), ``q_hi_min`` <= ``|q_hi|`` <= ``q_hi_max``, ``q2``
    (squared norm), and per bank vector ``b_lo2``, ``b_hi`` (the high norm), ``b2``. Writes the squared
    distance ``dist`` ``[n]`` and ``index`` ``[n]`` of the nearest bank vector (the smallest index among
    exact ties) and how many distances were computed, ``checked`` ``[n]``."""
    n, m = g.shape
    two = np.float32(2.0)
    zero = np.float32(0.0)
    for i in prange(n):
        row = g[i]
        a, lo, hi, slack = q_lo2[i], q_hi_min[i], q_hi_max[i], _MARGIN * q2[i]
        for j in range(m):  # the bound minus the rounding margin, in place (a loop the compiler vectorises)
            t = max(zero, b_hi[j] - hi, lo - b_hi[j])
            row[j] = a + b_lo2[j] - two * row[j] + t * t - slack - _MARGIN * b2[j]
        first = np.argmin(row)
        best = _distance(q[i], bank[first], np.float32(np.inf))
        arg = first
        count = 1
        for j in range(m):
            if row[j] > best or j == first:
                continue
            count += 1
            s = _distance(q[i], bank[j], best)
            if s < best or (s == best and j < arg):
                best = s
                arg = j
        dist[i] = best
        index[i] = arg
        checked[i] = count
