"""Getting a backbone's pretrained weights: the timm hub (cached), a local file, or (tests only) none.

A factory PC is often offline, so a weights file can be given instead of a download. Loading is strict over
the modules the chosen layers need: a missing key is an error that names it, and so is a key that matches
nothing in the model; keys of pruned modules (later stages, the classifier) are ignored. Files are read
without unpickling: safetensors, or ``torch.load(weights_only=True)`` for ``.pth``/``.pt``/``.bin``.
The network is never silently left untrained: random weights only when ``random`` is asked for by name.

The weights manager keeps everything under the user cache (``paths.weights_cache_dir()``):
- hub downloads in the Hugging Face cache layout (``models--timm--<model>.<tag>/``), fetched by
  ``download_pretrained`` with byte progress and cancellation, then loaded from disk with no network;
- files imported from disk (``import_weights``) in ``imported/``, checked strictly against the backbone on the
  meta device and listed in ``imported/index.json`` (name, backbone, sha256, size; atomic writes). An imported
  file is what ``pretrained`` means for its backbone from then on (``resolve_source``), so an offline PC that
  imported weights once trains like one with internet;
- ``list_cached`` / ``remove_cached`` / ``weights_status`` for the CLI and the app.
A model records the weights it was trained with (hash of the tensors) and refuses others:
``mismatch_message`` words that refusal.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import torch
from torch import nn

from ..errors import InspectorError
from ..io.atomic import atomic_path, write_json
from ..io.paths import weights_cache_dir
from ..io.versioned import read_versioned
from ..runtime.memory import format_bytes
from ..runtime.progress import Cancelled, CancelToken, ProgressFn, checkpoint, no_progress
from .catalogue import REFERENCE, adapt_state_dict, meta_model, resolve_backbone
from .extractor import FeatureExtractor
from .timm_import import import_timm


class WeightsError(InspectorError):
    """The weights could not be obtained or do not fit the model; the message says how to fix it."""


@dataclass(frozen=True)
class WeightsSource:
    """``kind`` is ``pretrained`` (timm hub, cached), ``file`` (``path``) or ``random`` (explicit, for tests)."""

    kind: str = "pretrained"
    path: str | None = None

    @staticmethod
    def parse(spec: str | None) -> "WeightsSource":
        """``None``/``"pretrained"`` -> hub; ``"random"`` -> random init; anything else is a file path."""
        if spec is None or spec == "pretrained":
            return WeightsSource("pretrained")
        if spec == "random":
            return WeightsSource("random")
        return WeightsSource("file", str(Path(spec).expanduser().resolve()))

    def describe(self) -> str:
        return {"pretrained": "pretrained (timm hub)", "random": "random (untrained)"}.get(self.kind, self.path or "")


def read_state_dict(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    """Read a weights file without unpickling: ``.safetensors``, or a ``torch.save`` file with weights_only."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"weights file not found: {path}")
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            state = load_file(str(path))
        else:
            state = torch.load(str(path), map_location="cpu", weights_only=True)
    except WeightsError:
        raise
    except Exception as exc:
        raise WeightsError(f"cannot read weights file {path.name}: {exc}") from None
    for key in ("state_dict", "model", "model_state_dict"):
        if isinstance(state, dict) and key in state and isinstance(state[key], dict):
            state = state[key]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise WeightsError(f"{path.name} does not hold a state dict of tensors")
    return {k.removeprefix("module."): v for k, v in state.items()}


def diff_state(
    expected: dict[str, torch.Size | tuple], given: dict[str, torch.Tensor], ignored: Sequence[str] = ()
) -> tuple[list[str], list[str], list[str]]:
    """(missing, unexpected, misshaped) keys of ``given`` against ``expected`` shapes; keys under an ``ignored``
    module prefix are left out of all three. A missing BatchNorm ``num_batches_tracked`` counter is not
    reported: it does not change what an eval-mode network computes."""
    prefixes = tuple(p + "." for p in ignored)
    given_keys = {k for k in given if not k.startswith(prefixes)} if prefixes else set(given)
    missing = sorted(
        k for k in set(expected) - given_keys
        if not k.endswith("num_batches_tracked") and not (prefixes and k.startswith(prefixes))
    )
    unexpected = sorted(given_keys - set(expected))
    misshaped = sorted(
        k for k in given_keys & set(expected) if tuple(given[k].shape) != tuple(expected[k])
    )
    return missing, unexpected, misshaped


