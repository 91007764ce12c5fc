"""`naswot report`: a real run folder and store as one self-contained page, checked in a real headless browser."""

from __future__ import annotations

import base64
import csv
import html
import json
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest
from cli_runner import naswot
from PIL import Image

from naswot.errors import NaswotError
from naswot.report.html import format_value
from naswot.report.page import write_report
from naswot.results import list_results

_IMAGE_STATES = """<script>addEventListener("load", () => {
  document.body.dataset.images = [...document.images].map(i => i.complete ? i.naturalWidth : 0).join(",");
  document.body.dataset.tables = document.querySelectorAll("table").length;
});</script>"""


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory, cifar10_root, nb201_csv) -> Path:
    """What `naswot correlate --json` writes (JSON, PNG, CSV, store), a search trajectory, the store's listing
    (`naswot results --json`) and three odd files."""
    folder = tmp_path_factory.mktemp("run")
    result = naswot("correlate", "--space", "nasbench201:C=8,N=1", "--score", "naswot,synflow", "--n", "24", "--seed", "0",
                    "--data", "cifar10", "--data-root", str(cifar10_root), "--batch-size", "16", "--benchmark", str(nb201_csv),
                    "--store", "scores.db", "--json", "correlate.json", "--csv", "correlate.csv", "--workers", "1", "--quiet",
                    cwd=folder)
    assert result.returncode == 0, result.stderr
    (folder / "trajectory.json").write_text(json.dumps(_trajectory(folder)))
    (folder / "listing.json").write_text(json.dumps(list_results(folder / "scores.db", top=3).to_json()))
    (folder / "broken.json").write_text('{"space": "nasbench201", ')
    (folder / "correlate.md").write_text("| score | tau |\n|---|---|\n| naswot | see JSON |\n")
    (folder / "notes.txt").write_text("not a result")
    return folder


def _trajectory(folder: Path) -> dict:
    """Random sampling over the correlate sample in its drawn order: best naswot score so far and its accuracy."""
    with open(folder / "correlate.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    seconds = {r.arch: r.seconds for r in list_results(folder / "scores.db", score="naswot").groups[0].results}
    points, best, spent = [], None, 0.0
    for evaluations, row in enumerate(rows, start=1):
        spent += seconds[row["arch"]]
        if best is None or float(row["naswot"]) > float(best["naswot"]):
            best = row
        points.append({"evaluations": evaluations, "seconds": spent, "best_score": float(best["naswot"]),
                       "best_accuracy": float(best["accuracy"])})
    return {"command": "search", "strategy": "random", "score": "naswot", "trajectory": points}


def _png_sizes(page: str) -> list[tuple[int, int]]:
    """Width and height from each inline PNG's header: every image must be a real, non-empty PNG."""
    sizes = []
    for data in re.findall(r'<img src="data:image/png;base64,([^"]+)"', page):
        raw = base64.b64decode(data)
        assert raw[:8] == b"\x89PNG\r\n\x1a\n" and raw[12:16] == b"IHDR"
        sizes.append(struct.unpack(">II", raw[16:24]))
    return sizes


def test_run_folder_page_holds_every_result_inline(run_folder, tmp_path):
    report = write_report(run_folder, tmp_path / "report.html")
    page = report.path.read_text()
    study = json.loads((run_folder / "correlate.json").read_text())
    # images: correlate's PNG, the CSV's scatter, the trajectory, one histogram per stored group (naswot, synflow)
    assert report.images == 5 and len(_png_sizes(page)) == 5 and all(w > 100 and h > 100 for w, h in _png_sizes(page))
    assert report.not_shown == ["notes.txt"] and "broken.json could not be shown" in page
    assert page.count(html.escape(study["data"])) >= 2  # the runs overview and the correlate section name the batch
    tau = format_value(study["scores"]["naswot"]["kendall_tau"])
    assert re.search(rf"<td>naswot</td><td class=\"num\">{re.escape(tau)}</td>", page)
    assert "search trajectories: trajectory" in page and "correlate.md (markdown source)" in page
    for index, group in enumerate(list_results(run_folder / "scores.db").groups, start=1):  # listing.json: one part each
        assert ">" + html.escape(f"{index}: {group.space} · {group.score} · {group.data} · {group.seed}") + "<" in page
    assert not re.search(r"<script|<link|src=\"(?!data:)|url\(", page, re.IGNORECASE)  # nothing outside the file


def test_store_page_lists_each_run_key_with_its_histogram(run_folder, tmp_path):
    report = write_report(run_folder / "scores.db", tmp_path / "store.html")
    page = report.path.read_text()
    groups = list_results(run_folder / "scores.db").groups
    assert report.kind == "store" and report.sections == len(groups) == 2 and report.images == 2
    for group in groups:
        assert html.escape(group.title) in page and f"{group.score} scores of {group.count} architectures" in page
        assert f"<td class=\"mono\">{html.escape(group.results[0].arch)}</td>" in page


def test_bad_inputs_name_the_problem_and_write_nothing(run_folder, tmp_path):
    (tmp_path / "empty").mkdir()
    for source, out, message in [
        (tmp_path / "missing", tmp_path / "a.html", "does not exist: pass a run folder"),
        (run_folder / "notes.txt", tmp_path / "a.html", "is neither a run folder nor a naswot store"),
        (tmp_path / "empty", tmp_path / "a.html", "holds no naswot results"),
        (run_folder, tmp_path / "no" / "a.html", "out=.*: the folder .* does not exist: create it or write elsewhere"),
    ]:
        with pytest.raises(NaswotError, match=message):
            write_report(source, out)
    assert not (tmp_path / "a.html").exists()


def _chromium(capsys) -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        reason = "chromium is not installed (apt-get install chromium): the browser check of the report is skipped"
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing under CI: .ci/run installs it before the tests")
        with capsys.disabled():
            print(f"\n{reason}")
        pytest.skip(reason)
    return path


def test_report_renders_in_headless_chromium(run_folder, tmp_path, capsys):
    browser = _chromium(capsys)
    result = naswot("report", str(run_folder), "--out", "report.html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"wrote {tmp_path / 'report.html'}" in result.stdout.replace("\n", "")
    page = (tmp_path / "report.html").read_text()
    # a test-only copy records each image's decoded width and the table count into the DOM, which --dump-dom shows
    (tmp_path / "probe.html").write_text(page.replace("</body>", _IMAGE_STATES + "</body>"))
    dump = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=10000", "--window-size=1280,1600",
         f"--screenshot={tmp_path / 'shot.png'}", "--dump-dom", (tmp_path / "probe.html").as_uri()],
        capture_output=True, text=True, timeout=180)
    assert dump.returncode == 0, dump.stderr[-2000:]
    dom = dump.stdout
    widths = [int(w) for w in re.search(r'data-images="([^"]*)"', dom).group(1).split(",")]
    assert len(widths) == page.count("<img ") == 5 and min(widths) > 0
    assert int(re.search(r'data-tables="(\d+)"', dom).group(1)) == page.count("<table>") > 5
    study = json.loads((run_folder / "correlate.json").read_text())
    assert f">{format_value(study['scores']['synflow']['kendall_tau'])}</td>" in dom and study["data"] in dom
    shot = np.asarray(Image.open(tmp_path / "shot.png").convert("L"), dtype=float)
    assert shot.shape == (1600, 1280)
    assert shot.std() > 20 and (shot < 128).mean() > 0.005  # text, tables and plots, not a blank page
