"""Geometries and regions end to end with PatchCore (random-initialised resnet18, small synthetic parts).

A defect in a corner of a 3:1 part is found by ``whole`` and ``tiles`` and never seen by ``center-crop``;
a 20x20 px defect in a 4000x3000 frame is found by ``tiles``; a region mask keeps a "defect" in an ignored
area from scoring; images of mixed sizes train, score and evaluate; the mask follows images of any size.
"""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from synthetic_defects import good_image, make_mvtec_layout, one_thread, shared_random_weights, write_png

from inspector.core.evaluation.mvtec import evaluate
from inspector.core.io.geometry import GeometryError
from inspector.core.models.patchcore import PatchCore, PatchCoreConfig

_single_thread = pytest.fixture(scope="module", autouse=True)(one_thread)
RED = np.array([230, 40, 20], np.uint8)


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    return str(shared_random_weights(tmp_path_factory))


def config(weights, **kw) -> PatchCoreConfig:
    base = dict(backbone="resnet18", layers=["layer2", "layer3"], weights=weights, resize=64, crop=64,
                coreset_ratio=0.25, batch_size=8, device="cpu")
    return PatchCoreConfig(**{**base, **kw})


def plant(img: np.ndarray, x: int, y: int, size: int) -> np.ndarray:
    out = img.copy()
    out[y : y + size, x : x + size] = RED
    return out


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    """3:1 parts (64 x 192): 10 good for training, 6 good for testing, one clean part and the same part with a
    12 px defect in its right-hand corner."""
    folder = tmp_path_factory.mktemp("wide")
    rng = np.random.default_rng(3)
    train = [write_png(folder / "train" / f"{i}.png", good_image(rng, 192)[:64]) for i in range(10)]
    goods = [write_png(folder / "test" / f"good{i}.png", good_image(rng, 192)[:64]) for i in range(6)]
    clean_img = good_image(rng, 192)[:64]
    clean = write_png(folder / "clean.png", clean_img)
    defect = write_png(folder / "corner.png", plant(clean_img, 172, 4, 12))
    return train, goods, clean, defect


@pytest.mark.parametrize("geometry", ["center-crop", "whole", "tiles", "stretch"])
def test_a_corner_defect_of_a_wide_part(weights, wide, geometry):
    train, goods, clean, defect = wide
    model = PatchCore(config(weights, geometry=geometry))
    report = model.fit(train)
    assert report.n_train == 10
    preds = {p.path: p for p in model.predict(goods + [clean, defect])}
    good_max = max(preds[g].score for g in goods)
    d, c = preds[defect], preds[clean]
    assert d.anomaly_map.shape[1] == 3 * d.anomaly_map.shape[0]  # full frame, aspect kept
    if geometry == "center-crop":  # the crop never sees the corner: the part scores as if it were clean
        assert d.score == pytest.approx(c.score)
        assert d.anomaly_map[:, -20:].max() == 0.0 and not d.region[:, -20:].any()
    else:
        assert d.score > 1.2 * good_max and d.score > 1.2 * c.score
        amap = d.anomaly_map
        _, x = np.unravel_index(np.argmax(amap), amap.shape)
        assert x > 0.8 * amap.shape[1]  # the hottest pixel is in the defect's corner


def test_tiles_find_a_20_px_defect_in_a_4000x3000_frame(weights, tmp_path):
    """224 px tiles at native resolution over 12 Mpx (a small feature size keeps the test fast): the 20x20 defect
    is the hottest spot of the full-frame map, well above everything else in the frame."""
    rng = np.random.default_rng(5)
    frame = np.tile(good_image(rng, 200), (15, 20, 1))  # diagonal stripes of period 8 tile seamlessly
    train = [write_png(tmp_path / "train.png", frame)]
    defect = write_png(tmp_path / "defect.png", plant(frame, 3100, 2500, 20))
    progress = []
    model = PatchCore(config(weights, geometry="tiles", crop=224, tile_overlap=0.1, layers=["layer2"],
                             pretrain_embed_dimension=64, target_embed_dimension=64, coreset_ratio=0.01,
                             max_bank_patches=40_000))
    report = model.fit(train, progress=lambda stage, done, total: progress.append((stage, done, total)))
    n_tiles = model.preprocessor.n_views(3000, 4000)
    assert n_tiles > 200 and ("features", n_tiles, n_tiles) in progress  # progress counts tiles
    assert report.info["bank_sampled"] < 0.5 and report.info["defect_footprint_px"] == [8.0, 8.0]
    (d,) = list(model.predict([defect]))
    amap = d.anomaly_map
    assert amap.shape == (1536, 2048)  # the full frame, the map capped at 2048 px
    sy, sx = 1536 / 3000, 2048 / 4000
    y, x = np.unravel_index(np.argmax(amap), amap.shape)
    assert abs(x / sx - 3110) < 40 and abs(y / sy - 2510) < 40
    elsewhere = amap.copy()
    elsewhere[int(2400 * sy) : int(2620 * sy), int(3000 * sx) : int(3220 * sx)] = 0
    assert d.score > 1.5 * elsewhere.max()


