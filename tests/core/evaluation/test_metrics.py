"""Tests of inspector.core.evaluation.metrics against hand-computed values and independent brute-force references."""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest

from inspector.core.evaluation.metrics import (
    best_f1,
    f1_at_threshold,
    image_auroc,
    pixel_auroc,
    pro_curve,
    pro_score,
    roc_curve,
)

# --------------------------------------------------------------------------------------------------
# independent references
# --------------------------------------------------------------------------------------------------


def pairwise_auroc(scores: np.ndarray, labels: np.ndarray) -> float:
    """O(n^2) definition: fraction of (positive, negative) pairs ordered correctly, ties counting 1/2."""
    pos = scores[labels == 1][:, None]
    neg = scores[labels == 0][None, :]
    return float(((pos > neg).sum() + 0.5 * (pos == neg).sum()) / (pos.size * neg.size))


def label_regions_8(mask: np.ndarray) -> np.ndarray:
    """Connected components of a 2-D bool mask with 8-connectivity by breadth-first search (0 = none)."""
    h, w = mask.shape
    labels = np.zeros((h, w), dtype=np.int64)
    current = 0
    for y0 in range(h):
        for x0 in range(w):
            if not mask[y0, x0] or labels[y0, x0]:
                continue
            current += 1
            labels[y0, x0] = current
            queue = deque([(y0, x0)])
            while queue:
                y, x = queue.popleft()
                for dy in (-1, 0, 1):
                    for dx in (-1, 0, 1):
                        yy, xx = y + dy, x + dx
                        if 0 <= yy < h and 0 <= xx < w and mask[yy, xx] and not labels[yy, xx]:
                            labels[yy, xx] = current
                            queue.append((yy, xx))
    return labels


