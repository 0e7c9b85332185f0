"""Nearest-neighbour search over the memory bank: exact, and on the CPU faster than a flat scan.

``NearestNeighbours.search(queries, 1)`` (PatchCore's patch scores) on the CPU runs ``PrunedSearch`` for banks
of ``MIN_PRUNED_BANK`` vectors or more. The bank is rotated onto its principal axes once and grouped into small
clusters (k-means in the leading ``LOW_DIMS`` (32) coordinates; ~16 vectors each up to ``SMALL_BANK`` vectors,
~32 above). A query's squared distance to a bank vector is bounded from below by the low coordinates plus the
norms of the rest (``|q - b|^2 >= |q_lo - b_lo|^2 + (|q_hi| - |b_hi|)^2``), and to a whole cluster by the box its
members span in the low coordinates and the range of their norms beyond. Each query first searches the cluster
of the lowest bound, then only the clusters whose bound is below its best distance so far, and computes exact
distances only for members whose own bound is below it (``search_kernels``: the bounds of 16 members at a time,
in vector instructions written for them, from the members' low coordinates stored in tiles of 16 by
``_tiles``). Queries are searched one by one,
in blocks of queries that look alike, so the bank rows one reads are still in cache for the next: PatchCore
passes a batch's patches with ``images=b``, and for whole parts (not tiles) they are visited position by
position across groups of ``IMAGE_GROUP`` images (the same patch of aligned parts looks alike), otherwise in
the order given (neighbouring patches). A query's low coordinates are computed in the kernel, as it is visited.
The result is the exact nearest neighbour (the tests compare it with a float64 brute force).

Measured on 32 test images spread over each set in batches of 8 (resnet18 concat features, 384 dims, 784
queries per image, 2 threads, ms per image, the variants taking turns in one process; the machine is shared
and its speed drifts by up to 2x over minutes, so only figures of one run are compared):
- bottle 1 % (1,638 vectors): 1.0 (faiss's flat scan: 6.1-6.7); 10 % (16,385): 3.5 (flat: 53-62).
- bsdata_pitting 1 % (3,457): 1.4 (flat: 14); 10 % (34,574): 4.6-5.1.
- A query looks at 155, 782, 546 and 1,560 bank rows (bound computed), computes the int8 distance of 25, 127,
  19 and 83 of them and the exact distance of 4.3, 5.8, 3.9 and 5.8 on average (one query in ten: 6-10).
  Far queries (defects) cost most.
What made it so, each measured against the step before in one run:
- one kernel call per batch, query by query, instead of groups of queries searched cluster by cluster with a
  matrix of cluster products per chunk of 1,024 queries: bottle 10 % 7.7 -> 5.3, bsdata 10 % 11-15 -> 8-10;
- a cluster's bound from its members' box instead of a ball around its centre (rows per query at bsdata 1 %:
  1,190 -> 881, and 546 with clusters of 16 for such small banks): bsdata 1 % 3.5-4.7 -> 2.6-2.9;
- the exact distances read from a copy of the bank in cluster order instead of through the permutation:
  5-10 % at 10 % (banks up to ``SORTED_COPY_BYTES``; wide_resnet50_2's 10 % bank, ~100 MB, is read in place);
- the reweighting's k nearest by the same bounds instead of faiss's flat scan: 0.5 -> 0.07 ms per image at
  bottle's 10 %, 1.0 -> 0.17 at bsdata's;
- the queries' low coordinates computed in the kernel, query by query, instead of a centred copy of the batch
  and a torch product before it, and a batch of 8 aligned parts visited position by position across 4 images
  instead of image after image (kernel with its preparation, ms per image, in one process, old / new: bottle
  1 % 1.58 / 1.42, 10 % 7.07 / 5.90, bsdata 1 % 2.11 / 1.94, 10 % 8.34 / 7.04). The order alone, against
  ``images=1`` on the same batches: 10-15 % faster at 10 %, 1-3 % at 1 %; on parts that are not aligned (each
  image's patch grid rolled by a random offset) 2-8 % slower (bsdata 10 %: 9.97 -> 11.12 ms);
- the members' bounds 16 at a time, one vector lane per member (``search_kernels._tile_mask``, LLVM vector
  instructions through a numba intrinsic) instead of one member at a time, each a loop over its 32 low
  coordinates and a sum across lanes; then an int8 copy of the centred bank (a quarter of the bytes), whose
  distance less the norm of what the copy misses rules out most members before their exact distance
  (``_ruled_out``); then the clusters' bounds 16 clusters at a time in the same way (``_box_tile``: no store
  and reload of each cluster's partial sum per coordinate), and the clusters below the best found by a mask of
  16 at a time (``_at_most``). Kernel alone, same clusters and answers, in one process, rows / tiles / tiles and
  int8: bottle 1 % 1.20 / 1.13 / 1.17, 10 % 5.03 / 4.48 / 4.11; bsdata 1 % 2.06 / 1.85 / 1.64, 10 % 6.84 /
  6.45 / 5.61 (a second run: 6.45 / 5.81 / 5.19); a later run, rows / tiles and int8 / clusters in tiles too:
  bottle 1 % 1.10 / 1.08 / 1.01, 10 % 4.33 / 3.65 / 3.51; bsdata 1 % 1.77 / 1.52 / 1.36, 10 % 6.52 / 5.38 /
  5.07. With code for AVX2 instead of AVX-512 (``NUMBA_CPU_NAME=haswell``, the rows' and tiles' kernels both):
  bsdata 10 % 8.94 / 6.33, 1 % 2.06 / 1.85 (rows / tiles and int8); for SSE2 alone (x86-64 of 2003, no
  SSE4.1) the int8 copy costs more than it saves (bsdata 1 %: 2.58 without it, 3.05 with).
Tried and slower: visiting a query's clusters lowest bound first (sorting them cost more than it saved); taking
the bound of a ball and a box together (no fewer rows worth the work); starting from the cluster of the previous
query's nearest neighbour (more rows); a second level of clusters over the clusters (fewer rows, more time);
48 or 64 low coordinates (bottle 10 % 8 % faster, the 1 % banks 5 % slower, bsdata 10 % the same); a second
bound from the next 32 coordinates for the rows that pass the first, before their exact distance (fewer exact
distances, slower at 1 % and at bsdata's 10 %); clusters of 24, 48 or 64 at 10 % (within noise of 32); member
bounds as dot products against stored squared norms (no faster); prefetching the rows that pass a cluster's
member bounds before their exact distances (an LLVM prefetch intrinsic: a random row of a 53 MB bank took 120 ns
to read without, 75 ns with a few prefetched ahead, but the search as a whole was within noise, 0-5 %).
Also tried since, with the current visiting order (kernel alone, one process): the members of a cluster in
groups of 8 along its widest coordinate, each group's box checked first (rows per query 546 -> 305 and 1,560 ->
685, yet bsdata 1 % 5 % slower, 10 % 3 % faster); one box bound per cluster for a block's 16 queries, each query
computing its own only where the block's is below its best (308 of 1,080 clusters still: 1.4x slower); the int8
copy before the exact distances with the members' bounds a member at a time (exact distances per query 83 ->
5-6, but 10 % only 3-7 % faster and 1 % 5-8 % slower: it pays only once the bounds cost less); exact distances from the residuals
beyond the low coordinates, starting from ``|q_lo - b_lo|^2`` (values read per exact distance 202 -> 138 at
bsdata 10 %: 7 % faster there, the same at 1 %, before the residuals' own preparation); member bounds from 16
low coordinates (20 % slower); blocks of 8, 32 or 64 queries (the same). Before the intrinsic, numba loops for the
members' bounds were all slower than a member at a time: a cluster's members coordinate by coordinate with a
run-time member loop (1.1-1.2x; per-coordinate set-up swamps 2 vectors of work), padded to a fixed 64 members
(1.2-1.3x), two members per fixed loop of 64 values (3 % faster). With the tiles (bsdata 10 %, against 32 low
coordinates and clusters of 32): 48 or 64 low coordinates 1.15x and 1.4x slower (cluster bounds and projection
cost more, rows barely fewer), clusters of 24, 48 or 64 within noise. Short fixed-length loops (under 64)
are fully unrolled by numba's LLVM into scalar code (its SLP vectorizer is off): member bounds over
``range(32)`` made the search 1.7x slower than over ``range(lo.shape[0])``, so the kernels keep run-time lengths.
Queries far from everything in the bank (a defect, an unusual part) prune less, yet cost about what a flat
scan would, so none is handed to one: routing queries whose bounds left more than 15-70 % of the bank in
question to a flat scan made bottle's and bsdata_pitting's test sets slower at every threshold (measured with
an earlier version of the kernel).
The k > 1 nearest of a few queries (the reweighting's, one per image) use the same bounds against the k-th best
(``PrunedSearch.search_k``): 0.07 ms per image at bottle's 10 % instead of 0.5 for a flat scan of the bank.
Other searches (many queries with ``k > 1``, GPUs, banks too small for the bounds to pay, no numba) use faiss
``IndexFlatL2``, built on first use: it holds the vectors themselves, so it is rebuilt from the saved memory
bank in milliseconds instead of being stored twice on disk.
"""

