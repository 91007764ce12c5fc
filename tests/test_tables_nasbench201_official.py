"""Official NAS-Bench-201 (.pth) and NATS-Bench topology (.pickle.pbz2) readers, on files written here.

No official file is in the shared data, so the files are written in the exact layout of the real ones
(as NATS-Bench's own test fixtures and the NAS-Bench-201 API show it): per 200-epoch run, ``x-valid``
every epoch on ``cifar10-valid`` but ``ori-test`` only at epoch 199, ``ori-test`` every epoch on
``cifar10``, ``ori-test`` every epoch plus ``x-valid``/``x-test`` at epoch 199 on CIFAR-100 and
ImageNet16-120, seeds 777/888/999, constant per-epoch train times, numpy ``params`` and ``latency``.
Earlier epochs and the other evaluation sets hold different numbers, so reading the wrong one fails.
"""

from __future__ import annotations

import bz2
import json
import os
import pickle
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from cli_runner import naswot

from naswot.errors import NaswotError
from naswot.safe_pickle import load_torch_file
from naswot.tables import load_table

SEEDS = (777, 888, 999)
SPREAD = (-0.3, 0.1, 0.2)  # per-seed offsets that average to zero
EPOCH_SECONDS = {"cifar10-valid": 7.2, "cifar10": 14.4, "cifar100": 14.4, "ImageNet16-120": 43.8}
PICKED = (0, 11, 284, 15624)


def run(name: str, seed: int, arch: str, finals: dict[str, float], every_epoch: set[str],
        seconds: float | None) -> dict[str, Any]:
    """A ResultsCount state after 200 epochs: sets in ``every_epoch`` are evaluated after each epoch, the rest at the end."""
    accuracies: dict[str, float] = {}
    for eval_set, final in finals.items():
        for epoch in range(200) if eval_set in every_epoch else (199,):
            accuracies[f"{eval_set}@{epoch}"] = final if epoch == 199 else final - 20 + epoch / 20
    return {"name": name, "train_acc1es": {e: 50.0 + e / 5 for e in range(200)}, "train_acc5es": {e: 90.0 for e in range(200)},
            "train_losses": {e: 1.0 / (e + 1) for e in range(200)},
            "train_times": None if seconds is None else {e: seconds for e in range(200)},
            "arch_config": {"channel": 16, "num_cells": 5, "arch_str": arch, "class_num": 10},
            "params": np.float64(0.8), "flop": 113.9, "seed": f"{seed:04d}", "epochs": 200, "latency": [np.float64(0.016)],
            "eval_names": list(finals), "eval_acc1es": accuracies, "eval_times": {k: 1.66 for k in accuracies},
            "eval_losses": {k: 1.0 for k in accuracies}, "net_state_dict": None}


def arch_results(index: int, arch: str, test: dict[str, float], seeds: tuple[int, ...] = SEEDS,
                 timed: bool = True) -> dict[str, Any]:
    """The 200-epoch ArchResults state of one cell whose seed-averaged test accuracies are ``test``.

    Validation accuracies are the test ones minus 1 (cifar10-valid: cifar10's minus 4); each run's
    ``ori-test`` (the whole test set) is off by 5, so reading it instead of ``x-test`` shows.
    """
    all_results = {}
    for s, (seed, delta) in enumerate(zip(seeds, SPREAD)):
        finals = {"cifar10-valid": {"x-valid": test["cifar10"] - 4 + delta, "ori-test": test["cifar10"] - 6},
                  "cifar10": {"ori-test": test["cifar10"] + delta},
                  **{name: {"ori-test": test[name] + 5, "x-valid": test[name] - 1 + delta, "x-test": test[name] + delta}
                     for name in ("cifar100", "ImageNet16-120")}}
        every = {"cifar10-valid": {"x-valid"}}
        for name, sets in finals.items():
            seconds = EPOCH_SECONDS[name] * (1 + s / 10) if timed else None
            all_results[(name, seed)] = run(name, seed, arch, sets, every.get(name, {"ori-test"}), seconds)
    return {"arch_index": index, "arch_str": arch, "all_results": all_results,
            "dataset_seed": {name: list(seeds) for name in EPOCH_SECONDS}, "clear_net_done": True}


@pytest.fixture(scope="module")
def csv_table(nb201_csv):
    return load_table("nasbench201", nb201_csv)


@pytest.fixture(scope="module")
def infos(csv_table) -> dict[int, dict[str, Any]]:
    """The picked cells' 200-epoch states, with the shared CSV's test accuracies."""
    cells = {i: csv_table.arch_at(i) for i in PICKED}
    return {i: arch_results(i, str(c), {d: csv_table.lookup(c, d) for d in csv_table.datasets}) for i, c in cells.items()}


