"""``inspector report``: one self-contained HTML file and a CSV of the parts inspected in a period."""

from __future__ import annotations

import csv
import re

import pytest
from line_project import part_images, trained_project

from inspector.cli import main
from inspector.core.project.store import Project


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    folder = trained_project(tmp_path_factory)
    parts = part_images(tmp_path_factory.mktemp("parts"), 10)
    assert main(["project", "inspect", str(folder), *map(str, parts), "--quiet"]) == 0
    with Project.open(folder) as p:
        first = p.results()[0]
        p.review(first.image.id, "good")
    return folder


def test_report_html_is_self_contained_and_complete(project, tmp_path, capsys):
    out = tmp_path / "r" / "report.html"
    assert main(["report", str(project), "--out", str(out)]) == 0
    assert "report of 10 part(s)" in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    assert "Inspection report: project" in page
    assert not re.search(r"""(src|href)=['"](https?:|file:|/)""", page)  # nothing outside the file
    with Project.open(project) as p:
        results = p.results()
        t = p.thresholds
    fails = [r for r in results if r.verdict == "fail"]
    assert len(fails) >= 2
    assert page.count("<tr><td>") >= len(results)  # one table row per part (+ the key/value rows)
    assert f"pass {t.pass_:.4g}" in page and f"fail {t.fail:.4g}" in page  # both lines in the histogram
    assert page.count("stroke-dasharray") == 2
    assert f"Failed parts ({len(fails)})" in page
    assert page.count("data:image/jpeg;base64,") >= 2 * len(results) + len(fails)  # image + heatmap + large
    assert "resnet18" in page and "layer2, layer3" in page and "on 10 good image(s)" in page

    rows = list(csv.DictReader(open(out.with_suffix(".csv"), encoding="utf-8")))
    assert len(rows) == len(results)
    assert sorted(r["file"] for r in rows) == sorted(r.image.name for r in results)
    assert [r["decision"] for r in rows].count("good") == 1
    assert {r["model_verdict"] for r in rows} <= {"pass", "uncertain", "fail"}


def test_report_period(project, tmp_path, capsys):
    out = tmp_path / "empty.html"
    assert main(["report", str(project), "--since", "2999-01-01", "--out", str(out), "--csv",
                 str(tmp_path / "e.csv")]) == 0
    assert "report of 0 part(s)" in capsys.readouterr().out
    assert "No parts in this period" in out.read_text(encoding="utf-8")
    assert main(["report", str(project), "--until", "2999-01-01T00:00+09:00", "--out", str(out)]) == 0
    assert "report of 10 part(s)" in capsys.readouterr().out
    assert main(["report", str(project), "--since", "yesterday", "--out", str(out)]) == 2
    assert "not a date" in capsys.readouterr().err


def test_report_of_one_batch(project, tmp_path, capsys):
    batch = tmp_path / "lot_0042"
    part_images(batch, 3, seed=4242)  # other bytes than the parts already inspected
    assert main(["project", "inspect", str(project), str(batch), "--quiet"]) == 0
    capsys.readouterr()
    out = tmp_path / "lot.html"
    assert main(["report", str(project), "--batch", "lot_0042", "--out", str(out)]) == 0
    assert "report of 3 part(s)" in capsys.readouterr().out
    with open(out.with_suffix(".csv"), encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 3 and all(r["file"].startswith("lot_0042/") for r in rows)
