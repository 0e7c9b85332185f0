"""Scoring one part on the line and recording it: the one path shared by the hot folder, the HTTP service and
the app's Line view.

``LineInspector`` holds a project and its trained model. ``score_file`` copies one image into the project as an
inspected part (exactly as an inspection in the app does), scores it with the model, stores the score, map and
verdict, and returns a ``PartResult``. Between parts, ``refresh`` picks up what another process (the app, a
second command) changed on disk: new thresholds (``project.json``) or a retrained model (``model/model.json``).
A part is always scored from start to end with one model and one pair of thresholds.

Not thread-safe: one thread uses one ``LineInspector`` (the service runs it on a single worker thread, so
requests queue on the one model).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import cv2
import numpy as np

from ..io.images import ImageReadError, SkippedImage, read_image
from ..io.overlay import map_to_image, overlay
from ..models import registry as model_kinds
from ..models.base import ModelFormatError, read_model_json
from .retention import get_retention
from .store import DB_FILE, PROJECT_FILE, Project, ProjectError
from .thresholds import Thresholds

UNREADABLE = "unreadable"
RETENTION_EVERY = 50  # parts recorded between two applications of the retention setting


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


@dataclass
class PartResult:
    """One part's outcome. ``verdict``: pass / uncertain / fail, None without thresholds, "unreadable"."""

    file: str
    score: float | None
    verdict: str | None
    thresholds: Thresholds | None
    model_id: str
    generation: int
    image_id: int | None = None
    ms: float = 0.0
    error: str | None = None
    time: str = field(default_factory=utc_now)
    anomaly_map: np.ndarray | None = field(default=None, repr=False)  # full-frame float32, not serialised

    def to_json(self) -> dict:
        return {
            "time": self.time,
            "file": self.file,
            "score": None if self.score is None else round(float(self.score), 6),
            "verdict": self.verdict,
            "thresholds": self.thresholds.to_dict() if self.thresholds else None,
            "model_id": self.model_id,
            "generation": self.generation,
            "image_id": self.image_id,
            "ms": round(self.ms, 2),
            **({"error": self.error} if self.error else {}),
        }


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def overlay_levels(thresholds: Thresholds | None, amap: np.ndarray) -> tuple[float, float]:
    """The heatmap colour scale the app uses: half the pass line (blue) to the fail line (red)."""
    if thresholds is not None:
        return 0.5 * thresholds.pass_, max(thresholds.fail, thresholds.pass_ * 1.0001 + 1e-9)
    return float(amap.min()), float(max(amap.max(), amap.min() + 1e-9))


def overlay_png(image_path: Path, result: PartResult, preprocessor, alpha: float = 0.5,
                max_side: int | None = None) -> bytes | None:
    """The heatmap of ``result`` over its image as PNG bytes (None for an image-level model)."""
    if result.anomaly_map is None:
        return None
    rgb = read_image(image_path)
    full = map_to_image(result.anomaly_map, rgb.shape[:2],
                        preprocessor.map_box(*rgb.shape[:2], result.anomaly_map.shape))  # full-frame maps
    vmin, vmax = overlay_levels(result.thresholds, result.anomaly_map)
    out = overlay(rgb, full, vmin, vmax, alpha)
    if max_side and max(out.shape[:2]) > max_side:
        s = max_side / max(out.shape[:2])
        out = cv2.resize(out, (max(1, round(out.shape[1] * s)), max(1, round(out.shape[0] * s))),
                         interpolation=cv2.INTER_AREA)
    ok, png = cv2.imencode(".png", cv2.cvtColor(out, cv2.COLOR_RGB2BGR))
    return png.tobytes() if ok else None


