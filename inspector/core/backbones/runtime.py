"""Run the frozen backbone through OpenVINO instead of eager torch on the CPU, checked against torch.

The runtime is chosen per model by ``attach_runtime(extractor, weights_hash, device, choice)``:
``torch`` (eager), ``openvino`` or ``auto`` (the default; ``INSPECTOR_BACKBONE_RUNTIME`` overrides it): OpenVINO
on the CPU when it is installed and converts, torch everywhere else (a CUDA device always keeps torch). On this
kind of 2-core CPU it ran the ResNets 1.4x (quiet machine) to 2-4x (loaded) faster than eager torch, with a
maximum difference of 0.

The extractor (up to its deepest chosen layer) is converted once with a free batch size and free height and
width, and the converted model is kept on disk in OpenVINO's own format (``openvino/KEY/model.xml`` + ``.bin``
under the user cache, written to a temporary folder and renamed; ``manifest.json`` holds the files' SHA-256),
keyed by a hash of the weights, the model class, the layers, the input's free dimensions and the OpenVINO
version: the conversion (2-40 s) happens once per backbone, later loads read the files (milliseconds). An entry
that fails its checksums or cannot be read is converted again. Each input size is compiled with static shapes
on first use (static shapes ran 1.6x faster than a dynamic compile), after a check on a random image of that
size against eager torch: a size whose largest difference exceeds ``tolerance`` of the maps' scale stays on
torch, with a warning that says by how much. Up to ``MAX_SHAPES`` sizes stay compiled (``whole`` with mixed
image sizes, tiles at the border).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import warnings
from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..io.paths import user_cache_dir
from ..runtime.imports import hidden_modules
from ..runtime.progress import ProgressFn, no_progress
from .extractor import FeatureExtractor

log = logging.getLogger(__name__)

RUNTIMES = ("auto", "torch", "openvino")
RUNTIME_ENV = "INSPECTOR_BACKBONE_RUNTIME"
CACHE_FORMAT = 1
MAX_SHAPES = 16


class _Export(nn.Module):
    """The extractor as a function a tracer can follow: no early stop, a tuple of maps, or with ``head`` the
    head's output alone (the backbone and the model's feature step in one graph)."""

    def __init__(self, extractor: FeatureExtractor, head: nn.Module | None = None):
        super().__init__()
        self.extractor = extractor
        self.head = head

    def forward(self, x: torch.Tensor):
        maps = self.extractor.eager(x)
        return (self.head(maps),) if self.head is not None else tuple(maps)


def default_runtime() -> str:
    choice = os.environ.get(RUNTIME_ENV, "").strip().lower() or "auto"
    return choice if choice in RUNTIMES else "auto"


def cache_key(extractor: FeatureExtractor, weights_hash: str, head: nn.Module | None = None) -> str:
    ov = import_openvino()

    parts = {
        "format": CACHE_FORMAT,
        "weights": weights_hash,
        "model": f"{type(extractor.model).__module__}.{type(extractor.model).__qualname__}",
        "layers": list(extractor.layers),
        "input": "[-1,3,-1,-1]",
        "openvino": ov.get_version(),
        "torch": torch.__version__,
    }
    if head is not None:  # absent without one: the backbone-only entries of earlier versions stay valid
        parts["head"] = head.cache_tag
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]


def cache_root() -> Path:
    return user_cache_dir() / "openvino"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def import_openvino():
    """The ``openvino`` module, imported without its usage telemetry.

    Importing OpenVINO imports its model converter, which sends usage events to Google Analytics (at import and
    at each conversion) unless a consent file in the user's home says no, and no file counts as yes; it sends
    them from a pool thread that forks a process. A PC on a production line, often offline, should not do that
    behind its operator's back. ``openvino_telemetry`` is hidden while OpenVINO imports
    (``sys.modules[name] = None``), so the converter takes the no-op stub OpenVINO ships for when that package is
    missing; it is shown again afterwards. Every import of OpenVINO in Inspector goes through here."""
    if "openvino" in sys.modules:
        return sys.modules["openvino"]
    with hidden_modules(("openvino_telemetry", "openvino_telemetry.backend")):
        import openvino
    return openvino


def convert(extractor: FeatureExtractor, example: tuple[int, int] = (224, 224), head: nn.Module | None = None):
    """The extractor (followed by ``head``, if given) as an OpenVINO model with free batch, height and width
    (``ov.Model``), traced on an input of size ``example`` (a ViT or Swin takes only its own)."""
    ov = import_openvino()

    extractor._stop = False
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's deprecation notices: not the user's business
            return ov.convert_model(_Export(extractor, head), example_input=torch.zeros(1, 3, *example),
                                    input=[ov.PartialShape([-1, 3, -1, -1])])
    finally:
        extractor._stop = True


def _read_cached(folder: Path, core):
    """The cached model in ``folder`` if its files match their checksums and read; else None."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
        for name in ("model.xml", "model.bin"):
            if _sha256(folder / name) != manifest[name]:
                raise ValueError(f"{name} does not match its checksum")
        return core.read_model(str(folder / "model.xml"))
    except Exception as exc:  # noqa: BLE001 - any damage means: convert again
        if folder.exists():
            log.warning("converted backbone in %s is damaged (%s); converting it again", folder, exc)
        return None


