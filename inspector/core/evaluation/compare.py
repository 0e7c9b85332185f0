"""Side-by-side evaluation: one row per model set-up (model, backbone, geometry), the table ``inspector compare``
prints and the app's "Evaluate on labelled parts…" shows.

A row holds the set-up's names and, once evaluated, ``image_auroc``, ``pixel_auroc`` (over the whole frame),
``pro``, ``feature_dim``, ``fit_s``, ``ms_per_image`` and the full ``EvaluationResult`` as ``result``. A set-up
that cannot run (no weights, not enough memory, a geometry the model does not take) becomes a row whose
``status`` says why; a cancel is never turned into a row. ``compare_geometries`` evaluates one model's settings
under several geometries on the same labelled images; ``per_type_rows`` gathers the per-defect-type image AUROC
of those rows into one table; ``save_comparison`` / ``load_comparison`` keep a comparison as JSON.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..errors import InspectorError
from ..runtime.progress import Cancelled, CancelToken, ProgressFn, call_cancellable, checkpoint, no_progress
from .mvtec import EvaluationResult, TestSample, evaluate_samples

COLUMNS = ["model", "backbone", "layers", "geometry", "image_auroc", "pixel_auroc", "pro", "feature_dim", "fit_s",
           "ms_per_image", "status"]
HEADERS = ["model", "backbone", "layers", "geometry", "image AUROC %", "full-frame pixel AUROC %", "PRO %",
           "feature size", "fit s", "ms/image", "status"]
METRICS = ("image_auroc", "pixel_auroc", "pro")
FORMAT_VERSION = 1


class ComparisonFileError(InspectorError, ValueError):
    """A saved comparison that cannot be read (damaged, or written by a newer version)."""


def failure_status(exc: BaseException) -> str:
    """The ``status`` of a row whose evaluation raised ``exc``: its type and first line."""
    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return f"failed: {type(exc).__name__}: {reason}"


def row_from_result(row: dict, result: EvaluationResult) -> dict:
    """``row`` with the figures of ``result`` filled in."""
    row.update(layers=" ".join(result.layers), image_auroc=result.image_auroc, pixel_auroc=result.pixel_auroc,
               pro=result.pro, feature_dim=result.feature_dim, fit_s=result.fit_seconds,
               ms_per_image=result.inference_ms_per_image, result=result.to_dict())
    return row


def evaluate_row(row: dict, run: Callable[[], EvaluationResult]) -> dict:
    """Run one evaluation into ``row`` (``status`` "ok"); a failure is written into the row, never raised, but
    a cancel is (the whole comparison stops)."""
    row.setdefault("status", "ok")
    try:
        result = run()
    except Cancelled:
        raise
    except (Exception, MemoryError) as exc:  # noqa: BLE001 - every failure is reported in its row
        row["status"] = failure_status(exc)
        return row
    return row_from_result(row, result)


def cell(row: dict, col: str) -> str:
    """One table cell as text: metrics in %, seconds and ms with one decimal, '-' for none."""
    v = row.get(col)
    if v is None or v == "":
        return "-" if col not in ("layers", "status") else str(v or "")
    if col in METRICS:
        return f"{100 * v:.2f}"
    if col in ("fit_s", "ms_per_image"):
        return f"{v:.1f}"
    return str(v)


def stage_prefix(progress: ProgressFn, prefix: str) -> ProgressFn:
    """``progress`` with each stage reported as ``prefix/stage`` (which set-up a stage belongs to)."""
    return lambda stage, done, total: progress(f"{prefix}/{stage}", done, total)


def compare_geometries(
    build: Callable[[str], Any],
    geometries: list[str],
    train: list[Path],
    samples: list[TestSample],
    dataset: str = "",
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
    roi: np.ndarray | None = None,
    roi_source: str = "",
    eval_max_side: int = 512,
    on_row: Callable[[dict], None] | None = None,
) -> list[dict]:
    """Evaluate ``build(geometry)`` (a new, untrained model) for each geometry on the same images, in order.

    Progress stages are ``<geometry>/features``, ``<geometry>/coreset``, ``<geometry>/inspect``; ``on_row``
    gets each finished row. A set-up that fails is a row with its reason; a cancel raises ``Cancelled``.
    """
    rows = []
    for geometry in geometries:
        checkpoint(cancel)
        row: dict = {"model": "", "backbone": "", "layers": "", "geometry": geometry, "status": "ok"}

        def run(geometry=geometry, row=row):
            model = call_cancellable(lambda: build(geometry), cancel)  # seconds (a backbone), no token checked
            cfg = model.config
            row.update(model=model.kind, backbone=cfg.backbone, layers=" ".join(cfg.layers))
            return evaluate_samples(lambda: model, train, samples, dataset, stage_prefix(progress, geometry), cancel,
                                    roi=roi, roi_source=roi_source, eval_max_side=eval_max_side)

        rows.append(evaluate_row(row, run))
        if on_row is not None:
            on_row(rows[-1])
    return rows


def per_type_rows(rows: list[dict]) -> list[dict]:
    """One row per image type over every evaluated set-up: ``{"type", "count", "auroc": {geometry: value}}``
    (goods first, with no AUROC of their own; each defect type's image AUROC is against all good images)."""
    counts: dict[str, int] = {}
    aurocs: dict[str, dict[str, float]] = {}
    for r in rows:
        result = r.get("result") or {}
        for t, n in (result.get("per_type_count") or {}).items():
            counts[t] = max(counts.get(t, 0), int(n))
        for t, auc in (result.get("per_type_image_auroc") or {}).items():
            aurocs.setdefault(t, {})[r.get("geometry", "")] = auc
    order = sorted(counts, key=lambda t: (t in aurocs, t))
    return [{"type": t, "count": counts[t], "auroc": aurocs.get(t, {})} for t in order]


def save_comparison(path: str | Path, payload: dict) -> dict:
    """Write a comparison (rows and whatever else the caller keeps with them) as JSON, atomically."""
    from ..io.atomic import write_json

    data = {"format": FORMAT_VERSION, "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **payload}
    write_json(Path(path), data)
    return data


def load_comparison(path: str | Path) -> dict | None:
    """The comparison saved at ``path``; None when there is none. A damaged file, or one whose rows are not
    rows, raises ``ComparisonFileError`` naming it (nothing is changed)."""
    import json

    path = Path(path)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ComparisonFileError(f"{path.name} cannot be read ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list) \
            or not all(isinstance(r, dict) for r in data["rows"]):
        raise ComparisonFileError(f"{path.name} holds no table of evaluations")
    if not isinstance(data.get("format"), int) or data["format"] > FORMAT_VERSION:
        raise ComparisonFileError(f"{path.name} was written by a newer version of Inspector")
    for r in data["rows"]:  # numbers where numbers belong: a hand-edited file never reaches the table as text
        for key in (*METRICS, "fit_s", "ms_per_image"):
            if r.get(key) is not None and not isinstance(r[key], (int, float)) or isinstance(r.get(key), bool):
                raise ComparisonFileError(f"{path.name}: {key} = {r[key]!r} is not a number")
    return data
