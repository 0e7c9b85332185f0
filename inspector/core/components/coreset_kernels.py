"""Compiled inner loop of the greedy coreset (numba): one read of the projected bank per chosen point, at most.

The bank ``z`` ``[N, d]`` (float32, rows permuted into blocks) is visited block by block, in parallel over
blocks. For every block of rows the loop
1. tests a bound: the block's rows all lie in a shell ``inner <= |x - pivot| <= radius`` around a ``pivot``
   (an earlier chosen point), so by the triangle inequality none is closer to the new centre ``c`` than
   ``|c - pivot| - radius`` or ``inner - |c - pivot|``; if that is more than the largest min-distance in
   the block, no row of the block can change and it is skipped;
2. otherwise, in one pass over its rows: the squared distance to ``c``, the in-place minimum, and the
   block's farthest row (its largest min-distance), so the next pick is an argmax over blocks, not over N.
Skipping only rows that could not change keeps the result the very one of the unpruned pass.
Min-distances are kept squared (no square root per row; the order is the same).
"""

from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange

# Relative margin on the bound: float32 distances over 128 dims are exact to ~1e-5 relative, so a block is
# skipped only when it could not change by a wide margin of rounding.
_MARGIN = np.float32(1e-4)


@njit(cache=True, parallel=True, fastmath=True, nogil=True)
def greedy_picks(z, orig, mind, assign, starts, pivots, inner, radius, block_max, block_arg, picked, chosen, first, last, cur):
    """Choose points ``first .. last - 1``; ``cur`` is the row of the next point.

    Returns (the row of the point after ``last``, how many rows were read).

    ``z`` ``[N, d]`` rows in block order; ``orig`` ``[N]`` their original indices; ``mind`` ``[N]`` squared
    min-distances (updated); ``assign`` ``[N]`` the pick that set each min-distance (updated); ``starts``
    ``[B + 1]`` block row ranges; per block a ``pivots`` ``[B, d]`` and the shell ``inner`` ``[B]`` <=
    ``|x - pivot|`` <= ``radius`` ``[B]`` its rows lie in (``radius`` < 0: no bound);
    ``block_max`` / ``block_arg`` ``[B]`` each block's largest min-distance and its row (updated);
    ``picked`` ``[k, d]`` and ``chosen`` ``[k]`` receive the chosen vectors and original indices.
    """
    d = z.shape[1]
    n_blocks = block_max.shape[0]
    one = np.float32(1.0)
    rows = 0
    for p in range(first, last):
        chosen[p] = orig[cur]
        for j in range(d):
            picked[p, j] = z[cur, j]
        c = picked[p]
        for b in prange(n_blocks):
            skip = False
            if radius[b] >= 0:
                s = np.float32(0.0)
                for j in range(d):
                    t = c[j] - pivots[b, j]
                    s += t * t
                dc = np.sqrt(s)
                # rows lie in the shell inner <= |x - pivot| <= radius: |x - c| >= dc - radius, inner - dc
                low = max(dc * (one - _MARGIN) - radius[b] * (one + _MARGIN),
                          inner[b] * (one - _MARGIN) - dc * (one + _MARGIN))
                skip = low > 0 and low * low * (one - _MARGIN) > block_max[b]
            if not skip:
                lo, hi = starts[b], starts[b + 1]
                rows += hi - lo
                best = np.float32(-1.0)
                arg = lo
                for i in range(lo, hi):
                    s = np.float32(0.0)
                    for j in range(d):
                        t = z[i, j] - c[j]
                        s += t * t
                    if s < mind[i]:
                        mind[i] = s
                        assign[i] = p
                    m = mind[i]
                    if m > best or (m == best and orig[i] < orig[arg]):
                        best = m
                        arg = i
                block_max[b] = best
                block_arg[b] = arg
        best = np.float32(-1.0)
        cur = block_arg[0]
        for b in range(n_blocks):
            m = block_max[b]
            if m > best or (m == best and orig[block_arg[b]] < orig[cur]):
                best = m
                cur = block_arg[b]
    return cur, rows


def coreset_threads() -> int:
    """Threads for the greedy loop: half the cores, at most 8. The loop is bound by memory bandwidth, which
    one or two cores fill (measured on a 2-core PC: one thread read the bank at 28 GB/s, two no faster), and
    each pick waits for every thread, so a thread descheduled by other work stalls all the others."""
    return max(1, min(numba.config.NUMBA_NUM_THREADS // 2, 8))


def run_parallel(kernel, *args, threads: int | None = None, chunk: int = 8):
    """Call a parallel kernel with ``threads`` threads and ``chunk`` blocks per work item (skipped blocks are
    unevenly spread, so small work items balance the threads)."""
    threads_before = numba.get_num_threads()
    chunk_before = numba.set_parallel_chunksize(chunk)
    numba.set_num_threads(threads or coreset_threads())
    try:
        return kernel(*args)
    finally:
        numba.set_num_threads(threads_before)
        numba.set_parallel_chunksize(chunk_before)


@njit(cache=True, nogil=True)
def block_maxima(mind, orig, starts, block_max, block_arg):
    """Each block's largest ``mind`` and its row (the smallest original index among equals)."""
    for b in range(block_max.shape[0]):
        lo, hi = starts[b], starts[b + 1]
        best = np.float32(-1.0)
        arg = lo
        for i in range(lo, hi):
            m = mind[i]
            if m > best or (m == best and orig[i] < orig[arg]):
                best = m
                arg = i
        block_max[b] = best
        block_arg[b] = arg


@njit(cache=True, nogil=True)
def permute_rows(z, order):
    """``z[i] = z[order[i]]`` for every row, in place (following the permutation's cycles with one spare row):
    regrouping the bank needs no second copy of it."""
    n = z.shape[0]
    done = np.zeros(n, dtype=np.bool_)
    spare = np.empty(z.shape[1], dtype=z.dtype)
    for start in range(n):
        if done[start]:
            continue
        spare[:] = z[start]
        i = start
        while True:
            done[i] = True
            j = order[i]
            if j == start:
                z[i] = spare
                break
            z[i] = z[j]
            i = j
