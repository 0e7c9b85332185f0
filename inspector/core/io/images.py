"""Reading images robustly and turning them into network input.

Everything a production line produces must either load or be skipped with a reason: grayscale, 16-bit,
RGBA, non-ASCII paths and mixed sizes load (converted to 8-bit RGB); empty, truncated and non-image files
are reported as ``SkippedImage`` and never crash the caller.
"""

from __future__ import annotations

import os
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


def _looks_truncated(data: np.ndarray) -> bool:
    """True when a PNG lacks its IEND chunk or a JPEG its end-of-image marker (a cut-off file)."""
    head = bytes(data[:8])
    tail = bytes(data[-64:])
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return b"IEND" not in tail
    if head.startswith(b"\xff\xd8"):
        return b"\xff\xd9" not in tail
    return False


def to_rgb8(img: np.ndarray) -> np.ndarray:
    """Convert a decoded OpenCV image (gray, gray+alpha, BGR, BGRA; 8/16-bit or float) to uint8 RGB [H, W, 3]."""
    if img.dtype == np.uint16:
        img = (img.astype(np.float32) / 257.0 + 0.5).astype(np.uint8)
    elif img.dtype in (np.float32, np.float64):
        scale = 255.0 if float(np.nanmax(img)) <= 1.0 else 1.0
        img = np.clip(np.nan_to_num(img) * scale, 0, 255).astype(np.uint8)
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


def read_image(path: str | os.PathLike) -> np.ndarray:
    """Read any supported image file as uint8 RGB ``[H, W, 3]``.

    Reads the bytes with numpy (so non-ASCII paths work everywhere) and decodes with OpenCV.
    Raises ``ImageReadError`` with a reason for missing, empty, truncated or undecodable files.
    """
    path = Path(path)
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except FileNotFoundError:
        raise ImageReadError("file not found") from None
    except IsADirectoryError:
        raise ImageReadError("is a folder, not an image") from None
    except OSError as exc:
        raise ImageReadError(f"cannot be read ({exc.strerror or exc})") from None
    if data.size == 0:
        raise ImageReadError("empty file")
    if _looks_truncated(data):
        raise ImageReadError("truncated image file (incomplete copy?)")
    img = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    if img is None or img.size == 0:
        raise ImageReadError("not a readable image")
    if min(img.shape[:2]) < 8:
        raise ImageReadError(f"image too small ({img.shape[1]}x{img.shape[0]} pixels)")
    return to_rgb8(img)


def find_images(paths: Iterable[str | os.PathLike]) -> tuple[list[Path], list[SkippedImage]]:
    """Expand files and folders into a sorted list of image files.

    Folders are searched recursively for files with an image extension (other files in them, such as
    notes or masks in another format, are ignored). Files named explicitly are kept whatever their
    extension, so that a mislabelled image is still tried. Missing paths are reported as skipped.
    """
    found: list[Path] = []
    skipped: list[SkippedImage] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found.extend(
                sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in IMAGE_EXTENSIONS)
            )
        elif p.is_file():
            found.append(p)
        else:
            skipped.append(SkippedImage(p, "file not found"))
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
