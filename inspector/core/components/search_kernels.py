"""Compiled inner loop of the exact pruned nearest-neighbour search (numba); see ``search.PrunedSearch``.

The bank is grouped into small clusters (k-means in its leading principal coordinates, ``lo``); each cluster
keeps the box its members span in those coordinates (per coordinate, their smallest and largest value) and the
range of their norms beyond them (``hi``). Per query (in parallel over blocks of queries), from its low
coordinates ``q_lo`` (its projection on the bank's leading principal axes, computed here):
1. a lower bound for a whole cluster, ``(distance of q_lo to the box)^2 + (distance of |q_hi| to the cluster's
   hi range)^2``, which no member's squared distance can be below (16 clusters at a time, ``_box_tile``);
2. the cluster of the lowest bound is searched first, then every cluster whose bound is below the best squared
   distance found so far; in a cluster, a member's own bound ``|q_lo - b_lo|^2 + (|q_hi| - |b_hi|)^2`` is
   computed; for members whose bound is below the best, the distance to the member's int8 copy (a quarter of
   the bytes), which less the norm of what that copy misses is again a bound (``_ruled_out``); and the exact
   distance only for members still in question, abandoning the sum as soon as it exceeds the best.
Every bound is lowered by a rounding margin, so a vector is skipped only when it cannot be the nearest.

A cluster's members are stored in tiles of ``TILE`` (16), each tile their ``LOW_DIMS`` (32) low coordinates
coordinate by coordinate (``[32, 16]``), so that the 16 members' bounds are one vector of 16 lanes: 32
subtractions and multiply-adds of whole vectors, no sum across lanes, one comparison giving a bit mask of the
members worth an exact distance (``_tile_mask``). numba's own loops do not get there: a loop over 32
coordinates is unrolled into scalar code (its SLP vectorizer is off) or, with a run-time length, vectorized
with more bookkeeping than arithmetic per member; so ``_tile_mask`` writes the vector instructions itself (LLVM
IR through ``numba.extending.intrinsic``), which LLVM compiles for the CPU it runs on.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.extending import intrinsic

# Bounds come partly from differences of squared norms (|q|^2 - |q_lo|^2) and from low coordinates computed in
# float32 along different paths for queries (here, summed in this kernel's order) and bank (numpy): off by ~1e-6
# of the norms. A vector or a cluster is skipped only when its bound exceeds the best distance by far more.
_MARGIN = np.float32(1e-4)


@njit(cache=True, fastmath=True, nogil=True, inline="always")
def _distance(a, b, best):
    """``|a - b|^2``, abandoned (some partial sum > ``best`` returned) once it exceeds ``best``.

    Summed in blocks of a fixed 64 values: a loop of constant length is vectorized, one bounded by ``min(...)``
    was not (measured: 49 against 425 ns for 384 values)."""
    d = a.shape[0]
    s = np.float32(0.0)
    k0 = 0
    while k0 + 64 <= d:
        part = np.float32(0.0)
        for k in range(k0, k0 + 64):
            t = a[k] - b[k]
            part += t * t
        s += part
        k0 += 64
        if s > best:
            return s
    for k in range(k0, d):
        t = a[k] - b[k]
        s += t * t
    return s


@njit(cache=True, fastmath=True, nogil=True, inline="always")
def _ruled_out(qc, code, scale, err, b2, best, slack):
    """Whether the row whose int8 copy is ``scale * code`` (``err`` the norm of what that copy misses of the centred
    row, ``b2`` its squared norm) is certainly farther than ``best`` from the query (``qc`` centred, ``slack`` its
    rounding margin): ``|qc - c| >= |qc - scale * code| - err``, so once the int8 distance is past
    ``sqrt(best) + err`` (with the rounding margins) the row cannot be the nearest. Abandoned over blocks of 64,
    like ``_distance``: one loop for both (``a - scale * b``, scale 1 for the float32 rows) made the search 2-7 %
    slower (bottle and bsdata 10 %, one process), so each keeps its own."""
    if best == np.float32(np.inf):
        return False
    r = np.sqrt(max(np.float32(0.0), best + slack + _MARGIN * b2)) + err
    limit = r * r * np.float32(1.0 + 1e-4)
    d = code.shape[0]
    s = np.float32(0.0)
    k0 = 0
    while k0 + 64 <= d:
        part = np.float32(0.0)
        for k in range(k0, k0 + 64):
            t = qc[k] - scale * np.float32(code[k])
            part += t * t
        s += part
        k0 += 64
        if s > limit:
            return True
    for k in range(k0, d):
        t = qc[k] - scale * np.float32(code[k])
        s += t * t
    return s > limit


LOW_DIMS = 32  # low coordinates of the member bounds (``_tile_mask`` is written for exactly this many)
TILE = 16  # members per tile: one vector of 16 float32 lanes

_F32 = ir.FloatType()
_V16 = ir.VectorType(_F32, TILE)
_I32 = ir.IntType(32)
_I64 = ir.IntType(64)


def _splat(builder, x):
    """A vector of 16 lanes equal to the scalar ``x``."""
    v = builder.insert_element(ir.Constant(_V16, ir.Undefined), x, ir.Constant(_I32, 0))
    return builder.shuffle_vector(v, ir.Constant(_V16, ir.Undefined), ir.Constant(ir.VectorType(_I32, TILE), [0] * TILE))


def _load16(builder, ptr, index):
    """16 float32 from ``ptr[index]`` on (no alignment assumed)."""
    p = builder.bitcast(builder.gep(ptr, [index], inbounds=True), _V16.as_pointer())
    return builder.load(p, align=4)  # (no typ=: llvmlite before 0.45 has none; the pointer's type says it)


def _fmadd(builder, a, b, c):
    """``a * b + c``, one fused instruction where the CPU has it."""
    return builder.fadd(builder.fmul(a, b, flags=("contract",)), c, flags=("contract",))


def _fmax(builder, a, b):
    return builder.select(builder.fcmp_ordered(">", a, b), a, b)


@intrinsic
def _tile_mask(typingctx, lo, tiles, t_hi, t_b2, t, hi_min, hi_max, slack, best):
    """Bit ``i`` set where member ``i`` of tile ``t`` may be nearer than ``best``: its bound
    ``|lo - b_lo|^2 + (|q_hi| - |b_hi|)^2``, lowered by the rounding margins, is at most ``best``.

    ``lo`` the query's ``LOW_DIMS`` low coordinates; ``tiles`` ``[T, LOW_DIMS, TILE]`` the members' low
    coordinates, ``t_hi``/``t_b2`` ``[T, TILE]`` their norms beyond them and squared centred norms (all float32,
    C-contiguous). Lanes past a cluster's last member hold zeros: the caller masks them off."""
    sig = types.int64(lo, tiles, t_hi, t_b2, t, hi_min, hi_max, slack, best)

    def codegen(context, builder, signature, args):
        lo_v, tiles_v, hi_v, b2_v, t_v, q_hmin, q_hmax, q_slack, q_best = args
        data = [context.make_array(ty)(context, builder, v).data
                for ty, v in zip(signature.args[:4], (lo_v, tiles_v, hi_v, b2_v))]
        lo_p, tiles_p, hi_p, b2_p = data
        first = builder.mul(t_v, ir.Constant(_I64, LOW_DIMS * TILE))
        acc = ir.Constant(_V16, [0.0] * TILE)
        for k in range(LOW_DIMS):  # |lo - b_lo|^2, 16 members at a time
            qk = builder.load(builder.gep(lo_p, [ir.Constant(_I64, k)], inbounds=True))
            d = builder.fsub(_splat(builder, qk), _load16(builder, tiles_p, builder.add(first, ir.Constant(_I64, TILE * k))))
            acc = _fmadd(builder, d, d, acc)
        row = builder.mul(t_v, ir.Constant(_I64, TILE))
        h = _load16(builder, hi_p, row)
        u = _fmax(builder, builder.fsub(h, _splat(builder, q_hmax)), builder.fsub(_splat(builder, q_hmin), h))
        u = _fmax(builder, u, ir.Constant(_V16, [0.0] * TILE))
        acc = _fmadd(builder, u, u, acc)
        margin = builder.fmul(_load16(builder, b2_p, row), ir.Constant(_V16, [float(_MARGIN)] * TILE))
        acc = builder.fsub(builder.fsub(acc, _splat(builder, q_slack)), margin)
        bits = builder.bitcast(builder.fcmp_ordered("<=", acc, _splat(builder, q_best)), ir.IntType(TILE))
        return builder.zext(bits, _I64)

    return sig, codegen


