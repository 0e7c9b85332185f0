"""Reading images robustly and turning them into network input.

Everything a production line produces must either load or be skipped with a reason: grayscale, 16-bit,
RGBA, non-ASCII paths and mixed sizes load (converted to 8-bit RGB); empty, truncated and non-image files
are reported as ``SkippedImage`` and never crash the caller.
"""

from __future__ import annotations

import errno
import os
import stat
import struct
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import cv2
import numpy as np
import torch

from ..errors import InspectorError

IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm"})
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class ImageReadError(InspectorError):
    """An image file could not be read; the message says why in words an operator understands."""


@dataclass(frozen=True)
class SkippedImage:
    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


DEFAULT_MAX_PIXELS = 150_000_000  # 150 MP: about 450 MB decoded as 8-bit RGB
MAX_FILE_BYTES = 2 * 1024**3  # no camera frame within the pixel limit is larger than this as a file


def max_pixels_setting() -> int:
    """The largest image (in pixels) that is decoded: ``INSPECTOR_MAX_PIXELS`` if set, else 150 MP."""
    try:
        value = int(os.environ.get("INSPECTOR_MAX_PIXELS", "") or DEFAULT_MAX_PIXELS)
    except ValueError:
        value = DEFAULT_MAX_PIXELS
    return max(1, value)


def _png_complete(data: np.ndarray) -> bool:
    """Walk a PNG's chunks from the signature: True when an IEND chunk is reached inside the data.

    Bytes after IEND (some cameras append a footer) are allowed; a file cut anywhere before it is not."""
    pos, n = 8, int(data.size)
    while pos + 8 <= n:
        length = int.from_bytes(bytes(data[pos : pos + 4]), "big")
        if bytes(data[pos + 4 : pos + 8]) == b"IEND":
            return True
        pos += 12 + length
    return False


def _looks_truncated(data: np.ndarray) -> bool:
    """True when a PNG lacks its IEND chunk or a JPEG its end-of-image marker (a cut-off file)."""
    head = bytes(data[:8])
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return not _png_complete(data)
    if head.startswith(b"\xff\xd8"):
        if b"\xff\xd9" in bytes(data[-64:]):
            return False
        ff = np.flatnonzero(data[:-1] == 0xFF)  # a footer after the end marker: look for it anywhere
        return not bool((data[ff + 1] == 0xD9).any())
    return False


