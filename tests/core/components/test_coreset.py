"""The approximate greedy coreset: far-apart points, the plain loop's selection, progress, cancellation."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from inspector.core.components import coreset as C
from inspector.core.runtime.progress import Cancelled, CancelToken


def _clusters(n_clusters=12, per=400, dim=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    centres = torch.randn(n_clusters, dim, generator=g) * 10
    labels = torch.arange(n_clusters).repeat_interleave(per)
    return centres[labels] + 0.3 * torch.randn(len(labels), dim, generator=g), labels


def _coverage(z: np.ndarray, idx: np.ndarray) -> float:
    """The k-center objective: the largest distance from any point to its nearest selected point."""
    d = torch.cdist(torch.from_numpy(z), torch.from_numpy(z[idx])).min(dim=1).values
    return float(d.max())


def test_coreset_size():
    assert C.coreset_size(1000, 0.1) == 100
    assert C.coreset_size(5, 0.01) == 1
    with pytest.raises(ValueError):
        C.coreset_size(10, 0.0)


def test_greedy_picks_every_cluster_first():
    x, labels = _clusters()
    idx = C.greedy_coreset(x, 12 / len(x), projection_dim=32)
    assert len(idx) == 12
    assert sorted(labels[idx].tolist()) == list(range(12))  # far-apart points: one per cluster


def _spread_clusters():
    x, _ = _clusters(per=300, dim=256, seed=3)
    x = x + torch.randn_like(x, generator=torch.Generator().manual_seed(4))  # some spread inside clusters
    z = C.random_projection(x, 128, seed=0)
    return z, C._start_distances(z, 10, seed=0)


def test_start_distances_in_chunks_are_the_whole_bank_cdist_to_the_bit(monkeypatch):
    z, _ = _spread_clusters()  # 3,600 rows
    monkeypatch.setattr(C, "_CHUNK_ROWS", 1000)  # four chunks, the last one partial
    gen = torch.Generator().manual_seed(1)
    starts = torch.randperm(len(z), generator=gen)[:10]
    assert torch.equal(C._start_distances(z, 10, seed=0), torch.cdist(z, z[starts]).mean(dim=1))
    assert C._start_distances(z.double(), 10, seed=0).dtype == torch.float64


@pytest.mark.skipif(C.kernels is None, reason="numba is not installed")
def test_fused_and_pruned_loops_select_what_the_plain_loop_selects_index_for_index():
    z, start = _spread_clusters()
    k = 400
    plain = C._greedy_plain(z, start, k)
    fused = C._greedy_blocks(z.numpy(), start.numpy(), k, C.no_progress, None, prune=False)
    assert C.LAST_RUN["blocks"]["rows_read"] == len(z) * k  # no pruning: every row read once per pick
    pruned = C._greedy_blocks(z.numpy(), start.numpy(), k, C.no_progress, None, min_cell_rows=8, block_rows=32)
    read, regroups = C.LAST_RUN["blocks"]["rows_read"] / (len(z) * k), C.LAST_RUN["blocks"]["regroups"]
    threaded = C._greedy_blocks(z.numpy(), start.numpy(), k, C.no_progress, None, threads=2, block_rows=32)
    assert (fused == plain).all()
    assert (pruned == fused).all() and (threaded == fused).all()  # skipped blocks could not have changed
    assert regroups >= 3 and read < 0.5  # and the pruning does skip most of the bank
    given_up = C._greedy_blocks(z.numpy(), start.numpy(), k, C.no_progress, None, min_cell_rows=8, block_rows=32,
                                give_up=0.0)  # bounds dropped at 256 picks: the rest is the fused pass
    assert C.LAST_RUN["blocks"]["gave_up_at"] == 256 and (given_up == fused).all()
    # the caller's z untouched by default; reordered in place (no second copy) when it is given away
    before = z.clone()
    kept = C.select_coreset(z, k)
    assert torch.equal(z, before)
    consumed = C.select_coreset(z, k, consume=True)
    assert (consumed == kept).all() and not torch.equal(z, before)
    rows, rows_before = z.numpy(), before.numpy()
    assert np.array_equal(rows[np.lexsort(rows.T[::-1])], rows_before[np.lexsort(rows_before.T[::-1])])  # moved


@pytest.mark.skipif(C.kernels is None, reason="numba is not installed")
def test_rows_are_permuted_in_place_like_fancy_indexing():
    rng = np.random.default_rng(5)
    for n in (1, 2, 7, 1000):
        z = rng.normal(size=(n, 5)).astype(np.float32)
        order = rng.permutation(n)
        expected = z[order]
        C.kernels.permute_rows(z, order)
        assert np.array_equal(z, expected)


def _same_up_to_ties(z: torch.Tensor, start: torch.Tensor, plain: np.ndarray, other: np.ndarray) -> bool:
    """True if ``other`` equals ``plain``, or first differs where the plain loop's two candidates were a tie
    between floats (relative gap under 1e-5: rounding, not the algorithm, decided)."""
    if (plain == other).all():
        return True
    first = int(np.argmax(plain != other))
    mind = start.clone()
    for i in range(first):
        mind = torch.minimum(mind, torch.linalg.vector_norm(z - z[int(plain[i])], dim=1))
    a, b = float(mind[int(plain[first])]), float(mind[int(other[first])])
    return abs(a - b) <= 1e-5 * max(a, b)


def test_matvec_and_device_loops_select_what_the_plain_loop_selects():
    z, start = _spread_clusters()
    k = 400
    plain = C._greedy_plain(z, start, k)
    assert (C._greedy_matvec(z.numpy(), start.numpy(), k, C.no_progress, None) == plain).all()
    device = C._greedy_device(z, start, k, C.no_progress, None)  # the GPU loop, run on the CPU
    assert (device == plain).mean() > 0.95 and _same_up_to_ties(z, start, plain, device)
    assert _coverage(z.numpy(), device) == pytest.approx(_coverage(z.numpy(), plain), rel=1e-5)


@pytest.mark.skipif(C.kernels is None, reason="numba is not installed")
def test_ties_go_to_the_first_point_like_the_plain_loop():
    base, _ = _clusters(n_clusters=6, per=50, dim=16, seed=2)
    z = torch.cat([base, base, base])  # every point three times: every farthest point is a tie
    start = C._start_distances(z, 10, seed=0)
    plain = C._greedy_plain(z, start, 60)
    for kw in ({"prune": False}, {"min_cell_rows": 4, "block_rows": 16}):
        assert (C._greedy_blocks(z.numpy(), start.numpy(), 60, C.no_progress, None, **kw) == plain).all()


def test_coreset_keeps_rare_patches_that_random_sampling_misses():
    g = torch.Generator().manual_seed(1)
    common = torch.randn(3000, 32, generator=g)
    rare = torch.randn(20, 32, generator=g) * 0.1 + 12 * torch.randn(20, 1, 32, generator=g).squeeze(1)
    x = torch.cat([common, rare])
    z = C.random_projection(x, 128, seed=0).numpy()
    idx = C.greedy_coreset(x, 0.02)
    rand = np.random.default_rng(0).choice(len(x), len(idx), replace=False)
    assert set(range(3000, 3020)) <= set(idx.tolist())  # every rare patch is kept
    assert _coverage(z, idx) < 0.5 * _coverage(z, rand)


def test_deterministic_for_a_seed():
    x, _ = _clusters(per=100)
    a = C.greedy_coreset(x, 0.1, seed=5)
    b = C.greedy_coreset(x, 0.1, seed=5)
    assert (a == b).all()


def test_progress_is_reported_up_to_the_end():
    x, _ = _clusters(per=100)
    seen = []
    C.greedy_coreset(x, 0.1, progress=lambda stage, done, total: seen.append((stage, done, total)))
    k = C.coreset_size(len(x), 0.1)
    assert seen[-1] == ("coreset", k, k)
    assert len(seen) > 10 and all(a[1] <= b[1] for a, b in zip(seen, seen[1:]))


def test_cancel_stops_inside_the_loop():
    x, _ = _clusters(per=400)
    token = CancelToken()
    seen = []

    def progress(stage, done, total):
        seen.append(done)
        if done >= 20:
            token.cancel()

    with pytest.raises(Cancelled):
        C.greedy_coreset(x, 0.5, progress=progress, cancel=token)
    assert max(seen) < C.coreset_size(len(x), 0.5) // 2  # stopped soon after the cancel, not at the end


def test_projection_shapes_and_passthrough():
    x = torch.randn(50, 300)
    assert C.random_projection(x, 128, 0).shape == (50, 128)
    small = torch.randn(50, 64)
    assert C.random_projection(small, 128, 0) is not None and C.random_projection(small, 128, 0).shape == (50, 64)
