"""Pieces the subcommands share: progress bars, model options, turning user mistakes into clean messages."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tqdm import tqdm

STAGE_LABELS = {"features": "features", "coreset": "coreset", "inspect": "scoring", "fit": "fitting"}


class TqdmProgress:
    """A ``ProgressFn`` that draws one tqdm bar per stage on stderr."""

    def __init__(self, disable: bool = False):
        self.bars: dict[str, tqdm] = {}
        self.disable = disable

    def __call__(self, stage: str, done: int, total: int) -> None:
        bar = self.bars.get(stage)
        if bar is None:
            for other in self.bars.values():
                other.close()
            unit = "pt" if stage == "coreset" else "img"
            bar = self.bars[stage] = tqdm(total=total, desc=STAGE_LABELS.get(stage, stage), unit=unit,
                                          disable=self.disable, file=sys.stderr, dynamic_ncols=True)
        bar.total = total
        bar.update(done - bar.n)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()
        self.bars.clear()


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1 (``--batch-size 0`` is refused before any work)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def fraction(text: str) -> float:
    """An argparse type: a fraction in (0, 1] (``--coreset-ratio 0`` is refused before feature extraction)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most 1, not {value}")
    return value


def output_folder(path: Path, what: str = "output") -> Path:
    """Check the ``--out`` folder before any work (nothing is created yet), so a wrong path fails in one line at
    once, not after a fit: an existing file, a parent that is a file, a folder that cannot be written."""
    from ..core.errors import InvalidInput

    if path.exists() and not path.is_dir():
        raise InvalidInput(f"--out {path} is an existing file; name a folder for the {what}")
    parent = path
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise InvalidInput(f"cannot create the {what} folder {path}: {parent} is a file")
    if not os.access(parent, os.W_OK):
        raise InvalidInput(f"cannot create the {what} folder {path}: {parent} is not writable")
    return path


def add_model_options(p: argparse.ArgumentParser, *, default_backbone: str = "wide_resnet50_2") -> None:
    g = p.add_argument_group("model")
    g.add_argument("--backbone", default=default_backbone, help="backbone name (default: %(default)s)")
    g.add_argument("--layers", nargs="+", default=None, help="layer module names (default: the backbone's)")
    g.add_argument("--weights", default="pretrained",
                   help="'pretrained' (the imported file for the backbone, else the timm hub, cached), "
                        "a .safetensors/.pth file, or 'random' (tests only)")
    g.add_argument("--coreset-ratio", type=fraction, default=0.1, help="coreset size as a fraction (default 0.1)")
    g.add_argument("--image-size", type=int, default=None,
                   help="resize the shorter side to this (default: 256 for a 224 crop, in proportion otherwise)")
    g.add_argument("--crop-size", type=int, default=None, help="center crop (default: the backbone's input, 224)")
    add_geometry_options(g)
    add_method_options(g)
    g.add_argument("--padim-dims", type=int, default=0, metavar="D",
                   help="PaDiM: channels kept at random (default 0 = the paper's: resnet18 100, "
                        "wide_resnet50_2 550)")
    g.add_argument("--gaussian-level", type=int, default=0, metavar="K",
                   help="Gaussian model: score with level K only (1-based; default 0 = sum over all levels)")
    g.add_argument("--batch-size", type=positive_int, default=8)
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--device", default="auto", help="auto, cpu or cuda[:N] (default auto)")
    g.add_argument("--quiet", action="store_true", help="no progress bars")


def add_method_options(g) -> None:
    """PatchCore's scoring-method options (default: the new-model defaults, ``NEW_MODEL_DEFAULTS``)."""
    g.add_argument("--reweight", type=int, default=None, metavar="K",
                   help="PatchCore: reweight image scores with K bank neighbours (paper eq. 7; 0 = off, anomalib "
                        "uses 9; default: the new-model default, see the README)")
    g.add_argument("--feature-aggregation", choices=("official", "concat"), default=None,
                   help="PatchCore: official (unfold 3x3, pool to 1024, stack, pool: the paper's code) or concat "
                        "(3x3 mean per layer, channels concatenated: anomalib's); default: the new-model default")
    g.add_argument("--map-interpolation", choices=("bilinear", "nearest"), default=None,
                   help="PatchCore: patch grid to pixels (official: bilinear, anomalib: nearest)")
    g.add_argument("--blur-border", choices=("reflect", "mirror"), default=None,
                   help="PatchCore: the map blur's edges (official: reflect as scipy, anomalib: mirror as torch)")


