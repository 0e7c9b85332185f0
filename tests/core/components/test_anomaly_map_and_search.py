"""Anomaly maps (upsampling + Gaussian blur) and the nearest-neighbour search."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from inspector.core.components import search as search_module
from inspector.core.components.anomaly_map import anomaly_maps, gaussian_blur, reference_anomaly_maps
from inspector.core.components.search import NearestNeighbours
from inspector.core.runtime.progress import Cancelled, CancelToken


def test_blur_matches_scipy_gaussian_filter():
    ndimage = pytest.importorskip("scipy.ndimage")
    x = torch.rand(2, 40, 56)
    ours = gaussian_blur(x, 4.0).numpy()
    ref = np.stack([ndimage.gaussian_filter(x[i].numpy().astype(np.float64), 4.0) for i in range(2)])
    assert np.abs(ours - ref).max() < 1e-5


def test_blur_on_maps_smaller_than_the_kernel():
    ndimage = pytest.importorskip("scipy.ndimage")
    x = torch.rand(1, 9, 9)
    assert np.abs(gaussian_blur(x, 4.0).numpy()[0] - ndimage.gaussian_filter(x[0].numpy(), 4.0)).max() < 1e-5


def test_maps_are_upsampled_to_the_input_and_keep_the_hot_spot():
    scores = torch.zeros(1, 28, 28)
    scores[0, 20, 7] = 5.0
    amap = anomaly_maps(scores, 224, sigma=4.0)
    assert amap.shape == (1, 224, 224)
    y, x = np.unravel_index(int(amap[0].argmax()), (224, 224))
    assert abs(y - (20 * 8 + 4)) <= 2 and abs(x - (7 * 8 + 4)) <= 2
    assert amap.sum() == pytest.approx(5.0 * 64, rel=0.05)  # bilinear upsampling and blur keep the mass


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
@pytest.mark.parametrize("border", ["reflect", "mirror"])
@pytest.mark.parametrize("grid, size", [((28, 28), (224, 224)), ((14, 30), (112, 241)), ((90, 70), (720, 560)),
                                        ((3, 5), (24, 40))])
def test_maps_equal_upsample_then_blur(interpolation, border, grid, size):
    """The per-axis operators (dense for short axes, banded for long ones: (90, 70)) equal the plain order."""
    scores = torch.rand(2, *grid)
    ours = anomaly_maps(scores, size, 4.0, interpolation, border)
    assert ours.shape == (2, *size)
    assert torch.allclose(ours, reference_anomaly_maps(scores, size, 4.0, interpolation, border), atol=1e-5)


def test_bilinear_reflect_is_the_official_map():
    """Official PatchCore: ``F.interpolate(bilinear, align_corners=False)`` then ``scipy.ndimage.gaussian_filter``."""
    ndimage = pytest.importorskip("scipy.ndimage")
    scores = torch.rand(1, 28, 28)
    up = torch.nn.functional.interpolate(scores[None], size=(224, 224), mode="bilinear", align_corners=False)
    ref = ndimage.gaussian_filter(up[0, 0].double().numpy(), 4.0)
    assert np.abs(anomaly_maps(scores, 224, 4.0, "bilinear", "reflect")[0].numpy() - ref).max() < 1e-5


def test_nearest_mirror_is_anomalibs_map():
    """anomalib: ``F.interpolate`` (nearest) then a 33x33 Gaussian kernel over ``F.pad(mode="reflect")``."""
    F = torch.nn.functional
    scores = torch.rand(2, 1, 28, 28)
    up = F.interpolate(scores, size=(224, 224))
    x = torch.arange(33, dtype=torch.float64) - 16
    k1 = torch.exp(-(x**2) / (2 * 4.0**2))
    k2 = torch.outer(k1, k1)
    k2 = (k2 / k2.sum()).float()
    ref = F.conv2d(F.pad(up, (16, 16, 16, 16), mode="reflect"), k2[None, None])
    ours = anomaly_maps(scores[:, 0], 224, 4.0, "nearest", "mirror")
    assert torch.allclose(ours, ref[:, 0], atol=1e-5)


def test_search_is_exact_nearest_neighbour_with_euclidean_distances():
    rng = np.random.default_rng(0)
    bank = rng.normal(size=(500, 32)).astype(np.float32)
    q = rng.normal(size=(40, 32)).astype(np.float32)
    dist, idx = NearestNeighbours(bank).search(q, k=3)
    ref = np.linalg.norm(q[:, None] - bank[None], axis=2)
    order = np.argsort(ref, axis=1)[:, :3]
    assert (idx == order).all()
    assert np.allclose(dist, np.take_along_axis(ref, order, 1), atol=1e-4)


def _brute_force(bank: np.ndarray, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    d = np.sqrt(((queries.astype(np.float64)[:, None] - bank.astype(np.float64)[None]) ** 2).sum(axis=2))
    return d, d.argmin(axis=1)


@pytest.mark.skipif(search_module.kernels is None, reason="numba is not installed")
def test_pruned_search_is_the_exact_nearest_neighbour():
    rng = np.random.default_rng(1)
    # structured like patch features: a few strong directions, clusters, non-zero mean, 512 dims
    basis = rng.normal(size=(24, 512)) * np.linspace(3, 0.3, 24)[:, None]
    centres = rng.normal(size=(40, 24))
    bank = (centres[rng.integers(0, 40, 3000)] + 0.3 * rng.normal(size=(3000, 24))) @ basis
    bank = (bank + 0.05 * rng.normal(size=bank.shape) + 2.0).astype(np.float32)
    bank[100] = bank[50]  # a duplicate
    spread = (rng.normal(size=(3000, 512)) * np.linspace(1.0, 0.2, 512)).astype(np.float32)  # beyond 128 dims
    bank[1500:] += spread[1500:]
    queries = np.concatenate([
        (centres[rng.integers(0, 40, 300)] @ basis + 0.1 * rng.normal(size=(300, 512)) + 2.0),  # near the bank
        bank[1500:1800] + 0.5 * rng.normal(size=(300, 512)) * np.linspace(1.0, 0.2, 512),  # where the rest counts
        rng.normal(size=(50, 512)) * 3,  # far from everything
        bank[40:60],  # exactly bank vectors: distance 0
    ]).astype(np.float32)
    nn = NearestNeighbours(bank, pruned=True)
    assert nn.pruned is not None
    dist, idx = nn.search(queries, 1)
    ref_d, ref_idx = _brute_force(bank, queries)
    picked = ref_d[np.arange(len(queries)), idx[:, 0]]
    best = ref_d[np.arange(len(queries)), ref_idx]
    assert np.all(picked <= best + 1e-4 * np.maximum(best, 1.0))  # the nearest (or a float tie with it)
    assert (idx[:, 0] == ref_idx).mean() > 0.99
    assert np.allclose(dist[:, 0], best, atol=2e-3, rtol=1e-4)
    assert idx[660, 0] == 50 and dist[-20:, 0].max() < 1e-2  # bank[50] == bank[100]: the first, like a flat scan
    _, _, checked = nn.pruned.search(queries[:300])
    assert checked.mean() < 0.2 * len(bank)  # and most of the bank was never compared in full
    flat_d, flat_idx = NearestNeighbours(bank, pruned=False).search(queries, 1)
    assert (flat_idx[:, 0] == idx[:, 0]).mean() > 0.99


@pytest.mark.skipif(search_module.kernels is None, reason="numba is not installed")
def test_queries_far_from_the_bank_get_the_exact_answer_too():
    rng = np.random.default_rng(2)
    basis = rng.normal(size=(16, 256)) * np.linspace(3, 0.3, 16)[:, None]
    bank = (rng.normal(size=(3000, 16)) @ basis + 0.05 * rng.normal(size=(3000, 256))).astype(np.float32)
    nn = NearestNeighbours(bank, pruned=True)
    near = bank[rng.integers(0, 3000, 500)] + 0.01 * rng.normal(size=(500, 256))
    far = rng.normal(size=(40, 256)) * 20  # nowhere near the bank: the bounds rule out little
    queries = np.concatenate([near[:250], far, near[250:]]).astype(np.float32)
    dist, idx = nn.search(queries, 1)
    ref_d, ref_idx = _brute_force(bank, queries)
    assert (idx[:, 0] == ref_idx).mean() > 0.99 and np.allclose(dist[:, 0], ref_d.min(axis=1), rtol=1e-4, atol=1e-4)
    _, _, checked = nn.pruned.search(queries)
    assert checked[250:290].mean() > 5 * checked[:250].mean()  # the far ones did look at much more of the bank



@pytest.mark.skipif(search_module.kernels is None, reason="numba is not installed")
def test_a_bank_too_large_for_a_sorted_copy_is_searched_in_place_with_the_same_answers(monkeypatch):
    rng = np.random.default_rng(5)
    bank = _structured_bank(rng)
    queries = (bank[:500] + 0.3 * rng.normal(size=(500, bank.shape[1]))).astype(np.float32)
    copied = NearestNeighbours(bank, pruned=True)
    monkeypatch.setattr(search_module, "SORTED_COPY_BYTES", 0)
    in_place = NearestNeighbours(bank, pruned=True)
    assert copied.pruned.rows_bank is not bank and in_place.pruned.rows_bank is in_place.bank
    for k in (1, 5):
        d1, i1 = copied.search(queries[:40], k)
        d2, i2 = in_place.search(queries[:40], k)
        assert np.array_equal(i1, i2) and np.array_equal(d1, d2)
    assert np.array_equal(copied.search(queries, 1)[1], in_place.search(queries, 1)[1])


@pytest.mark.skipif(search_module.kernels is None, reason="numba is not installed")
def test_the_k_nearest_of_a_few_queries_are_exact_and_in_order():
    """The reweighting's search (k > 1, a handful of queries): the pruned search with a k-th best bound."""
    rng = np.random.default_rng(4)
    bank = _structured_bank(rng)
    bank[7] = bank[3]  # an exact tie: the smaller index first
    nn = NearestNeighbours(bank, pruned=True)
    queries = np.concatenate([bank[[3, 10, 2999]], bank[20:28] + 0.2 * rng.normal(size=(8, bank.shape[1])),
                              rng.normal(size=(3, bank.shape[1])) * 10]).astype(np.float32)  # members, near, far
    calls = []
    real = nn.pruned.search_k
    nn.pruned.search_k = lambda q, k: calls.append(k) or real(q, k)
    dist, idx = nn.search(queries, 9)
    assert calls == [9]  # not a flat scan
    ref_d, _ = _brute_force(bank, queries)
    ref_idx = np.argsort(ref_d, axis=1, kind="stable")[:, :9]
    assert np.array_equal(idx, ref_idx)
    assert np.allclose(dist, np.take_along_axis(ref_d, ref_idx, 1), atol=1e-4, rtol=1e-5)
    assert list(idx[0, :2]) == [3, 7] and dist[0, 1] == 0
    everything_d, everything = nn.pruned.search_k(queries[:2], len(bank))  # k = the whole bank
    assert np.array_equal(np.sort(everything, axis=1), np.tile(np.arange(len(bank)), (2, 1)))
    assert np.all(np.diff(everything_d, axis=1) >= 0)


