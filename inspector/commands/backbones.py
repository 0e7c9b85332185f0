"""``inspector backbones`` (the reference list, or one backbone's layers) and ``inspector weights`` (the cache).

    inspector backbones [--json]                 every reference name: timm model, family, default layers,
                                                 feature dims, available or why not, weights on this PC
    inspector backbones NAME [--input-size N]    NAME's selectable layers with their [C, H, W] maps and cost
    inspector weights list [--json]              cached weights (imported files, hub downloads) with sizes
    inspector weights import FILE --backbone NAME [--name N] [--layers L ...]
    inspector weights download NAME              from the timm hub, with progress
    inspector weights remove NAME
"""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backbones", help="list the backbones (or one backbone's layers)",
                       description="Without NAME: the reference backbones with their timm model, family, default "
                                   "layers, feature dims and availability. With NAME (a reference or any timm "
                                   "model name): its selectable layers, output maps and cost, computed without "
                                   "weights.")
    p.add_argument("name", nargs="?", default=None, metavar="NAME")
    p.add_argument("--input-size", type=int, default=None, help="input size for NAME's layers (default: its own)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(run=run_backbones)

    w = sub.add_parser("weights", help="manage pretrained weights (list, import, download, remove)",
                       description="Pretrained backbone weights on this PC: downloads from the timm hub and files "
                                   "imported from disk (for offline PCs). An imported file is what 'pretrained' "
                                   "means for its backbone from then on.")
    ws = w.add_subparsers(dest="weights_command", metavar="ACTION", required=True)
    lst = ws.add_parser("list", help="cached weights with sizes")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(run=run_list)
    imp = ws.add_parser("import", help="import a .safetensors/.pth file for a backbone (checked strictly)")
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--backbone", required=True, help="reference or timm name the file is for")
    imp.add_argument("--name", default=None, help="name in the cache (default: the file name)")
    imp.add_argument("--layers", nargs="+", default=None,
                     help="layers the file must cover (default: the backbone's default layers)")
    imp.set_defaults(run=run_import)
    dl = ws.add_parser("download", help="download a backbone's pretrained weights from the timm hub")
    dl.add_argument("name", metavar="NAME", help="reference or timm name")
    dl.add_argument("--quiet", action="store_true", help="no progress bar")
    dl.set_defaults(run=run_download)
    rm = ws.add_parser("remove", help="remove cached weights by the name 'weights list' shows")
    rm.add_argument("name", metavar="NAME")
    rm.set_defaults(run=run_remove)


# ------------------------------------------------------------------------------------------------ backbones
def _dims(shapes) -> str:
    return ", ".join(f"{c}x{h}x{w}" for c, h, w in shapes)


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(lines)


def run_backbones(args: argparse.Namespace) -> int:
    if args.name:
        return _run_layers(args)
    from ..core.backbones.catalogue import reference_backbones
    from ..core.backbones.weights import WeightsError, weights_status

    specs = reference_backbones()
    records = []
    for spec in specs:
        record = spec.to_dict()
        if spec.available:
            try:
                record["weights"] = weights_status(spec.name).state
            except WeightsError:
                record["weights"] = "unknown"
        else:
            record["weights"] = None
        records.append(record)
    if args.json:
        print(json.dumps(records, indent=2))
        return 0
    rows, notes = [], []
    for r in records:
        if r["available"]:
            status = {"imported": "yes, imported file", "cached": "yes, cached", "download": "yes, needs download",
                      "none": "yes, import weights"}.get(r["weights"], "yes")
        else:
            notes.append(f"  [{len(notes) + 1}] {r['name']}: {r['unavailable_reason']}")
            status = f"no [{len(notes)}]"
        rows.append([r["name"], r["timm_name"] or "-", r["family"], ", ".join(r["layers"]) or "-",
                     _dims(r["shapes"]) or "-", r["input_size"], status])
    print(_table(rows, ["name", "timm model", "family", "default layers", "feature maps (CxHxW)", "input",
                        "available, weights"]))
    if notes:
        print("\nNot available:\n" + "\n".join(notes))
    print("\nAny other timm model name works too, e.g. --backbone convnext_tiny --layers stages.1 stages.2;"
          "\n'inspector backbones NAME' lists a backbone's layers.")
    return 0


def _run_layers(args: argparse.Namespace) -> int:
    from ..core.backbones.catalogue import layer_table, resolve_backbone

    spec = resolve_backbone(args.name)
    size = args.input_size or spec.input_size
    table = layer_table(spec, size)
    if args.json:
        out = spec.to_dict() | {"input_size": size, "layer_table": [info.to_dict() for info in table]}
        print(json.dumps(out, indent=2))
        return 0
    print(f"{spec.name} ({spec.timm_name}, {spec.family}) at {size}x{size}; default layers: "
          f"{', '.join(spec.layers) or '-'}")
    rows = [[("* " if info.name in spec.layers else "  ") + info.name, "x".join(map(str, info.shape)),
             "x".join(map(str, info.raw_shape)), f"{info.gmacs:.2f}", f"{info.mparams:.1f}"] for info in table]
    print(_table(rows, ["layer", "map CxHxW", "module output", "GMACs so far", "Mparams so far"]))
    return 0


# -------------------------------------------------------------------------------------------------- weights
def run_list(args: argparse.Namespace) -> int:
    from ..core.backbones.weights import list_cached, weights_cache_dir
    from ..core.runtime.memory import format_bytes

    items = list_cached()
    if args.json:
        print(json.dumps([{"name": i.name, "kind": i.kind, "backbones": list(i.backbones), "size": i.size,
                           "path": str(i.path), "sha256": i.sha256 or None} for i in items], indent=2))
        return 0
    if not items:
        print(f"no weights cached in {weights_cache_dir()}")
        return 0
    rows = [[i.name, i.kind, ", ".join(i.backbones), format_bytes(i.size), i.sha256[:12] or "-"] for i in items]
    print(_table(rows, ["name", "kind", "backbone", "size", "sha256"]))
    print(f"\n{len(items)} item(s), {format_bytes(sum(i.size for i in items))} in {weights_cache_dir()}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from ..core.backbones.weights import import_weights
    from ..core.runtime.memory import format_bytes

    report = import_weights(args.file, args.backbone, name=args.name, layers=args.layers)
    e = report.entry
    print(f"imported {e.name} for {e.backbone} ({e.timm_name}): {format_bytes(e.size)}, sha256 {e.sha256}")
    print(f"checked strictly for layers {', '.join(report.check.layers)}")
    if report.check.unused_missing:
        print(f"note: the file has no weights for {', '.join(report.check.unused_missing)}; layers that need "
              f"them cannot be used with it")
    if report.replaced is not None:
        print(f"replaced the previously imported {report.replaced.name} (sha256 {report.replaced.sha256[:12]}); "
              f"models trained with it will refuse to load until it is imported again")
    print(f"'pretrained' for {e.backbone} now means this file")
    return 0


def run_download(args: argparse.Namespace) -> int:
    from ..core.backbones.catalogue import resolve_backbone
    from ..core.backbones.weights import download_pretrained
    from ..core.runtime.memory import format_bytes

    spec = resolve_backbone(args.name)
    bars: list = []

    def progress(stage: str, done: int, total: int) -> None:
        if args.quiet:
            return
        if not bars:  # created on the first bytes, so a failure before any transfer prints no empty bar
            from tqdm import tqdm

            bars.append(tqdm(total=total, unit="B", unit_scale=True, desc=spec.timm_name, file=sys.stderr,
                             dynamic_ncols=True))
        bars[0].total = total
        bars[0].n = done
        bars[0].refresh()

    try:
        path = download_pretrained(spec.timm_name, progress)
    finally:
        for bar in bars:
            bar.close()
    print(f"{spec.name} ({spec.timm_name}): {format_bytes(path.stat().st_size)} cached at {path}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    from ..core.backbones.weights import remove_cached
    from ..core.runtime.memory import format_bytes

    item = remove_cached(args.name)
    print(f"removed {item.name} ({item.kind}, {format_bytes(item.size)})")
    return 0