def brute_pro_curve(maps: np.ndarray, masks: np.ndarray, thresholds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """PRO and FPR at each threshold, binarizing the maps and measuring every region's overlap directly."""
    masks = masks.astype(bool)
    region_ids = np.zeros(masks.shape, dtype=np.int64)
    offset = 0
    for i, mask in enumerate(masks):
        labels = label_regions_8(mask)
        region_ids[i][labels > 0] = labels[labels > 0] + offset
        offset += labels.max()
    n_regions = offset
    sizes = np.bincount(region_ids.ravel(), minlength=n_regions + 1)[1:]
    negatives = ~masks
    fprs, pros = [], []
    for t in thresholds:
        predicted = maps > t
        fprs.append((predicted & negatives).sum() / negatives.sum())
        overlap = np.bincount(region_ids[predicted], minlength=n_regions + 1)[1:]
        pros.append(np.mean(overlap / sizes))
    return np.array(fprs), np.array(pros)


def clipped_area(fpr: np.ndarray, pro: np.ndarray, limit: float) -> float:
    """Normalized area under the piecewise-linear curve through the points sorted by (fpr, pro), up to limit."""
    order = np.lexsort((pro, fpr))
    x, y = fpr[order], pro[order]
    area = 0.0
    for x0, x1, y0, y1 in zip(x[:-1], x[1:], y[:-1], y[1:]):
        if x0 >= limit:
            break
        if x1 <= limit:
            area += (x1 - x0) * (y0 + y1) / 2
        else:
            y_limit = y0 + (y1 - y0) * (limit - x0) / (x1 - x0)
            area += (limit - x0) * (y0 + y_limit) / 2
    return area / limit


def random_blob_masks(rng: np.random.Generator, n: int, h: int, w: int, max_blobs: int = 3) -> np.ndarray:
    """Masks with 0..max_blobs random rectangles and disks per image (some images have no defect)."""
    masks = np.zeros((n, h, w), dtype=bool)
    yy, xx = np.mgrid[:h, :w]
    for i in range(n):
        for _ in range(rng.integers(0, max_blobs + 1)):
            cy, cx = rng.integers(0, h), rng.integers(0, w)
            if rng.random() < 0.5:
                r = rng.integers(1, max(2, h // 5))
                masks[i] |= (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
            else:
                masks[i, cy : cy + rng.integers(1, h // 3), cx : cx + rng.integers(1, w // 3)] = True
    masks[0, 1:4, 1:4] = True  # at least one region overall
    return masks


# --------------------------------------------------------------------------------------------------
# image AUROC
# --------------------------------------------------------------------------------------------------


def test_image_auroc_hand_cases() -> None:
    assert image_auroc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]) == 1.0  # perfect
    assert image_auroc([0.8, 0.9, 0.1, 0.2], [0, 0, 1, 1]) == 0.0  # inverted
    assert image_auroc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1]) == 0.5  # all tied
    # pairs (pos, neg): (0.35, 0.1) yes, (0.35, 0.4) no, (0.8, 0.1) yes, (0.8, 0.4) yes -> 3/4
    assert image_auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == 0.75
    # pos {0.5, 0.9}, neg {0.5, 0.2}: 0.5 = 0.5 counts 1/2, the other three pairs are right -> 3.5/4
    assert image_auroc([0.5, 0.5, 0.2, 0.9], [1, 0, 0, 1]) == 0.875
    # unbalanced: pos {3}, neg {1, 3, 3, 5}: 1 + 0.5 + 0.5 + 0 over 4 pairs
    assert image_auroc([1, 3, 3, 5, 3], [0, 0, 0, 0, 1]) == 0.5


def test_image_auroc_accepts_bool_lists_and_ints() -> None:
    assert image_auroc(np.array([1, 2, 3]), np.array([False, True, True])) == 1.0
    assert image_auroc([2.0, 1.0], [1.0, 0.0]) == 1.0
    assert image_auroc(np.array([-np.inf, np.inf]), np.array([0, 1])) == 1.0


@pytest.mark.parametrize("seed", range(5))
def test_image_auroc_matches_pairwise_bruteforce_with_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(20, 300))
    labels = (rng.random(n) < rng.uniform(0.1, 0.9)).astype(int)
    labels[:2] = [0, 1]
    scores = np.round(rng.normal(size=n) + 0.7 * labels, 1)  # rounding creates many ties
    assert image_auroc(scores, labels) == pytest.approx(pairwise_auroc(scores, labels), abs=1e-12)


def test_image_auroc_is_rank_based() -> None:
    rng = np.random.default_rng(1)
    scores = np.round(rng.random(200), 2)
    labels = rng.random(200) < 0.3
    auc = image_auroc(scores, labels)
    assert image_auroc(np.exp(5 * scores) - 3, labels) == pytest.approx(auc, abs=1e-12)
    assert image_auroc(-scores, labels) == pytest.approx(1 - auc, abs=1e-12)
    assert image_auroc(scores.astype(np.float32), labels) == pytest.approx(auc, abs=1e-12)


def test_image_auroc_errors() -> None:
    with pytest.raises(ValueError, match="only one class"):
        image_auroc([0.1, 0.2, 0.3], [1, 1, 1])
    with pytest.raises(ValueError, match="only one class"):
        image_auroc([0.1, 0.2], [0, 0])
    with pytest.raises(ValueError, match="only one class"):
        image_auroc([], [])
    with pytest.raises(ValueError, match="same shape"):
        image_auroc([0.1, 0.2, 0.3], [0, 1])
    with pytest.raises(ValueError, match="only 0 and 1"):
        image_auroc([0.1, 0.2, 0.3], [0, 1, 2])
    with pytest.raises(ValueError, match="only 0 and 1"):
        image_auroc([0.1, 0.2, 0.3], [0, 0.5, 1])
    with pytest.raises(ValueError, match="NaN"):
        image_auroc([0.1, np.nan, 0.3], [0, 1, 1])


# --------------------------------------------------------------------------------------------------
# pixel AUROC
# --------------------------------------------------------------------------------------------------


def test_pixel_auroc_equals_auroc_of_flattened_pixels() -> None:
    rng = np.random.default_rng(2)
    masks = random_blob_masks(rng, 4, 16, 16)
    maps = np.round(rng.random(masks.shape) + 0.4 * masks, 2)
    expected = pairwise_auroc(maps.ravel(), masks.ravel().astype(int))
    assert pixel_auroc(maps, masks) == pytest.approx(expected, abs=1e-12)
    assert pixel_auroc(maps, masks.astype(np.uint8)) == pytest.approx(expected, abs=1e-12)
    assert pixel_auroc(maps, masks) == image_auroc(maps.ravel(), masks.ravel())


def test_pixel_auroc_full_size_dataset() -> None:
    """100 maps of 224 x 224 (5 M pixels): one sort, no quadratic memory."""
    rng = np.random.default_rng(3)
    masks = np.zeros((100, 224, 224), dtype=bool)
    masks[::2, 50:90, 60:120] = True
    maps = rng.random(masks.shape, dtype=np.float32)
    maps[masks] += 1.0
    assert pixel_auroc(maps, masks) == 1.0
    maps[masks] -= 2.0
    assert pixel_auroc(maps, masks) == 0.0


def test_pro_full_size_dataset() -> None:
    """100 maps of 224 x 224 with a 40 x 60 defect in every other image: a perfect and a random map."""
    rng = np.random.default_rng(3)
    masks = np.zeros((100, 224, 224), dtype=bool)
    masks[::2, 50:90, 60:120] = True
    maps = rng.random(masks.shape, dtype=np.float32)
    assert pro_score(maps, masks) == pytest.approx(0.15, abs=0.01)
    maps[masks] += 1.0
    assert pro_score(maps, masks) == pytest.approx(1.0, abs=1e-12)


def test_pixel_auroc_errors() -> None:
    with pytest.raises(ValueError, match="only one class"):
        pixel_auroc(np.zeros((2, 4, 4)), np.zeros((2, 4, 4), bool))
    with pytest.raises(ValueError, match="same shape"):
        pixel_auroc(np.zeros((2, 4, 4)), np.zeros((2, 4, 5), bool))
    with pytest.raises(ValueError, match="mask > 0"):
        pixel_auroc(np.zeros((1, 2, 2)), np.array([[[0, 255], [0, 0]]], np.uint8))


# --------------------------------------------------------------------------------------------------
# ROC curve
# --------------------------------------------------------------------------------------------------


def test_roc_curve_hand_case() -> None:
    fpr, tpr, thr = roc_curve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])
    np.testing.assert_array_equal(thr, [np.inf, 0.8, 0.4, 0.35, 0.1])
    np.testing.assert_array_equal(fpr, [0.0, 0.0, 0.5, 0.5, 1.0])
    np.testing.assert_array_equal(tpr, [0.0, 0.5, 0.5, 1.0, 1.0])