def _header(path: Path) -> tuple[int, int, str] | None:
    """(width, height, format) from the file's header alone (nothing is decoded), or None if unknown."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as im:
                return int(im.size[0]), int(im.size[1]), str(im.format or "")
    except Image.DecompressionBombError as exc:
        raise ImageReadError(f"image too large ({exc})") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, struct.error):
        return None


def to_rgb8(img: np.ndarray) -> np.ndarray:
    """Convert a decoded OpenCV image (gray, gray+alpha, BGR, BGRA; 8/16-bit or float) to uint8 RGB [H, W, 3].

    16-bit data is scaled by the bit depth it uses: camera data of 12 bits or less (every value below 4096,
    as 10- and 12-bit sensors store it) by 4095, anything else by 65535. Non-finite float values count as 0.
    """
    if img.dtype == np.uint16:
        full = 4095.0 if int(img.max()) < 4096 else 65535.0
        img = (img.astype(np.float32) * (255.0 / full) + 0.5).astype(np.uint8)
    elif img.dtype in (np.float32, np.float64):
        finite = np.isfinite(img)
        img = np.where(finite, img, 0)
        top = float(img.max()) if finite.any() else 0.0
        scale = 255.0 if top <= 1.0 else 1.0
        img = np.clip(img * scale, 0, 255).astype(np.uint8)
    elif img.dtype != np.uint8:
        img = np.clip(img, 0, 255).astype(np.uint8)
    if img.ndim == 2:
        return cv2.cvtColor(img, cv2.COLOR_GRAY2RGB)
    channels = img.shape[2]
    if channels == 1:
        return cv2.cvtColor(img[:, :, 0], cv2.COLOR_GRAY2RGB)
    if channels == 2:  # gray + alpha
        return cv2.cvtColor(np.ascontiguousarray(img[:, :, 0]), cv2.COLOR_GRAY2RGB)
    if channels == 4:
        return cv2.cvtColor(img, cv2.COLOR_BGRA2RGB)
    return cv2.cvtColor(img[:, :, :3], cv2.COLOR_BGR2RGB)


def _check_regular_file(path: Path) -> int:
    """The file's size; raises ``ImageReadError`` for a missing file, a folder, a FIFO, a device, a bad link."""
    try:
        st = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise ImageReadError("broken link (it points to a file that does not exist)") from None
        raise ImageReadError("file not found") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ImageReadError("link loop (the link points back to itself)") from None
        raise ImageReadError(f"cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(st.st_mode):
        raise ImageReadError("is a folder, not an image")
    if not stat.S_ISREG(st.st_mode):
        raise ImageReadError("not a regular file (a pipe, socket or device)")
    return st.st_size


REDUCED_ENV = "INSPECTOR_REDUCED_DECODE"  # "0": always decode at full size (to compare)
REDUCED_FLAGS = {2: cv2.IMREAD_REDUCED_COLOR_2, 4: cv2.IMREAD_REDUCED_COLOR_4, 8: cv2.IMREAD_REDUCED_COLOR_8}


REDUCED_MARGIN = 2  # decode at least twice the size used: the final area resize still averages 2x2 pixels


def reduction_factor(size: tuple[int, int], needed: tuple[int, int] | None, margin: int = REDUCED_MARGIN) -> int:
    """The largest JPEG decode reduction (1, 2, 4 or 8) that still gives at least ``margin`` x ``needed`` (h, w)
    from an image of ``size`` (h, w); 1 when nothing smaller is needed. (An EXIF quarter turn swaps both, so it
    holds either way.) The margin keeps scores close to the full decode's: on bottle re-encoded as JPEG, 1/4
    (no margin) moved scores by up to 6 % of their range (benchmarks/bench_reduced_decode.py)."""
    if needed is None:
        return 1
    (h, w), (nh, nw) = size, needed
    return next((k for k in (8, 4, 2) if h // k >= margin * nh and w // k >= margin * nw), 1)


def read_image_at(path: str | os.PathLike, needed, max_pixels: int | None = None) -> tuple[np.ndarray, tuple[int, int]]:
    """``read_image`` for a caller that will shrink the image: ``needed(h, w)`` gives the smallest (h, w) it uses
    from an image of (h, w), or None for the native size. A JPEG is then decoded at 1/2, 1/4 or 1/8 scale by
    the decoder itself (libjpeg's scaled DCT: less time and memory, not bit-identical to decoding the whole and
    resizing), the largest reduction that still gives at least twice that size; other formats decode whole.
    Returns (uint8 RGB, the image's full (h, w), upright)."""
    path = Path(path)
    header = _header_checked(path, max_pixels)
    k = 1
    if header is not None and header[2] == "JPEG" and needed is not None and os.environ.get(REDUCED_ENV) != "0":
        w, h = header[0], header[1]
        k = reduction_factor((h, w), needed(h, w))
    img = _decode(path, header, max_pixels, REDUCED_FLAGS.get(k))
    if k == 1:
        return img, img.shape[:2]
    h, w = header[1], header[0]
    if (h > w) != (img.shape[0] > img.shape[1]):  # turned upright by EXIF
        h, w = w, h
    return img, (h, w)


def _header_checked(path: Path, max_pixels: int | None) -> tuple[int, int, str] | None:
    limit = max_pixels or max_pixels_setting()
    size = _check_regular_file(path)
    if size == 0:
        raise ImageReadError("empty file")
    header = _header(path)
    if header is not None:
        w, h, fmt = header
        if w * h > limit:
            raise ImageReadError(f"image too large ({w}x{h} = {w * h / 1e6:.0f} megapixels; the limit is "
                                 f"{limit / 1e6:.0f}, set INSPECTOR_MAX_PIXELS to change it)")
    if size > MAX_FILE_BYTES:
        raise ImageReadError(f"file too large ({size / 1024**3:.1f} GB; images up to {MAX_FILE_BYTES / 1024**3:.0f} GB "
                             f"are read)")
    return header


def read_image(path: str | os.PathLike, max_pixels: int | None = None) -> np.ndarray:
    """Read any supported image file as uint8 RGB ``[H, W, 3]``.

    The header is read first: a file larger than ``max_pixels`` (default: ``max_pixels_setting()``) is refused
    before anything is decoded. Then the bytes are read with numpy (so non-ASCII paths work everywhere) and
    decoded with OpenCV; JPEGs are turned upright by their EXIF orientation, as every photo viewer shows them.
    Raises ``ImageReadError`` with a reason for missing, empty, truncated, too large or undecodable files.
    """
    path = Path(path)
    return _decode(path, _header_checked(path, max_pixels), max_pixels)


def _decode(path: Path, header: tuple[int, int, str] | None, max_pixels: int | None, flags: int | None = None) -> np.ndarray:
    limit = max_pixels or max_pixels_setting()
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except MemoryError:
        raise ImageReadError("file too large to read into memory") from None
    except OSError as exc:
        raise ImageReadError(f"cannot be read ({exc.strerror or exc})") from None
    if data.size == 0:
        raise ImageReadError("empty file")
    if _looks_truncated(data):
        raise ImageReadError("truncated image file (incomplete copy?)")
    if flags is None:
        flags = cv2.IMREAD_COLOR if header is not None and header[2] == "JPEG" else cv2.IMREAD_UNCHANGED
    try:
        img = cv2.imdecode(data, flags)
    except cv2.error as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else "decoder error"
        raise ImageReadError(f"cannot be decoded ({reason})") from None
    except MemoryError:
        raise ImageReadError("image too large to decode in the memory available") from None
    del data
    if img is None or img.size == 0:
        raise ImageReadError("not a readable image")
    if img.shape[0] * img.shape[1] > limit:
        raise ImageReadError(f"image too large ({img.shape[1]}x{img.shape[0]} pixels)")
    if min(img.shape[:2]) < 8:
        raise ImageReadError(f"image too small ({img.shape[1]}x{img.shape[0]} pixels)")
    return to_rgb8(img)


def _walk(folder: Path, skipped: list[SkippedImage]) -> list[Path]:
    """Image files under ``folder``, recursively, following folder links at most once (no loop)."""
    found: list[Path] = []
    seen_dirs: set[tuple[int, int]] = set()
    stack = [folder]
    while stack:
        d = stack.pop()
        try:
            st = d.stat()
            key = (st.st_dev, st.st_ino)
            if key in seen_dirs:
                continue
            seen_dirs.add(key)
            entries = list(os.scandir(d))
        except OSError:
            continue
        for e in entries:
            p = Path(e.path)
            if p.suffix.lower() in IMAGE_EXTENSIONS:
                try:
                    _check_regular_file(p)
                except ImageReadError as exc:
                    if "folder" not in str(exc):
                        skipped.append(SkippedImage(p, str(exc)))
                        continue
                else:
                    found.append(p)
                    continue
            try:
                if e.is_dir():  # follows links; a loop is stopped by ``seen_dirs``
                    stack.append(p)
            except OSError:
                pass
    return sorted(found)


def find_images(paths: Iterable[str | os.PathLike]) -> tuple[list[Path], list[SkippedImage]]:
    """Expand files and folders into a sorted list of image files.

    Folders are searched recursively for files with an image extension (other files in them, such as
    notes or masks in another format, are ignored). Files named explicitly are kept whatever their
    extension, so that a mislabelled image is still tried. Missing paths, broken or looping links, pipes
    and devices are reported as skipped with the reason.
    """
    found: list[Path] = []
    skipped: list[SkippedImage] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found.extend(_walk(p, skipped))
            continue
        try:
            _check_regular_file(p)
        except ImageReadError as exc:
            skipped.append(SkippedImage(p, str(exc)))
        else:
            found.append(p)
    seen: set[Path] = set()
    unique = []
    for f in found:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, skipped


@dataclass(frozen=True)
class Preprocessor:
    """Resize the shorter side to ``resize``, center-crop ``crop`` x ``crop``, normalize with ImageNet statistics.

    The same geometry as torchvision's ``Resize(resize)`` + ``CenterCrop(crop)`` used by the official PatchCore.
    """

    resize: int = 256
    crop: int = 224
    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD

    def resized_shape(self, h: int, w: int) -> tuple[int, int]:
        if h <= w:
            return self.resize, max(self.resize, int(self.resize * w / h))
        return max(self.resize, int(self.resize * h / w)), self.resize

    def crop_box(self, h: int, w: int) -> tuple[float, float, float, float]:
        """The inspected region ``(x0, y0, x1, y1)`` in the original image's pixel coordinates."""
        rh, rw = self.resized_shape(h, w)
        top = int(round((rh - self.crop) / 2.0))
        left = int(round((rw - self.crop) / 2.0))
        sy, sx = h / rh, w / rw
        return left * sx, top * sy, (left + self.crop) * sx, (top + self.crop) * sy

    def map_box(self, h: int, w: int, shape: tuple[int, ...]) -> tuple[float, float, float, float]:
        """Where a map of ``shape`` lies in an ``h`` x ``w`` image (see ``Geometry.map_box``)."""
        from .geometry import Geometry

        return Geometry(resize=self.resize, crop=self.crop).map_box(h, w, shape)

    def geometry(self, img: np.ndarray, interpolation: int | None = None) -> np.ndarray:
        """Resize and center-crop an image or mask ``[H, W(, C)]`` to ``[crop, crop(, C)]``."""
        h, w = img.shape[:2]
        rh, rw = self.resized_shape(h, w)
        if interpolation is None:
            interpolation = cv2.INTER_AREA if rh < h else cv2.INTER_LINEAR
        out = cv2.resize(img, (rw, rh), interpolation=interpolation)
        top = int(round((rh - self.crop) / 2.0))
        left = int(round((rw - self.crop) / 2.0))
        return out[top : top + self.crop, left : left + self.crop]

    def __call__(self, img: np.ndarray) -> torch.Tensor:
        """uint8 RGB ``[H, W, 3]`` -> normalized float32 tensor ``[3, crop, crop]``."""
        x = self.geometry(img).astype(np.float32) / 255.0
        x = (x - np.asarray(self.mean, np.float32)) / np.asarray(self.std, np.float32)
        return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)))

    def mask(self, mask: np.ndarray) -> np.ndarray:
        """A ground-truth mask ``[H, W]`` -> bool ``[crop, crop]`` (nearest-neighbour, like the image)."""
        return self.geometry((mask > 0).astype(np.uint8), cv2.INTER_NEAREST) > 0