class LineInspector:
    """A project's model and thresholds, ready to score parts one at a time (see the module docstring)."""

    def __init__(self, folder: str | Path, record: bool = True):
        self.folder = Path(folder)
        self.record = record
        self.project = Project.open(self.folder, line=record)
        if record and self.project.read_only:
            reason = self.project.read_only_reason
            self.project.close()
            raise ProjectError(f"cannot record inspections into {self.folder}: {reason}")
        self._json_stamp = _stamp(self.folder / PROJECT_FILE)
        self._model = None
        self._model_stamp: tuple[int, int] | None = None
        self.model_id = ""
        self.refresh()
        self._since_retention = 0
        if record:
            self.apply_retention()

    # ----------------------------------------------------------------------------------- state
    @property
    def thresholds(self) -> Thresholds | None:
        return self.project.thresholds

    @property
    def ready(self) -> bool:
        """Whether there is a trained model to score with."""
        return self._model is not None

    @property
    def model(self):
        if self._model is None:
            raise ProjectError("this project has no trained model yet: train it first (inspector project train)")
        return self._model

    def refresh(self) -> bool:
        """Re-read thresholds and settings when ``project.json`` changed, and the model when it was retrained.

        Call between parts only. Returns True when anything was reloaded. A model being saved at this very
        moment (its tensor file replaced under us) is retried for a few seconds.
        """
        changed = False
        stamp = _stamp(self.folder / PROJECT_FILE)
        if stamp != self._json_stamp:
            self.project.reload()
            self._json_stamp, changed = stamp, True
        model_json = self.project.model_dir / "model.json"
        stamp = _stamp(model_json)
        if stamp != self._model_stamp:
            self._load_model(stamp)
            changed = True
        return changed

    def _load_model(self, stamp: tuple[int, int] | None) -> None:
        if stamp is None:
            self._model, self._model_stamp, self.model_id = None, None, ""
            return
        deadline = time.monotonic() + 10.0
        while True:
            try:
                meta = read_model_json(self.project.model_dir)
                model = model_kinds.load_model(self.project.model_dir)
                break
            except (ModelFormatError, FileNotFoundError):  # model/ is swapped for the new one right now
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)  # a retraining is replacing the files: the complete model appears shortly
        self._model = model
        self._model_stamp = _stamp(self.project.model_dir / "model.json")
        self.model_id = model_id(meta)

    def status(self) -> dict:
        """What the project and its model are, for ``GET /project`` and ``project status --json``."""
        return project_status(self.project, self.model_id)

    # --------------------------------------------------------------------------------- scoring
    def score_file(self, path: str | Path, name: str | None = None) -> PartResult:
        """Score one image file (recorded in the project unless ``record`` is False).

        Raises ``ImageReadError`` (with the reason) for a file that cannot be read as an image, and
        ``ProjectError`` when the project has no model.
        """
        start = time.perf_counter()
        path = Path(path)
        model = self.model
        name = name or path.name
        thresholds = self.project.thresholds
        image_id = None
        target = path
        if self.record:
            report = self.project.add_images([path], "inspected")
            if report.skipped:
                raise ImageReadError(report.skipped[0].reason)
            image_id = report.added[0].id if report.added else report.duplicate_ids[0]
            target = self.project.path_of(self.project.image(image_id))
        else:
            read_image(path)  # the reason, not a silent skip
        skipped: list[SkippedImage] = []
        preds = list(model.predict([target], skipped=skipped))
        if not preds:
            raise ImageReadError(skipped[0].reason if skipped else "not a readable image")
        pred = preds[0]
        if self.record:
            self.project.record_result(image_id, pred.score, pred.anomaly_map)
            self._since_retention += 1
            if self._since_retention >= RETENTION_EVERY:
                self.apply_retention()
        verdict = thresholds.verdict(pred.score) if thresholds else None
        return PartResult(name, pred.score, verdict, thresholds, self.model_id, self.project.generation(), image_id,
                          (time.perf_counter() - start) * 1000.0, anomaly_map=pred.anomaly_map)

    def apply_retention(self) -> int:
        """Remove the inspected parts the project's retention setting no longer keeps (see retention.py)."""
        from .retention import apply_retention

        self._since_retention = 0
        return apply_retention(self.project)

    def unreadable(self, name: str, reason: str) -> PartResult:
        return PartResult(name, None, UNREADABLE, self.project.thresholds, self.model_id, self.project.generation(),
                          error=reason)

    def overlay_png(self, path: str | Path, result: PartResult, max_side: int | None = None) -> bytes | None:
        return overlay_png(Path(path), result, self.model.preprocessor, max_side=max_side)

    def close(self) -> None:
        self.project.close()
        self._model = None


def model_id(meta: dict) -> str:
    """A short id of a trained model that changes with every training (from its tensor file's unique name)."""
    tensors = str(meta.get("tensors_file", ""))
    return tensors.removeprefix("tensors-").removesuffix(".safetensors") or "untrained"


def project_status(project: Project, model_id_: str | None = None) -> dict:
    """Counts, model state and thresholds of a project, as plain JSON-able values."""
    counts = {role: project.count((role,)) for role in ("train", "holdout", "inspected")}
    verdicts = {"pass": 0, "uncertain": 0, "fail": 0, "none": 0}
    for r in project.results():
        verdicts[r.verdict or "none"] += 1
    model: dict = {"trained": project.has_model()}
    if project.has_model():
        try:
            meta = read_model_json(project.model_dir)
        except ModelFormatError as exc:
            model["error"] = str(exc)
        else:
            cfg = meta.get("config", {})
            model.update({
                "id": model_id_ or model_id(meta), "kind": meta.get("model"), "backbone": cfg.get("backbone"),
                "layers": cfg.get("layers"), "resize": cfg.get("resize"), "crop": cfg.get("crop"),
                "weights": (meta.get("weights") or {}).get("name") or cfg.get("weights"),
                "generation": project.generation(), "stale": project.model_is_stale(),
            })
            info = project.training_info()
            model.update({k: info.get(k) for k in ("trained_at", "n_train", "n_holdout")})
    t = project.thresholds
    return {
        "name": project.name,
        "folder": str(project.folder),
        "images": {"good": counts["train"] + counts["holdout"], **counts},
        "verdicts": verdicts,
        "model": model,
        "thresholds": t.to_dict() if t else None,
        "settings": {"model_kind": project.settings.model_kind, **project.settings.model},
        "retention": get_retention(project).describe(),
        "database": DB_FILE,
    }


def dumps(obj: dict) -> str:
    """One compact JSON line (no newline)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