@intrinsic
def _box_tile(typingctx, lo, box_min, box_max, c_hmin, c_hmax, c_b2, ct, hi_min, hi_max, slack, bound):
    """The bounds of the 16 clusters of tile ``ct`` (``box_min``/``box_max`` ``[CT, LOW_DIMS, TILE]`` their
    members' box in the low coordinates, ``c_hmin``/``c_hmax``/``c_b2`` ``[CT, TILE]``) for a query of low
    coordinates ``lo``: ``(distance to the box)^2 + (distance of |q_hi| to the hi range)^2``, lowered by the
    rounding margins, written to ``bound[16 ct:16 ct + 16]``; returns the smallest of them."""
    sig = types.float32(lo, box_min, box_max, c_hmin, c_hmax, c_b2, ct, hi_min, hi_max, slack, bound)

    def codegen(context, builder, signature, args):
        lo_p, min_p, max_p, hmin_p, hmax_p, b2_p = (
            context.make_array(ty)(context, builder, v).data for ty, v in zip(signature.args[:6], args[:6]))
        ct_v, q_hmin, q_hmax, q_slack = args[6:10]
        bound_p = context.make_array(signature.args[10])(context, builder, args[10]).data
        zero = ir.Constant(_V16, [0.0] * TILE)
        first = builder.mul(ct_v, ir.Constant(_I64, LOW_DIMS * TILE))
        acc = zero
        for k in range(LOW_DIMS):  # the squared distance to the box, 16 clusters at a time
            qk = _splat(builder, builder.load(builder.gep(lo_p, [ir.Constant(_I64, k)], inbounds=True)))
            at = builder.add(first, ir.Constant(_I64, TILE * k))
            d = _fmax(builder, builder.fsub(_load16(builder, min_p, at), qk), builder.fsub(qk, _load16(builder, max_p, at)))
            d = _fmax(builder, d, zero)
            acc = _fmadd(builder, d, d, acc)
        row = builder.mul(ct_v, ir.Constant(_I64, TILE))
        u = _fmax(builder, builder.fsub(_load16(builder, hmin_p, row), _splat(builder, q_hmax)),
                  builder.fsub(_splat(builder, q_hmin), _load16(builder, hmax_p, row)))
        u = _fmax(builder, u, zero)
        acc = _fmadd(builder, acc, ir.Constant(_V16, [1.0 - 1e-5] * TILE), builder.fmul(u, u))
        margin = builder.fmul(_load16(builder, b2_p, row), ir.Constant(_V16, [float(_MARGIN)] * TILE))
        acc = builder.fsub(builder.fsub(acc, _splat(builder, q_slack)), margin)
        out = builder.bitcast(builder.gep(bound_p, [row], inbounds=True), _V16.as_pointer())
        builder.store(acc, out, align=4)
        lowest = builder.extract_element(acc, ir.Constant(_I32, 0))
        for i in range(1, TILE):
            v = builder.extract_element(acc, ir.Constant(_I32, i))
            lowest = builder.select(builder.fcmp_ordered("<", v, lowest), v, lowest)
        return lowest

    return sig, codegen