def add_geometry_options(g, *, several: bool = False) -> None:
    """``--geometry`` (or ``--geometries`` for compare) and the tiling / bank options."""
    from ..core.io.geometry import DEFAULT_GEOMETRY, GEOMETRIES

    if several:
        g.add_argument("--geometries", nargs="+", default=None, choices=GEOMETRIES, metavar="GEOMETRY",
                       help=f"input geometries to compare ({', '.join(GEOMETRIES)}; default: {DEFAULT_GEOMETRY} "
                            "for PatchCore, center-crop for PaDiM and Gaussian)")
    else:
        g.add_argument("--geometry", default=None, choices=GEOMETRIES,
                       help="what the network sees: center-crop (the paper's), whole (aspect kept, shorter side = "
                            "--image-size), stretch (squashed to the crop size), tiles (native resolution, "
                            f"overlapping crop-size tiles); default {DEFAULT_GEOMETRY} for PatchCore, center-crop "
                            "for PaDiM and Gaussian")
    g.add_argument("--tile-overlap", type=float, default=0.25, help="tiles: overlap fraction (default 0.25)")
    g.add_argument("--tile-scale", type=float, default=1.0, help="tiles: scale of the image (default 1 = native)")
    g.add_argument("--max-bank-patches", type=int, default=1_000_000, metavar="N",
                   help="PatchCore: patch vectors the coreset chooses from; more are sampled down uniformly "
                        "(default %(default)s: about 0.5 GB for the coreset's projections)")


def read_roi(path):
    """A region mask file (white = inspect) as a bool array; None for no path."""
    if path is None:
        return None
    from ..core.io.images import read_image

    return read_image(path)[:, :, 0] > 127


def new_model_config(kind: str, **given):
    """A new ``kind`` model's config: the new-model defaults (``registry.default_config``: geometry, scoring method,
    reduced decoding), with the options that were given (None: not given) on top."""
    from ..core.models.registry import default_config, make_config

    values = default_config(kind)
    values.update({k: v for k, v in given.items() if v is not None})
    return make_config(kind, values)


def backbone_defaults(backbone: str) -> tuple[list[str], int]:
    """The backbone's default layers and input size (224; 384 for the 384 teachers).

    An unknown or unavailable backbone raises ``BackboneError`` (a ``ValueError``: one clean line in the CLI).
    """
    from ..core.backbones.catalogue import resolve_backbone

    spec = resolve_backbone(backbone)
    return list(spec.layers), int(spec.input_size)


def input_sizes(args: argparse.Namespace) -> tuple[int, int]:
    """(resize, crop) from ``--image-size``/``--crop-size``, defaulting to the backbone's own input size."""
    crop = args.crop_size or backbone_defaults(args.backbone)[1]
    return args.image_size or round(crop * 256 / 224), crop


def patchcore_config(args: argparse.Namespace):
    resize, crop = input_sizes(args)
    return new_model_config(
        "patchcore",
        backbone=args.backbone,
        layers=args.layers or backbone_defaults(args.backbone)[0],
        weights=args.weights,
        resize=resize,
        crop=crop,
        coreset_ratio=args.coreset_ratio,
        batch_size=args.batch_size,
        seed=args.seed,
        device=args.device,
        max_bank_patches=getattr(args, "max_bank_patches", None),
        geometry=getattr(args, "geometry", None),
        tile_overlap=getattr(args, "tile_overlap", None),
        tile_scale=getattr(args, "tile_scale", None),
        feature_aggregation=getattr(args, "feature_aggregation", None),
        map_interpolation=getattr(args, "map_interpolation", None),
        blur_border=getattr(args, "blur_border", None),
        reweight_neighbors=getattr(args, "reweight", None),
    )
