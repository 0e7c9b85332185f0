"""Project queries at scale: opening a project of N inspected parts and one review key, full lists vs the fast
queries (counts by SQL, id lists, rows loaded by page).

    python benchmarks/bench_project_scale.py [--parts 100000]

The database is filled by SQL (as a long-running line would leave it: scores, a third of the parts reviewed);
image files are not needed for these queries. Prints one JSON object of seconds. A benchmark: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from pathlib import Path

import numpy as np


def fill(folder: Path, n: int) -> None:
    from inspector.core.project.store import Project
    from inspector.core.project.thresholds import Thresholds

    project = Project.create(folder, "scale")
    rng = np.random.default_rng(0)
    with sqlite3.connect(folder / "project.db") as conn:
        images = [(f"{i:064x}", f"part{i}.png", "", f"images/{i:064x}.png", "inspected", 1130, 460, "now")
                  for i in range(n)]
        conn.executemany("INSERT INTO images (hash, name, source, file, role, width, height, added_at) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", images)
        conn.executemany("INSERT INTO results VALUES (?, ?, NULL, NULL, 0, 'now')",
                         [(i + 1, float(s)) for i, s in enumerate(rng.gamma(2.0, 1.0, n))])
        conn.executemany("INSERT INTO reviews (image_id, decision, decided_at) VALUES (?, ?, 'now')",
                         [(i + 1, "good" if i % 2 else "defect") for i in range(0, n, 3)])
    project.set_thresholds(Thresholds(2.0, 4.0))
    project.close()


def timed(fn, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return round(best, 4)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--parts", type=int, default=100_000)
    args = ap.parse_args()
    from inspector.core.project.store import Project

    folder = Path(tempfile.mkdtemp()) / "project"
    t0 = time.perf_counter()
    fill(folder, args.parts)
    out: dict = {"parts": args.parts, "fill_s": round(time.perf_counter() - t0, 1)}
    out["open_s"] = timed(lambda: Project.open(folder).close(), 3)
    p = Project.open(folder)
    target = p.review_queue_ids()[len(p.review_queue_ids()) // 2]
    # what a view that holds every row does: the full lists
    out["full_results_s"] = timed(p.results)
    out["full_review_queue_s"] = timed(p.review_queue)
    # the fast queries
    out["counts_s"] = timed(p.counts, 3)
    out["review_queue_ids_s"] = timed(p.review_queue_ids, 3)
    out["result_ids_s"] = timed(p.result_ids, 3)
    out["scores_s"] = timed(p.scores, 3)
    out["results_for_page_200_s"] = timed(lambda: p.results_for(p.result_ids()[:200]), 3)
    out["result_one_s"] = timed(lambda: p.result(target), 5)
    out["open_with_fast_queries_s"] = timed(lambda: (Project.open(folder, read_only=True).counts(),), 1)

    def key_fast():
        p.review(target, "good")
        p.result(target)
        p.counts()

    def key_full():
        p.review(target, "defect")
        p.results()
        p.review_queue()

    out["review_key_fast_s"] = timed(key_fast, 3)
    out["review_key_full_lists_s"] = timed(key_full, 1)

    def open_fast():
        q = Project.open(folder, read_only=True)
        q.counts()
        ids = q.review_queue_ids()
        q.results_for(ids[:200])
        q.scores()
        q.close()

    out["open_and_first_screen_fast_s"] = timed(open_fast, 3)
    p.close()
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