from __future__ import annotations

from collections.abc import Iterable

import faiss
import numpy as np
import torch

from ..runtime.pacing import TimedSplit
from ..runtime.progress import CancelToken, checkpoint

try:  # the compiled search loop; without numba every search is faiss's flat scan
    import numba

    from . import search_kernels as kernels
except Exception:  # pragma: no cover - numba missing, or unable to compile/cache here (a frozen app)
    kernels = None

MIN_PRUNED_BANK = 1024  # below this the flat scan is as fast
LOW_DIMS = 32  # principal coordinates of the bounds (module docstring); search_kernels.LOW_DIMS, its tiles' size
SMALL_BANK = 4096  # up to this many vectors, clusters of 16 (more of them) instead of 32
SORTED_COPY_BYTES = 64 << 20  # banks up to this size get a copy in cluster order (wide_resnet50_2 at 10 %: ~100 MB)
KMEANS_ITERATIONS = 10  # of the clusters' k-means
IMAGE_GROUP = 4  # the patches of a batch's images are searched position by position across groups of this many
FEW_QUERIES = 64  # k > 1 nearest for this many queries or fewer: the pruned search, one query at a time
FLAT_CHUNK_MACS = 1 << 32  # with a cancel token, a flat scan's chunks: queries x bank size (~0.1-0.3 s on 2 cores)