def _write_cached(folder: Path, model) -> None:
    ov = import_openvino()

    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        ov.save_model(model, str(tmp / "model.xml"), compress_to_fp16=False)
        manifest = {name: _sha256(tmp / name) for name in ("model.xml", "model.bin")}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2))
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a damaged entry
        try:
            os.replace(tmp, folder)
        except OSError:
            pass  # another process wrote the same entry meanwhile: keep theirs
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def load_or_convert(extractor: FeatureExtractor, weights_hash: str, core, cache_dir: Path | None = None,
                    example: tuple[int, int] = (224, 224), head: nn.Module | None = None,
                    progress: ProgressFn = no_progress):
    """(``ov.Model``, True if it was converted now) from the disk cache, converting and storing it if needed.
    A conversion (2-40 s, once per backbone) is reported as the stage ``backbone``, 0 then 1 of 1."""
    folder = (cache_dir or cache_root()) / cache_key(extractor, weights_hash, head)
    model = _read_cached(folder, core)
    if model is not None:
        return model, False
    progress("backbone", 0, 1)
    model = convert(extractor, example, head)
    progress("backbone", 1, 1)
    try:
        _write_cached(folder, model)
    except OSError as exc:  # a read-only or full cache: convert again next time
        log.warning("could not keep the converted backbone in %s: %s", folder, exc)
    return model, True


class OpenVinoRunner:
    """``runner(x [b, 3, h, w]) -> list of [b, C_l, H_l, W_l]``: OpenVINO for CPU inputs, eager torch otherwise.

    With ``head`` (the extractor's, when it has one) the graph is the backbone and the head together:
    ``runner.features(x)`` gives the head's output and the maps alone (``runner(x)``) come from eager torch."""

    name = "openvino"

    def __init__(self, extractor: FeatureExtractor, weights_hash: str, threads: int | None = None,
                 tolerance: float = 1e-4, cache_dir: Path | None = None, example: tuple[int, int] = (224, 224),
                 head: nn.Module | None = None, progress: ProgressFn = no_progress):
        ov = import_openvino()

        self.extractor = extractor
        self.head = head
        self.tolerance = tolerance
        self.core = ov.Core()
        self.model, self.converted = load_or_convert(extractor, weights_hash, self.core, cache_dir, example, head,
                                                     progress)
        self.config = {"INFERENCE_PRECISION_HINT": "f32", "PERFORMANCE_HINT": "LATENCY",
                       "INFERENCE_NUM_THREADS": int(threads or torch.get_num_threads())}
        self.compiled: OrderedDict[tuple[int, int], object] = OrderedDict()  # None: this size stays on torch
        self.differences: dict[tuple[int, int], float] = {}
        self._lock = threading.Lock()
        self._infer_lock = threading.Lock()  # the app's jobs and the line may score with one model from two threads

    def compile(self, size: tuple[int, int]):
        """The compiled model for inputs of ``size`` (h, w), checked against torch on first use; None: torch."""
        ov = import_openvino()

        with self._lock:
            if size in self.compiled:
                self.compiled.move_to_end(size)
                return self.compiled[size]
            try:
                self.model.reshape({self.model.inputs[0]: ov.PartialShape([-1, 3, *size])})
                compiled = self.core.compile_model(self.model, "CPU", self.config)
                reference = None if self.head is None else (lambda x: [self.head(self.extractor.eager(x))])
                diff = check_against_torch(self.extractor, lambda x: _run(compiled, x), size, reference=reference)
            except Exception as exc:  # noqa: BLE001 - an input size OpenVINO cannot take: torch for it
                log.warning("backbone on torch for %dx%d inputs (OpenVINO failed: %s: %s)", *size,
                            type(exc).__name__, str(exc)[:200])
                compiled, diff = None, float("nan")
            else:
                if diff <= self.tolerance:
                    log.info("backbone on OpenVINO for %dx%d inputs (max abs difference to torch: %.2e of the maps' "
                             "scale)", *size, diff)
                else:
                    log.warning("backbone on torch for %dx%d inputs (OpenVINO differs from torch by %.2e of the "
                                "maps' scale > %.0e)", *size, diff, self.tolerance)
                    compiled = None
            self.differences[size] = diff
            self.compiled[size] = compiled
            while len(self.compiled) > MAX_SHAPES:
                self.compiled.popitem(last=False)
            return compiled

    def __call__(self, x: torch.Tensor) -> list[torch.Tensor]:
        if x.device.type != "cpu" or self.head is not None:
            return self.extractor.eager(x)
        compiled = self.compile((int(x.shape[-2]), int(x.shape[-1])))
        if compiled is None:
            return self.extractor.eager(x)
        with self._infer_lock:  # a compiled model's call shares one infer request: one thread at a time
            return _run(compiled, x)

    def features(self, x: torch.Tensor) -> torch.Tensor | None:
        """The head's output for ``x`` from the compiled graph; None where it does not run (the caller then
        applies the head to the maps itself)."""
        if x.device.type != "cpu" or self.head is None:
            return None
        compiled = self.compile((int(x.shape[-2]), int(x.shape[-1])))
        if compiled is None:
            return None
        with self._infer_lock:
            return _run(compiled, x)[0]