def meta_archs(csv_table) -> list[str]:
    return [str(csv_table.arch_at(i)) for i in range(len(csv_table))]


def write_pth(path: Path, csv_table, infos, zipped: bool = True, **changes: Any) -> Path:
    """NAS-Bench-201's layout: 'full' holds the 200-epoch runs, 'less' the 12-epoch ones."""
    data = {"meta_archs": meta_archs(csv_table), "evaluated_indexes": set(infos),
            "arch2infos": {i: {"less": {"dataset_seed": {}, "all_results": {}}, "full": state} for i, state in infos.items()}}
    torch.save({**data, **changes}, path, _use_new_zipfile_serialization=zipped)
    return path


def save_pbz2(path: Path, obj: Any) -> Path:
    """NATS-Bench's api_utils.pickle_save: protocol 4, bz2."""
    with bz2.BZ2File(path, "wb") as handle:
        pickle.dump(obj, handle, protocol=4)
    return path


def write_nats_folder(root: Path, csv_table, infos) -> Path:
    root.mkdir()
    save_pbz2(root / "meta.pickle.pbz2", {"meta_archs": meta_archs(csv_table), "total_archs": 15625,
                                          "arch2infos": None, "evaluated_indexes": set()})
    for index, state in infos.items():
        save_pbz2(root / f"{index:06d}.pickle.pbz2", {"12": {"dataset_seed": {}, "all_results": {}}, "200": state})
    return root


@pytest.fixture(params=["pth-zip", "pth-legacy", "nats-folder", "nats-file"])
def official(request, tmp_path, csv_table, infos) -> Path:
    if request.param.startswith("pth"):
        return write_pth(tmp_path / "NAS-Bench-201-v1_1-096897.pth", csv_table, infos, zipped=request.param == "pth-zip")
    if request.param == "nats-folder":
        return write_nats_folder(tmp_path / "NATS-tss-v1_0-3ffb9-simple", csv_table, infos)
    return save_pbz2(tmp_path / "NATS-tss-v1_0-3ffb9.pickle.pbz2", {"meta_archs": meta_archs(csv_table), "total_archs": 15625,
                                                                   "arch2infos": {i: {"200": s} for i, s in infos.items()},
                                                                   "evaluated_indexes": set(infos)})


def test_official_files_give_the_shared_csv_accuracies_in_the_same_order(official, csv_table):
    table = load_table("nasbench201", official)
    assert [str(a) for a in table.archs()] == [str(csv_table.arch_at(i)) for i in PICKED]
    for index in PICKED:
        arch = table.arch_at(index)
        assert arch == csv_table.arch_at(index)
        for dataset in csv_table.datasets:
            assert table.lookup(arch, dataset) == pytest.approx(csv_table.lookup(arch, dataset), abs=1e-9)
    assert table.lookup(csv_table.arch_at(1), "cifar10") is None  # not in the file
    assert table.space().index_of(csv_table.arch_at(4321)) == 4321


def test_validation_and_training_time_by_hand(official, csv_table):
    table = load_table("nasbench201", official)
    arch = csv_table.arch_at(11)  # CSV test accuracies 91.5833, 67.6067, 30.1667
    assert table.lookup(arch, "cifar10-valid") == pytest.approx(91.58333333 - 4)
    assert table.lookup(arch, "cifar100-valid") == pytest.approx(67.60666664 - 1)
    assert table.lookup(arch, "ImageNet16-120-valid") == pytest.approx(30.16666660 - 1)
    # seeds run at 1.0, 1.1 and 1.2 times the base epoch time: 200 epochs x base x 1.1 on average
    assert table.training_seconds(arch, "cifar10") == pytest.approx(200 * 14.4 * 1.1)
    assert table.training_seconds(arch, "cifar10-valid") == pytest.approx(200 * 7.2 * 1.1)
    assert table.training_seconds(arch, "ImageNet16-120-valid") == pytest.approx(200 * 43.8 * 1.1)
    assert table.training_seconds(csv_table.arch_at(1), "cifar10") is None


def test_v1_0_file_without_times_and_with_one_seed(tmp_path, csv_table):
    arch = str(csv_table.arch_at(7))
    state = arch_results(7, arch, {"cifar10": 90.0, "cifar100": 70.0, "ImageNet16-120": 40.0}, seeds=(888,), timed=False)
    table = load_table("nasbench201", write_pth(tmp_path / "NAS-Bench-201-v1_0-e61699.pth", csv_table, {7: state}, zipped=False))
    assert table.lookup(csv_table.arch_at(7), "cifar100") == pytest.approx(70.0 + SPREAD[0])
    assert table.training_seconds(csv_table.arch_at(7), "cifar100") is None
    assert csv_table.training_seconds(csv_table.arch_at(7), "cifar10") is None  # the CSV has no times