@dataclass
class Batch:
    paths: list[Path]
    images: torch.Tensor  # [b, 3, crop, crop]
    sizes: list[tuple[int, int]]  # original (h, w) of each image


def iter_batches(
    paths: Sequence[Path],
    preprocessor: Preprocessor,
    batch_size: int,
    skipped: list[SkippedImage],
    workers: int = 2,
) -> Iterator[Batch]:
    """Read, preprocess and batch images, decoding ahead on threads; unreadable files go to ``skipped``.

    Only about two batches of decoded images are in memory at once, whatever the number of paths.
    """

    def load(p: Path) -> tuple[Path, torch.Tensor | None, tuple[int, int], str]:
        try:
            img = read_image(p)
        except ImageReadError as exc:
            return p, None, (0, 0), str(exc)
        return p, preprocessor(img), img.shape[:2], ""

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        chunks = [list(paths[i : i + batch_size]) for i in range(0, len(paths), batch_size)]
        pending = pool.map(load, chunks[0]) if chunks else iter(())
        for n, _ in enumerate(chunks):
            results = list(pending)
            if n + 1 < len(chunks):
                pending = pool.map(load, chunks[n + 1])
            good = [(p, t, s) for p, t, s, why in results if t is not None]
            skipped.extend(SkippedImage(p, why) for p, t, _, why in results if t is None)
            if good:
                yield Batch([g[0] for g in good], torch.stack([g[1] for g in good]), [g[2] for g in good])
