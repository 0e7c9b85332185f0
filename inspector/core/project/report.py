"""The batch report: one self-contained, printable HTML file (every image embedded) and the same rows as CSV.

What it shows: the project, the model (kind, backbone, layers, input geometry, training date, number of good
images), the thresholds, counts per verdict and per human decision, the score histogram with both threshold
lines (inline SVG), the failed parts large with their heatmaps, and a table of every part (thumbnail,
heatmap, score, model verdict, human decision). Parts are chosen by the time they were inspected.
"""

from __future__ import annotations

import base64
import csv
import html
import io
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

import cv2
import numpy as np

from ..errors import InvalidInput
from ..io.atomic import atomic_path
from ..io.images import ImageReadError, read_image
from ..io.overlay import map_to_image, overlay
from ..runtime.progress import CancelToken, checkpoint
from .line import overlay_levels, project_status
from .store import Project, ResultRecord

VERDICT_COLOURS = {"pass": "#2e7d32", "uncertain": "#ef6c00", "fail": "#c62828", None: "#757575"}
MAX_LARGE = 60  # failed parts shown large (the table lists them all)


def parse_time(text: str | None) -> datetime | None:
    """``2026-12-01``, ``2026-12-01T08:00`` or with a zone; without a zone it is this computer's local time."""
    if not text:
        return None
    try:
        t = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"'{text}' is not a date or time (write 2026-12-01 or 2026-12-01T08:00)") from None
    if t.tzinfo is None:
        t = t.astimezone()  # local time
    return t.astimezone(timezone.utc)


def select(project: Project, since: datetime | None = None, until: datetime | None = None,
           batch: str | None = None) -> list[ResultRecord]:
    """The inspected parts whose time of inspection is in [since, until) and, with ``batch``, that came in the
    folder of that name (a part's name starts with the folder it was inspected from: ``batch/part.png``)."""
    out = []
    for r in project.results():
        if batch is not None and r.image.name.replace("\\", "/").split("/")[0] != batch:
            continue
        t = datetime.fromisoformat(r.image.added_at)
        if t.tzinfo is None:
            t = t.replace(tzinfo=timezone.utc)
        if (since is None or t >= since) and (until is None or t < until):
            out.append(r)
    return out


def write_csv(rows: Sequence[ResultRecord], target: str | Path) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["image_id", "file", "inspected_at", "score", "model_verdict", "decision", "decided_at", "sha256"])
    for r in rows:
        w.writerow([r.image.id, r.image.name, r.image.added_at, f"{r.score:.6g}", r.verdict or "", r.decision or "",
                    r.decided_at or "", r.image.hash])
    with atomic_path(target) as tmp:
        tmp.write_text(buf.getvalue(), encoding="utf-8")