def test_roc_curve_ties_move_together() -> None:
    fpr, tpr, thr = roc_curve([0.5, 0.5, 0.2, 0.9], [1, 0, 0, 1])
    np.testing.assert_array_equal(thr, [np.inf, 0.9, 0.5, 0.2])
    np.testing.assert_array_equal(fpr, [0.0, 0.0, 0.5, 1.0])
    np.testing.assert_array_equal(tpr, [0.0, 0.5, 1.0, 1.0])


@pytest.mark.parametrize("seed", range(3))
def test_roc_curve_definition_and_area(seed: int) -> None:
    rng = np.random.default_rng(10 + seed)
    labels = rng.random(500) < 0.4
    labels[:2] = [False, True]
    scores = np.round(rng.normal(size=500) + labels, 1)
    fpr, tpr, thr = roc_curve(scores, labels)
    assert thr[0] == np.inf and np.all(np.diff(thr) < 0)
    assert len(thr) == len(np.unique(scores)) + 1
    for f, t, th in zip(fpr, tpr, thr):  # "defect iff score >= threshold"
        assert f == np.mean(scores[~labels] >= th)
        assert t == np.mean(scores[labels] >= th)
    area = np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2)
    assert area == pytest.approx(image_auroc(scores, labels), abs=1e-12)

    fpr_d, tpr_d, thr_d = roc_curve(scores, labels, drop_intermediate=True)
    assert len(thr_d) <= len(thr) and set(thr_d) <= set(thr)
    assert (fpr_d[0], tpr_d[0], fpr_d[-1], tpr_d[-1]) == (0.0, 0.0, 1.0, 1.0)
    area_d = np.sum(np.diff(fpr_d) * (tpr_d[1:] + tpr_d[:-1]) / 2)
    assert area_d == pytest.approx(area, abs=1e-12)


def test_roc_curve_drop_intermediate_drops_straight_runs() -> None:
    fpr, tpr, thr = roc_curve([4, 3, 2, 1], [1, 1, 1, 0], drop_intermediate=True)
    np.testing.assert_array_equal(thr, [np.inf, 2, 1])
    np.testing.assert_array_equal(tpr, [0, 1, 1])
    np.testing.assert_array_equal(fpr, [0, 0, 1])


