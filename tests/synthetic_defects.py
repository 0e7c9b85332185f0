"""The one place tests get synthetic parts and random weights from.

Model tests: ``good_image`` / ``defect_image`` (stripes; a foreign-coloured disc with its mask). App and project
tests: ``texture`` / ``with_defect`` (a smooth pattern; a bright square). ``random_weights_file`` writes
seeded random backbone weights; the session fixture ``random_weights`` (tests/conftest.py) shares one file.

Good parts: diagonal stripes (fixed period and colours, random phase) plus mild noise. Defects: a filled
disc of a foreign colour at a random place, with its ground-truth mask. Also random-initialised backbone
weights written to a safetensors file, so a model can be rebuilt (and reloaded) with the very same weights.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

SIZE = 64


def good_image(rng: np.random.Generator, size: int = SIZE) -> np.ndarray:
    """uint8 RGB ``[size, size, 3]``: stripes of period 8 px with a random phase, plus noise."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    phase = rng.uniform(0, 2 * np.pi)
    t = 0.5 + 0.5 * np.sin(2 * np.pi * (xx + yy) / 8.0 + phase)
    base = np.array([60, 110, 160], np.float32)
    amp = np.array([120, 100, 60], np.float32)
    img = base + t[..., None] * amp + rng.normal(0, 6, (size, size, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


def defect_image(rng: np.random.Generator, size: int = SIZE) -> tuple[np.ndarray, np.ndarray]:
    """A good image with a disc of radius 6-9 px in a foreign colour -> (uint8 RGB, bool mask)."""
    img = good_image(rng, size)
    r = int(rng.integers(6, 10))
    cy, cx = (int(v) for v in rng.integers(r + 4, size - r - 4, 2))
    mask = np.zeros((size, size), np.uint8)
    cv2.circle(mask, (cx, cy), r, 1, -1)
    colour = np.array([230, 40, 20], np.uint8)
    img[mask > 0] = colour
    return img, mask > 0


def texture(seed: int, size: int = SIZE) -> np.ndarray:
    """A good part for app and project tests: a smooth periodic pattern plus a little noise (uint8 RGB)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size]
    base = 110 + 50 * np.sin(x / 3.0) * np.cos(y / 5.0)
    img = base[..., None] + rng.normal(0, 6, (size, size, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


def with_defect(seed: int, size: int = SIZE) -> np.ndarray:
    """``texture(seed)`` with a bright square of a quarter of its side in the upper middle."""
    img = texture(seed, size)
    s = size // 4
    img[size // 3 : size // 3 + s, size // 3 : size // 3 + s] = 255
    return img


def write_png(path: Path, rgb: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR) if rgb.ndim == 3 else rgb)
    return path


def make_images(folder: Path, n_good: int, n_defect: int, seed: int) -> tuple[list[Path], list[Path], list[np.ndarray]]:
    """Write goods and defects as PNG -> (good paths, defect paths, defect masks)."""
    rng = np.random.default_rng(seed)
    goods = [write_png(folder / f"good_{i:03d}.png", good_image(rng)) for i in range(n_good)]
    defects, masks = [], []
    for i in range(n_defect):
        img, mask = defect_image(rng)
        defects.append(write_png(folder / f"defect_{i:03d}.png", img))
        masks.append(mask)
    return goods, defects, masks


def make_mvtec_layout(root: Path, n_train: int = 16, n_test_good: int = 6, n_test_defect: int = 6,
                      seed: int = 0) -> Path:
    """A tiny dataset in the MVTec AD layout (train/good, test/good, test/spot, ground_truth/spot)."""
    rng = np.random.default_rng(seed)
    for i in range(n_train):
        write_png(root / "train" / "good" / f"{i:03d}.png", good_image(rng))
    for i in range(n_test_good):
        write_png(root / "test" / "good" / f"{i:03d}.png", good_image(rng))
    for i in range(n_test_defect):
        img, mask = defect_image(rng)
        write_png(root / "test" / "spot" / f"{i:03d}.png", img)
        write_png(root / "ground_truth" / "spot" / f"{i:03d}_mask.png", mask.astype(np.uint8) * 255)
    return root


def random_weights_file(path: Path, timm_name: str = "resnet18", seed: int = 0) -> Path:
    """Random-initialised ``timm_name`` weights (seeded) as a safetensors file."""
    import timm
    import torch
    from safetensors.torch import save_file

    torch.manual_seed(seed)
    model = timm.create_model(timm_name, pretrained=False)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(path))
    return path


def shared_random_weights(tmp_path_factory, timm_name: str = "resnet18", seed: int = 0) -> Path:
    """``random_weights_file`` written once per test session (creating a random network takes seconds)."""
    path = tmp_path_factory.getbasetemp() / f"{timm_name}_random_{seed}.safetensors"
    if not path.is_file():
        random_weights_file(path, timm_name, seed)
    return path


def one_thread():
    """Run torch on one thread while a test module runs (the test machines' cores are shared: two threads that
    wait on each other under load are much slower than one), then restore the engine's own setting."""
    import torch

    import inspector.core.runtime.device as device

    saved = (torch.get_num_threads(), device._threads_configured)
    device._threads_configured = True
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(saved[0])
    device._threads_configured = saved[1]
