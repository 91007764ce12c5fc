"""`naswot report`: real run folders and stores as one self-contained page that answers first, checked in a real browser."""

from __future__ import annotations

import base64
import csv
import html
import json
import os
import re
import shlex
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest
from cli_runner import naswot
from PIL import Image

from naswot.errors import NaswotError
from naswot.report.html import format_value, si
from naswot.report.page import write_report
from naswot.results import list_results
from naswot.scores.size import multiply_accumulates

_PROBE = """<script>addEventListener("load", () => {
  const b = document.body, pick = document.querySelector("section.pick"), arch = pick && pick.querySelector(".arch");
  b.dataset.images = [...document.images].map(i => i.complete ? i.naturalWidth : 0).join(",");
  b.dataset.tops = [...document.images].map(i => Math.round(i.getBoundingClientRect().top)).join(",");
  b.dataset.tables = document.querySelectorAll("table").length;
  b.dataset.height = document.documentElement.scrollHeight;
  b.dataset.first = b.firstElementChild.tagName + "." + b.firstElementChild.className;
  if (pick) {
    const box = pick.getBoundingClientRect();
    b.dataset.pick = [Math.round(box.top), Math.round(box.bottom)].join(",");
    b.dataset.arch = arch.textContent;
    b.dataset.archFits = String(arch.scrollWidth <= arch.clientWidth);
  }
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


@pytest.fixture(scope="module")
def search_folder(tmp_path_factory, cifar10_root, nb201_csv) -> Path:
    """What the demo writes, smaller: a random search of the full NAS-Bench-201 space (JSON, CSV, store)."""
    folder = tmp_path_factory.mktemp("search")
    result = naswot("search", "--space", "nasbench201", "--score", "naswot", "--n", "24", "--seed", "1", "--data", "cifar10",
                    "--data-root", str(cifar10_root), "--batch-size", "16", "--benchmark", str(nb201_csv), "--top", "5",
                    "--store", "naswot.db", "--json", "search.json", "--csv", "search.csv", "--workers", "1", "--quiet",
                    cwd=folder)
    assert result.returncode == 0, result.stderr
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


def _table_params(nb201_params_csv: Path) -> dict[str, float]:
    with open(nb201_params_csv, newline="") as handle:
        return {row["ArchitectureString"]: float(row["ParamsMillions"]) * 1e6 for row in csv.DictReader(handle)}


# ---------------------------------------------------------------- the search JSON carries its pick


def test_search_json_pick_counts_the_network_its_build_line_builds(search_folder, nb201_params_csv, cifar_batch):
    document = json.loads((search_folder / "search.json").read_text())
    pick, params = document["pick"], _table_params(nb201_params_csv)
    assert pick["arch"] == document["best_arch"] == document["top"][0]["arch"] and pick["rank"] == 1
    assert pick["evaluated"] == 24 and document["batch_size"] == 16 and document["device"] == "cpu"
    for row in document["top"]:  # NAS-Bench-201's published parameter counts of the CIFAR-10 networks
        assert row["params"] == pytest.approx(params[row["arch"]], abs=0.5)
    known = [item["accuracy"] for item in document["run"]["history"]]
    assert pick["accuracy"] == document["accuracy"] and pick["accuracy_rank"] == 1 + sum(a > pick["accuracy"] for a in known)
    namespace: dict = {}
    exec(pick["build"], namespace)  # the one line of Python the page shows
    net = namespace["net"]
    assert sum(p.numel() for p in net.parameters()) == pick["params"]
    assert multiply_accumulates(net, cifar_batch.images) == pick["flops"] > pick["params"]
    assert shlex.split(pick["export"]) == ["naswot", "export", pick["arch"], "--space", "nasbench201", "--out", "model.py"]
    assert document["wall_seconds"] > 0 and document["compute_seconds"] == document["run"]["seconds"] > 0


# ---------------------------------------------------------------- the page answers first


def test_search_page_opens_with_the_pick_then_settings_and_one_joined_top_table(search_folder, tmp_path):
    report = write_report(search_folder, tmp_path / "report.html")
    page = report.path.read_text()
    document = json.loads((search_folder / "search.json").read_text())
    pick = document["pick"]
    body = page[page.index("<body>") + len("<body>"):].lstrip()
    assert body.startswith('<section class="pick">\n<h1') and ">The pick</h1>" in body[:200]
    card = body[:body.index("</section>")]
    assert f'<p class="arch" id="s0-search-arch">{html.escape(pick["arch"])}</p>' in card
    for shown in (format_value(pick["score"]), f"{si(pick['params'])} ({pick['params']:,.0f})", f"{pick['accuracy']:.2f}%",
                  html.escape(pick["build"]), html.escape(pick["export"]), f"{pick['accuracy_rank']} of 24"):
        assert shown in card, shown
    assert report.lead == "the pick of search.json"
    for name, value in [("wall seconds", f"{document['wall_seconds']:.1f}"),
                        ("compute seconds", f"{document['compute_seconds']:.1f}"), ("batch size", "16"), ("device", "cpu"),
                        ("seed", "1"), ("data", html.escape(document["data"]))]:
        assert f"<dt>{name}</dt><dd>{value}</dd>" in page, name
    top = page[page.index("Top 5 of 24 evaluated"):]
    top = top[:top.index("</table>")]
    assert "<th>params</th><th>flops</th>" in top and top.count("<tr") == 6 and '<tr class="chosen"><td class="num">1</td>' in top
    for row in document["top"]:
        assert f'<td class="num">{si(row["params"])}</td><td class="num">{si(row["flops"])}</td>' in top
    # on view: the pick's card (text, build line, export command) and its top-table row; every other listing of the
    # evaluated (all of them, the CSV, the store) is collapsed
    visible = re.sub(r"<details>.*?</details>", "", page, flags=re.DOTALL).replace("+<wbr>", "+")
    assert page.count("<details>") == 4 and visible.count(html.escape(pick["arch"])) == 4
    assert "score score" not in page and "best accuracy" not in page
    # trajectory and score against accuracy (side by side: the browser test checks), the store's histogram (collapsed)
    assert report.images == 3 and [w for w, _ in _png_sizes(page)] == [700, 400, 370]


def test_an_older_search_json_without_the_pick_still_leads_with_it(search_folder, tmp_path):
    folder = tmp_path / "old"
    shutil.copytree(search_folder, folder)
    document = json.loads((folder / "search.json").read_text())
    document["seconds"] = document.pop("wall_seconds")
    for key in ("pick", "batch_size", "device", "compute_seconds"):
        del document[key]
    for row in document["top"]:
        del row["params"], row["flops"]
    (folder / "search.json").write_text(json.dumps(document))
    page = write_report(folder, tmp_path / "old.html").path.read_text()
    assert page[page.index("<body>"):].startswith('<body>\n<section class="pick">\n<h1')
    assert f'<p class="arch" id="s0-search-arch">{html.escape(document["best_arch"])}</p>' in page
    assert f"<dt>wall seconds</dt><dd>{document['seconds']:.1f}</dd>" in page
    assert f"<dt>compute seconds</dt><dd>{document['run']['seconds']:.1f}</dd>" in page
    assert "<dt>batch size</dt><dd>16</dd>" in page and "<dt>device</dt><dd>cpu</dd>" in page  # fingerprint and store
    assert "<dt>parameters</dt><dd>not recorded</dd>" in page


def test_pareto_budget_and_training_results_are_drawn_and_listed(search_folder, tmp_path):
    folder = tmp_path / "more"
    shutil.copytree(search_folder, folder)
    document = json.loads((folder / "search.json").read_text())
    front = [{"arch": row["arch"], "score": row["score"], "cost": row["params"], "accuracy": row["accuracy"]}
             for row in sorted(document["top"], key=lambda row: -row["params"])[:3]]
    document |= {"pareto": {"cost": "params", "unit": "", "points": front},
                 "budget": {"max_params": 1.5, "max_flops": None, "max_latency": 20}, "rejected": 17}
    (folder / "search.json").write_text(json.dumps(document))
    history = [{"epoch": epoch, "train_loss": 2.0 / epoch, "train_accuracy": 40.0 + 9 * epoch, "seconds": 30.0}
               for epoch in (1, 2, 3)]
    (folder / "train.json").write_text(json.dumps({
        "command": "train", "space": "nasbench201", "arch": document["pick"]["arch"], "data": "cifar10", "device": "cpu",
        "epochs": 3, "history": history, "test_accuracy": 71.25, "held_out": "cifar10 test, 10,000 images",
        "checkpoint": "model.pt"}))
    report = write_report(folder, tmp_path / "more.html")
    page = report.path.read_text()
    assert "Trade-off: naswot against params" in page and "the 3 non-dominated architectures" in page
    pareto = page[page.index("Trade-off"):]
    cells = re.findall(r'<td class="num">([\d.]+ [kM])</td><td class="num">[\d.—]+</td></tr>', pareto[:pareto.index("</table>")])
    assert cells == [si(point["cost"]) for point in sorted(front, key=lambda point: point["cost"])]  # cheapest first
    assert "<dt>cost budget</dt><dd>params ≤ 1.5 M, latency ≤ 20 ms</dd>" in page
    assert "<dt>rejected (over the budget)</dt><dd>17</dd>" in page
    assert "<dt>trained (train.json)</dt><dd>71.25% test accuracy after 3 epochs</dd>" in page  # on the pick's card
    training = page[page.index(">Trained: train.json<"):]
    assert "<dt>test accuracy</dt><dd>71.25%</dd>" in training and "<dt>training seconds</dt><dd>90.0</dd>" in training
    assert report.images == 5 and page.index("The pick") < page.index("Trade-off") < page.index("Trained: train.json")


# ---------------------------------------------------------------- inputs from elsewhere


def test_hostile_values_and_names_are_escaped_and_bad_files_are_one_line(run_folder, tmp_path):
    folder = tmp_path / "hostile"
    folder.mkdir()
    shutil.copy(run_folder / "correlate.png", folder / "a\"b'<img src=x onerror=alert(1)>.png")
    (folder / "bad.png").write_bytes(b"<script>alert('png')</script>")
    (folder / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (folder / "binary.json").write_bytes(b"\xff\xfe\x00\x01")
    (folder / "search.json").write_text(json.dumps({
        "command": "search", "space": "<b>space</b>", "score": "<i>s</i>", "best_arch": "<script>alert(1)</script>",
        "pick": {"arch": "<script>alert('pick')</script>", "score": "x", "params": [1]}, "data": "</dd><script>d</script>",
        "top": [{"arch": "<img src=x onerror=alert(2)>"}, 5], "run": {"history": "no", "trajectory": [1, {"evaluations": "<s>"}]},
        "pareto": {"cost": "<u>c</u>", "points": [{"arch": "<svg onload=alert(3)>", "cost": "a"}, 7]}, "budget": "x"}))
    (folder / "train.json").write_text(json.dumps({"command": "train", "arch": "<script>t</script>",
                                                   "history": [{"epoch": "<e>"}]}))
    (folder / "other.json").write_text(json.dumps({"<script>k</script>": "<script>v</script>", "rows": [{"<a>": "<b>"}] * 3}))
    result = naswot("report", str(folder), "--out", "page.html", cwd=tmp_path)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    page = (tmp_path / "page.html").read_text()
    assert not re.search(r"<(script|svg|img src=x|b>|i>|u>|a>)", page, re.IGNORECASE)
    assert "&lt;script&gt;alert(&#x27;pick&#x27;)&lt;/script&gt;" in page and "&lt;svg onload=alert(3)&gt;" in page
    assert 'alt="a&quot;b&#x27;&lt;img src=x onerror=alert(1)&gt;.png"' in page
    problems = re.findall(r'<p class="problem">([^<]*)</p>', page)
    assert problems == ["bad.png could not be shown: not a PNG image (its signature or header is wrong)",
                        "binary.json could not be shown: &#x27;utf-8&#x27; codec can&#x27;t decode byte 0xff in position 0: "
                        "invalid start byte",
                        "deep.json could not be shown: it is nested too deeply to show"]
    assert len(_png_sizes(page)) == 1  # the one real PNG; no figure drawn from values that are not numbers


# ---------------------------------------------------------------- other results and stores


def test_run_folder_page_holds_every_result_inline(run_folder, tmp_path):
    report = write_report(run_folder, tmp_path / "report.html")
    page = report.path.read_text()
    study = json.loads((run_folder / "correlate.json").read_text())
    # images: correlate's PNG (its CSV beside it is the same rows: no second scatter), the trajectory, one histogram
    # per stored score (naswot, synflow)
    assert report.images == 4 and len(_png_sizes(page)) == 4 and all(w > 100 and h > 100 for w, h in _png_sizes(page))
    assert report.not_shown == ["notes.txt"] and "broken.json could not be shown" in page and report.lead == ""
    assert page.count(html.escape(study["data"])) >= 2  # the runs overview and the correlate section name the batch
    tau = format_value(study["scores"]["naswot"]["kendall_tau"])
    assert re.search(rf"<td>naswot</td><td class=\"num\">{re.escape(tau)}</td>", page)
    assert "correlate.md (markdown source)" in page
    for index, group in enumerate(list_results(run_folder / "scores.db").groups, start=1):  # listing.json: one part each
        assert ">" + html.escape(f"{index}: {group.space} · {group.score} · {group.data} · {group.seed}") + "<" in page
    assert not re.search(r"<script|<link|src=\"(?!data:)|url\(", page, re.IGNORECASE)  # nothing outside the file


def test_store_page_joins_every_score_of_an_architecture_on_one_row(run_folder, tmp_path):
    report = write_report(run_folder / "scores.db", tmp_path / "store.html")
    page = report.path.read_text()
    groups = {group.score: group for group in list_results(run_folder / "scores.db").groups}
    assert report.kind == "store" and report.images == 2 and set(groups) == {"naswot", "synflow"}
    table = page[page.index("best 12 of 24 by naswot"):]
    table = table[:table.index("</table>")].replace("+<wbr>", "+")  # an architecture may wrap between its cells
    assert "<th>rank</th><th>arch</th><th>naswot</th><th>synflow</th>" in table
    naswot_best = groups["naswot"].results[:12]
    synflow = {result.arch: result.value for result in groups["synflow"].results}
    for rank, result in enumerate(naswot_best, start=1):
        assert (f'<td class="num">{rank}</td><td class="mono">{html.escape(result.arch)}</td>'
                f'<td class="num">{format_value(result.value)}</td><td class="num">{format_value(synflow[result.arch])}</td>'
                in table)


def test_a_single_architecture_gets_no_histogram(run_folder, tmp_path, cifar10_root):
    arch = list_results(run_folder / "scores.db").groups[0].results[0].arch
    result = naswot("score", "--space", "nasbench201:C=8,N=1", "--score", "naswot", "--data", "cifar10", "--data-root",
                    str(cifar10_root), "--batch-size", "16", "--store", "one.db", "--workers", "1", "--quiet", arch, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = write_report(tmp_path / "one.db", tmp_path / "one.html")
    assert report.images == 0 and "best 1 of 1 by naswot" in report.path.read_text()


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


# ---------------------------------------------------------------- as a person sees it


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


def _render(browser: str, page: Path, folder: Path, height: int) -> tuple[str, np.ndarray]:
    """The DOM after load (with the probe's measurements) and a screenshot of the first ``height`` pixels."""
    probe = folder / "probe.html"
    probe.write_text(page.read_text().replace("</body>", _PROBE + "</body>"))
    dump = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         f"--user-data-dir={folder / 'profile'}", "--virtual-time-budget=10000", f"--window-size=1280,{height}",
         f"--screenshot={folder / 'shot.png'}", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=180)
    assert dump.returncode == 0, dump.stderr[-2000:]
    return dump.stdout, np.asarray(Image.open(folder / "shot.png").convert("L"), dtype=float)


