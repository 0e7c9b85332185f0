"""The one-file model package (``.inspector``): carry a trained model to an offline line PC.

A zip holding::

    manifest.json   format, what wrote it, and the SHA-256 and size of every other member
    project.json    the project's settings and thresholds (no window layout, no images)
    training.json   what the model was trained on (dates, counts), for the status and the report
    model/...       the trained model folder as the engine saved it (model.json + its safetensors file)
    weights/<file>  optionally (``with_weights``) the backbone weights, so the PC needs nothing else

Opening a package from a stranger is safe: nothing is unpickled (JSON and safetensors only); member names are
checked against the layout above before anything is written (no absolute paths, no ``..``, no links, no
duplicates), so extraction cannot escape the target folder; sizes are limited (whole package, each member,
compression ratio) and counted while reading, not taken from the zip's headers; every member's SHA-256 must
match the manifest, and the model's ``model.json`` may only name its tensor file inside the package.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..backbones.weights import WeightsSource, file_sha256, hub_cached_file, resolve_source
from ..errors import InspectorError
from ..io.atomic import atomic_path, write_json
from ..io.paths import weights_cache_dir
from .store import DB_FILE, FORMAT_VERSION, Project, ProjectSettings
from .thresholds import Thresholds

PACKAGE_FORMAT = "inspector-package"
PACKAGE_VERSION = 1
MAX_TOTAL = 8 << 30  # bytes, unpacked
MAX_JSON = 16 << 20
MAX_RATIO = 200  # unpacked / packed, for members over 1 MB (a zip bomb is far above)
MEMBER = re.compile(r"^(manifest\.json|project\.json|training\.json|(model|weights)/[A-Za-z0-9_][A-Za-z0-9._-]{0,200})$")


class PackageError(InspectorError):
    """The package is damaged, not a package, too large, or unsafe; the message says which."""


@dataclass
class ImportResult:
    project: Path
    name: str
    weights: str | None  # where the backbone weights of the model come from now
    model_loads: bool
    warning: str = ""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _weights_file(config: dict) -> Path | None:
    """The backbone weights file a model config uses on this PC (None: random weights, nothing to carry)."""
    source = resolve_source(WeightsSource.parse(config.get("weights")), config.get("backbone", ""))
    if source.kind == "random":
        return None
    if source.kind == "file":
        path = Path(source.path)
    else:
        from ..backbones.catalogue import resolve_backbone

        path = hub_cached_file(resolve_backbone(config.get("backbone", "")).timm_name)
    if path is None or not Path(path).is_file():
        raise PackageError(f"the backbone weights ({config.get('weights')}) are not on this PC, so they cannot be "
                           "packed; import the weights file, or export without --with-weights")
    return Path(path)


def export_package(project: Project, target: str | Path, with_weights: bool = False) -> dict:
    """Write ``project``'s trained model, settings and thresholds to one ``.inspector`` file. Returns the manifest."""
    if not project.has_model():
        raise PackageError("this project has no trained model to export: train it first")
    from ..models.base import read_model_json

    meta = read_model_json(project.model_dir)
    members: dict[str, Path | bytes] = {
        "project.json": json.dumps({"format_version": FORMAT_VERSION, "settings": project.settings.to_dict(),
                                    "thresholds": project.thresholds.to_dict() if project.thresholds else None},
                                   indent=2).encode("utf-8"),
        "training.json": json.dumps({**project.training_info(), "generation": project.generation()},
                                    indent=2).encode("utf-8"),
        "model/model.json": (project.model_dir / "model.json").read_bytes(),
    }
    tensors = str(meta.get("tensors_file", ""))
    if not tensors or not (project.model_dir / tensors).is_file():
        raise PackageError(f"the model's tensor file {tensors!r} is missing")
    members[f"model/{tensors}"] = project.model_dir / tensors
    if with_weights:
        wfile = _weights_file(meta.get("config", {}))
        if wfile is not None:
            members[f"weights/{re.sub(r'[^A-Za-z0-9._-]', '_', wfile.name)}"] = wfile
    files = {}
    for name, src in members.items():
        if not MEMBER.match(name):
            raise PackageError(f"cannot pack {name!r}: unexpected file name")
        files[name] = ({"sha256": _sha256(src), "size": len(src)} if isinstance(src, bytes)
                       else {"sha256": file_sha256(src), "size": src.stat().st_size})
    from ... import __version__

    manifest = {"format": PACKAGE_FORMAT, "version": PACKAGE_VERSION, "written_by": f"inspector {__version__}",
                "name": project.name, "model_id": tensors.removeprefix("tensors-").removesuffix(".safetensors"),
                "with_weights": any(n.startswith("weights/") for n in members), "files": files}
    with atomic_path(target) as tmp:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as z:
            z.writestr("manifest.json", json.dumps(manifest, indent=2))
            for name, src in members.items():
                if isinstance(src, bytes):
                    z.writestr(name, src)
                else:
                    z.write(src, name, compress_type=zipfile.ZIP_STORED)  # tensors do not compress
    return manifest


