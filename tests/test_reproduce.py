"""`naswot reproduce all --quick` through the real command: the seed numbers it quotes are the seeds',
and its own numbers agree with independent recomputations from the shipped data.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from cli_runner import assert_one_line_error, naswot
from conftest import SHARED_DATA, shared
from relu_codes import relu_codes

from naswot.compute import network_seed
from naswot.data import load_batch
from naswot.spaces.nasbench201 import NasBench201Space

ITEMS = ("v1-table1", "v2-table2", "v2-nb101", "v1-figures", "thesis-table5_1")


def seed_text(prefix: str) -> str:
    """The seed document ``<prefix>_*.txt`` beside the shared data (skipped, or failed under CI, when absent)."""
    (found,) = shared("../seeds").glob(f"{prefix}_*.txt")
    return found.read_text()


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    shared("cifar-10-batches-py"), shared("nasbench201_accuracies.csv"), shared("nasbench101_sample_1k.json")
    folder = tmp_path_factory.mktemp("reproduce")
    # About 25 CPU seconds; the generous timeout is for a machine shared by many jobs.
    result = subprocess.run([sys.executable, "-m", "naswot", "reproduce", "all", "--quick", "--out", str(folder / "out"),
                             "--shared", str(SHARED_DATA), "--store", str(folder / "scores.db"), "--workers", "1", "--quiet"],
                            cwd=folder, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stderr
    return folder / "out"


def rows(out: Path, item: str) -> list[dict]:
    return json.loads((out / f"{item}.json").read_text())["rows"]


def row(out: Path, item: str, label: str, column: str) -> dict:
    (found,) = [r for r in rows(out, item) if r["label"] == label and r["column"] == column]
    return found


def test_every_item_writes_markdown_json_and_its_figures(out: Path) -> None:
    for item in ITEMS:
        payload = json.loads((out / f"{item}.json").read_text())
        assert payload["quick"] is True and payload["rows"]
        markdown = (out / f"{item}.md").read_text()
        assert "| row | column | ours | paper (quoted) | seed file | ours − paper |" in markdown
        for figure in payload["figures"]:
            assert (out / figure).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            assert f"({figure})" in markdown
    assert len(json.loads((out / "v1-figures.json").read_text())["figures"]) == 6


def test_quoted_numbers_are_the_seeds(out: Path) -> None:
    # v1 Table 1: "Ours (N=10)  1.7  $88.47 \pm 1.33$  $91.53 \pm 1.62$ ...": the second pair is CIFAR-10 test.
    v1_line = next(line for line in seed_text("004").splitlines() if line.startswith("Ours (N=10)"))
    pairs = re.findall(r"(\d+\.\d+)\s*\\pm\s*(\d+\.\d+)", v1_line)
    quoted = row(out, "v1-table1", "Ours (N=10)", "cifar10 test")["paper"]
    assert quoted["text"] == f"{pairs[1][0]}±{pairs[1][1]}" and quoted["seed"].startswith("004_")
    assert row(out, "v1-table1", "Ours (N=10)", "ImageNet16-120 test")["paper"]["text"] == "±".join(pairs[5])
    # v2: "NASWOT (N=10)<TAB>3.05<TAB>92.44±1.13" and the NAS-Bench-101 REA line.
    v2_lines = dict(line.split("\t", 1) for line in seed_text("002").splitlines() if line.count("\t") == 2)
    seconds, accuracy = v2_lines["NASWOT (N=10)"].split("\t")
    assert row(out, "v2-table2", "Ours (N=10)", "cifar10 test")["paper"]["text"] == accuracy
    assert row(out, "v2-table2", "Ours (N=10)", "search s")["paper"]["text"] == seconds
    (nb101,) = {r["column"] for r in rows(out, "v2-nb101") if r["label"] == "REA"}
    assert row(out, "v2-nb101", "REA", nb101)["paper"]["text"] == v2_lines["REA"].split("\t")[1]
    # Thesis Table 5.1: the R row, one value per variant in the table's column order.
    r_line = next(line for line in seed_text("003").splitlines() if line.startswith("<i>R</i>"))
    thesis_r = r_line.split("\t")[2:]
    ours_r = [r["paper"]["text"] for r in rows(out, "thesis-table5_1") if r["label"] == "R"]
    assert ours_r == thesis_r and len(thesis_r) == 8


def test_random_row_is_the_pool_mean_from_the_csv(out: Path, nb201_csv: Path) -> None:
    pool = json.loads((out / "v1-table1.json").read_text())["details"]["pool"]
    with nb201_csv.open(newline="") as handle:
        accuracy = {r["ArchitectureString"]: float(r["CIFAR100TestAccuracy200Epochs"]) for r in csv.DictReader(handle)}
    values = np.array([accuracy[arch] for arch in pool["archs"]])
    random = row(out, "v1-table1", "Random", "cifar100 test")
    assert random["ours"] == pytest.approx(values.mean(), abs=1e-9)
    assert random["ours_std"] == pytest.approx(values.std(), abs=1e-9)
    assert random["difference"] == pytest.approx(values.mean() - 60.83, abs=1e-9)
    # REA trains (looks up) cells anywhere in the table: its mean lies within the table's range and, with 25
    # trained networks, above a random cell's.
    rea = row(out, "v1-table1", "REA", "cifar100 test")
    assert values.mean() < rea["ours"] <= max(accuracy.values()) and rea["ours_std"] >= 0
    assert rea["paper"]["text"] == "71.84±0.99"


def test_pool_scores_match_a_from_scratch_naswot(out: Path, cifar10_root: Path) -> None:
    """log|K_H| from hooks written here: K = c c^T + (1-c)(1-c)^T over every ReLU call's binary codes."""
    pool = json.loads((out / "v2-table2.json").read_text())["details"]["pool"]
    batch = load_batch("cifar10", cifar10_root, batch_size=16, seed=0)
    assert batch.fingerprint in pool["batch"]
    defined = [(arch, stored) for arch, stored in zip(pool["archs"], pool["scores"]) if stored is not None]
    for arch, stored in defined[:2]:
        torch.manual_seed(network_seed(0, arch))
        net = NasBench201Space().build(NasBench201Space().parse(arch)).train()
        c = torch.cat(relu_codes(net, batch.images), dim=1).double()
        kernel = c @ c.T + (1 - c) @ (1 - c).T
        assert stored == pytest.approx(float(torch.linalg.slogdet(kernel).logabsdet), rel=1e-9)