def test_score_by_index_with_the_official_file_prints_the_csv_accuracies(tmp_path, csv_table, infos):
    pth = write_pth(tmp_path / "NAS-Bench-201-v1_1-096897.pth", csv_table, infos)
    result = naswot("score", "--index", "11", "--index", "15624", "--score", "params", "--space", "nasbench201:C=8,N=1",
                    "--data", "synthetic", "--benchmark", str(pth), "--dataset", "cifar100", "--store", ":memory:",
                    "--json", "out.json", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = json.loads((tmp_path / "out.json").read_text())["results"]
    expected = [csv_table.arch_at(11), csv_table.arch_at(15624)]
    assert [row["arch"] for row in rows] == [str(arch) for arch in expected]
    assert [row["accuracy"] for row in rows] == pytest.approx([csv_table.lookup(a, "cifar100") for a in expected], abs=1e-9)


def test_missing_evaluation_names_the_cell(tmp_path, csv_table, infos):
    broken = pickle.loads(pickle.dumps(infos[284]))
    del broken["all_results"][("cifar100", 999)]["eval_acc1es"]["x-test@199"]
    table = load_table("nasbench201", write_pth(tmp_path / "b.pth", csv_table, {284: broken}))
    with pytest.raises(NaswotError, match=r"none~2\| lacks 'x-test@199' for cifar100: pass benchmark="):
        table.lookup(csv_table.arch_at(284), "cifar100")


def cut_in_half(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


@pytest.mark.parametrize("make, problem", [
    (lambda p, t, i: cut_in_half(write_pth(p, t, i)), "is not a readable torch.save file"),
    (lambda p, t, i: cut_in_half(write_pth(p, t, i, zipped=False)), "is not a readable torch.save file"),
    (lambda p, t, i: torch.save({"meta_archs": [], "hook": os.getcwd}, p), "refers to posix.getcwd"),
    (lambda p, t, i: torch.save([1, 2], p), "lacks 'meta_archs', 'arch2infos'"),
    (lambda p, t, i: write_pth(p, t, i, meta_archs=meta_archs(t)[:100]), "lists 100 architectures, not NAS-Bench-201's 15625"),
    (lambda p, t, i: write_pth(p, t, i, meta_archs=meta_archs(t)[:-1] + ["|conv~0|"]), "malformed architecture string"),
    (lambda p, t, i: write_pth(p, t, i, meta_archs=meta_archs(t)[:-1] + meta_archs(t)[:1]), "lists some architectures twice"),
])
def test_bad_pth_files_are_one_line(tmp_path, csv_table, infos, make, problem):
    path = tmp_path / "NAS-Bench-201-v1_1-096897.pth"
    make(path, csv_table, infos)
    with pytest.raises(NaswotError, match=problem) as caught:
        load_table("nasbench201", path)
    assert "\n" not in str(caught.value)


def test_truncated_nats_file_and_unknown_forms_are_one_line(tmp_path, csv_table, infos):
    folder = write_nats_folder(tmp_path / "NATS-tss-v1_0-3ffb9-simple", csv_table, infos)
    cut_in_half(folder / "000011.pickle.pbz2")
    table = load_table("nasbench201", folder)
    with pytest.raises(NaswotError, match="000011.pickle.pbz2 is not a NATS-Bench pickle"):
        table.lookup(csv_table.arch_at(11), "cifar10")
    (tmp_path / "bench.txt").write_text("x")
    with pytest.raises(NaswotError, match=r"not a NAS-Bench-201 table \(.csv, .pth"):
        load_table("nasbench201", tmp_path / "bench.txt")
    with pytest.raises(NaswotError, match="NATS-tss-v1_0-3ffb9-other is missing"):
        load_table("nasbench201", tmp_path / "NATS-tss-v1_0-3ffb9-other")
    with pytest.raises(NaswotError, match="has no 'cifar10-test' accuracies: use dataset=cifar10 or cifar100"):
        table.lookup(csv_table.arch_at(0), "cifar10-test")


def test_files_written_with_numpy_1_load_without_numpy_1(tmp_path):
    """The official files date from 2020 (numpy 1): their scalars are pickled as numpy.core.multiarray.scalar."""
    path = tmp_path / "old.pth"
    torch.save({"params": np.float64(0.802426), "latency": [np.float64(0.016)]}, path, _use_new_zipfile_serialization=False)
    path.write_bytes(path.read_bytes().replace(b"numpy._core.multiarray", b"numpy.core.multiarray"))
    assert b"numpy.core.multiarray\nscalar" in path.read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy 2 warns when numpy.core is imported
        data = load_torch_file(path, "fix")
    assert data == {"params": 0.802426, "latency": [0.016]}