def test_search_report_in_headless_chromium_shows_the_pick_first_in_full(search_folder, tmp_path, capsys):
    browser = _chromium(capsys)
    result = naswot("report", str(search_folder), "--out", "report.html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"wrote {tmp_path / 'report.html'}" in result.stdout.replace("\n", "") and "opening with the pick" in result.stdout
    page = (tmp_path / "report.html").read_text()
    dom, shot = _render(browser, tmp_path / "report.html", tmp_path, 900)
    measured = dict(re.findall(r' data-([a-z-]+)="([^"]*)"', dom[dom.index("<body"):dom.index(">", dom.index("<body"))]))
    pick = json.loads((search_folder / "search.json").read_text())["pick"]
    assert measured["first"] == "SECTION.pick"
    top, bottom = map(int, measured["pick"].split(","))
    assert top < 40 and bottom < 650  # the whole pick is on the first screen, above everything else
    assert measured["arch"] == pick["arch"] and measured["arch-fits"] == "true"  # in full: not cut, not scrolled
    assert 900 < int(measured["height"]) < 2400  # the demo's old layout took 13,274 px for 100 architectures
    widths = [int(w) for w in measured["images"].split(",")]
    assert len(widths) == page.count("<img ") == 3 and min(widths) > 0
    tops = [int(top) for top in measured["tops"].split(",")]
    assert tops[0] == tops[1] > bottom  # the trajectory and the scatter share a row, below the pick
    assert int(measured["tables"]) == page.count("<table>") >= 4
    assert shot.shape == (900, 1280)
    assert shot.std() > 20 and (shot[:bottom] < 128).mean() > 0.005  # text on the card, not a blank page