def test_roc_curve_one_class_raises() -> None:
    with pytest.raises(ValueError, match="only one class"):
        roc_curve([0.1, 0.2], [1, 1])


# --------------------------------------------------------------------------------------------------
# PRO
# --------------------------------------------------------------------------------------------------


def two_region_case() -> tuple[np.ndarray, np.ndarray]:
    """One 20 x 20 image: region A of 2 x 2 = 4 pixels, region B of 4 x 4 = 16 pixels, apart."""
    masks = np.zeros((1, 20, 20), dtype=bool)
    masks[0, 1:3, 1:3] = True  # A
    masks[0, 10:14, 10:14] = True  # B
    return masks, np.zeros(masks.shape)


def test_pro_covers_one_region_and_half_the_other_at_zero_fpr() -> None:
    masks, maps = two_region_case()
    maps[:] = 0.5  # every good pixel
    maps[0, 1:3, 1:3] = 1.0  # A fully
    maps[0, 10:12, 10:14] = 1.0  # upper half of B
    maps[0, 12:14, 10:14] = 0.0  # lower half of B: below every good pixel
    # PRO = mean(1, 1/2) = 0.75 from FPR 0 until FPR 1 (the pixel overlap would be 12/20 = 0.6)
    fpr, pro = pro_curve(maps, masks)
    np.testing.assert_allclose(fpr, [0, 0, 1, 1])
    np.testing.assert_allclose(pro, [0, 0.75, 0.75, 1])
    for limit in (0.01, 0.1, 0.3, 0.5, 0.99):
        assert pro_score(maps, masks, fpr_limit=limit) == pytest.approx(0.75, abs=1e-12)
    assert pro_score(maps, masks, fpr_limit=1.0) == pytest.approx(0.75, abs=1e-12)


def test_pro_ties_with_good_pixels_interpolate_linearly() -> None:
    masks, maps = two_region_case()
    maps[0, 1:3, 1:3] = 1.0
    maps[0, 10:12, 10:14] = 1.0
    # the rest of B ties with the good pixels at 0: the curve goes straight from (0, 0.75) to (1, 1)
    assert pro_score(maps, masks, fpr_limit=0.3) == pytest.approx((0.75 + 0.825) / 2, abs=1e-12)
    assert pro_score(maps, masks, fpr_limit=1.0) == pytest.approx(0.875, abs=1e-12)


def test_pro_perfect_and_inverted_detector() -> None:
    rng = np.random.default_rng(4)
    masks = random_blob_masks(rng, 5, 32, 32)
    perfect = rng.random(masks.shape) + 2.0 * masks
    assert pro_score(perfect, masks) == pytest.approx(1.0, abs=1e-12)
    assert pro_score(masks.astype(np.float32), masks) == pytest.approx(1.0, abs=1e-12)
    inverted = rng.random(masks.shape) - 2.0 * masks
    assert pro_score(inverted, masks) == pytest.approx(0.0, abs=1e-12)


def test_pro_fpr_limit_piecewise() -> None:
    """One region of 2 pixels, 4 good pixels: curve (0,0) (0,.5) (.25,.5) (.25,1) (1,1)."""
    masks = np.array([[[1, 1, 0, 0, 0, 0]]], dtype=bool)
    maps = np.array([[[0.9, 0.7, 0.8, 0.1, 0.1, 0.1]]])
    fpr, pro = pro_curve(maps, masks)
    np.testing.assert_allclose(fpr, [0, 0, 0.25, 0.25, 1])
    np.testing.assert_allclose(pro, [0, 0.5, 0.5, 1, 1])
    assert pro_score(maps, masks, fpr_limit=0.1) == pytest.approx(0.5)
    assert pro_score(maps, masks, fpr_limit=0.25) == pytest.approx(0.5)
    assert pro_score(maps, masks, fpr_limit=0.5) == pytest.approx((0.125 + 0.25) / 0.5)
    assert pro_score(maps, masks, fpr_limit=1.0) == pytest.approx(0.875)
    assert pro_score(maps[0], masks[0], fpr_limit=0.5) == pytest.approx(0.75)  # one [H, W] image