def _structured_bank(rng: np.random.Generator, n: int = 3000, d: int = 256) -> np.ndarray:
    basis = rng.normal(size=(16, d)) * np.linspace(3, 0.3, 16)[:, None]
    return ((rng.normal(size=(n, 16)) @ basis) + 0.05 * rng.normal(size=(n, d))).astype(np.float32)


@pytest.mark.skipif(search_module.kernels is None, reason="numba is not installed")
def test_a_cancel_during_the_search_of_a_batch_stops_before_the_next_chunk_of_queries(monkeypatch):
    rng = np.random.default_rng(3)
    bank = _structured_bank(rng)
    nn = NearestNeighbours(bank, pruned=True)
    token = CancelToken()
    chunks = []
    real = search_module.kernels.nearest

    def nearest(*args):
        start, stop = args[-5], args[-4]
        chunks.append(stop - start)
        token.cancel()  # set while this chunk is searched
        return real(*args)

    monkeypatch.setattr(search_module.kernels, "nearest", nearest)
    queries = (bank[:2000] + 0.3 * rng.normal(size=(2000, bank.shape[1]))).astype(np.float32)
    with pytest.raises(Cancelled):
        nn.search(queries, 1, cancel=token)
    assert len(chunks) == 1 and chunks[0] < len(queries)
    chunks.clear()
    dist, idx = nn.search(queries, 1)  # without a token: as before, and the same answers as the flat scan
    flat_d, flat_idx = NearestNeighbours(bank, pruned=False).search(queries, 1, cancel=CancelToken())
    assert (idx == flat_idx).mean() > 0.99 and np.allclose(dist, flat_d, atol=2e-2)  # faiss: float32 expansion
    assert chunks == [len(queries)]
    chunks.clear()
    nn._pieces.per_item = 0.2 / 300  # a first piece of 300 queries, whatever this machine's speed
    pieced_d, pieced_idx = nn.search(queries, 1, cancel=CancelToken(), images=5)  # in pieces, images interleaved
    assert len(chunks) > 1 and sum(chunks) == len(queries)
    assert np.array_equal(pieced_idx, idx) and np.array_equal(pieced_d, dist)