@intrinsic
def _at_most(typingctx, values, ct, limit):
    """Bit ``i`` set where ``values[16 ct + i] <= limit``."""
    sig = types.int64(values, ct, limit)

    def codegen(context, builder, signature, args):
        values_p = context.make_array(signature.args[0])(context, builder, args[0]).data
        v = _load16(builder, values_p, builder.mul(args[1], ir.Constant(_I64, TILE)))
        bits = builder.bitcast(builder.fcmp_ordered("<=", v, _splat(builder, args[2])), ir.IntType(TILE))
        return builder.zext(bits, _I64)

    return sig, codegen


@intrinsic
def _lowest_bit(typingctx, x):
    """The position of the lowest set bit of ``x`` (an int64, not 0)."""
    sig = types.int64(x)

    def codegen(context, builder, signature, args):
        return builder.cttz(args[0], ir.Constant(ir.IntType(1), 1))

    return sig, codegen


@njit(cache=True, fastmath=True, nogil=True, inline="always")
def _candidates(c, t, lo, hi_min, hi_max, slack, starts, tstart, tiles, t_hi, t_b2, best):
    """(The bit mask of the members of tile ``t`` of cluster ``c`` that may be nearer than ``best``, the row of
    the tile's first member): lanes past the cluster's last member masked off."""
    first = starts[c] + TILE * (t - tstart[c])
    mask = _tile_mask(lo, tiles, t_hi, t_b2, t, hi_min, hi_max, slack, best)
    left = starts[c + 1] - first
    if left < TILE:
        mask &= (1 << left) - 1
    return mask, first