def _run(compiled, x: torch.Tensor) -> list[torch.Tensor]:
    result = compiled(np.ascontiguousarray(x.float().numpy()))  # outputs copied out of the request
    return [torch.from_numpy(result[i]) for i in range(len(compiled.outputs))]


def check_against_torch(extractor: FeatureExtractor, runner, size: tuple[int, int], seed: int = 0,
                        batch: int = 1, reference=None) -> float:
    """Largest absolute difference between ``runner`` and eager torch (``reference``, default the extractor's
    maps) on a random batch, relative to the largest absolute value of the torch outputs."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, 3, *size, generator=gen)
    with torch.no_grad():
        ref = (reference or extractor.eager)(x)
    got = runner(x)
    if len(got) != len(ref) or any(a.shape != b.shape for a, b in zip(ref, got)):
        return float("inf")
    diff = max(float((a - b).abs().max()) for a, b in zip(ref, got))
    scale = max(float(a.abs().max()) for a in ref) or 1.0
    return diff / scale


def attach_runtime(extractor: FeatureExtractor, weights_hash: str, device: torch.device | str = "cpu",
                   choice: str | None = None, size: tuple[int, int] | None = None, cache_dir: Path | None = None,
                   tolerance: float = 1e-4, progress: ProgressFn = no_progress) -> str:
    """Choose the backbone's runtime (module doc); returns what happened, in words (also logged).

    With ``size``, that input size is compiled and checked now (else on first use). A conversion (the first use
    of a backbone) is reported to ``progress`` as the stage ``backbone``.
    """
    choice = (choice or default_runtime()).lower()
    if choice not in RUNTIMES:
        raise ValueError(f"unknown backbone runtime {choice!r}; choose one of {', '.join(RUNTIMES)}")
    extractor.runner = None
    if choice == "torch":
        return "backbone on torch (chosen)"
    if torch.device(device).type != "cpu":
        return f"backbone on torch ({torch.device(device).type} device)"
    try:
        runner = OpenVinoRunner(extractor, weights_hash, tolerance=tolerance, cache_dir=cache_dir,
                                example=tuple(size) if size is not None else (224, 224), head=extractor.head,
                                progress=progress)
        if size is not None and runner.compile(tuple(size)) is None:
            diff = runner.differences[tuple(size)]
            message = f"backbone on torch (OpenVINO differs from torch by {diff:.2e} of the maps' scale > {tolerance:.0e})"
            log.warning(message)
            return message
    except Exception as exc:  # noqa: BLE001 - any failure means: stay on torch, and say why
        message = f"backbone on torch (OpenVINO unavailable: {type(exc).__name__}: {str(exc)[:200]})"
        log.warning(message)
        return message
    extractor.runner = runner
    how = "converted and cached" if runner.converted else "from the cache"
    if size is not None:
        return (f"backbone on OpenVINO ({how}; max abs difference to torch: "
                f"{runner.differences[tuple(size)]:.2e} of the maps' scale)")
    return f"backbone on OpenVINO ({how}; each input size checked against torch on first use)"


def use_openvino(extractor: FeatureExtractor, size: tuple[int, int], weights_hash: str = "",
                 tolerance: float = 1e-4) -> str:
    """OpenVINO now, checked at ``size``, whatever the default (the benchmark's ``--runtime openvino``)."""
    from .weights import state_hash

    return attach_runtime(extractor, weights_hash or state_hash(extractor.model), "cpu", "openvino", size,
                          tolerance=tolerance)


def runtime_name(extractor: FeatureExtractor) -> str:
    return getattr(extractor.runner, "name", "torch eager")
