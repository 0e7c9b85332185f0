"""Input geometries: sizes, views, full-frame map boxes, region masks at any size, tiles and their stitching."""

from __future__ import annotations

import numpy as np
import pytest

from inspector.core.components.tiling import blend_window, stitch
from inspector.core.errors import InvalidInput
from inspector.core.io.geometry import Geometry, GeometryError, scale_mask, tile_starts
from inspector.core.io.images import Preprocessor


def _img(h, w):
    return np.random.default_rng(0).integers(0, 255, (h, w, 3), dtype=np.uint8)


def test_center_crop_matches_the_old_preprocessor_and_its_map_is_the_resized_frame():
    old, new = Preprocessor(resize=256, crop=224), Geometry("center-crop", resize=256, crop=224)
    img = _img(300, 500)
    assert np.array_equal(old(img).numpy(), new(img).numpy())
    assert new.crop_box(300, 500) == old.crop_box(300, 500)
    frame = new.frame(img)
    assert frame.map_size == (256, 426) and len(frame.views) == 1
    x0, y0, x1, y1 = frame.views[0].box
    assert (x1 - x0, y1 - y0) == (224, 224)
    assert frame.region.sum() == 224 * 224 and frame.region[y0:y1, x0:x1].all()  # only the crop is inspected


def test_whole_keeps_the_aspect_ratio_rounded_to_the_stride_and_caps_pixels():
    g = Geometry("whole", resize=64, stride=8)
    assert g.work_size(100, 300) == (64, 192)
    assert g.work_size(300, 101) == (192, 64)
    assert g.work_size(70, 111) == (64, 104)  # 101.5 -> 104: a multiple of 8
    frame = g.frame(_img(100, 300))
    assert frame.views[0].image.shape == (3, 64, 192) and frame.map_size == (64, 192) and frame.region is None
    with pytest.raises(GeometryError, match="over the cap"):
        Geometry("whole", resize=64, max_pixels=10_000).work_size(100, 300)


def test_stretch_squashes_to_a_square_and_maps_back_with_the_aspect_ratio():
    g = Geometry("stretch", crop=64)
    frame = g.frame(_img(100, 300))
    assert frame.views[0].image.shape == (3, 64, 64)
    assert frame.map_size == (64, 192) and frame.views[0].box == (0, 0, 192, 64)


def test_tiles_cover_the_frame_at_native_resolution_with_overlap():
    assert tile_starts(100, 64, 0.25) == [0, 36]
    assert tile_starts(64, 64, 0.25) == [0]
    starts = tile_starts(1130, 224, 0.25)
    assert starts[0] == 0 and starts[-1] == 1130 - 224
    assert all(b - a <= 224 * 0.75 for a, b in zip(starts, starts[1:]))  # at least 25 % overlap
    g = Geometry("tiles", crop=64, tile_overlap=0.25)
    frame = g.frame(_img(100, 300))
    assert frame.map_size == (100, 300)  # native
    assert {tuple(v.image.shape) for v in frame.views} == {(3, 64, 64)}
    cover = np.zeros((100, 300), int)
    for v in frame.views:
        x0, y0, x1, y1 = v.box
        cover[y0:y1, x0:x1] += 1
    assert cover.min() >= 1
    assert g.footprint(100, 300) == (8.0, 8.0)  # one patch = 8 native pixels
    assert Geometry("center-crop", resize=64, crop=64).footprint(128, 256) == (16.0, 16.0)


def test_big_tiled_frames_get_a_capped_map():
    g = Geometry("tiles", crop=224, max_map_side=1000)
    assert g.map_size(3000, 4000) == (750, 1000)
    boxes = g.map_boxes(3000, 4000)
    assert max(b[2] for b in boxes) == 1000 and max(b[3] for b in boxes) == 750


def test_stitch_blends_overlaps_and_leaves_uncovered_pixels_at_zero():
    a, b = np.full((4, 6), 1.0, np.float32), np.full((4, 6), 3.0, np.float32)
    out = stitch([a, b], [(0, 0, 6, 4), (4, 0, 10, 4)], (5, 10), ramp=2.0)
    assert np.allclose(out[:4, :3], 1.0) and np.allclose(out[:4, 7:], 3.0)
    assert (out[:4, 4:6] > 1.0).all() and (out[:4, 4:6] < 3.0).all()  # blended
    assert (out[4] == 0).all()  # no view covers the last row
    w = blend_window(8, 8, 3)
    assert w.max() == 1.0 and w.min() > 0


def test_region_mask_follows_images_of_any_size():
    roi = np.zeros((30, 60), bool)
    roi[:, :30] = True  # inspect the left half
    g = Geometry("whole", resize=64)
    for h, w in [(64, 128), (200, 400), (90, 300)]:
        frame = g.frame(_img(h, w), roi)
        mh, mw = frame.map_size
        assert frame.region.shape == (mh, mw)
        assert frame.region[:, : mw // 2 - 1].all() and not frame.region[:, mw // 2 + 1:].any()
        valid = frame.views[0].valid
        assert valid.shape == frame.views[0].image.shape[1:] and valid[:, 0].all() and not valid[:, -1].any()
        area = g.inspected_area(h, w, roi)
        assert area.shape == (h, w) and abs(area.mean() - 0.5) < 0.02
    assert scale_mask(np.array([[0, 255], [255, 0]], np.uint8), (4, 4)).sum() == 8


def test_map_box_places_full_frame_maps_and_old_crop_maps():
    g = Geometry("center-crop", resize=256, crop=224)
    assert g.map_box(900, 900, (256, 256)) == (0.0, 0.0, 900.0, 900.0)
    assert g.map_box(900, 900, (224, 224)) == g.crop_box(900, 900)  # a map saved by an older version
    assert Geometry("stretch", crop=224).map_box(900, 900, (224, 224)) == (0.0, 0.0, 900.0, 900.0)


def test_bad_settings_are_refused():
    with pytest.raises(InvalidInput, match="unknown geometry"):
        Geometry("squash")
    with pytest.raises(InvalidInput, match="overlap"):
        Geometry("tiles", tile_overlap=1.0)


def test_new_models_get_the_default_geometry_and_fixed_grid_models_keep_the_crop():
    from inspector.core.io.geometry import DEFAULT_GEOMETRY
    from inspector.core.models.padim import PadimConfig
    from inspector.core.models.patchcore import PatchCoreConfig
    from inspector.core.models.registry import default_config

    assert default_config("patchcore")["geometry"] == DEFAULT_GEOMETRY == "stretch"
    assert default_config("padim")["geometry"] == "center-crop"
    assert PatchCoreConfig.from_dict({"backbone": "resnet18"}).geometry == "center-crop"  # an old model.json
    assert PadimConfig().geometry == "center-crop"