@njit(cache=True, fastmath=True, nogil=True, inline="always")
def _search_cluster(c, qi, qc, lo, hi_min, hi_max, slack, starts, tstart, tiles, t_hi, t_b2, t_scale, t_err, codes, bank,
                    rows, perm, best, arg, count):
    """Search the members of cluster ``c`` for query ``qi`` (``qc`` centred): (best, arg, rows looked at) updated.
    A tile's mask is taken against the best at its start, and again for its remaining members when the best
    improves; a member in it gets its int8 distance (``_ruled_out``), then, if still in question, its exact one."""
    count += starts[c + 1] - starts[c]
    for t in range(tstart[c], tstart[c + 1]):
        mask, first = _candidates(c, t, lo, hi_min, hi_max, slack, starts, tstart, tiles, t_hi, t_b2, best)
        while mask != 0:
            lane = _lowest_bit(mask)
            j = first + lane
            mask &= mask - 1
            if _ruled_out(qc, codes[j], t_scale[t, lane], t_err[t, lane], t_b2[t, lane], best, slack):
                continue
            s = _distance(qi, bank[rows[j]], best)
            if s < best or (s == best and perm[j] < perm[arg]):
                best = s
                arg = j
                if mask != 0:  # the rest of the tile against the better best (the first tile starts from inf)
                    mask &= _candidates(c, t, lo, hi_min, hi_max, slack, starts, tstart, tiles, t_hi, t_b2, best)[0]
    return best, arg, count


@njit(cache=True, fastmath=True, nogil=True, inline="always")
def _project(qi, mean, axes_t, centred, lo):
    """``centred`` = ``qi`` minus the bank's mean and ``lo`` its low coordinates (``axes_t`` ``[L, D]``, the
    principal axes as rows), both written in place; returns ``|qi - mean|^2``."""
    zero = np.float32(0.0)
    sq = zero
    for d in range(qi.shape[0]):
        c = qi[d] - mean[d]
        centred[d] = c
        sq += c * c
    for k in range(axes_t.shape[0]):
        s = zero
        for d in range(qi.shape[0]):
            s += centred[d] * axes_t[k, d]
        lo[k] = s
    return sq


@njit(cache=True, fastmath=True, nogil=True, inline="always")
def _cluster_bounds(sq, lo, box_min, box_max, c_hmin, c_hmax, c_b2, n_clusters, bound):
    """A query's bound for every cluster, into ``bound`` (``sq`` its squared distance to the bank's mean, ``lo``
    its low coordinates; clusters in tiles of 16, ``_box_tile``): returns (the cluster of the lowest bound, min
    and max of ``|q_hi|``, the rounding slack)."""
    zero = np.float32(0.0)
    lo2 = zero
    for k in range(lo.shape[0]):
        lo2 += lo[k] * lo[k]
    # |q_hi|^2 = |q|^2 - |q_lo|^2 up to float32 rounding of the sums: bounded on both sides
    slack = _MARGIN * sq
    hi_min = np.sqrt(max(zero, sq - lo2 - slack))
    hi_max = np.sqrt(max(zero, sq - lo2 + slack))
    lowest = np.float32(np.inf)
    low_tile = 0
    for ct in range(box_min.shape[0]):
        m = _box_tile(lo, box_min, box_max, c_hmin, c_hmax, c_b2, ct, hi_min, hi_max, slack, bound)
        if m < lowest:
            lowest = m
            low_tile = ct
    first = TILE * low_tile
    for c in range(first, min(n_clusters, first + TILE)):
        if bound[c] == lowest:
            first = c
            break
    return first, hi_min, hi_max, slack