def test_thesis_r_is_pearson_of_our_scores_with_the_printed_accuracies(out: Path) -> None:
    table = rows(out, "thesis-table5_1")
    accuracies = [float(r["note"].split()[1]) for r in table if r["column"] == "llo:abs_norm:corr" and r["label"] != "R"]
    scores = [r["ours"] for r in table if r["column"] == "llo:abs_norm:corr" and r["label"] != "R"]
    assert accuracies == [82.35, 84.61, 85.83, 87.23]
    assert row(out, "thesis-table5_1", "R", "llo:abs_norm:corr")["ours"] == pytest.approx(np.corrcoef(scores, accuracies)[0, 1])


def test_bad_input_is_one_line_before_any_work(tmp_path: Path) -> None:
    assert_one_line_error(naswot("reproduce", "table9", "--out", str(tmp_path), "--shared", str(SHARED_DATA),
                                 "--store", ":memory:", cwd=tmp_path), "unknown item 'table9'", "v1-table1")
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert_one_line_error(naswot("reproduce", "v1-table1", "--out", str(blocker / "out"), "--shared", str(SHARED_DATA),
                                 "--store", ":memory:", cwd=tmp_path), "output folder", "--out")
    assert_one_line_error(naswot("reproduce", "v1-table1", "--out", str(tmp_path), "--shared", str(tmp_path),
                                 "--store", ":memory:", cwd=tmp_path), "cifar-10-batches-py is missing", "--data-root")
    assert_one_line_error(naswot("reproduce", "v1-table1", "--out", str(tmp_path), "--data-root", str(tmp_path),
                                 "--store", ":memory:", cwd=tmp_path), "pass --benchmark, --nb101-benchmark")
    explicit = naswot("reproduce", "v1-table1", "--out", str(tmp_path), "--data-root", str(tmp_path / "nothing"),
                      "--benchmark", str(SHARED_DATA / "nasbench201_accuracies.csv"),
                      "--nb101-benchmark", str(SHARED_DATA / "nasbench101_sample_1k.json"), "--store", ":memory:",
                      cwd=tmp_path)  # the explicit paths are used, not a --shared default
    assert_one_line_error(explicit, f"{tmp_path / 'nothing'} is missing", "--data-root")