@pytest.mark.skipif(search_module.kernels is None, reason="numba is not installed")
def test_the_patches_of_several_images_give_the_same_answers_in_any_visiting_order():
    """PatchCore passes a batch's patches image after image and the search visits them position by position
    across groups of images; every query's answer lands at its own row, for any batch size."""
    rng = np.random.default_rng(6)
    bank = _structured_bank(rng)
    nn = NearestNeighbours(bank, pruned=True)
    for images in (1, 3, 4, 7, 9):
        per = 50
        queries = (bank[rng.integers(0, len(bank), images * per)]
                   + 0.3 * rng.normal(size=(images * per, bank.shape[1]))).astype(np.float32)
        one_d, one_idx, one_checked = nn.pruned.search(queries)
        d, idx, checked = nn.pruned.search(queries, images=images)
        assert np.array_equal(idx, one_idx) and np.array_equal(d, one_d) and np.array_equal(checked, one_checked)
        ref_d, ref_idx = _brute_force(bank, queries)
        assert (idx == ref_idx).mean() > 0.99
    visits = [search_module.kernels._visited(k, 5, 4, 7) for k in range(35)]
    assert sorted(visits) == list(range(35))  # every row once
    assert visits[:8] == [0, 5, 10, 15, 1, 6, 11, 16]  # position by position across the first 4 images
    assert visits[20:26] == [20, 25, 30, 21, 26, 31]  # then across the last 3
    with pytest.raises(ValueError, match="not the patches of 4 images"):
        nn.pruned.search(queries[:10], images=4)