def _describe_diff(missing: list[str], unexpected: list[str], misshaped: list[str]) -> str:
    parts = []
    for label, keys in (("missing", missing), ("unexpected", unexpected), ("wrong shape", misshaped)):
        if keys:
            more = f" (+{len(keys) - 8} more)" if len(keys) > 8 else ""
            parts.append(f"{label} keys: {', '.join(keys[:8])}{more}")
    return "; ".join(parts)


def load_strict(model: nn.Module, state: dict[str, torch.Tensor], pruned: list[str], source: str) -> None:
    """Load ``state`` into ``model``; every key the model needs must be there, every key given must fit.

    Keys under a pruned module are ignored. Raises ``WeightsError`` naming missing/unexpected/misshaped keys.
    """
    own = model.state_dict()
    expected = {k: v.shape for k, v in own.items()}
    ignored = tuple(p + "." for p in pruned)
    given = {k: v for k, v in state.items() if not k.startswith(ignored)}
    missing, unexpected, misshaped = diff_state(expected, given)
    if missing or unexpected or misshaped:
        raise WeightsError(
            f"the weights in {source} do not fit {type(model).__name__}: "
            + _describe_diff(missing, unexpected, misshaped)
        )
    for key in set(own) - set(given):  # only num_batches_tracked counters can be absent here
        given[key] = own[key]
    model.load_state_dict(given, strict=True)


def state_hash(model: nn.Module) -> str:
    """SHA-256 of the model's tensors (names, shapes, bytes): identifies the weights whatever the file format."""
    h = hashlib.sha256()
    for key, value in sorted(model.state_dict().items()):
        if not torch.is_floating_point(value):
            continue  # e.g. BatchNorm's num_batches_tracked: not part of what the network computes
        h.update(key.encode())
        h.update(str(tuple(value.shape)).encode())
        h.update(value.detach().cpu().contiguous().float().numpy().tobytes())
    return h.hexdigest()


def create_pretrained(timm_name: str, progress: ProgressFn = no_progress, cancel: CancelToken | None = None,
                      **kwargs) -> nn.Module:
    """Create a timm model with its hub weights, downloading (with progress) into the user cache on first use.

    Once cached, the file is loaded from disk with no network access at all. Raises ``WeightsError`` with the
    ways out when the weights cannot be had (offline PC, no weights published for this model).
    """
    timm = import_timm()

    path = hub_cached_file(timm_name)
    if path is None:
        path = download_pretrained(timm_name, progress, cancel)
    try:
        # ``source: ""`` so timm takes the file, not the hub; it still applies the model's own checkpoint filter
        overlay = {"file": str(path), "source": ""}
        return timm.create_model(timm_name, pretrained=True, pretrained_cfg_overlay=overlay, **kwargs)
    except Exception as exc:
        raise WeightsError(f"the cached weights for '{timm_name}' ({path}) cannot be loaded: {exc}. "
                           f"Remove them with 'inspector weights remove' and download again.") from None


def _hub_reachable(host: str = "huggingface.co", timeout: float = 3.0) -> bool:
    """A quick name lookup, so an offline PC fails in a second instead of after a minute of retries."""
    import socket
    from concurrent.futures import ThreadPoolExecutor, TimeoutError

    pool = ThreadPoolExecutor(max_workers=1)
    try:
        pool.submit(socket.getaddrinfo, host, 443).result(timeout=timeout)
        return True
    except (OSError, TimeoutError):
        return False
    finally:
        pool.shutdown(wait=False)


# ------------------------------------------------------------------------------------------ the hub cache
def _hub_location(timm_name: str) -> tuple[str, str | None, list[str]]:
    """(repo id, revision, candidate file names) of a timm model's pretrained weights on the hub."""
    get_pretrained_cfg = import_timm().models.get_pretrained_cfg

    cfg = get_pretrained_cfg(timm_name)
    if cfg is None or not cfg.hf_hub_id:
        tag = f" (tag '{cfg.tag}')" if cfg is not None and cfg.tag else ""
        raise WeightsError(
            f"timm publishes no pretrained weights for '{timm_name}'{tag}. Import a weights file with "
            f"'inspector weights import FILE --backbone NAME', or pass --weights FILE."
        )
    repo, _, revision = cfg.hf_hub_id.partition("@")
    files = [cfg.hf_hub_filename] if cfg.hf_hub_filename else ["model.safetensors", "pytorch_model.bin"]
    return repo, revision or None, files