def test_pro_regions_are_8_connected_and_per_image() -> None:
    masks = np.zeros((2, 8, 8), dtype=bool)
    masks[0, 1, 1] = masks[0, 2, 2] = True  # diagonal neighbours: one region of 2 pixels
    masks[0, 6, 6] = True  # a second region of 1 pixel
    maps = np.zeros(masks.shape)
    maps[masks] = -1.0  # missed defect pixels score below every good pixel
    maps[0, 1, 1] = maps[0, 6, 6] = 1.0
    # 8-connected: (1/2 + 1) / 2 = 0.75; with 4-connectivity it would be (1 + 0 + 1) / 3
    assert pro_score(maps[:1], masks[:1]) == pytest.approx(0.75, abs=1e-12)

    masks[1, 0:3, 0] = True  # a column in the next image is a region of its own, missed
    maps[1, 0:3, 0] = -1.0
    assert pro_score(maps, masks) == pytest.approx((0.5 + 1 + 0) / 3, abs=1e-12)


def on_polyline(x: float, y: float, px: np.ndarray, py: np.ndarray, tol: float = 1e-12) -> bool:
    """Whether (x, y) lies on the polyline through (px, py) (px non-decreasing)."""
    for x0, x1, y0, y1 in zip(px[:-1], px[1:], py[:-1], py[1:]):
        if x0 - tol <= x <= x1 + tol:
            if x1 - x0 <= tol:  # vertical segment
                if min(y0, y1) - tol <= y <= max(y0, y1) + tol:
                    return True
            elif abs(y0 + (y1 - y0) * (x - x0) / (x1 - x0) - y) <= tol:
                return True
    return False