# ------------------------------------------------------------------------------------- pictures
def _data_uri(rgb: np.ndarray, max_side: int, quality: int = 85) -> str:
    h, w = rgb.shape[:2]
    if max(h, w) > max_side:
        s = max_side / max(h, w)
        rgb = cv2.resize(rgb, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    ok, jpg = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    return "data:image/jpeg;base64," + base64.b64encode(jpg.tobytes()).decode("ascii") if ok else ""


@dataclass
class _Pictures:
    image: str
    heatmap: str


def _pictures(project: Project, r: ResultRecord, max_side: int) -> _Pictures:
    try:
        rgb = read_image(project.path_of(r.image))
    except ImageReadError:
        return _Pictures("", "")
    amap = project.load_map(r)
    heat = ""
    if amap is not None:
        full = map_to_image(amap, rgb.shape[:2], project.preprocessor().map_box(*rgb.shape[:2], amap.shape))
        vmin, vmax = overlay_levels(project.thresholds, amap)
        heat = _data_uri(overlay(rgb, full, vmin, vmax, 0.5), max_side)
    return _Pictures(_data_uri(rgb, max_side), heat)


def histogram_svg(scores: Sequence[float], verdicts: Sequence[str | None], pass_: float | None, fail: float | None,
                  width: int = 720, height: int = 220, bins: int = 40) -> str:
    """Scores as a histogram stacked by verdict colour, with the pass and fail lines, as inline SVG."""
    if not len(scores):
        return "<p>No parts in this period.</p>"
    s = np.asarray(scores, dtype=np.float64)
    lines = [v for v in (pass_, fail) if v is not None]
    lo, hi = float(min(s.min(), *lines)), float(max(s.max(), *lines))
    pad = (hi - lo) * 0.05 or 1.0
    lo, hi = lo - pad, hi + pad
    edges = np.linspace(lo, hi, bins + 1)
    m, top = 30, 10
    plot_w, plot_h = width - 2 * m, height - m - top
    x = lambda v: m + (v - lo) / (hi - lo) * plot_w  # noqa: E731
    stacks = {v: np.histogram(s[[vv == v for vv in verdicts]], edges)[0] for v in VERDICT_COLOURS}
    peak = max(1, int(sum(stacks.values()).max()))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" class="hist">',
             f'<line x1="{m}" y1="{top + plot_h}" x2="{width - m}" y2="{top + plot_h}" stroke="#444"/>']
    base = np.zeros(bins)
    bw = plot_w / bins
    for v, counts in stacks.items():
        for i, c in enumerate(counts):
            if c:
                h = c / peak * plot_h
                y = top + plot_h - (base[i] + c) / peak * plot_h
                parts.append(f'<rect x="{m + i * bw:.1f}" y="{y:.1f}" width="{bw - 1:.1f}" height="{h:.1f}" '
                             f'fill="{VERDICT_COLOURS[v]}"><title>{c} {v or "unclassified"}</title></rect>')
        base += counts
    for value, label, colour, side in ((pass_, "pass", "#2e7d32", -1), (fail, "fail", "#c62828", 1)):
        if value is not None:  # the pass label left of its line, the fail label right of it: never on top
            anchor = "end" if side < 0 else "start"
            parts.append(f'<line x1="{x(value):.1f}" y1="{top}" x2="{x(value):.1f}" y2="{top + plot_h}" '
                         f'stroke="{colour}" stroke-width="2" stroke-dasharray="5,3"/>'
                         f'<text x="{x(value) + 4 * side:.1f}" y="{top + 12}" fill="{colour}" font-size="12" '
                         f'text-anchor="{anchor}">{label} {value:.4g}</text>')
    for v in (lo + pad, hi - pad):
        parts.append(f'<text x="{x(v):.1f}" y="{height - 8}" font-size="11" text-anchor="middle">{v:.4g}</text>')
    parts.append(f'<text x="4" y="{top + 10}" font-size="11">{peak}</text></svg>')
    return "".join(parts)


