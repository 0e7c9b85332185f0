"""D5: a large JPEG the model will shrink far below its native size is decoded at 1/2, 1/4 or 1/8 scale by the
decoder (the largest that still gives twice the geometry's work size); never for tiles, never below the size used."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from inspector.core.io.geometry import Geometry
from inspector.core.io.images import read_image, read_image_at, reduction_factor
from inspector.core.models.framing import iter_frame_groups


def smooth(h: int, w: int, seed: int = 0) -> np.ndarray:
    """A photo-like image (smooth gradients and blobs: what a camera gives, unlike noise)."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 255, (h // 64 + 2, w // 64 + 2, 3), dtype=np.uint8)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def jpeg(path: Path, rgb: np.ndarray, exif_orientation: int | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    kw = {"quality": 95}
    if exif_orientation:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        kw["exif"] = exif
    Image.fromarray(rgb).save(path, **kw)
    return path


def test_the_factor_is_the_largest_that_still_gives_twice_the_needed_size():
    assert reduction_factor((3000, 4000), (256, 341)) == 4  # 750x1000 >= 512x682; 1/8 would give 375x500
    assert reduction_factor((3872, 5163), (224, 224)) == 8
    assert reduction_factor((1500, 2000), (224, 224)) == 2
    assert reduction_factor((900, 900), (224, 224)) == 2
    assert reduction_factor((900, 900), (256, 256)) == 1
    assert reduction_factor((900, 900), (224, 224), margin=1) == 4
    assert reduction_factor((3000, 4000), None) == 1


def test_a_large_jpeg_is_decoded_reduced_and_close_to_the_full_decode(tmp_path):
    path = jpeg(tmp_path / "big.jpg", smooth(3600, 4800))
    g = Geometry("stretch", crop=224)
    img, size = read_image_at(path, g.decode_size)
    assert size == (3600, 4800) and img.shape == (450, 600, 3)  # 1/8: 450 >= 2 x 224
    full = read_image(path)
    reduced_frame, full_frame = g.frame(img, None, path, size), g.frame(full)
    assert reduced_frame.size == full_frame.size and reduced_frame.map_size == full_frame.map_size
    a, b = reduced_frame.views[0].image, full_frame.views[0].image
    assert a.shape == b.shape
    assert float((a - b).abs().mean()) < 0.03  # normalised units (about 0.5 grey level of 255)


@pytest.mark.parametrize("kind", ["center-crop", "whole", "stretch"])
def test_every_shrinking_geometry_gets_at_least_its_work_size(tmp_path, kind):
    path = jpeg(tmp_path / "big.jpg", smooth(1800, 2400))
    g = Geometry(kind, resize=256, crop=224)
    img, size = read_image_at(path, g.decode_size)
    wh, ww = g.work_size(*size)
    assert img.shape[0] >= 2 * wh and img.shape[1] >= 2 * ww and img.shape[0] < 1800
    assert g.frame(img, None, path, size).map_size == g.frame(read_image(path)).map_size


def test_tiles_and_pngs_are_decoded_whole(tmp_path):
    path = jpeg(tmp_path / "big.jpg", smooth(1800, 2400))
    img, size = read_image_at(path, Geometry("tiles", crop=224).decode_size)
    assert img.shape[:2] == size == (1800, 2400)
    png = tmp_path / "big.png"
    cv2.imwrite(str(png), smooth(1800, 2400))
    img, size = read_image_at(png, Geometry("stretch", crop=224).decode_size)
    assert img.shape[:2] == size == (1800, 2400)


def test_an_exif_turned_jpeg_reports_its_upright_size(tmp_path):
    path = jpeg(tmp_path / "turned.jpg", smooth(1800, 3600), exif_orientation=6)  # shown 1800 wide, 3600 high
    img, size = read_image_at(path, Geometry("stretch", crop=224).decode_size)
    assert size == (3600, 1800) and img.shape[:2] == (900, 450)  # 1/4: 450 >= 2 x 224 (1/8 would give 225)
    assert read_image(path).shape[:2] == size


def test_the_frames_of_a_model_come_from_the_reduced_decode(tmp_path, monkeypatch):
    path = jpeg(tmp_path / "big.jpg", smooth(3600, 4800))
    g = Geometry("stretch", crop=224)
    shapes = []
    import inspector.core.models.framing as framing

    real = framing.read_image_at

    def spy(p, needed):
        img, size = real(p, needed)
        shapes.append(img.shape[:2])
        return img, size

    monkeypatch.setattr(framing, "read_image_at", spy)
    frames = [f for group in iter_frame_groups([path], g, None, 4, []) for f in group]
    assert shapes == [(450, 600)] and frames[0].size == (3600, 4800)
    monkeypatch.setenv("INSPECTOR_REDUCED_DECODE", "0")
    shapes.clear()
    list(iter_frame_groups([path], g, None, 4, []))
    assert shapes == [(3600, 4800)]


def test_models_saved_before_reduced_decoding_keep_the_full_decode_and_new_models_reduce():
    from inspector.core.models import registry
    from inspector.core.models.patchcore import PatchCoreConfig

    old = PatchCoreConfig.from_dict({"backbone": "resnet18", "geometry": "stretch"})  # a model.json without the key
    assert old.preprocessor().decode_size(3600, 4800) is None
    for kind in ("patchcore", "padim", "gaussian"):
        new = registry.make_config(kind, registry.default_config(kind))
        assert new.reduced_decode is True
        assert new.preprocessor().decode_size(3600, 4800) is not None
