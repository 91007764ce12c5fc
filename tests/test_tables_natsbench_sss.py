"""NATS-Bench size-space reader: files written here in NATS-Bench's layout (bz2 pickles of plain dicts)."""

from __future__ import annotations

import bz2
import itertools
import pickle
from pathlib import Path
from typing import Any

import pytest

from naswot.errors import NaswotError
from naswot.spaces.natsbench_sss import parse_widths
from naswot.tables import load_table

META_ARCHS = [":".join(map(str, c)) for c in itertools.product(range(8, 65, 8), repeat=5)]


def save(path: Path, obj: Any) -> Path:
    """NATS-Bench's api_utils.pickle_save: protocol 4, bz2."""
    with bz2.BZ2File(path, "wb") as handle:
        pickle.dump(obj, handle, protocol=4)
    return path


def run(name: str, seed: int, epochs: int, accuracies: dict[str, float]) -> dict[str, Any]:
    """A ResultsCount state dict: eval accuracies keyed 'set@epoch' for every epoch."""
    eval_acc1es = {f"{s}@{e}": (acc if e == epochs - 1 else acc - 10) for s, acc in accuracies.items() for e in range(epochs)}
    return {"name": name, "net_state_dict": None, "train_acc1es": {}, "train_losses": {}, "params": 0.1, "flop": 1.0,
            "arch_config": {"name": "infer.shape.tiny"}, "seed": seed, "epochs": epochs, "latency": None,
            "eval_names": sorted(accuracies), "eval_acc1es": eval_acc1es, "eval_times": {}, "eval_losses": {},
            "train_times": {e: 2.0 + seed / 1000 for e in range(epochs)}}


def arch_results(index: int, shift: float) -> dict[str, Any]:
    """An ArchResults state dict with two seeds on each data set."""
    all_results, dataset_seed = {}, {}
    sets = {"cifar10": {"ori-test": 90.0}, "cifar100": {"x-valid": 60.0, "x-test": 61.0, "ori-test": 60.5},
            "ImageNet16-120": {"x-valid": 35.0, "x-test": 36.0}, "cifar10-valid": {"x-valid": 88.0, "ori-test": 89.0}}
    for dataset, accuracies in sets.items():
        dataset_seed[dataset] = [777, 888]
        for seed, delta in ((777, -shift), (888, shift)):
            all_results[(dataset, seed)] = run(dataset, seed, 90, {k: v + delta for k, v in accuracies.items()})
    return {"arch_index": index, "arch_str": META_ARCHS[index], "all_results": all_results,
            "dataset_seed": dataset_seed, "clear_net_done": True}


HELD = {0: 1.0, 4681: 2.0, 32767: 0.5}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "NATS-sss-v1_0-50262-simple"
    root.mkdir()
    save(root / "meta.pickle.pbz2", {"meta_archs": META_ARCHS, "arch2infos": {}, "evaluated_indexes": []})
    for index, shift in HELD.items():
        save(root / f"{index:06d}.pickle.pbz2", {"12": arch_results(index, 9.0), "90": arch_results(index, shift)})
    return root


@pytest.fixture
def single_file(tmp_path: Path) -> Path:
    infos = {i: {"90": arch_results(i, s)} for i, s in HELD.items()}
    return save(tmp_path / "NATS-sss-v1_0-50262.pickle.pbz2",
                {"meta_archs": META_ARCHS, "arch2infos": infos, "evaluated_indexes": list(HELD)})


@pytest.mark.parametrize("layout", ["folder", "single_file"])
def test_last_epoch_accuracies_averaged_over_seeds(layout, request):
    table = load_table("natsbench_sss", request.getfixturevalue(layout))
    arch = parse_widths("16:16:16:16:16")  # index 4681 = 11111 in base 8
    assert table.lookup(arch, "cifar10") == pytest.approx(90.0)
    assert table.lookup(arch, "cifar100") == pytest.approx(61.0)  # x-test, not ori-test
    assert table.lookup(arch, "ImageNet16-120") == pytest.approx(36.0)
    assert table.lookup(arch, "cifar10-valid") == pytest.approx(88.0)
    assert table.lookup(arch, "cifar100-valid") == pytest.approx(60.0)
    assert table.training_seconds(arch, "cifar10") == pytest.approx(90 * (2.0 + 0.8325))  # seeds 777, 888
    assert table.lookup(parse_widths("24:24:24:24:24"), "cifar10") is None
    assert [str(a) for a in table.archs()] == ["8:8:8:8:8", "16:16:16:16:16", "64:64:64:64:64"]
    assert str(table.arch_at(32767)) == "64:64:64:64:64"


def test_a_missing_evaluation_names_the_architecture(folder):
    broken = arch_results(0, 1.0)
    del broken["all_results"][("cifar100", 888)]["eval_acc1es"]["x-test@89"]
    save(folder / "000000.pickle.pbz2", {"90": broken})
    with pytest.raises(NaswotError, match="8:8:8:8:8 lacks 'x-test@89' for cifar100"):
        load_table("natsbench_sss", folder).lookup(parse_widths("8:8:8:8:8"), "cifar100")


@pytest.mark.parametrize("make, problem", [
    (lambda p: p.write_bytes(b"plain text"), "not a NATS-Bench pickle"),
    (lambda p: save(p, ["a list"]), "no 'meta_archs'"),
    (lambda p: save(p, {"meta_archs": META_ARCHS[:10]}), "lists 10 architectures"),
    (lambda p: save(p, {"meta_archs": list(reversed(META_ARCHS))}), "at index 0"),
    (lambda p: save(p, {"meta_archs": META_ARCHS}), "no 'arch2infos'"),
])
def test_files_that_are_not_nats_bench_are_one_line(tmp_path, make, problem):
    path = tmp_path / "bench.pickle.pbz2"
    make(path)
    with pytest.raises(NaswotError, match=problem):
        load_table("natsbench_sss", path)


def test_a_missing_path_is_one_line(tmp_path):
    with pytest.raises(NaswotError, match="missing"):
        load_table("natsbench_sss", tmp_path / "nowhere")
