"""Every kind of bad or unusual input: readable ones load as uint8 RGB, unreadable ones are skipped with a reason."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from inspector.core.io.images import (
    ImageReadError,
    Preprocessor,
    find_images,
    iter_batches,
    read_image,
)


def _write(path: Path, img: np.ndarray) -> Path:
    ok, data = cv2.imencode(path.suffix, img)
    assert ok
    path.write_bytes(data.tobytes())
    return path


def test_grayscale_16bit_rgba_and_bgr_convert_to_rgb8(tmp_path):
    gray = _write(tmp_path / "gray.png", np.full((20, 30), 100, np.uint8))
    deep = _write(tmp_path / "deep.png", np.full((20, 30), 257 * 200, np.uint16))
    rgba = np.zeros((20, 30, 4), np.uint8)
    rgba[..., 2] = 255  # red in BGRA
    rgba[..., 3] = 128
    rgba_p = _write(tmp_path / "rgba.png", rgba)
    bgr = np.zeros((20, 30, 3), np.uint8)
    bgr[..., 0] = 255  # blue in BGR
    bgr_p = _write(tmp_path / "blue.jpg", bgr)
    for p in (gray, deep, rgba_p, bgr_p):
        img = read_image(p)
        assert img.dtype == np.uint8 and img.shape == (20, 30, 3)
    assert (read_image(gray) == 100).all()
    assert (read_image(deep) == 200).all()
    assert tuple(read_image(rgba_p)[0, 0]) == (255, 0, 0)
    r, g, b = read_image(bgr_p)[5, 5]
    assert b > 200 and r < 30


def test_non_ascii_path(tmp_path):
    folder = tmp_path / "検査 画像 ñ"
    folder.mkdir()
    p = _write(folder / "部品_1.png", np.full((16, 16, 3), 7, np.uint8))
    assert read_image(p).shape == (16, 16, 3)
    files, skipped = find_images([folder])
    assert files == [p] and not skipped


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("empty.png", b"", "empty"),
        ("text.png", b"this is not an image at all", "not a readable image"),
        ("tiny.png", None, "too small"),
    ],
)
def test_unreadable_files_raise_with_reason(tmp_path, name, content, reason):
    p = tmp_path / name
    if content is None:
        _write(p, np.zeros((3, 3, 3), np.uint8))
    else:
        p.write_bytes(content)
    with pytest.raises(ImageReadError, match=reason):
        read_image(p)


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_truncated_files_are_refused(tmp_path, suffix):
    rng = np.random.default_rng(0)
    full = _write(tmp_path / f"full{suffix}", rng.integers(0, 255, (64, 64, 3), dtype=np.uint8))
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    assert read_image(full).shape == (64, 64, 3)
    with pytest.raises(ImageReadError, match="truncated"):
        read_image(cut)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ImageReadError, match="not found"):
        read_image(tmp_path / "nope.png")
    files, skipped = find_images([tmp_path / "nope"])
    assert files == [] and skipped[0].reason == "file not found"


def test_find_images_recurses_sorts_dedups_and_ignores_other_files(tmp_path):
    (tmp_path / "sub").mkdir()
    b = _write(tmp_path / "b.png", np.zeros((10, 10, 3), np.uint8))
    a = _write(tmp_path / "sub" / "a.PNG", np.zeros((10, 10, 3), np.uint8))
    (tmp_path / "notes.txt").write_text("operator notes")
    files, skipped = find_images([tmp_path, b])
    assert files == sorted([a, b]) and not skipped


def test_batches_skip_bad_files_and_accept_mixed_sizes(tmp_path):
    good = [_write(tmp_path / f"g{i}.png", np.full((40 + 13 * i, 70 - 5 * i, 3), 90, np.uint8)) for i in range(5)]
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n garbage IEND")
    skipped = []
    pre = Preprocessor(resize=32, crop=24)
    batches = list(iter_batches(good[:2] + [bad] + good[2:], pre, 2, skipped))
    assert sum(len(b.paths) for b in batches) == 5
    assert all(b.images.shape[1:] == (3, 24, 24) for b in batches)
    assert [s.path for s in skipped] == [bad]
    assert batches[0].sizes[0] == (40, 70)


def test_preprocessor_matches_torchvision_resize_and_center_crop_geometry():
    from torchvision.transforms import v2

    yy, xx = np.mgrid[0:300, 0:500].astype(np.float32)
    smooth = 127 + 60 * np.sin(xx / 23.0) + 60 * np.cos(yy / 17.0)  # any misplacement shows; filters barely do
    img = np.repeat(smooth[..., None], 3, axis=2).astype(np.uint8)
    pre = Preprocessor(resize=256, crop=224)
    ours = pre.geometry(img)
    ref = v2.CenterCrop(224)(v2.Resize(256, antialias=True)(torch.from_numpy(img).permute(2, 0, 1)))
    assert ours.shape == (224, 224, 3)
    diff = np.abs(ours.astype(int) - ref.permute(1, 2, 0).numpy().astype(int))
    assert diff.mean() < 1.0  # same geometry; only the resampling filter differs slightly
    x0, y0, x1, y1 = pre.crop_box(300, 500)
    assert x1 - x0 == pytest.approx(224 * 500 / 426) and y1 - y0 == pytest.approx(224 * 300 / 256)
    assert abs((x0 + x1) / 2 - 250) < 1 and abs((y0 + y1) / 2 - 150) < 1


def test_normalization_uses_imagenet_statistics():
    pre = Preprocessor(resize=16, crop=16)
    x = pre(np.full((16, 16, 3), 255, np.uint8))
    expected = (1 - torch.tensor(pre.mean)) / torch.tensor(pre.std)
    assert torch.allclose(x[:, 0, 0], expected, atol=1e-6)