def test_a_region_mask_ignores_what_lies_outside(weights, tmp_path):
    """Parts 64 x 128 with a clamp area on the right that varies between parts; the region excludes it."""
    rng = np.random.default_rng(7)

    def part():
        img = good_image(rng, 128)[:64]
        img[:, 100:] = rng.integers(0, 255, 3, dtype=np.uint8)  # a clamp of any colour
        return img

    train = [write_png(tmp_path / f"train{i}.png", part()) for i in range(8)]
    roi = np.full((32, 64), 255, np.uint8)  # a mask of another size: scaled to each image
    roi[:, 48:] = 0
    base = part()
    clean = write_png(tmp_path / "clean.png", base)
    ignored = write_png(tmp_path / "ignored.png", plant(base, 108, 20, 14))
    inside = write_png(tmp_path / "inside.png", plant(base, 40, 20, 14))
    model = PatchCore(config(weights, geometry="whole"))
    model.set_roi(roi)
    model.fit(train)
    c, i, d = list(model.predict([clean, ignored, inside]))
    assert i.score == pytest.approx(c.score, rel=1e-5)  # a "defect" in the ignored area changes nothing
    assert d.score > 1.2 * c.score
    assert i.anomaly_map[:, 100:].max() == 0.0  # maps are blank outside the region
    model.save(tmp_path / "model")
    loaded = PatchCore.load(tmp_path / "model")
    assert loaded.roi.shape == (32, 64) and loaded.config.geometry == "whole"
    assert [p.score for p in loaded.predict([clean, ignored])] == pytest.approx([c.score, i.score])
    with pytest.raises(GeometryError, match="all black"):
        model.set_roi(np.zeros((8, 8), np.uint8))


def test_models_saved_before_geometries_load_as_center_crop(weights, wide, tmp_path):
    train, goods, _, _ = wide
    model = PatchCore(config(weights))
    model.fit(train[:4])
    model.save(tmp_path / "m")
    meta = json.loads((tmp_path / "m" / "model.json").read_text())
    for key in ("geometry", "tile_overlap", "tile_scale", "max_pixels", "max_bank_patches"):
        del meta["config"][key]
    (tmp_path / "m" / "model.json").write_text(json.dumps(meta))
    loaded = PatchCore.load(tmp_path / "m")
    assert loaded.config.geometry == "center-crop" and loaded.preprocessor.kind == "center-crop"
    assert [p.score for p in loaded.predict(goods[:2])] == pytest.approx([p.score for p in model.predict(goods[:2])])


def test_mixed_sizes_train_score_and_evaluate_with_whole(weights, tmp_path):
    root = make_mvtec_layout(tmp_path / "ds", n_train=6, n_test_good=3, n_test_defect=3, seed=4)
    rng = np.random.default_rng(9)
    for i, (h, w) in enumerate([(64, 128), (96, 64), (80, 200)]):  # other sizes in train and test
        write_png(root / "train" / "good" / f"x{i}.png", good_image(rng, max(h, w))[:h, :w])
    big = cv2.resize(cv2.imread(str(root / "test" / "spot" / "000.png")), (128, 96), interpolation=cv2.INTER_NEAREST)
    cv2.imwrite(str(root / "test" / "spot" / "000.png"), big)
    mask = cv2.imread(str(root / "ground_truth" / "spot" / "000_mask.png"), 0)
    cv2.imwrite(str(root / "ground_truth" / "spot" / "000_mask.png"),
                cv2.resize(mask, (128, 96), interpolation=cv2.INTER_NEAREST))
    result = evaluate(lambda: PatchCore(config(weights, geometry="whole")), root)
    assert result.n_train == 9 and result.n_test == 6 and result.geometry == "whole"
    assert result.image_auroc >= 0.8 and result.pixel_auroc >= 0.8 and result.pro is not None
    assert "128x96" in result.eval_size