# ------------------------------------------------------------------------------------------- HTML
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#222}
h1{margin-bottom:0}.sub{color:#666;margin-top:4px}
table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:middle}
.kv td:first-child{color:#666}.counts td{font-size:20px;font-weight:600}
.v{font-weight:700;text-transform:uppercase}.big{display:inline-block;margin:8px;vertical-align:top}
.big img{max-width:460px;border:1px solid #ccc}.parts img{height:72px}
@media print{.big{page-break-inside:avoid}body{margin:8mm}}
"""


def _verdict(v: str | None) -> str:
    return f'<span class="v" style="color:{VERDICT_COLOURS.get(v, "#757575")}">{html.escape(v or "-")}</span>'


def build_html(project: Project, rows: Sequence[ResultRecord], since: datetime | None = None,
               until: datetime | None = None, cancel: CancelToken | None = None) -> str:
    """The report page; ``cancel`` is checked before each part's pictures (decoded and encoded: ~10-50 ms)."""
    e = html.escape
    st = project_status(project)
    model, t = st["model"], project.thresholds
    period = f"{since.isoformat() if since else 'start'} – {until.isoformat() if until else 'now'}"
    counts = {v: sum(r.verdict == v for r in rows) for v in ("pass", "uncertain", "fail")}
    counts["unclassified"] = sum(r.verdict is None for r in rows)
    decided = {d: sum(r.decision == d for r in rows) for d in ("good", "defect")}
    geometry = {k: v for k, v in st["settings"].items() if k in ("resize", "crop", "geometry", "tile", "roi", "region")}
    kv = [
        ("Project", st["name"]), ("Period", period), ("Parts", str(len(rows))),
        ("Model", f"{model.get('kind', '-')} · {model.get('backbone', '-')} · {', '.join(model.get('layers') or [])}"
                  if model["trained"] else "not trained"),
        ("Geometry", ", ".join(f"{k} {v}" for k, v in geometry.items()) or "-"),
        ("Trained", f"{model.get('trained_at') or '-'} on {model.get('n_train') or 0} good image(s) "
                    f"({model.get('n_holdout') or 0} held out) · model id {model.get('id') or '-'}"),
        ("Weights", str(model.get("weights") or "-")),
        ("Thresholds", f"pass < {t.pass_:.6g} ≤ uncertain < {t.fail:.6g} ≤ fail" if t else "not set"),
    ]
    out = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Inspection report · {e(st['name'])}"
           f"</title><style>{CSS}</style></head><body>",
           f"<h1>Inspection report: {e(st['name'])}</h1>",
           f"<p class='sub'>made {datetime.now(timezone.utc).isoformat(timespec='seconds')} by Inspector</p>",
           "<table class='kv'>" + "".join(f"<tr><td>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in kv) + "</table>",
           "<h2>Counts</h2><table class='counts'><tr>"
           + "".join(f"<th>{_verdict(v)}</th>" for v in counts) + "<th>reviewed good</th><th>reviewed defect</th></tr><tr>"
           + "".join(f"<td>{n}</td>" for n in counts.values()) + f"<td>{decided['good']}</td><td>{decided['defect']}</td>"
           "</tr></table>",
           "<h2>Scores</h2>",
           histogram_svg([r.score for r in rows], [r.verdict for r in rows], t.pass_ if t else None, t.fail if t else None)]
    fails = [r for r in rows if r.verdict == "fail"]
    if fails:
        out.append(f"<h2>Failed parts ({len(fails)})</h2>")
        if len(fails) > MAX_LARGE:
            out.append(f"<p>The {MAX_LARGE} highest scores are shown large; the table lists all.</p>")
        for r in sorted(fails, key=lambda r: -r.score)[:MAX_LARGE]:
            checkpoint(cancel)
            pic = _pictures(project, r, 460)
            out.append(f"<div class='big'><div><b>{e(r.image.name)}</b> · score {r.score:.6g} · {_verdict(r.verdict)}"
                       f" · {e(r.image.added_at)}</div><img src='{pic.heatmap or pic.image}' alt='{e(r.image.name)}'>"
                       "</div>")
    out.append("<h2>Every part</h2><table class='parts'><tr><th>#</th><th>image</th><th>heatmap</th><th>file</th>"
               "<th>inspected</th><th>score</th><th>model</th><th>person</th></tr>")
    for r in rows:
        checkpoint(cancel)
        pic = _pictures(project, r, 144)
        heat = f"<img src='{pic.heatmap}' alt='heatmap'>" if pic.heatmap else "-"
        out.append(f"<tr><td>{r.image.id}</td><td><img src='{pic.image}' alt='part'></td><td>{heat}</td>"
                   f"<td>{e(r.image.name)}</td><td>{e(r.image.added_at)}</td><td>{r.score:.6g}</td>"
                   f"<td>{_verdict(r.verdict)}</td><td>{e(r.decision or '-')}</td></tr>")
    out.append("</table></body></html>")
    return "\n".join(out)


def write_report(project: Project, target: str | Path, since: datetime | None = None, until: datetime | None = None,
                 csv_target: str | Path | None = None, batch: str | None = None,
                 cancel: CancelToken | None = None) -> list[ResultRecord]:
    """Write the HTML report (and the CSV, if asked) of the parts inspected in [since, until) (and in the folder
    ``batch``, if given). Returns them. A cancel (``Cancelled``) comes before anything is written."""
    rows = select(project, since, until, batch)
    page = build_html(project, rows, since, until, cancel)
    checkpoint(cancel)
    with atomic_path(target) as tmp:
        tmp.write_text(page, encoding="utf-8")
    if csv_target is not None:
        write_csv(rows, csv_target)
    return rows