@pytest.mark.skipif(search_module.kernels is None, reason="numba is not installed")
def test_the_tiles_hold_each_members_values_and_their_masks_are_the_members_bounds():
    """The members' low coordinates in tiles of 16 (coordinate by coordinate, a cluster's last tile padded) and
    the vector code that bounds 16 members at once, against the bound worked in numpy."""
    kernels = search_module.kernels
    rng = np.random.default_rng(8)
    starts = np.array([0, 5, 21, 22, 60], dtype=np.int64)  # clusters of 5, 16, 1 and 38 members
    b_lo = rng.normal(size=(60, kernels.LOW_DIMS)).astype(np.float32)
    b_hi, b2 = (rng.random(60).astype(np.float32) for _ in range(2))
    tstart, (tiles, t_hi, t_b2) = search_module._tiles(starts, b_lo, b_hi, b2)
    assert tstart.tolist() == [0, 1, 2, 3, 6] and tiles.shape == (6, kernels.LOW_DIMS, 16)
    assert np.array_equal(tiles[5, :, 5], b_lo[22 + 37]) and np.array_equal(tiles[1, :, 15], b_lo[20])
    assert t_hi[0, 5:].tolist() == [0.0] * 11 and t_b2[5, 6] == 0.0 and t_hi[4, 0] == b_hi[38]

    @search_module.numba.njit
    def masks(lo, best):
        out = np.empty(len(tstart) - 1 + 2, dtype=np.int64)
        c = np.repeat(np.arange(4), np.diff(tstart))
        for t in range(len(c)):
            out[t] = kernels._candidates(c[t], t, lo, np.float32(0.4), np.float32(0.6), np.float32(1e-3), starts,
                                         tstart, tiles, t_hi, t_b2, best)[0]
        return out[: len(c)]

    lo = rng.normal(size=kernels.LOW_DIMS).astype(np.float32)
    u = np.maximum(0.0, np.maximum(b_hi - 0.6, 0.4 - b_hi))
    bound = ((lo - b_lo) ** 2).sum(axis=1) + u * u - 1e-3 - 1e-4 * b2
    ranked = np.sort(bound)
    best = np.float32((ranked[29] + ranked[30]) / 2)  # half the members, none within rounding of it
    assert ranked[30] - ranked[29] > 1e-4 * abs(best)
    got = masks(lo, best)
    for t, m in enumerate(got):
        c = np.searchsorted(tstart, t, side="right") - 1
        first = starts[c] + 16 * (t - tstart[c])
        rows = range(first, min(first + 16, starts[c + 1]))
        assert m == sum(1 << (j - first) for j in rows if bound[j] <= best), t
    assert masks(lo, np.float32(np.inf))[1] == (1 << 16) - 1  # a full tile against inf: every member in question


def test_the_int8_copy_misses_no_more_than_it_says():
    """``_ruled_out`` skips a row on ``|q - c| >= |q - scale * code| - err``: ``err`` must be at least the norm
    of what the copy misses, rows of zeros included."""
    rng = np.random.default_rng(9)
    centred = (rng.normal(size=(300, 96)) * rng.random((300, 1)) * 10).astype(np.float32)
    centred[7] = 0.0
    centred[8] = 0.0
    centred[8, 3] = 1e-30  # a row of one tiny value
    codes = np.empty(centred.shape, dtype=np.int8)
    scale, err = search_module._int8_rows(centred, codes, piece=64)
    miss = centred.astype(np.float64) - scale[:, None].astype(np.float64) * codes
    assert np.all(err >= np.linalg.norm(miss, axis=1)) and np.all(err <= 1.01 * np.linalg.norm(miss, axis=1) + 1e-30)
    assert np.abs(codes).max() == 127 and err[7] < 1e-40 and scale[7] == 1.0 and codes[8, 3] == 127
    assert np.median(err / np.linalg.norm(centred, axis=1).clip(1e-30)) < 0.02  # a tight copy: ~1 % of the norm
    with pytest.raises(ValueError, match="32 dimensions or more"):
        search_module.PrunedSearch(centred[:, :16])