def hub_cached_file(timm_name: str) -> Path | None:
    """The cached hub weights file of ``timm_name``, or ``None`` when it was never downloaded (no network)."""
    from huggingface_hub import try_to_load_from_cache

    try:
        repo, revision, files = _hub_location(timm_name)
    except WeightsError:
        return None
    for filename in files:
        found = try_to_load_from_cache(repo, filename, cache_dir=weights_cache_dir(), revision=revision)
        if isinstance(found, str) and Path(found).is_file():
            return Path(found)
    return None


def download_pretrained(timm_name: str, progress: ProgressFn = no_progress,
                        cancel: CancelToken | None = None) -> Path:
    """Download ``timm_name``'s pretrained weights from the timm model hub into the cache; returns the file.

    ``progress("download", bytes_done, bytes_total)`` is called as data arrives and ``cancel`` is checked
    with it (``Cancelled`` is raised; a later download resumes the partial file). Already cached: no network.
    """
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError

    cached = hub_cached_file(timm_name)
    if cached is not None:
        return cached
    repo, revision, files = _hub_location(timm_name)
    cache = weights_cache_dir()
    if not _hub_reachable():
        raise WeightsError(
            f"pretrained weights for '{timm_name}' are not in the cache ({cache}) and the model hub cannot "
            f"be reached (no internet?).\nConnect this PC once to download them, or import a weights file "
            f"downloaded elsewhere: 'inspector weights import FILE --backbone NAME' (.safetensors or .pth)."
        )
    bar = _progress_bar_class(progress, cancel)
    checkpoint(cancel)
    for filename in files:
        try:
            path = hf_hub_download(repo, filename, revision=revision, cache_dir=cache, tqdm_class=bar)
        except EntryNotFoundError:
            continue
        except Cancelled:
            raise
        except Exception as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise WeightsError(
                f"could not download the pretrained weights for '{timm_name}' from the timm model hub "
                f"({reason}).\nThis PC may be offline. Either connect it once (the weights are then cached "
                f"in {cache}), or import a weights file downloaded elsewhere: "
                f"'inspector weights import FILE --backbone NAME' (.safetensors or .pth)."
            ) from None
        checkpoint(cancel)
        return Path(path)
    raise WeightsError(f"the hub repository {repo} has none of {', '.join(files)}")


def _progress_bar_class(progress: ProgressFn, cancel: CancelToken | None):
    """A silent tqdm that forwards byte counts to ``progress`` and stops the transfer when cancelled."""
    import io

    from tqdm.auto import tqdm

    class _Bar(tqdm):
        def __init__(self, *args, **kwargs):
            kwargs.pop("name", None)
            kwargs.update(disable=False, file=io.StringIO(), mininterval=0.0)
            super().__init__(*args, **kwargs)

        def update(self, n=1):
            out = super().update(n)
            progress("download", int(self.n), int(self.total or 0))
            checkpoint(cancel)
            return out

    return _Bar


# ---------------------------------------------------------------------------------------- imported files
INDEX_VERSION = 1


@dataclass(frozen=True)
class ImportedWeights:
    """A weights file imported from disk for one backbone (kept in the cache, listed in ``index.json``)."""

    name: str
    backbone: str  # reference name, or the timm name for other models
    timm_name: str
    file: str  # file name inside ``imported_dir()``
    sha256: str  # of the file's bytes
    size: int  # bytes
    original: str = ""  # where it was imported from
    imported_at: str = ""

    @property
    def path(self) -> Path:
        return imported_dir() / self.file


@dataclass(frozen=True)
class CachedWeights:
    """One entry of ``list_cached``: an imported file or a model's hub download."""

    name: str
    kind: str  # "imported" or "hub"
    backbones: tuple[str, ...]
    size: int
    path: Path
    sha256: str = ""


@dataclass(frozen=True)
class CheckReport:
    """A weights file checked against a backbone. ``unused_missing``: modules the file lacks that only layers
    deeper than the checked ones need (e.g. ``layer4``, ``fc`` of a file cut after ``layer3``)."""

    layers: tuple[str, ...]
    unused_missing: tuple[str, ...]


@dataclass(frozen=True)
class ImportReport:
    entry: ImportedWeights
    check: CheckReport
    replaced: ImportedWeights | None


def imported_dir() -> Path:
    path = weights_cache_dir() / "imported"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _index_path() -> Path:
    return imported_dir() / "index.json"