@njit(cache=True, fastmath=True, nogil=True, inline="always")
def _visited(k, per_image, group, images):
    """The row of the ``k``-th query visited: ``images`` images of ``per_image`` patches each (rows image by image),
    visited position by position within consecutive groups of ``group`` images (the last group may be smaller)."""
    g0 = k // (group * per_image)  # earlier groups are whole
    r = k - g0 * group * per_image
    size = min(group, images - g0 * group)
    return (g0 * group + r % size) * per_image + r // size


@njit(cache=True, parallel=True, fastmath=True, nogil=True)
def nearest(q, mean, axes_t, box_min, box_max, c_hmin, c_hmax, c_b2, starts, tstart, tiles, t_hi, t_b2, t_scale, t_err,
            codes, bank, rows, perm, images, group, start, stop, dist, index, checked):
    """``q`` ``[n, D]`` queries, ``mean`` ``[D]`` the bank's mean and ``axes_t`` ``[L, D]`` its leading principal
    axes (as rows), on which each query's low coordinates are taken; per cluster, in tiles of ``TILE`` clusters
    (``_box_tile``: cluster ``c`` at tile ``c // 16``, lane ``c % 16``), its members' box in them, ``box_min`` to
    ``box_max`` ``[CT, L, TILE]``, ``c_hmin``/``c_hmax`` (members' norms beyond them), ``c_b2`` (members' largest
    squared centred norm), ``[CT, TILE]``, and its members ``starts[c]:starts[c + 1]`` of the rows sorted by
    cluster, in tiles ``tstart[c]:tstart[c + 1]`` of ``TILE`` (``_tile_mask``'s ``tiles``, ``t_hi``, ``t_b2``:
    of the centred vectors, the last tile of a cluster padded with zeros; ``t_scale`` and ``t_err`` of their int8
    copies ``codes`` ``[M, D]``, ``_ruled_out``), the vectors as given,
    ``bank[rows[j]]`` (a copy in cluster order with ``rows`` 0, 1, 2..., or the bank as given with ``rows`` =
    ``perm``) and ``perm`` (their rows in the bank as given). The queries are the patches of ``images`` images
    (``n / images`` each, image after image), visited position by position within groups of ``group`` images
    (``_visited``); the visits ``start:stop`` of that order are searched. Writes, at each searched query's row,
    the squared distance ``dist`` and original ``index`` of the nearest bank vector (the smallest index among
    exact ties) and how many bank rows were looked at (their bound computed), ``checked``.

    Query by query, in parallel over blocks of 16 visits (handed out one by one when the caller sets numba's
    parallel chunk size to 1: far queries, a defect, cost more than near ones). Visits in a block look alike
    (the same patch of aligned parts, neighbouring patches of one part), so the bank rows one reads are still in
    cache for the next. Per query: every cluster's bound, a search of the cluster of the lowest bound (a good
    first best), then of every cluster whose bound is below the best so far."""
    per_image = q.shape[0] // images
    n_clusters = len(starts) - 1
    block = 16
    for blk in prange((stop - start + block - 1) // block):
        bound = np.empty(TILE * box_min.shape[0], dtype=np.float32)
        centred = np.empty(q.shape[1], dtype=np.float32)
        lo = np.empty(axes_t.shape[0], dtype=np.float32)
        for k in range(start + blk * block, min(stop, start + (blk + 1) * block)):
            i = _visited(k, per_image, group, images)
            qi = q[i]
            sq = _project(qi, mean, axes_t, centred, lo)
            first, hi_min, hi_max, slack = _cluster_bounds(sq, lo, box_min, box_max, c_hmin, c_hmax, c_b2, n_clusters,
                                                           bound)
            best, arg, count = _search_cluster(first, qi, centred, lo, hi_min, hi_max, slack, starts, tstart, tiles,
                                               t_hi, t_b2, t_scale, t_err, codes, bank, rows, perm, np.float32(np.inf),
                                               starts[first], 0)
            for ct in range(box_min.shape[0]):  # in their order: sorting them by bound first was slower
                mask = _at_most(bound, ct, best)
                while mask != 0:  # a cluster found by the mask is searched if still below the best
                    c = TILE * ct + _lowest_bit(mask)
                    mask &= mask - 1
                    if c != first and c < n_clusters and bound[c] <= best:
                        best, arg, count = _search_cluster(c, qi, centred, lo, hi_min, hi_max, slack, starts, tstart,
                                                           tiles, t_hi, t_b2, t_scale, t_err, codes, bank, rows, perm,
                                                           best, arg, count)
            dist[i] = best
            index[i] = perm[arg]
            checked[i] = count


@njit(cache=True, fastmath=True, nogil=True)
def nearest_k(q, mean, axes_t, box_min, box_max, c_hmin, c_hmax, c_b2, starts, tstart, tiles, t_hi, t_b2, t_scale,
              t_err, codes, bank, rows, perm, dist, index):
    """The ``k`` nearest bank vectors of each of a few queries (``dist``/``index`` ``[n, k]``, nearest first, ties
    by the smaller index; ``k`` at most the bank's size): ``nearest``'s bounds against the k-th best so far. For
    the reweighting's handful of queries (one per image); not parallel."""
    n, k = dist.shape
    n_clusters = len(starts) - 1
    inf = np.float32(np.inf)
    bound = np.empty(TILE * box_min.shape[0], dtype=np.float32)
    top_d = np.empty(k, dtype=np.float32)
    top_i = np.empty(k, dtype=np.int64)  # original indices
    centred = np.empty(q.shape[1], dtype=np.float32)
    lo = np.empty(axes_t.shape[0], dtype=np.float32)
    for i in range(n):
        qi = q[i]
        sq = _project(qi, mean, axes_t, centred, lo)
        first, hi_min, hi_max, slack = _cluster_bounds(sq, lo, box_min, box_max, c_hmin, c_hmax, c_b2, n_clusters,
                                                       bound)
        top_d[:] = inf
        top_i[:] = -1
        visit = np.argsort(bound[:n_clusters])  # lowest bound first: the k-th best tightens soonest
        for cc in range(n_clusters):
            c = visit[cc]
            if bound[c] > top_d[k - 1]:
                break  # and so are all later ones
            for t in range(tstart[c], tstart[c + 1]):
                mask, first = _candidates(c, t, lo, hi_min, hi_max, slack, starts, tstart, tiles, t_hi, t_b2,
                                          top_d[k - 1])
                while mask != 0:
                    lane = _lowest_bit(mask)
                    j = first + lane
                    mask &= mask - 1
                    if _ruled_out(centred, codes[j], t_scale[t, lane], t_err[t, lane], t_b2[t, lane], top_d[k - 1],
                                  slack):
                        continue
                    s = _distance(qi, bank[rows[j]], top_d[k - 1])
                    p = perm[j]
                    if s > top_d[k - 1] or (s == top_d[k - 1] and top_i[k - 1] >= 0 and p > top_i[k - 1]):
                        continue
                    pos = k - 1  # insert, keeping (distance, index) sorted
                    while pos > 0 and (top_d[pos - 1] > s or (top_d[pos - 1] == s and top_i[pos - 1] > p)):
                        top_d[pos] = top_d[pos - 1]
                        top_i[pos] = top_i[pos - 1]
                        pos -= 1
                    top_d[pos] = s
                    top_i[pos] = p
        dist[i] = top_d
        index[i] = top_i