@pytest.mark.skipif(search_module.kernels is None, reason="numba is not installed")
def test_vectors_of_a_width_not_a_multiple_of_64_and_far_from_zero_get_the_exact_answer():
    """The int8 and exact distances sum in blocks of 64 values and a remainder; features sharing a large offset
    keep small centred vectors (the int8 copy is of those)."""
    rng = np.random.default_rng(10)
    bank = (_structured_bank(rng, 2500, 100) + 40.0).astype(np.float32)
    queries = np.concatenate([bank[:300] + 0.2 * rng.normal(size=(300, 100)), 40.0 + 3 * rng.normal(size=(20, 100)),
                              bank[300:310]]).astype(np.float32)
    dist, idx = NearestNeighbours(bank, pruned=True).search(queries, 1)
    ref_d, ref_idx = _brute_force(bank, queries)
    assert (idx[:, 0] == ref_idx).mean() > 0.99
    assert np.allclose(dist[:, 0], ref_d.min(axis=1), rtol=1e-4, atol=1e-3) and dist[-10:, 0].max() < 1e-2


def test_a_cancel_during_a_flat_scan_stops_before_the_next_chunk(monkeypatch):
    rng = np.random.default_rng(4)
    bank = rng.normal(size=(200, 64)).astype(np.float32)
    queries = rng.normal(size=(100, 64)).astype(np.float32)
    monkeypatch.setattr(search_module, "FLAT_CHUNK_MACS", 10 * bank.size)  # chunks of 10 queries
    nn = NearestNeighbours(bank, pruned=False)
    whole_d, whole_idx = nn.search(queries, 3)
    calls, token = [], CancelToken()

    class Counting:
        def search(self, q, k):
            calls.append(len(q))
            return real.search(q, k)

    real, nn._index = nn.index, Counting()
    chunked_d, chunked_idx = nn.search(queries, 3, cancel=CancelToken())
    assert calls == [10] * 10 and np.array_equal(chunked_idx, whole_idx) and np.allclose(chunked_d, whole_d)
    calls.clear()
    real_search = Counting.search
    Counting.search = lambda self, q, k: token.cancel() or real_search(self, q, k)
    with pytest.raises(Cancelled):
        nn.search(queries, 3, cancel=token)
    assert calls == [10]


@pytest.mark.skipif(search_module.kernels is None, reason="numba is not installed")
def test_a_cancel_while_the_search_index_is_built_stops_between_k_means_iterations(monkeypatch):
    import faiss

    bank = _structured_bank(np.random.default_rng(5))
    token, iterations = CancelToken(), []
    real_train = faiss.Kmeans.train

    def train(self, x, *args, **kwargs):
        iterations.append(1)
        token.cancel()
        return real_train(self, x, *args, **kwargs)

    monkeypatch.setattr(faiss.Kmeans, "train", train)
    with pytest.raises(Cancelled):
        NearestNeighbours(bank, pruned=True, cancel=token)
    assert len(iterations) == 1  # of search_module.KMEANS_ITERATIONS


def test_principal_axes_are_orthonormal_and_span_the_leading_subspace():
    rng = np.random.default_rng(6)
    scales = np.concatenate([np.linspace(10, 5, 8), np.full(120, 0.5)])
    x = (rng.normal(size=(4000, 128)) * scales) @ np.linalg.qr(rng.normal(size=(128, 128)))[0]
    x = (x - x.mean(axis=0)).astype(np.float32)
    axes = search_module.principal_axes(x, 8)
    assert axes.shape == (128, 8) and np.allclose(axes.T @ axes, np.eye(8), atol=1e-5)
    _, vecs = np.linalg.eigh(x.T.astype(np.float64) @ x)
    top = vecs[:, -8:]
    assert np.allclose(top @ (top.T @ axes), axes, atol=1e-3)  # inside the span of the 8 leading eigenvectors
    variance = np.var(x @ axes, axis=0)
    assert np.all(np.diff(variance) <= 1e-3 * variance[0])  # largest first