class PrunedSearch:
    """Exact 1-NN over ``bank`` ``[M, D]`` with cluster and per-vector lower bounds; see the module docstring."""

    def __init__(self, bank: np.ndarray, cluster_size: int | None = None, seed: int = 0,
                 cancel: CancelToken | None = None):
        """``cluster_size``: vectors per cluster, on average; by default 16 for banks of up to ``SMALL_BANK``
        vectors, 32 above (module docstring). ``bank`` needs ``LOW_DIMS`` dimensions or more."""
        bank = np.ascontiguousarray(bank, dtype=np.float32)
        if bank.ndim != 2 or bank.shape[1] < LOW_DIMS:
            raise ValueError(f"a pruned search needs vectors of {LOW_DIMS} dimensions or more, not {bank.shape[1:]}")
        self.mean = bank.mean(axis=0, dtype=np.float64).astype(np.float32)
        # The axes only need to be orthonormal for the bounds to hold; good axes make them tight, and a sample of
        # the bank in float32 finds them as well as all of it in float64 (which took ~10 s at 16k x 1024).
        axes = principal_axes(bank[:: max(1, len(bank) // 8192)] - self.mean, LOW_DIMS, cancel)  # [D, L]
        step = 4096  # rows at a time: no temporary as large as the bank
        b_lo = np.empty((len(bank), LOW_DIMS), dtype=np.float32)
        for i in range(0, len(bank), step):
            checkpoint(cancel)
            np.matmul(bank[i : i + step] - self.mean, axes, out=b_lo[i : i + step])
        # clusters in the low coordinates (any grouping keeps the search exact; tight ones prune more)
        if cluster_size is None:
            cluster_size = 16 if len(bank) <= SMALL_BANK else 32
        n_clusters = max(1, len(bank) // cluster_size)
        if n_clusters > 1:
            kmeans = faiss.Kmeans(LOW_DIMS, n_clusters, niter=1, seed=seed + 1, max_points_per_centroid=64,
                                  min_points_per_centroid=1)  # ~16-32 per cluster is the point: no warning
            kmeans.train(b_lo)
            for _ in range(KMEANS_ITERATIONS - 1):  # one iteration per call: the token is checked between them
                checkpoint(cancel)
                kmeans.train(b_lo, init_centroids=kmeans.centroids)
            checkpoint(cancel)
            _, assign = kmeans.index.search(b_lo, 1)
            assign = assign[:, 0]
        else:
            assign = np.zeros(len(bank), dtype=np.int64)
        self.perm = np.argsort(assign, kind="stable").astype(np.int64)
        assign = assign[self.perm]
        _, counts = np.unique(assign, return_counts=True)  # empty clusters are dropped
        self.starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        b_lo = b_lo[self.perm]
        b2 = np.empty(len(bank), dtype=np.float32)
        b_hi = np.empty(len(bank), dtype=np.float32)
        # an int8 copy of the centred rows (each scaled by its largest value / 127) and the norm of what it misses
        self.codes = np.empty(bank.shape, dtype=np.int8)
        scale = np.empty(len(bank), dtype=np.float32)
        err = np.empty(len(bank), dtype=np.float32)
        for i in range(0, len(bank), step):
            checkpoint(cancel)
            centred = bank[self.perm[i : i + step]] - self.mean
            rest = centred - b_lo[i : i + step] @ axes.T  # the residual itself, not a difference of squares
            b2[i : i + step] = _sq_norms(centred)
            b_hi[i : i + step] = np.sqrt(_sq_norms(rest))
            scale[i : i + step], err[i : i + step] = _int8_rows(centred, self.codes[i : i + step])
        # per cluster: the box its members span in the low coordinates, and the range of their norms beyond
        # (the clusters in tiles of 16 too, as one group of rows; c_b2: the rounding margin of the largest member)
        c = len(self.starts) - 1
        _, (self.box_min, self.box_max, self.c_hmin, self.c_hmax, self.c_b2) = _tiles(
            np.array([0, c]), np.minimum.reduceat(b_lo, self.starts[:-1], axis=0),
            np.maximum.reduceat(b_lo, self.starts[:-1], axis=0), np.minimum.reduceat(b_hi, self.starts[:-1]),
            np.maximum.reduceat(b_hi, self.starts[:-1]), np.maximum.reduceat(b2, self.starts[:-1]))
        # lanes past the last cluster: a range of norms no query reaches (bounds ~1e36: never lowest, never searched)
        self.c_hmin.reshape(-1)[c:] = self.c_hmax.reshape(-1)[c:] = 3e18
        self.tstart, (self.tiles, self.t_hi, self.t_b2, self.t_scale, self.t_err) = _tiles(self.starts, b_lo, b_hi, b2,
                                                                                            scale, err)
        self.axes_t = np.ascontiguousarray(axes.T)  # [L, D]: a query's low coordinates are L dot products
        # Exact distances are taken to the vectors themselves, from a copy of the bank in cluster order (a
        # cluster's rows side by side in memory: 5-10 % faster at 10 % than reading the caller's array through
        # perm), unless the copy would take more than SORTED_COPY_BYTES.
        if bank.nbytes <= SORTED_COPY_BYTES:
            self.rows_bank, self.rows = bank[self.perm], np.arange(len(bank), dtype=np.int64)
        else:
            self.rows_bank, self.rows = bank, self.perm

    def search(self, queries: np.ndarray, images: int = 1,
               pieces: Iterable[slice] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``queries`` ``[n, D]`` -> (distances ``[n]``, indices ``[n]``, bank rows looked at ``[n]``).

        ``images``: the queries are the patches of that many images, image after image (``n`` a multiple of
        it); they are then visited position by position within groups of ``IMAGE_GROUP`` images, since the same
        patch of aligned parts looks alike (module docstring). ``pieces``: slices of that visiting order to
        search one after the other (the caller may stop between them: a cancel); by default all at once."""
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        n = len(queries)
        if images < 1 or n % images:
            raise ValueError(f"{n} queries are not the patches of {images} images")
        dist = np.empty(n, dtype=np.float32)
        index = np.empty(n, dtype=np.int64)
        checked = np.empty(n, dtype=np.int64)
        if n:
            group = min(IMAGE_GROUP, images)
            before = numba.set_parallel_chunksize(1)  # the kernel's blocks of queries handed out one by one
            try:
                for piece in pieces if pieces is not None else (slice(0, n),):
                    kernels.nearest(queries, *self._index_arrays(), images, group, piece.start, piece.stop, dist,
                                    index, checked)
            finally:
                numba.set_parallel_chunksize(before)
        return np.sqrt(np.maximum(dist, 0.0)), index, checked

    def search_k(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` (at most the bank's size) nearest of a few ``queries`` ``[n, D]``: (distances, indices)
        ``[n, k]``, nearest first. One thread: for the handful of queries of the reweighting."""
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        dist = np.empty((len(queries), k), dtype=np.float32)
        index = np.empty((len(queries), k), dtype=np.int64)
        kernels.nearest_k(queries, *self._index_arrays(), dist, index)
        return np.sqrt(np.maximum(dist, 0.0)), index

    def _index_arrays(self) -> tuple[np.ndarray, ...]:
        """What the kernels take after the queries (``search_kernels.nearest``'s parameters)."""
        return (self.mean, self.axes_t, self.box_min, self.box_max, self.c_hmin, self.c_hmax, self.c_b2, self.starts,
                self.tstart, self.tiles, self.t_hi, self.t_b2, self.t_scale, self.t_err, self.codes, self.rows_bank,
                self.rows, self.perm)


def principal_axes(centred: np.ndarray, k: int, cancel: CancelToken | None = None, iterations: int = 8,
                   block: int = 1024) -> np.ndarray:
    """The ``k`` leading principal axes ``[D, k]`` (float32, orthonormal, largest first) of ``centred`` ``[n, D]``.

    The Gram matrix ``[D, D]`` is summed over blocks of rows, then the leading subspace is found by subspace
    iteration with ``k + 16`` vectors and a Rayleigh-Ritz step, instead of a full ``eigh`` (1-10 s at
    D = 1536 on 2 cores, and no way to stop it). The token is checked between blocks and iterations."""
    n, d = centred.shape
    x = torch.from_numpy(np.ascontiguousarray(centred, dtype=np.float32))
    gram = torch.zeros(d, d)
    for i in range(0, n, block):
        checkpoint(cancel)
        gram.addmm_(x[i : i + block].T, x[i : i + block])
    gram = gram.double().numpy()
    q = min(d, k + 16)
    if q == d:  # small: the full decomposition is cheap
        _, vecs = np.linalg.eigh(gram)
        return np.ascontiguousarray(vecs[:, ::-1][:, :k], dtype=np.float32)
    basis = np.linalg.qr(np.random.default_rng(0).standard_normal((d, q)))[0]
    for _ in range(iterations):
        checkpoint(cancel)
        basis = np.linalg.qr(gram @ basis)[0]
    _, vecs = np.linalg.eigh(basis.T @ gram @ basis)  # Rayleigh-Ritz in the subspace
    return np.ascontiguousarray(basis @ vecs[:, ::-1][:, :k], dtype=np.float32)  # orthonormal: basis and vecs are


def _tiles(starts: np.ndarray, *per_row: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Rows grouped by ``starts`` (group ``g`` is rows ``starts[g]:starts[g + 1]``: a cluster's members, or all
    clusters as one group) in tiles of ``TILE``, a group's last tile padded with zeros: (``tstart`` ``[G + 1]``,
    group ``g``'s tiles being ``tstart[g]:tstart[g + 1]``; each of ``per_row`` laid out as ``[T, TILE]`` when it
    is ``[N]``, as ``[T, L, TILE]`` (coordinate by coordinate) when it is ``[N, L]``)."""
    tile = kernels.TILE
    per = (np.diff(starts) + tile - 1) // tile
    tstart = np.concatenate([[0], np.cumsum(per)]).astype(np.int64)
    # the slot of each row: its group's first tile, plus its place in the group
    group = np.repeat(np.arange(len(per)), np.diff(starts))
    slot = tstart[group] * tile + np.arange(starts[-1]) - starts[group]
    laid = []
    for values in per_row:
        out = np.zeros((tstart[-1] * tile, *values.shape[1:]), dtype=np.float32)
        out[slot] = values
        out = out.reshape(tstart[-1], tile, *values.shape[1:])
        laid.append(np.ascontiguousarray(out.transpose(0, 2, 1)) if values.ndim == 2 else out)
    return tstart, laid


def _int8_rows(centred: np.ndarray, codes: np.ndarray, piece: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """``centred`` rows as int8 ``codes`` (written in place), each scaled by its largest absolute value / 127: (the
    scales, the norm of what each row's copy misses, ``|row - scale * code|``, rounded up). The search's
    ``_ruled_out`` bound rests on the norms being at least the true ones. Worked in float64, ``piece`` rows at a
    time (no temporary larger than that)."""
    scale = (np.abs(centred).max(axis=1) / np.float32(127)).astype(np.float32)
    scale[scale == 0] = 1.0
    err = np.empty(len(centred), dtype=np.float64)
    for i in range(0, len(centred), piece):
        rows = centred[i : i + piece].astype(np.float64)
        s = scale[i : i + piece, None].astype(np.float64)
        codes[i : i + piece] = np.clip(np.rint(rows / s), -127, 127)
        miss = rows - s * codes[i : i + piece]
        err[i : i + piece] = np.sqrt(np.einsum("ij,ij->i", miss, miss))
    return scale, np.nextafter((err * (1 + 1e-6)).astype(np.float32), np.float32(np.inf))


def _sq_norms(x: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", x, x)


class NearestNeighbours:
    """Exact L2 search over ``bank`` ``[M, D]``; ``search`` returns Euclidean (not squared) distances."""

    def __init__(self, bank: np.ndarray, device: torch.device | str = "cpu", pruned: bool | None = None,
                 cancel: CancelToken | None = None):
        """``cancel`` is checked between the steps of building the pruned search (``Cancelled`` is raised)."""
        self.bank = np.ascontiguousarray(bank, dtype=np.float32)
        self.device = torch.device(device)
        if pruned is None:
            pruned = (kernels is not None and self.device.type == "cpu" and len(self.bank) >= MIN_PRUNED_BANK
                      and self.bank.shape[1] >= 2 * LOW_DIMS)
        self.pruned = PrunedSearch(self.bank, cancel=cancel) if pruned else None
        self._pieces = TimedSplit(0.2)  # sized by the last search's time per query: a first piece of one query only once
        self._index = None

    def __len__(self) -> int:
        return self.bank.shape[0]

    @property
    def index(self):
        """The faiss ``IndexFlatL2`` (on the GPU when faiss-gpu is there), built on first use."""
        if self._index is None:
            index = faiss.IndexFlatL2(self.bank.shape[1])
            if self.device.type == "cuda" and hasattr(faiss, "StandardGpuResources"):
                self._gpu_res = faiss.StandardGpuResources()
                index = faiss.index_cpu_to_gpu(self._gpu_res, self.device.index or 0, index)
            index.add(self.bank)
            self._index = index
        return self._index

    def search(self, queries: np.ndarray, k: int = 1, cancel: CancelToken | None = None,
               images: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """``queries`` ``[n, D]`` -> (distances ``[n, k]``, indices ``[n, k]``), nearest first.

        With ``cancel``, the token is checked between chunks of queries (a flat scan in chunks of about
        ``FLAT_CHUNK_MACS`` multiply-adds), so a cancel during a long search stops before the next chunk.
        ``images``: the queries are the patches of that many images, image after image (``PrunedSearch.search``
        visits them in an order that reads the bank faster; the answers are the same)."""
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        if self.pruned is not None and 1 < k <= len(self.bank) and len(queries) <= FEW_QUERIES:
            return self.pruned.search_k(queries, k)  # a flat scan would read the whole bank for each
        if k == 1 and self.pruned is not None:
            # with a token, in pieces of ~0.2 s, the token checked between them
            pieces = None if cancel is None else self._pieces.slices(len(queries), cancel)
            dist, idx, _ = self.pruned.search(queries, images, pieces)
            return dist[:, None], idx[:, None]
        return self._flat(queries, k, cancel)

    def _flat(self, queries: np.ndarray, k: int, cancel: CancelToken | None = None) -> tuple[np.ndarray, np.ndarray]:
        if len(queries) == 0:
            return np.empty((0, k), dtype=np.float32), np.empty((0, k), dtype=np.int64)
        step = len(queries) if cancel is None else max(1, FLAT_CHUNK_MACS // max(1, self.bank.size))
        parts = []
        for i in range(0, len(queries), step):
            checkpoint(cancel)
            parts.append(self.index.search(queries[i : i + step], k))
        sq, idx = parts[0] if len(parts) == 1 else (np.concatenate(p) for p in zip(*parts))
        return np.sqrt(np.maximum(sq, 0.0)), idx