def _read_member(z: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, sink=None) -> tuple[bytes | None, str, int]:
    """Read one member, counting the bytes actually unpacked (headers can lie) -> (data or None, sha256, size)."""
    h, n, chunks = hashlib.sha256(), 0, []
    with z.open(info) as f:
        while block := f.read(1 << 20):
            n += len(block)
            if n > limit:
                raise PackageError(f"{info.filename} is larger than allowed ({limit} bytes)")
            h.update(block)
            if sink is not None:
                sink.write(block)
            else:
                chunks.append(block)
    return (None if sink is not None else b"".join(chunks)), h.hexdigest(), n


def _check_names(z: zipfile.ZipFile, max_total: int) -> dict[str, zipfile.ZipInfo]:
    infos: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in z.infolist():
        name = info.filename
        if not MEMBER.match(name) or ".." in name or "\\" in name:
            raise PackageError(f"the package holds an unexpected or unsafe member {name!r}; not opening it")
        mode = (info.external_attr >> 16) & 0o170000
        if info.is_dir() or mode not in (0, 0o100000):
            raise PackageError(f"{name!r} in the package is not a plain file; not opening it")
        if name in infos:
            raise PackageError(f"{name!r} appears twice in the package; not opening it")
        if info.file_size > (1 << 20) and info.file_size > MAX_RATIO * max(1, info.compress_size):
            raise PackageError(f"{name!r} unpacks to {info.file_size} bytes from {info.compress_size}: refused")
        total += info.file_size
        if total > max_total:
            raise PackageError(f"the package unpacks to more than {max_total} bytes; refused")
        infos[name] = info
    for needed in ("manifest.json", "project.json", "model/model.json"):
        if needed not in infos:
            raise PackageError(f"not an Inspector model package: {needed} is missing")
    return infos


def _json(data: bytes, name: str) -> dict:
    try:
        obj = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PackageError(f"{name} in the package is damaged: {exc}") from None
    if not isinstance(obj, dict):
        raise PackageError(f"{name} in the package is damaged")
    return obj