@pytest.mark.parametrize("seed", range(4))
def test_pro_matches_bruteforce_exactly_at_all_distinct_thresholds(seed: int) -> None:
    rng = np.random.default_rng(20 + seed)
    masks = random_blob_masks(rng, 3, 24, 24)
    maps = np.round(rng.random(masks.shape) + rng.uniform(0, 1) * masks, 2)  # ties between all kinds
    thresholds = np.r_[np.inf, np.unique(maps)[::-1], -np.inf]  # every distinct operating point
    ref_fpr, ref_pro = brute_pro_curve(maps, masks, thresholds)
    fpr, pro = pro_curve(maps, masks)
    assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(pro) >= 0)
    # the fast curve keeps only the vertices where the curve bends: each is a brute-force point ...
    for x, y in zip(fpr, pro):
        assert np.any((np.abs(ref_fpr - x) < 1e-12) & (np.abs(ref_pro - y) < 1e-12))
    # ... and every brute-force point lies on the fast polyline
    for x, y in zip(ref_fpr, ref_pro):
        assert on_polyline(x, y, fpr, pro)
    for limit in (0.01, 0.05, 0.3, 0.77, 1.0):
        assert pro_score(maps, masks, limit) == pytest.approx(clipped_area(ref_fpr, ref_pro, limit), abs=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_pro_agrees_with_bruteforce_on_a_threshold_grid(seed: int) -> None:
    rng = np.random.default_rng(30 + seed)
    masks = random_blob_masks(rng, 4, 32, 32)
    maps = rng.random(masks.shape) + 0.6 * masks * rng.random(masks.shape)
    grid = np.r_[np.linspace(maps.max(), maps.min(), 2000), -np.inf]
    ref_fpr, ref_pro = brute_pro_curve(maps, masks, grid)
    for limit in (0.1, 0.3):
        reference = clipped_area(ref_fpr, ref_pro, limit)
        assert pro_score(maps, masks, limit) == pytest.approx(reference, abs=1e-3)
        # and the num_thresholds mode is exactly that grid
        assert pro_score(maps, masks, limit, num_thresholds=2000) == pytest.approx(reference, abs=1e-9)


def test_pro_random_map_is_about_half_the_limit() -> None:
    rng = np.random.default_rng(5)
    masks = random_blob_masks(rng, 20, 64, 64, max_blobs=4)
    maps = rng.random(masks.shape)
    assert pro_score(maps, masks, fpr_limit=0.3) == pytest.approx(0.15, abs=0.015)
    assert pro_score(maps, masks, fpr_limit=1.0) == pytest.approx(0.5, abs=0.03)


def test_pro_grows_with_a_better_map() -> None:
    rng = np.random.default_rng(6)
    masks = random_blob_masks(rng, 6, 32, 32)
    noise = rng.random(masks.shape)
    values = [pro_score(noise + k * masks, masks) for k in (0.0, 0.3, 0.6, 1.2)]
    assert values == sorted(values) and values[-1] == pytest.approx(1.0)


def test_pro_errors() -> None:
    maps = np.random.default_rng(0).random((2, 8, 8))
    masks = np.zeros((2, 8, 8), dtype=bool)
    with pytest.raises(ValueError, match="without defect regions"):
        pro_score(maps, masks)
    with pytest.raises(ValueError, match="without defect-free pixels"):
        pro_score(maps, ~masks)
    masks[0, 2:4, 2:4] = True
    for bad_limit in (0.0, -0.1, 1.5):
        with pytest.raises(ValueError, match="fpr_limit"):
            pro_score(maps, masks, fpr_limit=bad_limit)
    with pytest.raises(ValueError, match="num_thresholds"):
        pro_score(maps, masks, num_thresholds=1)
    with pytest.raises(ValueError, match="same shape"):
        pro_score(maps, masks[:1])
    with pytest.raises(ValueError, match=r"\[N, H, W\]"):
        pro_score(maps[None], masks[None])
    with pytest.raises(ValueError, match="NaN"):
        pro_score(np.where(masks, np.nan, maps), masks)
    with pytest.raises(ValueError, match="only 0 and 1"):
        pro_score(maps, masks * 255)


# --------------------------------------------------------------------------------------------------
# F1
# --------------------------------------------------------------------------------------------------


def test_f1_at_threshold_hand_case() -> None:
    scores, labels = [0.1, 0.4, 0.6, 0.9], [0, 1, 0, 1]
    assert f1_at_threshold(scores, labels, 0.5) == 0.5  # TP 1, FP 1, FN 1: 2 / (2 + 1 + 1)
    assert f1_at_threshold(scores, labels, 0.4) == 0.5  # strict ">": 0.4 is not a defect
    assert f1_at_threshold(scores, labels, 0.39) == 0.8  # TP 2, FP 1: 4 / 5
    assert f1_at_threshold(scores, labels, 1.0) == 0.0  # nothing found
    assert f1_at_threshold(scores, labels, 0.0) == pytest.approx(2 / 3)  # everything: 4 / (4 + 2)


def test_best_f1_hand_case() -> None:
    f1, threshold = best_f1([0.1, 0.4, 0.6, 0.9], [0, 1, 0, 1])
    assert f1 == 0.8
    assert threshold == pytest.approx(0.25)  # halfway between 0.4 (defect) and 0.1 (good)
    f1, threshold = best_f1([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])
    assert (f1, threshold) == (1.0, pytest.approx(0.5))


def test_best_f1_everything_defective() -> None:
    f1, threshold = best_f1(np.array([0.3, 0.5, 0.5], np.float32), [1, 1, 1])
    assert f1 == 1.0 and threshold < 0.3
    assert f1_at_threshold(np.array([0.3, 0.5, 0.5], np.float32), [1, 1, 1], threshold) == 1.0


@pytest.mark.parametrize("seed", range(5))
def test_best_f1_matches_bruteforce(seed: int) -> None:
    rng = np.random.default_rng(40 + seed)
    labels = rng.random(200) < 0.3
    labels[0] = True
    scores = np.round(rng.normal(size=200) + labels, 1)
    candidates = np.r_[np.unique(scores) - 1e-9]
    brute = max(f1_at_threshold(scores, labels, t) for t in candidates)
    f1, threshold = best_f1(scores, labels)
    assert f1 == pytest.approx(brute, abs=1e-12)
    assert f1_at_threshold(scores, labels, threshold) == f1


def test_f1_errors() -> None:
    with pytest.raises(ValueError, match="without any defective"):
        f1_at_threshold([0.1, 0.2], [0, 0], 0.15)
    with pytest.raises(ValueError, match="without any defective"):
        best_f1([0.1, 0.2], [0, 0])
    with pytest.raises(ValueError, match="same shape"):
        best_f1([0.1, 0.2], [0, 1, 1])