def read_index() -> list[ImportedWeights]:
    """The imported files, as recorded in the index (empty when nothing was imported)."""
    path = _index_path()
    if not path.is_file():
        return []
    data = read_versioned(path, INDEX_VERSION, what="imported-weights index", damaged=WeightsError, too_new=WeightsError)
    try:
        return [ImportedWeights(**entry) for entry in data.get("entries", [])]
    except (ValueError, TypeError, AttributeError) as exc:
        raise WeightsError(f"the imported-weights index {path} is damaged ({exc}); remove it and import again") from None


def _write_index(entries: list[ImportedWeights]) -> None:
    from dataclasses import asdict

    write_json(_index_path(), {"version": INDEX_VERSION, "entries": [asdict(e) for e in entries]})


def imported_for(backbone: str) -> ImportedWeights | None:
    """The imported file for ``backbone`` (reference or timm name), or ``None``; a file deleted from the cache
    by hand does not count."""

    spec = resolve_backbone(backbone)
    for entry in read_index():
        if entry.timm_name == spec.timm_name and entry.path.is_file():
            return entry
    return None


def file_sha256(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def check_weights_file(path: str | os.PathLike, backbone: str,
                       layers: Sequence[str] | None = None) -> tuple[dict[str, torch.Tensor], CheckReport]:
    """Read ``path`` and check it strictly against ``backbone`` for ``layers`` (default: the backbone's).

    Shapes come from the model built on the ``meta`` device (free, even for a 900M-parameter BiT). Every key
    the chosen layers need must be present with its shape; every key must name something in the model.
    Raises ``WeightsError`` naming the missing/unexpected/misshaped keys. Returns (state in timm's layout,
    report).
    """

    spec = resolve_backbone(backbone)
    chosen = tuple(layers or spec.layers)
    state = adapt_state_dict(spec.timm_name, read_state_dict(path))
    meta = meta_model(spec.timm_name)
    full = {k: v.shape for k, v in meta.state_dict().items()}  # before pruning: every key the model has
    extractor = FeatureExtractor(meta, chosen)
    pruned = extractor.prune(extractor.executed_modules(spec.input_size))
    needed = {k: v.shape for k, v in meta.state_dict().items()}
    missing, _, misshaped = diff_state(needed, state, pruned)
    _, unexpected, misshaped_full = diff_state(full, state)
    misshaped = sorted(set(misshaped) | set(misshaped_full))
    if missing or unexpected or misshaped:
        raise WeightsError(
            f"{Path(path).name} does not fit backbone '{spec.name}' ({spec.timm_name}) for layers "
            f"{', '.join(chosen)}: " + _describe_diff(missing, unexpected, misshaped)
        )
    absent, _, _ = diff_state(full, state)
    unused = sorted({".".join(k.split(".")[:1]) for k in absent})
    return state, CheckReport(chosen, tuple(unused))


def _safe_name(name: str) -> str:
    import re

    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")
    if not cleaned:
        raise WeightsError(f"'{name}' cannot be used as a weights name")
    return cleaned


def import_weights(path: str | os.PathLike, backbone: str, name: str | None = None,
                   layers: Sequence[str] | None = None) -> ImportReport:
    """Copy a weights file into the cache for ``backbone``, after a strict check (see ``check_weights_file``).

    From then on ``pretrained`` for that backbone means this file, so an offline PC trains without the hub.
    One imported file per backbone: importing another replaces it (reported in ``replaced``).
    """
    import datetime
    import shutil


    src = Path(path).expanduser().resolve()
    spec = resolve_backbone(backbone)
    _, check = check_weights_file(src, spec.name, layers)
    name = _safe_name(name or src.stem)
    entries = read_index()
    clash = [e for e in entries if e.name == name and e.timm_name != spec.timm_name]
    if clash:
        raise WeightsError(f"the name '{name}' is already used by the weights of '{clash[0].backbone}'; "
                           f"choose another with --name")
    replaced = next((e for e in entries if e.timm_name == spec.timm_name), None)
    suffix = "".join(src.suffixes[-1:]) or ".pth"
    target = imported_dir() / f"{name}{suffix}"
    with atomic_path(target) as tmp:
        shutil.copyfile(src, tmp)
    entry = ImportedWeights(
        name=name, backbone=spec.name, timm_name=spec.timm_name, file=target.name, sha256=file_sha256(target),
        size=target.stat().st_size, original=str(src),
        imported_at=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    )
    kept = [e for e in entries if e.timm_name != spec.timm_name and e.name != name]
    _write_index(kept + [entry])
    if replaced is not None and replaced.file != entry.file and replaced.path.is_file():
        replaced.path.unlink()
    return ImportReport(entry, check, replaced)


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def list_cached() -> list[CachedWeights]:
    """Everything in the weights cache: imported files, then hub downloads (one per timm model), with sizes."""

    out = [
        CachedWeights(e.name, "imported", (e.backbone,), e.size, e.path, e.sha256)
        for e in read_index() if e.path.is_file()
    ]
    for folder in sorted(weights_cache_dir().glob("models--*")):
        if not folder.is_dir():
            continue
        repo_name = folder.name.split("--")[-1]  # e.g. resnet18.a1_in1k
        arch = repo_name.split(".")[0]
        users = tuple(s.name for s in REFERENCE if s.timm_name and s.timm_name.split(".")[0] == arch) or (arch,)
        out.append(CachedWeights(repo_name, "hub", users, _dir_size(folder / "blobs") if (folder / "blobs").is_dir()
                                 else _dir_size(folder), folder))
    return out


def remove_cached(name: str) -> CachedWeights:
    """Remove one entry of ``list_cached`` by name (an imported file's name or a hub model such as
    ``resnet18.a1_in1k``); returns what was removed. Raises ``WeightsError`` when nothing has that name."""
    import shutil

    for item in list_cached():
        if item.name != name:
            continue
        if item.kind == "imported":
            _write_index([e for e in read_index() if e.name != name])
            item.path.unlink(missing_ok=True)
        else:
            shutil.rmtree(item.path)
        return item
    names = ", ".join(i.name for i in list_cached()) or "the cache is empty"
    raise WeightsError(f"no cached weights named '{name}' ({names})")


@dataclass(frozen=True)
class WeightsStatus:
    """What ``pretrained`` means for a backbone on this PC right now.

    ``state``: ``imported`` (a file imported for it), ``cached`` (hub download present), ``download`` (on the hub,
    not downloaded yet) or ``none`` (timm publishes no weights: import a file)."""

    state: str
    text: str
    path: Path | None = None


def weights_status(backbone: str) -> WeightsStatus:

    spec = resolve_backbone(backbone)
    entry = imported_for(spec.name)
    if entry is not None:
        return WeightsStatus("imported", f"imported file {entry.file} ({format_bytes(entry.size)}, "
                                         f"sha256 {entry.sha256[:12]})", entry.path)
    path = hub_cached_file(spec.timm_name)
    if path is not None:
        return WeightsStatus("cached", f"cached from the timm hub ({format_bytes(path.stat().st_size)})", path)
    try:
        repo, _, _ = _hub_location(spec.timm_name)
    except WeightsError:
        return WeightsStatus("none", "no pretrained weights on the timm hub: import a weights file")
    return WeightsStatus("download", f"needs download from the timm hub ({repo})")


def resolve_source(source: WeightsSource, backbone: str) -> WeightsSource:
    """``pretrained`` becomes the file imported for ``backbone`` when there is one; a file path that does not
    exist but is the name of an imported file (``--weights mobilenet_v2_imagenet``) becomes that file."""
    if source.kind == "file" and source.path and not Path(source.path).exists():
        name = Path(source.path).name
        entry = next((e for e in read_index() if name in (e.name, e.file) and e.path.is_file()), None)
        return WeightsSource("file", str(entry.path)) if entry is not None else source
    if source.kind != "pretrained":
        return source
    entry = imported_for(backbone)
    return WeightsSource("file", str(entry.path)) if entry is not None else source


def mismatch_message(trained: dict, current_label: str, current_hash: str | None) -> str:
    """The message for a model whose backbone weights differ from the ones at hand.

    ``trained``: the ``weights`` section of model.json (``source``, ``sha256``, and ``name`` when recorded,
    e.g. ``extractor.weights_label``); ``current_label``/``current_hash``: the weights just loaded.
    """
    expected = trained.get("sha256") or ""
    was = trained.get("name") or trained.get("source") or "unknown weights"
    now_hash = (current_hash or "")[:12]
    return (
        f"the backbone weights at hand differ from those this model was trained with, so its scores would be "
        f"meaningless.\n"
        f"  trained with: {was} (sha256 {expected[:12]})\n"
        f"  at hand:      {current_label} (sha256 {now_hash})\n"
        f"Give it the original weights (--weights FILE, or 'inspector weights import FILE --backbone NAME' "
        f"so that 'pretrained' means that file), or train the model again with the weights at hand."
    )
