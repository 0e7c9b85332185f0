"""A corpus of hostile and unlucky inputs, generated here (nothing big is committed): each one either loads
correctly or is refused with a reason, quickly and without a large allocation."""

from __future__ import annotations

import os
import struct
import sys
import time
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from inspector.core.io import images
from inspector.core.io.images import ImageReadError, find_images, read_image


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_header_bomb(path: Path, width: int = 60000, height: int = 60000) -> Path:
    """A tiny PNG (under 100 bytes) whose header declares ``width`` x ``height`` pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    body = _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + _chunk(b"IEND", b"")
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body)
    return path


def png_pixel_bomb(path: Path, width: int, height: int) -> Path:
    """A real, valid, highly compressible PNG of ``width`` x ``height`` gray pixels (streamed, never in memory)."""
    comp = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * width
    idat = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b""))
    return path


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_header_bomb_is_refused_with_a_reason(tmp_path):
    path = png_header_bomb(tmp_path / "bomb.png")
    assert path.stat().st_size < 100
    with pytest.raises(ImageReadError, match="too large"):
        read_image(path)


def test_pixel_bomb_above_the_limit_is_refused_before_decoding(tmp_path):
    path = png_pixel_bomb(tmp_path / "pixels.png", 20000, 20000)  # 400 MP in ~0.4 MB
    assert path.stat().st_size < 2_000_000
    start = time.perf_counter()
    with pytest.raises(ImageReadError, match="too large"):
        read_image(path)
    assert time.perf_counter() - start < 1.0  # refused from the header, not after a 400 MB decode


def test_pixel_limit_is_configurable(tmp_path, monkeypatch):
    path = png_pixel_bomb(tmp_path / "medium.png", 300, 200)
    assert read_image(path).shape == (200, 300, 3)
    with pytest.raises(ImageReadError, match="too large"):
        read_image(path, max_pixels=50_000)
    monkeypatch.setenv("INSPECTOR_MAX_PIXELS", "50000")
    with pytest.raises(ImageReadError, match="too large"):
        read_image(path)


def test_huge_sparse_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "sparse.png"
    with open(path, "wb") as f:
        f.truncate(40 * 1024**3)  # 40 GB of holes: takes no disk space
    start = time.perf_counter()
    with pytest.raises(ImageReadError):
        read_image(path)
    assert time.perf_counter() - start < 2.0


def test_huge_file_with_a_valid_header_is_refused_by_size(tmp_path):
    path = png_header_bomb(tmp_path / "big.png", 100, 100)
    with open(path, "r+b") as f:
        f.truncate(40 * 1024**3)
    with pytest.raises(ImageReadError, match="too large"):
        read_image(path)


def test_decoder_errors_become_read_errors(tmp_path, monkeypatch):
    path = tmp_path / "ok.png"
    cv2.imwrite(str(path), np.zeros((16, 16), np.uint8))

    def boom(*a, **k):
        raise cv2.error("OpenCV(5.0.0) imdecode: (-215:Assertion failed) pixels <= CV_IO_MAX_IMAGE_PIXELS")

    monkeypatch.setattr(images.cv2, "imdecode", boom)
    with pytest.raises(ImageReadError, match="cannot be decoded"):
        read_image(path)


def test_png_with_bytes_after_iend_loads(tmp_path):
    path = tmp_path / "trailing.png"
    ok, data = cv2.imencode(".png", np.full((20, 20), 77, np.uint8))
    path.write_bytes(data.tobytes() + b"\x00" * 200 + b"camera footer")
    assert read_image(path)[0, 0, 0] == 77


def test_png_cut_inside_its_chunks_is_still_truncated(tmp_path):
    ok, data = cv2.imencode(".png", np.random.default_rng(0).integers(0, 255, (64, 64), dtype=np.uint8))
    cut = data.tobytes()[:-40] + b"IEND" + b"\x00" * 30  # "IEND" in the tail, but the chunks run off the end
    path = tmp_path / "cut.png"
    path.write_bytes(cut)
    with pytest.raises(ImageReadError, match="truncated"):
        read_image(path)


def test_12_bit_data_in_16_bit_files_uses_its_range(tmp_path):
    path = tmp_path / "12bit.png"
    img = np.full((20, 20), 4095, np.uint16)
    img[:10] = 2048
    cv2.imwrite(str(path), img)
    rgb = read_image(path)
    assert rgb[15, 0, 0] == 255 and abs(int(rgb[0, 0, 0]) - 128) <= 1
    full = tmp_path / "16bit.png"
    cv2.imwrite(str(full), np.full((20, 20), 65535, np.uint16))
    assert read_image(full)[0, 0, 0] == 255
    cv2.imwrite(str(full), np.array([[65535] * 20] + [[257 * 100] * 20] * 19, np.uint16))
    assert read_image(full)[5, 0, 0] == 100  # real 16-bit data keeps the /257 scale


def test_float_image_with_inf_is_not_black(tmp_path):
    img = np.full((20, 20), 0.5, np.float32)
    img[0, 0] = np.inf
    img[0, 1] = np.nan
    out = images.to_rgb8(img)
    assert abs(int(out[10, 10, 0]) - 128) <= 1


def test_exif_rotated_jpeg_is_upright(tmp_path):
    from PIL import Image

    arr = np.zeros((20, 40, 3), np.uint8)  # stored landscape, 40 wide
    arr[:, :20] = 255  # left half white
    path = tmp_path / "phone.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 clockwise to display"
    Image.fromarray(arr).save(path, exif=exif, quality=95)
    rgb = read_image(path)
    assert rgb.shape[:2] == (40, 20)  # shown portrait, as every other viewer shows it
    assert rgb[5, 10, 0] > 200 and rgb[35, 10, 0] < 50  # the white half is on top after the rotation


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and symlinks are POSIX")
def test_fifo_is_refused_not_read(tmp_path):
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    start = time.perf_counter()
    with pytest.raises(ImageReadError, match="not a regular file"):
        read_image(fifo)
    found, skipped = find_images([tmp_path])
    assert found == [] and [s.path.name for s in skipped] == ["pipe.png"]
    found, skipped = find_images([fifo])
    assert found == [] and "not a regular file" in skipped[0].reason
    assert time.perf_counter() - start < 2.0


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and symlinks are POSIX")
def test_dangling_and_looping_symlinks_are_reported(tmp_path):
    (tmp_path / "dangling.png").symlink_to(tmp_path / "nowhere.png")
    (tmp_path / "a.png").symlink_to(tmp_path / "b.png")
    (tmp_path / "b.png").symlink_to(tmp_path / "a.png")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "loop").symlink_to(tmp_path)  # a folder loop
    cv2.imwrite(str(tmp_path / "sub" / "real.png"), np.zeros((16, 16), np.uint8))
    found, skipped = find_images([tmp_path])
    assert [f.name for f in found] == ["real.png"]
    reasons = {s.path.name: s.reason for s in skipped}
    assert "broken link" in reasons["dangling.png"]
    assert "a.png" in reasons and "b.png" in reasons
    with pytest.raises(ImageReadError):
        read_image(tmp_path / "a.png")