def import_package(package: str | Path, folder: str | Path, name: str | None = None,
                   weights: str | None = None, max_total: int = MAX_TOTAL) -> ImportResult:
    """Create a new project in ``folder`` from a package (see the module docstring for the checks).

    Packed backbone weights are kept in the weights cache under their SHA-256 (never replacing a file other
    projects use) and the model points at them. ``weights``: a weights file on this PC to use instead.
    Nothing is created unless every check passes.
    """
    package, folder = Path(package), Path(folder)
    if not zipfile.is_zipfile(package):
        raise PackageError(f"{package} is not an Inspector model package (not a zip file)")
    if package.stat().st_size > max_total:
        raise PackageError(f"{package} is larger than {max_total} bytes; refused")
    with zipfile.ZipFile(package) as z, tempfile.TemporaryDirectory(prefix=".import-", dir=_parent(folder)) as tmp:
        infos = _check_names(z, max_total)
        manifest = _json(_read_member(z, infos["manifest.json"], MAX_JSON)[0], "manifest.json")
        if manifest.get("format") != PACKAGE_FORMAT:
            raise PackageError("not an Inspector model package (manifest format)")
        if not isinstance(manifest.get("version"), int) or manifest["version"] > PACKAGE_VERSION:
            raise PackageError(f"this package was made by a newer Inspector (package format {manifest.get('version')})"
                               "; update Inspector to open it")
        listed = manifest.get("files")
        if not isinstance(listed, dict) or set(listed) != set(infos) - {"manifest.json"}:
            raise PackageError("the package's manifest does not list exactly the files it holds; damaged or altered")
        staged = Path(tmp)
        texts: dict[str, bytes] = {}
        for mname, info in infos.items():
            if mname == "manifest.json":
                continue
            expect = listed[mname]
            if not isinstance(expect, dict):
                raise PackageError(f"the manifest entry of {mname} is damaged")
            if mname.endswith(".json"):
                data, digest, size = _read_member(z, info, MAX_JSON)
                texts[mname] = data
            else:
                dest = staged / mname
                dest.parent.mkdir(parents=True, exist_ok=True)
                with open(dest, "wb") as sink:
                    _, digest, size = _read_member(z, info, max_total, sink)
            if digest != expect.get("sha256") or size != expect.get("size"):
                raise PackageError(f"{mname} does not match its checksum in the package: damaged or altered")
        pj = _json(texts["project.json"], "project.json")
        model_meta = _json(texts["model/model.json"], "model/model.json")
        training = _json(texts.get("training.json", b"{}"), "training.json")
        tensors = str(model_meta.get("tensors_file", ""))
        if f"model/{tensors}" not in infos or "/" in tensors:
            raise PackageError("the package's model.json names a tensor file the package does not hold")
        if not isinstance(pj.get("format_version"), int) or pj["format_version"] > FORMAT_VERSION:
            raise PackageError("the package's project settings are from a newer Inspector; update Inspector")
        try:
            settings = ProjectSettings.from_dict(pj.get("settings") or {})
            thresholds = Thresholds.from_dict(pj.get("thresholds"))
            settings.model_config()
        except (TypeError, ValueError, InspectorError) as exc:
            raise PackageError(f"the package's settings are invalid: {exc}") from None

        weights_used = None
        packed = [n for n in infos if n.startswith("weights/")]
        if weights is not None:
            weights_used = str(Path(weights).expanduser().resolve())
        elif packed:
            src = staged / packed[0]
            digest = listed[packed[0]]["sha256"]
            target = weights_cache_dir() / "packages" / f"{digest[:16]}-{src.name}"
            if not target.is_file():
                with atomic_path(target) as t:
                    shutil.copyfile(src, t)
            weights_used = str(target)
        config = dict(model_meta.get("config") or {})
        if weights_used is None and config.get("weights") not in (None, "pretrained", "random") \
                and not Path(str(config["weights"])).is_file():
            weights_used = "pretrained"  # a file of the exporting PC: the file imported for the backbone here
        if weights_used is not None:
            config["weights"] = weights_used
            model_meta["config"] = config
            settings.model["weights"] = weights_used

        project = Project.create(folder, name or settings.name, settings)
        try:
            model_dir = project.model_dir
            model_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(staged / "model" / tensors, model_dir / tensors)
            write_json(model_dir / "model.json", model_meta)
            if thresholds is not None:
                project.set_thresholds(thresholds)
            _record_training(project, training)
        finally:
            project.close()
    ok, warning = _try_load(folder)
    return ImportResult(folder, settings.name if name is None else name, weights_used or config.get("weights"), ok,
                        warning)


def _parent(folder: Path) -> Path:
    parent = folder.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    return parent


def _record_training(project: Project, training: dict) -> None:
    """Mark the imported model as the project's current one (generation, what it was trained on)."""
    import sqlite3

    info = {k: training.get(k) for k in ("n_train", "n_holdout", "trained_at", "seconds", "model_kind")}
    info["imported"] = True
    info["signature"] = project._signature()  # the model is current for this project as imported
    conn = sqlite3.connect(project.folder / DB_FILE, timeout=30)
    try:
        with conn:
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('generation', '1')")
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('training', ?)", (json.dumps(info),))
    finally:
        conn.close()


def _try_load(folder: Path) -> tuple[bool, str]:
    try:
        with Project.open(folder) as p:
            p.model()
    except InspectorError as exc:
        return False, f"the model does not load on this PC yet: {exc}"
    return True, ""
